//! The SQLite backend (embedded default): WAL, one transaction per batch, the
//! database file created owner-only.

mod schedule;

use super::seal::{KeyError, Sealer};
use super::{
    Batch, CREDENTIALS_BUCKET, LEASE_LOST, Lease, RecordStore, StoredRecord, credential_aad, kind_name, millis,
    notification_body, trigger_body, trigger_id,
};
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// A SQLite database file (or an in-memory one).
pub struct SqliteStorage {
    db: Connection,
    /// Seals the `credentials` table (see `seal.rs`).
    sealer: Sealer,
    /// Commits check this lease (see `Storage::fence`).
    fence: Option<Lease>,
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
CREATE TABLE IF NOT EXISTS schedule (
    connection TEXT PRIMARY KEY, next_due_ms INTEGER NOT NULL,
    lease_holder TEXT, lease_token TEXT, lease_expires_ms INTEGER,
    last_pass_ms INTEGER, last_error TEXT);
CREATE TABLE IF NOT EXISTS lease_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, connection TEXT NOT NULL, worker TEXT NOT NULL,
    token TEXT NOT NULL, event TEXT NOT NULL, at_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
";

/// The host's clock: one SQLite file is one machine.
fn clock_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(millis).unwrap_or(0)
}

impl SqliteStorage {
    /// Open (or create, owner-only) the database at `path`. Fails when the
    /// file is not a sound SQLite database, and with a
    /// [`KeyError`] when its sealed credentials cannot
    /// be opened (lost or wrong key, key file readable by others).
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_keyed(path, false, false)
    }

    /// As `open`, and first check the whole file (`PRAGMA quick_check`,
    /// about 0.15 s per 170 MB when cached): what every `woo` command does,
    /// so a damaged database fails it whatever pages it would have read.
    pub fn open_checked(path: &Path) -> Result<Self> {
        Self::open_keyed(path, false, true)
    }

    /// As `open`, but a credential key that cannot be used leaves the
    /// credentials sealed and unreadable instead of failing, so that they can
    /// be forgotten (`woo disconnect`).
    pub fn open_to_forget_credentials(path: &Path) -> Result<Self> {
        Self::open_keyed(path, true, true)
    }

    /// As `open`, with the given sealing key (tests whose `woo` processes
    /// get it as `WOO_SECRET_KEY`).
    pub fn open_with(path: &Path, sealer: Sealer) -> Result<Self> {
        let mut s = Self::open_to_forget_credentials(path)?;
        if let Some((connection, key, value)) =
            s.db.query_row("SELECT connection, key, value FROM credentials LIMIT 1", [], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Vec<u8>>(2)?))
            })
            .optional()?
        {
            sealer.verify(&credential_aad(&connection, &key), &value)?;
        }
        s.sealer = sealer;
        Ok(s)
    }

    fn open_keyed(path: &Path, tolerate_lost_key: bool, check_whole_file: bool) -> Result<Self> {
        if !path.exists() {
            create_private(path).with_context(|| format!("creating {}", path.display()))?;
        }
        let shown = path.display();
        let db = Connection::open(path).with_context(|| format!("opening {shown}"))?;
        db.pragma_update(None, "journal_mode", "WAL")
            .with_context(|| format!("opening {shown}: is it a woo database?"))?;
        db.pragma_update(None, "synchronous", "NORMAL")?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.execute_batch(SCHEMA).with_context(|| format!("opening {shown}: is it a woo database?"))?;
        if check_whole_file {
            check_integrity(&db).with_context(|| {
                format!("{shown} is damaged: restore it from a backup, or start a new database and connect again")
            })?;
        }
        // One sealed value, read now: the key must open it (and reading it
        // touches the credentials table, so a damaged file fails here).
        let sealed: Option<(String, String, Vec<u8>)> = db
            .query_row("SELECT connection, key, value FROM credentials LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .with_context(|| format!("reading {shown}: the database is damaged"))?;
        let keyed = Sealer::for_database(path, sealed.is_some()).and_then(|sealer| {
            if let Some((connection, key, value)) = &sealed {
                sealer.verify(&credential_aad(connection, key), value)?;
            }
            Ok(sealer)
        });
        let sealer = match keyed {
            Ok(s) => s,
            Err(e) if tolerate_lost_key => match e.downcast_ref::<KeyError>() {
                Some(k) => Sealer::without_key(k),
                None => return Err(e),
            },
            Err(e) => return Err(e),
        };
        Ok(SqliteStorage { db, sealer, fence: None })
    }

    /// An in-memory database (tests, the simulator-only demo).
    pub fn memory() -> Result<Self> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(SCHEMA)?;
        Ok(SqliteStorage { db, sealer: Sealer::ephemeral(), fence: None })
    }
}

