//! `woo connect`: verify and save a store connection, choose what ongoing
//! sync keeps in step, then import (or leave the import to `woo worker`).

use super::app::{App, parse_kinds};
use super::settings;
use crate::outln as println;
use crate::session::HOST_BUCKET;
use crate::wit::sync::Settings;
use anyhow::Result;
use serde_json::json;
use std::time::Instant;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, env = "WOO_STORE_URL")]
    store: String,
    #[arg(long, env = "WOO_CONSUMER_KEY", hide_env_values = true)]
    key: String,
    #[arg(long, env = "WOO_CONSUMER_SECRET", hide_env_values = true)]
    secret: String,
    #[arg(long, env = "WOO_OWNER_EMAIL")]
    owner_email: Option<String>,
    /// `all`, `none` or a comma list of contacts,orders,transactions,products,collections,checkouts.
    #[arg(long, default_value = "all")]
    import: String,
    /// OAuth 1.0a signature method over plain HTTP: hmac-sha256 or hmac-sha1.
    #[arg(long, default_value = "hmac-sha256")]
    signature_method: String,
    /// Ongoing sync: `all`, `none` or a comma list of contacts,orders,transactions,products,collections,checkouts,
    /// order-submitted,payment-received,order-status-changed,order-refunded,customer-created,product-out-of-stock.
    #[arg(long, default_value = "all")]
    sync: String,
    /// Verify and save the connection but leave its first import to `woo worker`.
    #[arg(long)]
    defer: bool,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let kinds = parse_kinds(&args.import, "--import")?;
    // Read before connecting: a bad list changes nothing.
    let mut wanted = Settings {
        contacts: false,
        orders: false,
        transactions: false,
        products: false,
        collections: false,
        checkouts: false,
        order_submitted: false,
        payment_received: false,
        order_status_changed: false,
        order_refunded: false,
        customer_created: false,
        product_out_of_stock: false,
        concurrency: 0,
        reconcile_every_minutes: 0,
        checkout_abandoned_after_minutes: 0,
    };
    settings::apply(&mut wanted, &args.sync, true, "--sync")?;
    let (mut s, info) =
        app.connect(&args.store, &args.key, &args.secret, args.owner_email, &args.signature_method).await?;
    // The pages in flight, the sweep's interval and the abandonment time
    // stay as they were chosen.
    let current = app.settings(&mut s).await?;
    wanted.concurrency = current.concurrency;
    wanted.reconcile_every_minutes = current.reconcile_every_minutes;
    wanted.checkout_abandoned_after_minutes = current.checkout_abandoned_after_minutes;
    app.set_settings(&mut s, &wanted).await?;
    eprintln!(
        "connected to {} (WooCommerce {}, {})",
        info.store_url,
        info.woocommerce_version.clone().unwrap_or_else(|| "?".into()),
        info.auth_method
    );
    let storage = s.storage();
    if args.defer && !kinds.is_empty() {
        crate::worker::defer_import(storage, &app.connection, &kinds)?;
        eprintln!("the first import is left to `woo worker`");
        if app.json {
            println!(
                "{}",
                json!({"state": "connected", "store_url": info.store_url, "woocommerce_version": info.woocommerce_version, "import": "deferred"})
            );
        }
        return Ok(());
    }
    storage.kv_delete(&app.connection, HOST_BUCKET, crate::worker::IMPORT_PENDING_KEY)?;
    storage.schedule(&app.connection, true)?;
    if kinds.is_empty() {
        if app.json {
            println!(
                "{}",
                json!({"state": "connected", "store_url": info.store_url, "woocommerce_version": info.woocommerce_version})
            );
        }
        return Ok(());
    }
    let t = Instant::now();
    let report = app.import(&mut s, &kinds).await?;
    app.print_report(
        &report,
        t.elapsed().as_secs_f64(),
        json!({"store_url": info.store_url, "woocommerce_version": info.woocommerce_version}),
    );
    Ok(())
}
