//! The PostgreSQL backend (scale-out): the same tables and semantics as
//! SQLite, shared by any number of `woo` workers and `woo serve` instances.
//! Time that decides leases is the database's clock, so machines need not
//! agree on theirs.
//!
//! The synchronous `postgres` client runs its own small runtime, which must
//! not block inside the host's tokio runtime: each storage owns one thread
//! with one database connection, and calls are sent to it.

mod schedule;

use super::seal::{KeyError, Sealer};
use super::{
    Batch, CREDENTIALS_BUCKET, LEASE_LOST, Lease, RecordStore, StoredRecord, credential_aad, kind_name,
    notification_body, trigger_body, trigger_id,
};
use anyhow::{Context, Result, anyhow};
use postgres::{Client, GenericClient, NoTls, Statement, Transaction};
use std::collections::HashMap;
use std::sync::mpsc;
use std::time::Duration;

/// Migrations in order; each runs once, recorded in `woo_migrations`.
const MIGRATIONS: &[&str] = &["
CREATE TABLE records (
    connection TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (connection, kind, id));
CREATE TABLE state (
    connection TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL,
    PRIMARY KEY (connection, bucket, key));
CREATE TABLE credentials (
    connection TEXT NOT NULL, key TEXT NOT NULL, value BYTEA NOT NULL,
    PRIMARY KEY (connection, key));
CREATE TABLE schedule (
    connection TEXT PRIMARY KEY, next_due_ms BIGINT NOT NULL,
    lease_holder TEXT, lease_token TEXT, lease_expires_ms BIGINT,
    last_pass_ms BIGINT, last_error TEXT);
CREATE INDEX schedule_due ON schedule (next_due_ms);
CREATE TABLE lease_log (
    seq BIGSERIAL PRIMARY KEY, connection TEXT NOT NULL, worker TEXT NOT NULL,
    token TEXT NOT NULL, event TEXT NOT NULL, at_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL);
CREATE FUNCTION woo_now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE
    AS $$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;
"];

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The URL without its password, for messages.
pub fn redacted(db: &str) -> String {
    match url::Url::parse(db) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "a PostgreSQL URL that does not parse".into(),
    }
}

type Job = Box<dyn FnOnce(&mut Client, &Sealer) + Send>;

/// A PostgreSQL database, through one connection on a thread of its own.
pub struct PostgresStorage {
    jobs: mpsc::Sender<Job>,
    fence: Option<Lease>,
}

impl PostgresStorage {
    /// Connect to `url`, run pending migrations; credentials are sealed with
    /// `WOO_SECRET_KEY` (the same on every machine of a fleet) or a key file
    /// for this database under `~/.config/woo`.
    /// A key file is only created while the database holds no sealed value;
    /// sealed credentials the key cannot open fail the open with a
    /// [`KeyError`].
    pub fn open(url: &str) -> Result<Self> {
        let owned = url.to_string();
        Self::open_keyed(url, false, move |sealed_data_exists| Sealer::for_postgres(&owned, sealed_data_exists))
    }

    /// As `open`, but a credential key that cannot be used leaves the
    /// credentials sealed and unreadable instead of failing, so that they can
    /// be forgotten (`woo disconnect`).
    pub fn open_to_forget_credentials(url: &str) -> Result<Self> {
        let owned = url.to_string();
        Self::open_keyed(url, true, move |sealed_data_exists| Sealer::for_postgres(&owned, sealed_data_exists))
    }

    /// As `open`, with the given sealing key (tests).
    pub fn open_with(url: &str, sealer: Sealer) -> Result<Self> {
        Self::open_keyed(url, false, move |_| Ok(sealer))
    }

