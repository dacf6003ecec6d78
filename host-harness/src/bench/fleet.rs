//! `woo bench-fleet`: how many stores a fleet of `woo worker` processes
//! syncs per minute over one PostgreSQL, for 1, 2 and 4 workers, on
//! simulated stores with added latency. The claim is the ratio between rows
//! (measured in the same run), not the times.

use crate::runtime::{Limits, Runtime};
use crate::sim::{Faults, SeedSpec, SimConfig, Simulator};
use crate::storage::postgres::{PostgresStorage, scratch_database};
use crate::storage::seal::Sealer;
use anyhow::{Context, Result, bail};
use std::time::Instant;

// The stores: small and varied, each a first import of a few pages.
const CUSTOMERS: u64 = 40;
const ORDERS: u64 = 240;
const PRODUCTS: u64 = 30;

/// Sync `stores` simulated stores with each of `worker_counts` workers over
/// the PostgreSQL `server`, and print the table on stdout.
pub async fn run(server: &str, stores: usize, latency_ms: u64, worker_counts: &[usize]) -> Result<()> {
    if stores == 0 || worker_counts.is_empty() || worker_counts.contains(&0) {
        bail!("bench-fleet needs at least one store and worker counts above 0");
    }
    let runtime = Runtime::new(Limits::default())?;
    let key = Sealer::random_base64();
    let mut sims = Vec::with_capacity(stores);
    for i in 0..stores {
        let config = SimConfig {
            seed: SeedSpec { customers: CUSTOMERS, orders: ORDERS, products: PRODUCTS, seed: 1000 + i as u64 },
            faults: Faults { latency_ms, ..Faults::new() },
            ..Default::default()
        };
        sims.push(Simulator::start(config).await?);
    }
    eprintln!(
        "bench-fleet: {stores} simulated stores ({CUSTOMERS} customers, {ORDERS} orders, {PRODUCTS} products each), {latency_ms} ms latency"
    );
    let mut rows = vec![];
    for &n in worker_counts {
        let db = scratch_database(server)?;
        for (i, sim) in sims.iter().enumerate() {
            let storage = Box::new(PostgresStorage::open_with(&db, Sealer::from_base64(&key)?)?);
            let mut s = crate::session::connect_simulator_as(&runtime, storage, sim, &format!("store-{i}")).await?;
            crate::worker::defer_import(s.storage(), &format!("store-{i}"), &crate::wit::ALL_KINDS)?;
        }
        let requests_before: u64 =
            sims.iter().map(|s| s.state.requests.load(std::sync::atomic::Ordering::SeqCst)).sum();
        let exe = std::env::current_exe()?;
        let t = Instant::now();
        let mut children = vec![];
        for w in 0..n {
            children.push(
                tokio::process::Command::new(&exe)
                    .args(["--db", &db, "worker", "--once", "--interval", "3600", "--name", &format!("bench-{n}-{w}")])
                    .env("WOO_SECRET_KEY", &key)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .context("starting a worker")?,
            );
        }
        for mut c in children {
            let status = c.wait().await?;
            if !status.success() {
                bail!("a worker exited with {status}");
            }
        }
        let secs = t.elapsed().as_secs_f64();
        let requests = sims.iter().map(|s| s.state.requests.load(std::sync::atomic::Ordering::SeqCst)).sum::<u64>()
            - requests_before;
        let mut check = PostgresStorage::open_with(&db, Sealer::from_base64(&key)?)?;
        let pending = crate::storage::LeaseScheduler::connections(&mut check)?
            .iter()
            .filter(|r| r.last_error.is_some() || r.last_pass_ms.is_none())
            .count();
        if pending > 0 {
            bail!("{pending} stores were not synced cleanly with {n} workers");
        }
        eprintln!("bench-fleet: {n} workers synced {stores} stores in {secs:.2}s ({requests} requests)");
        rows.push((n, secs, requests));
    }
    let base = rows[0].1;
    crate::outln!(
        "| workers | wall time | stores per minute | speed-up vs {} worker{} | requests |",
        rows[0].0,
        if rows[0].0 == 1 { "" } else { "s" }
    );
    crate::outln!("|---:|---:|---:|---:|---:|");
    for (n, secs, requests) in rows {
        crate::outln!("| {n} | {secs:.2} s | {:.0} | {:.2}× | {requests} |", stores as f64 * 60.0 / secs, base / secs);
    }
    Ok(())
}
