//! The first import, against a scripted store.

use super::*;
use crate::client::fake::{FakeTransport, json};
use crate::client::{Credentials, HttpRequest, SignatureMethod, StoreUrl};
use crate::port::memory::MemoryHost;

/// A client of https://shop.example.com over `t`.
fn client_of(t: FakeTransport) -> Client<FakeTransport> {
    let creds = Credentials {
        consumer_key: "ck_a".into(),
        consumer_secret: "cs_b".into(),
        signature_method: SignatureMethod::HmacSha256,
    };
    Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t)
}

fn store() -> Client<FakeTransport> {
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(|r: &HttpRequest| {
        let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3");
        let page: u32 = r
            .path_and_query
            .split("&page=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let (body, total) = match (path, page) {
            ("/products", 1) => (
                r#"[{"id":10,"type":"simple","status":"publish","price":"5","name":"Mug","categories":[{"id":3}]},{"id":11,"type":"grouped","status":"publish","price":"5","categories":[{"id":4}]}]"#,
                2,
            ),
            ("/products/categories", 1) => (
                r#"[{"id":3,"name":"Mugs","slug":"mugs","parent":0},{"id":4,"name":"Sets","slug":"sets","parent":0}]"#,
                2,
            ),
            ("/customers", 1) => (
                r#"[{"id":7,"role":"customer","email":"Ann@Example.com","first_name":"Ann","billing":{}},{"id":1,"role":"administrator","email":"admin@example.com"}]"#,
                2,
            ),
            ("/orders", 1) => (
                r#"[{"id":100,"status":"processing","customer_id":0,"total":"5.00","currency":"USD","billing":{"email":"ann@example.com"},"line_items":[],"refunds":[]},{"id":101,"status":"completed","customer_id":0,"total":"9.00","currency":"USD","billing":{"email":"guest@example.com","first_name":"G"},"line_items":[],"refunds":[{"id":102,"total":"-1.00"}]},{"id":103,"status":"on-hold","customer_id":0,"total":"2.00","currency":"USD","billing":{"email":"Guest@example.com"},"line_items":[],"refunds":[]}]"#,
                3,
            ),
            ("/orders/101/refunds", 1) => {
                (r#"[{"id":102,"amount":"1.00","reason":"","date_created_gmt":"2025-03-02T00:00:00"}]"#, 1)
            }
            _ => ("[]", 0),
        };
        let total = total.to_string();
        let pages = if total == "0" { "0" } else { "1" };
        json(200, body, &[("X-WP-Total", &total), ("X-WP-TotalPages", pages)])
    }));
    client_of(t)
}

