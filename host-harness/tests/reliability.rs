//! Reliability and security: the faults real stores produce are
//! survived with nothing lost or duplicated, a killed `woo` resumes to the
//! same records, a revoked key pauses and resumes, and no secret leaks.

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use woo_host::sim::{Faults, SeedSpec, SimConfig, Simulator};
use woo_host::wit;

mod common;
use common::woo_command as woo;
use common::world::{ALL, World, comparable};

/// Latency spikes, 429 bursts with Retry-After, 500/502/503/504, resets and
/// cut bodies: together well over 10 % of the requests.
fn fault_matrix() -> Faults {
    Faults {
        every_spike: 7,
        spike_ms: 150,
        every_429: 11,
        burst_429: 2,
        retry_after_secs: 1,
        every_500: 13,
        every_502: 17,
        every_503: 19,
        every_504: 23,
        every_reset: 29,
        every_truncate: 31,
        ..Faults::new()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix_import_and_sync_with_injected_faults_export_exactly_what_a_clean_run_does() {
    let mut clean = World::new(150, 450, 60).await;
    let mut faulty = World::new(150, 450, 60).await;
    *faulty.sim.state.faults.lock().unwrap() = fault_matrix();
    let mut placed = vec![];
    for w in [&mut clean, &mut faulty] {
        w.import(&ALL).await.unwrap();
        // The same changes on both stores, then a sync pass: triggers too.
        for (i, paid) in [(0, false), (1, true), (2, true)] {
            placed.push(w.sim.state.place_order(0, &format!("fault{i}@example.test"), paid)["id"].as_u64().unwrap());
        }
        w.sync().await.unwrap();
    }
    let served = faulty.sim.state.requests.load(Ordering::SeqCst);
    let faulted = faulty.sim.state.faulted.load(Ordering::SeqCst);
    assert!(faulted * 10 >= served, "at least 10 % of requests faulted: {faulted} of {served}");
    let want = clean.export(&placed);
    let got = faulty.export(&placed);
    assert_eq!(got.len(), want.len());
    assert!(want.keys().any(|k| k.starts_with("woo:trigger:")));
    assert!(got == want, "records differ after faults: {:?}", differing(&got, &want));
}

#[tokio::test(flavor = "multi_thread")]
async fn fault_store_down_for_good_gives_up_with_a_typed_error_saying_how_often_it_tried() {
    let mut w = World::new(10, 10, 5).await;
    *w.sim.state.faults.lock().unwrap() = Faults { every_503: 1, ..Faults::new() };
    let before = w.requests();
    let e = w.import(&ALL).await.unwrap_err();
    let wit::types::Error::Remote(r) = &e else { panic!("{e:?}") };
    assert_eq!(r.status, 503);
    assert!(r.message.contains("after 6 attempts"), "{}", r.message);
    assert_eq!(w.requests() - before, 6, "bounded attempts");
    let info = w.s.bindings.woo_connector_connection().call_status(&mut w.s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::Connected, "a down store is not a credentials problem");
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_credentials_mid_import_pause_with_one_notification_keep_records_and_complete_after_reconnecting() {
    let mut clean = World::new(150, 450, 60).await;
    clean.import(&ALL).await.unwrap();
    let mut w = World::new(150, 450, 60).await;
    let start = w.sim.state.requests.load(Ordering::SeqCst);
    w.sim.state.faults.lock().unwrap().revoke_after = start + 8;
    assert!(matches!(w.import(&ALL).await, Err(wit::types::Error::Auth(_))));
    let info = w.s.bindings.woo_connector_connection().call_status(&mut w.s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::ReconnectRequired);
    let kept = w.export(&[]);
    assert!(kept.keys().any(|k| k.starts_with("woo:product:")), "records stored before the revocation are kept");
    assert_eq!(kept.keys().filter(|k| k.starts_with("woo:notification:")).count(), 1);
    assert!(matches!(w.import(&ALL).await, Err(wit::types::Error::ReconnectRequired(_))), "paused until reconnected");
    // The owner makes a new key (here: the old one works again) and reconnects.
    w.sim.state.faults.lock().unwrap().revoke_after = 0;
    w.reconnect().await.unwrap();
    w.import(&ALL).await.unwrap();
    let mut got = w.export(&[]);
    assert_eq!(got.keys().filter(|k| k.starts_with("woo:notification:")).count(), 1, "one notification");
    got.retain(|k, _| !k.starts_with("woo:notification:"));
    assert_eq!(got, clean.export(&[]), "the import completes to exactly the clean records");
}

// ---- Crash safety: SIGKILL of the `woo` process ----

fn run(args: &[&str]) -> String {
    let out = woo().args(args).output().unwrap();
    assert!(out.status.success(), "woo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `woo export` as a map (see `comparable`).
fn export(db: &str, placed: &[u64]) -> BTreeMap<String, Value> {
    comparable(run(&["--db", db, "export"]).lines().map(|l| serde_json::from_str(l).unwrap()), placed)
}

/// The ids whose records differ, for a readable failure.
fn differing(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> Vec<String> {
    a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).take(10).cloned().collect()
}

#[test]
fn crash_killed_three_times_during_the_first_import_ends_with_the_clean_export_triggers_included() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let start = |latency_ms| {
        rt.block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 2000, orders: 6000, products: 400, seed: 5 },
            faults: Faults { latency_ms, ..Faults::new() },
            ..Default::default()
        }))
        .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let connect = |sim: &Simulator, db: &str| {
        let ca = sim.ca_cert.to_str().unwrap().to_string();
        run(&[
            "--db",
            db,
            "connect",
            "--ca-cert",
            &ca,
            "--store",
            &sim.https_url,
            "--key",
            &sim.consumer_key,
            "--secret",
            &sim.consumer_secret,
            "--import",
            "none",
        ]);
    };
    let placed = std::cell::RefCell::new(vec![]);
    let finish = |sim: &Simulator, db: &str| {
        run(&["--db", db, "import"]);
        for (i, paid) in [(0, false), (1, true)] {
            placed
                .borrow_mut()
                .push(sim.state.place_order(0, &format!("crash{i}@example.test"), paid)["id"].as_u64().unwrap());
        }
        run(&["--db", db, "sync"]);
        run(&["--db", db, "sync"]);
    };

    let clean_sim = start(0);
    let clean_db = dir.path().join("clean.db");
    let clean_db = clean_db.to_str().unwrap();
    connect(&clean_sim, clean_db);
    finish(&clean_sim, clean_db);

    let sim = start(10);
    let db = dir.path().join("crash.db");
    let db = db.to_str().unwrap();
    connect(&sim, db);
    // Kill in the products, the contacts and the orders phases.
    for kill_after in [5, 20, 40] {
        let base = sim.state.requests.load(Ordering::SeqCst);
        let mut child = woo().args(["--db", db, "import"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while sim.state.requests.load(Ordering::SeqCst) < base + kill_after {
            assert!(Instant::now() < deadline, "the import did not reach request {kill_after}");
            assert!(child.try_wait().unwrap().is_none(), "the import ended before it could be killed at {kill_after}");
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    finish(&sim, db);
    let placed = placed.into_inner();
    let want = export(clean_db, &placed);
    let got = export(db, &placed);
    assert!(want.keys().any(|k| k.starts_with("woo:trigger:")), "the clean run fired triggers");
    assert_eq!(got.len(), want.len());
    assert!(got == want, "records differ: {:?}", differing(&got, &want));
}
