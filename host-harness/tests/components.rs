//! The two components built from the one crate (host-harness/build.rs):
//! `woo_tools.wasm` (world `tools-only`) imports nothing but WASI, one version
//! per package; `woo_plugin.wasm` (world `connector`) keeps its state in one
//! key-value bucket, which `woo` stores in the rows of the nine buckets of
//! earlier builds, so a database written before opens and syncs as it is.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use woo_host::storage::Storage;
use woo_host::wit::platform::{Batch, PlatformRecord, RecordKind};

#[macro_use]
mod common;
use common::world::{ALL, World, runtime};

/// The package of an import name (`wasi:http/types@0.2.6` → `wasi:http`) and its version.
fn package_and_version(name: &str) -> (String, String) {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    let package = path.split_once('/').map_or(path, |(p, _)| p);
    (package.to_string(), version.to_string())
}

/// Each package's versions among `imports`.
fn versions(imports: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in imports {
        let (p, v) = package_and_version(i);
        out.entry(p).or_default().insert(v);
    }
    out
}

#[test]
fn tools_component_imports_only_wasi_at_one_version_per_package_and_exports_tools_and_direct() {
    let engine = wasmtime::Engine::default();
    let c = wasmtime::component::Component::from_file(&engine, env!("WOO_TOOLS_WASM")).unwrap();
    let ty = c.component_type();
    let imports: Vec<String> = ty.imports(&engine).map(|(n, _)| n.to_string()).collect();
    let exports: BTreeSet<String> = ty.exports(&engine).map(|(n, _)| n.to_string()).collect();
    assert!(imports.iter().all(|i| i.starts_with("wasi:")), "only wasi:* imports: {imports:?}");
    for want in ["wasi:http/outgoing-handler@", "wasi:random/random@", "wasi:cli/environment@"] {
        assert!(imports.iter().any(|i| i.starts_with(want)), "{want}… is imported: {imports:?}");
    }
    for banned in ["wasi:keyvalue", "wasi:filesystem", "wasi:sockets", "woo:"] {
        assert!(!imports.iter().any(|i| i.starts_with(banned)), "no {banned} import: {imports:?}");
    }
    for (package, v) in versions(&imports) {
        assert_eq!(v.len(), 1, "{package} is imported at one version: {v:?}");
    }
    let want: BTreeSet<String> =
        ["types", "tools", "direct"].iter().map(|i| format!("woo:connector/{i}@0.2.0")).collect();
    assert_eq!(exports, want);
    // The connector component, for contrast, imports the key-value store and `platform`.
    let full = wasmtime::component::Component::from_file(&engine, env!("WOO_PLUGIN_WASM")).unwrap();
    let full: Vec<String> = full.component_type().imports(&engine).map(|(n, _)| n.to_string()).collect();
    assert!(full.iter().any(|i| i.starts_with("wasi:keyvalue/store@")), "{full:?}");
    assert!(full.iter().any(|i| i.starts_with("woo:connector/platform@")), "{full:?}");
}

/// `wasm-tools` on PATH or in ~/.cargo/bin, when installed.
fn wasm_tools() -> Option<std::path::PathBuf> {
    let home = std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo/bin/wasm-tools"));
    ["wasm-tools".into()].into_iter().chain(home).find(|p| Command::new(p).arg("--version").output().is_ok())
}

