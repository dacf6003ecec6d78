//! The sweep's rules on the fake transport: its cost, what it re-reads, and
//! when it runs.

use super::*;
use crate::client::fake::{FakeTransport, json, query};
use crate::client::{Credentials, HttpRequest, SignatureMethod, StoreUrl};
use crate::port::memory::MemoryHost;
use serde_json::{Value, json as j};
use std::cell::RefCell;
use std::rc::Rc;

/// A store of customers 1..=n, all modified at 08:00, behind a fake transport.
fn store(customers: Rc<RefCell<Vec<Value>>>) -> Client<FakeTransport> {
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(move |r: &HttpRequest| {
        let q = query(r);
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("role").as_deref(), Some("all"), "every role, as the import reads");
        let all = customers.borrow();
        if let Some(ids) = get("include") {
            let ids: Vec<u64> = ids.split(',').map(|i| i.parse().unwrap()).collect();
            let found: Vec<&Value> = all.iter().filter(|c| ids.contains(&c["id"].as_u64().unwrap())).collect();
            return json(200, &Value::from(found.into_iter().cloned().collect::<Vec<_>>()).to_string(), &[]);
        }
        assert_eq!(get("_fields").as_deref(), Some("id,date_modified_gmt"));
        let page: usize = get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let items: Vec<Value> = all
            .iter()
            .skip((page - 1) * 100)
            .take(100)
            .map(|c| j!({"id": c["id"], "date_modified_gmt": c["date_modified_gmt"]}))
            .collect();
        let pages = all.len().div_ceil(100).to_string();
        json(
            200,
            &Value::from(items).to_string(),
            &[("X-WP-Total", &all.len().to_string()), ("X-WP-TotalPages", &pages)],
        )
    }));
    let creds = Credentials {
        consumer_key: "ck_a".into(),
        consumer_secret: "cs_b".into(),
        signature_method: SignatureMethod::HmacSha256,
    };
    Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t)
}

fn customer(id: u64, modified: &str) -> Value {
    j!({"id": id, "role": "customer", "email": format!("c{id}@example.com"), "first_name": format!("C{id}"),
        "date_modified_gmt": modified})
}

/// 250 customers, all applied (as the import leaves them), the last sweep
/// 61 minutes before MemoryHost's now (2025-03-01T09:00:00Z).
fn imported(n: u64) -> (Rc<RefCell<Vec<Value>>>, MemoryHost) {
    let customers: Vec<Value> = (1..=n).map(|id| customer(id, "2025-03-01T08:00:00")).collect();
    let mut host = MemoryHost::default();
    let mut batch = Batch::default();
    for c in &customers {
        apply::customer(c, &mut batch).unwrap();
    }
    host.commit(batch).unwrap();
    host.set(bucket::CURSORS, CONTACTS_MAX_ID, n.to_string().as_bytes()).unwrap();
    host.set(bucket::CURSORS, LAST_SWEEP_KEY, b"2025-03-01T07:59:00Z").unwrap();
    (Rc::new(RefCell::new(customers)), host)
}

#[test]
fn reconcile_sweep_costs_ceil_n_over_100_list_requests_when_nothing_changed() {
    let (store_customers, mut host) = imported(250);
    let mut c = store(store_customers);
    let mut report = Report::default();
    assert!(customers(&mut c, &mut host, &Settings::default(), &mut report, 4, false).unwrap());
    assert_eq!(c.transport.sent.len(), 3, "ceil(250/100) list requests, no re-read");
    assert!(report.kinds.iter().all(|k| k.records == 0), "{report:?}");
    assert_eq!(host.text(bucket::CURSORS, LAST_SWEEP_KEY).unwrap().as_deref(), Some("2025-03-01T09:00:00Z"));
}

