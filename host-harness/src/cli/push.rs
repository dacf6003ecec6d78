//! `woo push`: send data back to WooCommerce through the push tools: stock
//! levels, shipments, contact changes.

use super::app::App;
use super::exit::{Failure, describe, invalid};
use crate::outln as println;
use anyhow::Result;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub(crate) enum What {
    /// Set stock levels by SKU, product id or variation id (one, or a file of many).
    Stock {
        #[arg(long, conflicts_with_all = ["product", "variation", "file"])]
        sku: Option<String>,
        #[arg(long, conflicts_with_all = ["variation", "file"])]
        product: Option<u64>,
        #[arg(long, conflicts_with = "file")]
        variation: Option<u64>,
        #[arg(long, allow_hyphen_values = true, required_unless_present = "file")]
        quantity: Option<i64>,
        /// Lines `TARGET,QUANTITY`: TARGET is a SKU, `product:ID` or `variation:ID`; `#` comments.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Add a customer-visible tracking note and complete the order (once per shipment).
    Shipment {
        #[arg(long)]
        order: u64,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking_number: String,
        #[arg(long)]
        tracking_url: Option<String>,
    },
    /// Update a registered customer: `--set field=value`, repeated.
    Contact {
        /// The contact id, e.g. woo:customer:42.
        #[arg(long)]
        id: String,
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
    },
}

/// The `push-stock` item for `target` (a SKU, `product:ID` or `variation:ID`).
fn stock_item(target: &str, quantity: i64) -> Result<Value, Failure> {
    let target = target.trim();
    Ok(if let Some(id) = target.strip_prefix("product:") {
        let id = id.trim().parse::<u64>().map_err(|_| invalid(format!("`{target}`: product:ID needs a number")))?;
        json!({"product_id": id, "quantity": quantity})
    } else if let Some(id) = target.strip_prefix("variation:") {
        let id = id.trim().parse::<u64>().map_err(|_| invalid(format!("`{target}`: variation:ID needs a number")))?;
        json!({"variation_id": id, "quantity": quantity})
    } else {
        json!({"sku": target, "quantity": quantity})
    })
}

/// The `push-stock` items of a stock file: `TARGET,QUANTITY` lines, `#`
/// comments, an optional `sku,…` header.
fn stock_file(path: &PathBuf) -> Result<Vec<Value>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("--file {}: {e}", path.display())))?;
    let mut items = vec![];
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || (n == 0 && line.to_ascii_lowercase().starts_with("sku,")) {
            continue;
        }
        let (target, q) =
            line.rsplit_once(',').ok_or_else(|| invalid(format!("--file line {}: expected TARGET,QUANTITY", n + 1)))?;
        let q: i64 = q
            .trim()
            .parse()
            .map_err(|_| invalid(format!("--file line {}: `{}` is not a whole number", n + 1, q.trim())))?;
        items.push(stock_item(target, q)?);
    }
    if items.is_empty() {
        return Err(invalid(format!("--file {}: no stock lines", path.display())));
    }
    Ok(items)
}

/// The `push-stock` items of `woo push stock`.
fn stock_items(
    sku: Option<String>,
    product: Option<u64>,
    variation: Option<u64>,
    quantity: Option<i64>,
    file: Option<PathBuf>,
) -> Result<Vec<Value>, Failure> {
    if let Some(path) = file {
        return stock_file(&path);
    }
    let q = quantity.ok_or_else(|| invalid("--quantity is required"))?;
    Ok(vec![match (sku, product, variation) {
        (Some(s), None, None) => json!({"sku": s, "quantity": q}),
        (None, Some(p), None) => json!({"product_id": p, "quantity": q}),
        (None, None, Some(v)) => json!({"variation_id": v, "quantity": q}),
        _ => return Err(invalid("give one of --sku, --product, --variation or --file")),
    }])
}

/// The tool and its arguments (absent options left out).
fn tool_call(what: What) -> Result<(&'static str, Value), Failure> {
    let (tool, args) = match what {
        What::Stock { sku, product, variation, quantity, file } => {
            ("push-stock", json!({"items": stock_items(sku, product, variation, quantity, file)?}))
        }
        What::Shipment { order, carrier, tracking_number, tracking_url } => (
            "push-shipment",
            json!({"order_id": order, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url}),
        ),
        What::Contact { id, set } => {
            let mut fields = serde_json::Map::new();
            for pair in set {
                let (k, v) =
                    pair.split_once('=').ok_or_else(|| invalid(format!("--set `{pair}`: expected FIELD=VALUE")))?;
                fields.insert(k.trim().to_string(), Value::String(v.to_string()));
            }
            ("push-contact", json!({"contact_id": id, "set": fields}))
        }
    };
    let args = match args {
        Value::Object(mut m) => {
            m.retain(|_, v| !v.is_null());
            Value::Object(m)
        }
        other => other,
    };
    Ok((tool, args))
}

pub(crate) async fn run(app: &App, what: What) -> Result<()> {
    let (tool, args) = tool_call(what)?;
    let mut s = app.session(None).await?;
    s.begin_call();
    let r = s.bindings.woo_connector_tools().call_call_tool(&mut s.store, tool, &args.to_string()).await?;
    println!("{}", r.map_err(|e| describe(&e))?);
    Ok(())
}
