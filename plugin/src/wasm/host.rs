//! The host imports (`platform`, `wasi:keyvalue`) as the core's `port::Host`.
//!
//! The core keeps its state in named buckets (`port::bucket`: `connection`,
//! `credentials`, `cursors` …). Many hosts give a component one key-value
//! store (Spin, the wasmtime CLI), so the component opens ONE bucket, named by
//! the environment's `WOO_KV_BUCKET` (`default` when unset), and keeps key `k`
//! of the core's bucket `b` under `b/k` (bucket names hold no `/`, so the
//! first `/` splits them back). The `state` of a `platform.commit` is written
//! under the same keys.

use super::transport::WasiTransport;
use super::wasi::keyvalue::batch as kv_batch;
use super::wasi::keyvalue::store as kv;
use super::woo::connector::platform;
use crate::client::Transport;
use crate::port::read_ahead::{ReadAhead, distinct};
use crate::port::{self, Batch, Level, RecordKind, StorageError, bucket};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

/// The environment variable naming the one bucket.
const BUCKET_ENV: &str = "WOO_KV_BUCKET";
/// The bucket's name when the environment names none.
const DEFAULT_BUCKET: &str = "default";

/// The host, through the WIT imports. While one lives (one exported call),
/// the keys of the bucket are listed at most once for the small parts
/// ([`KEPT_PARTS`]): `keys` of one is a prefix of that listing, kept up to
/// date with the call's own writes; and the keys last read ahead (one
/// `get-many`) answer `get`. Dropping it forgets both, since between calls
/// others may write.
#[derive(Default)]
pub struct WitHost;

impl Drop for WitHost {
    fn drop(&mut self) {
        KEYS.with(|k| k.borrow_mut().take());
        AHEAD.with(|a| a.borrow_mut().clear());
    }
}

thread_local! {
    /// The bucket, opened once per instance: an open and a drop per read
    /// would be two more host calls each time.
    static BUCKET: RefCell<Option<(String, Rc<kv::Bucket>)>> = const { RefCell::new(None) };
    /// The keys of the kept parts, while a [`WitHost`] lives and once listed.
    static KEYS: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
    /// The keys last read ahead, while a [`WitHost`] lives.
    static AHEAD: RefCell<ReadAhead> = RefCell::new(ReadAhead::default());
}

/// Note in the keys read ahead what the call wrote (`None`: deleted).
fn note_written(b: &str, key: &str, value: Option<&[u8]>) {
    AHEAD.with(|a| a.borrow_mut().wrote(b, key, value));
}

/// The bucket, opened on first use, and its name.
fn bucket() -> Result<(String, Rc<kv::Bucket>), StorageError> {
    BUCKET.with(|open| {
        let mut open = open.borrow_mut();
        if let Some(b) = open.as_ref() {
            return Ok(b.clone());
        }
        // Set but empty names the bucket `""` (the wasmtime CLI's in-memory store has only that one).
        let name = std::env::var(BUCKET_ENV).map_or_else(|_| DEFAULT_BUCKET.to_string(), |n| n.trim().to_string());
        let b = Rc::new(
            kv::open(&name).map_err(|e| StorageError(format!("the host could not open bucket `{name}`: {e:?}")))?,
        );
        *open = Some((name.clone(), b.clone()));
        Ok((name, b))
    })
}

/// Where key `key` of the core's bucket `b` lives in the one bucket.
fn key_of(b: &str, key: &str) -> String {
    format!("{b}/{key}")
}

/// The parts whose keys the call's listing keeps: the small ones a pass
/// lists (cursors, linked categories, open checkouts) and those `disconnect`
/// clears. A part with a key per record (orders, e-mails, stock …) is listed
/// when asked and not kept: kept, and kept up to date with every commit, a
/// 50,000-order import held all of its 170,000 keys in guest memory.
const KEPT_PARTS: [&str; 5] =
    [bucket::CURSORS, bucket::CONNECTION, bucket::CREDENTIALS, bucket::LINKED_CATEGORIES, bucket::CHECKOUTS_OPEN];

/// Whether `key` (`part/key`) is of a part the listing keeps.
fn is_kept(key: &str) -> bool {
    key.split_once('/').is_some_and(|(part, _)| KEPT_PARTS.contains(&part))
}

/// Note keys written (`true`) or deleted (`false`) in the call's listing,
/// when it has one.
fn note_keys(keys: impl IntoIterator<Item = (String, bool)>) {
    KEYS.with(|k| {
        if let Some(listed) = k.borrow_mut().as_mut() {
            for (key, present) in keys.into_iter().filter(|(key, _)| is_kept(key)) {
                if present {
                    listed.insert(key);
                } else {
                    listed.remove(&key);
                }
            }
        }
    });
}

/// The keys of the kept parts: read from the host on the call's first listing.
fn listing(name: &str, bk: &kv::Bucket) -> Result<(), StorageError> {
    if KEYS.with(|k| k.borrow().is_some()) {
        return Ok(());
    }
    let kept = list_all(name, bk)?.into_iter().filter(|k| is_kept(k)).collect();
    KEYS.with(|k| *k.borrow_mut() = Some(kept));
    Ok(())
}

/// Every key of the bucket, from the host.
fn list_all(name: &str, bk: &kv::Bucket) -> Result<Vec<String>, StorageError> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        // A page the host cannot list fails the whole listing: a partial
        // one would read as keys that are absent.
        let page = bk
            .list_keys(cursor)
            .map_err(|e| StorageError(format!("the host could not list bucket `{name}`: {e:?}")))?;
        all.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(all)
}