/// SQLite's structural check of every page (not the slower cross-check of
/// indexes against tables that `integrity_check` adds).
fn check_integrity(db: &Connection) -> Result<()> {
    let mut st = db.prepare("PRAGMA quick_check(3)")?;
    let found: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    anyhow::ensure!(found.len() == 1 && found[0] == "ok", "SQLite quick_check: {}", found.join("; "));
    Ok(())
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

impl RecordStore for SqliteStorage {
    fn commit(&mut self, connection: &str, batch: &Batch) -> Result<Vec<bool>> {
        let tx = self.db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(lease) = &self.fence {
            let held: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM schedule WHERE connection = ?1 AND lease_token = ?2 AND lease_expires_ms > ?3",
                    params![lease.connection, lease.token, clock_ms()],
                    |r| r.get(0),
                )
                .optional()?;
            anyhow::ensure!(held.is_some(), LEASE_LOST);
        }
        let mut created = Vec::with_capacity(batch.records.len());
        {
            // New records (an import's) cost one statement; known ones two.
            let mut insert = tx
                .prepare_cached("INSERT OR IGNORE INTO records (connection, kind, id, body) VALUES (?1, ?2, ?3, ?4)")?;
            let mut update = tx.prepare_cached(
                "UPDATE records SET body = ?4, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE connection = ?1 AND kind = ?2 AND id = ?3",
            )?;
            for r in &batch.records {
                let kind = kind_name(r.kind);
                let new = insert.execute(params![connection, kind, r.id, r.body])? == 1;
                if !new {
                    update.execute(params![connection, kind, r.id, r.body])?;
                }
                created.push(new);
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
                let (id, body) = notification_body(n, count + 1);
                tx.execute(
                    "INSERT INTO records (connection, kind, id, body) VALUES (?1, 'notification', ?2, ?3)",
                    params![connection, id, body],
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
                .query_row(
                    "SELECT value FROM credentials WHERE connection = ?1 AND key = ?2",
                    params![connection, key],
                    |r| r.get(0),
                )
                .optional()?;
            sealed.map(|s| self.sealer.open(&credential_aad(connection, key), &s)).transpose()?
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

    fn kv_all_keys(&mut self, connection: &str) -> Result<Vec<(String, String)>> {
        let mut st = self.db.prepare(
            "SELECT bucket, key FROM state WHERE connection = ?1 UNION ALL SELECT ?2, key FROM credentials WHERE connection = ?1",
        )?;
        let rows = st.query_map(params![connection, CREDENTIALS_BUCKET], |r| Ok((r.get(0)?, r.get(1)?)))?;
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
        let mut st =
            self.db.prepare("SELECT kind, COUNT(*) FROM records WHERE connection = ?1 GROUP BY kind ORDER BY kind")?;
        let rows = st.query_map(params![connection], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn fence(&mut self, lease: Option<Lease>) {
        self.fence = lease;
    }

    fn sync_every_commit(&mut self) -> Result<()> {
        // In WAL mode NORMAL syncs only at checkpoints, so the last commits
        // can be lost on power loss; FULL syncs the WAL at every commit.
        Ok(self.db.pragma_update(None, "synchronous", "FULL")?)
    }

    fn others_version(&mut self) -> Result<Option<i64>> {
        Ok(Some(self.db.pragma_query_value(None, "data_version", |r| r.get(0))?))
    }

    fn commit_durability(&mut self) -> Result<String> {
        let level: i64 = self.db.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        let name = match level {
            0 => "OFF",
            1 => "NORMAL",
            2 => "FULL",
            3 => "EXTRA",
            _ => "unknown",
        };
        Ok(format!("synchronous={name}"))
    }
}

fn set(db: &Connection, sealer: &Sealer, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
    if bucket == CREDENTIALS_BUCKET {
        db.execute(
            "INSERT INTO credentials (connection, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (connection, key) DO UPDATE SET value = excluded.value",
            params![connection, key, sealer.seal(&credential_aad(connection, key), value)?],
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

    #[test]
    fn credentials_are_sealed_at_rest_in_their_own_table() {
        let mut s = SqliteStorage::memory().unwrap();
        s.kv_set("default", CREDENTIALS_BUCKET, "store", b"secret").unwrap();
        let n: i64 = s.db.query_row("SELECT COUNT(*) FROM state WHERE value = 'secret'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
        let stored: Vec<u8> = s.db.query_row("SELECT value FROM credentials", [], |r| r.get(0)).unwrap();
        assert!(!stored.windows(6).any(|w| w == b"secret"), "sealed at rest");
    }
}
