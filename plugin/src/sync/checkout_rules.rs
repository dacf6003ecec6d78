//! The checkout rules on the fake transport: what is imported, when
//! `checkout_abandoned` fires (once, never for history, never for a
//! checkout that became an order or changed since), and what it costs.

use super::Report;
use super::checkouts::*;
use super::settings::Settings;
use crate::client::Client;
use crate::client::fake::{FakeTransport, json, query};
use crate::client::{Credentials, HttpRequest, SignatureMethod, StoreUrl};
use crate::port::memory::MemoryHost;
use crate::port::{Batch, Host, bucket};
use crate::sync::apply;
use serde_json::{Value, json as j};
use std::cell::RefCell;
use std::rc::Rc;

/// A store's orders behind a fake transport that lists them as WooCommerce
/// 11 does: drafts only with `status=checkout-draft`, never in the default
/// list. Every request is logged.
fn store(orders: Rc<RefCell<Vec<Value>>>, log: Rc<RefCell<Vec<String>>>) -> Client<FakeTransport> {
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(move |r: &HttpRequest| {
        log.borrow_mut().push(r.path_and_query.clone());
        let q = query(r);
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let drafts = get("status").as_deref() == Some("checkout-draft");
        let include: Option<Vec<u64>> = get("include").map(|s| s.split(',').filter_map(|i| i.parse().ok()).collect());
        let found: Vec<Value> = orders
            .borrow()
            .iter()
            .filter(|o| (o["status"] == "checkout-draft") == drafts && o["status"] != "trash")
            .filter(|o| include.as_ref().is_none_or(|ids| ids.contains(&o["id"].as_u64().unwrap())))
            .cloned()
            .collect();
        let n = found.len().to_string();
        json(200, &Value::from(found).to_string(), &[("X-WP-Total", &n), ("X-WP-TotalPages", "1")])
    }));
    let creds = Credentials {
        consumer_key: "ck_a".into(),
        consumer_secret: "cs_b".into(),
        signature_method: SignatureMethod::HmacSha256,
    };
    Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t)
}

/// A checkout draft as the block checkout saves one.
fn draft(id: u64, email: &str, modified: &str) -> Value {
    j!({"id": id, "number": id.to_string(), "status": "checkout-draft", "currency": "EUR", "total": "24.90",
        "total_tax": "0.00", "customer_id": 0, "created_via": "store-api",
        "billing": {"first_name": "", "last_name": "", "email": email},
        "date_created_gmt": "2025-03-01T07:30:00", "date_modified_gmt": modified,
        "line_items": [{"id": 1, "product_id": 31, "variation_id": 0, "sku": "MUG", "name": "Mug", "quantity": 2,
            "price": 12.45, "subtotal": "24.90", "total": "24.90"}],
        "refunds": []})
}

fn apply_drafts(host: &mut MemoryHost, settings: &Settings, drafts: &[Value], history: bool) {
    let mut batch = Batch::default();
    for d in drafts {
        assert!(draft_applied(host, settings, d, history, &mut batch));
    }
    host.commit(batch).unwrap();
}

fn draft_applied(host: &mut MemoryHost, s: &Settings, d: &Value, history: bool, batch: &mut Batch) -> bool {
    super::checkouts::draft(host, s, d, history, batch).unwrap()
}

fn checkout(host: &MemoryHost, id: u64) -> Value {
    host.records[&("checkout".to_string(), format!("woo:checkout:{id}"))].clone()
}

fn due(host: &mut MemoryHost, orders: &Rc<RefCell<Vec<Value>>>, s: &Settings) -> Vec<String> {
    let log = Rc::new(RefCell::new(vec![]));
    let mut c = store(orders.clone(), log.clone());
    abandon_due(&mut c, host, s, &mut Report::default()).unwrap();
    log.take()
}

// MemoryHost's now is 2025-03-01T09:00:00Z.

