//! End-to-end tests of the foundation: the built component in wasmtime,
//! driven through the host, against the store simulator.

mod common;
use serde_json::Value;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use woo_host::http_policy::{HttpPolicy, tls_config};
use woo_host::runtime::{self, Limits, Runtime};
use woo_host::sim::{Faults, SeedSpec, SimConfig, Simulator};
use woo_host::storage::sqlite::SqliteStorage;
use woo_host::wit;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(Limits::default()).expect("runtime"))
}

async fn sim(customers: u64, orders: u64, products: u64) -> Simulator {
    Simulator::start(SimConfig { seed: SeedSpec { customers, orders, products, seed: 3 }, ..Default::default() })
        .await
        .expect("simulator")
}

async fn session_for(url: &str, ca: Option<&std::path::Path>) -> runtime::Session {
    let mut policy = HttpPolicy::default();
    policy.allow_store(url);
    policy.tls = Some(tls_config(ca).expect("tls"));
    runtime().session(Box::new(SqliteStorage::memory().unwrap()), "default", policy).await.expect("session")
}

fn config(
    url: &str,
    key: &str,
    secret: &str,
    method: wit::connection::SignatureMethod,
) -> wit::connection::ConnectConfig {
    wit::connection::ConnectConfig {
        store_url: url.into(),
        consumer_key: key.into(),
        consumer_secret: secret.into(),
        signature_method: Some(method),
        owner_email: Some("owner@example.test".into()),
    }
}

