//! Every webhook topic and every trigger, end to end: the component in
//! wasmtime, the simulator on loopback, each test on SQLite and PostgreSQL.
//!
//! Each trigger fires once, whichever of a sync pass and a webhook delivery
//! sees the change first; never for the first import's history; never again
//! for a re-read or a redelivery of the same version; never while its switch
//! is off.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

#[macro_use]
mod common;
use common::world::{ALL, World};

fn id_of(v: &Value) -> u64 {
    v["id"].as_u64().unwrap()
}

/// Sign `body` with the connection's webhook secret and hand it to the
/// component as a delivery of `topic`: the outcome's name.
async fn deliver(w: &mut World, topic: &str, body: &[u8]) -> String {
    use base64::Engine;
    use hmac::Mac;
    let secret = w.data().webhooks[0]["secret"].as_str().unwrap().to_string();
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let headers =
        vec![("X-WC-Webhook-Topic".to_string(), topic.to_string()), ("X-WC-Webhook-Signature".to_string(), signature)];
    handle(w, &headers, body).await
}

/// One delivery, its headers as sent: the outcome's name.
async fn handle(w: &mut World, headers: &[(String, String)], body: &[u8]) -> String {
    w.s.begin_call();
    let outcome =
        w.s.bindings.woo_connector_webhook().call_handle_delivery(&mut w.s.store, headers, body).await.unwrap();
    match outcome {
        Ok(o) => format!("{o:?}").trim_start_matches("DeliveryOutcome::").to_lowercase(),
        Err(e) => format!("error: {}", woo_host::wit::error_message(&e)),
    }
}

async fn register(w: &mut World, url: &str) -> Vec<u64> {
    w.s.begin_call();
    w.s.bindings.woo_connector_webhook().call_register(&mut w.s.store, url).await.unwrap().unwrap()
}

/// An imported world with the webhooks registered to a port nothing
/// listens on (these tests hand the deliveries over themselves).
async fn world(b: &common::world::Backend, customers: u64, orders: u64, products: u64) -> World {
    let mut w = World::on(b, customers, orders, products).await;
    w.import(&ALL).await.unwrap();
    register(&mut w, "http://127.0.0.1:9/webhooks").await;
    assert!(w.triggers().is_empty(), "the first import fires nothing");
    w
}

/// The triggers named `name`, by id.
fn fired(w: &mut World, name: &str) -> BTreeMap<String, Value> {
    w.records("trigger").into_iter().filter(|(_, t)| t["trigger"] == name).collect()
}