    /// Connect and migrate, then choose the key with `key(sealed data
    /// exists)` and check it opens one sealed value.
    fn open_keyed(
        url: &str,
        tolerate_lost_key: bool,
        key: impl FnOnce(bool) -> Result<Sealer> + Send + 'static,
    ) -> Result<Self> {
        let shown = redacted(url);
        let mut config: postgres::Config = url.parse().map_err(|e| anyhow!("--db {shown}: {e}"))?;
        config.connect_timeout(Duration::from_secs(10));
        config.application_name("woo");
        let (jobs, rx) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<()>>();
        let place = shown.clone();
        std::thread::Builder::new().name("woo-postgres".into()).spawn(move || {
            let client = config
                .connect(NoTls)
                .map_err(anyhow::Error::from)
                .and_then(|mut c| migrate(&mut c).map(|()| c))
                .with_context(|| format!("connecting to PostgreSQL at {place}"))
                .and_then(|mut c| keyed(&mut c, tolerate_lost_key, key).map(|sealer| (c, sealer)));
            match client {
                Ok((mut c, sealer)) => {
                    let _ = ready_tx.send(Ok(()));
                    for job in rx {
                        job(&mut c, &sealer);
                    }
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })?;
        ready_rx.recv().map_err(|_| anyhow!("the PostgreSQL thread stopped"))??;
        Ok(PostgresStorage { jobs, fence: None })
    }

    /// Run `f` on the connection's thread and wait for its answer.
    fn run<R: Send + 'static>(&self, f: impl FnOnce(&mut Client, &Sealer) -> Result<R> + Send + 'static) -> Result<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |c, s| {
                let _ = tx.send(f(c, s));
            }))
            .map_err(|_| anyhow!("the PostgreSQL connection is gone"))?;
        // The wait is a network round trip: on a multi-threaded runtime, let
        // the other tasks of this worker thread (other deliveries of `woo
        // serve`) move to another thread meanwhile instead of waiting too.
        let wait = || rx.recv().map_err(|_| anyhow!("the PostgreSQL connection is gone"));
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(wait)?
            }
            _ => wait()?,
        }
    }
}

/// The sealing key for this database: `key(sealed data exists)`, checked
/// against one sealed value. With `tolerate_lost_key` an unusable key gives a
/// sealer without a key instead of an error.
fn keyed(c: &mut Client, tolerate_lost_key: bool, key: impl FnOnce(bool) -> Result<Sealer>) -> Result<Sealer> {
    let sealed = c.query_opt("SELECT connection, key, value FROM credentials LIMIT 1", &[])?;
    let checked = key(sealed.is_some()).and_then(|sealer| {
        if let Some(row) = &sealed {
            let (connection, name, value): (String, String, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
            sealer.verify(&credential_aad(&connection, &name), &value)?;
        }
        Ok(sealer)
    });
    match checked {
        Err(e) if tolerate_lost_key => match e.downcast_ref::<KeyError>() {
            Some(k) => Ok(Sealer::without_key(k)),
            None => Err(e),
        },
        other => other,
    }
}

thread_local! {
    /// Statements prepared on this thread's connection, by their SQL: each
    /// storage has its own thread with its one connection, so a statement is
    /// parsed and planned once instead of on every call (a round trip saved
    /// per read, which a webhook storm pays a dozen times per delivery).
    static PREPARED: std::cell::RefCell<HashMap<&'static str, Statement>> = std::cell::RefCell::new(HashMap::new());
}

/// `sql` prepared once on this thread's connection.
fn prepared(c: &mut impl GenericClient, sql: &'static str) -> Result<Statement> {
    if let Some(st) = PREPARED.with(|p| p.borrow().get(sql).cloned()) {
        return Ok(st);
    }
    let st = c.prepare(sql)?;
    PREPARED.with(|p| p.borrow_mut().insert(sql, st.clone()));
    Ok(st)
}

/// Apply the migrations not yet recorded, under an advisory lock so that
/// workers starting together do not race.
fn migrate(c: &mut Client) -> Result<()> {
    let mut tx = c.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock(7305614202)", &[])?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS woo_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")?;
    let done: i32 = tx.query_one("SELECT COALESCE(MAX(version), 0) FROM woo_migrations", &[])?.get(0);
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
        tx.batch_execute(sql).with_context(|| format!("migration {}", n + 1))?;
        tx.execute("INSERT INTO woo_migrations (version) VALUES ($1)", &[&(n as i32 + 1)])?;
    }
    tx.commit()?;
    Ok(())
}

