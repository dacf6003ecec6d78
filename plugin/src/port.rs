//! The port: what the component needs from its host besides HTTP, as plain
//! Rust. The platform's record sink, its trigger and notification queue,
//! progress and logging, and the key-value state. The wasm edge implements
//! [`Host`] over the WIT imports; `memory::MemoryHost` implements it in
//! memory for native tests.

use serde_json::{Value, json};

/// What a platform record is (WIT `platform.record-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    /// A person who buys: a registered customer or a guest buyer.
    Contact,
    /// An order.
    Order,
    /// A payment or a refund of an order.
    Transaction,
    /// A product (its variations are its variants).
    Product,
    /// A product category.
    Collection,
    /// A checkout: a `checkout-draft` order (a shopper's saved cart).
    Checkout,
}

impl RecordKind {
    /// The kind's name, as the platform and the record body write it.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Order => "order",
            RecordKind::Transaction => "transaction",
            RecordKind::Product => "product",
            RecordKind::Collection => "collection",
            RecordKind::Checkout => "checkout",
        }
    }
}

/// A platform record ready for the sink, upserted by (`kind`, `id`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What the record is.
    pub kind: RecordKind,
    /// Stable across passes, for example `woo:order:42`.
    pub id: String,
    /// The record as a JSON object.
    pub body: Value,
}

impl Record {
    /// A record whose body carries its own kind and id too, so a body read
    /// alone says what it is.
    pub fn new(kind: RecordKind, id: String, mut body: Value) -> Record {
        if let Value::Object(m) = &mut body {
            m.insert("kind".into(), json!(kind.name()));
            m.insert("id".into(), json!(id.clone()));
        }
        Record { kind, id, body }
    }
}

/// A trigger for the platform's automations. The host stores each under
/// [`Trigger::id`] and fires an id once, ever.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    /// What happened: one of the names in `sync::triggers`
    /// (`order_submitted`, `payment_received`, `order_status_changed`,
    /// `order_refunded`, `customer_created`, `product_out_of_stock`,
    /// `checkout_abandoned`).
    pub name: &'static str,
    /// The record it is about: `woo:order:<id>`, `woo:customer:<id>`,
    /// `woo:product:<id>`, `woo:variation:<id>` or `woo:checkout:<id>`.
    pub subject_id: String,
    /// What makes one firing once-only besides the name and the subject
    /// (a status change's statuses and version, a refund id, a stock
    /// version); empty for the triggers that fire once per subject.
    pub key: String,
    /// The buyer's or customer's contact id, when there is one.
    pub contact_id: Option<String>,
    /// The trigger's own fields, as a JSON object (`{}` when none):
    /// `from`/`to`, `amount` …
    pub data: Value,
    /// When it fired (RFC 3339, UTC).
    pub time: String,
}

impl Trigger {
    /// Where the host stores it: `woo:trigger:<name>:<subject number>`, then
    /// `:<key>` when there is one (product and variation numbers never
    /// collide: both are WordPress post ids).
    pub fn id(&self) -> String {
        trigger_id(self.name, &self.subject_id, &self.key)
    }
}

/// `woo:trigger:<name>:<number of subject>[:<key>]`: the subject's number is
/// what follows `woo:<kind>:` in its record id.
pub fn trigger_id(name: &str, subject_id: &str, key: &str) -> String {
    let number = subject_id.splitn(3, ':').nth(2).unwrap_or(subject_id);
    if key.is_empty() { format!("woo:trigger:{name}:{number}") } else { format!("woo:trigger:{name}:{number}:{key}") }
}

/// A message for a person (the connection's owner).
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// What it is about, for example `reconnect_required`.
    pub topic: String,
    /// The e-mail address of the person it is for.
    pub recipient: String,
    /// One line.
    pub subject: String,
    /// Plain text.
    pub body: String,
}

/// Records, triggers, notifications and state, stored all or nothing: a
/// page's records and its checkpoint go in one batch, so a pass cut anywhere
/// resumes without losing or doubling anything.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    /// Records to upsert.
    pub records: Vec<Record>,
    /// Triggers to fire (the host fires each [`Trigger::id`] once).
    pub triggers: Vec<Trigger>,
    /// Notifications to queue.
    pub notifications: Vec<Notification>,
    /// Key-value writes: (bucket, key, value).
    pub state: Vec<(String, String, Vec<u8>)>,
}

