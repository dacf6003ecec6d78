//! Scale-out: many connections in one database, `woo worker` processes
//! sharing them through leases, `woo serve` instances sharing deliveries.
//! The PostgreSQL tests need `WOO_TEST_POSTGRES` (scripts/postgres.sh start)
//! when they are built; without it they show as ignored, with the reason.

#[macro_use]
mod common;
use common::woo_command;
use common::world::{comparable, postgres_server, runtime};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use woo_host::sim::{Faults, SeedSpec, SimConfig, Simulator};
use woo_host::storage::postgres::{PostgresStorage, scratch_database};
use woo_host::storage::seal::Sealer;
use woo_host::storage::sqlite::SqliteStorage;
use woo_host::storage::{LeaseEvent, LeaseScheduler, RecordStore, Storage};

/// A fleet database with its sealing key (shared by every process, as a
/// fleet shares WOO_SECRET_KEY).
struct Fleet {
    db: String,
    key: String,
}

impl Fleet {
    fn new(server: &str) -> Fleet {
        Fleet { db: scratch_database(server).unwrap(), key: Sealer::random_base64() }
    }

    fn storage(&self) -> PostgresStorage {
        PostgresStorage::open_with(&self.db, Sealer::from_base64(&self.key).unwrap()).unwrap()
    }

    fn woo(&self, args: &[&str]) -> std::process::Command {
        let mut c = woo_command();
        c.env("WOO_SECRET_KEY", &self.key).env("WOO_DB", &self.db).args(args);
        c
    }

    fn worker(&self, name: &str, extra: &[&str]) -> Child {
        let mut args = vec!["worker", "--once", "--name", name];
        args.extend_from_slice(extra);
        self.woo(&args).stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().unwrap()
    }

