//! The triggers' rules that need no resource applied: what is remembered
//! of an order, when a customer is new, the trigger ids. The rules as the
//! passes and deliveries apply them are tested in `apply/trigger_tests.rs`.

use super::*;
use crate::port::memory::MemoryHost;

fn order(status: &str, modified: &str, refunds: Value) -> Value {
    json!({"id": 9, "status": status, "total": "10.00", "currency": "EUR", "customer_id": 0,
        "billing": {"email": "a@b.c"}, "date_modified_gmt": modified, "refunds": refunds})
}

#[test]
fn order_state_reads_both_layouts_and_round_trips() {
    let s = OrderState::of(&order("processing", "2025-03-01T10:00:00", json!([{"id": 12}, {"id": 11}])));
    assert_eq!(s.encode(), "p:2025-03-01T10:00:00|processing|11,12");
    assert_eq!(OrderState::parse(&s.encode()), s);
    let legacy = OrderState::parse("u:2025-03-01T10:00:00");
    assert_eq!((legacy.paid, legacy.modified.as_str()), (false, "2025-03-01T10:00:00"));
    assert_eq!((legacy.status, legacy.refunds), (None, None), "an older connector kept neither");
}

fn contacts_cursor(host: &mut MemoryHost, max_id: Option<&str>) {
    host.set(bucket::CURSORS, &since_key(Kind::Contacts), b"2025-03-01T09:00:00Z").unwrap();
    if let Some(m) = max_id {
        host.set(bucket::CURSORS, CONTACTS_MAX_ID, m.as_bytes()).unwrap();
    }
}

fn created(host: &mut MemoryHost, settings: &Settings, id: u64, delivered_before: bool) -> Vec<String> {
    let mut batch = Batch::default();
    customer_created(host, settings, &json!({"id": id, "role": "customer"}), delivered_before, &mut batch).unwrap();
    batch.triggers.iter().map(Trigger::id).collect()
}

#[test]
fn customer_created_fires_for_a_customer_newer_than_any_known_after_the_first_import_only() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    assert!(created(&mut host, &s, 8, false).is_empty(), "before the contacts' first import or pass: history");
    contacts_cursor(&mut host, Some("7"));
    assert_eq!(created(&mut host, &s, 8, false), ["woo:trigger:customer_created:8"]);
    assert!(created(&mut host, &s, 7, false).is_empty(), "known to the import");
    assert!(created(&mut host, &s, 8, true).is_empty(), "a delivery brought it first");
    let off = Settings { customer_created: false, ..Settings::default() };
    assert!(created(&mut host, &off, 8, false).is_empty(), "switched off");
    let mut empty_store = MemoryHost::default();
    contacts_cursor(&mut empty_store, None);
    assert_eq!(created(&mut empty_store, &s, 1, false), ["woo:trigger:customer_created:1"], "no customer at import");
}

#[test]
fn trigger_ids_keep_the_two_first_triggers_as_they_were() {
    assert_eq!(crate::port::trigger_id("order_submitted", "woo:order:42", ""), "woo:trigger:order_submitted:42");
    assert_eq!(crate::port::trigger_id("order_refunded", "woo:order:42", "77"), "woo:trigger:order_refunded:42:77");
    assert_eq!(crate::port::trigger_id("customer_created", "woo:customer:3", ""), "woo:trigger:customer_created:3");
}