#[test]
fn wasm_tools_component_wit_of_the_tools_component_lists_only_wasi_imports() {
    let Some(tool) = wasm_tools() else {
        // Checked above through wasmtime's component types either way.
        eprintln!("wasm-tools is not installed (cargo install wasm-tools): nothing more to check");
        return;
    };
    let out = Command::new(tool).args(["component", "wit", env!("WOO_TOOLS_WASM")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let wit = String::from_utf8(out.stdout).unwrap();
    // The component's own world: the lines before the first package it lists.
    let world = wit.split("\npackage ").next().unwrap();
    let imports: Vec<String> = world
        .lines()
        .filter_map(|l| l.trim().strip_prefix("import "))
        .map(|l| l.trim_end_matches(';').to_string())
        .collect();
    assert!(imports.len() >= 3 && imports.iter().all(|i| i.starts_with("wasi:")), "{world}");
    for (package, v) in versions(&imports) {
        assert_eq!(v.len(), 1, "{package} at one version: {v:?}\n{world}");
    }
}

/// The record kinds a platform stores, as the WIT names them.
fn record_kind(kind: &str) -> Option<RecordKind> {
    Some(match kind {
        "contact" => RecordKind::Contact,
        "order" => RecordKind::Order,
        "transaction" => RecordKind::Transaction,
        "product" => RecordKind::Product,
        "collection" => RecordKind::Collection,
        "checkout" => RecordKind::Checkout,
        _ => return None,
    })
}

fn kinds_of(r: &woo_host::wit::sync::Report) -> Vec<(String, u64, u64, u64)> {
    r.kinds.iter().map(|k| (format!("{:?}", k.kind), k.records, k.created, k.updated)).collect()
}

on_each_backend! {
async fn a_database_written_with_nine_buckets_opens_and_syncs_without_migration(b) {
    // A store imported by this build: its rows are where the nine buckets kept them.
    let mut fresh = World::on(&b, 12, 30, 8).await;
    fresh.import(&ALL).await.unwrap();
    let rows = fresh.s.store.data_mut().storage.kv_all_keys("default").unwrap();
    let buckets: BTreeSet<&str> = rows.iter().map(|(b, _)| b.as_str()).collect();
    assert!(!buckets.contains("default"), "no row of the bucket itself: {buckets:?}");
    for b in ["connection", "credentials", "cursors", "orders", "customers", "products", "emails"] {
        assert!(buckets.contains(b), "rows of `{b}`: {buckets:?}");
    }

    // The same database as the previous build wrote it, row by row through
    // `Storage::kv_set`: the connection and credentials by hand, in the JSON
    // the nine-bucket builds kept, the cursors and seen-rows as imported.
    let dir = tempfile::tempdir().unwrap();
    let (_db, mut old) = b.fresh(dir.path());
    let sim = &fresh.sim;
    let info: Value = {
        let s = &mut fresh.s.store.data_mut().storage;
        serde_json::from_slice(&s.kv_get("default", "connection", "info").unwrap().unwrap()).unwrap()
    };
    let hand: [(&str, &str, Value); 2] = [
        ("credentials", "store", json!({
            "consumer_key": sim.consumer_key, "consumer_secret": sim.consumer_secret, "signature_method": "HMAC-SHA256",
        })),
        ("connection", "info", json!({
            "state": "connected", "store_url": sim.https_url, "woocommerce_version": info["woocommerce_version"],
            "auth_method": "basic", "owner_email": "owner@example.test", "warnings": [],
        })),
    ];
    for (bucket, key, value) in &hand {
        old.kv_set("default", bucket, key, value.to_string().as_bytes()).unwrap();
    }
    for (bucket, key) in &rows {
        if hand.iter().any(|(b, k, _)| b == bucket && k == key) {
            continue;
        }
        let value = fresh.s.store.data_mut().storage.kv_get("default", bucket, key).unwrap().unwrap();
        old.kv_set("default", bucket, key, &value).unwrap();
    }
    let records: Vec<PlatformRecord> = fresh
        .s
        .store
        .data_mut()
        .storage
        .records("default", None)
        .unwrap()
        .into_iter()
        .filter_map(|r| Some(PlatformRecord { kind: record_kind(&r.kind)?, id: r.id, body: r.body }))
        .collect();
    let held = records.len();
    let batch = Batch { records, triggers: vec![], notifications: vec![], state: vec![] };
    assert_eq!(old.commit("default", &batch).unwrap().len(), held);

    // This build opens it: connected, and a pass reads only what changed,
    // exactly as on the database it wrote itself.
    let mut s = woo_host::session::open(runtime(), old, "default", Some(&sim.https_url), Some(&sim.ca_cert))
        .await
        .unwrap();
    let status = s.connection_status().await.unwrap();
    assert_eq!((status.state, status.store_url.as_str()), (woo_host::wit::connection::ConnectionState::Connected, sim.https_url.as_str()));
    sim.state.place_order(0, "after.upgrade@example.test", true);
    let on_fresh = fresh.sync().await.unwrap();
    s.begin_call();
    let on_old = s.bindings.woo_connector_sync().call_sync_pass(&mut s.store, None).await.unwrap().unwrap();
    assert_eq!(kinds_of(&on_old), kinds_of(&on_fresh));
    let orders = on_old.kinds.iter().find(|k| k.kind == woo_host::wit::types::Kind::Orders).unwrap();
    assert_eq!((orders.records, orders.created), (1, 1), "only the new order: {:?}", kinds_of(&on_old));
    for kind in ["contact", "order", "transaction", "product", "collection"] {
        let ids = |st: &mut Box<dyn Storage>| -> BTreeSet<String> {
            st.records("default", Some(kind)).unwrap().into_iter().map(|r| r.id).collect()
        };
        assert_eq!(ids(&mut s.store.data_mut().storage), ids(&mut fresh.s.store.data_mut().storage), "{kind}s");
    }
}
}
