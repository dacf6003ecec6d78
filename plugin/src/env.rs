//! What the component needs from its host besides HTTP: the platform's record
//! sink and the key-value state. `lib.rs` implements it over the WIT imports;
//! tests implement it in memory.

use crate::mapping::Record;

/// A trigger for the platform's automations.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub name: &'static str,
    pub order_id: String,
    pub contact_id: Option<String>,
    pub time: String,
}

/// A message for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub topic: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// Records, triggers, notifications and state stored all or nothing.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    pub records: Vec<Record>,
    pub triggers: Vec<Trigger>,
    pub notifications: Vec<Notification>,
    pub state: Vec<(String, String, Vec<u8>)>,
}

impl Batch {
    pub fn set_state(&mut self, bucket: &str, key: &str, value: impl Into<Vec<u8>>) {
        self.state.push((bucket.to_string(), key.to_string(), value.into()));
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.triggers.is_empty() && self.notifications.is_empty() && self.state.is_empty()
    }
}

/// Log severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

/// The host, as the component's logic sees it.
pub trait Host {
    /// Store a batch all or nothing; one `created` flag per record.
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, String>;
    fn progress(&mut self, kind: &str, done: u64, total: u64);
    fn log(&mut self, level: Level, message: &str);
    fn get(&mut self, bucket: &str, key: &str) -> Option<Vec<u8>>;
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), String>;
    fn delete(&mut self, bucket: &str, key: &str) -> Result<(), String>;
    /// Every key of a bucket.
    fn keys(&mut self, bucket: &str) -> Vec<String>;
    /// RFC 3339 UTC now.
    fn now_rfc3339(&self) -> String;
}

/// State buckets.
pub mod bucket {
    /// Credentials: the host keeps this bucket apart from everything else.
    pub const CREDENTIALS: &str = "credentials";
    /// The connection's public facts (URL, state, version).
    pub const CONNECTION: &str = "connection";
    /// Import checkpoints and sync cursors.
    pub const CURSORS: &str = "cursors";
    /// Email → contact id, so guests link to existing contacts.
    pub const EMAILS: &str = "emails";
    /// Products ever imported: id → `date_modified_gmt` last applied.
    pub const PRODUCTS: &str = "products";
    /// Orders seen: id → `p|u:<date_modified_gmt>` (paid or unpaid when last applied).
    pub const ORDERS: &str = "orders";
    /// Lower-cased SKU → the first product or variation record that has it.
    pub const SKUS: &str = "skus";
    /// Ids of categories linked to imported products.
    pub const LINKED_CATEGORIES: &str = "linked-categories";
}

#[cfg(any(test, feature = "testing"))]
pub mod memory {
    //! An in-memory host for native tests.
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Default)]
    pub struct MemoryHost {
        pub records: BTreeMap<(String, String), serde_json::Value>,
        pub triggers: BTreeMap<String, Trigger>,
        pub notifications: Vec<Notification>,
        pub kv: BTreeMap<(String, String), Vec<u8>>,
        pub logs: Vec<String>,
        pub commits: usize,
        /// Fail the commit with this number (1-based) to simulate a crash.
        pub fail_commit: Option<usize>,
    }

    impl Host for MemoryHost {
        fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, String> {
            self.commits += 1;
            if self.fail_commit == Some(self.commits) {
                return Err("simulated crash".into());
            }
            let mut created = vec![];
            for r in batch.records {
                created.push(self.records.insert((r.kind.to_string(), r.id), r.body).is_none());
            }
            for t in batch.triggers {
                let id = format!("woo:trigger:{}:{}", t.name, t.order_id.trim_start_matches("woo:order:"));
                self.triggers.entry(id).or_insert(t);
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
        fn get(&mut self, bucket: &str, key: &str) -> Option<Vec<u8>> {
            self.kv.get(&(bucket.to_string(), key.to_string())).cloned()
        }
        fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), String> {
            self.kv.insert((bucket.to_string(), key.to_string()), value.to_vec());
            Ok(())
        }
        fn delete(&mut self, bucket: &str, key: &str) -> Result<(), String> {
            self.kv.remove(&(bucket.to_string(), key.to_string()));
            Ok(())
        }
        fn keys(&mut self, bucket: &str) -> Vec<String> {
            self.kv.keys().filter(|(b, _)| b == bucket).map(|(_, k)| k.clone()).collect()
        }
        fn now_rfc3339(&self) -> String {
            "2025-03-01T09:00:00Z".into()
        }
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The (year, month, day) of a count of days since 1970-01-01 (proleptic
/// Gregorian, Howard Hinnant's civil-from-days).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}
