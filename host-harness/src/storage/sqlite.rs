//! The SQLite backend (embedded default): WAL, one transaction per batch, the
//! database file created owner-only.

use super::seal::Sealer;
use super::{CREDENTIALS_BUCKET, CommitBatch, Storage, StoredRecord};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

pub struct SqliteStorage {
    db: Connection,
    /// Seals the `credentials` table (see `seal.rs`).
    sealer: Sealer,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    connection TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (connection, kind, id));
CREATE TABLE IF NOT EXISTS state (
    connection TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (connection, bucket, key));
CREATE TABLE IF NOT EXISTS credentials (
    connection TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (connection, key));
";

impl SqliteStorage {
    /// Open (or create, owner-only) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            create_private(path).with_context(|| format!("creating {}", path.display()))?;
        }
        let db = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.execute_batch(SCHEMA)?;
        Ok(SqliteStorage { db, sealer: Sealer::for_database(path)? })
    }

    /// An in-memory database (tests, the simulator-only demo).
    pub fn memory() -> Result<Self> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(SCHEMA)?;
        Ok(SqliteStorage { db, sealer: Sealer::ephemeral() })
    }
}

/// What binds a sealed credential to its row.
fn aad(connection: &str, key: &str) -> String {
    format!("{connection}/{key}")
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map(|_| ())
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<()> {
    std::fs::File::create(path).map(|_| ())
}

fn trigger_body(t: &super::TriggerIn) -> String {
    serde_json::json!({
        "kind": "trigger",
        "id": trigger_id(t),
        "trigger": t.name,
        "order_id": t.order_id,
        "contact_id": t.contact_id,
        "time": t.time,
    })
    .to_string()
}

fn trigger_id(t: &super::TriggerIn) -> String {
    format!("woo:trigger:{}:{}", t.name, t.order_id.trim_start_matches("woo:order:"))
}

impl Storage for SqliteStorage {
    fn commit(&mut self, connection: &str, batch: &CommitBatch) -> Result<Vec<bool>> {
        let tx = self.db.transaction()?;
        let mut created = Vec::with_capacity(batch.records.len());
        {
            let mut exists = tx.prepare_cached("SELECT 1 FROM records WHERE connection = ?1 AND kind = ?2 AND id = ?3")?;
            let mut up = tx.prepare_cached(
                "INSERT INTO records (connection, kind, id, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (connection, kind, id) DO UPDATE SET body = excluded.body,
                 updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
            )?;
            for r in &batch.records {
                created.push(!exists.exists(params![connection, r.kind, r.id])?);
                up.execute(params![connection, r.kind, r.id, r.body])?;
            }
            let mut once = tx.prepare_cached(
                "INSERT INTO records (connection, kind, id, body) VALUES (?1, 'trigger', ?2, ?3)
                 ON CONFLICT (connection, kind, id) DO NOTHING",
            )?;
            for t in &batch.triggers {
                once.execute(params![connection, trigger_id(t), trigger_body(t)])?;
            }
            for n in &batch.notifications {
                let count: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM records WHERE connection = ?1 AND kind = 'notification'",
                    params![connection],
                    |r| r.get(0),
                )?;
                let id = format!("woo:notification:{}", count + 1);
                let body = serde_json::json!({
                    "kind": "notification", "id": id, "notification": n.topic,
                    "recipient": n.recipient, "subject": n.subject, "body": n.body,
                });
                tx.execute(
                    "INSERT INTO records (connection, kind, id, body) VALUES (?1, 'notification', ?2, ?3)",
                    params![connection, id, body.to_string()],
                )?;
            }
            for (bucket, key, value) in &batch.state {
                set(&tx, &self.sealer, connection, bucket, key, value)?;
            }
        }
        tx.commit()?;
        Ok(created)
    }

    fn kv_get(&mut self, connection: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let v = if bucket == CREDENTIALS_BUCKET {
            let sealed: Option<Vec<u8>> = self
                .db
                .query_row("SELECT value FROM credentials WHERE connection = ?1 AND key = ?2", params![connection, key], |r| r.get(0))
                .optional()?;
            sealed.map(|s| self.sealer.open(&aad(connection, key), &s)).transpose()?
        } else {
            self.db
                .query_row(
                    "SELECT value FROM state WHERE connection = ?1 AND bucket = ?2 AND key = ?3",
                    params![connection, bucket, key],
                    |r| r.get(0),
                )
                .optional()?
        };
        Ok(v)
    }

    fn kv_set(&mut self, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        set(&self.db, &self.sealer, connection, bucket, key, value)
    }

    fn kv_delete(&mut self, connection: &str, bucket: &str, key: &str) -> Result<()> {
        if bucket == CREDENTIALS_BUCKET {
            self.db.execute("DELETE FROM credentials WHERE connection = ?1 AND key = ?2", params![connection, key])?;
        } else {
            self.db.execute(
                "DELETE FROM state WHERE connection = ?1 AND bucket = ?2 AND key = ?3",
                params![connection, bucket, key],
            )?;
        }
        Ok(())
    }

    fn kv_keys(&mut self, connection: &str, bucket: &str) -> Result<Vec<String>> {
        let (sql, args): (&str, Vec<&str>) = if bucket == CREDENTIALS_BUCKET {
            ("SELECT key FROM credentials WHERE connection = ?1 ORDER BY key", vec![connection])
        } else {
            ("SELECT key FROM state WHERE connection = ?1 AND bucket = ?2 ORDER BY key", vec![connection, bucket])
        };
        let mut st = self.db.prepare(sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn records(&mut self, connection: &str, kind: Option<&str>) -> Result<Vec<StoredRecord>> {
        let mut st = self.db.prepare(
            "SELECT kind, id, body FROM records WHERE connection = ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY kind, id",
        )?;
        let rows = st.query_map(params![connection, kind], |r| {
            Ok(StoredRecord { kind: r.get(0)?, id: r.get(1)?, body: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn counts(&mut self, connection: &str) -> Result<Vec<(String, u64)>> {
        let mut st = self.db.prepare("SELECT kind, COUNT(*) FROM records WHERE connection = ?1 GROUP BY kind ORDER BY kind")?;
        let rows = st.query_map(params![connection], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn set(db: &Connection, sealer: &Sealer, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
    if bucket == CREDENTIALS_BUCKET {
        db.execute(
            "INSERT INTO credentials (connection, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (connection, key) DO UPDATE SET value = excluded.value",
            params![connection, key, sealer.seal(&aad(connection, key), value)?],
        )?;
    } else {
        db.execute(
            "INSERT INTO state (connection, bucket, key, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (connection, bucket, key) DO UPDATE SET value = excluded.value",
            params![connection, bucket, key, value],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{NotificationIn, TriggerIn};

    #[test]
    fn records_upsert_by_kind_and_id_and_triggers_fire_once() {
        let mut s = SqliteStorage::memory().unwrap();
        let rec = |body: &str| StoredRecord { kind: "order".into(), id: "woo:order:1".into(), body: body.into() };
        let trig = TriggerIn { name: "order_submitted".into(), order_id: "woo:order:1".into(), contact_id: None, time: "t1".into() };
        let b = CommitBatch { records: vec![rec("{\"v\":1}")], triggers: vec![trig.clone()], ..Default::default() };
        s.commit("default", &b).unwrap();
        let mut trig2 = trig;
        trig2.time = "t2".into();
        let b = CommitBatch { records: vec![rec("{\"v\":2}")], triggers: vec![trig2], ..Default::default() };
        s.commit("default", &b).unwrap();
        let all = s.records("default", None).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].body, "{\"v\":2}");
        assert!(all[1].body.contains("\"t1\""), "the first firing is kept");
    }

    #[test]
    fn credentials_bucket_is_kept_apart_from_state() {
        let mut s = SqliteStorage::memory().unwrap();
        s.kv_set("default", CREDENTIALS_BUCKET, "store", b"secret").unwrap();
        s.kv_set("default", "cursors", "x", b"1").unwrap();
        let n: i64 = s.db.query_row("SELECT COUNT(*) FROM state WHERE value = 'secret'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
        let stored: Vec<u8> = s.db.query_row("SELECT value FROM credentials", [], |r| r.get(0)).unwrap();
        assert!(!stored.windows(6).any(|w| w == b"secret"), "sealed at rest");
        assert_eq!(s.kv_get("default", CREDENTIALS_BUCKET, "store").unwrap().unwrap(), b"secret");
        assert_eq!(s.kv_keys("default", "cursors").unwrap(), ["x"]);
    }

    #[test]
    fn notifications_get_sequential_ids() {
        let mut s = SqliteStorage::memory().unwrap();
        let n = NotificationIn { topic: "reconnect_required".into(), recipient: "o@x".into(), subject: "s".into(), body: "b".into() };
        s.commit("default", &CommitBatch { notifications: vec![n.clone()], ..Default::default() }).unwrap();
        s.commit("default", &CommitBatch { notifications: vec![n], ..Default::default() }).unwrap();
        let ids: Vec<String> = s.records("default", Some("notification")).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["woo:notification:1", "woo:notification:2"]);
    }
}
