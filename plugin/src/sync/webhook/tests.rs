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

fn coupon(id: u64) -> Vec<u8> {
    serde_json::json!({"id": id, "code": "spring", "amount": "5.00", "status": "publish", "date_modified_gmt": "2025-03-01T10:00:00"})
        .to_string()
        .into_bytes()
}

#[test]
fn webhook_coupon_topics_are_verified_and_acknowledged_and_change_nothing() {
    let mut host = signed_host();
    let before = (host.records.clone(), host.kv.clone());
    for event in ["created", "updated", "restored"] {
        assert_eq!(deliver(&mut host, &format!("coupon.{event}"), &coupon(70)), Outcome::Ignored, "{event}");
    }
    assert_eq!(deliver(&mut host, "coupon.deleted", br#"{"id":70}"#), Outcome::Ignored);
    assert_eq!((host.records.clone(), host.kv.clone()), before, "no record, no state, no re-read");
    assert!(host.logs.iter().any(|l| l.contains("coupons are not synced")));
    let forged = h(&[("X-WC-Webhook-Topic", "coupon.updated"), ("X-WC-Webhook-Signature", "AAAA")]);
    assert!(handle(&mut host, &forged, &coupon(70), no_read).is_err(), "still verified first");
}

#[test]
fn webhook_payload_the_store_could_not_build_is_acknowledged_not_refused() {
    // Restoring a product runs coupon.restored too, whose payload is then
    // WooCommerce's error: refused, it would count towards disabling the webhook.
    let mut host = signed_host();
    let error = br#"{"code":"woocommerce_rest_shop_coupon_invalid_id","message":"Invalid ID.","data":{"status":404}}"#;
    assert_eq!(deliver(&mut host, "coupon.restored", error), Outcome::Ignored);
    assert_eq!(deliver(&mut host, "product.restored", error), Outcome::Ignored);
    let headers = h(&[("X-WC-Webhook-Topic", "order.updated"), ("X-WC-Webhook-Signature", &sign("s3cret", b"{}"))]);
    assert!(handle(&mut host, &headers, b"{}", no_read).is_err(), "a body that is neither is still refused");
}

#[test]
fn webhook_order_status_change_and_refund_fire_their_triggers_once() {
    let mut host = signed_host();
    host.set(bucket::ORDERS, "55", b"u:2025-03-01T09:00:00|pending|").unwrap();
    let mut changed: Value = serde_json::from_slice(&order(55, "processing", "30.00", "2025-03-01T10:00:00")).unwrap();
    changed["refunds"] = serde_json::json!([{"id": 90, "total": "-4.00", "reason": ""}]);
    let body = changed.to_string().into_bytes();
    assert_eq!(deliver(&mut host, "order.updated", &body), Outcome::Applied);
    assert_eq!(deliver(&mut host, "order.updated", &body), Outcome::Duplicate);
    let ids: Vec<&String> = host.triggers.keys().collect();
    assert_eq!(
        ids,
        [
            "woo:trigger:order_refunded:55:90",
            "woo:trigger:order_status_changed:55:pending:processing:2025-03-01T10:00:00",
            "woo:trigger:payment_received:55",
        ]
    );
    assert_eq!(host.triggers["woo:trigger:order_refunded:55:90"].data["amount"], "4.00");
}

#[test]
fn webhook_customer_first_delivered_after_the_import_fires_customer_created_once() {
    let mut host = signed_host();
    host.set(bucket::CURSORS, &crate::sync::since_key(crate::sync::Kind::Contacts), b"2025-03-01T00:00:00Z").unwrap();
    host.set(bucket::CURSORS, crate::sync::CONTACTS_MAX_ID, b"7").unwrap();
    let customer = |id: u64, modified: &str| {
        serde_json::json!({"id": id, "email": format!("c{id}@example.com"), "role": "customer", "date_modified_gmt": modified})
            .to_string()
            .into_bytes()
    };
    assert_eq!(deliver(&mut host, "customer.created", &customer(8, "2025-03-01T10:00:00")), Outcome::Applied);
    assert_eq!(deliver(&mut host, "customer.updated", &customer(8, "2025-03-01T10:00:05")), Outcome::Applied);
    assert_eq!(deliver(&mut host, "customer.updated", &customer(6, "2025-03-01T10:00:00")), Outcome::Applied);
    let ids: Vec<&String> = host.triggers.keys().collect();
    assert_eq!(ids, ["woo:trigger:customer_created:8"], "once, and not for a customer the import knew");
    assert!(was_delivered(&mut host, Resource::Customer, 8).unwrap());
}

#[test]
fn webhook_variation_fires_out_of_stock_and_is_deferred_to_the_products_pass() {
    let mut host = signed_host();
    host.set(bucket::PRODUCTS, "30", b"2025-03-01T09:00:00").unwrap();
    host.set(bucket::STOCK, "variation:31", b"in:2025-03-01T09:00:00").unwrap();
    let variation = |id: u64, parent: u64, qty: i64, modified: &str| {
        serde_json::json!({"id": id, "parent_id": parent, "type": "variation", "status": "publish", "sku": "TEE-S", "price": "4.00",
            "stock_quantity": qty, "stock_status": if qty > 0 { "instock" } else { "outofstock" }, "date_modified_gmt": modified})
        .to_string()
        .into_bytes()
    };
    let out = variation(31, 30, 0, "2025-03-01T10:00:00");
    assert_eq!(deliver(&mut host, "product.updated", &out), Outcome::Deferred);
    assert_eq!(deliver(&mut host, "product.updated", &out), Outcome::Deferred, "redelivered: considered again");
    let ids: Vec<&String> = host.triggers.keys().collect();
    assert_eq!(ids, ["woo:trigger:product_out_of_stock:31:2025-03-01T10:00:00"]);
    assert!(host.records.is_empty(), "the product's record is the pass's to write");
    assert_eq!(deliver(&mut host, "product.updated", &variation(41, 40, 0, "2025-03-01T10:00:00")), Outcome::Ignored);
    assert!(host.get(SEEN_BUCKET, "product:31").unwrap().is_none());
}

/// A store that keeps its webhooks, for `register`.
fn webhook_store(
    hooks: std::rc::Rc<std::cell::RefCell<Vec<Value>>>,
) -> crate::client::Client<crate::client::fake::FakeTransport> {
    use crate::client::fake::{FakeTransport, json};
    use crate::client::{Credentials, HttpRequest, Method, SignatureMethod, StoreUrl};
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(move |r: &HttpRequest| {
        let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3").to_string();
        let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
        let mut hooks = hooks.borrow_mut();
        match (r.method, path.as_str()) {
            (Method::Get, "/webhooks") => {
                let n = hooks.len().to_string();
                json(200, &Value::Array(hooks.clone()).to_string(), &[("X-WP-Total", &n), ("X-WP-TotalPages", "1")])
            }
            (Method::Post, "/webhooks") => {
                let mut w = body.clone();
                let top = hooks.iter().filter_map(|w| w["id"].as_u64()).max().unwrap_or(0);
                w["id"] = serde_json::json!(top.max(99) + 1);
                hooks.push(w.clone());
                json(201, &w.to_string(), &[])
            }
            (Method::Put, p) => {
                let id: u64 = p.trim_start_matches("/webhooks/").parse().unwrap();
                let w = hooks.iter_mut().find(|w| w["id"] == id).unwrap();
                for (k, v) in body.as_object().unwrap() {
                    w[k] = v.clone();
                }
                json(200, &w.to_string(), &[])
            }
            _ => json(404, r#"{"code":"rest_no_route","message":"No route."}"#, &[]),
        }
    }));
    let creds = Credentials {
        consumer_key: "ck_a".into(),
        consumer_secret: "cs_b".into(),
        signature_method: SignatureMethod::HmacSha256,
    };
    crate::client::Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t)
}

#[test]
fn webhook_register_creates_every_topic_once_and_registering_again_creates_none() {
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let mut c = webhook_store(hooks.clone());
    let mut host = MemoryHost::default();
    let ids = register(&mut c, &mut host, "https://platform.example/webhooks").unwrap();
    assert_eq!(ids.len(), 15);
    let topics: Vec<String> = hooks.borrow().iter().map(|w| w["topic"].as_str().unwrap().to_string()).collect();
    assert_eq!(topics, TOPICS);
    let secret = host.get(bucket::CREDENTIALS, SECRET_KEY).unwrap().unwrap();
    assert!(hooks.borrow().iter().all(|w| w["secret"].as_str().unwrap().as_bytes() == secret));
    // Again: nothing created, nothing changed, the same ids and secret.
    let sent = c.transport.sent.len();
    assert_eq!(register(&mut c, &mut host, "https://platform.example/webhooks").unwrap(), ids);
    assert_eq!(c.transport.sent.len() - sent, 1, "one read of the store's webhooks");
    assert_eq!(hooks.borrow().len(), 15);
    assert_eq!(host.get(bucket::CREDENTIALS, SECRET_KEY).unwrap().unwrap(), secret);
    // A webhook WooCommerce disabled is re-enabled, not duplicated; a new URL moves them all.
    hooks.borrow_mut()[3]["status"] = serde_json::json!("disabled");
    assert_eq!(register(&mut c, &mut host, "https://platform.example/webhooks").unwrap(), ids);
    assert_eq!(hooks.borrow()[3]["status"], "active");
    assert_eq!(register(&mut c, &mut host, "https://new.example/webhooks").unwrap(), ids);
    assert!(hooks.borrow().iter().all(|w| w["delivery_url"] == "https://new.example/webhooks"));
    assert_eq!(hooks.borrow().len(), 15);
}

#[test]
fn webhook_register_reuses_the_webhooks_an_older_connector_registered_and_gives_them_the_secret() {
    // Registered before the ids were kept: found by name and URL.
    let old: Vec<Value> = ["order.created", "order.updated"]
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": 7 + i, "name": webhook_name(t), "topic": t, "delivery_url": "https://platform.example/webhooks", "status": "active", "secret": "old"}))
        .collect();
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(old));
    let mut c = webhook_store(hooks.clone());
    let mut host = MemoryHost::default();
    host.set(bucket::CREDENTIALS, SECRET_KEY, b"kept").unwrap();
    let ids = register(&mut c, &mut host, "https://platform.example/webhooks").unwrap();
    assert_eq!(&ids[..2], [7, 8]);
    assert_eq!(hooks.borrow().len(), 15, "13 created, 2 reused");
    assert!(hooks.borrow().iter().all(|w| w["secret"] == "kept"), "the reused ones were given the secret");
}

