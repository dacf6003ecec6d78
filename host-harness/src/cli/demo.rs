//! `woo demo`: a simulated store on loopback, connected, imported, changed
//! and synced again, with a summary of each step.

use super::app::{App, parse_kinds};
use crate::outln as println;
use crate::sim::{SeedSpec, SimConfig, Simulator};
use anyhow::Result;
use serde_json::{Value, json};
use std::time::Instant;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 300)]
    customers: u64,
    #[arg(long, default_value_t = 1500)]
    orders: u64,
    #[arg(long, default_value_t = 150)]
    products: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub(crate) async fn run(app: App, args: Args) -> Result<()> {
    let Args { customers, orders, products, seed } = args;
    let started = Instant::now();
    let sim =
        Simulator::start(SimConfig { seed: SeedSpec { customers, orders, products, seed }, ..Default::default() })
            .await?;
    eprintln!("simulated store at {} (WooCommerce {})", sim.https_url, crate::sim::DEFAULT_VERSION);
    let app = App { ca_cert: Some(sim.ca_cert.clone()), ..app };
    let (mut s, info) = app
        .connect(
            &sim.https_url,
            &sim.consumer_key,
            &sim.consumer_secret,
            Some("owner@example.test".into()),
            "hmac-sha256",
        )
        .await?;
    eprintln!("connected ({}, WooCommerce {})", info.auth_method, info.woocommerce_version.clone().unwrap_or_default());
    let t = Instant::now();
    let report = app.import(&mut s, &parse_kinds("all", "--import")?).await?;
    let elapsed = t.elapsed().as_secs_f64();
    if app.json {
        let store = json!({"customers": customers, "orders": orders, "products": products});
        app.print_report(
            &report,
            elapsed,
            json!({"phase": "import", "store": store, "total_seconds": started.elapsed().as_secs_f64()}),
        );
    } else {
        println!("woo demo: simulated store with {customers} customers, {orders} orders, {products} products");
        app.print_report(&report, elapsed, json!({}));
    }
    // A change set in the store, then the incremental sync that follows.
    let store = &sim.state;
    let (unpaid, product) = (store.an_unpaid_order(), store.a_purchasable_product());
    let (buyer_id, buyer_email) = store.a_registered_customer().unwrap_or((0, "shopper@example.test".into()));
    store.place_order(buyer_id, &buyer_email, true);
    store.place_order(0, "walk.in.guest@example.test", false);
    if let Some(id) = unpaid {
        store.update_order(id, json!({"status": "processing"}));
    }
    if let Some(id) = product {
        store.update_product(id, json!({"status": "draft"}));
    }
    if !app.json {
        println!();
        println!(
            "store changes: 2 new orders (1 paid), order {} paid, product {} unpublished",
            unpaid.unwrap_or(0),
            product.unwrap_or(0)
        );
    }
    let t = Instant::now();
    let report = app.sync_pass(&mut s, None).await?;
    let fired: Vec<Value> = s
        .storage()
        .records(&app.connection, Some("trigger"))?
        .into_iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
        .map(|v| json!({"trigger": v["trigger"], "order_id": v["order_id"]}))
        .collect();
    if app.json {
        app.print_report(&report, t.elapsed().as_secs_f64(), json!({"phase": "sync", "fired": fired}));
    } else {
        println!("incremental sync:");
        app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
        for f in &fired {
            println!("trigger {} for {}", f["trigger"].as_str().unwrap_or(""), f["order_id"].as_str().unwrap_or(""));
        }
    }
    Ok(())
}