fn bytes(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// The first imported order on hold and unpaid.
fn an_order_on_hold(w: &mut World) -> u64 {
    let held = w.records("order");
    let d = w.data();
    d.orders
        .iter()
        .filter(|o| o["status"] == "on-hold" && held.contains_key(&format!("woo:order:{}", id_of(o))))
        .map(id_of)
        .next()
        .expect("an imported order on hold")
}

on_each_backend! {
async fn trigger_order_status_changed_fires_once_by_pass_or_delivery_not_for_history_not_again_not_when_off(b) {
    let mut w = world(&b, 10, 60, 5).await;
    let on_hold: Vec<u64> = {
        let held = w.records("order");
        w.data().orders.iter().filter(|o| o["status"] == "on-hold" && held.contains_key(&format!("woo:order:{}", id_of(o)))).map(id_of).take(3).collect()
    };
    assert_eq!(on_hold.len(), 3, "three imported orders on hold");
    // By the pass.
    let o = w.sim.state.update_order(on_hold[0], json!({"status": "cancelled"})).unwrap();
    let key = format!("woo:trigger:order_status_changed:{}:on-hold:cancelled:{}", on_hold[0], o["date_modified_gmt"].as_str().unwrap());
    let r = w.sync().await.unwrap();
    assert_eq!(r.triggers, 1);
    let t = fired(&mut w, "order_status_changed");
    assert_eq!(t.keys().collect::<Vec<_>>(), [&key]);
    assert_eq!((t[&key]["from"].as_str(), t[&key]["to"].as_str(), t[&key]["order_id"].clone()), (Some("on-hold"), Some("cancelled"), json!(format!("woo:order:{}", on_hold[0]))));
    assert_eq!(w.sync().await.unwrap().triggers, 0, "a pass re-reading the same version");
    assert_eq!(deliver(&mut w, "order.updated", &bytes(&o)).await, "duplicate", "the store's delivery of it after the pass");
    // By a delivery first: the pass that reads the same version fires nothing again.
    let o = w.sim.state.update_order(on_hold[1], json!({"status": "cancelled"})).unwrap();
    assert_eq!(deliver(&mut w, "order.updated", &bytes(&o)).await, "applied");
    assert_eq!(deliver(&mut w, "order.updated", &bytes(&o)).await, "duplicate");
    assert_eq!(fired(&mut w, "order_status_changed").len(), 2);
    assert_eq!(w.sync().await.unwrap().triggers, 0);
    // Switched off: nothing, and nothing later for that change.
    w.set(|s| s.order_status_changed = false).await;
    w.sim.state.update_order(on_hold[2], json!({"status": "cancelled"})).unwrap();
    w.sync().await.unwrap();
    w.set(|s| s.order_status_changed = true).await;
    w.sync().await.unwrap();
    assert_eq!(fired(&mut w, "order_status_changed").len(), 2, "none for the change made while off");
}
}

on_each_backend! {
async fn trigger_order_refunded_fires_once_per_refund_with_its_amount_by_pass_or_delivery_not_for_history_not_when_off(b) {
    let mut w = world(&b, 10, 80, 5).await;
    assert!(!w.data().refunds.is_empty(), "the store had refunds at the import: they fire nothing");
    let o1 = an_order_on_hold(&mut w);
    // By the pass.
    let refund = w.sim.state.refund_order(o1, "1.50").unwrap();
    w.sync().await.unwrap();
    let key = format!("woo:trigger:order_refunded:{o1}:{}", id_of(&refund));
    let t = fired(&mut w, "order_refunded");
    assert_eq!(t.keys().collect::<Vec<_>>(), [&key]);
    assert_eq!(t[&key]["amount"], "1.50", "a decimal string");
    assert_eq!(t[&key]["refund_id"], format!("woo:refund:{}", id_of(&refund)));
    assert_eq!(w.sync().await.unwrap().triggers, 0);
    // A second refund of the same order, by its delivery first.
    let refund2 = w.sim.state.refund_order(o1, "0.25").unwrap();
    let order = w.data().orders.iter().find(|o| id_of(o) == o1).cloned().unwrap();
    assert_eq!(deliver(&mut w, "order.updated", &bytes(&order)).await, "applied");
    assert_eq!(w.sync().await.unwrap().triggers, 0, "the pass after the delivery");
    assert_eq!(deliver(&mut w, "order.updated", &bytes(&order)).await, "duplicate");
    let t = fired(&mut w, "order_refunded");
    assert_eq!(t.len(), 2);
    assert_eq!(t[&format!("woo:trigger:order_refunded:{o1}:{}", id_of(&refund2))]["amount"], "0.25");
    // Switched off.
    w.set(|s| s.order_refunded = false).await;
    w.sim.state.refund_order(o1, "0.10").unwrap();
    w.sync().await.unwrap();
    assert_eq!(fired(&mut w, "order_refunded").len(), 2);
}
}

on_each_backend! {
async fn trigger_customer_created_fires_once_by_pass_or_delivery_not_for_history_not_when_off(b) {
    let mut w = world(&b, 30, 10, 5).await;
    // By the pass.
    let c1 = w.sim.state.create_customer("first.new@example.test").unwrap();
    let r = w.sync().await.unwrap();
    assert_eq!(r.triggers, 1);
    let t = fired(&mut w, "customer_created");
    let key = format!("woo:trigger:customer_created:{}", id_of(&c1));
    assert_eq!(t.keys().collect::<Vec<_>>(), [&key]);
    assert_eq!((t[&key]["subject_id"].clone(), t[&key]["contact_id"].clone()), (json!(format!("woo:customer:{}", id_of(&c1))), json!(format!("woo:customer:{}", id_of(&c1)))));
    assert_eq!(w.sync().await.unwrap().triggers, 0);
    assert_eq!(deliver(&mut w, "customer.created", &bytes(&c1)).await, "applied", "its delivery after the pass updates the contact");
    assert_eq!(fired(&mut w, "customer_created").len(), 1, "but fires nothing again");
    // By a delivery first.
    let c2 = w.sim.state.create_customer("second.new@example.test").unwrap();
    assert_eq!(deliver(&mut w, "customer.created", &bytes(&c2)).await, "applied");
    assert_eq!(deliver(&mut w, "customer.created", &bytes(&c2)).await, "duplicate");
    assert_eq!(w.sync().await.unwrap().triggers, 0, "the pass after the delivery");
    assert_eq!(fired(&mut w, "customer_created").len(), 2);
    // A customer the import knew, delivered: no trigger.
    let known = w.data().customers.iter().find(|c| c["role"] == "customer").cloned().unwrap();
    let mut edited = known.clone();
    edited["date_modified_gmt"] = json!("2030-01-01T00:00:00");
    assert_eq!(deliver(&mut w, "customer.updated", &bytes(&edited)).await, "applied");
    // Switched off.
    w.set(|s| s.customer_created = false).await;
    let c3 = w.sim.state.create_customer("third.new@example.test").unwrap();
    w.sync().await.unwrap();
    assert!(w.records("contact").contains_key(&format!("woo:customer:{}", id_of(&c3))));
    assert_eq!(fired(&mut w, "customer_created").len(), 2);
}
}

on_each_backend! {
async fn trigger_product_out_of_stock_fires_once_per_move_out_by_pass_or_delivery_not_for_history_not_when_off(b) {
    let mut w = world(&b, 5, 5, 40).await;
    let held = w.records("product");
    let simple: Vec<u64> = w.data().products.iter()
        .filter(|p| p["type"] == "simple" && p["manage_stock"] == true && p["stock_quantity"].as_i64().is_some_and(|q| q > 0) && held.contains_key(&format!("woo:product:{}", id_of(p))))
        .map(id_of).take(2).collect();
    assert_eq!(simple.len(), 2, "two imported simple products in stock");
    // By the pass; back in stock and out again fires again.
    let p = w.sim.state.update_product(simple[0], json!({"stock_quantity": 0})).unwrap();
    assert_eq!(p["stock_status"], "outofstock");
    w.sync().await.unwrap();
    let first = format!("woo:trigger:product_out_of_stock:{}:{}", simple[0], p["date_modified_gmt"].as_str().unwrap());
    assert_eq!(fired(&mut w, "product_out_of_stock").keys().collect::<Vec<_>>(), [&first]);
    assert_eq!(w.sync().await.unwrap().triggers, 0);
    w.sim.state.update_product(simple[0], json!({"stock_quantity": 4})).unwrap();
    w.sync().await.unwrap();
    let p = w.sim.state.update_product(simple[0], json!({"stock_quantity": 0})).unwrap();
    assert_eq!(deliver(&mut w, "product.updated", &bytes(&p)).await, "applied", "this time by its delivery");
    assert_eq!(w.sync().await.unwrap().triggers, 0);
    assert_eq!(fired(&mut w, "product_out_of_stock").len(), 2);
    // A variation: its delivery fires at once, the products pass does not again.
    let (parent, variation) = {
        let d = w.data();
        d.variations.iter().find(|(p, v)| held.get(&format!("woo:product:{p}")).is_some_and(|r| r["variants"].as_array().unwrap().iter().any(|x| x["id"] == format!("woo:variation:{}", v["id"]))) && v["stock_quantity"].as_i64().is_some_and(|q| q > 0)).map(|(p, v)| (*p, id_of(v))).expect("a variant in stock")
    };
    let v = w.sim.state.update_variation(parent, variation, json!({"stock_quantity": 0})).unwrap();
    assert_eq!(deliver(&mut w, "product.updated", &bytes(&v)).await, "deferred", "its product is re-read by the pass");
    let key = format!("woo:trigger:product_out_of_stock:{variation}:{}", v["date_modified_gmt"].as_str().unwrap());
    let t = fired(&mut w, "product_out_of_stock");
    assert_eq!((t[&key]["subject_id"].clone(), t[&key]["product_id"].clone()), (json!(format!("woo:variation:{variation}")), json!(format!("woo:product:{parent}"))));
    assert_eq!(w.sync().await.unwrap().triggers, 0, "the pass reads the variation out of stock already noted");
    // Switched off.
    w.set(|s| s.product_out_of_stock = false).await;
    w.sim.state.update_product(simple[1], json!({"stock_quantity": 0})).unwrap();
    w.sync().await.unwrap();
    w.set(|s| s.product_out_of_stock = true).await;
    w.sync().await.unwrap();
    assert_eq!(fired(&mut w, "product_out_of_stock").len(), 3);
}
}

/// Deliveries the simulator sends, collected on a loopback port: (headers, body).
type Received = Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>;

/// A loopback receiver answering 200 to every POST, keeping what came.
async fn receiver() -> (String, Received) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let keep = got.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = vec![];
                let mut chunk = [0u8; 8192];
                loop {
                    let Ok(n) = s.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let headers: Vec<(String, String)> = head
                        .lines()
                        .skip(1)
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                        .and_then(|(_, v)| v.parse().ok())
                        .unwrap_or(0);
                    if buf.len() < end + 4 + len {
                        continue;
                    }
                    keep.lock().unwrap().push((headers, buf[end + 4..end + 4 + len].to_vec()));
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}").await;
                    return;
                }
            });
        }
    });
    (url, got)
}

