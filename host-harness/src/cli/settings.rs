//! `woo settings`: show or change what ongoing sync keeps in step, how
//! many pages a pass keeps in flight, how often customers are swept, and
//! when a checkout is abandoned. The settings' names are also what
//! `woo connect --sync` takes.

use super::app::App;
use super::exit::invalid;
use crate::outln as println;
use crate::wit::sync::Settings;
use anyhow::{Result, bail};
use serde_json::{Value, json};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long)]
    enable: Option<String>,
    #[arg(long)]
    disable: Option<String>,
    /// Pages in flight during import and sync (1 to 16; default 4). A 429 halves it for the rest of a list.
    #[arg(long)]
    concurrency: Option<u32>,
    /// Minutes between reconciliation sweeps of the customers (default 60; 0 = never): a sweep lists
    /// `/customers` with `_fields=id,date_modified_gmt` and re-reads only the changed ones.
    #[arg(long = "reconcile-every", value_name = "MINUTES")]
    reconcile_every: Option<u32>,
    /// Minutes after its last change a checkout that has not become an order fires `checkout_abandoned`,
    /// once (default 60; 0 = never).
    #[arg(long = "checkout-abandoned-after", value_name = "MINUTES")]
    checkout_abandoned_after: Option<u32>,
}

/// The on/off settings, by name: the kinds kept in step, then the triggers.
pub const SETTING_NAMES: [&str; 12] = [
    "contacts",
    "orders",
    "transactions",
    "products",
    "collections",
    "checkouts",
    "order-submitted",
    "payment-received",
    "order-status-changed",
    "order-refunded",
    "customer-created",
    "product-out-of-stock",
];

fn setting_mut<'a>(s: &'a mut Settings, name: &str) -> Option<&'a mut bool> {
    Some(match name {
        "contacts" => &mut s.contacts,
        "orders" => &mut s.orders,
        "transactions" => &mut s.transactions,
        "products" => &mut s.products,
        "collections" => &mut s.collections,
        "checkouts" => &mut s.checkouts,
        "order-submitted" => &mut s.order_submitted,
        "payment-received" => &mut s.payment_received,
        "order-status-changed" => &mut s.order_status_changed,
        "order-refunded" => &mut s.order_refunded,
        "customer-created" => &mut s.customer_created,
        "product-out-of-stock" => &mut s.product_out_of_stock,
        _ => return None,
    })
}

/// Set the named settings to `value` (`all`, `none` or a comma list); `flag`
/// names the option in an error (exit 2).
pub fn apply(s: &mut Settings, list: &str, value: bool, flag: &str) -> Result<()> {
    let names: Vec<&str> = match list.trim() {
        "all" => SETTING_NAMES.to_vec(),
        "none" | "" => vec![],
        l => l.split(',').map(str::trim).collect(),
    };
    for n in names {
        match setting_mut(s, n) {
            Some(b) => *b = value,
            None => bail!(invalid(format!("{flag}: unknown setting `{n}` (use {})", SETTING_NAMES.join(",")))),
        }
    }
    Ok(())
}

/// The on/off settings as a JSON object, by name.
fn as_json(s: &Settings) -> Value {
    let mut s = *s;
    let mut v = json!({});
    for n in SETTING_NAMES {
        v[n] = json!(setting_mut(&mut s, n).is_some_and(|b| *b));
    }
    v
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let mut s = app.session(None).await?;
    let mut settings = app.settings(&mut s).await?;
    if let Some(l) = &args.enable {
        apply(&mut settings, l, true, "--enable")?;
    }
    if let Some(l) = &args.disable {
        apply(&mut settings, l, false, "--disable")?;
    }
    if let Some(n) = args.concurrency {
        settings.concurrency = n;
    }
    if let Some(m) = args.reconcile_every {
        settings.reconcile_every_minutes = m;
    }
    if let Some(m) = args.checkout_abandoned_after {
        settings.checkout_abandoned_after_minutes = m;
    }
    let changed = args.enable.is_some() || args.disable.is_some() || args.concurrency.is_some();
    if changed || args.reconcile_every.is_some() || args.checkout_abandoned_after.is_some() {
        // The component refuses a concurrency outside 1 to 16 (exit 2).
        app.set_settings(&mut s, &settings).await?;
    }
    let mut v = as_json(&settings);
    if app.json {
        v["reconcile-every-minutes"] = json!(settings.reconcile_every_minutes);
        v["checkout-abandoned-after-minutes"] = json!(settings.checkout_abandoned_after_minutes);
        println!("{v}");
    } else {
        for n in SETTING_NAMES {
            println!("{n}: {}", if v[n] == true { "on" } else { "off" });
        }
        match settings.reconcile_every_minutes {
            0 => println!("reconcile-every: never"),
            m => println!("reconcile-every: {m} minutes"),
        }
        match settings.checkout_abandoned_after_minutes {
            0 => println!("checkout-abandoned-after: never"),
            m => println!("checkout-abandoned-after: {m} minutes"),
        }
    }
    eprintln!("pages in flight: {}", settings.concurrency);
    Ok(())
}
