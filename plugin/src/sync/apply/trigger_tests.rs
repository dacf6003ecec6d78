//! The triggers' rules, one test each, through the apply functions the
//! passes and the deliveries use.

use super::*;
use crate::port::Trigger;
use crate::port::memory::MemoryHost;
use crate::sync::triggers::{Stock, is_noted_variation, variation_stock};
use serde_json::json;

fn woo_order(status: &str, modified: &str, refunds: Value) -> Value {
    json!({"id": 9, "status": status, "total": "10.00", "currency": "EUR", "customer_id": 0,
        "billing": {"email": "a@b.c"}, "date_modified_gmt": modified, "refunds": refunds})
}

/// Apply one version of an order as a pass or a delivery does; the ids of
/// the triggers that version fired.
fn see(host: &mut MemoryHost, settings: &Settings, o: &Value) -> Vec<String> {
    let mut batch = Batch::default();
    super::order(host, settings, o, &mut batch).unwrap();
    let fired = batch.triggers.iter().map(Trigger::id).collect();
    host.commit(batch).unwrap();
    fired
}

#[test]
fn order_status_changed_fires_once_per_change_never_on_first_sight_nor_for_the_same_version() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    let first = see(&mut host, &s, &woo_order("pending", "2025-03-01T09:00:00", json!([])));
    assert_eq!(first, ["woo:trigger:order_submitted:9"], "first sight: submitted, no status change");
    assert!(see(&mut host, &s, &woo_order("pending", "2025-03-01T09:00:00", json!([]))).is_empty(), "re-read");
    let changed = see(&mut host, &s, &woo_order("on-hold", "2025-03-01T10:00:00", json!([])));
    assert_eq!(changed, ["woo:trigger:order_status_changed:9:pending:on-hold:2025-03-01T10:00:00"]);
    assert!(see(&mut host, &s, &woo_order("on-hold", "2025-03-01T10:00:00", json!([]))).is_empty(), "redelivered");
    assert!(see(&mut host, &s, &woo_order("pending", "2025-03-01T09:30:00", json!([]))).is_empty(), "an older version");
    assert!(see(&mut host, &s, &woo_order("on-hold", "2025-03-01T10:30:00", json!([]))).is_empty(), "same status");
    let back = see(&mut host, &s, &woo_order("pending", "2025-03-01T11:00:00", json!([])));
    assert_eq!(back, ["woo:trigger:order_status_changed:9:on-hold:pending:2025-03-01T11:00:00"], "back fires too");
    let t = &host.triggers["woo:trigger:order_status_changed:9:pending:on-hold:2025-03-01T10:00:00"];
    assert_eq!((t.subject_id.as_str(), &t.data), ("woo:order:9", &json!({"from": "pending", "to": "on-hold"})));
    assert_eq!(t.contact_id.as_deref(), Some("woo:guest:a@b.c"));
}

#[test]
fn order_status_changed_is_not_fired_for_an_order_an_older_connector_remembered() {
    let mut host = MemoryHost::default();
    host.set(bucket::ORDERS, "9", b"u:2025-03-01T09:00:00").unwrap();
    let s = Settings::default();
    assert!(see(&mut host, &s, &woo_order("on-hold", "2025-03-01T10:00:00", json!([{"id": 5}]))).is_empty());
    let next = see(&mut host, &s, &woo_order("cancelled", "2025-03-01T11:00:00", json!([{"id": 5}])));
    assert_eq!(next, ["woo:trigger:order_status_changed:9:on-hold:cancelled:2025-03-01T11:00:00"]);
}

#[test]
fn order_refunded_fires_once_per_new_refund_of_an_order_held_with_its_amount_as_a_decimal_string() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    let with = |refunds: Value, modified: &str| woo_order("on-hold", modified, refunds);
    see(&mut host, &s, &with(json!([{"id": 30, "total": "-1.00"}]), "2025-03-01T09:00:00"));
    assert!(host.triggers.keys().all(|k| !k.contains("order_refunded")), "a refund it had when first seen");
    let fired = see(
        &mut host,
        &s,
        &with(
            json!([{"id": 31, "total": "-2.5", "reason": "Dented"}, {"id": 30, "total": "-1.00"}]),
            "2025-03-01T10:00:00",
        ),
    );
    assert_eq!(fired, ["woo:trigger:order_refunded:9:31"]);
    assert_eq!(
        host.triggers["woo:trigger:order_refunded:9:31"].data,
        json!({"refund_id": "woo:refund:31", "amount": "2.50", "currency": "EUR", "reason": "Dented"})
    );
    let again = see(&mut host, &s, &with(json!([{"id": 31, "total": "-2.5"}, {"id": 30}]), "2025-03-01T10:00:05"));
    assert!(again.is_empty(), "a refund already seen: {again:?}");
}

#[test]
fn order_triggers_switched_off_fire_nothing_and_the_change_is_not_fired_later() {
    let mut host = MemoryHost::default();
    let off = Settings { order_status_changed: false, order_refunded: false, ..Settings::default() };
    see(&mut host, &off, &woo_order("pending", "2025-03-01T09:00:00", json!([])));
    let fired =
        see(&mut host, &off, &woo_order("on-hold", "2025-03-01T10:00:00", json!([{"id": 40, "total": "-1.00"}])));
    assert!(fired.is_empty(), "{fired:?}");
    // Switched on again: the next version fires only what it changes.
    let on = Settings::default();
    let fired =
        see(&mut host, &on, &woo_order("on-hold", "2025-03-01T11:00:00", json!([{"id": 40, "total": "-1.00"}])));
    assert!(fired.is_empty(), "{fired:?}");
}

