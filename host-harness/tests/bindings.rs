//! The component under hosts we did not write in Rust: the Node package
//! (bindings/node, jco in a worker thread) and the Python example
//! (bindings/python, the PyPI `wasmtime`), against the simulator. Each runs
//! the README's own snippet (extracted from README.md) or the conformance
//! test of HOSTING.md, and imports as many records of a seeded store as the
//! in-process session (`woo`'s own host) does. The packages come from the
//! registries through bindings/setup.sh, once per run of this binary.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};
use woo_host::runtime::{Limits, Runtime};
use woo_host::sim::{SeedSpec, SimConfig, Simulator};
use woo_host::storage::sqlite::SqliteStorage;
use woo_host::wit::kind_name;
use woo_host::wit::types::Kind;

const ALL: [Kind; 5] = [Kind::Contacts, Kind::Orders, Kind::Transactions, Kind::Products, Kind::Collections];
/// Record kinds as the platform stores them, beside the sync kinds that make them.
const KINDS: [(&str, &str); 5] = [
    ("contact", "contacts"),
    ("order", "orders"),
    ("transaction", "transactions"),
    ("product", "products"),
    ("collection", "collections"),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// bindings/setup.sh, run once (npm ci, jco transpile, the venv): the venv's python.
fn setup() -> String {
    static VENV: OnceLock<String> = OnceLock::new();
    static LOCK: Mutex<()> = Mutex::new(());
    let _one = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    VENV.get_or_init(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bindings-venv");
        let python = option_env!("WOO_TEST_PYTHON").unwrap_or("python3");
        let out = Command::new("bash")
            .arg(root().join("bindings/setup.sh"))
            .args([env!("WOO_PLUGIN_WASM"), python, venv.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success(), "bindings/setup.sh failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
    .clone()
}

/// A seeded simulator, and what `woo`'s own host imports from it: the report's
/// records per sync kind and the records stored per record kind.
struct Store {
    sim: Simulator,
    reported: BTreeMap<String, u64>,
    stored: BTreeMap<String, u64>,
}

fn store(seed: u64) -> (tokio::runtime::Runtime, Store) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt.block_on(async {
        let sim = Simulator::start(SimConfig {
            seed: SeedSpec { customers: 9, orders: 30, products: 8, seed },
            ..Default::default()
        })
        .await
        .unwrap();
        let runtime = Runtime::new(Limits::default()).unwrap();
        let storage = Box::new(SqliteStorage::memory().unwrap());
        let mut s = woo_host::session::connect_simulator(&runtime, storage, &sim).await.unwrap();
        s.begin_call();
        let report = s.bindings.woo_connector_sync().call_import(&mut s.store, &ALL).await.unwrap().unwrap();
        let reported = report.kinds.iter().map(|k| (kind_name(k.kind).to_string(), k.records)).collect();
        let storage = &mut s.store.data_mut().storage;
        let stored = KINDS
            .iter()
            .map(|(record, _)| (record.to_string(), storage.records("default", Some(record)).unwrap().len() as u64))
            .collect();
        Store { sim, reported, stored }
    });
    assert!(store.stored["order"] > 0 && store.stored["contact"] > 0 && store.stored["product"] > 0);
    (rt, store)
}

/// The first fenced block of `lang` under the README heading `heading`.
fn readme_snippet(heading: &str, lang: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section =
        readme.split(&format!("\n## {heading}\n")).nth(1).unwrap_or_else(|| panic!("README: no ## {heading}"));
    let section = section.split("\n## ").next().unwrap();
    let block = section.split(&format!("```{lang}\n")).nth(1).unwrap_or_else(|| panic!("{heading}: no {lang} block"));
    block.split("\n```").next().unwrap().to_string()
}

fn run(mut cmd: Command, what: &str) -> String {
    let out: Output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed: {stderr}\n{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).unwrap()
}

/// The snippets print `<n> tools; <m> orders on the first page` and then the
/// import report's [kind, records] pairs as JSON.
fn check_snippet_output(out: &str, store: &Store) {
    let mut lines = out.lines();
    let first = lines.next().unwrap_or_default();
    let tools: u64 = first.split(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{first}"));
    assert!(tools >= 20, "{first}");
    assert!(first.ends_with("tools; 5 orders on the first page"), "{first}");
    let pairs: Vec<(String, u64)> = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(pairs.into_iter().collect::<BTreeMap<_, _>>(), store.reported, "records per kind, against woo's import");
}

#[test]
#[cfg_attr(not(woo_node), ignore = "needs Node 18.17 or newer and npm on PATH")]
fn node_package_runs_the_readme_example_and_imports_as_many_records_as_woo() {
    setup();
    let (_rt, store) = store(22);
    // As a platform would use it: `npm install <path>` puts the package in node_modules.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("node_modules")).unwrap();
    std::os::unix::fs::symlink(root().join("bindings/node"), dir.path().join("node_modules/woo-connector")).unwrap();
    std::fs::write(dir.path().join("example.mjs"), readme_snippet("Use it from Node", "js")).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg("example.mjs")
        .current_dir(dir.path())
        .env("NODE_EXTRA_CA_CERTS", &store.sim.ca_cert)
        .env("WOO_STORE_URL", &store.sim.https_url)
        .env("WOO_CONSUMER_KEY", &store.sim.consumer_key)
        .env("WOO_CONSUMER_SECRET", &store.sim.consumer_secret);
    let before = store.sim.state.seen.lock().unwrap().len();
    check_snippet_output(&run(cmd, "the README's Node example"), &store);
    let seen = store.sim.state.seen.lock().unwrap();
    assert!(seen[before..].iter().any(|r| r.path == "/wp-json/wc/v3/orders"), "list-orders reached the store");
}

#[test]
#[cfg_attr(not(woo_python), ignore = "needs Python 3.10 or newer (python3 on PATH, or WOO_TEST_PYTHON)")]
fn python_host_runs_the_readme_example_and_imports_as_many_records_as_woo() {
    let python = setup();
    let (_rt, store) = store(22);
    let mut cmd = Command::new(python);
    // Plain HTTP (OAuth 1.0a): the `wasmtime` package's HTTP trusts only public CAs.
    cmd.args(["-c", &readme_snippet("Use it from Python", "python")])
        .current_dir(root())
        .env("PYTHONPATH", root().join("bindings/python"))
        .env("WOO_PLUGIN_WASM", env!("WOO_PLUGIN_WASM"))
        .env("WOO_STORE_URL", &store.sim.http_url)
        .env("WOO_CONSUMER_KEY", &store.sim.consumer_key)
        .env("WOO_CONSUMER_SECRET", &store.sim.consumer_secret);
    check_snippet_output(&run(cmd, "the README's Python example"), &store);
}

#[test]
#[cfg_attr(
    any(not(woo_node), not(woo_python)),
    ignore = "needs Node 18.17 or newer with npm, and Python 3.10 or newer, on PATH"
)]
fn node_and_python_hosts_pass_the_hosting_md_conformance_test_holding_as_many_records_as_woo() {
    let python = setup();
    let (_rt, store) = store(22);
    let bin = Path::new(&python).parent().unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &format!("set -euo pipefail\n{}", readme_snippet("Host it yourself", "sh"))])
        .current_dir(root())
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("WOO_PLUGIN_WASM", env!("WOO_PLUGIN_WASM"))
        .env("NODE_EXTRA_CA_CERTS", &store.sim.ca_cert)
        .env("WOO_STORE_URL", &store.sim.http_url)
        .env("WOO_CONSUMER_KEY", &store.sim.consumer_key)
        .env("WOO_CONSUMER_SECRET", &store.sim.consumer_secret);
    let out = run(cmd, "the README's conformance commands");
    let summaries: Vec<Value> =
        out.lines().filter(|l| l.starts_with('{')).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(summaries.len(), 2, "one summary per host: {out}");
    let steps = std::fs::read_to_string(root().join("bindings/conformance/steps.json")).unwrap();
    let steps = serde_json::from_str::<Value>(&steps).unwrap()["steps"].as_array().unwrap().len() as u64;
    for s in &summaries {
        assert_eq!((s["passed"].as_u64(), s["failed"].as_array().map(Vec::len)), (Some(steps), Some(0)), "{s}");
        for (record, _) in KINDS {
            assert_eq!(s["held"][record].as_u64(), Some(store.stored[record]), "{record}s held, against woo's: {s}");
        }
        // All of the component's state in one bucket, named `default` when the host names none.
        assert_eq!(s["buckets"], serde_json::json!(["default"]), "{s}");
    }
}

