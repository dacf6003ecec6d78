//! The host imports (`platform`, `wasi:keyvalue`) as the core's `port::Host`.

use super::transport::WasiTransport;
use super::wasi::keyvalue::store as kv;
use super::woo::connector::platform;
use crate::client::Transport;
use crate::port::{self, Batch, Level, RecordKind, StorageError};
use std::cell::RefCell;
use std::rc::Rc;

/// The host, through the WIT imports.
pub struct WitHost;

thread_local! {
    /// Buckets opened once per instance: an open and a drop per read would be
    /// two more host calls each time.
    static BUCKETS: RefCell<Vec<(String, Rc<kv::Bucket>)>> = const { RefCell::new(Vec::new()) };
}

/// The bucket `name`, opened on first use.
fn bucket(name: &str) -> Result<Rc<kv::Bucket>, StorageError> {
    BUCKETS.with(|open| {
        let mut open = open.borrow_mut();
        if let Some((_, b)) = open.iter().find(|(n, _)| n == name) {
            return Ok(b.clone());
        }
        let b = Rc::new(
            kv::open(name).map_err(|e| StorageError(format!("the host could not open bucket `{name}`: {e:?}")))?,
        );
        open.push((name.to_string(), b.clone()));
        Ok(b)
    })
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
        let b = platform::Batch {
            records: batch
                .records
                .into_iter()
                .map(|r| platform::PlatformRecord { kind: record_kind(r.kind), id: r.id, body: r.body.to_string() })
                .collect(),
            triggers: batch
                .triggers
                .into_iter()
                .map(|t| platform::TriggerEvent {
                    name: t.name.to_string(),
                    subject_id: t.subject_id,
                    key: t.key,
                    contact_id: t.contact_id,
                    data: t.data.to_string(),
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
            state: batch.state,
        };
        platform::commit(&b).map_err(StorageError)
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
    fn get(&mut self, b: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        bucket(b)?.get(key).map_err(|e| StorageError(format!("the host could not read `{key}` of bucket `{b}`: {e:?}")))
    }
    fn set(&mut self, b: &str, key: &str, value: &[u8]) -> Result<(), StorageError> {
        bucket(b)?.set(key, value).map_err(|e| StorageError(format!("{e:?}")))
    }
    fn delete(&mut self, b: &str, key: &str) -> Result<(), StorageError> {
        bucket(b)?.delete(key).map_err(|e| StorageError(format!("{e:?}")))
    }
    fn keys(&mut self, b: &str) -> Result<Vec<String>, StorageError> {
        let bk = bucket(b)?;
        let mut out = vec![];
        let mut cursor = None;
        loop {
            // A page the host cannot list fails the whole listing: a partial
            // one would read as keys that are absent.
            let page = bk
                .list_keys(cursor)
                .map_err(|e| StorageError(format!("the host could not list bucket `{b}`: {e:?}")))?;
            out.extend(page.keys);
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }
    fn now_rfc3339(&self) -> String {
        crate::time::rfc3339(WasiTransport.now_unix())
    }
}
