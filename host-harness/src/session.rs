//! Opening a session on a connection: storage, the outbound policy (only the
//! connection's store, with its extra CA if any) and a fresh instance.

use crate::http_policy::{HttpPolicy, tls_config_pem};
use crate::runtime::{Runtime, Session};
use crate::storage::Storage;
use crate::wit::connection::ConnectConfig;
use anyhow::{Context, Result};
use std::path::Path;

/// Host-side settings of a connection (not the component's): the extra CA,
/// the store awaiting a wc-auth callback, a deferred first import.
pub const HOST_BUCKET: &str = "host";

/// A session allowed to reach `store_url`, or, when none is given, the store
/// the component says it is connected to (asked before any request is sent).
/// A given `ca_cert` is trusted and remembered for the connection.
pub async fn open(
    runtime: &Runtime,
    mut storage: Box<dyn Storage>,
    connection: &str,
    store_url: Option<&str>,
    ca_cert: Option<&Path>,
) -> Result<Session> {
    // Errors name the user's file, or say the CA is the one saved earlier.
    let tls = match ca_cert {
        Some(p) => {
            let pem = std::fs::read(p).with_context(|| format!("reading --ca-cert {}", p.display()))?;
            let tls = tls_config_pem(Some((&pem, &format!("--ca-cert {}", p.display()))))?;
            storage.kv_set(connection, HOST_BUCKET, "ca_cert", &pem)?;
            tls
        }
        None => match storage.kv_get(connection, HOST_BUCKET, "ca_cert")? {
            Some(pem) => tls_config_pem(Some((
                &pem,
                &format!("the CA certificate saved for connection `{connection}` (give --ca-cert again to replace it)"),
            )))?,
            None => tls_config_pem(None)?,
        },
    };
    let policy = HttpPolicy { tls: Some(tls), ..HttpPolicy::default() };
    let mut session = runtime.session(storage, connection, policy).await?;
    let url = match store_url {
        Some(u) => u.to_string(),
        None => session.connection_status().await?.store_url,
    };
    if !url.is_empty() {
        session.state().policy.allow_store(&url);
    }
    Ok(session)
}

/// How to connect to a simulator with its own key (tests, the benchmark).
pub fn simulator_config(sim: &crate::sim::Simulator) -> ConnectConfig {
    ConnectConfig {
        store_url: sim.https_url.clone(),
        consumer_key: sim.consumer_key.clone(),
        consumer_secret: sim.consumer_secret.clone(),
        signature_method: None,
        owner_email: Some("owner@example.test".into()),
    }
}

/// A session on `storage`, connected to `sim` over HTTPS.
pub async fn connect_simulator(
    runtime: &Runtime,
    storage: Box<dyn Storage>,
    sim: &crate::sim::Simulator,
) -> Result<Session> {
    connect_simulator_as(runtime, storage, sim, "default").await
}

/// As `connect_simulator`, under the connection name `connection`.
pub async fn connect_simulator_as(
    runtime: &Runtime,
    storage: Box<dyn Storage>,
    sim: &crate::sim::Simulator,
    connection: &str,
) -> Result<Session> {
    let mut s = open(runtime, storage, connection, Some(&sim.https_url), Some(&sim.ca_cert)).await?;
    s.begin_call();
    s.bindings
        .woo_connector_connection()
        .call_connect(&mut s.store, &simulator_config(sim))
        .await?
        .map_err(|e| anyhow::anyhow!("connecting to the simulator: {e:?}"))?;
    Ok(s)
}