/// A host whose connection has an owner and whose webhooks were registered
/// to `https://platform.example/webhooks` in `hooks`.
fn registered(
    hooks: &std::rc::Rc<std::cell::RefCell<Vec<Value>>>,
) -> (crate::client::Client<crate::client::fake::FakeTransport>, MemoryHost) {
    let mut c = webhook_store(hooks.clone());
    let mut host = MemoryHost::default();
    let info = crate::connection::Info {
        store_url: "https://shop.example.com".into(),
        owner_email: Some("owner@example.test".into()),
        ..Default::default()
    };
    host.set(bucket::CONNECTION, "info", &serde_json::to_vec(&info).unwrap()).unwrap();
    register(&mut c, &mut host, "https://platform.example/webhooks").unwrap();
    (c, host)
}

#[test]
fn webhook_healing_is_skipped_without_registered_webhooks() {
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let mut c = webhook_store(hooks);
    let mut host = MemoryHost::default();
    assert!(heal(&mut c, &mut host).unwrap().is_empty());
    assert!(c.transport.sent.is_empty(), "no request");
}

#[test]
fn webhook_healing_costs_one_request_when_every_webhook_is_active() {
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let (mut c, mut host) = registered(&hooks);
    let sent = c.transport.sent.len();
    assert!(heal(&mut c, &mut host).unwrap().is_empty());
    assert_eq!(c.transport.sent.len() - sent, 1, "one read of the store's webhooks");
    let read = &c.transport.sent[sent].path_and_query;
    assert!(
        read.contains("_fields=id%2Ctopic%2Cstatus%2Cdelivery_url")
            || read.contains("_fields=id,topic,status,delivery_url"),
        "{read}"
    );
    assert!(read.contains("per_page=100"), "{read}");
    assert!(host.notifications.is_empty());
    assert_eq!(healing(&mut host).unwrap(), Healing::default());
}

