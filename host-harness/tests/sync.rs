//! The sync rules, one end-to-end test per rule: the component in wasmtime,
//! the simulator on loopback.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use woo_host::sim::{Faults, SeedSpec, SimConfig, Simulator};
use woo_host::wit::{self, types::Kind};

#[macro_use]
mod common;
use common::world::{ALL, World, runtime};

fn order_of(v: &Value) -> u64 {
    v["id"].as_u64().unwrap()
}

on_each_backend! {
async fn rule_1_contacts_only_for_customer_and_subscriber_roles(b) {
    let mut w = World::on(&b, 120, 0, 0).await;
    w.import(&[Kind::Contacts]).await.unwrap();
    let contacts = w.records("contact");
    let roles: BTreeMap<u64, String> = w.data().customers.iter().map(|c| (c["id"].as_u64().unwrap(), c["role"].as_str().unwrap().to_string())).collect();
    assert!(roles.values().any(|r| r == "subscriber") && roles.values().any(|r| r == "shop_manager" || r == "editor"));
    for (id, role) in &roles {
        let present = contacts.contains_key(&format!("woo:customer:{id}"));
        assert_eq!(present, role == "customer" || role == "subscriber", "user {id} with role {role}");
    }
}
}

on_each_backend! {
async fn rule_2_contact_sync_off_order_sync_on_still_makes_each_buyer_a_contact(b) {
    let mut w = World::on(&b, 40, 120, 10).await;
    w.import(&[Kind::Orders]).await.unwrap();
    let contacts = w.records("contact");
    let orders = w.records("order");
    assert!(!orders.is_empty());
    for (id, o) in &orders {
        let c = o["contact_id"].as_str().unwrap_or_else(|| panic!("{id} has no contact"));
        assert!(contacts.contains_key(c), "{id}: buyer {c} is a contact");
    }
    // And in ongoing sync with contact sync off.
    w.set(|s| s.contacts = false).await;
    let o = w.sim.state.place_order(0, "brand.new@example.test", false);
    w.sync().await.unwrap();
    let contacts = w.records("contact");
    assert!(contacts.contains_key("woo:guest:brand.new@example.test"), "{}", order_of(&o));
}
}

on_each_backend! {
async fn rule_3_guest_contact_once_never_updated_and_linked_by_email(b) {
    let mut w = World::on(&b, 30, 60, 10).await;
    w.import(&ALL).await.unwrap();
    w.sim.state.place_order(0, "Repeat.Guest@Example.test", false);
    w.sync().await.unwrap();
    let first = w.records("contact")["woo:guest:repeat.guest@example.test"].clone();
    assert_eq!(first["guest"], true);
    // The same guest again, with other billing details: the contact does not change.
    let o = w.sim.state.place_order(0, "repeat.guest@example.test", true);
    w.sim.state.update_order(order_of(&o), json!({"billing": {"first_name": "Changed", "phone": "999"}}));
    w.sync().await.unwrap();
    assert_eq!(w.records("contact")["woo:guest:repeat.guest@example.test"], first);
    assert_eq!(w.records("order")[&format!("woo:order:{}", order_of(&o))]["contact_id"], "woo:guest:repeat.guest@example.test");
    // A guest using a registered customer's email links to that customer.
    let (cid, email) = w.data().customers.iter().find(|c| c["role"] == "customer").map(|c| (c["id"].as_u64().unwrap(), c["email"].as_str().unwrap().to_uppercase())).unwrap();
    let o = w.sim.state.place_order(0, &email, false);
    w.sync().await.unwrap();
    assert_eq!(w.records("order")[&format!("woo:order:{}", order_of(&o))]["contact_id"], format!("woo:customer:{cid}"));
    assert!(!w.records("contact").contains_key(&format!("woo:guest:{}", email.to_lowercase())));
}
}

on_each_backend! {
async fn rule_4_checkout_draft_not_imported_until_it_leaves_and_status_mapping(b) {
    let mut w = World::on(&b, 20, 150, 10).await;
    w.import(&ALL).await.unwrap();
    let drafts: Vec<u64> = w.data().orders.iter().filter(|o| o["status"] == "checkout-draft").map(order_of).collect();
    assert!(!drafts.is_empty());
    let orders = w.records("order");
    for d in &drafts {
        assert!(!orders.contains_key(&format!("woo:order:{d}")));
    }
    for o in orders.values() {
        let expect = match o["woo_status"].as_str().unwrap() {
            "completed" | "refunded" => "completed",
            "cancelled" | "failed" => "cancelled",
            _ => "pending",
        };
        assert_eq!(o["status"], expect);
        assert_eq!((o["source"].as_str(), o["subtype"].as_str()), (Some("external"), Some("woocommerce")));
    }
    assert!(orders.values().any(|o| o["woo_status"] == "shipped" && o["status"] == "pending"), "custom status maps to pending");
    w.sim.state.update_order(drafts[0], json!({"status": "processing"}));
    w.sync().await.unwrap();
    assert!(w.records("order").contains_key(&format!("woo:order:{}", drafts[0])));
    assert!(w.triggers().contains(&format!("woo:trigger:order_submitted:{}", drafts[0])), "first seen when it leaves checkout-draft");
}
}

on_each_backend! {
async fn rule_5_products_simple_variable_published_priced_and_unpublished_keep_record(b) {
    let mut w = World::on(&b, 5, 0, 80).await;
    w.import(&[Kind::Products]).await.unwrap();
    let products = w.records("product");
    let variations: BTreeMap<u64, Vec<Value>> = w.data().variations.iter().fold(BTreeMap::new(), |mut m, (p, v)| {
        m.entry(*p).or_default().push(v.clone());
        m
    });
    for p in w.data().products.iter() {
        let id = p["id"].as_u64().unwrap();
        let priced = p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0");
        let priced_variation = variations.get(&id).is_some_and(|vs| vs.iter().any(|v| v["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")));
        let expect = p["status"] == "publish"
            && ((p["type"] == "simple" && priced) || (p["type"] == "variable" && priced_variation));
        assert_eq!(products.contains_key(&format!("woo:product:{id}")), expect, "product {id}: {} {} {}", p["type"], p["status"], p["price"]);
    }
    assert!(products.values().all(|p| p["include_in_online_store"] == true));
    let (id, _) = products.iter().next().map(|(k, v)| (k.trim_start_matches("woo:product:").parse::<u64>().unwrap(), v.clone())).unwrap();
    w.sim.state.update_product(id, json!({"status": "draft"}));
    w.sync().await.unwrap();
    assert_eq!(w.records("product")[&format!("woo:product:{id}")]["include_in_online_store"], false);
}
}