/// A seeded simulator alone (the tools component keeps nothing to compare).
fn simulator() -> (tokio::runtime::Runtime, Simulator) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(SimConfig {
        seed: SeedSpec { customers: 9, orders: 30, products: 8, seed: 22 },
        ..Default::default()
    }));
    (rt, sim.unwrap())
}

/// The snippets of the tools component print `<n> tools; 5 orders on the first page`,
/// after a `list-orders` that reached the store.
fn check_tools_output(out: &str, sim: &Simulator, before: usize) {
    let first = out.lines().next().unwrap_or_default();
    let tools: u64 = first.split(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{first}"));
    assert!(tools >= 20, "{first}");
    assert!(first.ends_with("tools; 5 orders on the first page"), "{first}");
    let seen = sim.state.seen.lock().unwrap();
    assert!(seen[before..].iter().any(|r| r.path == "/wp-json/wc/v3/orders"), "list-orders reached the store");
}

#[test]
#[cfg_attr(not(woo_python), ignore = "needs Python 3.10 or newer (python3 on PATH, or WOO_TEST_PYTHON)")]
fn tools_component_runs_on_the_stock_pypi_wasmtime_configured_by_the_environment() {
    let python = setup();
    let (_rt, sim) = simulator();
    let snippet = readme_snippet("Host it yourself", "python");
    let cmd = |secret: Option<&str>| {
        let mut cmd = Command::new(&python);
        // Plain HTTP (OAuth 1.0a): the `wasmtime` package's HTTP trusts only public CAs.
        cmd.args(["-c", &snippet])
            .current_dir(root())
            .env_remove("WOO_CONSUMER_SECRET")
            .env("WOO_TOOLS_WASM", env!("WOO_TOOLS_WASM"))
            .env("WOO_STORE_URL", &sim.http_url)
            .env("WOO_CONSUMER_KEY", &sim.consumer_key);
        if let Some(s) = secret {
            cmd.env("WOO_CONSUMER_SECRET", s);
        }
        cmd
    };
    let before = sim.state.seen.lock().unwrap().len();
    check_tools_output(
        &run(cmd(Some(&sim.consumer_secret)), "the README's tools component on wasmtime-py"),
        &sim,
        before,
    );
    // No secret in the environment: refused by name before any request.
    let before = sim.state.seen.lock().unwrap().len();
    let out = cmd(None).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("invalid-input") && stderr.contains("WOO_CONSUMER_SECRET"),
        "{stderr}"
    );
    assert_eq!(sim.state.seen.lock().unwrap().len(), before, "nothing sent without a key");
    // A wrong secret: the store's refusal, typed.
    let out = cmd(Some("cs_0000000000000000000000000000000000000000")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("call-tool: auth"), "{stderr}");
}