#[test]
fn webhook_disabled_paused_or_missing_is_reenabled_or_recreated_with_the_same_url_and_secret_reported_and_notified_once()
 {
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let (mut c, mut host) = registered(&hooks);
    let secret = String::from_utf8(host.get(bucket::CREDENTIALS, SECRET_KEY).unwrap().unwrap()).unwrap();
    let (customer_updated, product_updated) = (hooks.borrow()[5]["id"].clone(), hooks.borrow()[8]["id"].clone());
    hooks.borrow_mut()[5]["status"] = serde_json::json!("disabled");
    hooks.borrow_mut()[8]["status"] = serde_json::json!("paused");
    // And one deleted on the store.
    hooks.borrow_mut().retain(|w| w["topic"] != "order.created");
    let healed = heal(&mut c, &mut host).unwrap();
    assert_eq!(healed, ["customer.updated", "order.created", "product.updated"]);
    let hooks_now = hooks.borrow();
    assert_eq!(hooks_now.len(), 15, "the missing one re-created, no duplicate");
    assert!(hooks_now.iter().all(|w| w["status"] == "active"));
    assert!(hooks_now.iter().all(|w| w["delivery_url"] == "https://platform.example/webhooks"));
    let by_topic = |t: &str| hooks_now.iter().find(|w| w["topic"] == t).unwrap().clone();
    assert_eq!(by_topic("customer.updated")["id"], customer_updated, "re-enabled, not replaced");
    assert_eq!(by_topic("product.updated")["id"], product_updated);
    assert_eq!(by_topic("customer.updated")["secret"], secret.as_str());
    assert_eq!(by_topic("order.created")["secret"], secret.as_str(), "re-created with the connection's secret");
    drop(hooks_now);
    assert_eq!(host.notifications.len(), 1, "one notification for the healing");
    assert_eq!(host.notifications[0].topic, "webhooks_healed");
    assert_eq!(host.notifications[0].recipient, "owner@example.test");
    assert!(host.notifications[0].body.contains("customer.updated, order.created, product.updated"));
    assert!(host.logs.iter().any(|l| l.contains("webhooks healed") && l.contains("order.created")));
    let h = healing(&mut host).unwrap();
    assert_eq!((h.healed, h.last_at.as_deref()), (3, Some("2025-03-01T09:00:00Z")));
    assert_eq!(h.last_topics, ["customer.updated", "order.created", "product.updated"]);
    // Healthy again: one read, nothing more, no second notification.
    let sent = c.transport.sent.len();
    assert!(heal(&mut c, &mut host).unwrap().is_empty());
    assert_eq!(c.transport.sent.len() - sent, 1);
    assert_eq!(host.notifications.len(), 1);
}

