//! One storage shared by several sessions of a process, each call taking it
//! in turn: `woo serve` keeps one SQLite connection for all its delivery
//! instances, so their commits queue in memory for a moment instead of
//! meeting SQLite's busy lock, whose retry sleeps (up to 100 ms each) made the
//! slowest deliveries of a storm wait hundreds of milliseconds.

use super::{Batch, Lease, LeaseEvent, LeaseScheduler, RecordStore, ScheduleRow, Storage, StoredRecord};
use anyhow::{Result, anyhow};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// A handle on a storage shared through a mutex; clones share it.
#[derive(Clone)]
pub struct Shared(Arc<Mutex<Box<dyn Storage>>>);

impl Shared {
    /// Share `storage`.
    pub fn new(storage: Box<dyn Storage>) -> Shared {
        Shared(Arc::new(Mutex::new(storage)))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Box<dyn Storage>>> {
        // A panic while holding it may have left a transaction half done: refuse rather than guess.
        self.0.lock().map_err(|_| anyhow!("the shared storage is unusable after a failure while it was held"))
    }
}

impl RecordStore for Shared {
    fn commit(&mut self, connection: &str, batch: &Batch) -> Result<Vec<bool>> {
        self.lock()?.commit(connection, batch)
    }
    fn kv_get(&mut self, connection: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        self.lock()?.kv_get(connection, bucket, key)
    }
    fn kv_get_many(&mut self, connection: &str, keys: &[(String, String)]) -> Result<Vec<Option<Vec<u8>>>> {
        self.lock()?.kv_get_many(connection, keys)
    }
    fn kv_set(&mut self, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        self.lock()?.kv_set(connection, bucket, key, value)
    }
    fn kv_delete(&mut self, connection: &str, bucket: &str, key: &str) -> Result<()> {
        self.lock()?.kv_delete(connection, bucket, key)
    }
    fn kv_keys(&mut self, connection: &str, bucket: &str) -> Result<Vec<String>> {
        self.lock()?.kv_keys(connection, bucket)
    }
    fn kv_all_keys(&mut self, connection: &str) -> Result<Vec<(String, String)>> {
        self.lock()?.kv_all_keys(connection)
    }
    fn records(&mut self, connection: &str, kind: Option<&str>) -> Result<Vec<StoredRecord>> {
        self.lock()?.records(connection, kind)
    }
    fn counts(&mut self, connection: &str) -> Result<Vec<(String, u64)>> {
        self.lock()?.counts(connection)
    }
    fn fence(&mut self, lease: Option<Lease>) {
        if let Ok(mut s) = self.lock() {
            s.fence(lease);
        }
    }
    fn sync_every_commit(&mut self) -> Result<()> {
        self.lock()?.sync_every_commit()
    }
    fn commit_durability(&mut self) -> Result<String> {
        self.lock()?.commit_durability()
    }
    fn others_version(&mut self) -> Result<Option<i64>> {
        self.lock()?.others_version()
    }
}

impl LeaseScheduler for Shared {
    fn connections(&mut self) -> Result<Vec<ScheduleRow>> {
        self.lock()?.connections()
    }
    fn schedule(&mut self, connection: &str, due_now: bool) -> Result<()> {
        self.lock()?.schedule(connection, due_now)
    }
    fn unschedule(&mut self, connection: &str) -> Result<()> {
        self.lock()?.unschedule(connection)
    }
    fn now_ms(&mut self) -> Result<i64> {
        self.lock()?.now_ms()
    }
    fn claim(&mut self, worker: &str, cutoff_ms: Option<i64>, lease: Duration) -> Result<Option<Lease>> {
        self.lock()?.claim(worker, cutoff_ms, lease)
    }
    fn renew(&mut self, lease: &Lease, duration: Duration) -> Result<bool> {
        self.lock()?.renew(lease, duration)
    }
    fn release(&mut self, lease: &Lease, next_in: Option<Duration>, error: Option<&str>) -> Result<()> {
        self.lock()?.release(lease, next_in, error)
    }
    fn due_count(&mut self, cutoff_ms: i64) -> Result<u64> {
        self.lock()?.due_count(cutoff_ms)
    }
    fn lease_log(&mut self) -> Result<Vec<LeaseEvent>> {
        self.lock()?.lease_log()
    }
}
