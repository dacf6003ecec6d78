//! Webhooks that heal themselves: each sync pass reads the store's webhooks
//! (one request) and brings back those this connection registered that
//! WooCommerce disabled (after more than 5 failed deliveries), that someone
//! paused, or that were deleted, by [`register`](super::register)'s own code,
//! so one rule decides how a webhook is re-enabled or re-created.

use super::register::{DELIVERY_URL_KEY, REGISTERED_KEY, register};
use crate::client::{Client, Error, Transport};
use crate::connection;
use crate::port::{Batch, Host, Level, Notification, StorageError, bucket};
use crate::read;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where the record of healings is kept, in the connection bucket.
pub const HEALING_KEY: &str = "webhooks_healing";

/// What the passes healed so far, for `woo status` and `woo connections`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healing {
    /// Webhooks found disabled, paused or missing and brought back, in all.
    pub healed: u32,
    /// When the last of them was healed (the host's clock, RFC 3339).
    pub last_at: Option<String>,
    /// The topics healed then.
    pub last_topics: Vec<String>,
}

/// The healings recorded so far (none when nothing was ever healed).
pub fn healing(host: &mut impl Host) -> Result<Healing, StorageError> {
    Ok(host.get(bucket::CONNECTION, HEALING_KEY)?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default())
}

/// The registered webhook of `topic` (its kept `id`) is down when the store
/// no longer lists it, or lists it with any status but `active` (`disabled`,
/// `paused`, `pending`): no delivery of the topic reaches us.
pub fn is_down(store_webhooks: &[Value], topic: &str, id: u64) -> bool {
    !store_webhooks.iter().any(|w| {
        read::id(&w["id"]) == Some(id) && read::text(&w["topic"]) == topic && read::text(&w["status"]) == "active"
    })
}

/// Check the webhooks this connection registered and heal the ones that are
/// down; the topics healed (empty when all were well).
///
/// Without registered webhooks nothing is read. Otherwise one request
/// (`GET /webhooks?_fields=id,topic,status,delivery_url&per_page=100`) when
/// all are active; when some are not, [`register`] runs again with the
/// delivery URL they were registered with (so the same URL and the same
/// secret), then the healing is recorded ([`healing`]), logged at warn, and
/// the owner is sent one notification.
pub fn heal<T: Transport>(client: &mut Client<T>, host: &mut impl Host) -> Result<Vec<String>, Error> {
    let registered: BTreeMap<String, u64> =
        host.get(bucket::CONNECTION, REGISTERED_KEY)?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    if registered.is_empty() {
        return Ok(vec![]);
    }
    let mut listed: Vec<Value> = vec![];
    let fields = vec![("_fields".to_string(), "id,topic,status,delivery_url".to_string())];
    client.for_each_page("/webhooks", &fields, 1, 0, |_, page| {
        listed.extend(page.items);
        Ok(())
    })?;
    let down: Vec<String> =
        registered.iter().filter(|(topic, id)| is_down(&listed, topic, **id)).map(|(t, _)| t.clone()).collect();
    if down.is_empty() {
        return Ok(down);
    }
    // Registered before the URL was kept: the URL one of ours still carries.
    let url = host.text(bucket::CONNECTION, DELIVERY_URL_KEY)?.filter(|u| !u.is_empty()).or_else(|| {
        listed
            .iter()
            .find(|w| registered.values().any(|id| read::id(&w["id"]) == Some(*id)))
            .map(|w| read::text(&w["delivery_url"]).to_string())
            .filter(|u| !u.is_empty())
    });
    let Some(url) = url else {
        host.log(
            Level::Warn,
            &format!(
                "webhooks down ({}) and their delivery URL is unknown: run `woo webhooks register`",
                down.join(", ")
            ),
        );
        return Ok(vec![]);
    };
    register(client, host, &url)?;
    let mut record = healing(host)?;
    record.healed = record.healed.saturating_add(u32::try_from(down.len()).unwrap_or(u32::MAX));
    record.last_at = Some(host.now_rfc3339());
    record.last_topics = down.clone();
    let mut batch = Batch::default();
    batch.set_state(bucket::CONNECTION, HEALING_KEY, serde_json::to_vec(&record).unwrap_or_default());
    let info = connection::info(host)?;
    if let Some(owner) = info.owner_email {
        batch.notifications.push(Notification {
            topic: "webhooks_healed".into(),
            recipient: owner,
            subject: "Your WooCommerce store's webhooks were switched back on".into(),
            body: format!(
                "The store {} had stopped sending us {} (disabled, paused or deleted; WooCommerce disables a \
                 webhook after more than 5 failed deliveries). They are active again, and what changed \
                 meanwhile is being read from the store. Nothing needs to be done.",
                info.store_url,
                down.join(", ")
            ),
        });
    }
    host.commit(batch)?;
    host.log(Level::Warn, &format!("webhooks healed (re-enabled or re-created): {}", down.join(", ")));
    Ok(down)
}
