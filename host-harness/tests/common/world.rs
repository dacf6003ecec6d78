//! An in-process world for end-to-end tests: a seeded simulator and a
//! component session connected to it over HTTPS, with its SQLite database.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use woo_host::runtime::{Limits, Runtime, Session};
use woo_host::sim::{SeedSpec, SimConfig, Simulator};
use woo_host::storage::Storage;
use woo_host::wit::{self, types::Kind};

/// Where a world keeps its records and state.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A server (`WOO_TEST_POSTGRES`); each world gets a fresh database on it.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend on the server `WOO_TEST_POSTGRES` names (the
    /// tests that use it are ignored when it was unset at build time).
    pub fn postgres() -> Backend {
        Backend::Postgres(postgres_server())
    }

    /// A fresh database's `--db` value: a file in `dir`, or a new database on the server.
    pub fn database(&self, dir: &std::path::Path) -> String {
        match self {
            Backend::Sqlite => dir.join("w.db").display().to_string(),
            Backend::Postgres(server) => woo_host::storage::postgres::scratch_database(server).unwrap(),
        }
    }

    /// A fresh database: its `--db` value and an open storage on it.
    pub fn fresh(&self, dir: &std::path::Path) -> (String, Box<dyn Storage>) {
        let db = self.database(dir);
        let storage = woo_host::storage::open(&db).unwrap();
        (db, storage)
    }
}

/// The PostgreSQL server of `WOO_TEST_POSTGRES` (`scripts/postgres.sh start` prints it).
pub fn postgres_server() -> String {
    std::env::var("WOO_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("WOO_TEST_POSTGRES names a PostgreSQL server")
}

pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(Limits::default()).expect("runtime"))
}

pub const ALL: [Kind; 5] = [Kind::Contacts, Kind::Orders, Kind::Transactions, Kind::Products, Kind::Collections];

pub struct World {
    pub sim: Simulator,
    pub s: Session,
    pub dir: tempfile::TempDir,
    /// The `--db` value of this world's database (a path or a PostgreSQL URL).
    pub db: String,
}

impl World {
    pub async fn new(customers: u64, orders: u64, products: u64) -> World {
        World::on(&Backend::Sqlite, customers, orders, products).await
    }

    /// A seeded world whose records and state live on `backend`.
    pub async fn on(backend: &Backend, customers: u64, orders: u64, products: u64) -> World {
        World::with_on(
            backend,
            SimConfig { seed: SeedSpec { customers, orders, products, seed: 11 }, ..Default::default() },
        )
        .await
    }

    /// A world around a simulator configured as given (version, faults …).
    pub async fn with(config: SimConfig) -> World {
        World::with_on(&Backend::Sqlite, config).await
    }

    pub async fn with_on(backend: &Backend, config: SimConfig) -> World {
        let sim = Simulator::start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (db, storage) = backend.fresh(dir.path());
        let s = woo_host::session::connect_simulator(runtime(), storage, &sim).await.unwrap();
        World { sim, s, dir, db }
    }

    /// Connect again with the simulator's key (after a revocation is lifted).
    pub async fn reconnect(&mut self) -> Result<wit::connection::StoreInfo, wit::types::Error> {
        let cfg = woo_host::session::simulator_config(&self.sim);
        self.s.begin_call();
        self.s.bindings.woo_connector_connection().call_connect(&mut self.s.store, &cfg).await.unwrap()
    }

    /// Every record of every kind, triggers and notifications included (see `comparable`).
    pub fn export(&mut self, placed: &[u64]) -> BTreeMap<String, Value> {
        let all = self.s.store.data_mut().storage.records("default", None).unwrap();
        comparable(all.into_iter().map(|r| serde_json::from_str(&r.body).unwrap()), placed)
    }

    pub async fn import(&mut self, kinds: &[Kind]) -> Result<wit::sync::Report, wit::types::Error> {
        self.s.begin_call();
        self.s.bindings.woo_connector_sync().call_import(&mut self.s.store, kinds).await.unwrap()
    }

    pub async fn sync(&mut self) -> Result<wit::sync::Report, wit::types::Error> {
        self.s.begin_call();
        self.s.bindings.woo_connector_sync().call_sync_pass(&mut self.s.store, None).await.unwrap()
    }

    pub async fn set(&mut self, f: impl FnOnce(&mut wit::sync::Settings)) {
        let mut st = self.s.bindings.woo_connector_sync().call_get_settings(&mut self.s.store).await.unwrap().unwrap();
        f(&mut st);
        self.s.bindings.woo_connector_sync().call_set_settings(&mut self.s.store, st).await.unwrap().unwrap();
    }

    pub fn records(&mut self, kind: &str) -> BTreeMap<String, Value> {
        self.s
            .store
            .data_mut()
            .storage
            .records("default", Some(kind))
            .unwrap()
            .into_iter()
            .map(|r| (r.id, serde_json::from_str(&r.body).unwrap()))
            .collect()
    }

    pub fn triggers(&mut self) -> BTreeSet<String> {
        self.records("trigger").into_keys().collect()
    }

    pub fn requests(&self) -> usize {
        self.sim.state.seen.lock().unwrap().len()
    }

    pub fn data(&self) -> std::sync::RwLockWriteGuard<'_, woo_host::sim::Data> {
        self.sim.state.data.write().unwrap()
    }
}

/// Records by id, ready to compare two runs of the same store: a trigger's
/// firing `time`, and the clock times of the orders `placed` while the test
/// ran (`created_at`, `modified_at`, `paid_at`; a payment's `date`), are
/// blanked. Every other field must match exactly.
pub fn comparable(records: impl Iterator<Item = Value>, placed: &[u64]) -> BTreeMap<String, Value> {
    records
        .map(|mut v| {
            let placed = |v: &Value| {
                let order = v["order_id"].as_str().or(v["id"].as_str()).unwrap_or("");
                order
                    .strip_prefix("woo:order:")
                    .and_then(|n| n.parse::<u64>().ok())
                    .is_some_and(|n| placed.contains(&n))
            };
            if v["kind"] == "trigger" {
                v["time"] = Value::Null;
            }
            if placed(&v) && (v["kind"] == "order" || v["kind"] == "transaction") {
                for f in ["created_at", "modified_at", "paid_at", "date"] {
                    if v.get(f).is_some() {
                        v[f] = Value::Null;
                    }
                }
            }
            (v["id"].as_str().unwrap_or_default().to_string(), v)
        })
        .collect()
}
