//! `woo sync`: one incremental pass over what the settings enable, or a loop
//! with `--watch` (products less often).

use super::app::App;
use crate::wit::types::Kind;
use anyhow::Result;
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long)]
    watch: bool,
    /// Seconds between passes with --watch (products every 5 minutes).
    #[arg(long, default_value_t = 60)]
    interval: u64,
    /// Seconds between product passes with --watch.
    #[arg(long, default_value_t = 300)]
    product_interval: u64,
    /// Stop --watch after this many passes (0 = until stopped).
    #[arg(long, default_value_t = 0, hide = true)]
    passes: u64,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let Args { watch, interval, product_interval, passes } = args;
    let mut s = app.session(None).await?;
    let mut last_products: Option<Instant> = None;
    let mut n = 0u64;
    loop {
        let products_due = !watch || last_products.is_none_or(|t| t.elapsed().as_secs() >= product_interval);
        let kinds: Option<Vec<Kind>> =
            if products_due { None } else { Some(vec![Kind::Contacts, Kind::Orders, Kind::Transactions]) };
        let t = Instant::now();
        let report = app.sync_pass(&mut s, kinds.as_deref()).await?;
        if products_due {
            last_products = Some(t);
        }
        app.print_report(&report, t.elapsed().as_secs_f64(), json!({}));
        n += 1;
        if !watch || (passes > 0 && n >= passes) {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(interval)) => {}
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    Ok(())
}
