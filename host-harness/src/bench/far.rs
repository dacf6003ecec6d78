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
    for (name, path, extra) in super::LISTS {
        near.insert(*name, round_trip(&mut s, path, extra).await?);
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
    mcp_latency(rows, rt, sim, &proxy, rtt, &dir.join("far-kept.db")).await
}

/// Tool calls `woo mcp` answers in the MCP latency measurement.
const MCP_CALLS: usize = 100;

/// `get-order` through `woo mcp` (a child process, stdio JSON-RPC, on the
/// database connected through `proxy`), call by call, against one round trip:
/// the median of the same call in-process through the same proxy.
async fn mcp_latency(
    rows: &mut Vec<Row>,
    rt: &Runtime,
    sim: &Simulator,
    proxy: &LatencyProxy,
    rtt: Duration,
    db: &Path,
) -> Result<()> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let order = {
        let d = sim.state.data.read().map_err(|_| anyhow!("simulator state poisoned"))?;
        d.orders
            .iter()
            .find(|o| !matches!(o["status"].as_str(), Some("checkout-draft" | "trash")))
            .and_then(|o| o["id"].as_u64())
            .ok_or_else(|| anyhow!("the simulated store has no order"))?
    };
    let args = serde_json::json!({"id": order}).to_string();
    // The median of `calls` in-process calls on `s` (after one that opens
    // its connection).
    async fn median_call(s: &mut Session, args: &str, calls: usize) -> Result<Duration> {
        let mut times = vec![];
        for _ in 0..=calls {
            let t = std::time::Instant::now();
            s.begin_call();
            s.bindings
                .woo_connector_tools()
                .call_call_tool(&mut s.store, "get-order", args)
                .await?
                .map_err(|e| anyhow!("get-order: {}", crate::wit::error_message(&e)))?;
            times.push(t.elapsed());
        }
        times.remove(0);
        times.sort();
        Ok(times[times.len() / 2])
    }
    // One round trip: the same call in-process, on a kept connection through
    // the same proxy (the store's work, the guest's, and the link's round
    // trip as the proxy really delivers it: its timers add up to a
    // millisecond each way). Beside it, the nominal figure: the call on
    // loopback plus the round trip added.
    let mut near =
        crate::session::connect_simulator(rt, Box::new(SqliteStorage::open(&db.with_extension("near.db"))?), sim)
            .await?;
    let nominal = median_call(&mut near, &args, 21).await? + rtt;
    drop(near);
    let url = format!("https://127.0.0.1:{}", proxy.addr.port());
    let mut far =
        crate::session::open(rt, Box::new(SqliteStorage::open(db)?), "default", Some(&url), Some(&sim.ca_cert)).await?;
    let bound = median_call(&mut far, &args, 21).await?;
    drop(far);

    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--db")
        .arg(db)
        .arg("mcp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or_else(|| anyhow!("woo mcp: no stdin"))?;
    let mut lines = BufReader::new(child.stdout.take().ok_or_else(|| anyhow!("woo mcp: no stdout"))?).lines();
    let mut send = async |message: serde_json::Value, answer: bool| -> Result<Duration> {
        let t = std::time::Instant::now();
        stdin.write_all(format!("{message}\n").as_bytes()).await?;
        stdin.flush().await?;
        if answer {
            let line = lines.next_line().await?.ok_or_else(|| anyhow!("woo mcp closed its output"))?;
            let v: serde_json::Value = serde_json::from_str(&line)?;
            if v.get("error").is_some() || v["result"]["isError"] == true {
                return Err(anyhow!("woo mcp answered an error: {line}"));
            }
        }
        Ok(t.elapsed())
    };
    send(
        serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "woo-bench", "version": "1"}}}),
        true,
    )
    .await?;
    send(serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}), false).await?;
    let before = proxy.connections();
    let mut times = vec![];
    for id in 1..=MCP_CALLS {
        let call = serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "get-order", "arguments": {"id": order}}});
        times.push(send(call, true).await?);
    }
    let connections = proxy.connections() - before;
    drop(stdin);
    let _ = child.wait().await;
    let first = times[0];
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    row(
        rows,
        format!("MCP get-order through `woo mcp`, {} ms away: p50 / p99", rtt.as_millis()),
        format!("{:.1} ms / {:.1} ms", ms(pct(50)), ms(pct(99))),
        format!(
            "one round trip {:.1} ms, the call in-process through the proxy (p50 {:+.1} ms; loopback + {} ms: {:.1} ms); first call {:.1} ms; {MCP_CALLS} calls on {connections} connection(s)",
            ms(bound),
            ms(pct(50)) - ms(bound),
            rtt.as_millis(),
            ms(nominal),
            ms(first)
        ),
    );
    Ok(())
}
