//! The `wasi:keyvalue/store` and `batch` imports: the component's bucket,
//! kept in the connection's storage. Calls are counted and timed for the
//! benchmark (a `get-many` is one call: what a page of an import costs).
//!
//! The component keeps all its state in ONE bucket, [`ONE_BUCKET`] (`woo`
//! gives it no `WOO_KV_BUCKET`), key `k` of its part `b` (`connection`,
//! `credentials`, `cursors` …) under `b/k`. The storage keeps the rows where
//! the nine buckets of earlier builds kept them, (connection, `b`, `k`), with
//! credentials sealed in their own table: [`split`] turns `b/k` back into
//! them, so a database written before one bucket opens as it is, with no
//! migration. A bucket of another name (a component built before) is stored
//! as it always was.

use super::HostState;
use crate::storage::Storage;
use crate::wit::KvBucket;
use crate::wit::keyvalue::{self, Error, KeyResponse};
use crate::wit::keyvalue_batch;
use std::time::Instant;
use wasmtime::component::Resource;

/// The bucket the component opens: its default name.
pub const ONE_BUCKET: &str = "default";

/// Where `key` of `bucket` is stored: in [`ONE_BUCKET`], `b/k` is the row of
/// bucket `b`, key `k` (bucket names hold no `/`; keys may); anything else as
/// it is.
pub fn split<'a>(bucket: &'a str, key: &'a str) -> (&'a str, &'a str) {
    if bucket == ONE_BUCKET
        && let Some((b, k)) = key.split_once('/')
    {
        return (b, k);
    }
    (bucket, key)
}

impl keyvalue::Host for HostState {
    fn open(&mut self, identifier: String) -> wasmtime::Result<Result<Resource<KvBucket>, Error>> {
        Ok(Ok(self.table.push(KvBucket { name: identifier })?))
    }
}

impl HostState {
    /// One key-value write on this connection's storage: a failure is the
    /// guest's to handle.
    fn timed_write(&mut self, f: impl FnOnce(&mut dyn Storage, &str) -> anyhow::Result<()>) -> Result<(), Error> {
        let t = Instant::now();
        let r = f(self.storage.as_mut(), &self.connection).map_err(|e| Error::Other(format!("{e:#}")));
        self.kv_time += t.elapsed();
        self.kv_calls += 1;
        r
    }

    /// One key-value read: a failure ends the call (see `get`).
    fn timed_read<R>(&mut self, f: impl FnOnce(&mut dyn Storage, &str) -> anyhow::Result<R>) -> wasmtime::Result<R> {
        let t = Instant::now();
        let r = f(self.storage.as_mut(), &self.connection).map_err(wasmtime::Error::from_anyhow);
        self.kv_time += t.elapsed();
        self.kv_calls += 1;
        r
    }

    fn bucket_name(&self, b: &Resource<KvBucket>) -> wasmtime::Result<String> {
        Ok(self.table.get(b)?.name.clone())
    }
}

impl keyvalue::HostBucket for HostState {
    // A read that fails (damaged database, credentials the key cannot open)
    // ends the call with the storage's error: the guest reads a failed read
    // as an absent value, which would turn a lost key into "not connected"
    // and a damaged database into a quiet, empty sync.
    fn get(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let name = self.bucket_name(&b)?;
        let (bucket, key) = split(&name, &key);
        Ok(Ok(self.timed_read(|s, c| s.kv_get(c, bucket, key))?))
    }

    fn set(&mut self, b: Resource<KvBucket>, key: String, value: Vec<u8>) -> wasmtime::Result<Result<(), Error>> {
        let name = self.bucket_name(&b)?;
        let (bucket, key) = split(&name, &key);
        Ok(self.timed_write(|s, c| s.kv_set(c, bucket, key, &value)))
    }

