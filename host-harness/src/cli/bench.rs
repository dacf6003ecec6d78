//! `woo bench` and `woo bench-fleet`: the benchmarks (see [`crate::bench`]).

use super::app::App;
use super::exit::invalid;
use anyhow::Result;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    #[arg(long, default_value_t = 10_000)]
    customers: u64,
    #[arg(long, default_value_t = 50_000)]
    orders: u64,
    #[arg(long, default_value_t = 2_000)]
    products: u64,
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Round trip added by a loopback proxy for the far-store import (0 skips it).
    #[arg(long, default_value_t = 50)]
    rtt_ms: u64,
    /// A Python with `woocommerce` and `airbyte-source-woocommerce` installed (bench/run.sh makes one).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Stop a peer still running after this many seconds (its time then counts as at least this).
    #[arg(long, default_value_t = 240)]
    peer_seconds: u64,
    /// Only the webhook storm: signed deliveries into `woo serve` from 50 senders.
    #[arg(long)]
    webhooks: bool,
    /// Deliveries in the webhook storm.
    #[arg(long, default_value_t = 4_000)]
    deliveries: usize,
    /// A PostgreSQL server (postgres://…) to run the webhook storm on as well (a scratch database is made on it).
    #[arg(long, env = "WOO_BENCH_POSTGRES")]
    postgres: Option<String>,
    /// Seconds a fresh clone took to print `woo demo` (bench/run.sh --first-build measures it; without it the row says where the recorded figure is).
    #[arg(long)]
    first_build_seconds: Option<f64>,
}

#[derive(clap::Args)]
pub(crate) struct FleetArgs {
    #[arg(long, default_value_t = 24)]
    stores: usize,
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Worker counts to compare.
    #[arg(long, default_value = "1,2,4")]
    workers: String,
}

pub(crate) async fn bench(app: &App, args: BenchArgs) -> Result<()> {
    let opts = crate::bench::Options {
        customers: args.customers,
        orders: args.orders,
        products: args.products,
        latency_ms: args.latency_ms,
        rtt_ms: args.rtt_ms,
        concurrency: 4,
        python: args.python,
        peers_dir: crate::bench::default_peers_dir(),
        peer_cap: std::time::Duration::from_secs(args.peer_seconds),
        deliveries: args.deliveries,
        postgres: args.postgres,
        first_build: args.first_build_seconds.filter(|s| s.is_finite() && *s > 0.0).map(Duration::from_secs_f64),
    };
    if args.webhooks {
        return crate::bench::storms(&app.runtime, &opts).await;
    }
    crate::bench::run(&app.runtime, &opts).await
}

pub(crate) async fn fleet(app: &App, args: FleetArgs) -> Result<()> {
    let FleetArgs { stores, latency_ms, workers } = args;
    let counts: Vec<usize> = workers
        .split(',')
        .map(|w| w.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| invalid(format!("--workers `{workers}`: a comma list of numbers")))?;
    let db = app
        .db
        .clone()
        .filter(|d| crate::storage::postgres::is_url(d))
        .ok_or_else(|| invalid("bench-fleet needs --db postgres://… (scripts/postgres.sh start prints one)"))?;
    crate::bench::fleet::run(&db, stores, latency_ms, &counts).await
}
