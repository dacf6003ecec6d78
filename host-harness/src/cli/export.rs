//! `woo export`: the platform records as JSON Lines, sorted by kind then id,
//! optionally of one kind, or the products carrying a SKU or a GTIN.

use super::app::App;
use super::exit::invalid;
use anyhow::Result;
use serde_json::Value;
use std::io::Write;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long)]
    kind: Option<String>,
    /// Only products whose SKU (or a variant's) is this, ignoring case.
    #[arg(long)]
    sku: Option<String>,
    /// Only products whose GTIN/UPC/EAN/ISBN (or a variant's) is this.
    #[arg(long)]
    gtin: Option<String>,
}

/// Whether a product record carries `value` in `field`, itself or in a variant.
fn product_has(record: &Value, field: &str, value: &str) -> bool {
    let hit = |v: &Value| v[field].as_str().is_some_and(|s| !s.is_empty() && s.eq_ignore_ascii_case(value));
    hit(record) || record["variants"].as_array().is_some_and(|vs| vs.iter().any(hit))
}

pub(crate) fn run(app: &App, args: Args) -> Result<()> {
    let Args { kind, sku, gtin } = args;
    let by_code = sku.is_some() || gtin.is_some();
    if by_code && kind.as_deref().is_some_and(|k| k != "product") {
        return Err(invalid("--sku and --gtin match products: use them with --kind product (or no --kind)").into());
    }
    let kind = if by_code { Some("product".to_string()) } else { kind };
    let mut storage = app.storage()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for r in storage.records(&app.connection, kind.as_deref())? {
        if by_code {
            let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
            if sku.as_deref().is_some_and(|s| !product_has(&v, "sku", s))
                || gtin.as_deref().is_some_and(|g| !product_has(&v, "gtin", g))
            {
                continue;
            }
        }
        crate::output::checked(writeln!(out, "{}", r.body));
    }
    crate::output::checked(out.flush());
    Ok(())
}