#[test]
#[cfg_attr(not(woo_node), ignore = "needs Node 18.17 or newer and npm on PATH")]
fn tools_component_runs_under_jco_with_the_stock_preview2_shim_configured_by_the_environment() {
    setup();
    let (_rt, sim) = simulator();
    // As the README says: jco transpile in a project that has jco and the
    // shim installed (bindings/node's, pinned by its package-lock.json).
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root().join("bindings/node/node_modules"), dir.path().join("node_modules")).unwrap();
    let mut jco = Command::new(root().join("bindings/node/node_modules/.bin/jco"));
    jco.args(["transpile", env!("WOO_TOOLS_WASM"), "-o", "woo-tools", "--quiet"]).current_dir(dir.path());
    run(jco, "jco transpile of the tools component");
    std::fs::write(dir.path().join("tools.mjs"), readme_snippet("Host it yourself", "js")).unwrap();
    let mut cmd = Command::new("node");
    cmd.arg("tools.mjs")
        .current_dir(dir.path())
        .env("NODE_EXTRA_CA_CERTS", &sim.ca_cert)
        .env("WOO_STORE_URL", &sim.https_url)
        .env("WOO_CONSUMER_KEY", &sim.consumer_key)
        .env("WOO_CONSUMER_SECRET", &sim.consumer_secret);
    let before = sim.state.seen.lock().unwrap().len();
    check_tools_output(&run(cmd, "the README's tools component under jco"), &sim, before);
}
