//! A webhook storm: signed `order.created` deliveries for new orders posted
//! to an in-process `woo serve` by concurrent senders, each on a fresh
//! connection as WooCommerce sends them. Measured with the instances kept
//! between deliveries (what `woo serve` does) and, as the baseline of the
//! same run, with a fresh instance and database connection per delivery (what
//! it did before). After each storm every delivery answered 200 must be
//! stored exactly once, and a replay of a sample must change nothing.

use super::{Row, row};
use crate::runtime::Runtime;
use crate::serve::Limits;
use crate::sim::{SeedSpec, SimConfig, Simulator};
use anyhow::{Context, Result, anyhow, ensure};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Senders posting at once (the storm).
pub const SENDERS: usize = 50;

/// What one storm measured.
pub struct Storm {
    /// Deliveries answered 200.
    pub delivered: usize,
    /// Wall time of the storm.
    pub wall: Duration,
    /// Median latency of a delivery, as its sender saw it.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Deliveries not answered 200 (each one an error of the run).
    pub failed: usize,
}

impl Storm {
    /// Deliveries per second.
    pub fn rate(&self) -> f64 {
        self.delivered as f64 / self.wall.as_secs_f64()
    }
}

/// The headers and body of a signed `order.created` for order `id`, shaped
/// like the store's order `template` (the serve tests send the same).
pub fn signed_order(secret: &str, template: &Value, id: u64) -> (Vec<(String, String)>, Vec<u8>) {
    let mut order = template.clone();
    order["id"] = json!(id);
    order["number"] = json!(id.to_string());
    order["date_modified_gmt"] = json!("2031-01-01T00:00:00");
    let body = serde_json::to_vec(&order).unwrap_or_default();
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(&body);
    let signature = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, mac.finalize().into_bytes());
    let headers = vec![
        ("X-WC-Webhook-Source".to_string(), "http://127.0.0.1/".to_string()),
        ("X-WC-Webhook-Topic".to_string(), "order.created".to_string()),
        ("X-WC-Webhook-Resource".to_string(), "order".to_string()),
        ("X-WC-Webhook-Event".to_string(), "created".to_string()),
        ("X-WC-Webhook-Signature".to_string(), signature),
        ("X-WC-Webhook-ID".to_string(), "1".to_string()),
        ("X-WC-Webhook-Delivery-ID".to_string(), id.to_string()),
    ];
    (headers, body)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

