//! Webhook deliveries: verify the signature in constant time, recognise the
//! ping, de-duplicate on resource id + `date_modified_gmt`, apply the resource.

use crate::client::Error;
use crate::env::{Batch, Host, Trigger, bucket};
use crate::import::Buyers;
use crate::{mapping, model};
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
    let Some(id) = model::id(&resource["id"]) else {
        return Err(Error::invalid("body", "has no resource id"));
    };
    let topic_kind = topic.split('.').next().unwrap_or_default();
    if !matches!(topic_kind, "order" | "customer" | "product") {
        return Ok(Outcome::Ignored);
    }
    let dedupe_key = format!("{topic_kind}:{id}:{}", model::text(&resource["date_modified_gmt"]));
    if host.get("webhook-seen", &dedupe_key).is_some() {
        return Ok(Outcome::Duplicate);
    }
    let mut batch = Batch::default();
    batch.set_state("webhook-seen", &dedupe_key, "1");
    match topic_kind {
        "order" => apply_order(host, &resource, &mut batch),
        "customer" => {
            if let Some(r) = mapping::contact_from_customer(&resource) {
                batch.records.push(r);
            }
        }
        _ => {
            let before = host.get(bucket::PRODUCTS, &id.to_string()).is_some();
            if let Ok(r) = mapping::product_record(&resource, &[], before) {
                batch.set_state(bucket::PRODUCTS, &id.to_string(), "1");
                batch.records.push(r);
            }
        }
    }
    host.commit(batch).map_err(Error::Transport)?;
    Ok(Outcome::Applied)
}

/// Apply an order seen through ongoing sync or a webhook: its record, its
/// buyer, its payment, and the triggers it earns (each at most once).
pub fn apply_order(host: &mut impl Host, order: &Value, batch: &mut Batch) {
    let Some(id) = model::id(&order["id"]) else { return };
    if !mapping::is_importable_order_status(&model::text(&order["status"])) {
        return;
    }
    let contact = Buyers::default().contact_for(host, order, batch);
    let Some(record) = mapping::order_record(order, contact.as_deref()) else { return };
    batch.records.push(record);
    let now = host.now_rfc3339();
    let order_id = format!("woo:order:{id}");
    batch.triggers.push(Trigger { name: "order_submitted", order_id: order_id.clone(), contact_id: contact.clone(), time: now.clone() });
    if let Some(payment) = mapping::payment_transaction(order, contact.as_deref()) {
        batch.records.push(payment);
        batch.triggers.push(Trigger { name: "payment_received", order_id, contact_id: contact, time: now });
    }
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
