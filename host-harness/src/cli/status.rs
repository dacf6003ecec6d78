//! `woo status`: the connection's state, store, WooCommerce version, when
//! each kind last synced, the record counts, and the webhooks a pass
//! healed (found disabled, paused or missing and brought back).

use super::app::App;
use crate::outln as println;
use crate::wit::{connection_state_name, kind_name};
use anyhow::Result;
use serde_json::{Map, Value, json};

pub(crate) async fn run(app: &App) -> Result<()> {
    let mut s = app.session(None).await?;
    let info = s.connection_status().await?;
    let synced = s.sync_status().await?;
    let counts = s.storage().counts(&app.connection)?;
    let state = connection_state_name(info.state);
    let webhooks = json!({"healed": synced.webhooks_healed, "last_healed": synced.webhooks_last_healed, "last_healed_topics": synced.webhooks_last_healed_topics});
    let last: Map<String, Value> =
        synced.kinds.into_iter().filter_map(|k| Some((kind_name(k.kind).to_string(), json!(k.last_sync?)))).collect();
    let counts_v: Map<String, Value> = counts.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
    if app.json {
        println!(
            "{}",
            json!({"state": state, "store_url": info.store_url, "woocommerce_version": info.woocommerce_version, "auth_method": info.auth_method, "last_sync": last, "counts": counts_v, "webhooks": webhooks})
        );
    } else {
        println!("state: {state}");
        println!("store: {}", if info.store_url.is_empty() { "-" } else { &info.store_url });
        println!("woocommerce: {}", info.woocommerce_version.unwrap_or_else(|| "-".into()));
        for (k, v) in &last {
            println!("last sync {k}: {}", v.as_str().unwrap_or(""));
        }
        for (k, n) in counts {
            println!("{k}: {n}");
        }
        if let Some(at) = &synced.webhooks_last_healed {
            println!(
                "webhooks healed: {} (last {at}: {})",
                synced.webhooks_healed,
                synced.webhooks_last_healed_topics.join(", ")
            );
        }
    }
    Ok(())
}
