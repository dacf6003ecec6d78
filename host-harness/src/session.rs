//! Opening a session on a connection: storage, the outbound policy (only the
//! connection's store, with its extra CA if any) and a fresh instance.

use crate::http_policy::{HttpPolicy, tls_config_pem};
use crate::runtime::{Runtime, Session};
use crate::storage::Storage;
use anyhow::{Context, Result};
use serde_json::Value;
use std::path::Path;

/// Host-side settings of a connection (not the component's): the extra CA,
/// the store awaiting a wc-auth callback.
pub const HOST_BUCKET: &str = "host";

/// The store URL saved for `connection`, if any.
pub fn saved_store_url(storage: &mut dyn Storage, connection: &str) -> Result<Option<String>> {
    Ok(storage
        .kv_get(connection, "connection", "info")?
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v["store_url"].as_str().filter(|s| !s.is_empty()).map(str::to_string)))
}

/// When each kind last synced (`sync:<kind>:since` cursors), by kind.
pub fn last_syncs(storage: &mut dyn Storage, connection: &str) -> Result<Vec<(String, String)>> {
    let cursors = woo_plugin::env::bucket::CURSORS;
    let mut out = vec![];
    for k in storage.kv_keys(connection, cursors)? {
        if let Some(kind) = k.strip_prefix("sync:").and_then(|r| r.strip_suffix(":since"))
            && let Some(v) = storage.kv_get(connection, cursors, &k)?
        {
            out.push((kind.to_string(), String::from_utf8_lossy(&v).into_owned()));
        }
    }
    Ok(out)
}

/// A session allowed to reach `store_url` (or the saved store). A given
/// `ca_cert` is trusted and remembered for the connection.
pub async fn open(runtime: &Runtime, mut storage: Box<dyn Storage>, connection: &str, store_url: Option<&str>, ca_cert: Option<&Path>) -> Result<Session> {
    let url = match store_url {
        Some(u) => Some(u.to_string()),
        None => saved_store_url(storage.as_mut(), connection)?,
    };
    // Errors name the user's file, or say the CA is the one saved earlier.
    let tls = match ca_cert {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("reading --ca-cert {}", p.display()))?;
            let tls = tls_config_pem(Some((&pem, &format!("--ca-cert {}", p.display()))))?;
            storage.kv_set(connection, HOST_BUCKET, "ca_cert", &pem)?;
            tls
        }
        None => match storage.kv_get(connection, HOST_BUCKET, "ca_cert")? {
            Some(pem) => tls_config_pem(Some((&pem, &format!("the CA certificate saved for connection `{connection}` (give --ca-cert again to replace it)"))))?,
            None => tls_config_pem(None)?,
        },
    };
    let mut policy = HttpPolicy::default();
    if let Some(u) = &url {
        policy.allow_store(u);
    }
    policy.tls = Some(tls);
    runtime.session(storage, connection, policy).await
}

/// How to connect to a simulator with its own key (tests, the benchmark).
pub fn simulator_config(sim: &crate::sim::Simulator) -> crate::runtime::wit_connection::ConnectConfig {
    crate::runtime::wit_connection::ConnectConfig {
        store_url: sim.https_url.clone(),
        consumer_key: sim.consumer_key.clone(),
        consumer_secret: sim.consumer_secret.clone(),
        signature_method: None,
        owner_email: Some("owner@example.test".into()),
    }
}

/// A session on `storage`, connected to `sim` over HTTPS.
pub async fn connect_simulator(runtime: &Runtime, storage: Box<dyn Storage>, sim: &crate::sim::Simulator) -> Result<Session> {
    connect_simulator_as(runtime, storage, sim, "default").await
}

/// As `connect_simulator`, under the connection name `connection`.
pub async fn connect_simulator_as(runtime: &Runtime, storage: Box<dyn Storage>, sim: &crate::sim::Simulator, connection: &str) -> Result<Session> {
    let mut s = open(runtime, storage, connection, Some(&sim.https_url), Some(&sim.ca_cert)).await?;
    s.begin_call();
    s.bindings
        .woo_connector_connection()
        .call_connect(&mut s.store, &simulator_config(sim))
        .await?
        .map_err(|e| anyhow::anyhow!("connecting to the simulator: {e:?}"))?;
    Ok(s)
}
