//! `woo connections`: the connections of a database, with their state,
//! store, last sync, next due time, the worker holding each, the last
//! pass's error, and the webhooks its passes healed.

use super::app::App;
use crate::dates::rfc3339;
use crate::outln as println;
use crate::wit::connection_state_name;
use anyhow::Result;
use serde_json::{Value, json};

pub(crate) async fn run(app: &App) -> Result<()> {
    let rows = list(app).await?;
    if app.json {
        println!("{}", Value::Array(rows));
    } else {
        println!(
            "{:<20} {:<19} {:<25} {:<24} {:<8} {}",
            "connection", "state", "last sync", "next due", "healed", "store"
        );
        for r in rows {
            let text = |k: &str| r[k].as_str().unwrap_or("-").to_string();
            println!(
                "{:<20} {:<19} {:<25} {:<24} {:<8} {}",
                text("name"),
                text("state"),
                text("last_sync"),
                text("next_due"),
                r["webhooks_healed"],
                text("store_url")
            );
        }
    }
    Ok(())
}

/// One JSON object per connection. What the component knows of each (state,
/// store, last sync) is asked of an instance of its own, which sends no
/// request; the schedule comes from the database.
async fn list(app: &App) -> Result<Vec<Value>> {
    let time = |ms: i64| (ms != i64::MAX && ms >= 0).then(|| rfc3339((ms / 1000) as u64));
    let mut storage = app.storage()?;
    let mut out = vec![];
    for row in storage.connections()? {
        let pending = crate::worker::import_pending(storage.as_mut(), &row.connection)?;
        let mut s = app.runtime.session(storage, &row.connection, Default::default()).await?;
        let info = s.connection_status().await?;
        let synced = s.sync_status().await?;
        let last = synced.kinds.into_iter().filter_map(|k| k.last_sync).max();
        storage = s.into_storage();
        out.push(json!({
            "name": row.connection,
            "state": connection_state_name(info.state),
            "store_url": (!info.store_url.is_empty()).then_some(info.store_url),
            "woocommerce_version": info.woocommerce_version,
            "last_sync": last,
            "webhooks_healed": synced.webhooks_healed,
            "webhooks_last_healed": synced.webhooks_last_healed,
            "webhooks_last_healed_topics": synced.webhooks_last_healed_topics,
            "import_pending": pending,
            "next_due": time(row.next_due_ms),
            "held_by": row.held_by,
            "last_pass": row.last_pass_ms.and_then(time),
            "last_error": row.last_error,
        }));
    }
    Ok(out)
}