fn record_kind(kind: RecordKind) -> platform::RecordKind {
    match kind {
        RecordKind::Contact => platform::RecordKind::Contact,
        RecordKind::Order => platform::RecordKind::Order,
        RecordKind::Transaction => platform::RecordKind::Transaction,
        RecordKind::Product => platform::RecordKind::Product,
        RecordKind::Collection => platform::RecordKind::Collection,
        RecordKind::Checkout => platform::RecordKind::Checkout,
    }
}

impl port::Host for WitHost {
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, StorageError> {
        let (name, _) = bucket()?;
        let b = platform::Batch {
            records: batch
                .records
                .into_iter()
                .map(|r| platform::PlatformRecord {
                    kind: record_kind(r.kind),
                    id: r.id,
                    body: super::json_text(&r.body),
                })
                .collect(),
            triggers: batch
                .triggers
                .into_iter()
                .map(|t| platform::TriggerEvent {
                    name: t.name.to_string(),
                    subject_id: t.subject_id,
                    key: t.key,
                    contact_id: t.contact_id,
                    data: super::json_text(&t.data),
                    time: t.time,
                })
                .collect(),
            notifications: batch
                .notifications
                .into_iter()
                .map(|n| platform::Notification {
                    topic: n.topic,
                    recipient: n.recipient,
                    subject: n.subject,
                    body: n.body,
                })
                .collect(),
            state: batch.state.into_iter().map(|(b, k, v)| (name.clone(), key_of(&b, &k), v)).collect(),
        };
        let created = platform::commit(&b).map_err(StorageError)?;
        for (_, key, v) in &b.state {
            if let Some((part, k)) = key.split_once('/') {
                note_written(part, k, Some(v));
            }
        }
        note_keys(b.state.into_iter().map(|(_, k, _)| (k, true)));
        Ok(created)
    }
    fn progress(&mut self, kind: &str, done: u64, total: u64) {
        platform::progress(kind, done, total);
    }
    fn log(&mut self, level: Level, message: &str) {
        let l = match level {
            Level::Debug => platform::LogLevel::Debug,
            Level::Info => platform::LogLevel::Info,
            Level::Warn => platform::LogLevel::Warn,
            Level::Error => platform::LogLevel::Error,
        };
        platform::log(l, message);
    }
    fn read_ahead(&mut self, keys: &[(&str, String)]) -> Result<(), StorageError> {
        let keys = distinct(keys.iter().cloned());
        if keys.is_empty() {
            // Nothing to read: what the last page read ahead is let go all the same.
            AHEAD.with(|a| a.borrow_mut().clear());
            return Ok(());
        }
        let (name, bk) = bucket()?;
        let wanted: Vec<String> = keys.iter().map(|(b, k)| key_of(b, k)).collect();
        let found = kv_batch::get_many(&bk, &wanted).map_err(|e| {
            StorageError(format!("the host could not read {} keys of bucket `{name}`: {e:?}", wanted.len()))
        })?;
        // By the key each value comes back with, not by position: a missing
        // key is `none`, whatever order the host answers in.
        let mut by_key: std::collections::HashMap<String, Vec<u8>> = found.into_iter().flatten().collect();
        let values = wanted.iter().map(|k| by_key.remove(k)).collect();
        AHEAD.with(|a| a.borrow_mut().replace(&keys, values));
        Ok(())
    }
    fn get(&mut self, b: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        if let Some(v) = AHEAD.with(|a| a.borrow().get(b, key)) {
            return Ok(v);
        }
        let (name, bk) = bucket()?;
        bk.get(&key_of(b, key))
            .map_err(|e| StorageError(format!("the host could not read `{b}/{key}` of bucket `{name}`: {e:?}")))
    }
    fn set(&mut self, b: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        let full = key_of(b, key);
        bucket()?.1.set(&full, value).map_err(|e| StorageError(format!("{e:?}")))?;
        note_written(b, key, Some(value));
        note_keys([(full, true)]);
        Ok(())
    }
    fn delete(&mut self, b: &str, key: &str) -> Result<(), StorageError> {
        let full = key_of(b, key);
        bucket()?.1.delete(&full).map_err(|e| StorageError(format!("{e:?}")))?;
        note_written(b, key, None);
        note_keys([(full, false)]);
        Ok(())
    }
    fn keys(&mut self, b: &str) -> Result<Vec<String>, StorageError> {
        let (name, bk) = bucket()?;
        let prefix = key_of(b, "");
        if !KEPT_PARTS.contains(&b) {
            let mut keys: Vec<String> =
                list_all(&name, &bk)?.into_iter().filter_map(|k| k.strip_prefix(&prefix).map(str::to_string)).collect();
            keys.sort();
            return Ok(keys);
        }
        listing(&name, &bk)?;
        Ok(KEYS.with(|k| {
            k.borrow().as_ref().map_or_else(Vec::new, |listed| {
                listed
                    .range(prefix.clone()..)
                    .take_while(|key| key.starts_with(&prefix))
                    .map(|key| key[prefix.len()..].to_string())
                    .collect()
            })
        }))
    }
    fn now_rfc3339(&self) -> String {
        crate::time::rfc3339(WasiTransport.now_unix())
    }
}