on_each_backend! {
async fn rule_6_collections_only_categories_linked_to_an_imported_product(b) {
    let mut w = World::on(&b, 5, 0, 60).await;
    w.data().categories.push(json!({"id": 9999, "name": "Nothing here", "slug": "empty", "parent": 0, "description": "", "display": "default", "image": null, "menu_order": 0, "count": 0}));
    w.import(&ALL).await.unwrap();
    let linked: BTreeSet<String> = w.records("product").values().flat_map(|p| p["collection_ids"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string())).collect();
    let collections: BTreeSet<String> = w.records("collection").into_keys().collect();
    assert_eq!(collections, linked);
    assert!(!collections.contains("woo:category:9999"), "a category without imported products is left out");
}
}

on_each_backend! {
async fn rule_7_store_deletions_are_not_synced_and_nothing_flows_back(b) {
    let mut w = World::on(&b, 5, 20, 30).await;
    w.import(&ALL).await.unwrap();
    let id = w.records("product").keys().next().unwrap().trim_start_matches("woo:product:").parse::<u64>().unwrap();
    w.data().products.retain(|p| p["id"].as_u64() != Some(id));
    w.sync().await.unwrap();
    assert!(w.records("product").contains_key(&format!("woo:product:{id}")));
    let writes = w.sim.state.seen.lock().unwrap().iter().filter(|r| r.method != "GET").count();
    assert_eq!(writes, 0, "sync never writes to the store");
}
}

on_each_backend! {
async fn rule_8_woocommerce_is_the_source_of_truth_for_products(b) {
    let mut w = World::on(&b, 5, 0, 30).await;
    w.import(&[Kind::Products]).await.unwrap();
    let id = w.data().products.iter().find(|p| p["type"] == "simple" && p["status"] == "publish" && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")).map(|p| p["id"].as_u64().unwrap()).unwrap();
    w.sim.state.update_product(id, json!({"name": "Renamed Mug", "regular_price": "12.34"}));
    w.sync().await.unwrap();
    let p = &w.records("product")[&format!("woo:product:{id}")];
    assert_eq!((p["name"].as_str(), p["price"].as_str()), (Some("Renamed Mug"), Some("12.34")));
}
}

on_each_backend! {
async fn rule_9_one_payment_per_paid_order_and_one_refund_transaction_per_refund(b) {
    let mut w = World::on(&b, 20, 200, 10).await;
    w.import(&ALL).await.unwrap();
    let tx = w.records("transaction");
    let (paid, refunds): (BTreeSet<u64>, BTreeSet<u64>) = {
        let d = w.data();
        let importable = |o: &Value| o["status"] != "checkout-draft";
        let paid = d.orders.iter().filter(|o| importable(o) && (!o["date_paid_gmt"].is_null() || o["status"] == "processing" || o["status"] == "completed")).map(order_of).collect();
        let refunds = d.refunds.iter().filter(|(o, _)| d.orders.iter().any(|x| order_of(x) == *o && importable(x))).map(|(_, r)| r["id"].as_u64().unwrap()).collect();
        (paid, refunds)
    };
    let payments: BTreeSet<u64> = tx.keys().filter_map(|k| k.strip_prefix("woo:payment:")).map(|k| k.parse().unwrap()).collect();
    let refund_tx: BTreeSet<u64> = tx.keys().filter_map(|k| k.strip_prefix("woo:refund:")).map(|k| k.parse().unwrap()).collect();
    assert_eq!(payments, paid);
    assert_eq!(refund_tx, refunds);
    assert!(tx.values().all(|t| t["amount"].as_str().is_some_and(|a| a.contains('.'))), "amounts are decimal strings");
}
}

on_each_backend! {
async fn rule_10_triggers_fire_exactly_once_never_for_history_never_when_off(b) {
    let mut w = World::on(&b, 20, 100, 10).await;
    w.import(&ALL).await.unwrap();
    assert!(w.triggers().is_empty(), "historical orders fire nothing");
    let o = order_of(&w.sim.state.place_order(0, "once@example.test", false));
    w.sync().await.unwrap();
    assert_eq!(w.triggers(), BTreeSet::from([format!("woo:trigger:order_submitted:{o}")]));
    w.sim.state.update_order(o, json!({"status": "processing"}));
    w.sync().await.unwrap();
    w.sim.state.update_order(o, json!({"status": "completed"}));
    w.sync().await.unwrap();
    w.sync().await.unwrap();
    // The status changes fire order_status_changed (see tests/events.rs).
    let first_two: BTreeSet<String> = w.triggers().into_iter().filter(|t| !t.starts_with("woo:trigger:order_status_changed:")).collect();
    assert_eq!(first_two, BTreeSet::from([format!("woo:trigger:order_submitted:{o}"), format!("woo:trigger:payment_received:{o}")]));
    w.set(|s| {
        s.order_submitted = false;
        s.payment_received = false;
    })
    .await;
    let o2 = order_of(&w.sim.state.place_order(0, "off@example.test", true));
    w.sync().await.unwrap();
    assert!(w.triggers().iter().all(|t| !t.ends_with(&format!(":{o2}"))), "settings off: no trigger");
    assert!(w.records("order").contains_key(&format!("woo:order:{o2}")));
}
}

on_each_backend! {
async fn rule_11_incremental_sync_without_changes_costs_a_handful_of_requests(b) {
    let mut w = World::on(&b, 400, 1200, 200).await;
    w.import(&ALL).await.unwrap();
    let before = w.requests();
    let r = w.sync().await.unwrap();
    let used = w.requests() - before;
    assert!(used <= 4, "a pass with no changes made {used} requests");
    assert_eq!(r.requests as usize, used);
    // With changes it costs O(changes).
    for i in 0..5 {
        w.sim.state.place_order(0, &format!("c{i}@example.test"), true);
    }
    let before = w.requests();
    let r = w.sync().await.unwrap();
    assert!(w.requests() - before <= 4);
    assert_eq!(r.kinds.iter().find(|k| k.kind == Kind::Orders).unwrap().created, 5);
}
}

on_each_backend! {
async fn rule_12_interrupted_import_resumes_and_ends_with_the_same_records(b) {
    let mut clean = World::on(&b, 150, 400, 60).await;
    clean.import(&ALL).await.unwrap();
    let want: BTreeMap<String, Value> = ["contact", "order", "transaction", "product", "collection"].iter().flat_map(|k| clean.records(k)).collect();
    let mut w = World::on(&b, 150, 400, 60).await;
    // The store goes down (503 to everything) mid-import: retries give up.
    *w.sim.state.faults.lock().unwrap() = Faults { down_after: 9, ..Faults::new() };
    assert!(w.import(&ALL).await.is_err(), "the store going down interrupts the import");
    let partial: usize = ["contact", "order"].iter().map(|k| w.records(k).len()).sum();
    *w.sim.state.faults.lock().unwrap() = Faults::new();
    w.import(&ALL).await.unwrap();
    let got: BTreeMap<String, Value> = ["contact", "order", "transaction", "product", "collection"].iter().flat_map(|k| w.records(k)).collect();
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "same records after resuming (had {partial} before)");
    assert!(w.triggers().is_empty());
}
}