#[test]
fn reconcile_sweep_rereads_only_the_changed_customers_by_include_and_applies_them() {
    let (store_customers, mut host) = imported(250);
    store_customers.borrow_mut()[41]["first_name"] = j!("Edited");
    store_customers.borrow_mut()[41]["date_modified_gmt"] = j!("2025-03-01T08:30:00");
    store_customers.borrow_mut()[199]["date_modified_gmt"] = j!("2025-03-01T08:31:00");
    host.kv.remove(&(bucket::CUSTOMERS.to_string(), "7".to_string()));
    // A user WooCommerce never saved (no date) is not re-read again and again.
    store_customers.borrow_mut()[0]["date_modified_gmt"] = Value::Null;
    host.set(bucket::CUSTOMERS, "1", b"").unwrap();
    let mut c = store(store_customers);
    let mut report = Report::default();
    assert!(customers(&mut c, &mut host, &Settings::default(), &mut report, 1, false).unwrap());
    assert_eq!(c.transport.sent.len(), 4, "3 list requests + 1 re-read");
    let reread = query(&c.transport.sent[3]);
    let include = reread.iter().find(|(k, _)| k == "include").map(|(_, v)| v.as_str());
    assert_eq!(include, Some("7,42,200"), "the changed and the never-versioned only");
    assert!(reread.contains(&("per_page".to_string(), "100".to_string())));
    assert_eq!(report.entry(Kind::Contacts).records, 3);
    let rec = &host.records[&("contact".to_string(), "woo:customer:42".to_string())];
    assert_eq!(rec["first_name"], "Edited", "{rec}");
    assert_eq!(host.text(bucket::CUSTOMERS, "42").unwrap().as_deref(), Some("2025-03-01T08:30:00"));
    // The next sweep finds nothing to re-read.
    host.set(bucket::CURSORS, LAST_SWEEP_KEY, b"2025-03-01T07:00:00Z").unwrap();
    let sent = c.transport.sent.len();
    customers_sweep(&mut c, &mut host, false);
    assert_eq!(c.transport.sent.len() - sent, 3);
}

fn customers_sweep(c: &mut Client<FakeTransport>, host: &mut MemoryHost, force: bool) -> bool {
    customers(c, host, &Settings::default(), &mut Report::default(), 4, force).unwrap()
}

#[test]
fn reconcile_sweep_rereads_over_100_changed_customers_100_at_a_time() {
    let (store_customers, mut host) = imported(250);
    for c in store_customers.borrow_mut().iter_mut() {
        c["date_modified_gmt"] = j!("2025-03-01T08:45:00");
    }
    let mut c = store(store_customers);
    assert!(customers_sweep(&mut c, &mut host, false));
    assert_eq!(c.transport.sent.len(), 3 + 3, "ceil(250/100) lists + ceil(250/100) re-reads");
}

#[test]
fn reconcile_sweep_not_due_sends_no_request_and_0_means_never() {
    let (store_customers, mut host) = imported(250);
    let mut c = store(store_customers);
    host.set(bucket::CURSORS, LAST_SWEEP_KEY, b"2025-03-01T08:01:00Z").unwrap();
    assert!(!customers_sweep(&mut c, &mut host, false), "59 minutes ago: not due");
    assert!(c.transport.sent.is_empty());
    let never = Settings { reconcile_every_minutes: 0, ..Settings::default() };
    host.set(bucket::CURSORS, LAST_SWEEP_KEY, b"2024-01-01T00:00:00Z").unwrap();
    assert!(!customers(&mut c, &mut host, &never, &mut Report::default(), 4, false).unwrap(), "0 = never");
    assert!(c.transport.sent.is_empty());
    assert!(
        customers(&mut c, &mut host, &never, &mut Report::default(), 4, true).unwrap(),
        "a healed webhook forces it"
    );
    assert_eq!(c.transport.sent.len(), 3);
}

#[test]
fn reconcile_sweep_without_a_recorded_sweep_starts_the_clock_and_sends_nothing() {
    let (store_customers, mut host) = imported(5);
    host.kv.remove(&(bucket::CURSORS.to_string(), LAST_SWEEP_KEY.to_string()));
    let mut c = store(store_customers);
    assert!(!customers_sweep(&mut c, &mut host, false));
    assert!(c.transport.sent.is_empty());
    assert_eq!(host.text(bucket::CURSORS, LAST_SWEEP_KEY).unwrap().as_deref(), Some("2025-03-01T09:00:00Z"));
}