fn woo_product(stock_status: &str, qty: Option<i64>, modified: &str) -> Value {
    json!({"id": 20, "type": "simple", "status": "publish", "price": "5.00", "sku": "MUG",
        "manage_stock": qty.is_some(), "stock_quantity": qty, "stock_status": stock_status, "date_modified_gmt": modified})
}

/// Apply a product version as a pass does; the ids of the triggers fired.
fn see_product(host: &mut MemoryHost, settings: &Settings, p: &Value, variations: &[Value]) -> Vec<String> {
    let mut batch = Batch::default();
    changed_product(host, settings, p, variations, &mut batch).unwrap();
    let fired = batch.triggers.iter().map(Trigger::id).collect();
    host.commit(batch).unwrap();
    fired
}

#[test]
fn product_out_of_stock_fires_once_per_move_into_out_of_stock_never_for_history_or_a_reread() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    let mut batch = Batch::default();
    super::product(
        &mut host,
        &woo_product("instock", Some(3), "2025-03-01T09:00:00"),
        &[],
        false,
        true,
        Stock::Note,
        &mut batch,
    )
    .unwrap()
    .unwrap();
    assert!(batch.triggers.is_empty());
    host.commit(batch).unwrap();
    let out = see_product(&mut host, &s, &woo_product("outofstock", Some(0), "2025-03-01T10:00:00"), &[]);
    assert_eq!(out, ["woo:trigger:product_out_of_stock:20:2025-03-01T10:00:00"]);
    let t = &host.triggers[&out[0]];
    assert_eq!(t.subject_id, "woo:product:20");
    assert_eq!(
        t.data,
        json!({"product_id": "woo:product:20", "sku": "MUG", "stock_quantity": 0, "stock_status": "outofstock"})
    );
    assert!(see_product(&mut host, &s, &woo_product("outofstock", Some(0), "2025-03-01T10:00:00"), &[]).is_empty());
    assert!(
        see_product(&mut host, &s, &woo_product("onbackorder", Some(-1), "2025-03-01T10:30:00"), &[]).is_empty(),
        "still none"
    );
    assert!(see_product(&mut host, &s, &woo_product("instock", Some(5), "2025-03-01T11:00:00"), &[]).is_empty());
    let again = see_product(&mut host, &s, &woo_product("outofstock", None, "2025-03-01T12:00:00"), &[]);
    assert_eq!(again, ["woo:trigger:product_out_of_stock:20:2025-03-01T12:00:00"], "back in stock and out again");
}

#[test]
fn product_out_of_stock_for_a_variant_and_not_for_a_product_first_seen_out_of_stock() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    let parent = |modified: &str| json!({"id": 30, "type": "variable", "status": "publish", "variations": [31, 32], "stock_status": "instock", "date_modified_gmt": modified});
    let v = |id: u64, qty: i64, modified: &str| json!({"id": id, "parent_id": 30, "price": "4.00", "sku": format!("TEE-{id}"), "stock_quantity": qty, "stock_status": if qty > 0 { "instock" } else { "outofstock" }, "date_modified_gmt": modified});
    assert!(
        see_product(
            &mut host,
            &s,
            &parent("2025-03-01T09:00:00"),
            &[v(31, 0, "2025-03-01T09:00:00"), v(32, 2, "2025-03-01T09:00:00")]
        )
        .is_empty(),
        "first seen: noted only"
    );
    let fired = see_product(
        &mut host,
        &s,
        &parent("2025-03-01T10:00:00"),
        &[v(31, 0, "2025-03-01T09:00:00"), v(32, 0, "2025-03-01T10:00:00")],
    );
    assert_eq!(fired, ["woo:trigger:product_out_of_stock:32:2025-03-01T10:00:00"]);
    let t = &host.triggers[&fired[0]];
    assert_eq!((t.subject_id.as_str(), t.data["product_id"].as_str()), ("woo:variation:32", Some("woo:product:30")));
    // A delivery of the variation, as WooCommerce sends it: noted, compared.
    let mut batch = Batch::default();
    assert!(is_noted_variation(&mut host, 32).unwrap());
    variation_stock(&mut host, &v(32, 0, "2025-03-01T10:00:00"), true, &mut batch).unwrap();
    assert!(batch.triggers.is_empty(), "the version the pass saw");
    variation_stock(&mut host, &v(32, 3, "2025-03-01T09:30:00"), true, &mut batch).unwrap();
    assert!(batch.is_empty(), "an older version changes nothing");
}

#[test]
fn product_out_of_stock_switched_off_notes_the_stock_and_fires_nothing_later_for_it() {
    let mut host = MemoryHost::default();
    let off = Settings { product_out_of_stock: false, ..Settings::default() };
    see_product(&mut host, &off, &woo_product("instock", Some(2), "2025-03-01T09:00:00"), &[]);
    assert!(see_product(&mut host, &off, &woo_product("outofstock", Some(0), "2025-03-01T10:00:00"), &[]).is_empty());
    let on = Settings::default();
    assert!(see_product(&mut host, &on, &woo_product("outofstock", Some(0), "2025-03-01T11:00:00"), &[]).is_empty());
    let no_products = Settings { products: false, ..Settings::default() };
    see_product(&mut host, &on, &woo_product("instock", Some(2), "2025-03-01T12:00:00"), &[]);
    assert!(
        see_product(&mut host, &no_products, &woo_product("outofstock", Some(0), "2025-03-01T13:00:00"), &[])
            .is_empty(),
        "product sync off"
    );
}