on_each_backend! {
async fn rule_13_auth_failure_pauses_sync_with_one_notification_and_deletes_nothing(b) {
    let mut w = World::on(&b, 20, 50, 10).await;
    w.import(&ALL).await.unwrap();
    let count = |w: &mut World| ["contact", "order", "product"].iter().map(|k| w.records(k).len()).sum::<usize>();
    let before = count(&mut w);
    w.sim.state.faults.lock().unwrap().revoked = true;
    assert!(matches!(w.sync().await, Err(wit::types::Error::Auth(_))));
    let seen = w.requests();
    assert!(matches!(w.sync().await, Err(wit::types::Error::ReconnectRequired(_))));
    assert_eq!(w.requests(), seen, "a paused sync does not contact the store");
    let info = w.s.bindings.woo_connector_connection().call_status(&mut w.s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::ReconnectRequired);
    let notes = w.records("notification");
    assert_eq!(notes.len(), 1);
    let n = notes.values().next().unwrap();
    assert_eq!((n["notification"].as_str(), n["recipient"].as_str()), (Some("reconnect_required"), Some("owner@example.test")));
    assert!(n["body"].as_str().unwrap().contains("REST API"));
    assert_eq!(count(&mut w), before, "nothing deleted");
    // A 404 for one missing record is not an auth failure.
    let mut w = World::on(&b, 5, 5, 5).await;
    w.s.begin_call();
    let r = w.s.bindings.woo_connector_tools().call_call_tool(&mut w.s.store, "get-product", r#"{"id": 99999999}"#).await.unwrap();
    assert!(matches!(r, Err(wit::types::Error::NotFound(_))));
    let info = w.s.bindings.woo_connector_connection().call_status(&mut w.s.store).await.unwrap().unwrap();
    assert_eq!(info.state, wit::connection::ConnectionState::Connected);
}
}

on_each_backend! {
async fn rule_14_webhooks_signed_deliveries_applied_once_ping_acknowledged_bad_signature_refused(b) {
    let mut w = World::on(&b, 20, 40, 10).await;
    w.import(&ALL).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(woo_host::serve::serve_on(listener, runtime().clone(), w.db.clone(), None));
    w.s.begin_call();
    let ids = w.s.bindings.woo_connector_webhook().call_register(&mut w.s.store, &format!("http://{addr}/webhooks")).await.unwrap().unwrap();
    assert_eq!(ids.len(), 15);
    let hooks = w.data().webhooks.clone();
    assert!(hooks.iter().all(|h| h["secret"].as_str().is_some_and(|s| s.len() >= 32)));
    let o = order_of(&w.sim.state.place_order(0, "hook.buyer@example.test", true));
    let key = format!("woo:order:{o}");
    let mut applied = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if w.records("order").contains_key(&key) {
            applied = true;
            break;
        }
    }
    assert!(applied, "the order.created delivery was applied");
    assert!(w.records("contact").contains_key("woo:guest:hook.buyer@example.test"));
    assert!(w.triggers().contains(&format!("woo:trigger:order_submitted:{o}")));
    let r = w.sync().await.unwrap();
    assert_eq!(r.triggers, 0, "the next sync pass fires nothing again");
    // A forged delivery is refused and stores nothing.
    let forged = json!({"id": 777777, "status": "processing", "date_modified_gmt": "2030-01-01T00:00:00", "billing": {"email": "x@example.test"}}).to_string();
    let status = woo_host::sim::post_loopback(&format!("http://{addr}/webhooks"), vec![("X-WC-Webhook-Topic".into(), "order.created".into()), ("X-WC-Webhook-Signature".into(), "bm9wZQ==".into())], forged.clone().into_bytes(), "application/json").await.unwrap();
    assert_eq!(status, 401);
    let status = woo_host::sim::post_loopback(&format!("http://{addr}/webhooks"), vec![("X-WC-Webhook-Topic".into(), "order.created".into())], forged.into_bytes(), "application/json").await.unwrap();
    assert_eq!(status, 401, "a missing signature is refused");
    assert!(!w.records("order").contains_key("woo:order:777777"));
    // The ping is acknowledged.
    let status = woo_host::sim::post_loopback(&format!("http://{addr}/webhooks"), vec![], b"webhook_id=3".to_vec(), "application/x-www-form-urlencoded").await.unwrap();
    assert_eq!(status, 200);
}
}

