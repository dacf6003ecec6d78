//! Registering the store's webhooks: one per topic the connector handles,
//! all signed with the connection's secret, and never one topic twice.

use super::{SECRET_KEY, TOPICS};
use crate::client::{ApiRequest, Client, Error, Method, Transport};
use crate::port::{Batch, Host, bucket};
use crate::read;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where the webhooks this connection registered are kept, in the
/// connection bucket: a JSON object, topic → webhook id.
pub const REGISTERED_KEY: &str = "webhooks";

/// Where the URL they deliver to is kept, in the connection bucket: a
/// webhook found down is healed with it.
pub const DELIVERY_URL_KEY: &str = "webhooks_delivery_url";

/// The name a webhook the connector registers carries.
pub fn webhook_name(topic: &str) -> String {
    format!("woo-connector {topic}")
}

/// Make sure the store has one active webhook per topic of [`TOPICS`]
/// delivering to `delivery_url`, signed with the connection's secret
/// (generated on the first registration, kept in the credential store).
/// Returns their ids, in the order of [`TOPICS`].
///
/// Registering again creates no second webhook for a topic: the store's
/// webhooks are read first (`GET /webhooks`), and one this connection
/// registered (its id kept under [`REGISTERED_KEY`]), or one carrying the
/// connector's name for that topic and this delivery URL (registered before
/// the ids were kept), is reused: re-enabled if WooCommerce disabled or
/// paused it, pointed at `delivery_url`, and given the secret when it may
/// not have it. Only missing topics are created.
pub fn register<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    delivery_url: &str,
) -> Result<Vec<u64>, Error> {
    let u = delivery_url.trim();
    let valid = (u.starts_with("https://") || u.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
        && !u.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("").contains('@')
        && u.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !valid {
        return Err(Error::invalid("delivery_url", "must be an absolute http(s) URL without credentials"));
    }
    let (secret, new_secret) = match host.text(bucket::CREDENTIALS, SECRET_KEY)? {
        Some(s) if !s.is_empty() => (s, false),
        _ => {
            // ASCII only, none of &<>"' (WooCommerce HTML-decodes the stored secret).
            let s = format!("{}{}", client.transport.nonce(), client.transport.nonce());
            host.set(bucket::CREDENTIALS, SECRET_KEY, s.as_bytes())?;
            (s, true)
        }
    };
    let registered: BTreeMap<String, u64> =
        host.get(bucket::CONNECTION, REGISTERED_KEY)?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut existing: Vec<Value> = vec![];
    client.for_each_page("/webhooks", &[], 1, 0, |_, page| {
        existing.extend(page.items);
        Ok(())
    })?;
    let mut ids: BTreeMap<String, u64> = BTreeMap::new();
    for topic in TOPICS {
        let kept = registered.get(topic).copied();
        let ours = |w: &&Value| {
            read::text(&w["topic"]) == topic
                && (read::id(&w["id"]) == kept
                    || (read::text(&w["name"]) == webhook_name(topic) && read::text(&w["delivery_url"]) == u))
        };
        // The one whose id was kept first, then an active one.
        let found = existing
            .iter()
            .filter(ours)
            .min_by_key(|w| (read::id(&w["id"]) != kept, read::text(&w["status"]) != "active"));
        let id = match found.and_then(|w| Some((read::id(&w["id"])?, w))) {
            Some((id, w)) => {
                let has_secret = kept == Some(id) && !new_secret;
                if !has_secret || read::text(&w["status"]) != "active" || read::text(&w["delivery_url"]) != u {
                    let body = json!({"status": "active", "delivery_url": u, "secret": secret});
                    client.send(&ApiRequest::write(Method::Put, format!("/webhooks/{id}"), body))?;
                }
                id
            }
            None => {
                let body = json!({"name": webhook_name(topic), "topic": topic, "delivery_url": u, "secret": secret, "status": "active"});
                let r = client.send(&ApiRequest::write(Method::Post, "/webhooks", body))?;
                read::id(&r.body["id"])
                    .ok_or_else(|| Error::Transport(format!("the store created the {topic} webhook without an id")))?
            }
        };
        ids.insert(topic.to_string(), id);
    }
    let mut batch = Batch::default();
    batch.set_state(bucket::CONNECTION, REGISTERED_KEY, serde_json::to_vec(&ids).unwrap_or_default());
    batch.set_state(bucket::CONNECTION, DELIVERY_URL_KEY, u);
    host.commit(batch)?;
    Ok(TOPICS.iter().filter_map(|t| ids.get(*t).copied()).collect())
}
