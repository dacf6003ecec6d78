//! `woo worker`: sync due connections under leases until stopped (see
//! [`crate::worker`]).

use super::app::App;
use super::exit::{self, invalid};
use crate::outln as println;
use anyhow::Result;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Stop once no connection that was due when the worker started is left.
    #[arg(long)]
    once: bool,
    /// Connections synced at the same time by this worker.
    #[arg(long, default_value_t = 1)]
    concurrency: usize,
    /// Seconds a lease lasts unless renewed (a dead worker's connections
    /// are taken over after this).
    #[arg(long, default_value_t = 60)]
    lease_seconds: u64,
    /// Seconds between two passes of one connection.
    #[arg(long, default_value_t = 60)]
    interval: u64,
    /// This worker's name in the lease log (default host-pid).
    #[arg(long)]
    name: Option<String>,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let Args { once, concurrency, lease_seconds, interval, name } = args;
    if !(1..=64).contains(&concurrency) {
        return Err(invalid(format!("--concurrency must be 1 to 64, not {concurrency}")).into());
    }
    if lease_seconds < 3 {
        return Err(invalid("--lease-seconds must be at least 3").into());
    }
    let opts = crate::worker::WorkerOptions {
        db: app.db_path(),
        name: name.unwrap_or_else(crate::worker::default_name),
        once,
        concurrency,
        lease: Duration::from_secs(lease_seconds),
        interval: Duration::from_secs(interval),
        idle_poll: Duration::from_millis(if once { 250 } else { 1000 }),
        ca_cert: app.ca_cert.clone(),
    };
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        super::shutdown_signal().await;
        eprintln!("woo worker: stopping: passes keep their last committed page and release their leases");
        let _ = stop_tx.send(true);
    });
    let summary = crate::worker::run(app.runtime.clone(), opts, stop).await?;
    if app.json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    if summary.failed > 0 && once {
        std::process::exit(exit::FAILURE);
    }
    Ok(())
}