#[test]
fn rule_checkout_imported_as_history_past_its_time_is_abandoned_without_firing_and_a_younger_one_is_open() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    apply_drafts(
        &mut host,
        &s,
        &[draft(40, "Old@Example.com", "2025-03-01T07:00:00"), draft(41, "new@example.com", "2025-03-01T08:30:00")],
        true,
    );
    assert_eq!(checkout(&host, 40)["status"], "abandoned");
    assert_eq!(checkout(&host, 40)["email"], "old@example.com");
    assert_eq!(checkout(&host, 41)["status"], "open");
    assert!(host.triggers.is_empty(), "history fires nothing");
    assert_eq!(host.keys(bucket::CHECKOUTS_OPEN).unwrap(), ["41"], "only the open one is checked by passes");
    assert!(!host.records.keys().any(|(k, _)| k == "order" || k == "contact"), "never an order, never a contact");
}

#[test]
fn rule_checkout_abandoned_fires_once_for_a_draft_still_unchanged_past_its_time() {
    let mut host = MemoryHost::default();
    host.set(bucket::EMAILS, "ana@example.com", b"woo:customer:7").unwrap();
    let s = Settings::default();
    let orders = Rc::new(RefCell::new(vec![draft(50, "ana@example.com", "2025-03-01T07:59:00")]));
    apply_drafts(&mut host, &s, &orders.borrow(), false);
    assert_eq!(checkout(&host, 50)["status"], "open", "a pass fires only after asking the store");
    assert_eq!(checkout(&host, 50)["contact_id"], "woo:customer:7", "linked by e-mail");
    let requests = due(&mut host, &orders, &s);
    assert_eq!(requests.len(), 1, "one request per 100 due: {requests:?}");
    assert!(requests[0].contains("status=checkout-draft") && requests[0].contains("include=50"), "{requests:?}");
    let t = &host.triggers["woo:trigger:checkout_abandoned:50"];
    assert_eq!(t.subject_id, "woo:checkout:50");
    assert_eq!(t.contact_id.as_deref(), Some("woo:customer:7"));
    assert_eq!((t.data["total"].as_str(), t.data["email"].as_str()), (Some("24.90"), Some("ana@example.com")));
    assert_eq!(t.data["minutes"], 60);
    assert_eq!(checkout(&host, 50)["status"], "abandoned");
    assert!(host.keys(bucket::CHECKOUTS_OPEN).unwrap().is_empty());
    assert!(due(&mut host, &orders, &s).is_empty(), "nothing open: no request");
    assert_eq!(host.triggers.len(), 1, "once");
    // Seen again by a pass, changed: its cart is updated, it stays abandoned.
    let mut batch = Batch::default();
    assert!(draft_applied(&mut host, &s, &draft(50, "ana@example.com", "2025-03-01T08:59:00"), false, &mut batch));
    host.commit(batch).unwrap();
    assert_eq!(checkout(&host, 50)["status"], "abandoned");
    assert!(due(&mut host, &orders, &s).is_empty() && host.triggers.len() == 1);
}

#[test]
fn rule_checkout_not_yet_past_its_time_or_changed_since_fires_nothing() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    let orders = Rc::new(RefCell::new(vec![draft(60, "b@example.com", "2025-03-01T08:01:00")]));
    apply_drafts(&mut host, &s, &orders.borrow(), false);
    assert!(due(&mut host, &orders, &s).is_empty(), "59 minutes: not due, no request");
    // Noted at 07:50, but the shopper came back at 08:30.
    let mut host = MemoryHost::default();
    apply_drafts(&mut host, &s, &[draft(60, "b@example.com", "2025-03-01T07:50:00")], false);
    orders.borrow_mut()[0]["date_modified_gmt"] = j!("2025-03-01T08:30:00");
    assert_eq!(due(&mut host, &orders, &s).len(), 1);
    assert!(host.triggers.is_empty());
    assert_eq!(host.text(bucket::CHECKOUTS_OPEN, "60").unwrap().as_deref(), Some("2025-03-01T08:30:00"));
    let off = Settings { checkout_abandoned_after_minutes: 0, ..Settings::default() };
    assert!(due(&mut host, &orders, &off).is_empty(), "0 = never: no request");
    let short = Settings { checkout_abandoned_after_minutes: 15, ..Settings::default() };
    assert_eq!(due(&mut host, &orders, &short).len(), 1);
    assert_eq!(host.triggers.keys().collect::<Vec<_>>(), ["woo:trigger:checkout_abandoned:60"], "30 minutes > 15");
}

