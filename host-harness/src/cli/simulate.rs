//! `woo simulate`: run the store simulator until stopped, printing where it
//! listens and its API key.

use crate::outln as println;
use crate::sim::{Faults, SeedSpec, SimConfig, Simulator};
use anyhow::Result;
use std::io::Write;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Plain HTTP address; HTTPS listens on the next port.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    #[arg(long, default_value_t = 50)]
    customers: u64,
    #[arg(long, default_value_t = 200)]
    orders: u64,
    #[arg(long, default_value_t = 40)]
    products: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// WooCommerce version to simulate.
    #[arg(long, default_value = crate::sim::DEFAULT_VERSION)]
    version: String,
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// e.g. `429=5,500=7,reset=11,truncate=13,revoked,gone`.
    #[arg(long, default_value = "")]
    faults: String,
}

pub(crate) async fn run(args: Args) -> Result<()> {
    let Args { listen, customers, orders, products, seed, version, latency_ms, faults } = args;
    let mut f = Faults::parse(&faults)?;
    if latency_ms > 0 {
        f.latency_ms = latency_ms;
    }
    let https = std::net::SocketAddr::new(listen.ip(), if listen.port() == 0 { 0 } else { listen.port() + 1 });
    let config = SimConfig {
        seed: SeedSpec { customers, orders, products, seed },
        version,
        faults: f,
        listen,
        https_listen: Some(https),
    };
    let sim = Simulator::start(config).await?;
    println!("http: {}", sim.http_url);
    println!("https: {}", sim.https_url);
    println!("ca_cert: {}", sim.ca_cert.display());
    println!("consumer_key: {}", sim.consumer_key);
    println!("consumer_secret: {}", sim.consumer_secret);
    crate::output::checked(std::io::stdout().flush());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
