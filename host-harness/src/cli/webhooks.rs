//! `woo webhooks register`: create the store's order, customer and product
//! webhooks with a new secret.

use super::app::App;
use super::exit::describe;
use crate::outln as println;
use anyhow::Result;
use serde_json::json;

#[derive(clap::Subcommand)]
pub(crate) enum Action {
    /// Create the store's order/customer/product webhooks with a new secret.
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