    fn delete(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<(), Error>> {
        let name = self.bucket_name(&b)?;
        let (bucket, key) = split(&name, &key);
        Ok(self.timed_write(|s, c| s.kv_delete(c, bucket, key)))
    }

    fn exists(&mut self, b: Resource<KvBucket>, key: String) -> wasmtime::Result<Result<bool, Error>> {
        let name = self.bucket_name(&b)?;
        let (bucket, key) = split(&name, &key);
        Ok(Ok(self.timed_read(|s, c| s.kv_get(c, bucket, key).map(|v| v.is_some()))?))
    }

    fn list_keys(
        &mut self,
        b: Resource<KvBucket>,
        _cursor: Option<u64>,
    ) -> wasmtime::Result<Result<KeyResponse, Error>> {
        let name = self.bucket_name(&b)?;
        let keys = if name == ONE_BUCKET {
            // Every row, each as the key the component wrote: `b/k`.
            let rows = self.timed_read(|s, c| s.kv_all_keys(c))?;
            rows.into_iter().map(|(b, k)| if b == ONE_BUCKET { k } else { format!("{b}/{k}") }).collect()
        } else {
            self.timed_read(|s, c| s.kv_keys(c, &name))?
        };
        Ok(Ok(KeyResponse { keys, cursor: None }))
    }

    fn drop(&mut self, b: Resource<KvBucket>) -> wasmtime::Result<()> {
        self.table.delete(b)?;
        Ok(())
    }
}

/// The most keys one `get-many`, `set-many` or `delete-many` may name: a
/// page of 100 records reads a few hundred; a list past this is refused
/// rather than held in memory.
pub const MAX_BATCH_KEYS: usize = 10_000;

fn check_batch(n: usize) -> Result<(), Error> {
    if n > MAX_BATCH_KEYS {
        return Err(Error::Other(format!("{n} keys in one batch call; at most {MAX_BATCH_KEYS}")));
    }
    Ok(())
}

impl keyvalue_batch::Host for HostState {
    fn get_many(
        &mut self,
        b: Resource<KvBucket>,
        keys: Vec<String>,
    ) -> wasmtime::Result<Result<Vec<Option<(String, Vec<u8>)>>, Error>> {
        if let Err(e) = check_batch(keys.len()) {
            return Ok(Err(e));
        }
        let name = self.bucket_name(&b)?;
        let rows: Vec<(String, String)> = keys
            .iter()
            .map(|k| {
                let (b, k) = split(&name, k);
                (b.to_string(), k.to_string())
            })
            .collect();
        // A failed read ends the call, as `get`'s does.
        let values = self.timed_read(|s, c| s.kv_get_many(c, &rows))?;
        Ok(Ok(keys.into_iter().zip(values).map(|(k, v)| v.map(|v| (k, v))).collect()))
    }

    fn set_many(
        &mut self,
        b: Resource<KvBucket>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> wasmtime::Result<Result<(), Error>> {
        if let Err(e) = check_batch(key_values.len()) {
            return Ok(Err(e));
        }
        let name = self.bucket_name(&b)?;
        Ok(self.timed_write(|s, c| {
            for (key, value) in &key_values {
                let (bucket, key) = split(&name, key);
                s.kv_set(c, bucket, key, value)?;
            }
            Ok(())
        }))
    }

    fn delete_many(&mut self, b: Resource<KvBucket>, keys: Vec<String>) -> wasmtime::Result<Result<(), Error>> {
        if let Err(e) = check_batch(keys.len()) {
            return Ok(Err(e));
        }
        let name = self.bucket_name(&b)?;
        Ok(self.timed_write(|s, c| {
            for key in &keys {
                let (bucket, key) = split(&name, key);
                s.kv_delete(c, bucket, key)?;
            }
            Ok(())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_bucket_keys_are_stored_in_the_rows_of_their_part_and_other_buckets_as_they_are() {
        assert_eq!(split(ONE_BUCKET, "connection/info"), ("connection", "info"));
        assert_eq!(split(ONE_BUCKET, "credentials/store"), ("credentials", "store"));
        // Only the first `/` splits: keys may hold more.
        assert_eq!(split(ONE_BUCKET, "skus/a/b-42"), ("skus", "a/b-42"));
        assert_eq!(split(ONE_BUCKET, "plain"), (ONE_BUCKET, "plain"));
        // A component of an earlier build opens the nine buckets by name.
        assert_eq!(split("cursors", "import:orders:page"), ("cursors", "import:orders:page"));
        assert_eq!(split("skus", "a/b"), ("skus", "a/b"));
    }
}
