//! Clients nobody here wrote, against the store simulator: the PyPI
//! `woocommerce` package and the npm `@woocommerce/woocommerce-rest-api`
//! package, each over plain HTTP (OAuth 1.0a) and over HTTPS (trusting the
//! simulator's CA), listing orders with a filter, reading one, creating and
//! updating a coupon and updating the order (`tests/clients/*.py`, `*.mjs`).
//! `tests/clients/setup.sh` installs them from their registries into target/.
//! Each test then checks the simulator's own state against what the client saw.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use woo_host::sim::{SeedSpec, SimConfig, Simulator};

const CLIENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients");

/// Where setup.sh put the clients: the venv's python and the folder holding
/// node_modules (`None` for one this machine cannot run).
struct Installed {
    python: Option<String>,
    node_dir: Option<String>,
}

/// Install the clients once per test binary (the tests run in parallel and
/// share the venv and node_modules under target/).
fn installed() -> &'static Installed {
    static ONCE: OnceLock<Installed> = OnceLock::new();
    ONCE.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().expect("target dir");
        let python = if cfg!(woo_python) { option_env!("WOO_TEST_PYTHON").unwrap_or("python3") } else { "-" };
        let node_dir = if cfg!(woo_node) { target.join("clients-node") } else { "-".into() };
        let setup = Command::new("bash")
            .arg(format!("{CLIENTS}/setup.sh"))
            .arg(python)
            .arg(target.join("clients-venv"))
            .arg(node_dir)
            .output()
            .expect("run setup.sh");
        assert!(setup.status.success(), "installing the clients failed: {}", String::from_utf8_lossy(&setup.stderr));
        let out = String::from_utf8(setup.stdout).expect("paths");
        let mut lines = out.lines().map(|l| Some(l.to_string()).filter(|l| l != "-"));
        Installed { python: lines.next().flatten(), node_dir: lines.next().flatten() }
    })
}

/// A simulator with processing and completed orders, on a runtime that
/// keeps serving while a client process runs.
fn simulator() -> (tokio::runtime::Runtime, Simulator) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 10, orders: 40, products: 8, seed: 7 },
            ..Default::default()
        }))
        .unwrap();
    (rt, sim)
}

