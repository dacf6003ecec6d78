//! Storage behind two narrow seams, one backend per file ([`sqlite`], the
//! embedded default, and [`postgres`], shared by a fleet):
//!
//! * [`RecordStore`]: a connection's records, triggers and notifications
//!   (committed as the component's [`Batch`], all or nothing), the component's
//!   key-value state, and the credentials, sealed at rest ([`seal`]);
//! * [`LeaseScheduler`]: when each connection is next due, and the leases
//!   under which `woo worker` processes take turns on them.
//!
//! [`Storage`] is both, as every backend provides them over one database.

pub mod postgres;
pub mod seal;
mod shared;
pub mod sqlite;

pub use shared::Shared;

pub use crate::wit::platform::{Batch, Notification, PlatformRecord, RecordKind, TriggerEvent};

use anyhow::Result;
use std::time::Duration;

/// Open the database `db` names: a `postgres://` (or `postgresql://`) URL is
/// the PostgreSQL backend, anything else a SQLite file path.
pub fn open(db: &str) -> Result<Box<dyn Storage>> {
    Ok(if postgres::is_url(db) {
        Box::new(postgres::PostgresStorage::open(db)?)
    } else {
        Box::new(sqlite::SqliteStorage::open(std::path::Path::new(db))?)
    })
}

/// As [`open`], and a SQLite file is first checked whole (see
/// [`sqlite::SqliteStorage::open_checked`]); what each `woo` command uses.
pub fn open_checked(db: &str) -> Result<Box<dyn Storage>> {
    Ok(if postgres::is_url(db) {
        Box::new(postgres::PostgresStorage::open(db)?)
    } else {
        Box::new(sqlite::SqliteStorage::open_checked(std::path::Path::new(db))?)
    })
}

/// As [`open_checked`], but when the credential key cannot be used (lost, wrong,
/// exposed) the database still opens, its sealed credentials unreadable:
/// what `woo disconnect` needs to forget them.
pub fn open_to_forget_credentials(db: &str) -> Result<Box<dyn Storage>> {
    Ok(if postgres::is_url(db) {
        Box::new(postgres::PostgresStorage::open_to_forget_credentials(db)?)
    } else {
        Box::new(sqlite::SqliteStorage::open_to_forget_credentials(std::path::Path::new(db))?)
    })
}

/// Whether `e` (or what it wraps) is the credential key being unusable.
pub fn is_key_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<seal::KeyError>().is_some())
}

/// `db` as it may be printed: a PostgreSQL URL without its password.
pub fn display_name(db: &str) -> String {
    if postgres::is_url(db) { postgres::redacted(db) } else { db.to_string() }
}

/// A record as stored and read back: a platform record, a trigger or a
/// notification, its `kind` being the kind's name (see [`kind_name`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// `contact`, `order`, `transaction`, `product`, `collection`,
    /// `checkout`, `trigger` or `notification`.
    pub kind: String,
    /// Stable id, for example `woo:order:42`.
    pub id: String,
    /// The record as a JSON object.
    pub body: String,
}

/// The storage's name for a platform record kind: the `kind` column, and
/// what `woo export --kind` takes.
pub fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Contact => "contact",
        RecordKind::Order => "order",
        RecordKind::Transaction => "transaction",
        RecordKind::Product => "product",
        RecordKind::Collection => "collection",
        RecordKind::Checkout => "checkout",
    }
}

/// The bucket whose values are credentials: kept in a table of its own,
/// never exported.
pub const CREDENTIALS_BUCKET: &str = "credentials";

/// A worker's hold on one connection: while it is unexpired no other worker
/// can claim the connection, and commits made under it (see
/// [`RecordStore::fence`]) fail once it is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The connection held.
    pub connection: String,
    /// The worker holding it.
    pub worker: String,
    /// New for every claim, so a lost lease cannot be renewed or released.
    pub token: String,
}