/// Deliver one signed webhook straight to the component.
async fn deliver(w: &mut World, topic: &str, body: &Value) -> String {
    use base64::Engine;
    use hmac::Mac;
    let secret = w.data().webhooks[0]["secret"].as_str().unwrap().to_string();
    let body = body.to_string().into_bytes();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(&body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let headers =
        vec![("X-WC-Webhook-Topic".to_string(), topic.to_string()), ("X-WC-Webhook-Signature".to_string(), signature)];
    w.s.begin_call();
    let outcome =
        w.s.bindings
            .woo_connector_webhook()
            .call_handle_delivery(&mut w.s.store, &headers, &body)
            .await
            .unwrap()
            .expect("delivery accepted");
    format!("{outcome:?}")
}

/// A world with webhooks registered (to a port nothing listens on: the
/// deliveries of these tests are made by hand) and one imported order.
async fn webhook_world(b: &common::world::Backend) -> (World, Value) {
    let mut w = World::on(b, 3, 10, 2).await;
    w.import(&ALL).await.unwrap();
    w.s.begin_call();
    w.s.bindings
        .woo_connector_webhook()
        .call_register(&mut w.s.store, "http://127.0.0.1:9/webhooks")
        .await
        .unwrap()
        .unwrap();
    let order = w.data().orders.iter().find(|o| o["status"] == "processing").cloned().expect("a processing order");
    (w, order)
}

on_each_backend! {
async fn webhook_older_update_never_replaces_a_newer_one(b) {
    let (mut w, order) = webhook_world(&b).await;
    let key = format!("woo:order:{}", order["id"]);
    let version = |modified: &str, total: &str| {
        let mut o = order.clone();
        o["date_modified_gmt"] = json!(modified);
        o["total"] = json!(total);
        o
    };
    assert_eq!(deliver(&mut w, "order.updated", &version("2030-01-01T00:00:10", "99.00")).await, "DeliveryOutcome::Applied");
    assert_eq!(deliver(&mut w, "order.updated", &version("2030-01-01T00:00:05", "1.00")).await, "DeliveryOutcome::Stale");
    assert_eq!(w.records("order")[&key]["total"], "99.00", "the older delivery arrived last and changed nothing");
    assert_eq!(deliver(&mut w, "order.updated", &version("2030-01-01T00:00:10", "99.00")).await, "DeliveryOutcome::Duplicate");
}
}

on_each_backend! {
async fn webhook_deleted_changes_no_record_and_restored_rereads_the_store(b) {
    let (mut w, order) = webhook_world(&b).await;
    let id = order["id"].as_u64().unwrap();
    let key = format!("woo:order:{id}");
    let before = w.records("order")[&key].clone();
    assert!(!before["line_items"].as_array().unwrap().is_empty());
    assert_eq!(deliver(&mut w, "order.deleted", &json!({"id": id})).await, "DeliveryOutcome::Ignored");
    assert_eq!(deliver(&mut w, "order.updated", &json!({"id": id})).await, "DeliveryOutcome::Ignored", "a deletion's body under another topic");
    assert_eq!(w.records("order")[&key], before, "deletions are not synced");
    // Restored: the delivery is not trusted, the store is read again.
    {
        let mut d = w.data();
        let o = d.orders.iter_mut().find(|o| o["id"] == id).unwrap();
        o["date_modified_gmt"] = json!("2030-01-02T00:00:00");
        o["total"] = json!("55.00");
    }
    let seen = w.requests();
    assert_eq!(deliver(&mut w, "order.restored", &order).await, "DeliveryOutcome::Applied");
    let reads: Vec<String> = w.sim.state.seen.lock().unwrap()[seen..].iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(reads, [format!("GET /wp-json/wc/v3/orders/{id}")]);
    assert_eq!(w.records("order")[&key]["total"], "55.00");
}
}

/// The `webhook-seen` row of a resource (`kind:id`): the version applied.
fn seen(w: &mut World, key: &str) -> Option<String> {
    w.s.store.data_mut().storage.kv_get("default", "webhook-seen", key).unwrap().map(|v| String::from_utf8(v).unwrap())
}

on_each_backend! {
async fn webhook_delivery_of_a_kind_whose_sync_is_off_is_ignored_not_remembered_and_applied_once_it_is_on(b) {
    let (mut w, order) = webhook_world(&b).await;
    let customer = w.data().customers.iter().find(|c| c["role"] == "customer").cloned().expect("a customer");
    let product = w.data().products.iter().find(|p| p["type"] == "simple" && p["status"] == "publish").cloned().expect("a simple product");
    let changed = |v: &Value, field: &str, to: &str| {
        let mut v = v.clone();
        v[field] = json!(to);
        v["date_modified_gmt"] = json!("2030-01-01T00:00:00");
        v
    };
    let deliveries = [
        ("order.updated", "order", format!("woo:order:{}", order["id"]), format!("order:{}", order["id"]), changed(&order, "total", "77.00"), "total", "77.00"),
        ("customer.updated", "contact", format!("woo:customer:{}", customer["id"]), format!("customer:{}", customer["id"]), changed(&customer, "last_name", "Okafor"), "last_name", "Okafor"),
        ("product.updated", "product", format!("woo:product:{}", product["id"]), format!("product:{}", product["id"]), changed(&product, "name", "Renamed mug"), "name", "Renamed mug"),
    ];
    w.set(|s| {
        (s.contacts, s.orders, s.transactions, s.products, s.order_submitted, s.payment_received) = (false, false, false, false, false, false);
    })
    .await;
    for (topic, kind, key, seen_key, body, _, _) in &deliveries {
        let before = w.records(kind).get(key).cloned();
        assert_eq!(deliver(&mut w, topic, body).await, "DeliveryOutcome::Ignored", "{topic} with its sync off");
        assert_eq!(w.records(kind).get(key).cloned(), before, "{topic}: record unchanged");
        assert_eq!(seen(&mut w, seen_key), None, "{topic}: not remembered as applied");
    }
    // Sync on again: the very same deliveries (WooCommerce's retry, or the
    // next one) are applied, not taken for duplicates.
    w.set(|s| {
        (s.contacts, s.orders, s.transactions, s.products, s.order_submitted, s.payment_received) = (true, true, true, true, true, true);
    })
    .await;
    for (topic, kind, key, seen_key, body, field, value) in &deliveries {
        assert_eq!(deliver(&mut w, topic, body).await, "DeliveryOutcome::Applied", "{topic} with its sync on");
        assert_eq!(w.records(kind)[key][*field], *value, "{topic}");
        assert_eq!(seen(&mut w, seen_key).as_deref(), Some("2030-01-01T00:00:00"));
        assert_eq!(deliver(&mut w, topic, body).await, "DeliveryOutcome::Duplicate", "{topic} again");
    }
}
}

on_each_backend! {
async fn webhook_delivery_left_to_the_next_pass_is_deferred_not_remembered_and_applied_by_the_pass(b) {
    let mut w = World::on(&b, 3, 10, 20).await;
    w.import(&ALL).await.unwrap();
    w.s.begin_call();
    w.s.bindings.woo_connector_webhook().call_register(&mut w.s.store, "http://127.0.0.1:9/webhooks").await.unwrap().unwrap();
    let id = w.data().products.iter().find(|p| p["type"] == "variable" && p["status"] == "publish" && !p["variations"].as_array().unwrap().is_empty()).expect("a variable product")["id"].as_u64().unwrap();
    let key = format!("woo:product:{id}");
    let before = w.records("product")[&key].clone();
    // The store changes it (as the REST API would); its delivery carries no variations.
    let changed = w.sim.state.update_product(id, json!({"name": "Renamed variable"})).unwrap();
    assert_eq!(deliver(&mut w, "product.updated", &changed).await, "DeliveryOutcome::Deferred");
    assert_eq!(w.records("product")[&key], before, "not applied without its variations");
    assert_eq!(seen(&mut w, &format!("product:{id}")), None, "not remembered as applied");
    assert_eq!(deliver(&mut w, "product.updated", &changed).await, "DeliveryOutcome::Deferred", "a redelivery is considered again, not a duplicate");
    // The next pass reads its variations and applies it.
    w.sync().await.unwrap();
    let after = w.records("product")[&key].clone();
    assert_eq!(after["name"], "Renamed variable");
    assert_eq!(after["variants"].as_array().map(Vec::len), before["variants"].as_array().map(Vec::len), "with its variations");
    assert_eq!(deliver(&mut w, "product.updated", &changed).await, "DeliveryOutcome::Duplicate", "the version the pass applied");
}
}

// ---- The command line, as users and scripts run it ----

fn woo(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_woo")).args(args).env_remove("WOO_DB").output().unwrap()
}

fn stdout_json(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().last().unwrap()).unwrap()
}