    /// `woo connect --defer` for `sim` as connection `name`.
    fn connect_deferred(&self, name: &str, sim: &Simulator) {
        let ca = sim.ca_cert.display().to_string();
        let out = self
            .woo(&[
                "--connection",
                name,
                "--ca-cert",
                &ca,
                "connect",
                "--store",
                &sim.https_url,
                "--key",
                &sim.consumer_key,
                "--secret",
                &sim.consumer_secret,
                "--defer",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "connect --defer {name}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn export(&self, connection: &str, placed: &[u64]) -> BTreeMap<String, Value> {
        stored_export(&mut self.storage(), connection, placed)
    }
}

/// A connection's records in `storage`, ready to compare (see `comparable`).
fn stored_export(storage: &mut dyn Storage, connection: &str, placed: &[u64]) -> BTreeMap<String, Value> {
    let records = storage.records(connection, None).unwrap();
    comparable(records.into_iter().map(|r| serde_json::from_str(&r.body).unwrap()), placed)
}

fn seeded(i: u64, customers: u64, orders: u64, products: u64, latency_ms: u64) -> SimConfig {
    SimConfig {
        seed: SeedSpec { customers, orders, products, seed: 500 + i },
        faults: Faults { latency_ms, ..Faults::new() },
        ..Default::default()
    }
}

/// What one machine alone makes of `sim`: connect, import everything.
async fn single_machine(sim: &Simulator) -> woo_host::runtime::Session {
    let mut s =
        woo_host::session::connect_simulator(runtime(), Box::new(SqliteStorage::memory().unwrap()), sim).await.unwrap();
    s.begin_call();
    s.bindings.woo_connector_sync().call_import(&mut s.store, &woo_host::wit::ALL_KINDS).await.unwrap().unwrap();
    s
}

fn export_of(s: &mut woo_host::runtime::Session, placed: &[u64]) -> BTreeMap<String, Value> {
    let records = s.store.data_mut().storage.records("default", None).unwrap();
    comparable(records.into_iter().map(|r| serde_json::from_str(&r.body).unwrap()), placed)
}

fn wait_all(children: Vec<Child>) {
    for mut c in children {
        let status = c.wait().unwrap();
        assert!(status.success(), "a worker failed: {status}");
    }
}

/// Each lease as (connection, worker, from, until): until is its release, or
/// the last expiry it was renewed to (a worker that died).
fn lease_intervals(log: &[LeaseEvent]) -> Vec<(String, String, i64, i64)> {
    let mut by_token: HashMap<&str, (String, String, i64, i64)> = HashMap::new();
    for e in log {
        let entry =
            by_token.entry(&e.token).or_insert_with(|| (e.connection.clone(), e.worker.clone(), e.at_ms, e.expires_ms));
        match e.event.as_str() {
            "claim" => entry.2 = e.at_ms,
            "release" => entry.3 = e.at_ms,
            _ => entry.3 = entry.3.max(e.expires_ms),
        }
    }
    by_token.into_values().collect()
}

fn assert_no_overlap(log: &[LeaseEvent]) {
    let mut per: BTreeMap<String, Vec<(i64, i64, String)>> = BTreeMap::new();
    for (c, w, from, until) in lease_intervals(log) {
        per.entry(c).or_default().push((from, until, w));
    }
    for (c, mut spans) in per {
        spans.sort();
        for pair in spans.windows(2) {
            assert!(
                pair[1].0 >= pair[0].1,
                "{c}: {} held it until {} but {} claimed it at {}",
                pair[0].2,
                pair[0].1,
                pair[1].2,
                pair[1].0
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
async fn fleet_four_workers_sync_fifty_stores_exactly_as_one_machine_and_never_share_a_store() {
    let server = postgres_server();
    let fleet = Fleet::new(&server);
    let mut sims = vec![];
    for i in 0..50 {
        sims.push(Simulator::start(seeded(i, 8 + i % 5, 20 + i % 13, 6 + i % 4, 2)).await.unwrap());
    }
    let mut reference = vec![];
    for sim in &sims {
        reference.push(single_machine(sim).await);
    }
    // Connect all 50 with their first import deferred, 10 at a time.
    let numbered: Vec<(usize, &Simulator)> = sims.iter().enumerate().collect();
    std::thread::scope(|scope| {
        for chunk in numbered.chunks(10) {
            let handles: Vec<_> = chunk
                .iter()
                .map(|&(i, sim)| {
                    let fleet = &fleet;
                    scope.spawn(move || fleet.connect_deferred(&format!("store-{i}"), sim))
                })
                .collect();
            handles.into_iter().for_each(|h| h.join().unwrap());
        }
    });
    let listed: Value =
        serde_json::from_slice(&fleet.woo(&["connections", "--json"]).output().unwrap().stdout).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 50);
    assert!(listed.as_array().unwrap().iter().all(|c| c["import_pending"] == true && c["state"] == "connected"));

    let t = Instant::now();
    let workers: Vec<Child> = (0..4)
        .map(|w| fleet.worker(&format!("w{w}"), &["--concurrency", "2", "--lease-seconds", "10", "--interval", "3600"]))
        .collect();
    wait_all(workers);
    eprintln!("4 workers imported 50 stores in {:.1}s", t.elapsed().as_secs_f64());
    for (i, r) in reference.iter_mut().enumerate() {
        assert_eq!(fleet.export(&format!("store-{i}"), &[]), export_of(r, &[]), "store-{i} after the import");
    }

    // Every store takes a paid order; the fleet syncs again.
    let mut placed = vec![];
    for sim in &sims {
        placed.push(sim.state.place_order(0, "fleet.buyer@example.test", true)["id"].as_u64().unwrap());
    }
    let mut control = fleet.storage();
    for i in 0..50 {
        control.schedule(&format!("store-{i}"), true).unwrap();
    }
    let workers: Vec<Child> = (0..4)
        .map(|w| fleet.worker(&format!("w{w}"), &["--concurrency", "2", "--lease-seconds", "10", "--interval", "3600"]))
        .collect();
    wait_all(workers);
    for (i, r) in reference.iter_mut().enumerate() {
        r.begin_call();
        r.bindings.woo_connector_sync().call_sync_pass(&mut r.store, None).await.unwrap().unwrap();
        let ours = fleet.export(&format!("store-{i}"), &placed);
        assert_eq!(ours, export_of(r, &placed), "store-{i} after the sync");
        let triggers: Vec<&String> = ours.keys().filter(|k| k.starts_with("woo:trigger:")).collect();
        assert_eq!(triggers.len(), 2, "store-{i}: order_submitted and payment_received, once each: {triggers:?}");
    }
    let log = control.lease_log().unwrap();
    assert_no_overlap(&log);
    let mut claimers: Vec<&str> = log.iter().filter(|e| e.event == "claim").map(|e| e.worker.as_str()).collect();
    claimers.sort();
    claimers.dedup();
    assert!(claimers.len() >= 3, "the work was shared: {claimers:?}");
    assert!(fleet.storage().connections().unwrap().iter().all(|r| r.last_error.is_none() && r.held_by.is_none()));
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
async fn killed_worker_loses_its_lease_and_another_resumes_the_import_to_an_identical_export() {
    let server = postgres_server();
    let fleet = Fleet::new(&server);
    let sim = Simulator::start(seeded(7, 300, 4000, 120, 25)).await.unwrap();
    let mut reference = single_machine(&sim).await;
    fleet.connect_deferred("big", &sim);
    let out = fleet.woo(&["--connection", "big", "settings", "--concurrency", "1"]).output().unwrap();
    assert!(out.status.success());
    let mut doomed = fleet.worker("doomed", &["--lease-seconds", "3"]);
    let mut watch = fleet.storage();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Kill it once it has committed part of the import.
    loop {
        let stored: u64 = watch.counts("big").unwrap().iter().map(|(_, n)| n).sum();
        if stored > 250 {
            break;
        }
        assert!(Instant::now() < deadline, "the import never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    doomed.kill().unwrap();
    doomed.wait().unwrap();
    let partial: u64 = watch.counts("big").unwrap().iter().map(|(_, n)| n).sum();
    let survivors: Vec<Child> = ["a", "b"].iter().map(|n| fleet.worker(n, &["--lease-seconds", "3"])).collect();
    wait_all(survivors);
    assert_eq!(fleet.export("big", &[]), export_of(&mut reference, &[]), "identical to a clean single-machine import");
    let log = watch.lease_log().unwrap();
    assert_no_overlap(&log);
    let spans = lease_intervals(&log);
    let dead_until = spans.iter().find(|s| s.1 == "doomed").map(|s| s.3).unwrap();
    let taken = spans.iter().filter(|s| s.1 != "doomed").map(|s| s.2).min().expect("a survivor took the store over");
    assert!(taken >= dead_until, "taken over only after the dead worker's lease expired");
    let total: u64 = watch.counts("big").unwrap().iter().map(|(_, n)| n).sum();
    assert!(partial > 0 && partial < total, "the kill came mid-import ({partial} of {total} records)");
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
async fn two_serve_instances_on_one_database_apply_each_delivery_once_and_fire_each_trigger_once() {
    let server = postgres_server();
    let db = scratch_database(&server).unwrap();
    let sim = Simulator::start(seeded(3, 10, 20, 6, 0)).await.unwrap();
    let mut s = woo_host::session::connect_simulator_as(runtime(), woo_host::storage::open(&db).unwrap(), &sim, "shop")
        .await
        .unwrap();
    s.begin_call();
    s.bindings.woo_connector_sync().call_import(&mut s.store, &woo_host::wit::ALL_KINDS).await.unwrap().unwrap();
    let mut addrs = vec![];
    for _ in 0..2 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        addrs.push(listener.local_addr().unwrap());
        tokio::spawn(woo_host::serve::serve_on(listener, runtime().clone(), db.clone(), None));
    }
    // Registered against the first instance; a load balancer may hand any delivery to either.
    s.begin_call();
    s.bindings
        .woo_connector_webhook()
        .call_register(&mut s.store, "http://127.0.0.1:9/webhooks/shop")
        .await
        .unwrap()
        .unwrap();
    let secret = sim.state.data.read().unwrap().webhooks[0]["secret"].as_str().unwrap().to_string();
    let mut orders = vec![];
    for n in 0..5 {
        let o = sim.state.place_order(0, &format!("lb.buyer{n}@example.test"), true);
        orders.push(o["id"].as_u64().unwrap());
        let body = serde_json::to_vec(&o).unwrap();
        let signature = {
            use hmac::Mac;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(&body);
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, mac.finalize().into_bytes())
        };
        let headers = vec![
            ("X-WC-Webhook-Topic".to_string(), "order.created".to_string()),
            ("X-WC-Webhook-Signature".to_string(), signature),
        ];
        // The same delivery to both instances at once, twice.
        let urls: Vec<String> = addrs.iter().chain(addrs.iter()).map(|a| format!("http://{a}/webhooks/shop")).collect();
        let sends =
            urls.iter().map(|u| woo_host::sim::post_loopback(u, headers.clone(), body.clone(), "application/json"));
        for status in futures::future::join_all(sends).await {
            assert_eq!(status.unwrap(), 200);
        }
    }
    let mut check = woo_host::storage::open(&db).unwrap();
    let triggers: Vec<String> = check.records("shop", Some("trigger")).unwrap().into_iter().map(|r| r.id).collect();
    let mut expected: Vec<String> = orders
        .iter()
        .flat_map(|o| [format!("woo:trigger:order_submitted:{o}"), format!("woo:trigger:payment_received:{o}")])
        .collect();
    expected.sort();
    assert_eq!(triggers, expected, "one of each trigger per order");
    let orders_stored = check.records("shop", Some("order")).unwrap();
    for o in &orders {
        assert_eq!(orders_stored.iter().filter(|r| r.id == format!("woo:order:{o}")).count(), 1);
    }
    let contacts = check.records("shop", Some("contact")).unwrap();
    assert_eq!(
        contacts.iter().filter(|r| r.id.starts_with("woo:guest:lb.buyer")).count(),
        5,
        "one guest contact per buyer"
    );
}

on_each_backend! {
/// `--connection` keeps stores apart in one database; `connect --defer`
/// leaves the import to `woo worker --once`, which exits 0 when nothing is due.
async fn connections_are_listed_and_a_deferred_import_is_run_by_a_worker(b) {
    let dir = tempfile::tempdir().unwrap();
    let key = Sealer::random_base64();
    let db = b.database(dir.path());
    let woo = |args: &[&str]| {
        let out = woo_command().env("WOO_SECRET_KEY", &key).args(["--db", &db]).args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let sims = [Simulator::start(seeded(1, 12, 30, 8, 0)).await.unwrap(), Simulator::start(seeded(2, 9, 25, 7, 0)).await.unwrap()];
    for (name, sim) in ["east", "west"].iter().zip(&sims) {
        let ca = sim.ca_cert.display().to_string();
        let (code, _, err) = woo(&["--connection", name, "--ca-cert", &ca, "connect", "--store", &sim.https_url, "--key", &sim.consumer_key, "--secret", &sim.consumer_secret, "--defer"]);
        assert_eq!(code, Some(0), "{err}");
        assert!(!err.contains(&sim.consumer_secret), "no secret printed");
    }
    let (_, out, _) = woo(&["connections", "--json"]);
    let listed: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["east", "west"]);
    assert!(listed.as_array().unwrap().iter().all(|c| c["import_pending"] == true && c["last_sync"].is_null()));
    let (code, out, err) = woo(&["worker", "--once", "--json", "--name", "solo"]);
    assert_eq!(code, Some(0), "{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((summary["imports"].as_u64(), summary["failed"].as_u64()), (Some(2), Some(0)), "{summary}");
    let (_, out, _) = woo(&["connections", "--json"]);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert!(listed.as_array().unwrap().iter().all(|c| c["import_pending"] == false && c["last_pass"].is_string() && c["last_error"].is_null()), "{listed}");
    // Each connection has its own records, as a single-machine import makes them.
    for (name, sim) in ["east", "west"].iter().zip(&sims) {
        let (_, out, _) = woo(&["--connection", name, "export"]);
        let ours = comparable(out.lines().map(|l| serde_json::from_str(l).unwrap()), &[]);
        let mut reference = single_machine(sim).await;
        assert_eq!(ours, export_of(&mut reference, &[]), "{name}");
        let (_, out, _) = woo(&["--connection", name, "status", "--json"]);
        let status: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(status["store_url"], json!(sim.https_url));
    }
    // Nothing is due now: a second run does nothing and exits 0.
    let (code, out, _) = woo(&["worker", "--once", "--json"]);
    assert_eq!(code, Some(0));
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["passes"], 0);
}
}

on_each_backend! {
/// SIGTERM: the worker stops mid-import, keeps what it committed, releases
/// its lease at once (no waiting for the expiry) and exits 0; the next
/// worker resumes to the same records.
async fn sigterm_stops_a_worker_gracefully_releasing_its_lease(b) {
    let dir = tempfile::tempdir().unwrap();
    let key = Sealer::random_base64();
    let db = b.database(dir.path());
    let fleet = Fleet { db, key };
    let sim = Simulator::start(seeded(9, 200, 3000, 80, 25)).await.unwrap();
    let mut reference = single_machine(&sim).await;
    fleet.connect_deferred("shop", &sim);
    assert!(fleet.woo(&["--connection", "shop", "settings", "--concurrency", "1"]).output().unwrap().status.success());
    let mut worker = fleet.woo(&["worker", "--name", "term", "--lease-seconds", "600"]).stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut watch: Box<dyn Storage> = match &b {
        common::world::Backend::Sqlite => Box::new(woo_host::storage::sqlite::SqliteStorage::open_with(std::path::Path::new(&fleet.db), Sealer::from_base64(&fleet.key).unwrap()).unwrap()),
        common::world::Backend::Postgres(_) => Box::new(fleet.storage()),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while watch.counts("shop").unwrap().iter().map(|(_, n)| n).sum::<u64>() < 200 {
        assert!(Instant::now() < deadline, "the import never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let t = Instant::now();
    assert!(std::process::Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap().success());
    let status = worker.wait().unwrap();
    assert!(status.success(), "a graceful stop exits 0: {status}");
    assert!(t.elapsed() < Duration::from_secs(10), "stopped promptly");
    let row = &watch.connections().unwrap()[0];
    assert_eq!(row.held_by, None, "the lease was released, not left to expire");
    assert_eq!(row.last_error.as_deref(), Some("stopped mid-pass"));
    assert!(watch.lease_log().unwrap().iter().any(|e| e.event == "release" && e.worker == "term"));
    // Nothing was lost: another worker picks it up at once and finishes.
    let t = Instant::now();
    wait_all(vec![fleet.worker("next", &["--lease-seconds", "600"])]);
    assert!(t.elapsed() < Duration::from_secs(60));
    assert_eq!(stored_export(watch.as_mut(), "shop", &[]), export_of(&mut reference, &[]));
}
}