/// Wait for `n` deliveries more than `seen`, then take the new ones.
async fn take(got: &Received, seen: &mut usize, n: usize) -> Vec<(Vec<(String, String)>, Vec<u8>)> {
    for _ in 0..200 {
        if got.lock().unwrap().len() >= *seen + n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let all = got.lock().unwrap().clone();
    let new = all[*seen..].to_vec();
    *seen = all.len();
    new
}

fn topic(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("X-WC-Webhook-Topic"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

on_each_backend! {
async fn webhooks_every_topic_registered_once_each_delivery_verified_and_answered_as_its_rule_says(b) {
    let mut w = World::on(&b, 10, 20, 20).await;
    w.import(&ALL).await.unwrap();
    let (url, got) = receiver().await;
    let ids = register(&mut w, &url).await;
    assert_eq!(ids.len(), 15, "order, product, coupon × 4 events; customer × 3 (WooCommerce refuses customer.restored)");
    let topics: BTreeSet<String> = w.data().webhooks.iter().map(|h| h["topic"].as_str().unwrap().to_string()).collect();
    assert_eq!(topics.len(), 15);
    assert!(!topics.contains("customer.restored"));
    assert_eq!(register(&mut w, &url).await, ids, "registering again");
    assert_eq!(w.data().webhooks.len(), 15, "creates no duplicate");
    let mut seen = 0;
    let pings = take(&got, &mut seen, 15).await;
    assert!(pings.iter().all(|(h, body)| topic(h).is_empty() && body.starts_with(b"webhook_id=")), "15 pings");
    for (h, body) in &pings {
        assert_eq!(handle(&mut w, h, body).await, "ping");
    }
    // Each change, as the store delivers it (asynchronously: in any order
    // within one change), through the component.
    let state = w.sim.state.clone();
    let product = state.a_purchasable_product().unwrap();
    let coupon = id_of(&w.data().coupons[0]);
    let customer = id_of(&state.create_customer("events.customer@example.test").unwrap());
    let mut check = async |w: &mut World, what: &str, want: &[(&str, &[&str])]| {
        let deliveries = take(&got, &mut seen, want.len()).await;
        let mut topics = vec![];
        for (h, body) in &deliveries {
            let outcome = handle(w, h, body).await;
            let t = topic(h);
            let allowed = want.iter().find(|(wt, _)| *wt == t).map(|(_, a)| *a).unwrap_or_else(|| panic!("{what}: unexpected {t}"));
            assert!(allowed.contains(&outcome.as_str()), "{what}: {t} answered {outcome}, not one of {allowed:?}");
            topics.push(t);
        }
        topics.sort();
        let mut wanted: Vec<String> = want.iter().map(|(t, _)| t.to_string()).collect();
        wanted.sort();
        assert_eq!(topics, wanted, "{what}: the deliveries the store sent");
    };
    check(&mut w, "a customer registers", &[("customer.created", &["applied"])]).await;
    let o = id_of(&state.place_order(0, "events@example.test", false));
    check(&mut w, "an order is placed", &[("order.created", &["applied"])]).await;
    state.update_order(o, json!({"status": "on-hold"}));
    check(&mut w, "the order is put on hold", &[("order.updated", &["applied"])]).await;
    state.update_product(product, json!({"name": "Renamed for events"}));
    check(&mut w, "a product is renamed", &[("product.updated", &["applied"])]).await;
    state.update_customer(customer, json!({"last_name": "Okafor"}));
    check(&mut w, "the customer is edited", &[("customer.updated", &["applied"])]).await;
    state.trash("orders", o);
    check(&mut w, "the order is trashed", &[("order.deleted", &["ignored"])]).await;
    state.restore(o);
    check(&mut w, "the order is restored", &[("order.restored", &["applied"])]).await;
    state.trash("products", product);
    check(&mut w, "the product is trashed", &[("product.deleted", &["ignored"]), ("coupon.deleted", &["ignored"])]).await;
    state.restore(product);
    let restored: &[(&str, &[&str])] = &[
        ("product.updated", &["applied", "duplicate"]),
        ("product.restored", &["applied", "duplicate"]),
        ("coupon.restored", &["ignored"]),
    ];
    check(&mut w, "the product is restored", restored).await;
    state.trash("coupons", coupon);
    check(&mut w, "a coupon is trashed", &[("coupon.deleted", &["ignored"]), ("product.deleted", &["ignored"])]).await;
    state.restore(coupon);
    check(&mut w, "the coupon is restored", &[("coupon.restored", &["ignored"]), ("product.restored", &["ignored"])]).await;
    state.delete_customer(customer);
    check(&mut w, "the customer is deleted", &[("customer.deleted", &["ignored"])]).await;
    // Coupons created and changed through the REST API, as a shop manager would.
    let rest = common::Rest { base: w.sim.https_url.clone(), ca: Some(w.sim.ca_cert.clone()), key: w.sim.consumer_key.clone(), secret: w.sim.consumer_secret.clone() };
    let created = tokio::task::spawn_blocking(move || {
        let c = rest.call("POST", "/coupons", Some(&json!({"code": "events10", "amount": "10"})), common::Auth::Basic);
        assert_eq!(c.status, 201, "{}", c.json);
        let u = rest.call("PUT", &format!("/coupons/{}", id_of(&c.json)), Some(&json!({"amount": "12"})), common::Auth::Basic);
        assert_eq!(u.status, 200, "{}", u.json);
    });
    created.await.unwrap();
    check(&mut w, "a coupon is created and changed", &[("coupon.created", &["ignored"]), ("coupon.updated", &["ignored"])]).await;
    let customer = json!({"id": customer});
    assert!(w.records("order").contains_key(&format!("woo:order:{o}")), "nothing deleted");
    assert!(w.records("contact").contains_key(&format!("woo:customer:{}", id_of(&customer))), "nothing deleted");
    assert!(w.triggers().contains(&format!("woo:trigger:customer_created:{}", id_of(&customer))));
    assert_eq!(w.records("product")[&format!("woo:product:{product}")]["name"], "Renamed for events");
    assert!(w.triggers().contains(&format!("woo:trigger:order_submitted:{o}")));
}
}

on_each_backend! {
async fn webhook_disabled_by_the_store_is_reenabled_by_the_next_pass_with_one_notification_and_its_customers_caught_up(b) {
    let mut w = world(&b, 10, 10, 5).await;
    let disabled = {
        let mut d = w.data();
        let hook = d.webhooks.iter_mut().find(|h| h["topic"] == "customer.updated").unwrap();
        hook["status"] = json!("disabled");
        hook["id"].clone()
    };
    let (customer, _) = w.sim.state.a_registered_customer().unwrap();
    w.sim.state.update_customer(customer, json!({"first_name": "Caught"})).unwrap();
    w.sync().await.unwrap();
    let hook = w.data().webhooks.iter().find(|h| h["topic"] == "customer.updated").cloned().unwrap();
    assert_eq!((hook["id"].clone(), hook["status"].as_str()), (disabled, Some("active")));
    assert_eq!(w.records("contact")[&format!("woo:customer:{customer}")]["first_name"], "Caught");
    assert_eq!(w.records("notification").len(), 1);
    w.s.begin_call();
    let status = w.s.bindings.woo_connector_sync().call_status(&mut w.s.store).await.unwrap().unwrap();
    assert_eq!((status.webhooks_healed, status.webhooks_last_healed_topics), (1, vec!["customer.updated".to_string()]));
    w.sync().await.unwrap();
    assert_eq!(w.records("notification").len(), 1, "healthy again: nothing more");
}
}
