//! An in-memory host for native tests and the fuzz targets.

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
            self.kv.insert((b, k), v);
        }
        Ok(created)
    }
    fn progress(&mut self, _: &str, _: u64, _: u64) {}
    fn log(&mut self, _: Level, message: &str) {
        self.logs.push(message.to_string());
    }
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        self.check_readable(bucket)?;
        Ok(self.kv.get(&(bucket.to_string(), key.to_string())).cloned())
    }
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.kv.insert((bucket.to_string(), key.to_string()), value.to_vec());
        Ok(())
    }
    fn delete(&mut self, bucket: &str, key: &str) -> Result<(), StorageError> {
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