impl Batch {
    /// Add a key-value write to the batch.
    pub fn set_state(&mut self, bucket: &str, key: &str, value: impl Into<Vec<u8>>) {
        self.state.push((bucket.to_string(), key.to_string(), value.into()));
    }

    /// Whether the batch holds nothing to store.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.triggers.is_empty() && self.notifications.is_empty() && self.state.is_empty()
    }
}

/// Log severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Detail for the developer.
    Debug,
    /// What the connector did.
    Info,
    /// Something the operator should look at; the work went on.
    Warn,
    /// Something failed.
    Error,
}

/// The host could not store or change the connector's state; nothing of the
/// write was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The host, as the component's logic sees it.
pub trait Host {
    /// Store a batch all or nothing; one `created` flag per record.
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, StorageError>;
    /// Report how far a long pass is (`kind` is what is being read).
    fn progress(&mut self, kind: &str, done: u64, total: u64);
    /// A line for the operator; never carries a credential.
    fn log(&mut self, level: Level, message: &str);
    /// Read these keys now, in one host call where the host can, because
    /// the reads that follow ask for them (a page's worth; see
    /// [`read_ahead`]). Only a hint: a host that cannot read many keys at
    /// once does nothing, and each `get` reads its key as before.
    fn read_ahead(&mut self, keys: &[(&str, String)]) -> Result<(), StorageError> {
        let _ = keys;
        Ok(())
    }
    /// A key's value (`None` when the key is absent). A key the host cannot
    /// read is an error, never absent: read as absent, a lost `import:running`
    /// would restart an import and a lost seen-delivery row would apply a
    /// webhook twice.
    fn get(&mut self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    /// Write one key.
    fn set(&mut self, bucket: &str, key: &str, value: &[u8]) -> Result<(), StorageError>;
    /// Remove one key.
    fn delete(&mut self, bucket: &str, key: &str) -> Result<(), StorageError>;
    /// Every key of a bucket; an error when the host cannot list them all.
    fn keys(&mut self, bucket: &str) -> Result<Vec<String>, StorageError>;
    /// RFC 3339 UTC now.
    fn now_rfc3339(&self) -> String;

    /// A key's value as text (invalid UTF-8 replaced), `None` when absent.
    fn text(&mut self, bucket: &str, key: &str) -> Result<Option<String>, StorageError> {
        Ok(self.get(bucket, key)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}

/// The state buckets.
pub mod bucket {
    /// Credentials: the host keeps this bucket apart from everything else.
    pub const CREDENTIALS: &str = "credentials";
    /// The connection's public facts (URL, state, version) and settings.
    pub const CONNECTION: &str = "connection";
    /// Import checkpoints and sync cursors.
    pub const CURSORS: &str = "cursors";
    /// Email → contact id, so guests link to existing contacts.
    pub const EMAILS: &str = "emails";
    /// Products ever imported: id → `date_modified_gmt` last applied.
    pub const PRODUCTS: &str = "products";
    /// Customers seen: id → `date_modified_gmt` last applied (or last read,
    /// for a role that is not synced), which the reconciliation sweep
    /// compares with the store's.
    pub const CUSTOMERS: &str = "customers";
    /// Orders seen: id → what was last applied of each (see
    /// `sync::triggers::OrderState`: paid or not, version, status, refunds).
    pub const ORDERS: &str = "orders";
    /// Stock of the products and variants applied: `product:<id>` /
    /// `variation:<id>` → `in:<date_modified_gmt>` or `out:<…>` (the
    /// version last seen in or out of stock).
    pub const STOCK: &str = "stock";
    /// Lower-cased SKU → the first product or variation record that has it.
    pub const SKUS: &str = "skus";
    /// Ids of categories linked to imported products.
    pub const LINKED_CATEGORIES: &str = "linked-categories";
    /// Checkouts seen: order id → `<state>|<date_modified_gmt>`, the state
    /// being `open`, `abandoned` (its trigger fired, or it was past the
    /// time already when first seen), `converted` (it became an order) or
    /// `closed` (no longer a draft, not seen as an order).
    pub const CHECKOUTS: &str = "checkouts";
    /// The open checkouts only: order id → `date_modified_gmt`, what each
    /// pass checks for abandonment (a key outlives its checkout's closing by
    /// at most one pass).
    pub const CHECKOUTS_OPEN: &str = "checkouts-open";
}

#[cfg(any(test, feature = "testing"))]
pub mod memory;
pub mod read_ahead;