#[test]
fn cli_connect_sync_settings_status_export_disconnect_and_reconnect_without_duplicates() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 30, orders: 80, products: 20, seed: 5 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let db = db.to_str().unwrap();
    let ca = sim.ca_cert.to_str().unwrap();
    let connect = |extra: &[&str]| {
        let mut a = vec![
            "--db",
            db,
            "--ca-cert",
            ca,
            "--json",
            "connect",
            "--store",
            &sim.https_url,
            "--key",
            &sim.consumer_key,
            "--secret",
            &sim.consumer_secret,
        ];
        a.extend_from_slice(extra);
        woo(&a)
    };
    let v = stdout_json(&connect(&["--sync", "orders,transactions,order-submitted"]));
    assert!(v["kinds"].as_array().unwrap().iter().any(|k| k["kind"] == "orders" && k["created"].as_u64().unwrap() > 0));
    let settings = stdout_json(&woo(&["--db", db, "--json", "settings"]));
    assert_eq!(
        settings,
        json!({"contacts": false, "orders": true, "transactions": true, "products": false, "collections": false, "checkouts": false, "order-submitted": true, "payment-received": false,
            "order-status-changed": false, "order-refunded": false, "customer-created": false, "product-out-of-stock": false, "reconcile-every-minutes": 60,
            "checkout-abandoned-after-minutes": 60})
    );
    let settings = stdout_json(&woo(&[
        "--db",
        db,
        "--json",
        "settings",
        "--enable",
        "payment-received,products",
        "--disable",
        "transactions",
    ]));
    assert_eq!(
        (settings["payment-received"].as_bool(), settings["products"].as_bool(), settings["transactions"].as_bool()),
        (Some(true), Some(true), Some(false))
    );
    let bad = woo(&["--db", db, "settings", "--enable", "everything"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(woo(&["--db", db, "settings", "--concurrency", "0"]).status.code(), Some(2), "pages in flight: 1 to 16");
    let eight = woo(&["--db", db, "settings", "--concurrency", "8"]);
    assert!(eight.status.success() && String::from_utf8_lossy(&eight.stderr).contains("pages in flight: 8"));
    let every = woo(&["--db", db, "settings", "--reconcile-every", "0"]);
    assert!(every.status.success() && String::from_utf8_lossy(&every.stdout).contains("reconcile-every: never"));
    let every = stdout_json(&woo(&["--db", db, "--json", "settings", "--reconcile-every", "15"]));
    assert_eq!(every["reconcile-every-minutes"], 15);
    let abandon = woo(&["--db", db, "settings", "--checkout-abandoned-after", "0", "--enable", "checkouts"]);
    let out = String::from_utf8_lossy(&abandon.stdout);
    assert!(
        abandon.status.success() && out.contains("checkout-abandoned-after: never") && out.contains("checkouts: on"),
        "{out}"
    );
    let abandon = stdout_json(&woo(&["--db", db, "--json", "settings", "--checkout-abandoned-after", "90"]));
    assert_eq!(
        (abandon["checkout-abandoned-after-minutes"].as_u64(), abandon["checkouts"].as_bool()),
        (Some(90), Some(true))
    );
    let sync = stdout_json(&woo(&["--db", db, "--json", "sync"]));
    assert_eq!(sync["triggers"], 0);
    assert!(sync["kinds"].is_array() && sync["requests"].is_number());
    let status = stdout_json(&woo(&["--db", db, "--json", "status"]));
    assert_eq!(status["state"], "connected");
    assert!(status["counts"]["order"].as_u64().unwrap() > 0);
    assert!(status["last_sync"]["orders"].is_string());
    let count = |db: &str| String::from_utf8_lossy(&woo(&["--db", db, "export"]).stdout).lines().count();
    let before = count(db);
    let exported = String::from_utf8_lossy(&woo(&["--db", db, "export", "--kind", "order"]).stdout).into_owned();
    let ids: Vec<String> = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "export is sorted by id");
    assert!(woo(&["--db", db, "disconnect"]).status.success());
    let status = stdout_json(&woo(&["--db", db, "--json", "status"]));
    assert_eq!(status["state"], "disconnected");
    assert_eq!(woo(&["--db", db, "sync"]).status.code(), Some(2), "sync without a connection is bad input");
    assert_eq!(count(db), before, "records are kept");
    let v = stdout_json(&connect(&[]));
    let created: u64 = v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kind"] == "orders")
        .map(|k| k["created"].as_u64().unwrap())
        .sum();
    assert_eq!(created, 0, "a fresh import after reconnecting updates in place");
    let orders_after = String::from_utf8_lossy(&woo(&["--db", db, "export", "--kind", "order"]).stdout).lines().count();
    assert_eq!(orders_after, ids.len(), "no order duplicated");
}