#[test]
fn rule_checkout_that_became_an_order_is_converted_and_never_abandoned() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    apply_drafts(
        &mut host,
        &s,
        &[draft(70, "c@example.com", "2025-03-01T07:00:00"), draft(71, "d@example.com", "2025-03-01T07:00:00")],
        false,
    );
    // 70 became an order the passes have not seen; 71 was deleted.
    let mut order = draft(70, "c@example.com", "2025-03-01T08:45:00");
    order["status"] = j!("processing");
    let orders = Rc::new(RefCell::new(vec![order]));
    let requests = due(&mut host, &orders, &s);
    assert_eq!(requests.len(), 2, "the drafts, then the orders among the missing: {requests:?}");
    assert!(!requests[1].contains("status=") && requests[1].contains("include=70%2C71"), "{requests:?}");
    assert!(host.triggers.is_empty(), "an order, or gone: not abandoned");
    let c = checkout(&host, 70);
    assert_eq!((c["status"].as_str(), c["order_id"].as_str()), (Some("converted"), Some("woo:order:70")));
    assert_eq!(checkout(&host, 71)["status"], "open", "deleted: the record is left as it was");
    assert_eq!(held(&mut host, 71).unwrap().unwrap().state, State::Closed);
    assert!(host.keys(bucket::CHECKOUTS_OPEN).unwrap().is_empty());
}

#[test]
fn rule_an_order_applied_that_was_a_checkout_marks_it_converted_and_fires_order_submitted() {
    let mut host = MemoryHost::default();
    let s = Settings::default();
    apply_drafts(&mut host, &s, &[draft(80, "e@example.com", "2025-03-01T08:50:00")], false);
    let mut order = draft(80, "e@example.com", "2025-03-01T08:55:00");
    order["status"] = j!("pending");
    let mut batch = Batch::default();
    assert!(apply::order(&mut host, &s, &order, &mut batch).unwrap());
    host.commit(batch).unwrap();
    assert_eq!(checkout(&host, 80)["status"], "converted");
    assert_eq!(checkout(&host, 80)["contact_id"], "woo:guest:e@example.com", "the order's buyer");
    assert!(host.triggers.contains_key("woo:trigger:order_submitted:80"));
    // A late page with the draft changes nothing; the open key goes at the next check, unasked.
    let mut batch = Batch::default();
    assert!(!draft_applied(&mut host, &s, &draft(80, "e@example.com", "2025-03-01T08:50:00"), false, &mut batch));
    assert!(due(&mut host, &Rc::new(RefCell::new(vec![])), &s).is_empty());
    assert!(host.keys(bucket::CHECKOUTS_OPEN).unwrap().is_empty());
    // With every order switch off, a converted checkout is still marked.
    let only = Settings {
        orders: false,
        transactions: false,
        order_submitted: false,
        payment_received: false,
        ..Settings::default()
    };
    apply_drafts(&mut host, &only, &[draft(81, "f@example.com", "2025-03-01T08:50:00")], false);
    let mut order = draft(81, "f@example.com", "2025-03-01T08:56:00");
    order["status"] = j!("on-hold");
    let mut batch = Batch::default();
    assert!(apply::order(&mut host, &only, &order, &mut batch).unwrap());
    host.commit(batch).unwrap();
    assert_eq!(checkout(&host, 81)["status"], "converted");
    assert!(!host.records.contains_key(&("order".to_string(), "woo:order:81".to_string())));
}

#[test]
fn rule_a_checkout_links_to_a_known_contact_and_never_makes_one() {
    let mut host = MemoryHost::default();
    host.set(bucket::EMAILS, "#woo:customer:9", b"woo:customer:9").unwrap();
    let mut registered = draft(90, "", "2025-03-01T08:50:00");
    registered["customer_id"] = j!(9);
    assert_eq!(known_contact(&mut host, &registered).unwrap().as_deref(), Some("woo:customer:9"));
    assert_eq!(known_contact(&mut host, &draft(91, "new@example.com", "2025-03-01T08:50:00")).unwrap(), None);
    apply_drafts(&mut host, &Settings::default(), &[draft(91, "new@example.com", "2025-03-01T08:50:00")], false);
    assert_eq!(checkout(&host, 91)["contact_id"], Value::Null);
    assert!(host.text(bucket::EMAILS, "new@example.com").unwrap().is_none());
}
