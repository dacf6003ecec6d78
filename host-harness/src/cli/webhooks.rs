//! `woo webhooks register`: make sure the store has the connector's order,
//! customer, product and coupon webhooks (15 topics), signed with the
//! connection's secret; registering again creates no duplicate.

use super::app::App;
use super::exit::describe;
use crate::outln as println;
use anyhow::Result;
use serde_json::json;

#[derive(clap::Subcommand)]
pub(crate) enum Action {
    /// Create (or reuse, re-enable) the store's order/customer/product/coupon webhooks, one per topic.
    Register {
        #[arg(long)]
        delivery_url: String,
    },
}

pub(crate) async fn run(app: &App, action: Action) -> Result<()> {
    let Action::Register { delivery_url } = action;
    let mut s = app.session(None).await?;
    s.begin_call();
    let ids = s
        .bindings
        .woo_connector_webhook()
        .call_register(&mut s.store, &delivery_url)
        .await?
        .map_err(|e| describe(&e))?;
    if app.json {
        println!("{}", json!({"webhook_ids": ids}));
    } else {
        println!("registered {} webhooks: {ids:?}", ids.len());
    }
    Ok(())
}