async fn connect(
    s: &mut runtime::Session,
    cfg: &wit::connection::ConnectConfig,
) -> Result<wit::connection::StoreInfo, wit::types::Error> {
    s.begin_call();
    s.bindings.woo_connector_connection().call_connect(&mut s.store, cfg).await.expect("no trap")
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth1_hmac_sha256_and_sha1_signatures_pass_the_simulators_verifier() {
    let sim = sim(5, 5, 5).await;
    for method in [wit::connection::SignatureMethod::HmacSha256, wit::connection::SignatureMethod::HmacSha1] {
        let mut s = session_for(&sim.http_url, None).await;
        let info = connect(&mut s, &config(&sim.http_url, &sim.consumer_key, &sim.consumer_secret, method))
            .await
            .expect("connect over plain HTTP");
        assert!(info.auth_method.starts_with("oauth1-hmac-sha"), "{}", info.auth_method);
        assert_eq!(info.woocommerce_version.as_deref(), Some(woo_host::sim::DEFAULT_VERSION));
        assert!(info.warnings.iter().any(|w| w.contains("unencrypted")));
    }
    // Every request over HTTP carried a verified signature: none was refused.
    let seen = sim.state.seen.lock().unwrap();
    assert!(seen.iter().all(|r| r.status == 200), "{seen:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth1_wrong_secret_is_refused_by_the_verifier_as_a_typed_auth_error() {
    let sim = sim(5, 5, 5).await;
    let mut s = session_for(&sim.http_url, None).await;
    let bad = format!("cs_{}", "0".repeat(40));
    let err =
        connect(&mut s, &config(&sim.http_url, &sim.consumer_key, &bad, wit::connection::SignatureMethod::HmacSha256))
            .await
            .unwrap_err();
    match err {
        wit::types::Error::Auth(r) => {
            assert_eq!(r.status, 401);
            assert_eq!(r.code, "woocommerce_rest_authentication_error");
            assert!(r.message.contains("signature"), "{}", r.message);
        }
        other => panic!("expected auth error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_over_https_with_the_extra_ca_certificate() {
    let sim = sim(5, 5, 5).await;
    let mut s = session_for(&sim.https_url, Some(&sim.ca_cert)).await;
    let info = connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap();
    assert_eq!(info.auth_method, "basic");
    assert!(info.warnings.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn https_without_the_ca_certificate_fails_with_a_clear_tls_message() {
    let sim = sim(5, 5, 5).await;
    let mut s = session_for(&sim.https_url, None).await;
    let err = connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap_err();
    assert!(matches!(&err, wit::types::Error::Transport(m) if m.contains("certificate")), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn allowlist_blocks_a_request_to_any_other_host() {
    let sim = sim(5, 5, 5).await;
    // The host allows only a different store; the guest is asked to reach the simulator.
    let mut s = session_for("https://127.0.0.1:9", Some(&sim.ca_cert)).await;
    let err = connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap_err();
    assert!(matches!(&err, wit::types::Error::Transport(m) if m.contains("only the connected store")), "{err:?}");
    assert_eq!(sim.state.requests.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached the other host");
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_across_pages_imports_every_record_once_at_per_page_100() {
    let sim = sim(250, 430, 60).await;
    let mut s = session_for(&sim.https_url, Some(&sim.ca_cert)).await;
    connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap();
    s.begin_call();
    let kinds = [wit::types::Kind::Orders, wit::types::Kind::Contacts];
    let report: wit::sync::Report =
        s.bindings.woo_connector_sync().call_import(&mut s.store, &kinds).await.unwrap().unwrap();
    let expected_orders =
        sim.state.data.write().unwrap().orders.iter().filter(|o| o["status"] != "checkout-draft").count() as u64;
    let orders = report.kinds.iter().find(|k| k.kind == wit::types::Kind::Orders).unwrap();
    assert_eq!(orders.records, expected_orders);
    let stored = s.store.data_mut().storage.records("default", Some("order")).unwrap();
    assert_eq!(stored.len() as u64, expected_orders);
    let seen = sim.state.seen.lock().unwrap();
    let order_pages: Vec<&str> =
        seen.iter().filter(|r| r.path.ends_with("/orders")).map(|r| r.query.as_str()).collect();
    assert_eq!(order_pages.len() as u64, expected_orders.div_ceil(100), "one request per page");
    assert!(order_pages.iter().all(|q| q.contains("per_page=100")));
}

#[tokio::test(flavor = "multi_thread")]
async fn woocommerce_error_json_becomes_the_typed_error() {
    let sim = sim(5, 5, 5).await;
    let mut s = session_for(&sim.https_url, Some(&sim.ca_cert)).await;
    connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap();
    s.begin_call();
    let r =
        s.bindings.woo_connector_tools().call_call_tool(&mut s.store, "get-order", r#"{"id": 999999}"#).await.unwrap();
    match r.unwrap_err() {
        wit::types::Error::NotFound(e) => {
            assert_eq!(e.status, 404);
            assert_eq!(e.code, "woocommerce_rest_shop_order_invalid_id");
        }
        other => panic!("{other:?}"),
    }
    // A missing record leaves the connection alone.
    let info = s.bindings.woo_connector_connection().call_status(&mut s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn api_gone_moves_the_connection_to_reconnect_required_with_one_notification() {
    let sim = sim(5, 5, 5).await;
    let mut s = session_for(&sim.https_url, Some(&sim.ca_cert)).await;
    connect(
        &mut s,
        &config(&sim.https_url, &sim.consumer_key, &sim.consumer_secret, wit::connection::SignatureMethod::HmacSha256),
    )
    .await
    .unwrap();
    *sim.state.faults.lock().unwrap() = Faults { api_gone: true, ..Default::default() };
    for _ in 0..2 {
        s.begin_call();
        let r = s.bindings.woo_connector_sync().call_import(&mut s.store, &[wit::types::Kind::Orders]).await.unwrap();
        assert!(r.is_err());
    }
    let info = s.bindings.woo_connector_connection().call_status(&mut s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::ReconnectRequired);
    let notes = s.store.data_mut().storage.records("default", Some("notification")).unwrap();
    assert_eq!(notes.len(), 1);
}

/// A component that never returns, to prove the host's compute limit.
const ENDLESS: &str = r#"(component
  (core module $m
    (memory (export "memory") 1)
    (func (export "spin") (loop $l (br $l)))
    (func (export "grow") (result i32) (memory.grow (i32.const 4096))))
  (core instance $i (instantiate $m))
  (func (export "spin") (canon lift (core func $i "spin")))
  (func (export "grow") (result s32) (canon lift (core func $i "grow"))))"#;

#[tokio::test(flavor = "multi_thread")]
async fn guest_limit_stops_an_endless_guest_and_caps_its_memory() {
    let engine = runtime().engine().clone();
    let component = wasmtime::component::Component::new(&engine, wat::parse_str(ENDLESS).unwrap()).unwrap();
    let linker = wasmtime::component::Linker::new(&engine);
    let limits = Limits { memory_bytes: 16 << 20, guest_cpu: Duration::from_millis(500) };
    let mut store = runtime::new_store(
        &engine,
        limits,
        Box::new(SqliteStorage::memory().unwrap()),
        "default",
        HttpPolicy::default(),
    );
    let instance = linker.instantiate_async(&mut store, &component).await.unwrap();
    let spin = instance.get_typed_func::<(), ()>(&mut store, "spin").unwrap();
    let started = Instant::now();
    let err = spin.call_async(&mut store, ()).await.unwrap_err();
    assert!(format!("{err:?}").contains("compute limit"), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "stopped promptly");
    // A new store keeps serving: the host is not affected.
    let mut store = runtime::new_store(
        &engine,
        limits,
        Box::new(SqliteStorage::memory().unwrap()),
        "default",
        HttpPolicy::default(),
    );
    let instance = linker.instantiate_async(&mut store, &component).await.unwrap();
    let grow = instance.get_typed_func::<(), (i32,)>(&mut store, "grow").unwrap();
    let (pages,) = grow.call_async(&mut store, ()).await.unwrap();
    assert_eq!(pages, -1, "growing to 256 MiB past a 16 MiB cap is refused");
}

#[test]
fn component_imports_no_filesystem_no_sockets_and_one_wasi_version_per_package() {
    let engine = runtime().engine();
    let component = runtime::load_cached(engine, runtime::COMPONENT_WASM).unwrap();
    let ty = component.component_type();
    let names: Vec<String> = ty.imports(engine).map(|(n, _)| n.to_string()).collect();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| !n.starts_with("wasi:filesystem") && !n.starts_with("wasi:sockets")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("wasi:http/outgoing-handler@0.2.")), "{names:?}");
    assert!(names.iter().any(|n| n == "wasi:keyvalue/store@0.2.0-draft"), "{names:?}");
    let mut versions = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
    for n in &names {
        if let Some((pkg_iface, version)) = n.split_once('@') {
            let pkg = pkg_iface.split('/').next().unwrap_or(pkg_iface).to_string();
            versions.entry(pkg).or_default().insert(version.to_string());
        }
    }
    for (pkg, v) in versions {
        assert_eq!(v.len(), 1, "{pkg} is imported at several versions: {v:?}");
    }
}

// ---- The CLI, as a user runs it ----

fn woo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_woo")).args(args).env_remove("WOO_DB").output().expect("run woo")
}

#[test]
fn woo_demo_imports_a_simulated_store_with_at_least_1000_orders() {
    let out = woo(&["demo", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Value> =
        stdout.lines().map(|l| serde_json::from_str(l).expect("each stdout line is JSON")).collect();
    let v = &lines[0];
    assert_eq!(v["phase"], "import");
    let orders =
        v["kinds"].as_array().unwrap().iter().find(|k| k["kind"] == "orders").unwrap()["records"].as_u64().unwrap();
    assert!(orders >= 1000, "{v}");
    assert!(v["store"]["orders"].as_u64().unwrap() >= 1000);
    // Then the change set and the incremental sync, with its triggers.
    let sync = &lines[1];
    assert_eq!(sync["phase"], "sync");
    assert!(sync["fired"].as_array().unwrap().iter().any(|f| f["trigger"] == "order_submitted"));
}

#[test]
fn url_rules_refuse_credentials_query_fragment_and_other_schemes_with_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    for (url, needle) in [
        ("https://ck:cs@shop.example.test", "credentials"),
        ("https://shop.example.test/?a=1", "query"),
        ("https://shop.example.test/#x", "fragment"),
        ("ftp://shop.example.test", "https://"),
    ] {
        let out = woo(&["--db", db, "connect", "--store", url, "--key", "ck_abcdef", "--secret", "cs_abcdef"]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("store_url") && err.contains(needle), "{url}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn secrets_scan_a_full_run_prints_logs_and_stores_no_credential_or_webhook_secret() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(sim(30, 60, 20));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let dbs = db.to_str().unwrap();
    let ca = sim.ca_cert.to_str().unwrap();
    let mut outputs = vec![];
    // db flag after the subcommand works too.
    outputs.push(woo(&[
        "connect",
        "--db",
        dbs,
        "--ca-cert",
        ca,
        "--store",
        &sim.https_url,
        "--key",
        &sim.consumer_key,
        "--secret",
        &sim.consumer_secret,
    ]));
    outputs.push(woo(&["--db", dbs, "webhooks", "register", "--delivery-url", "https://hooks.example.test/woo"]));
    {
        let _in_runtime = rt.enter(); // deliveries are spawned
        sim.state.place_order(0, "scan@example.test", true);
    }
    outputs.push(woo(&["--db", dbs, "sync", "--json"]));
    outputs.push(woo(&["--db", dbs, "status", "--json"]));
    outputs.push(woo(&["--db", dbs, "settings"]));
    outputs.push(woo(&["--db", dbs, "export"]));
    outputs.push(woo(&["--db", dbs, "tool", "list-orders", "--args", r#"{"per_page": 2}"#]));
    outputs.push(woo(&["--db", dbs, "tool", "raw-api-request", "--args", r#"{"method": "GET", "path": "/webhooks"}"#]));
    let wrong = format!("cs_{}", "1".repeat(40));
    outputs.push(woo(&[
        "--db",
        dbs,
        "connect",
        "--store",
        &sim.http_url,
        "--key",
        &sim.consumer_key,
        "--secret",
        &wrong,
    ]));
    for (i, o) in outputs.iter().enumerate().take(8) {
        assert!(o.status.success(), "step {i}: {}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(outputs[8].status.code(), Some(3), "wrong secret is an auth failure");
    let webhook_secrets: Vec<String> =
        sim.state.data.write().unwrap().webhooks.iter().map(|w| w["secret"].as_str().unwrap().to_string()).collect();
    assert!(!webhook_secrets.is_empty(), "webhooks were registered with a secret");
    let mut secrets = vec![sim.consumer_key.clone(), sim.consumer_secret.clone(), wrong];
    secrets.extend(webhook_secrets);
    for o in &outputs {
        for text in [String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)] {
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "a secret leaked: {text}");
            }
        }
    }
    // Every byte of the database (still connected), its WAL and shared memory.
    let mut scanned = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "key") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        scanned += bytes.len();
        for secret in &secrets {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds a secret", path.display());
        }
    }
    assert!(scanned > 10_000, "the database was scanned ({scanned} bytes)");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [db.clone(), woo_host::storage::seal::key_path(&db)] {
            assert_eq!(
                std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
                0o600,
                "{} is owner-only",
                f.display()
            );
        }
    }
}

/// The simulator prices a variation the same way whether it is updated alone
/// or in a batch: `price` follows a changed regular or sale price.
#[test]
fn simulator_variation_price_follows_regular_price_alone_and_in_a_batch() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 1, orders: 0, products: 20, seed: 5 },
            ..Default::default()
        }))
        .unwrap();
    let (parent, ids): (u64, Vec<u64>) = {
        let d = sim.state.data.read().unwrap();
        let parent = d.variations[0].0;
        (
            parent,
            d.variations.iter().filter(|(p, _)| *p == parent).filter_map(|(_, v)| v["id"].as_u64()).take(2).collect(),
        )
    };
    let rest = common::Rest {
        base: sim.https_url.clone(),
        ca: Some(sim.ca_cert.clone()),
        key: sim.consumer_key.clone(),
        secret: sim.consumer_secret.clone(),
    };
    let batch = serde_json::json!({"update": [{"id": ids[0], "regular_price": "12.50"}]});
    let a = rest.call("POST", &format!("/products/{parent}/variations/batch"), Some(&batch), common::Auth::Basic);
    assert_eq!(a.status, 200);
    assert_eq!(a.json["update"][0]["price"], "12.50", "batch: {}", a.json);
    let one = serde_json::json!({"regular_price": "7.25"});
    let a = rest.call("PUT", &format!("/products/{parent}/variations/{}", ids[1]), Some(&one), common::Auth::Basic);
    assert_eq!(a.json["price"], "7.25", "alone: {}", a.json);
    let a = rest.call("GET", &format!("/products/{parent}/variations/{}", ids[0]), None, common::Auth::Basic);
    assert_eq!(a.json["price"], "12.50");
}

// ---- Hardening: the CLI's edges ----

#[test]
fn stdout_closed_early_ends_status_tools_and_connections_quietly_with_exit_0() {
    // `woo status | head -1`, made deterministic: the reader is gone before
    // `woo` writes its first line.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    for command in ["status", "tools", "connections"] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_woo"))
            .args(["--db", db.to_str().unwrap(), command])
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "woo {command}: {err}");
        assert!(!err.contains("panicked"), "woo {command}: {err}");
    }
}

#[test]
fn connection_names_follow_the_serve_rule_and_a_bad_one_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let longest = "a".repeat(64);
    for good in ["default", "shop-2_eu.example", longest.as_str()] {
        let out = woo(&["--db", db, "--connection", good, "status"]);
        assert!(out.status.success(), "{good}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let too_long = "a".repeat(65);
    for bad in [too_long.as_str(), "", "a/b", "shop eu", "ümlaut", "../x"] {
        let out = woo(&["--db", db, "--connection", bad, "status"]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("1 to 64 letters"), "{bad:?}");
        let out = Command::new(env!("CARGO_BIN_EXE_woo"))
            .args(["--db", db, "status"])
            .env("WOO_CONNECTION", bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "WOO_CONNECTION={bad:?}");
    }
}

#[test]
fn ca_cert_errors_name_the_users_file_never_a_temporary_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let pem = dir.path().join("staging-ca.pem");
    std::fs::write(&pem, "not a certificate\n").unwrap();
    let out = woo(&[
        "--db",
        db,
        "--ca-cert",
        pem.to_str().unwrap(),
        "connect",
        "--store",
        "https://127.0.0.1:9",
        "--key",
        "ck_abcdef",
        "--secret",
        "cs_abcdef",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains(pem.to_str().unwrap()) && err.contains("no PEM certificate"), "{err}");
    assert!(!err.contains("woo-ca-"), "no temporary copy of the CA is named: {err}");

    // A CA saved by an earlier --ca-cert that no longer reads is named as that.
    let mut storage = woo_host::storage::open(db).unwrap();
    storage
        .kv_set(
            "default",
            woo_host::session::HOST_BUCKET,
            "ca_cert",
            b"-----BEGIN CERTIFICATE-----\nbm90\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
    drop(storage);
    let out = woo(&["--db", db, "status"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("the CA certificate saved for connection `default`") && !err.contains("woo-ca-"), "{err}");
}

#[test]
fn connect_to_a_link_local_address_is_refused_before_any_request_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    for url in [
        "http://169.254.169.254",
        "https://169.254.169.254/latest/meta-data",
        "http://2852039166",
        "http://[fe80::a9fe:a9fe]",
        "http://[::ffff:169.254.169.254]",
    ] {
        let started = Instant::now();
        let out = woo(&["--db", db, "connect", "--store", url, "--key", "ck_abcdef", "--secret", "cs_abcdef"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(err.contains("store_url") && err.contains("link-local"), "{url}: {err}");
        assert!(started.elapsed() < Duration::from_secs(10), "{url}: refused at once, not after a connect timeout");
    }
}
