//! Webhook deliveries: verify the signature in constant time, recognise the
//! ping, route by topic (deletions change nothing, restorations re-read the
//! store), and apply a resource only if it is newer than the version held
//! (`date_modified_gmt`).

use crate::client::{ApiRequest, Error};
use crate::env::{Batch, Host, Level, bucket};
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
    /// Not applied and never will be as delivered: its kind's sync is off,
    /// a deletion, a topic not handled, or a resource the rules do not sync.
    Ignored,
    /// The connector holds a newer version of the resource: nothing changed.
    Stale,
    /// Not applied now, left to the next sync pass (a variable product: a
    /// delivery carries no variations). Not remembered as applied, so a
    /// redelivery of the same version is considered again.
    Deferred,
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

/// The newest version applied of each resource delivered: `kind:id` →
/// its `date_modified_gmt`.
///
/// One row per resource, overwritten, rather than one row per delivery: what
/// WooCommerce can redeliver is not bounded by a retention we could pick (the
/// Action Scheduler retries a failed delivery, coalesces per resource and
/// builds the payload at send time, so a retry may carry any state), but a
/// state older than the newest one applied is never worth applying. So this
/// bucket grows with the store's resources, never with its deliveries, and
/// needs no expiry.
pub const SEEN_BUCKET: &str = "webhook-seen";

/// Marks a `webhook-seen` bucket whose rows are per resource. Older versions
/// of the connector kept one row per delivered state (`kind:id:date`).
const LAYOUT_KEY: &str = "~layout";
const LAYOUT: &str = "per-resource";
/// Old per-delivery rows removed per delivery until none are left, so no
/// delivery takes long enough for WooCommerce to time it out.
const LEGACY_PRUNE_PER_DELIVERY: usize = 500;

/// The key of a resource in `webhook-seen`.
pub fn seen_key(kind: &str, resource: &Value) -> String {
    format!("{kind}:{}", model::text(&resource["id"]))
}

/// Remember `resource` as the newest version of itself applied (used for the
/// connector's own writes too, so their echo is a duplicate).
pub fn mark_applied(batch: &mut Batch, kind: &str, resource: &Value) {
    batch.set_state(SEEN_BUCKET, &seen_key(kind, resource), sync::modified_at(resource));
}

/// What one delivery asks for, from its topic (`X-WC-Webhook-Topic`, else
/// `X-WC-Webhook-Resource` + `X-WC-Webhook-Event`).
fn resource_and_event(headers: &[(String, String)]) -> (String, String) {
    let topic = header(headers, "X-WC-Webhook-Topic").unwrap_or_default().trim().to_ascii_lowercase();
    let (mut resource, mut event) = topic.split_once('.').map(|(r, e)| (r.to_string(), e.to_string())).unwrap_or_default();
    if resource.is_empty() {
        resource = header(headers, "X-WC-Webhook-Resource").unwrap_or_default().trim().to_ascii_lowercase();
    }
    if event.is_empty() {
        event = header(headers, "X-WC-Webhook-Event").unwrap_or_default().trim().to_ascii_lowercase();
    }
    (resource, event)
}

/// A deletion's payload is `{"id": N}` and nothing else (WooCommerce builds
/// no resource for it): never a version of the resource to apply, whatever
/// the (unsigned) topic header says.
fn is_bare_id(resource: &Value) -> bool {
    resource.as_object().is_some_and(|o| o.keys().all(|k| k == "id"))
}