fn set(
    tx: &mut Transaction<'_>,
    sealer: &Sealer,
    connection: &str,
    bucket: &str,
    key: &str,
    value: &[u8],
) -> Result<()> {
    if bucket == CREDENTIALS_BUCKET {
        let sealed = sealer.seal(&credential_aad(connection, key), value)?;
        let st = prepared(
            tx,
            "INSERT INTO credentials (connection, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (connection, key) DO UPDATE SET value = excluded.value",
        )?;
        tx.execute(&st, &[&connection, &key, &sealed])?;
    } else {
        let st = prepared(
            tx,
            "INSERT INTO state (connection, bucket, key, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (connection, bucket, key) DO UPDATE SET value = excluded.value",
        )?;
        tx.execute(&st, &[&connection, &bucket, &key, &value])?;
    }
    Ok(())
}

fn commit(
    c: &mut Client,
    sealer: &Sealer,
    connection: &str,
    batch: &Batch,
    fence: Option<&Lease>,
) -> Result<Vec<bool>> {
    let mut tx = c.transaction()?;
    if let Some(lease) = fence {
        // FOR SHARE: no worker can claim the connection while this commit runs.
        let held = tx.query_opt(
            "SELECT 1 FROM schedule WHERE connection = $1 AND lease_token = $2 AND lease_expires_ms > woo_now_ms() FOR SHARE",
            &[&lease.connection, &lease.token],
        )?;
        anyhow::ensure!(held.is_some(), LEASE_LOST);
    }
    let mut created = Vec::with_capacity(batch.records.len());
    let up = prepared(
        &mut tx,
        "INSERT INTO records (connection, kind, id, body) VALUES ($1, $2, $3, $4)
         ON CONFLICT (connection, kind, id) DO UPDATE SET body = excluded.body, updated_at = now()
         RETURNING (xmax = 0)",
    )?;
    for r in &batch.records {
        created.push(tx.query_one(&up, &[&connection, &kind_name(r.kind), &r.id, &r.body])?.get::<_, bool>(0));
    }
    if !batch.triggers.is_empty() {
        let once = prepared(
            &mut tx,
            "INSERT INTO records (connection, kind, id, body) VALUES ($1, 'trigger', $2, $3)
             ON CONFLICT (connection, kind, id) DO NOTHING",
        )?;
        for t in &batch.triggers {
            tx.execute(&once, &[&connection, &trigger_id(t), &trigger_body(t)])?;
        }
    }
    if !batch.notifications.is_empty() {
        // Numbered per connection: serialise the numbering across instances.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext('woo:notification:' || $1))", &[&connection])?;
        for n in &batch.notifications {
            let count: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM records WHERE connection = $1 AND kind = 'notification'",
                    &[&connection],
                )?
                .get(0);
            let (id, body) = notification_body(n, count + 1);
            tx.execute(
                "INSERT INTO records (connection, kind, id, body) VALUES ($1, 'notification', $2, $3)",
                &[&connection, &id, &body],
            )?;
        }
    }
    for (bucket, key, value) in &batch.state {
        set(&mut tx, sealer, connection, bucket, key, value)?;
    }
    tx.commit()?;
    Ok(created)
}

impl RecordStore for PostgresStorage {
    fn commit(&mut self, connection: &str, batch: &Batch) -> Result<Vec<bool>> {
        let (connection, batch, fence) = (connection.to_string(), batch.clone(), self.fence.clone());
        self.run(move |c, s| commit(c, s, &connection, &batch, fence.as_ref()))
    }