/// A connection's place in the workers' schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    /// The connection's name.
    pub connection: String,
    /// Milliseconds since the epoch on the database's clock.
    pub next_due_ms: i64,
    /// The worker holding an unexpired lease, if any.
    pub held_by: Option<String>,
    /// When the last pass ended (database clock), if one did.
    pub last_pass_ms: Option<i64>,
    /// The last pass's error, if it failed.
    pub last_error: Option<String>,
}

/// One line of the lease log (claims, renewals, releases), times on the
/// database's clock: what the fleet tests check for overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseEvent {
    /// The connection leased.
    pub connection: String,
    /// The worker acting.
    pub worker: String,
    /// The lease's token.
    pub token: String,
    /// `claim`, `renew` or `release`.
    pub event: String,
    /// When it happened.
    pub at_ms: i64,
    /// When the lease runs out, as of this event (a release ends it at `at_ms`).
    pub expires_ms: i64,
}

/// A connection's records and state, per connection name.
pub trait RecordStore: Send {
    /// Store a batch in one transaction: records upserted by (kind, id),
    /// triggers inserted once, notifications queued, state written. Returns
    /// one flag per record: `true` when it was new.
    fn commit(&mut self, connection: &str, batch: &Batch) -> Result<Vec<bool>>;
    /// The value of `key` in `bucket`, if any.
    fn kv_get(&mut self, connection: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>>;
    /// The values of many (bucket, key)s, in their order: a page's state in
    /// one call (the component's `get-many`). One by one unless a storage
    /// can do better.
    fn kv_get_many(&mut self, connection: &str, keys: &[(String, String)]) -> Result<Vec<Option<Vec<u8>>>> {
        keys.iter().map(|(b, k)| self.kv_get(connection, b, k)).collect()
    }
    /// Set `key` in `bucket`.
    fn kv_set(&mut self, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()>;
    /// Remove `key` from `bucket` (nothing happens if it is absent).
    fn kv_delete(&mut self, connection: &str, bucket: &str, key: &str) -> Result<()>;
    /// The keys of `bucket`, in byte order.
    fn kv_keys(&mut self, connection: &str, bucket: &str) -> Result<Vec<String>>;
    /// Every (bucket, key) of the connection, credentials included, in one
    /// query: the component's one bucket lists them all (runtime/keyvalue.rs).
    fn kv_all_keys(&mut self, connection: &str) -> Result<Vec<(String, String)>>;
    /// Records sorted by kind then id, optionally of one kind.
    fn records(&mut self, connection: &str, kind: Option<&str>) -> Result<Vec<StoredRecord>>;
    /// Record count per kind.
    fn counts(&mut self, connection: &str) -> Result<Vec<(String, u64)>>;
    /// Every commit from now on checks, in its transaction, that `lease` is
    /// still held and fails if it is not, so a worker that lost its lease
    /// cannot write over the one that took it.
    fn fence(&mut self, lease: Option<Lease>);
    /// From now on, a commit returns only once it is on disk and would
    /// survive a power loss (what `woo serve` needs before answering 200).
    fn sync_every_commit(&mut self) -> Result<()>;
    /// The backend's durability setting for this connection, as it reports
    /// it (`synchronous=FULL`, `synchronous_commit=on` …).
    fn commit_durability(&mut self) -> Result<String>;
    /// A number that changes whenever another connection to the database
    /// has committed since this one last looked (SQLite's `data_version`),
    /// or `None` when the backend cannot tell cheaply: a process that keeps an
    /// instance between calls may then skip re-reading what nobody changed.
    fn others_version(&mut self) -> Result<Option<i64>> {
        Ok(None)
    }
}

/// The workers' schedule: when each connection is next due, and who holds it.
pub trait LeaseScheduler: Send {
    /// The connections this database knows: scheduled ones and any with saved
    /// connection facts, sorted by name.
    fn connections(&mut self) -> Result<Vec<ScheduleRow>>;
    /// Put `connection` in the workers' schedule, due now (kept if present
    /// unless `due_now`).
    fn schedule(&mut self, connection: &str, due_now: bool) -> Result<()>;
    /// Take it out of the schedule (disconnect).
    fn unschedule(&mut self, connection: &str) -> Result<()>;
    /// The database's clock, in milliseconds since the epoch.
    fn now_ms(&mut self) -> Result<i64>;
    /// Claim the most overdue connection due at or before `cutoff_ms`
    /// (default: now) that no unexpired lease holds, for `lease`.
    fn claim(&mut self, worker: &str, cutoff_ms: Option<i64>, lease: Duration) -> Result<Option<Lease>>;
    /// Extend a lease still held; `false` when it was lost (expired and
    /// possibly taken by another worker).
    fn renew(&mut self, lease: &Lease, duration: Duration) -> Result<bool>;
    /// Give a lease back, setting the next due time to now + `next_in` (or
    /// leaving it as it is) and the outcome of the pass.
    fn release(&mut self, lease: &Lease, next_in: Option<Duration>, error: Option<&str>) -> Result<()>;
    /// How many connections are due at or before `cutoff_ms`, leased or not.
    fn due_count(&mut self, cutoff_ms: i64) -> Result<u64>;
    /// The lease log, oldest first.
    fn lease_log(&mut self) -> Result<Vec<LeaseEvent>>;
}

/// A whole backend: records and schedule in one database.
pub trait Storage: RecordStore + LeaseScheduler {}

impl<T: RecordStore + LeaseScheduler> Storage for T {}

/// The error a fenced commit fails with once its lease is gone.
pub const LEASE_LOST: &str = "the worker's lease on this connection was lost";

/// What binds a sealed credential to its row: a sealed value moved to
/// another connection or key does not open.
pub fn credential_aad(connection: &str, key: &str) -> String {
    format!("{connection}/{key}")
}

/// A fresh lease token.
pub fn new_token() -> String {
    format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>())
}

/// Milliseconds of a duration, saturating.
pub fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The JSON body of a trigger record: `trigger`, then `order_id` for an
/// order's triggers or `subject_id` for the others (the customer, product or
/// variation), `contact_id`, `time`, and the trigger's own fields (`from`,
/// `to`, `amount` …), which never replace those. `order_submitted` and
/// `payment_received` keep the shape they always had.
pub fn trigger_body(t: &TriggerEvent) -> String {
    let mut body = match serde_json::from_str::<serde_json::Value>(&t.data) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    body.insert("kind".into(), "trigger".into());
    body.insert("id".into(), trigger_id(t).into());
    body.insert("trigger".into(), t.name.clone().into());
    if t.subject_id.starts_with("woo:order:") {
        body.insert("order_id".into(), t.subject_id.clone().into());
    } else {
        body.insert("subject_id".into(), t.subject_id.clone().into());
    }
    body.insert("contact_id".into(), t.contact_id.clone().into());
    body.insert("time".into(), t.time.clone().into());
    serde_json::Value::Object(body).to_string()
}

/// `woo:trigger:<name>:<subject number>`, then `:<key>` when the trigger has
/// one: one record per trigger and subject (and key), ever. The subject
/// number is what follows `woo:<kind>:` (`42` of `woo:order:42`).
pub fn trigger_id(t: &TriggerEvent) -> String {
    let number = t.subject_id.splitn(3, ':').nth(2).unwrap_or(&t.subject_id);
    if t.key.is_empty() {
        format!("woo:trigger:{}:{number}", t.name)
    } else {
        format!("woo:trigger:{}:{number}:{}", t.name, t.key)
    }
}

/// The JSON body of the `n`th notification of a connection.
pub fn notification_body(n: &Notification, seq: i64) -> (String, String) {
    let id = format!("woo:notification:{seq}");
    let body = serde_json::json!({
        "kind": "notification", "id": id, "notification": n.topic,
        "recipient": n.recipient, "subject": n.subject, "body": n.body,
    });
    (id, body.to_string())
}

#[cfg(test)]
mod suite;