#[test]
fn webhook_healing_of_webhooks_registered_before_the_url_was_kept_uses_the_url_they_carry() {
    let hooks = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let (mut c, mut host) = registered(&hooks);
    host.delete(bucket::CONNECTION, DELIVERY_URL_KEY).unwrap();
    hooks.borrow_mut()[0]["status"] = serde_json::json!("disabled");
    assert_eq!(heal(&mut c, &mut host).unwrap(), ["order.created"]);
    assert_eq!(hooks.borrow()[0]["status"], "active");
    assert_eq!(hooks.borrow()[0]["delivery_url"], "https://platform.example/webhooks");
}

#[test]
fn an_order_delivery_reads_its_state_in_two_host_calls_with_the_same_result() {
    // The secret (to check the signature), then one read-ahead for the rest.
    let body = order(77, "processing", "12.00", "2025-03-01T09:00:00");
    let mut one_by_one = MemoryHost { no_read_ahead: true, ..signed_host() };
    let mut ahead = signed_host();
    assert_eq!(deliver(&mut one_by_one, "order.created", &body), Outcome::Applied);
    assert_eq!(deliver(&mut ahead, "order.created", &body), Outcome::Applied);
    assert_eq!(
        (&ahead.records, &ahead.kv, &ahead.triggers),
        (&one_by_one.records, &one_by_one.kv, &one_by_one.triggers)
    );
    assert_eq!(ahead.read_calls, 2, "{} host calls one by one", one_by_one.read_calls);
    assert!(one_by_one.read_calls >= 8, "{}", one_by_one.read_calls);
}
