//! Builds the component (`plugin/`) for `wasm32-wasip2` and hands its path to
//! the host, so one `cargo build` or `cargo test` does everything. The target
//! is installed on first use (rustup), so a fresh machine needs no extra step.
//! Two components come out of the one crate: `woo_plugin.wasm`, the world
//! `connector` (`WOO_PLUGIN_WASM`), and `woo_tools.wasm`, the world
//! `tools-only` built with the `tools-world` feature (`WOO_TOOLS_WASM`).
//!
//! It also sets `cfg(woo_pg)` when `WOO_TEST_POSTGRES` names a PostgreSQL
//! server: the PostgreSQL variants of the tests run then, and show as ignored
//! (with the reason) otherwise, never as passed. Likewise `cfg(woo_python)`
//! when a Python 3.10 or newer is found (`WOO_TEST_PYTHON`, else `python3` …
//! on PATH): the test with the official MCP Python SDK needs one. And
//! `cfg(woo_node)` when Node 18.17 or newer and npm are on PATH: the Node
//! package's tests (host-harness/tests/bindings.rs) and the npm client tests
//! (host-harness/tests/clients.rs) need them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable naming the PostgreSQL server the tests use
/// (`scripts/postgres.sh start` prints it).
const POSTGRES_ENV: &str = "WOO_TEST_POSTGRES";

/// Names the Python the MCP SDK test uses, when not the first on PATH.
const PYTHON_ENV: &str = "WOO_TEST_PYTHON";

/// The first Python 3.10 or newer: `WOO_TEST_PYTHON`, else on PATH.
fn python_3_10() -> Option<String> {
    let given = std::env::var(PYTHON_ENV).ok().filter(|p| !p.is_empty());
    let candidates = given.map_or_else(
        || ["python3", "python3.13", "python3.12", "python3.11", "python3.10"].map(String::from).to_vec(),
        |p| vec![p],
    );
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import sys, venv; sys.exit(sys.version_info[:2] < (3, 10))"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Node 18.17 or newer (ESM, `import.meta.resolve`, worker threads) and npm on PATH.
fn node_18() -> bool {
    let node = Command::new("node")
        .args(["-e", "const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > 18 || (a === 18 && b >= 17) ? 0 : 1)"])
        .output()
        .is_ok_and(|o| o.status.success());
    node && Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success())
}

fn main() {
    println!("cargo:rustc-check-cfg=cfg(woo_node)");
    if node_18() {
        println!("cargo:rustc-cfg=woo_node");
    }
    println!("cargo:rustc-check-cfg=cfg(woo_pg)");
    println!("cargo:rustc-check-cfg=cfg(woo_python)");
    println!("cargo:rerun-if-env-changed={PYTHON_ENV}");
    if let Some(python) = python_3_10() {
        println!("cargo:rustc-cfg=woo_python");
        println!("cargo:rustc-env=WOO_TEST_PYTHON={python}");
    }
    println!("cargo:rerun-if-env-changed={POSTGRES_ENV}");
    if std::env::var(POSTGRES_ENV).is_ok_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=woo_pg");
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.parent().unwrap().to_path_buf();
    for p in ["plugin/src", "plugin/Cargo.toml", "Cargo.toml", "wit", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    println!("cargo:rerun-if-env-changed=WOO_PLUGIN_WASM");
    println!("cargo:rerun-if-env-changed=WOO_TOOLS_WASM");
    if let Ok(prebuilt) = std::env::var("WOO_PLUGIN_WASM") {
        // The tools component: given, or beside the prebuilt one.
        let tools = std::env::var("WOO_TOOLS_WASM")
            .unwrap_or_else(|_| Path::new(&prebuilt).with_file_name("woo_tools.wasm").display().to_string());
        println!("cargo:rustc-env=WOO_PLUGIN_WASM={prebuilt}");
        println!("cargo:rustc-env=WOO_TOOLS_WASM={tools}");
        return;
    }
    ensure_target();
    // A target dir of its own: the outer cargo holds a lock on ours.
    let target_dir = root.join("target").join("plugin-build");
    let out = target_dir.join("wasm32-wasip2/component");
    let wasm = out.join("woo_plugin.wasm");
    build_component(&root, &target_dir, None);
    // Both worlds build to woo_plugin.wasm, the cdylib's one name: the tools
    // world in a target dir of its own (in one dir, each build would relink
    // over the other's file), copied beside the connector.
    let tools_dir = root.join("target").join("plugin-build-tools");
    build_component(&root, &tools_dir, Some("tools-world"));
    let tools = out.join("woo_tools.wasm");
    std::fs::copy(tools_dir.join("wasm32-wasip2/component/woo_plugin.wasm"), &tools)
        .expect("copy the tools component beside the connector");
    assert!(wasm.exists(), "component not found at {}", wasm.display());
    println!("cargo:rustc-env=WOO_PLUGIN_WASM={}", wasm.display());
    println!("cargo:rustc-env=WOO_TOOLS_WASM={}", tools.display());
}

/// `cargo build` of the component, with `feature` when given.
fn build_component(root: &Path, target_dir: &Path, feature: Option<&str>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "-p", "woo-plugin", "--profile", "component", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(target_dir);
    if let Some(f) = feature {
        cmd.args(["--features", f]);
    }
    // Flags meant for the host build must not leak into the wasm build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("run cargo to build the component");
    assert!(status.success(), "building the woo-plugin component ({feature:?}) for wasm32-wasip2 failed");
}

/// Install the wasm32-wasip2 target for the pinned toolchain when it is missing.
fn ensure_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc).args(["--print", "sysroot"]).output().expect("rustc --print sysroot");
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot).join("lib/rustlib/wasm32-wasip2").exists() {
        return;
    }
    let toolchain = std::env::var("RUSTUP_TOOLCHAIN").ok();
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", "wasm32-wasip2"]);
    if let Some(t) = toolchain {
        cmd.args(["--toolchain", &t]);
    }
    let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "the wasm32-wasip2 target is missing and `rustup target add wasm32-wasip2` failed");
}