    fn kv_get(&mut self, connection: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let (connection, bucket, key) = (connection.to_string(), bucket.to_string(), key.to_string());
        self.run(move |c, sealer| {
            if bucket == CREDENTIALS_BUCKET {
                let st = prepared(c, "SELECT value FROM credentials WHERE connection = $1 AND key = $2")?;
                let row = c.query_opt(&st, &[&connection, &key])?;
                row.map(|r| sealer.open(&credential_aad(&connection, &key), &r.get::<_, Vec<u8>>(0))).transpose()
            } else {
                let st = prepared(c, "SELECT value FROM state WHERE connection = $1 AND bucket = $2 AND key = $3")?;
                let row = c.query_opt(&st, &[&connection, &bucket, &key])?;
                Ok(row.map(|r| r.get(0)))
            }
        })
    }

    fn kv_get_many(&mut self, connection: &str, keys: &[(String, String)]) -> Result<Vec<Option<Vec<u8>>>> {
        // One round trip for the state keys; a credential (never in a page's
        // reads) is opened one by one.
        let (plain, sealed): (Vec<usize>, Vec<usize>) = (0..keys.len()).partition(|&i| keys[i].0 != CREDENTIALS_BUCKET);
        let mut values: Vec<Option<Vec<u8>>> = vec![None; keys.len()];
        if !plain.is_empty() {
            let buckets: Vec<String> = plain.iter().map(|&i| keys[i].0.clone()).collect();
            let names: Vec<String> = plain.iter().map(|&i| keys[i].1.clone()).collect();
            let connection = connection.to_string();
            let rows = self.run(move |c, _| {
                // One primary-key lookup per key (a nested loop): as a plain
                // join, the prepared statement's generic plan read every row
                // of the connection and hashed them (EXPLAIN on a storm's
                // database), slower with each delivery. `OFFSET 0` keeps the
                // planner from flattening the lateral lookup into that join.
                let st = prepared(
                    c,
                    "SELECT s.bucket, s.key, s.value FROM unnest($2::text[], $3::text[]) AS w(bucket, key) \
                     CROSS JOIN LATERAL (SELECT bucket, key, value FROM state \
                     WHERE connection = $1 AND bucket = w.bucket AND key = w.key OFFSET 0) s",
                )?;
                let rows = c.query(&st, &[&connection, &buckets, &names])?;
                Ok(rows
                    .into_iter()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, Vec<u8>>(2)))
                    .collect::<Vec<_>>())
            })?;
            let found: std::collections::HashMap<(String, String), Vec<u8>> =
                rows.into_iter().map(|(b, k, v)| ((b, k), v)).collect();
            for &i in &plain {
                values[i] = found.get(&keys[i]).cloned();
            }
        }
        for i in sealed {
            values[i] = self.kv_get(connection, &keys[i].0, &keys[i].1)?;
        }
        Ok(values)
    }

    fn kv_set(&mut self, connection: &str, bucket: &str, key: &str, value: &[u8]) -> Result<()> {
        let (connection, bucket, key, value) =
            (connection.to_string(), bucket.to_string(), key.to_string(), value.to_vec());
        self.run(move |c, sealer| {
            let mut tx = c.transaction()?;
            set(&mut tx, sealer, &connection, &bucket, &key, &value)?;
            Ok(tx.commit()?)
        })
    }

    fn kv_delete(&mut self, connection: &str, bucket: &str, key: &str) -> Result<()> {
        let (connection, bucket, key) = (connection.to_string(), bucket.to_string(), key.to_string());
        self.run(move |c, _| {
            if bucket == CREDENTIALS_BUCKET {
                c.execute("DELETE FROM credentials WHERE connection = $1 AND key = $2", &[&connection, &key])?;
            } else {
                c.execute(
                    "DELETE FROM state WHERE connection = $1 AND bucket = $2 AND key = $3",
                    &[&connection, &bucket, &key],
                )?;
            }
            Ok(())
        })
    }

    fn kv_keys(&mut self, connection: &str, bucket: &str) -> Result<Vec<String>> {
        let (connection, bucket) = (connection.to_string(), bucket.to_string());
        self.run(move |c, _| {
            let rows = if bucket == CREDENTIALS_BUCKET {
                c.query("SELECT key FROM credentials WHERE connection = $1 ORDER BY key COLLATE \"C\"", &[&connection])?
            } else {
                c.query(
                    "SELECT key FROM state WHERE connection = $1 AND bucket = $2 ORDER BY key COLLATE \"C\"",
                    &[&connection, &bucket],
                )?
            };
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }

    fn kv_all_keys(&mut self, connection: &str) -> Result<Vec<(String, String)>> {
        let connection = connection.to_string();
        self.run(move |c, _| {
            let rows = c.query(
                "SELECT bucket, key FROM state WHERE connection = $1 \
                 UNION ALL SELECT $2::text, key FROM credentials WHERE connection = $1",
                &[&connection, &CREDENTIALS_BUCKET],
            )?;
            Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn records(&mut self, connection: &str, kind: Option<&str>) -> Result<Vec<StoredRecord>> {
        let (connection, kind) = (connection.to_string(), kind.map(str::to_string));
        self.run(move |c, _| {
            // Byte order, as SQLite sorts: exports compare equal across backends.
            let rows = c.query(
                "SELECT kind, id, body FROM records WHERE connection = $1 AND ($2::TEXT IS NULL OR kind = $2)
                 ORDER BY kind COLLATE \"C\", id COLLATE \"C\"",
                &[&connection, &kind],
            )?;
            Ok(rows.iter().map(|r| StoredRecord { kind: r.get(0), id: r.get(1), body: r.get(2) }).collect())
        })
    }

    fn counts(&mut self, connection: &str) -> Result<Vec<(String, u64)>> {
        let connection = connection.to_string();
        self.run(move |c, _| {
            let rows = c.query(
                "SELECT kind, COUNT(*) FROM records WHERE connection = $1 GROUP BY kind ORDER BY kind COLLATE \"C\"",
                &[&connection],
            )?;
            Ok(rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64)).collect())
        })
    }

    fn fence(&mut self, lease: Option<Lease>) {
        self.fence = lease;
    }

    fn sync_every_commit(&mut self) -> Result<()> {
        // The server's default; a server configured otherwise is overruled for this session.
        self.run(|c, _| Ok(c.batch_execute("SET synchronous_commit TO on")?))
    }

    fn commit_durability(&mut self) -> Result<String> {
        self.run(|c, _| {
            let commit: String = c.query_one("SHOW synchronous_commit", &[])?.get(0);
            let fsync: String = c.query_one("SHOW fsync", &[])?.get(0);
            Ok(format!("synchronous_commit={commit}, fsync={fsync}"))
        })
    }
}

/// A new empty database on the server `admin_url` points at, for a test:
/// returns its URL.
pub fn scratch_database(admin_url: &str) -> Result<String> {
    let name = format!("woo_test_{}_{:08x}", std::process::id(), rand::random::<u32>());
    let admin = admin_url.to_string();
    let n = name.clone();
    // Its own thread: the sync client must not run inside a tokio runtime.
    std::thread::spawn(move || -> Result<()> {
        let mut c = Client::connect(&admin, NoTls).with_context(|| format!("connecting to {}", redacted(&admin)))?;
        c.batch_execute(&format!("CREATE DATABASE {n}"))?;
        Ok(())
    })
    .join()
    .map_err(|_| anyhow!("creating a scratch database panicked"))??;
    let mut u = url::Url::parse(admin_url)?;
    u.set_path(&format!("/{name}"));
    Ok(u.to_string())
}