#[test]
fn cli_authorize_url_and_wc_auth_callback_complete_the_connection() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("auth.db");
    let db = db.to_str().unwrap();
    let out = woo(&[
        "--db",
        db,
        "authorize-url",
        "--store",
        &sim.https_url,
        "--return-url",
        "https://platform.example/done",
        "--callback-url",
        "https://platform.example/wc-auth/callback",
        "--user-id",
        "7",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        url.starts_with(&format!("{}/wc-auth/v1/authorize?", sim.https_url))
            && url.contains("scope=read_write")
            && url.contains("user_id=7"),
        "{url}"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut serve = std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
        .args([
            "--db",
            db,
            "--ca-cert",
            sim.ca_cert.to_str().unwrap(),
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let body = json!({"key_id": 1, "user_id": "7", "consumer_key": sim.consumer_key, "consumer_secret": sim.consumer_secret, "key_permissions": "read_write"}).to_string();
    // WooCommerce posts to the callback URL as given: the connection's path and its state.
    let callback =
        url::Url::parse(&url).unwrap().query_pairs().find(|(k, _)| k == "callback_url").unwrap().1.into_owned();
    let callback = callback.replace("https://platform.example", &format!("http://127.0.0.1:{port}"));
    let status =
        rt.block_on(woo_host::sim::post_loopback(&callback, vec![], body.into_bytes(), "application/json")).unwrap();
    let _ = serve.kill();
    let _ = serve.wait();
    assert_eq!(status, 200);
    let st = stdout_json(&woo(&["--db", db, "--json", "status"]));
    assert_eq!(st["state"], "connected");
    assert_eq!(st["store_url"], sim.https_url.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn import_uses_the_variations_and_refunds_collections_on_new_stores_and_per_parent_lists_on_old_ones() {
    let seed = SeedSpec { customers: 40, orders: 400, products: 120, seed: 8 };
    let mut new = World::with(SimConfig { seed, ..Default::default() }).await;
    let mut old = World::with(SimConfig { seed, version: "8.9.3".into(), ..Default::default() }).await;
    for w in [&mut new, &mut old] {
        w.sim.state.seen.lock().unwrap().clear();
        w.import(&ALL).await.unwrap();
    }
    let paths = |w: &World| {
        w.sim
            .state
            .seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.path.trim_start_matches("/wp-json/wc/v3").to_string())
            .collect::<Vec<_>>()
    };
    let per_parent = |p: &String| {
        (p.starts_with("/products/") && p.ends_with("/variations"))
            || (p.starts_with("/orders/") && p.ends_with("/refunds"))
    };
    let (new_paths, old_paths) = (paths(&new), paths(&old));
    assert!(new_paths.iter().all(|p| !per_parent(p)), "no fan-out on 11.0: {new_paths:?}");
    assert!(new_paths.contains(&"/variations".to_string()) && new_paths.contains(&"/refunds".to_string()));
    assert!(
        old_paths.iter().any(per_parent)
            && !old_paths.contains(&"/variations".to_string())
            && !old_paths.contains(&"/refunds".to_string())
    );
    assert!(new_paths.len() * 3 < old_paths.len(), "{} requests vs {}", new_paths.len(), old_paths.len());
    let ids = |w: &mut World| {
        ["contact", "order", "transaction", "product"]
            .iter()
            .flat_map(|k| w.records(k).into_keys())
            .collect::<BTreeSet<_>>()
    };
    let new_ids = ids(&mut new);
    assert!(new_ids.iter().any(|i| i.starts_with("woo:refund:")), "refund transactions imported");
    assert_eq!(new_ids, ids(&mut old), "the same records either way");
}

/// Grow a published, priced variable product of the store to `n` priced
/// variations; returns its id.
fn variable_product_with(w: &World, n: usize) -> u64 {
    let mut d = w.data();
    let id = d
        .products
        .iter()
        .find(|p| {
            p["type"] == "variable" && p["status"] == "publish" && p["price"].as_str().is_some_and(|x| !x.is_empty())
        })
        .map(|p| p["id"].as_u64().unwrap())
        .expect("the seed has a published priced variable product");
    let mut ids: Vec<Value> = d.variations.iter().filter(|(p, _)| *p == id).map(|(_, v)| v["id"].clone()).collect();
    while ids.len() < n {
        let vid = d.post_id();
        let k = ids.len();
        d.variations.push((
            id,
            woo_host::sim::seed::variation_json(
                vid,
                id,
                &format!("MANY-{k}"),
                format!("{}.00", 10 + k),
                &format!("S{k}"),
                1_735_689_600,
            ),
        ));
        ids.push(json!(vid));
    }
    let p = d.products.iter_mut().find(|p| p["id"].as_u64() == Some(id)).unwrap();
    p["variations"] = Value::Array(ids);
    id
}

fn variant_ids(w: &mut World, id: u64) -> BTreeSet<String> {
    let p = &w.records("product")[&format!("woo:product:{id}")];
    p["variants"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

on_each_backend! {
/// The import and the incremental pass read a variable product's variations
/// by one walk, every page of them (250 here), on a store with the
/// `/variations` collection and on one without; a variation that loses its
/// price leaves the variants.
async fn rule_5_variable_product_keeps_every_priced_variation_past_the_first_100_at_import_and_on_every_pass(b) {
    for version in ["11.0.1", "8.9.3"] {
        let seed = SeedSpec { customers: 5, orders: 0, products: 40, seed: 11 };
        let mut w = common::world::World::with_on(&b, SimConfig { seed, version: version.into(), ..Default::default() }).await;
        let id = variable_product_with(&w, 250);
        w.import(&[Kind::Products]).await.unwrap();
        assert_eq!(variant_ids(&mut w, id).len(), 250, "import on {version}");
        let unpriced = {
            let mut d = w.data();
            let (_, v) = d.variations.iter_mut().filter(|(p, _)| *p == id).nth(180).unwrap();
            v["price"] = json!("");
            v["regular_price"] = json!("");
            format!("woo:variation:{}", v["id"])
        };
        w.sim.state.update_product(id, json!({"name": "Many Sizes Tee"}));
        w.sync().await.unwrap();
        assert_eq!(w.records("product")[&format!("woo:product:{id}")]["name"], "Many Sizes Tee");
        let after = variant_ids(&mut w, id);
        assert_eq!(after.len(), 249, "pass on {version}: every priced variation, past the first 100");
        assert!(!after.contains(&unpriced), "an unpriced variation is not a variant");
    }
}
}

/// The webhooks rule, through the command line: a pass reads the store's
/// webhooks once; one WooCommerce disabled, one paused and one deleted are
/// healed by the next pass (same URL, same secret), which logs a warning,
/// queues one notification for the owner, shows the healing in `woo status`
/// and `woo connections`, and catches up the customer edit no delivery
/// brought.
#[test]
fn webhooks_down_on_the_store_are_healed_by_the_next_pass_reported_notified_once_and_what_they_missed_caught_up() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 30, orders: 20, products: 10, seed: 5 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("heal.db");
    let db = db.to_str().unwrap();
    let ca = sim.ca_cert.to_str().unwrap();
    let (key, secret) = (sim.consumer_key.clone(), sim.consumer_secret.clone());
    stdout_json(&woo(&[
        "--db",
        db,
        "--ca-cert",
        ca,
        "--json",
        "connect",
        "--store",
        &sim.https_url,
        "--key",
        &key,
        "--secret",
        &secret,
        "--owner-email",
        "owner@example.test",
    ]));
    // No webhooks registered: a pass does not look at them.
    let webhook_reads =
        |from: usize| sim.state.seen.lock().unwrap()[from..].iter().filter(|r| r.path.ends_with("/webhooks")).count();
    let seen = sim.state.seen.lock().unwrap().len();
    stdout_json(&woo(&["--db", db, "--ca-cert", ca, "--json", "sync"]));
    assert_eq!(webhook_reads(seen), 0, "no webhooks registered, none read");
    let url = "http://127.0.0.1:9/webhooks";
    assert!(woo(&["--db", db, "--ca-cert", ca, "webhooks", "register", "--delivery-url", url]).status.success());
    let registered = sim.state.data.read().unwrap().webhooks.clone();
    assert_eq!(registered.len(), 15);
    let seen = sim.state.seen.lock().unwrap().len();
    stdout_json(&woo(&["--db", db, "--ca-cert", ca, "--json", "sync"]));
    assert_eq!(webhook_reads(seen), 1, "all active: one read");
    let read =
        sim.state.seen.lock().unwrap()[seen..].iter().find(|r| r.path.ends_with("/webhooks")).unwrap().query.clone();
    assert!(
        read.contains("_fields=id%2Ctopic%2Cstatus%2Cdelivery_url")
            || read.contains("_fields=id,topic,status,delivery_url"),
        "{read}"
    );
    // WooCommerce disables one after failed deliveries, someone pauses one
    // and deletes another; a customer is edited meanwhile (no delivery).
    {
        let mut d = sim.state.data.write().unwrap();
        for w in d.webhooks.iter_mut() {
            match w["topic"].as_str().unwrap() {
                "customer.updated" => w["status"] = json!("disabled"),
                "product.updated" => w["status"] = json!("paused"),
                _ => {}
            }
        }
        d.webhooks.retain(|w| w["topic"] != "order.created");
    }
    let (customer, _) = sim.state.a_registered_customer().unwrap();
    sim.state.update_customer(customer, json!({"last_name": "Healed-Okafor"})).unwrap();
    let out = woo(&["--db", db, "--ca-cert", ca, "--json", "sync"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    stdout_json(&out);
    assert!(
        stderr.contains(
            "warning: webhooks healed (re-enabled or re-created): customer.updated, order.created, product.updated"
        ),
        "{stderr}"
    );
    {
        let d = sim.state.data.read().unwrap();
        assert_eq!(d.webhooks.len(), 15, "the deleted one re-created, nothing duplicated");
        assert!(d.webhooks.iter().all(|w| w["status"] == "active" && w["delivery_url"] == url));
        let secret = registered[0]["secret"].clone();
        assert!(d.webhooks.iter().all(|w| w["secret"] == secret), "the connection's secret on every one");
        for t in ["customer.updated", "product.updated"] {
            let id = |ws: &[Value]| ws.iter().find(|w| w["topic"] == t).unwrap()["id"].clone();
            assert_eq!(id(&d.webhooks), id(&registered), "{t} re-enabled, not replaced");
        }
    }
    let contact = String::from_utf8_lossy(&woo(&["--db", db, "export", "--kind", "contact"]).stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|c| c["id"] == format!("woo:customer:{customer}"))
        .unwrap();
    assert_eq!(contact["last_name"], "Healed-Okafor", "the edit no delivery brought was caught up");
    let notes: Vec<Value> = String::from_utf8_lossy(&woo(&["--db", db, "export", "--kind", "notification"]).stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(notes.len(), 1, "one notification: {notes:?}");
    assert!(notes[0].to_string().contains("owner@example.test"));
    let status = stdout_json(&woo(&["--db", db, "--json", "status"]));
    assert_eq!(status["webhooks"]["healed"], 3);
    assert_eq!(
        status["webhooks"]["last_healed_topics"],
        json!(["customer.updated", "order.created", "product.updated"])
    );
    assert!(status["webhooks"]["last_healed"].is_string());
    let text = String::from_utf8_lossy(&woo(&["--db", db, "status"]).stdout).into_owned();
    assert!(text.contains("webhooks healed: 3 (last "), "{text}");
    let connections = stdout_json(&woo(&["--db", db, "--json", "connections"]));
    assert_eq!(connections[0]["webhooks_healed"], 3);
    // Healthy again: one read, no second notification.
    let seen = sim.state.seen.lock().unwrap().len();
    stdout_json(&woo(&["--db", db, "--ca-cert", ca, "--json", "sync"]));
    assert_eq!(webhook_reads(seen), 1);
    assert_eq!(
        String::from_utf8_lossy(&woo(&["--db", db, "export", "--kind", "notification"]).stdout).lines().count(),
        1
    );
}

on_each_backend! {
/// The reconciliation rule: a pass past `reconcile-every-minutes` walks
/// `/customers` with `_fields=id,date_modified_gmt` (`ceil(n/100)` requests)
/// and re-reads only the customer edited since the import (`include=`), so
/// an edit no webhook delivered is imported; a pass before the interval
/// sends no sweep request.
async fn rule_reconcile_sweep_lists_customers_by_fields_and_rereads_only_the_edited_one(b) {
    let mut w = World::on(&b, 250, 0, 0).await;
    w.import(&[Kind::Contacts]).await.unwrap();
    let users = w.data().customers.len();
    assert!(users >= 250, "{users}");
    let sweeps = |w: &World, from: usize| -> Vec<String> {
        w.sim.state.seen.lock().unwrap()[from..]
            .iter()
            .filter(|r| r.path.ends_with("/customers") && (r.query.contains("date_modified_gmt") || r.query.contains("include=")))
            .map(|r| r.query.clone())
            .collect()
    };
    // The first pass starts the sweep's clock; the next is not due.
    w.sync().await.unwrap();
    let seen = w.requests();
    w.sync().await.unwrap();
    assert!(sweeps(&w, seen).is_empty(), "not due: no sweep request");
    let (id, _) = w.sim.state.a_registered_customer().unwrap();
    w.sim.state.update_customer(id, json!({"last_name": "Reconciled-Okafor"})).unwrap();
    // The last sweep was long ago (the interval has passed).
    w.s.store.data_mut().storage.kv_set("default", "cursors", "sync:contacts:reconciled", b"2000-01-01T00:00:00Z").unwrap();
    let seen = w.requests();
    w.sync().await.unwrap();
    let queries = sweeps(&w, seen);
    let (lists, rereads): (Vec<&String>, Vec<&String>) = queries.iter().partition(|q| !q.contains("include="));
    assert_eq!(lists.len(), users.div_ceil(100), "ceil(n/100) list requests: {lists:?}");
    assert!(lists.iter().all(|q| q.contains("_fields=id%2Cdate_modified_gmt") || q.contains("_fields=id,date_modified_gmt")), "{lists:?}");
    assert!(lists.iter().all(|q| q.contains("role=all") && q.contains("per_page=100")), "{lists:?}");
    assert_eq!(rereads.len(), 1, "one re-read: {rereads:?}");
    assert!(rereads[0].contains(&format!("include={id}&")) || rereads[0].ends_with(&format!("include={id}")), "{rereads:?}");
    let contact = &w.records("contact")[&format!("woo:customer:{id}")];
    assert_eq!(contact["last_name"], "Reconciled-Okafor", "the edit no webhook delivered is imported");
    // Swept just now: the next pass does not sweep.
    let seen = w.requests();
    w.sync().await.unwrap();
    assert!(sweeps(&w, seen).is_empty());
}
}

/// A checkout draft as the block checkout leaves one in the simulator: an
/// order placed, then put back in `checkout-draft` before any pass saw it.
fn checkout_draft(w: &World, email: &str, customer: u64) -> u64 {
    let id = order_of(&w.sim.state.place_order(customer, email, false));
    w.sim.state.update_order(id, json!({"status": "checkout-draft"})).unwrap();
    id
}

/// Let `minutes` pass since a draft's last change, which a pass noted: the
/// store's draft and what the connector noted of it are both that old.
fn left_ago(w: &mut World, id: u64, minutes: u64) {
    let at = woo_host::dates::wc_date(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() - minutes * 60,
    );
    {
        let mut d = w.data();
        let o = d.orders.iter_mut().find(|o| o["id"] == id).unwrap();
        o["date_modified"] = json!(at);
        o["date_modified_gmt"] = json!(at);
    }
    let storage = &mut w.s.store.data_mut().storage;
    storage.kv_set("default", "checkouts", &id.to_string(), format!("open|{at}").as_bytes()).unwrap();
    storage.kv_set("default", "checkouts-open", &id.to_string(), at.as_bytes()).unwrap();
}

on_each_backend! {
/// The checkout rules: checkout drafts (listed by the store only with
/// `status=checkout-draft`) are `checkout` records, never orders; linked to
/// the contact their e-mail already has; the import's drafts are history;
/// one that becomes an order is `converted` and names it; one still a draft,
/// unchanged, an hour after its last change fires `checkout_abandoned` once.
async fn rule_checkouts_are_records_of_their_own_converted_when_ordered_and_abandoned_once(b) {
    let mut w = World::on(&b, 40, 120, 30).await;
    let mut kinds = ALL.to_vec();
    kinds.push(Kind::Checkouts);
    w.import(&kinds).await.unwrap();
    let drafts: Vec<u64> =
        w.data().orders.iter().filter(|o| o["status"] == "checkout-draft").map(order_of).collect();
    assert!(!drafts.is_empty(), "the seed has checkout drafts");
    let checkouts = w.records("checkout");
    let orders = w.records("order");
    for id in &drafts {
        assert!(checkouts.contains_key(&format!("woo:checkout:{id}")), "draft {id} imported as a checkout");
        assert!(!orders.contains_key(&format!("woo:order:{id}")), "never as an order");
    }
    assert!(w.triggers().is_empty(), "history fires nothing");
    let (customer, email) = {
        let d = w.data();
        let c = d.customers.iter().find(|c| c["role"] == "customer").unwrap();
        (order_of(c), c["email"].as_str().unwrap().to_string())
    };
    let bought = checkout_draft(&w, &email, customer);
    let left = checkout_draft(&w, "Leaves.Cart@Example.test", 0);
    w.sync().await.unwrap();
    let checkouts = w.records("checkout");
    assert_eq!(checkouts[&format!("woo:checkout:{bought}")]["status"], "open");
    assert_eq!(checkouts[&format!("woo:checkout:{bought}")]["contact_id"], format!("woo:customer:{customer}"));
    assert_eq!(checkouts[&format!("woo:checkout:{left}")]["email"], "leaves.cart@example.test");
    assert_eq!(checkouts[&format!("woo:checkout:{left}")]["contact_id"], Value::Null, "no contact made from a draft");
    assert!(!w.records("order").contains_key(&format!("woo:order:{left}")));
    // The shopper pays: the checkout is converted, the order imported.
    w.sim.state.update_order(bought, json!({"status": "processing"})).unwrap();
    w.sync().await.unwrap();
    let c = &w.records("checkout")[&format!("woo:checkout:{bought}")];
    assert_eq!((c["status"].as_str(), c["order_id"].as_str()), (Some("converted"), Some(&*format!("woo:order:{bought}"))));
    assert!(w.records("order").contains_key(&format!("woo:order:{bought}")));
    assert!(w.triggers().contains(&format!("woo:trigger:order_submitted:{bought}")));
    // The other shopper left an hour ago: asked about, it fires once.
    left_ago(&mut w, left, 61);
    let seen = w.requests();
    w.sync().await.unwrap();
    let asked: Vec<String> = w.sim.state.seen.lock().unwrap()[seen..]
        .iter()
        .filter(|r| r.path.ends_with("/orders") && r.query.contains("include="))
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(asked.len(), 1, "one request for the checkouts past their time: {asked:?}");
    assert!(asked[0].contains("status=checkout-draft") && asked[0].contains(&format!("include={left}")), "{asked:?}");
    let abandoned: Vec<String> = w.triggers().into_iter().filter(|t| t.contains("checkout_abandoned")).collect();
    assert_eq!(abandoned, [format!("woo:trigger:checkout_abandoned:{left}")]);
    assert_eq!(w.records("checkout")[&format!("woo:checkout:{left}")]["status"], "abandoned");
    let trigger = &w.records("trigger")[&abandoned[0]];
    assert_eq!((trigger["email"].as_str(), trigger["subject_id"].as_str()), (Some("leaves.cart@example.test"), Some(&*format!("woo:checkout:{left}"))));
    let seen = w.requests();
    w.sync().await.unwrap();
    w.sync().await.unwrap();
    let asked = w.sim.state.seen.lock().unwrap()[seen..].iter().filter(|r| r.query.contains("include=")).count();
    assert_eq!(asked, 0, "nothing open past its time: no request");
    assert_eq!(w.triggers().iter().filter(|t| t.contains("checkout_abandoned")).count(), 1, "once");
}
}

on_each_backend! {
/// A product read only for its categories (product sync off, collections
/// on) is not remembered as applied: once product sync is turned on, the
/// next change to it is imported.
async fn rule_product_read_for_collections_only_is_applied_once_product_sync_is_turned_on(b) {
    let mut w = World::on(&b, 3, 5, 30).await;
    w.import(&[Kind::Collections]).await.unwrap();
    w.s.begin_call();
    w.s.bindings.woo_connector_webhook().call_register(&mut w.s.store, "http://127.0.0.1:9/webhooks").await.unwrap().unwrap();
    assert!(w.records("product").is_empty());
    w.set(|s| s.products = false).await;
    let id = {
        let d = w.data();
        let priced = |p: &&Value| p["price"].as_str().is_some_and(|p| !p.is_empty() && p != "0");
        order_of(d.products.iter().filter(|p| p["type"] == "simple" && p["status"] == "publish").find(priced).unwrap())
    };
    let v1 = w.sim.state.update_product(id, json!({"name": "Read For Its Categories"})).unwrap();
    w.sync().await.unwrap();
    assert!(w.records("product").is_empty(), "product sync off: read for its categories only");
    w.set(|s| s.products = true).await;
    // The very version the pass read, delivered now: news, not a duplicate.
    assert_eq!(deliver(&mut w, "product.updated", &v1).await, "DeliveryOutcome::Applied");
    assert_eq!(w.records("product")[&format!("woo:product:{id}")]["name"], "Read For Its Categories");
}
}
