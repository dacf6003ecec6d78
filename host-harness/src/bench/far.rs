//! The store across the internet: the same import through a loopback proxy
//! that delays each direction by half a round trip, with the connections
//! kept (the process's pool) and, as the baseline measured in the same run,
//! with a new connection for every request (as `woo` did before the pool).

use super::proxy::LatencyProxy;
use super::{Row, StoreShape, import, round_trip, row, sim_runtime};
use crate::http_pool::StorePool;
use crate::runtime::{Runtime, Session};
use crate::sim::Simulator;
use crate::storage::sqlite::SqliteStorage;
use anyhow::{Result, anyhow};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// What one import through the proxy measured.
struct FarImport {
    wall: Duration,
    connections: u64,
    requests: u64,
}

/// A session on `sim` through `proxy`, connected with the simulator's key.
async fn through(rt: &Runtime, sim: &Simulator, proxy: &LatencyProxy, db: &Path, reuse: bool) -> Result<Session> {
    let url = format!("https://127.0.0.1:{}", proxy.addr.port());
    let storage = Box::new(SqliteStorage::open(db)?);
    let mut s = crate::session::open(rt, storage, "default", Some(&url), Some(&sim.ca_cert)).await?;
    if !reuse {
        s.store.data_mut().policy.pool = StorePool::without_reuse();
    }
    let mut config = crate::session::simulator_config(sim);
    config.store_url = url;
    s.begin_call();
    s.bindings
        .woo_connector_connection()
        .call_connect(&mut s.store, &config)
        .await?
        .map_err(|e| anyhow!("connecting through the proxy: {}", crate::wit::error_message(&e)))?;
    Ok(s)
}

async fn far_import(rt: &Runtime, sim: &Simulator, proxy: &LatencyProxy, db: &Path, reuse: bool) -> Result<FarImport> {
    let mut s = through(rt, sim, proxy, db, reuse).await?;
    let before = proxy.connections();
    let measured = import(&mut s, sim).await?;
    Ok(FarImport { wall: measured.wall, connections: proxy.connections() - before, requests: measured.requests })
}

/// Import `sim` (of shape `shape`, whose lists' round trips on loopback are
/// `near_rtts`) at `rtt` of round trip, with and without kept connections.
pub(super) async fn measure(
    rows: &mut Vec<Row>,
    rt: &Runtime,
    sim: &Simulator,
    shape: &StoreShape,
    concurrency: u64,
    rtt: Duration,
    dir: &Path,
) -> Result<()> {
    let upstream = sim.https_url.trim_start_matches("https://").parse()?;
    let proxy = sim_runtime().spawn(LatencyProxy::start(upstream, rtt)).await??;
    eprintln!("bench: import through a proxy adding {} ms of round trip", rtt.as_millis());
    // The bound counts one round trip per request: the list's own time on
    // loopback (the store's work and latency) plus the added round trip.
    let mut s =
        crate::session::connect_simulator(rt, Box::new(SqliteStorage::open(&dir.join("near-rtt.db"))?), sim).await?;
    let mut near = HashMap::new();
    for (name, path) in super::LISTS {
        near.insert(*name, round_trip(&mut s, path).await?);
    }
    drop(s);
    let bound = shape.bound(concurrency, &|name| near.get(name).copied().unwrap_or_default() + rtt);
    let kept = far_import(rt, sim, &proxy, &dir.join("far-kept.db"), true).await?;
    let fresh = far_import(rt, sim, &proxy, &dir.join("far-fresh.db"), false).await?;
    let ms = rtt.as_millis();
    row(
        rows,
        format!("import at {ms} ms round trip: kept connections vs one per request"),
        format!("{:.2} s vs {:.2} s", kept.wall.as_secs_f64(), fresh.wall.as_secs_f64()),
        format!(
            "bound {:.2} s (one round trip per request): {:.2}× vs {:.2}× the bound; {} requests",
            bound.as_secs_f64(),
            kept.wall.as_secs_f64() / bound.as_secs_f64(),
            fresh.wall.as_secs_f64() / bound.as_secs_f64(),
            kept.requests
        ),
    );
    row(
        rows,
        format!("connections opened by that import ({concurrency} pages in flight)"),
        format!("{} vs {}", kept.connections, fresh.connections),
        format!("goal: at most {} (pages in flight + 1)", concurrency + 1),
    );
    Ok(())
}