/// Verify and apply one delivery. `read` fetches a resource from the store
/// (`GET /orders/N` …) when a delivery asks for it to be re-read.
///
/// Rules: `*.created`/`*.updated` apply the delivered resource unless the
/// connector already holds that version or a newer one; `*.deleted` is
/// acknowledged, logged and changes no record (deletions are not synced: the
/// store is the source of truth for what exists); `*.restored` re-reads the
/// resource from the store and applies that.
pub fn handle<H: Host>(
    host: &mut H,
    headers: &[(String, String)],
    body: &[u8],
    read: impl FnOnce(&mut H, &ApiRequest) -> Result<Value, Error>,
) -> Result<Outcome, Error> {
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
    let delivered: Value = serde_json::from_slice(body).map_err(|e| Error::invalid("body", format!("is not JSON: {e}")))?;
    let Some(id) = model::id(&delivered["id"]) else {
        return Err(Error::invalid("body", "has no resource id"));
    };
    let (kind, event) = resource_and_event(headers);
    let path = match kind.as_str() {
        "order" => format!("/orders/{id}"),
        "customer" => format!("/customers/{id}"),
        "product" => format!("/products/{id}"),
        _ => return Ok(Outcome::Ignored),
    };
    prune_legacy_rows(host);
    if event == "deleted" || is_bare_id(&delivered) {
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: acknowledged; deletions are not synced, no record changed"));
        return Ok(Outcome::Ignored);
    }
    let settings = crate::settings::load(host);
    if let Some(off) = sync_off(&kind, &settings) {
        // Not remembered as applied: once the sync is turned on, a redelivery
        // of this very version is applied.
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: {off} sync is off; not applied"));
        return Ok(Outcome::Ignored);
    }
    let resource = if event == "restored" {
        match read(host, &ApiRequest::get(path, vec![])) {
            Ok(r) if model::id(&r["id"]) == Some(id) => r,
            Ok(_) => return Err(Error::Transport(format!("the store answered the re-read of {kind} {id} with another resource"))),
            Err(Error::NotFound(_)) => {
                host.log(Level::Info, &format!("webhook {kind}.restored for {kind} {id}: it no longer exists in the store"));
                return Ok(Outcome::Ignored);
            }
            Err(e) => return Err(e),
        }
    } else {
        delivered
    };
    let seen_key = seen_key(&kind, &resource);
    let applied = host.get(SEEN_BUCKET, &seen_key).map(|b| String::from_utf8_lossy(&b).into_owned());
    match sync::compare_version(&sync::modified_at(&resource), applied.as_deref()) {
        sync::Version::Same => return Ok(Outcome::Duplicate),
        sync::Version::Older => {
            host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: a newer version was applied already; not applied"));
            return Ok(Outcome::Stale);
        }
        sync::Version::New => {}
    }
    if kind == "order" && !mapping::is_importable_order_status(&model::text(&resource["status"])) {
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: status {} is not synced; not applied", model::text(&resource["status"])));
        return Ok(Outcome::Ignored);
    }
    if kind == "product" && sync::needs_its_variations(&resource) {
        // The version a products pass applied already is no news.
        if let Some(outcome) = against_held_version(host, &kind, id, &resource) {
            return Ok(outcome);
        }
        // Not remembered as applied: the products pass reads the variations
        // and applies it (its cursor is not moved by deliveries).
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: a variable product; deferred to the next products pass, which reads its variations"));
        return Ok(Outcome::Deferred);
    }
    let mut batch = Batch::default();
    let applied = match kind.as_str() {
        "order" => sync::apply_order(host, &settings, &resource, &mut batch),
        "customer" => match mapping::contact_from_customer(&resource) {
            Some(r) => {
                let email = model::text(&r.body["email"]);
                if !email.is_empty() {
                    batch.set_state(bucket::EMAILS, &email, r.id.clone());
                }
                batch.records.push(r);
                true
            }
            None => {
                host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: role {} is not synced; not applied", model::text(&resource["role"])));
                return Ok(Outcome::Ignored);
            }
        },
        _ => sync::apply_product(host, &settings, &resource, &[], &mut batch),
    };
    if !applied {
        // The version a sync pass applied (orders and products keep their own).
        let outcome = against_held_version(host, &kind, id, &resource).unwrap_or(Outcome::Ignored);
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: {outcome:?}; not applied"));
        return Ok(outcome);
    }
    mark_applied(&mut batch, &kind, &resource);
    host.commit(batch).map_err(Error::Transport)?;
    Ok(Outcome::Applied)
}

/// The sync setting that, when off, leaves deliveries of `kind` unapplied.
fn sync_off(kind: &str, s: &crate::settings::Settings) -> Option<&'static str> {
    match kind {
        "order" if !(s.orders || s.transactions || s.order_submitted || s.payment_received) => Some("order"),
        "customer" if !s.contacts => Some("contact"),
        "product" if !s.products => Some("product"),
        _ => None,
    }
}

