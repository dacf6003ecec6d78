//! Webhook deliveries, signed and unsigned, in every order.

use super::*;
use crate::port::memory::MemoryHost;

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
    host.records
        .get(&("order".to_string(), format!("woo:order:{id}")))
        .map(|r| r["total"].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn webhook_older_update_never_replaces_a_newer_one() {
    let mut host = signed_host();
    assert_eq!(
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00")),
        Outcome::Applied
    );
    let before = host.records.clone();
    assert_eq!(
        deliver(&mut host, "order.updated", &order(55, "on-hold", "10.00", "2025-03-01T09:00:00")),
        Outcome::Stale
    );
    assert_eq!(host.records, before);
    assert_eq!(
        deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00")),
        Outcome::Duplicate
    );
    assert_eq!(
        deliver(&mut host, "order.updated", &order(55, "completed", "30.00", "2025-03-01T11:00:00Z")),
        Outcome::Applied
    );
}

#[test]
fn webhook_older_version_than_a_sync_pass_applied_changes_nothing() {
    let mut host = signed_host();
    let settings = settings::load(&mut host).unwrap();
    let newer: Value = serde_json::from_slice(&order(56, "completed", "30.00", "2025-03-01T10:00:00")).unwrap();
    let mut batch = Batch::default();
    assert!(apply::order(&mut host, &settings, &newer, &mut batch).unwrap());
    host.commit(batch).unwrap();
    let before = host.records.clone();
    assert_eq!(
        deliver(&mut host, "order.updated", &order(56, "processing", "10.00", "2025-03-01T09:59:59")),
        Outcome::Stale
    );
    assert_eq!(host.records, before);
    assert!(host.get(SEEN_BUCKET, "order:56").unwrap().is_none(), "the older version is not remembered as applied");
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
    let headers = h(&[
        ("X-WC-Webhook-Resource", "order"),
        ("X-WC-Webhook-Event", "restored"),
        ("X-WC-Webhook-Signature", &sign("s3cret", &body)),
    ]);
    let mut asked = vec![];
    let outcome = handle(&mut host, &headers, &body, |_, r| {
        asked.push(r.path.clone());
        Ok(serde_json::from_slice(&order(58, "processing", "42.00", "2025-03-02T09:00:00")).unwrap())
    })
    .unwrap();
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(asked, ["/orders/58"]);
    assert_eq!(order_total(&host, 58), "42.00");
    let gone = handle(&mut host, &headers, &body, |_, _| {
        Err(crate::client::error::from_response(
            404,
            br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID."}"#,
        ))
    });
    assert_eq!(gone.unwrap(), Outcome::Ignored);
}

#[test]
fn webhook_customer_never_modified_has_no_version_and_is_applied_each_time() {
    let mut host = signed_host();
    let customer = |email: &str| {
        serde_json::json!({"id": 1, "email": email, "role": "customer", "first_name": "A", "date_modified_gmt": null})
            .to_string()
            .into_bytes()
    };
    assert_eq!(deliver(&mut host, "customer.updated", &customer("a@example.com")), Outcome::Applied);
    assert_eq!(deliver(&mut host, "customer.updated", &customer("b@example.com")), Outcome::Applied);
    let record = &host.records[&("contact".to_string(), "woo:customer:1".to_string())];
    assert_eq!(record["email"], "b@example.com");
}

#[test]
fn webhook_seen_keeps_one_row_per_resource_not_per_delivery() {
    let mut host = signed_host();
    for minute in 0..50 {
        deliver(
            &mut host,
            "order.updated",
            &order(55, "processing", "30.00", &format!("2025-03-01T10:{minute:02}:00")),
        );
        deliver(
            &mut host,
            "order.updated",
            &order(55, "processing", "30.00", &format!("2025-03-01T10:{minute:02}:00")),
        );
    }
    deliver(&mut host, "order.updated", &order(56, "processing", "30.00", "2025-03-01T10:00:00"));
    let mut rows = host.keys(SEEN_BUCKET).unwrap();
    rows.retain(|k| k != LAYOUT_KEY);
    assert_eq!(rows, ["order:55", "order:56"]);
    assert_eq!(host.get(SEEN_BUCKET, "order:55").unwrap().unwrap(), b"2025-03-01T10:49:00");
}

#[test]
fn a_seen_delivery_row_that_cannot_be_read_fails_the_delivery_instead_of_applying_it_again() {
    let mut host = signed_host();
    let body = order(55, "processing", "30.00", "2025-03-01T10:00:00");
    assert_eq!(deliver(&mut host, "order.updated", &body), Outcome::Applied);
    let (kv, records, triggers) = (host.kv.clone(), host.records.clone(), host.triggers.clone());
    host.unreadable.insert(SEEN_BUCKET.to_string());
    let headers = h(&[("X-WC-Webhook-Topic", "order.updated"), ("X-WC-Webhook-Signature", &sign("s3cret", &body))]);
    let e = handle(&mut host, &headers, &body, no_read).unwrap_err();
    assert!(matches!(e, Error::Storage(_)), "{e}");
    assert_eq!((&host.kv, &host.records, &host.triggers), (&kv, &records, &triggers));
    host.unreadable.clear();
    assert_eq!(deliver(&mut host, "order.updated", &body), Outcome::Duplicate);
}

#[test]
fn webhook_seen_rows_of_the_old_per_delivery_layout_are_pruned_a_bounded_number_per_delivery() {
    let mut host = signed_host();
    for i in 0..(LEGACY_PRUNE_PER_DELIVERY + 20) {
        host.set(SEEN_BUCKET, &format!("order:{i}:2025-03-01T09:00:00"), b"1").unwrap();
    }
    deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:00:00"));
    assert_eq!(
        host.keys(SEEN_BUCKET).unwrap().len(),
        20 + 1,
        "at most {LEGACY_PRUNE_PER_DELIVERY} removed by one delivery"
    );
    deliver(&mut host, "order.updated", &order(55, "processing", "30.00", "2025-03-01T10:01:00"));
    assert_eq!(host.keys(SEEN_BUCKET).unwrap(), ["order:55", LAYOUT_KEY]);
}

#[test]
fn webhook_delivery_the_rules_do_not_sync_is_ignored_and_not_remembered() {
    let mut host = signed_host();
    assert_eq!(
        deliver(&mut host, "order.created", &order(60, "checkout-draft", "30.00", "2025-03-01T10:00:00")),
        Outcome::Ignored
    );
    let admin = serde_json::json!({"id": 1, "email": "admin@example.com", "role": "administrator", "date_modified_gmt": "2025-03-01T10:00:00"}).to_string().into_bytes();
    assert_eq!(deliver(&mut host, "customer.updated", &admin), Outcome::Ignored);
    assert!(host.records.is_empty());
    assert!(
        host.get(SEEN_BUCKET, "order:60").unwrap().is_none() && host.get(SEEN_BUCKET, "customer:1").unwrap().is_none()
    );
    // The draft placed: the same order is applied, not taken for a duplicate.
    assert_eq!(
        deliver(&mut host, "order.updated", &order(60, "processing", "30.00", "2025-03-01T10:00:00")),
        Outcome::Applied
    );
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
