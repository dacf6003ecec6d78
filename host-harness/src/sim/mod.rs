//! The store simulator: a loopback WooCommerce REST v3 subset with the same
//! JSON shapes, headers, errors and authentication as a real store (checked
//! against one by the conformance suite), seeded deterministically, with fault
//! injection and webhook delivery.
//!
//! A [`Simulator`] owns its [`SimState`] (behind an `Arc` its connections
//! share): `http.rs` takes a request through the faults and the
//! authentication to `routes.rs`, which hands it to one file per resource.

mod admin;
mod attributes;
pub mod auth;
mod categories;
mod coupons;
mod customers;
mod data;
mod faults;
mod gateways;
mod http;
mod notes;
mod orders;
mod products;
pub mod query;
mod refunds;
mod reports;
mod rest;
mod reviews;
mod routes;
pub mod seed;
mod shipping;
mod state;
mod system;
mod terms;
mod tls;
mod trash;
mod variations;
mod webhooks;

pub use faults::Faults;
pub use rest::wc_error;
pub use seed::{Data, SeedSpec};
pub use state::{Seen, SimState};
pub use webhooks::{deliver_webhooks, post_loopback};

use anyhow::Result;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The WooCommerce version simulated by default: the real store's.
pub const DEFAULT_VERSION: &str = "11.0.1";

/// A running simulator.
pub struct Simulator {
    /// `http://127.0.0.1:<port>`.
    pub http_url: String,
    /// `https://127.0.0.1:<port>`, with a certificate from [`Simulator::ca_cert`].
    pub https_url: String,
    /// The PEM file of the CA that signed the HTTPS certificate.
    pub ca_cert: PathBuf,
    /// The REST API key's consumer key.
    pub consumer_key: String,
    /// The REST API key's consumer secret.
    pub consumer_secret: String,
    /// The store's state, owned here and shared with its connections (dropped
    /// once the simulator and the connections it served are gone).
    pub state: Arc<SimState>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// How to start one.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// What the store holds.
    pub seed: SeedSpec,
    /// The WooCommerce version simulated.
    pub version: String,
    /// Faults injected from the start.
    pub faults: Faults,
    /// Plain HTTP address (port 0 = any).
    pub listen: SocketAddr,
    /// HTTPS address (default: any free port).
    pub https_listen: Option<SocketAddr>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: SeedSpec { customers: 50, orders: 100, products: 30, seed: 1 },
            version: DEFAULT_VERSION.into(),
            faults: Faults::default(),
            listen: "127.0.0.1:0".parse().expect("literal address"),
            https_listen: None,
        }
    }
}

fn random_hex(n: usize) -> String {
    (0..n).map(|_| format!("{:x}", rand::random::<u8>() & 0xF)).collect()
}

impl Simulator {
    /// Seed a store and start listening (HTTP and HTTPS, with a CA of its own).
    pub async fn start(cfg: SimConfig) -> Result<Simulator> {
        let data = seed::seed(cfg.seed);
        let keys = auth::Keys {
            consumer_key: format!("ck_{}", random_hex(40)),
            consumer_secret: format!("cs_{}", random_hex(40)),
        };
        let state = Arc::new(SimState::new(data, keys.clone(), cfg.version.clone(), cfg.faults.clone()));
        let plain = TcpListener::bind(cfg.listen).await?;
        let https_addr = cfg.https_listen.unwrap_or_else(|| SocketAddr::new(cfg.listen.ip(), 0));
        let secure = TcpListener::bind(https_addr).await?;
        let http_url = format!("http://{}", plain.local_addr()?);
        let https_url = format!("https://{}", secure.local_addr()?);
        let dir = std::env::temp_dir().join(format!("woo-sim-{}-{}", std::process::id(), plain.local_addr()?.port()));
        let tls = tls::make(&dir)?;
        let mut tasks = vec![];
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = plain.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    http::serve(TokioIo::new(stream), st, "http").await;
                });
            }
        }));
        let st = state.clone();
        let acceptor = tls.acceptor.clone();
        tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = secure.accept().await {
                let st = st.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(s) = acceptor.accept(stream).await {
                        http::serve(TokioIo::new(s), st, "https").await;
                    }
                });
            }
        }));
        Ok(Simulator {
            http_url,
            https_url,
            ca_cert: tls.ca_path,
            consumer_key: keys.consumer_key,
            consumer_secret: keys.consumer_secret,
            state,
            tasks,
        })
    }
}