/// Run a client script and read the JSON summary it prints.
fn run(cmd: &mut Command) -> Value {
    // A proxy from the environment must not stand between a client and loopback.
    let out = cmd.env("NO_PROXY", "127.0.0.1,localhost").env("no_proxy", "127.0.0.1,localhost").output().unwrap();
    assert!(
        out.status.success(),
        "the client failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn python_client(sim: &Simulator, url: &str, tag: &str, ca: Option<&Path>) -> Value {
    let python = installed().python.clone().expect("python installed");
    let mut cmd = Command::new(python);
    cmd.arg(format!("{CLIENTS}/woocommerce_client.py")).args([url, &sim.consumer_key, &sim.consumer_secret, tag]);
    if let Some(ca) = ca {
        cmd.arg(ca);
    }
    run(&mut cmd)
}

fn node_client(sim: &Simulator, url: &str, tag: &str) -> Value {
    let node_dir = installed().node_dir.clone().expect("node client installed");
    let mut cmd = Command::new("node");
    cmd.arg(format!("{CLIENTS}/woocommerce_client.mjs"))
        .args([node_dir.as_str(), url, &sim.consumer_key, &sim.consumer_secret, tag])
        .env("NODE_EXTRA_CA_CERTS", &sim.ca_cert);
    run(&mut cmd)
}

/// What the client saw is what the simulator holds: the listed orders are the
/// first `per_page` by id among those with `statuses`, the order read is the
/// first of them and carries the note, the coupon exists with the updated amount.
fn check(sim: &Simulator, seen: &Value, tag: &str, statuses: &[&str], per_page: usize) {
    let d = sim.state.data.read().unwrap();
    let mut want: Vec<u64> = d
        .orders
        .iter()
        .filter(|o| statuses.iter().any(|s| o["status"] == *s))
        .filter_map(|o| o["id"].as_u64())
        .collect();
    want.sort_unstable();
    want.truncate(per_page);
    assert!(!want.is_empty(), "the seed has orders with {statuses:?}");
    let listed: Vec<u64> = seen["listed"].as_array().unwrap().iter().filter_map(Value::as_u64).collect();
    assert_eq!(listed, want, "{seen}");
    assert!(seen["statuses"].as_array().unwrap().iter().all(|s| statuses.contains(&s.as_str().unwrap())), "{seen}");
    assert_eq!(seen["got"].as_u64(), Some(want[0]), "{seen}");
    let order = d.orders.iter().find(|o| o["id"].as_u64() == Some(want[0])).unwrap();
    assert_eq!(order["customer_note"], format!("noted by {tag}"));
    assert_eq!(seen["note"], format!("noted by {tag}"));
    let coupon = d.coupons.iter().find(|c| c["id"] == seen["coupon"]).unwrap_or_else(|| panic!("{seen}"));
    assert_eq!((coupon["code"].as_str(), coupon["amount"].as_str()), (Some(&*format!("{tag}-client")), Some("7.50")));
    assert_eq!(coupon["discount_type"], "percent");
    assert_eq!((seen["code"].as_str(), seen["amount"].as_str()), (Some(&*format!("{tag}-client")), Some("7.50")));
}

/// The queries of the simulator's answered `GET /orders` requests.
fn order_list_queries(sim: &Simulator) -> Vec<(String, u16)> {
    let seen = sim.state.seen.lock().unwrap();
    seen.iter()
        .filter(|r| r.method == "GET" && r.path == "/wp-json/wc/v3/orders")
        .map(|r| (r.query.clone(), r.status))
        .collect()
}

/// Over plain HTTP the PyPI client signs with OAuth 1.0a and then appends
/// its query parameters a second time; WooCommerce reads the repeated keys as
/// PHP does (the last value) and so does the simulator.
#[test]
#[cfg_attr(not(woo_python), ignore = "needs Python 3.10 or newer (python3 on PATH, or WOO_TEST_PYTHON)")]
fn pypi_woocommerce_client_over_http_oauth_lists_gets_creates_and_updates() {
    let (_rt, sim) = simulator();
    let seen = python_client(&sim, &sim.http_url, "py-http", None);
    check(&sim, &seen, "py-http", &["processing"], 3);
    let lists = order_list_queries(&sim);
    assert!(
        lists.iter().any(|(q, status)| *status == 200
            && q.matches("status=processing").count() == 2
            && q.contains("oauth_signature=")),
        "the client repeats its parameters: {lists:?}"
    );
}

/// Over HTTPS the PyPI client sends Basic auth (and query-string keys when
/// asked), trusting the simulator's CA through `verify_ssl`.
#[test]
#[cfg_attr(not(woo_python), ignore = "needs Python 3.10 or newer (python3 on PATH, or WOO_TEST_PYTHON)")]
fn pypi_woocommerce_client_over_https_with_the_simulators_ca() {
    let (_rt, sim) = simulator();
    let seen = python_client(&sim, &sim.https_url, "py-https", Some(&sim.ca_cert));
    check(&sim, &seen, "py-https", &["processing"], 3);
    let reads = sim.state.seen.lock().unwrap();
    assert!(
        reads.iter().any(|r| r.path.starts_with("/wp-json/wc/v3/orders/") && r.query.contains("consumer_key=")),
        "the single-order read used query-string keys"
    );
}

/// Over plain HTTP the npm client writes an array filter as
/// `status[0]=…&status[1]=…` and signs it so, which is how PHP reads it and
/// WooCommerce signs it.
#[test]
#[cfg_attr(not(woo_node), ignore = "needs Node 18.17 or newer and npm on PATH")]
fn npm_woocommerce_rest_api_over_http_oauth_lists_gets_creates_and_updates() {
    let (_rt, sim) = simulator();
    let seen = node_client(&sim, &sim.http_url, "npm-http");
    check(&sim, &seen, "npm-http", &["processing", "completed"], 4);
    let lists = order_list_queries(&sim);
    assert!(
        lists.iter().any(|(q, status)| *status == 200 && q.contains("status[0]=processing&status[1]=completed")),
        "an array filter: {lists:?}"
    );
}

/// Over HTTPS the npm client sends Basic auth and trusts the simulator's CA
/// through NODE_EXTRA_CA_CERTS; axios writes the array filter as `status[]=`.
#[test]
#[cfg_attr(not(woo_node), ignore = "needs Node 18.17 or newer and npm on PATH")]
fn npm_woocommerce_rest_api_over_https_with_node_extra_ca_certs() {
    let (_rt, sim) = simulator();
    let seen = node_client(&sim, &sim.https_url, "npm-https");
    check(&sim, &seen, "npm-https", &["processing", "completed"], 4);
}
