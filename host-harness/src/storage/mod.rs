//! Storage behind one narrow seam: records, triggers, notifications, the
//! component's key-value state and the credentials. SQLite is the embedded
//! default; a PostgreSQL backend slots in beside it.

pub mod seal;
pub mod sqlite;

use anyhow::Result;

/// A platform record.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub kind: String,
    pub id: String,
    pub body: String,
}

/// A trigger as the component hands it over.
#[derive(Debug, Clone, PartialEq)]
pub struct TriggerIn {
    pub name: String,
    pub order_id: String,
    pub contact_id: Option<String>,
    pub time: String,
}

/// A notification to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationIn {
    pub topic: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// One all-or-nothing unit.
#[derive(Debug, Clone, Default)]
pub struct CommitBatch {
    pub records: Vec<StoredRecord>,
    pub triggers: Vec<TriggerIn>,
    pub notifications: Vec<NotificationIn>,
    pub state: Vec<(String, String, Vec<u8>)>,
}

/// The bucket whose values are credentials: kept in a table of its own,
/// never exported.
pub const CREDENTIALS_BUCKET: &str = "credentials";

/// What every backend provides, per connection name.
pub trait Storage: Send {
    /// Store a batch in one transaction: records upserted by (kind, id),
    /// triggers inserted once, notifications queued, state written. Returns
    /// one flag per record: `true` when it was new.
    fn commit(&mut self, connection: &str, batch: &CommitBatch) -> Result<Vec<bool>>;
    fn kv_get(&mut self, connection: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>>;
    fn kv_set(&mut self, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()>;
    fn kv_delete(&mut self, connection: &str, bucket: &str, key: &str) -> Result<()>;
    fn kv_keys(&mut self, connection: &str, bucket: &str) -> Result<Vec<String>>;
    /// Records sorted by kind then id, optionally of one kind.
    fn records(&mut self, connection: &str, kind: Option<&str>) -> Result<Vec<StoredRecord>>;
    /// Record count per kind.
    fn counts(&mut self, connection: &str) -> Result<Vec<(String, u64)>>;
}