#[test]
fn variations_come_a_page_at_a_time_however_dense_the_products_page() {
    let mut host = MemoryHost::default();
    let info = br#"{"state":"connected","store_url":"https://shop.example.com","woocommerce_version":"11.0.1","auth_method":"basic"}"#;
    host.set(bucket::CONNECTION, "info", info).unwrap();
    let mut c = store();
    // One page of 40 variable products with 4 variations each: 160 variations.
    c.transport.router = Some(Box::new(|r: &HttpRequest| {
        let (path, query) = r.path_and_query.split_once('?').unwrap_or((&r.path_and_query, ""));
        let path = path.trim_start_matches("/wp-json/wc/v3");
        let param =
            |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or("").to_string();
        let (body, total) = match path {
            "/products" if param("page") == "1" => {
                let items: Vec<String> = (0..40u64)
                    .map(|i| format!(r#"{{"id":{},"type":"variable","status":"publish","name":"P{i}","price":"5","categories":[],"variations":[{}]}}"#, 100 + i, (0..4).map(|v| (1000 + i * 10 + v).to_string()).collect::<Vec<_>>().join(",")))
                    .collect();
                (format!("[{}]", items.join(",")), 40)
            }
            "/variations" => {
                let parents: Vec<u64> =
                    param("parent").split("%2C").flat_map(|p| p.split(',')).filter_map(|p| p.parse().ok()).collect();
                let items: Vec<String> = parents
                    .iter()
                    .flat_map(|p| {
                        (0..4).map(move |v| {
                            format!(
                                r#"{{"id":{},"parent_id":{p},"price":"5","attributes":[]}}"#,
                                1000 + (p - 100) * 10 + v
                            )
                        })
                    })
                    .collect();
                let n = items.len();
                (format!("[{}]", items.join(",")), n)
            }
            _ => ("[]".to_string(), 0),
        };
        let pages = total.div_ceil(100).to_string();
        json(200, &body, &[("X-WP-Total", &total.to_string()), ("X-WP-TotalPages", &pages)])
    }));
    run(&mut c, &mut host, &[Kind::Products], 4).unwrap();
    let asked: Vec<usize> = c
        .transport
        .sent
        .iter()
        .filter(|r| r.path_and_query.starts_with("/wp-json/wc/v3/variations"))
        .map(|r| {
            r.path_and_query
                .split("parent=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .split("%2C")
                .flat_map(|p| p.split(','))
                .count()
        })
        .collect();
    assert_eq!(asked, [25, 15], "parents with at most 100 variations between them, one request each");
    let products: Vec<&Value> = host.records.iter().filter(|((k, _), _)| k == "product").map(|(_, v)| v).collect();
    assert_eq!(products.len(), 40);
    assert!(products.iter().all(|p| p["variants"].as_array().is_some_and(|v| v.len() == 4)));
}

#[test]
fn import_applies_rules_and_links_guests_to_existing_contacts() {
    let mut host = MemoryHost::default();
    let mut c = store();
    let report = run(&mut c, &mut host, &Kind::ALL, 4).unwrap();
    let ids: Vec<String> = host.records.keys().map(|(_, id)| id.clone()).collect();
    assert!(ids.contains(&"woo:product:10".to_string()));
    assert!(!ids.contains(&"woo:product:11".to_string()), "grouped products are not imported");
    assert!(ids.contains(&"woo:category:3".to_string()));
    assert!(!ids.contains(&"woo:category:4".to_string()), "category linked to no imported product");
    assert!(ids.contains(&"woo:customer:7".to_string()));
    assert!(!ids.contains(&"woo:customer:1".to_string()), "administrators are not contacts");
    let order100 = &host.records[&("order".to_string(), "woo:order:100".to_string())];
    assert_eq!(order100["contact_id"], "woo:customer:7", "guest email matching a contact links to it");
    let guests: Vec<&String> = ids.iter().filter(|i| i.starts_with("woo:guest:")).collect();
    assert_eq!(guests, [&"woo:guest:guest@example.com".to_string()], "one guest contact per email");
    assert!(ids.contains(&"woo:payment:101".to_string()));
    assert!(ids.contains(&"woo:refund:102".to_string()));
    assert!(!ids.contains(&"woo:payment:103".to_string()), "unpaid order has no payment");
    assert!(host.triggers.is_empty(), "historical orders fire no trigger");
    assert_eq!(report.kinds.iter().find(|k| k.kind == Kind::Orders).unwrap().records, 3);
}

/// A store of one page of 100 orders: buyers registered and guests, some
/// e-mails seen twice.
fn store_of_100_orders() -> Client<FakeTransport> {
    let orders: Vec<Value> = (1..=100)
        .map(|i| {
            serde_json::json!({"id": 1000 + i, "status": "processing", "customer_id": if i % 2 == 0 { i } else { 0 },
                "total": "5.00", "currency": "EUR", "date_modified_gmt": "2025-03-01T10:00:00",
                "billing": {"email": format!("buyer{}@example.com", i % 40), "first_name": "B"}, "line_items": [], "refunds": []})
        })
        .collect();
    let body = Value::Array(orders).to_string();
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(move |r: &HttpRequest| {
        let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3");
        if path == "/orders" && !r.path_and_query.contains("checkout-draft") {
            json(200, &body, &[("X-WP-Total", "100"), ("X-WP-TotalPages", "1")])
        } else {
            json(200, "[]", &[("X-WP-Total", "0"), ("X-WP-TotalPages", "0")])
        }
    }));
    client_of(t)
}

#[test]
fn a_page_of_orders_reads_its_state_in_one_host_call_with_the_same_result() {
    let mut one_by_one = MemoryHost { no_read_ahead: true, ..Default::default() };
    run(&mut store_of_100_orders(), &mut one_by_one, &[Kind::Orders, Kind::Contacts], 4).unwrap();
    let mut ahead = MemoryHost::default();
    run(&mut store_of_100_orders(), &mut ahead, &[Kind::Orders, Kind::Contacts], 4).unwrap();
    assert_eq!((&ahead.records, &ahead.kv), (&one_by_one.records, &one_by_one.kv), "the same records and state");
    // Without read-ahead each order reads its buyer's e-mail index (two
    // keys for a registered buyer); with it the page is one call. What is
    // left is the import's own bookkeeping (checkpoints, phases done).
    let per_record = one_by_one.read_calls - ahead.read_calls;
    assert!(one_by_one.read_calls >= 90, "{} calls one by one", one_by_one.read_calls);
    assert!(ahead.read_calls <= 12, "{} calls with read-ahead ({per_record} fewer)", ahead.read_calls);
}

#[test]
fn import_interrupted_then_resumed_ends_with_the_same_records() {
    let mut clean = MemoryHost::default();
    run(&mut store(), &mut clean, &Kind::ALL, 4).unwrap();
    for crash_at in 1..8 {
        let mut host = MemoryHost { fail_commit: Some(crash_at), ..Default::default() };
        let _ = run(&mut store(), &mut host, &Kind::ALL, 4);
        host.fail_commit = None;
        run(&mut store(), &mut host, &Kind::ALL, 4).unwrap();
        assert_eq!(host.records, clean.records, "crash at commit {crash_at}");
    }
}

#[test]
fn a_state_read_that_fails_stops_the_pass_instead_of_restarting_the_import() {
    let mut clean = MemoryHost::default();
    run(&mut store(), &mut clean, &Kind::ALL, 4).unwrap();
    // An import cut after its first committed page: `import:running` is set.
    let mut host = MemoryHost { fail_commit: Some(2), ..Default::default() };
    assert!(run(&mut store(), &mut host, &Kind::ALL, 4).is_err());
    host.fail_commit = None;
    let (kv, records, commits) = (host.kv.clone(), host.records.clone(), host.commits);
    host.unreadable.insert(bucket::CURSORS.to_string());
    let mut c = store();
    let e = run(&mut c, &mut host, &Kind::ALL, 4).unwrap_err();
    assert!(matches!(e, Error::Storage(_)), "{e}");
    assert_eq!(host.commits, commits, "nothing committed");
    assert_eq!((&host.kv, &host.records), (&kv, &records), "no checkpoint thrown away, no record written");
    assert!(c.transport.sent.is_empty(), "the store is not read again from page 1");
    host.unreadable.clear();
    run(&mut store(), &mut host, &Kind::ALL, 4).unwrap();
    assert!(host.logs.iter().any(|l| l.contains("resuming")), "{:?}", host.logs);
    assert_eq!(host.records, clean.records);
}

#[test]
fn an_email_index_that_cannot_be_read_fails_the_page_instead_of_making_a_second_contact() {
    let mut host = MemoryHost::default();
    host.unreadable.insert(bucket::EMAILS.to_string());
    let e = run(&mut store(), &mut host, &[Kind::Orders], 4).unwrap_err();
    assert!(matches!(e, Error::Storage(_)), "{e}");
    assert!(host.records.is_empty(), "the orders page is not committed");
}

fn project(v: &Value, fields: &[&str]) -> Value {
    Value::Object(
        v.as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| fields.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[test]
fn order_fields_keep_every_field_the_records_read() {
    let full: Value = serde_json::from_str(include_str!("../../../tests/fixtures/order-paid.json")).unwrap();
    let slim = project(&full, ORDER_FIELDS);
    assert!(slim.as_object().unwrap().len() < full.as_object().unwrap().len());
    let body = |r: Option<mapping::Record>| r.map(|r| r.body);
    assert_eq!(body(mapping::order_record(&slim, Some("c"))), body(mapping::order_record(&full, Some("c"))));
    assert_eq!(
        body(mapping::payment_transaction(&slim, Some("c"))),
        body(mapping::payment_transaction(&full, Some("c")))
    );
    assert_eq!(body(mapping::contact_from_order_billing(&slim)), body(mapping::contact_from_order_billing(&full)));
    assert_eq!(apply::order_state(&slim), apply::order_state(&full));
    let customer: Value = serde_json::from_str(include_str!("../../../tests/fixtures/customer.json")).unwrap();
    assert_eq!(
        body(mapping::contact_from_customer(&project(&customer, CUSTOMER_FIELDS))),
        body(mapping::contact_from_customer(&customer))
    );
}

#[test]
fn lenient_one_bad_record_is_skipped_logged_and_counted_never_the_page() {
    let long = "Caf&eacute; &amp; T\u{e9}a \u{65e5}\u{672c} ".to_string() + &"x".repeat(20_000);
    let products = serde_json::json!([
        {"id": "20", "type": "simple", "status": "publish", "price": 21.5, "name": long, "images": false, "categories": false, "sku": 1234},
        {"id": null, "name": "no id"},
        {"id": 21, "type": "simple", "status": "publish", "price": "", "regular_price": null, "images": false},
        {"id": 22, "type": "variable", "status": "publish", "price": "", "variations": false}
    ])
    .to_string();
    let orders = serde_json::json!([
        {"id": "200", "status": "completed", "total": 12, "currency": "EUR", "customer_id": "0", "billing": {"email": "", "first_name": null}, "line_items": false, "refunds": false, "date_paid": null, "meta_data": false},
        {"id": "abc", "status": "completed"},
        {"id": 201, "status": "processing", "total": null, "customer_id": "", "billing": false, "line_items": [{"product_id": "20", "quantity": "2", "price": "", "total": null, "name": "&lt;b&gt;"}]},
        "not an object"
    ])
    .to_string();
    let mut t = FakeTransport::default();
    t.router = Some(Box::new(move |r: &HttpRequest| {
        let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3").to_string();
        let body = match path.as_str() {
            "/products" if r.path_and_query.contains("page=1") => products.clone(),
            "/orders" if r.path_and_query.contains("page=1") => orders.clone(),
            _ => "[]".to_string(),
        };
        json(200, &body, &[("X-WP-Total", "4"), ("X-WP-TotalPages", "1")])
    }));
    let creds = Credentials {
        consumer_key: "ck_a".into(),
        consumer_secret: "cs_b".into(),
        signature_method: SignatureMethod::HmacSha256,
    };
    let mut c = Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t);
    let mut host = MemoryHost::default();
    let report = run(&mut c, &mut host, &Kind::ALL, 4).unwrap();
    let get = |kind: &str, id: &str| host.records.get(&(kind.to_string(), id.to_string())).cloned();
    let p = get("product", "woo:product:20").expect("the loose product is imported");
    assert_eq!(p["price"], "21.50", "a number price becomes a decimal string");
    assert!(
        p["name"].as_str().unwrap().starts_with("Caf\u{e9} & T\u{e9}a \u{65e5}\u{672c} x"),
        "entities decoded, unicode kept"
    );
    assert_eq!(p["images"], serde_json::json!([]), "`false` images read as none");
    assert!(get("product", "woo:product:21").is_none(), "no price: not a product record");
    let o = get("order", "woo:order:200").expect("an order with loose fields is imported");
    assert_eq!(o["total"], "12.00");
    assert!(get("order", "woo:order:201").is_some(), "null total and string quantities do not drop the order");
    let entry = |k: Kind| *report.kinds.iter().find(|r| r.kind == k).unwrap();
    assert_eq!(entry(Kind::Orders).malformed, 2, "`abc` and a non-object are counted");
    assert_eq!(entry(Kind::Products).malformed, 1);
    assert!(host.logs.iter().filter(|l| l.contains("malformed")).count() >= 3, "{:?}", host.logs);
}
