//! Webhook deliveries: verify the signature in constant time, recognise the
//! ping, de-duplicate on resource id + `date_modified_gmt`, apply the resource.

use crate::client::Error;
use crate::env::{Batch, Host, bucket};
use crate::{mapping, model, sync};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;

/// Largest delivery body accepted.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What became of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Duplicate,
    Ping,
    Ignored,
}

/// The webhook secret's key in the credentials bucket.
pub const SECRET_KEY: &str = "webhook_secret";

/// The topics the connector registers.
pub const TOPICS: [&str; 6] = ["order.created", "order.updated", "customer.created", "customer.updated", "product.created", "product.updated"];

/// Create the store's webhooks with a new secret (kept in the credential store).
pub fn register<T: crate::client::Transport>(client: &mut crate::client::Client<T>, host: &mut impl Host, delivery_url: &str) -> Result<Vec<u64>, Error> {
    let u = delivery_url.trim();
    let valid = (u.starts_with("https://") || u.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control())
        && !u.split("://").nth(1).unwrap_or("").split('/').next().unwrap_or("").contains('@')
        && u.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !valid {
        return Err(Error::invalid("delivery_url", "must be an absolute http(s) URL without credentials"));
    }
    // ASCII only, none of &<>"' (WooCommerce HTML-decodes the stored secret).
    let secret = format!("{}{}", client.transport.nonce(), client.transport.nonce());
    host.set(bucket::CREDENTIALS, SECRET_KEY, secret.as_bytes()).map_err(Error::Transport)?;
    let mut ids = vec![];
    for topic in TOPICS {
        let body = serde_json::json!({"name": format!("woo-connector {topic}"), "topic": topic, "delivery_url": u, "secret": secret, "status": "active"});
        let r = client.send(&crate::client::ApiRequest::write(crate::client::Method::Post, "/webhooks", body))?;
        ids.extend(model::id(&r.body["id"]));
    }
    Ok(ids)
}

/// `base64(HMAC-SHA256(secret, body))` compared in constant time.
pub fn signature_is_valid(secret: &[u8], body: &[u8], signature_b64: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Where the states already applied are remembered.
pub const SEEN_BUCKET: &str = "webhook-seen";

/// One state of one resource: kind, id and modification time. A delivery
/// of a state already applied (or written by the connector itself) is a
/// duplicate.
pub fn dedupe_key(kind: &str, resource: &Value) -> String {
    format!("{kind}:{}:{}", model::text(&resource["id"]), model::text(&resource["date_modified_gmt"]))
}

/// Verify and apply one delivery.
pub fn handle(host: &mut impl Host, headers: &[(String, String)], body: &[u8]) -> Result<Outcome, Error> {
    if body.len() > MAX_BODY {
        return Err(Error::invalid("body", "is larger than a WooCommerce delivery can be"));
    }
    let signature = header(headers, "X-WC-Webhook-Signature");
    if signature.is_none() && header(headers, "X-WC-Webhook-Topic").is_none() {
        let text = String::from_utf8_lossy(body);
        if text.starts_with("webhook_id=") && text[11..].chars().all(|c| c.is_ascii_digit()) {
            return Ok(Outcome::Ping);
        }
    }
    let secret = host.get(bucket::CREDENTIALS, SECRET_KEY).ok_or_else(|| {
        Error::invalid("X-WC-Webhook-Signature", "no webhook secret is registered for this connection")
    })?;
    let Some(sig) = signature else {
        return Err(Error::invalid("X-WC-Webhook-Signature", "is missing"));
    };
    if !signature_is_valid(&secret, body, sig) {
        return Err(Error::invalid("X-WC-Webhook-Signature", "does not match the body"));
    }
    let topic = header(headers, "X-WC-Webhook-Topic").unwrap_or_default().to_string();
    let resource: Value = serde_json::from_slice(body).map_err(|e| Error::invalid("body", format!("is not JSON: {e}")))?;
    let Some(_) = model::id(&resource["id"]) else {
        return Err(Error::invalid("body", "has no resource id"));
    };
    let topic_kind = topic.split('.').next().unwrap_or_default();
    if !matches!(topic_kind, "order" | "customer" | "product") {
        return Ok(Outcome::Ignored);
    }
    // WooCommerce coalesces deliveries and builds them at send time: the same
    // state may arrive twice, and a sync pass may have applied it already.
    let dedupe_key = dedupe_key(topic_kind, &resource);
    if host.get(SEEN_BUCKET, &dedupe_key).is_some() {
        return Ok(Outcome::Duplicate);
    }
    let settings = crate::settings::load(host);
    let mut batch = Batch::default();
    batch.set_state(SEEN_BUCKET, &dedupe_key, "1");
    let applied = match topic_kind {
        "order" => sync::apply_order(host, &settings, &resource, &mut batch),
        "customer" => {
            if let Some(r) = mapping::contact_from_customer(&resource).filter(|_| settings.contacts) {
                let email = model::text(&r.body["email"]);
                if !email.is_empty() {
                    batch.set_state(bucket::EMAILS, &email, r.id.clone());
                }
                batch.records.push(r);
            }
            true
        }
        _ => sync::apply_product(host, &settings, &resource, &[], &mut batch),
    };
    host.commit(batch).map_err(Error::Transport)?;
    Ok(if applied { Outcome::Applied } else { Outcome::Duplicate })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::memory::MemoryHost;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn webhook_ping_is_acknowledged_unsigned() {
        let mut host = MemoryHost::default();
        assert_eq!(handle(&mut host, &[], b"webhook_id=12").unwrap(), Outcome::Ping);
    }

    #[test]
    fn webhook_bad_signature_stores_nothing_and_good_one_applies_once() {
        let mut host = MemoryHost::default();
        host.set(bucket::CREDENTIALS, SECRET_KEY, b"s3cret").unwrap();
        let body = br#"{"id":55,"status":"processing","customer_id":0,"total":"10.00","billing":{"email":"x@y.z"},"date_modified_gmt":"2025-03-01T09:00:00","line_items":[]}"#;
        let bad = h(&[("X-WC-Webhook-Topic", "order.created"), ("X-WC-Webhook-Signature", "AAAA")]);
        assert!(handle(&mut host, &bad, body).is_err());
        assert!(host.records.is_empty());
        let good = h(&[("x-wc-webhook-topic", "order.created"), ("x-wc-webhook-signature", &sign("s3cret", body))]);
        assert_eq!(handle(&mut host, &good, body).unwrap(), Outcome::Applied);
        assert_eq!(handle(&mut host, &good, body).unwrap(), Outcome::Duplicate);
        assert!(host.triggers.contains_key("woo:trigger:order_submitted:55"));
        assert!(host.triggers.contains_key("woo:trigger:payment_received:55"));
    }
}