/// `Duplicate` or `Stale` when a sync pass already holds this version of
/// `resource` or a newer one; `None` when it would be news.
fn against_held_version(host: &mut impl Host, kind: &str, id: u64, resource: &Value) -> Option<Outcome> {
    match sync::compare_version(&sync::modified_at(resource), held_version(host, kind, id).as_deref()) {
        sync::Version::Same => Some(Outcome::Duplicate),
        sync::Version::Older => Some(Outcome::Stale),
        sync::Version::New => None,
    }
}

/// The `date_modified_gmt` of the version of an order or product a sync
/// pass (or a delivery) applied, in comparable form.
fn held_version(host: &mut impl Host, kind: &str, id: u64) -> Option<String> {
    let b = match kind {
        "order" => bucket::ORDERS,
        "product" => bucket::PRODUCTS,
        _ => return None,
    };
    let held = String::from_utf8_lossy(&host.get(b, &id.to_string())?).into_owned();
    // Orders keep `p:<date>` / `u:<date>`.
    let date = if kind == "order" { held.split_once(':').map_or("", |(_, t)| t).to_string() } else { held };
    Some(sync::modified_at(&serde_json::json!({ "date_modified_gmt": date })))
}

/// Remove rows of the old per-delivery layout, a bounded number per call,
/// and mark the bucket once none are left.
fn prune_legacy_rows(host: &mut impl Host) {
    if host.get(SEEN_BUCKET, LAYOUT_KEY).is_some() {
        return;
    }
    // Old rows are `kind:id:2025-03-01T09:00:00`; new ones `kind:id`.
    let legacy: Vec<String> = host.keys(SEEN_BUCKET).into_iter().filter(|k| k.matches(':').count() > 1).take(LEGACY_PRUNE_PER_DELIVERY + 1).collect();
    for k in legacy.iter().take(LEGACY_PRUNE_PER_DELIVERY) {
        if host.delete(SEEN_BUCKET, k).is_err() {
            return;
        }
    }
    if legacy.len() <= LEGACY_PRUNE_PER_DELIVERY {
        let _ = host.set(SEEN_BUCKET, LAYOUT_KEY, LAYOUT.as_bytes());
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

    fn no_read(_: &mut MemoryHost, r: &ApiRequest) -> Result<Value, Error> {
        panic!("unexpected read of {}", r.path)
    }

    fn order(id: u64, status: &str, total: &str, modified: &str) -> Vec<u8> {
        serde_json::json!({"id": id, "status": status, "customer_id": 0, "total": total, "currency": "EUR", "billing": {"email": "x@y.z"},
            "date_created_gmt": "2025-03-01T08:00:00", "date_modified_gmt": modified,
            "line_items": [{"id": 1, "name": "Mug", "product_id": 9, "quantity": 1, "total": total}]})
        .to_string()
        .into_bytes()
    }

    fn deliver(host: &mut MemoryHost, topic: &str, body: &[u8]) -> Outcome {
        let headers = h(&[("X-WC-Webhook-Topic", topic), ("X-WC-Webhook-Signature", &sign("s3cret", body))]);
        handle(host, &headers, body, no_read).unwrap()
    }

    fn signed_host() -> MemoryHost {
        let mut host = MemoryHost::default();
        host.set(bucket::CREDENTIALS, SECRET_KEY, b"s3cret").unwrap();
        host
    }

    fn order_total(host: &MemoryHost, id: u64) -> Value {
        host.records.get(&("order".to_string(), format!("woo:order:{id}"))).map(|r| r["total"].clone()).unwrap_or(Value::Null)
    }

    #[test]
    fn webhook_older_update_never_replaces_a_newer_one() {
        let mut host = signed_host();
        assert_eq!(deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00")), Outcome::Applied);
        let before = host.records.clone();
        assert_eq!(deliver(&mut host, "order.updated", &order(55, "on-hold", "10.00", "2025-03-01T09:00:00")), Outcome::Stale);
        assert_eq!(host.records, before);
        assert_eq!(deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00")), Outcome::Duplicate);
        assert_eq!(deliver(&mut host, "order.updated", &order(55, "completed", "30.00", "2025-03-01T11:00:00Z")), Outcome::Applied);
    }

    #[test]
    fn webhook_older_version_than_a_sync_pass_applied_changes_nothing() {
        let mut host = signed_host();
        let settings = crate::settings::load(&mut host);
        let newer: Value = serde_json::from_slice(&order(56, "completed", "30.00", "2025-03-01T10:00:00")).unwrap();
        let mut batch = Batch::default();
        assert!(sync::apply_order(&mut host, &settings, &newer, &mut batch));
        host.commit(batch).unwrap();
        let before = host.records.clone();
        assert_eq!(deliver(&mut host, "order.updated", &order(56, "processing", "10.00", "2025-03-01T09:59:59")), Outcome::Stale);
        assert_eq!(host.records, before);
        assert!(host.get(SEEN_BUCKET, "order:56").is_none(), "the older version is not remembered as applied");
    }

    #[test]
    fn webhook_deleted_is_acknowledged_and_changes_no_record() {
        let mut host = signed_host();
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00"));
        let before = (host.records.clone(), host.kv.clone());
        assert_eq!(deliver(&mut host, "order.deleted", br#"{"id":55}"#), Outcome::Ignored);
        assert_eq!(deliver(&mut host, "product.deleted", br#"{"id":9}"#), Outcome::Ignored);
        assert_eq!(deliver(&mut host, "customer.deleted", br#"{"id":3}"#), Outcome::Ignored);
        assert_eq!((host.records.clone(), host.kv.clone()), before);
        assert_eq!(order_total(&host, 55), "30.00");
        assert!(host.logs.iter().any(|l| l.contains("deletions are not synced")));
    }

    #[test]
    fn webhook_deletion_body_is_never_applied_as_an_update() {
        // Headers are not signed: a deletion's signed body replayed under
        // another topic is still not a version of the order.
        let mut host = signed_host();
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00"));
        let before = host.records.clone();
        assert_eq!(deliver(&mut host, "order.updated", br#"{"id":55}"#), Outcome::Ignored);
        assert_eq!(deliver(&mut host, "order.created", br#"{"id":77}"#), Outcome::Ignored);
        assert_eq!(host.records, before);
    }

    #[test]
    fn webhook_restored_rereads_the_record_from_the_store() {
        let mut host = signed_host();
        let body = order(58, "trash", "0.00", "2025-03-01T09:00:00");
        let headers = h(&[("X-WC-Webhook-Resource", "order"), ("X-WC-Webhook-Event", "restored"), ("X-WC-Webhook-Signature", &sign("s3cret", &body))]);
        let mut asked = vec![];
        let outcome = handle(&mut host, &headers, &body, |_, r| {
            asked.push(r.path.clone());
            Ok(serde_json::from_slice(&order(58, "processing", "42.00", "2025-03-02T09:00:00")).unwrap())
        })
        .unwrap();
        assert_eq!(outcome, Outcome::Applied);
        assert_eq!(asked, ["/orders/58"]);
        assert_eq!(order_total(&host, 58), "42.00");
        let gone = handle(&mut host, &headers, &body, |_, _| Err(crate::client::error::from_response(404, br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID."}"#)));
        assert_eq!(gone.unwrap(), Outcome::Ignored);
    }

    #[test]
    fn webhook_customer_never_modified_has_no_version_and_is_applied_each_time() {
        let mut host = signed_host();
        let customer = |email: &str| serde_json::json!({"id": 1, "email": email, "role": "customer", "first_name": "A", "date_modified_gmt": null}).to_string().into_bytes();
        assert_eq!(deliver(&mut host, "customer.updated", &customer("a@example.com")), Outcome::Applied);
        assert_eq!(deliver(&mut host, "customer.updated", &customer("b@example.com")), Outcome::Applied);
        let record = &host.records[&("contact".to_string(), "woo:customer:1".to_string())];
        assert_eq!(record["email"], "b@example.com");
    }

    #[test]
    fn webhook_seen_keeps_one_row_per_resource_not_per_delivery() {
        let mut host = signed_host();
        for minute in 0..50 {
            deliver(&mut host, "order.updated", &order(55, "processing", "30.00", &format!("2025-03-01T10:{minute:02}:00")));
            deliver(&mut host, "order.updated", &order(55, "processing", "30.00", &format!("2025-03-01T10:{minute:02}:00")));
        }
        deliver(&mut host, "order.updated", &order(56, "processing", "30.00", "2025-03-01T10:00:00"));
        let mut rows = host.keys(SEEN_BUCKET);
        rows.retain(|k| k != LAYOUT_KEY);
        assert_eq!(rows, ["order:55", "order:56"]);
        assert_eq!(host.get(SEEN_BUCKET, "order:55").unwrap(), b"2025-03-01T10:49:00");
    }

    #[test]
    fn webhook_seen_rows_of_the_old_per_delivery_layout_are_pruned_a_bounded_number_per_delivery() {
        let mut host = signed_host();
        for i in 0..(LEGACY_PRUNE_PER_DELIVERY + 20) {
            host.set(SEEN_BUCKET, &format!("order:{i}:2025-03-01T09:00:00"), b"1").unwrap();
        }
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00"));
        assert_eq!(host.keys(SEEN_BUCKET).len(), 20 + 1, "at most {LEGACY_PRUNE_PER_DELIVERY} removed by one delivery");
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:01:00"));
        assert_eq!(host.keys(SEEN_BUCKET), ["order:55", LAYOUT_KEY]);
    }

    #[test]
    fn webhook_delivery_the_rules_do_not_sync_is_ignored_and_not_remembered() {
        let mut host = signed_host();
        assert_eq!(deliver(&mut host, "order.created", &order(60, "checkout-draft", "30.00", "2025-03-01T10:00:00")), Outcome::Ignored);
        let admin = serde_json::json!({"id": 1, "email": "admin@example.com", "role": "administrator", "date_modified_gmt": "2025-03-01T10:00:00"}).to_string().into_bytes();
        assert_eq!(deliver(&mut host, "customer.updated", &admin), Outcome::Ignored);
        assert!(host.records.is_empty());
        assert!(host.get(SEEN_BUCKET, "order:60").is_none() && host.get(SEEN_BUCKET, "customer:1").is_none());
        // The draft placed: the same order is applied, not taken for a duplicate.
        assert_eq!(deliver(&mut host, "order.updated", &order(60, "processing", "30.00", "2025-03-01T10:00:00")), Outcome::Applied);
    }

    #[test]
    fn webhook_ping_is_acknowledged_unsigned() {
        let mut host = MemoryHost::default();
        assert_eq!(handle(&mut host, &[], b"webhook_id=12", no_read).unwrap(), Outcome::Ping);
    }

    #[test]
    fn webhook_bad_signature_stores_nothing_and_good_one_applies_once() {
        let mut host = MemoryHost::default();
        host.set(bucket::CREDENTIALS, SECRET_KEY, b"s3cret").unwrap();
        let body = br#"{"id":55,"status":"processing","customer_id":0,"total":"10.00","billing":{"email":"x@y.z"},"date_modified_gmt":"2025-03-01T09:00:00","line_items":[]}"#;
        let bad = h(&[("X-WC-Webhook-Topic", "order.created"), ("X-WC-Webhook-Signature", "AAAA")]);
        assert!(handle(&mut host, &bad, body, no_read).is_err());
        assert!(host.records.is_empty());
        let good = h(&[("x-wc-webhook-topic", "order.created"), ("x-wc-webhook-signature", &sign("s3cret", body))]);
        assert_eq!(handle(&mut host, &good, body, no_read).unwrap(), Outcome::Applied);
        assert_eq!(handle(&mut host, &good, body, no_read).unwrap(), Outcome::Duplicate);
        assert!(host.triggers.contains_key("woo:trigger:order_submitted:55"));
        assert!(host.triggers.contains_key("woo:trigger:payment_received:55"));
    }
}
