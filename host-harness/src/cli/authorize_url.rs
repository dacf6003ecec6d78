//! `woo authorize-url`: the WooCommerce app-authorisation URL (scope
//! `read_write`), its callback bound to this connection and a fresh state.

use super::app::App;
use super::exit::{describe, invalid};
use crate::outln as println;
use crate::wc_auth;
use anyhow::Result;

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, env = "WOO_STORE_URL")]
    store: String,
    #[arg(long)]
    return_url: String,
    #[arg(long)]
    callback_url: String,
    #[arg(long, default_value = "1")]
    user_id: String,
    #[arg(long, default_value = "woo-connector")]
    app_name: String,
}

pub(crate) async fn run(app: &App, args: Args) -> Result<()> {
    let Args { store, return_url, callback_url, user_id, app_name } = args;
    // The callback is bound to this authorisation: its connection in the
    // path, a fresh state in the query (see `crate::wc_auth`).
    let state = wc_auth::new_state();
    let callback_url = wc_auth::callback_url_for(&callback_url, &app.connection, &state).map_err(invalid)?;
    let mut s = app.session(None).await?;
    let url = s
        .bindings
        .woo_connector_connection()
        .call_authorize_url(&mut s.store, &store, &app_name, &user_id, &return_url, &callback_url)
        .await?
        .map_err(|e| describe(&e))?;
    // One pending authorisation per connection: this one replaces any earlier.
    wc_auth::save_pending(s.storage(), &app.connection, &state, &user_id, &store)?;
    eprintln!(
        "the callback is accepted once, for user id {}, within {} minutes",
        user_id.trim(),
        wc_auth::PENDING_LIFETIME.as_secs() / 60
    );
    println!("{url}");
    Ok(())
}
