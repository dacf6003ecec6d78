//! An in-memory host for native tests and the fuzz targets.

use super::read_ahead::ReadAhead;
use super::{Batch, Host, Level, Notification, StorageError, Trigger};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the component stored, in maps a test can read.
#[derive(Default)]
pub struct MemoryHost {
    /// Records by (kind name, id).
    pub records: BTreeMap<(String, String), serde_json::Value>,
    /// Triggers by [`Trigger::id`], the first of each kept, as the host
    /// fires each id once.
    pub triggers: BTreeMap<String, Trigger>,
    /// Notifications queued.
    pub notifications: Vec<Notification>,
    /// Key-value state by (bucket, key).
    pub kv: BTreeMap<(String, String), Vec<u8>>,
    /// Log lines.
    pub logs: Vec<String>,
    /// Commits so far, failed ones included.
    pub commits: usize,
    /// Fail the commit with this number (1-based) to simulate a crash.
    pub fail_commit: Option<usize>,
    /// Buckets whose reads (`get`, `keys`) fail, as a host's storage can.
    pub unreadable: BTreeSet<String>,
    /// Host calls that read state: each `get` not answered by a read-ahead,
    /// and each read-ahead (one call for its keys, as `get-many` is).
    pub read_calls: usize,
    /// The keys read ahead, as the component's host keeps them.
    pub ahead: ReadAhead,
    /// Ignore read-aheads, as a host without `get-many` would.
    pub no_read_ahead: bool,
}

impl MemoryHost {
    /// Refuse reads of `bucket` when `unreadable`, as a failing store would.
    fn check_readable(&self, bucket: &str) -> Result<(), StorageError> {
        if self.unreadable.contains(bucket) {
            return Err(StorageError(format!("simulated read failure of bucket `{bucket}`")));
        }
        Ok(())
    }
}

impl Host for MemoryHost {
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, StorageError> {
        self.commits += 1;
        if self.fail_commit == Some(self.commits) {
            return Err(StorageError("simulated crash".into()));
        }
        let mut created = vec![];
        for r in batch.records {
            created.push(self.records.insert((r.kind.name().to_string(), r.id), r.body).is_none());
        }
        for t in batch.triggers {
            self.triggers.entry(t.id()).or_insert(t);
        }
        self.notifications.extend(batch.notifications);
        for (b, k, v) in batch.state {
            self.ahead.wrote(&b, &k, Some(&v));
            self.kv.insert((b, k), v);
        }
        Ok(created)
    }
    fn progress(&mut self, _: &str, _: u64, _: u64) {}
    fn log(&mut self, _: Level, message: &str) {
        self.logs.push(message.to_string());
    }
    fn read_ahead(&mut self, keys: &[(&str, String)]) -> Result<(), StorageError> {
        if self.no_read_ahead {
            return Ok(());
        }
        for (b, _) in keys {
            self.check_readable(b)?;
        }
        self.read_calls += 1;
        let values = keys.iter().map(|(b, k)| self.kv.get(&(b.to_string(), k.clone())).cloned()).collect();
        self.ahead.replace(keys, values);
        Ok(())
    }
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(v) = self.ahead.get(bucket, key) {
            return Ok(v);
        }
        self.check_readable(bucket)?;
        self.read_calls += 1;
        Ok(self.kv.get(&(bucket.to_string(), key.to_string())).cloned())
    }
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.ahead.wrote(bucket, key, Some(value));
        self.kv.insert((bucket.to_string(), key.to_string()), value.to_vec());
        Ok(())
    }
    fn delete(&mut self, bucket: &str, key: &str) -> Result<(), StorageError> {
        self.ahead.wrote(bucket, key, None);
        self.kv.remove(&(bucket.to_string(), key.to_string()));
        Ok(())
    }
    fn keys(&mut self, bucket: &str) -> Result<Vec<String>, StorageError> {
        self.check_readable(bucket)?;
        Ok(self.kv.keys().filter(|(b, _)| b == bucket).map(|(_, k)| k.clone()).collect())
    }
    fn now_rfc3339(&self) -> String {
        "2025-03-01T09:00:00Z".into()
    }
}