/// Post `ids` as signed deliveries from `senders` concurrent senders.
async fn post_all(url: &str, secret: &str, template: &Value, ids: &[u64], senders: usize) -> Storm {
    let ids: Arc<Vec<u64>> = Arc::new(ids.to_vec());
    let next = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..senders {
        let (ids, next, url, secret, template) =
            (ids.clone(), next.clone(), url.to_string(), secret.to_string(), template.clone());
        tasks.spawn(async move {
            let mut seen = vec![];
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                let Some(id) = ids.get(i) else { break };
                let (headers, body) = signed_order(&secret, &template, *id);
                let sent = Instant::now();
                let status = tokio::time::timeout(
                    Duration::from_secs(30),
                    crate::sim::post_loopback(&url, headers, body, "application/json"),
                )
                .await;
                seen.push((status.ok().and_then(Result::ok).unwrap_or(0), sent.elapsed()));
            }
            seen
        });
    }
    let mut all = vec![];
    while let Some(r) = tasks.join_next().await {
        all.extend(r.unwrap_or_default());
    }
    let wall = t.elapsed();
    let mut latencies: Vec<Duration> = all.iter().map(|(_, d)| *d).collect();
    latencies.sort();
    let delivered = all.iter().filter(|(s, _)| *s == 200).count();
    Storm {
        delivered,
        failed: all.len() - delivered,
        wall,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

/// One storm of `count` deliveries against a fresh database `db` connected
/// to a small simulated store, served with `limits`; checked for exactly-once.
pub async fn storm(rt: &Runtime, db: &str, count: usize, senders: usize, limits: Limits) -> Result<Storm> {
    let sim = Simulator::start(SimConfig {
        seed: SeedSpec { customers: 5, orders: 10, products: 5, seed: 3 },
        ..Default::default()
    })
    .await?;
    let mut s = crate::session::connect_simulator(rt, crate::storage::open(db)?, &sim).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://127.0.0.1:{}/webhooks", listener.local_addr()?.port());
    s.begin_call();
    s.bindings
        .woo_connector_webhook()
        .call_register(&mut s.store, &url)
        .await?
        .map_err(|e| anyhow!("registering the webhooks: {}", crate::wit::error_message(&e)))?;
    drop(s);
    let (secret, template) = {
        let d = sim.state.data.read().map_err(|_| anyhow!("simulator lock"))?;
        let secret = d
            .webhooks
            .iter()
            .find(|h| h["topic"] == "order.created")
            .and_then(|h| h["secret"].as_str())
            .context("no order.created webhook registered")?
            .to_string();
        let template = d
            .orders
            .iter()
            .find(|o| o["billing"]["email"].as_str().is_some_and(|e| !e.is_empty()))
            .context("no order with an e-mail to copy")?
            .clone();
        (secret, template)
    };
    let server = tokio::spawn(crate::serve::serve_with(listener, rt.clone(), db.to_string(), None, limits));
    let ids: Vec<u64> = (0..count as u64).map(|i| 50_000_000 + i).collect();
    let result = post_all(&url, &secret, &template, &ids, senders).await;
    // Replays of a sample change nothing.
    let replay = post_all(&url, &secret, &template, &ids[..ids.len().min(200)], senders).await;
    server.abort();
    let _ = server.await;
    ensure!(
        result.failed == 0 && replay.failed == 0,
        "{} deliveries and {} replays were not answered 200",
        result.failed,
        replay.failed
    );
    let mut storage = crate::storage::open(db)?;
    let stored = storage
        .records("default", Some("order"))?
        .iter()
        .filter(|r| {
            r.id.strip_prefix("woo:order:").and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n >= 50_000_000)
        })
        .count();
    ensure!(stored == count, "{stored} of {count} delivered orders stored (each exactly once)");
    Ok(result)
}

/// Both storms, kept instances and the baseline, into `rows`; `backend` names
/// the database (`sqlite` or `postgresql`), `fresh` makes a new one.
pub(super) async fn measure(
    rows: &mut Vec<Row>,
    rt: &Runtime,
    backend: &str,
    count: usize,
    fresh: &mut dyn FnMut(&str) -> Result<String>,
) -> Result<()> {
    eprintln!("bench: webhook storm on {backend}, {count} deliveries from {SENDERS} senders");
    let kept = storm(rt, &fresh("kept")?, count, SENDERS, Limits::default()).await?;
    let baseline_count = (count / 4).max(200);
    let baseline =
        storm(rt, &fresh("fresh")?, baseline_count, SENDERS, Limits { kept_instances: 0, ..Limits::default() }).await?;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    row(
        rows,
        format!("webhook storm on {backend}: deliveries/s"),
        format!("{:.0} vs {:.0}", kept.rate(), baseline.rate()),
        format!(
            "kept instances vs a fresh instance per delivery (the baseline, {baseline_count} deliveries); {:.1}×; {SENDERS} senders",
            kept.rate() / baseline.rate()
        ),
    );
    row(
        rows,
        format!("webhook storm on {backend}: p50 / p99"),
        format!("{:.1} ms / {:.1} ms", ms(kept.p50), ms(kept.p99)),
        format!(
            "baseline {:.1} ms / {:.1} ms; every delivery stored once, replays changed nothing",
            ms(baseline.p50),
            ms(baseline.p99)
        ),
    );
    Ok(())
}

/// A fresh SQLite database file in `dir` for the storm named `name`.
pub(super) fn sqlite_in(dir: &Path) -> impl FnMut(&str) -> Result<String> + '_ {
    move |name| Ok(dir.join(format!("storm-{name}.db")).display().to_string())
}
