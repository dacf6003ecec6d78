//! End-to-end tests of the orders, notes, refunds, products, variations, customers and coupons: creating, deleting and batches tools against the simulator.

use super::*;

/// A simple, published product with a price, and its id, SKU and price.
fn priced_product(e: &Env) -> (u64, String, String) {
    let p = e.find("products", |p| {
        p["type"] == "simple"
            && p["status"] == "publish"
            && p["sku"].as_str().is_some_and(|s| !s.is_empty())
            && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")
    });
    (p["id"].as_u64().unwrap(), p["sku"].as_str().unwrap().to_string(), p["price"].as_str().unwrap().to_string())
}

/// Cents of a decimal string.
fn cents(s: &str) -> u64 {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    i.parse::<u64>().unwrap() * 100 + format!("{f:0<2}")[..2].parse::<u64>().unwrap()
}

fn coupon(e: &Env, code: &str) -> Option<Value> {
    e.sim.state.data.read().unwrap().coupons.iter().find(|c| c["code"] == code).cloned()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_order_is_unpaid_unless_asked_and_checks_skus_and_coupons_first() {
    let mut e = env(3, 1, 20).await;
    let (pid, sku, price) = priced_product(&e);
    let o = e
        .ok(
            "create-order",
            json!({"billing": {"email": "zoe@example.test", "first_name": "Zoë"}, "customer_note": "Leave at the door \\ thanks",
            "line_items": [{"product_id": pid, "quantity": 2}, {"sku": sku.to_lowercase(), "quantity": 1}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.00"}],
            "fee_lines": [{"name": "Gift wrap", "total": "1.50"}], "coupon_lines": [{"code": "SAVE10"}],
            "meta_data": [{"key": "_source", "value": "agent"}]}),
        )
        .await;
    // Money and paid state move only when asked: pending, no paid date.
    assert_eq!((o["status"].as_str(), o["date_paid"].is_null()), (Some("pending"), true));
    assert_eq!(o["customer_note"], "Leave at the door \\ thanks");
    assert_eq!(o["line_items"].as_array().unwrap().len(), 2);
    assert!(o["line_items"].as_array().unwrap().iter().all(|l| l["product_id"] == pid));
    // 3 units, a 10.00 fixed_cart coupon, 4.00 shipping and a 1.50 fee.
    let expected = (cents(&price) * 3).saturating_sub(1000) + 400 + 150;
    assert_eq!(cents(o["total"].as_str().unwrap()), expected, "{o}");
    assert_eq!((o["shipping_total"].as_str(), o["discount_total"].as_str()), (Some("4.00"), Some("10.00")));
    let stored = e.find("orders", |x| x["id"] == o["id"]);
    assert_eq!(stored["set_paid"], Value::Null, "set_paid is a request flag, not an order field");
    assert_eq!(stored["billing"]["email"], "zoe@example.test");
    let sent = e.sim.state.seen.lock().unwrap().iter().filter(|s| s.path.ends_with("/orders")).count();
    assert_eq!(sent, 1);

    // set_paid: true pays it (processing, paid date).
    let paid =
        e.ok("create-order", json!({"set_paid": true, "line_items": [{"product_id": pid, "quantity": 1}]})).await;
    assert_eq!(paid["status"], "processing");
    assert!(paid["date_paid"].is_string());

    // Refused before the order is sent: an unknown status, a line naming
    // nothing, an unknown SKU, an unknown coupon (WooCommerce would leave a
    // hidden checkout-draft behind).
    let orders_before = e.sim.state.data.read().unwrap().orders.len();
    let before = e.requests();
    for (args, field) in [
        (json!({"status": "shipped"}), "status"),
        (json!({"line_items": [{"quantity": 1}]}), "line_items[0]"),
        (json!({"line_items": [{"product_id": pid, "sku": sku, "quantity": 1}]}), "line_items[0]"),
        (json!({"line_items": [{"product_id": pid, "quantity": 0}]}), "line_items[0].quantity"),
        (json!({"fee_lines": [{"name": "Fee", "total": "1,50"}]}), "fee_lines[0].total"),
    ] {
        assert_eq!(invalid_field(e.call("create-order", args).await.unwrap_err()), field);
    }
    assert_eq!(e.requests(), before, "nothing was sent");
    let e2 = e.call("create-order", json!({"line_items": [{"sku": "NO-SUCH-SKU", "quantity": 1}]})).await;
    assert_eq!(invalid_field(e2.unwrap_err()), "line_items[0].sku");
    let e3 = e
        .call(
            "create-order",
            json!({"line_items": [{"product_id": pid, "quantity": 1}], "coupon_lines": [{"code": "nope"}]}),
        )
        .await;
    assert_eq!(invalid_field(e3.unwrap_err()), "coupon_lines[0].code");
    assert!(e.seen_since(before).iter().all(|s| s.starts_with("GET ")), "only look-ups: {:?}", e.seen_since(before));
    assert_eq!(e.sim.state.data.read().unwrap().orders.len(), orders_before);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_order_moves_to_trash_and_force_deletes() {
    let mut e = env(3, 10, 5).await;
    let id = e.find("orders", |o| o["status"] == "processing")["id"].as_u64().unwrap();
    let before = e.requests();
    let o = e.ok("delete-order", json!({"id": id})).await;
    assert_eq!(o["id"], id);
    assert!(e.sim.state.seen.lock().unwrap()[before].query.contains("force=false"), "force is always sent");
    assert_eq!(e.find("orders", |o| o["id"] == id)["status"], "trash");
    let listed = e.ok("list-orders", json!({"include": [id]})).await;
    assert_eq!(listed["total"], 0, "a trashed order leaves the lists");
    // A second trashing is the store's 410, reported as such.
    match e.call("delete-order", json!({"id": id})).await.unwrap_err() {
        wit::types::Error::Remote(r) => {
            assert_eq!((r.status, r.code.as_str()), (410, "woocommerce_rest_already_trashed"))
        }
        other => panic!("{other:?}"),
    }
    e.ok("delete-order", json!({"id": id, "force": true})).await;
    assert!(e.sim.state.data.read().unwrap().orders.iter().all(|o| o["id"] != id));
    assert!(matches!(
        e.call("delete-order", json!({"id": id, "force": true})).await,
        Err(wit::types::Error::NotFound(_))
    ));
    assert_eq!(invalid_field(e.call("delete-order", json!({"id": id, "force": "yes"})).await.unwrap_err()), "force");
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_update_orders_splits_250_items_into_3_requests_and_reports_unknown_ids() {
    let mut e = env(3, 260, 5).await;
    let ids: Vec<u64> =
        e.sim.state.data.read().unwrap().orders.iter().take(248).map(|o| o["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.len(), 248);
    let mut update: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "customer_note": "Batch ✓", "meta_data": [{"key": "_wave", "value": 3}]}))
        .collect();
    update.insert(120, json!({"id": 999_999_001, "status": "completed"}));
    update.push(json!({"id": 999_999_002, "status": "completed"}));
    let before = e.requests();
    let r = e.ok("batch-update-orders", json!({"update": update})).await;
    assert_eq!(e.seen_since(before), vec!["POST /wp-json/wc/v3/orders/batch"; 3]);
    assert_eq!(r["requests"], 3);
    assert_eq!(r["updated"].as_array().unwrap().len(), 248);
    let errors = r["errors"].as_array().unwrap();
    let refused: Vec<u64> = errors.iter().map(|x| x["id"].as_u64().unwrap()).collect();
    assert_eq!(refused, [999_999_001, 999_999_002]);
    assert_eq!(errors[0]["error"]["code"], "woocommerce_rest_shop_order_invalid_id");
    assert!(ids.iter().all(|id| e.find("orders", |o| o["id"] == *id)["customer_note"] == "Batch ✓"));
    // Refused before any request: an item without an id, an empty batch.
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("batch-update-orders", json!({"update": [{"status": "completed"}]})).await.unwrap_err()),
        "update[0].id"
    );
    assert_eq!(invalid_field(e.call("batch-update-orders", json!({"update": []})).await.unwrap_err()), "update");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_order_notes_lists_every_note_and_filters_by_type() {
    let mut e = env(3, 5, 3).await;
    let id = e.find("orders", |_| true)["id"].as_u64().unwrap();
    e.ok("add-order-note", json!({"order_id": id, "note": "Packed by Ana"})).await;
    e.ok("add-order-note", json!({"order_id": id, "note": "Your parcel left — \"DHL\"", "customer_note": true})).await;
    let all = e.ok("list-order-notes", json!({"order_id": id})).await;
    assert_eq!((all["total"].as_u64(), all["total_pages"].as_u64(), all["page"].as_u64()), (Some(2), Some(1), Some(1)));
    assert_eq!(all["items"][0]["note"], "Your parcel left — \"DHL\"", "newest first");
    assert!(all["items"][0].get("_links").is_none(), "links only when asked");
    let customer = e.ok("list-order-notes", json!({"order_id": id, "type": "customer"})).await;
    assert_eq!(customer["items"].as_array().unwrap().len(), 1);
    assert_eq!(customer["items"][0]["customer_note"], true);
    let internal =
        e.ok("list-order-notes", json!({"order_id": id, "type": "internal", "fields": ["id", "note"]})).await;
    assert_eq!(internal["items"], json!([{"id": internal["items"][0]["id"], "note": "Packed by Ana"}]));
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("list-order-notes", json!({"order_id": id, "type": "private"})).await.unwrap_err()),
        "type"
    );
    assert_eq!(e.requests(), before);
    assert!(matches!(
        e.call("list-order-notes", json!({"order_id": 987654})).await,
        Err(wit::types::Error::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_order_note_needs_force_and_deletes_for_good() {
    let mut e = env(3, 5, 3).await;
    let id = e.find("orders", |_| true)["id"].as_u64().unwrap();
    let n = e.ok("add-order-note", json!({"order_id": id, "note": "Typo"})).await;
    let nid = n["id"].as_u64().unwrap();
    // Notes have no trash: force must be true, checked before any request.
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("delete-order-note", json!({"order_id": id, "id": nid})).await.unwrap_err()),
        "force"
    );
    assert_eq!(
        invalid_field(
            e.call("delete-order-note", json!({"order_id": id, "id": nid, "force": false})).await.unwrap_err()
        ),
        "force"
    );
    assert_eq!(e.requests(), before);
    let gone = e.ok("delete-order-note", json!({"order_id": id, "id": nid, "force": true})).await;
    assert_eq!(gone["note"], "Typo");
    assert!(e.sim.state.data.read().unwrap().notes.iter().all(|(_, n)| n["id"] != nid));
    let again = e.call("delete-order-note", json!({"order_id": id, "id": nid, "force": true})).await;
    assert!(matches!(again, Err(wit::types::Error::NotFound(_))), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_order_refund_needs_force_and_leaves_the_order_summary() {
    let mut e = env(3, 5, 5).await;
    let (pid, _, _) = priced_product(&e);
    let o =
        e.ok("create-order", json!({"status": "processing", "line_items": [{"product_id": pid, "quantity": 2}]})).await;
    let oid = o["id"].as_u64().unwrap();
    let r = e.ok("create-order-refund", json!({"order_id": oid, "amount": "1.00", "reason": "Scratched"})).await;
    let rid = r["id"].as_u64().unwrap();
    assert_eq!(e.find("orders", |x| x["id"] == oid)["refunds"].as_array().unwrap().len(), 1);
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("delete-order-refund", json!({"order_id": oid, "id": rid})).await.unwrap_err()),
        "force"
    );
    assert_eq!(e.requests(), before);
    let gone = e.ok("delete-order-refund", json!({"order_id": oid, "id": rid, "force": true})).await;
    assert_eq!((gone["id"].as_u64(), gone["amount"].as_str()), (Some(rid), Some("1.00")));
    assert!(e.find("orders", |x| x["id"] == oid)["refunds"].as_array().unwrap().is_empty());
    let listed = e.ok("list-order-refunds", json!({"order_id": oid})).await;
    assert_eq!(listed["total"], 0);
    let again = e.call("delete-order-refund", json!({"order_id": oid, "id": rid, "force": true})).await;
    assert!(matches!(again, Err(wit::types::Error::NotFound(_))), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_product_moves_to_trash_and_force_deletes_with_its_variations() {
    let mut e = env(1, 1, 40).await;
    let (pid, variations) = e.variable_product();
    let p = e.ok("delete-product", json!({"id": pid})).await;
    assert_eq!(p["id"], pid);
    assert_eq!(e.find("products", |p| p["id"] == pid)["status"], "trash");
    assert_eq!(e.ok("list-products", json!({"include": [pid]})).await["total"], 0);
    let again = e.call("delete-product", json!({"id": pid})).await.unwrap_err();
    assert!(matches!(again, wit::types::Error::Remote(ref r) if r.status == 410), "{again:?}");
    e.ok("delete-product", json!({"id": pid, "force": true})).await;
    let d = e.sim.state.data.read().unwrap();
    assert!(d.products.iter().all(|p| p["id"] != pid));
    assert!(d.variations.iter().all(|(_, v)| !variations.contains(&v["id"].as_u64().unwrap())));
}

#[tokio::test(flavor = "multi_thread")]
async fn get_product_variation_reads_one_variation_of_its_product() {
    let mut e = env(1, 1, 40).await;
    let (pid, variations) = e.variable_product();
    let v = e.ok("get-product-variation", json!({"product_id": pid, "id": variations[0]})).await;
    assert_eq!(
        (v["id"].as_u64(), v["parent_id"].as_u64(), v["type"].as_str()),
        (Some(variations[0]), Some(pid), Some("variation"))
    );
    // Another product's variation is not found.
    let other = e.find("products", |p| p["type"] == "simple")["id"].as_u64().unwrap();
    let miss = e.call("get-product-variation", json!({"product_id": other, "id": variations[0]})).await;
    assert!(matches!(miss, Err(wit::types::Error::NotFound(_))), "{miss:?}");
    assert_eq!(
        invalid_field(e.call("get-product-variation", json!({"id": variations[0]})).await.unwrap_err()),
        "product_id"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_product_variation_adds_a_priced_variation_to_its_product() {
    let mut e = env(1, 1, 40).await;
    let (pid, variations) = e.variable_product();
    let v = e
        .ok(
            "create-product-variation",
            json!({"product_id": pid, "regular_price": "24.00", "sale_price": "19.50", "sku": "TEE-XL-Ø",
            "attributes": [{"name": "Size", "option": "XL"}], "meta_data": [{"key": "_fit", "value": "loose"}]}),
        )
        .await;
    let vid = v["id"].as_u64().unwrap();
    assert_eq!(
        (v["price"].as_str(), v["on_sale"].as_bool(), v["sku"].as_str()),
        (Some("19.50"), Some(true), Some("TEE-XL-Ø"))
    );
    assert_eq!(v["attributes"][0]["option"], "XL");
    let p = e.find("products", |p| p["id"] == pid);
    assert!(p["variations"].as_array().unwrap().contains(&json!(vid)));
    let listed = e.ok("list-product-variations", json!({"product_id": pid, "per_page": 100})).await;
    assert_eq!(listed["total"].as_u64().unwrap() as usize, variations.len() + 1);
    let before = e.requests();
    for (args, field) in [
        (json!({"product_id": pid, "regular_price": "1.00"}), "attributes"),
        (json!({"product_id": pid, "attributes": [], "regular_price": "1.00"}), "attributes"),
        (
            json!({"product_id": pid, "attributes": [{"name": "Size", "option": "S"}], "regular_price": "1,00"}),
            "regular_price",
        ),
    ] {
        assert_eq!(invalid_field(e.call("create-product-variation", args).await.unwrap_err()), field);
    }
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_product_variation_moves_to_trash_and_force_deletes() {
    let mut e = env(1, 1, 40).await;
    let (pid, variations) = e.variable_product();
    let vid = variations[0];
    e.ok("delete-product-variation", json!({"product_id": pid, "id": vid})).await;
    // Trashed: out of the product's variations and the list, still readable.
    assert!(!e.find("products", |p| p["id"] == pid)["variations"].as_array().unwrap().contains(&json!(vid)));
    let listed = e.ok("list-product-variations", json!({"product_id": pid, "per_page": 100})).await;
    assert_eq!(listed["total"].as_u64().unwrap() as usize, variations.len() - 1);
    assert_eq!(e.ok("get-product-variation", json!({"product_id": pid, "id": vid})).await["status"], "trash");
    let again = e.call("delete-product-variation", json!({"product_id": pid, "id": vid})).await.unwrap_err();
    assert!(
        matches!(again, wit::types::Error::Remote(ref r) if r.status == 410 && r.message.contains("product_variation")),
        "{again:?}"
    );
    e.ok("delete-product-variation", json!({"product_id": pid, "id": vid, "force": true})).await;
    assert!(e.sim.state.data.read().unwrap().variations.iter().all(|(_, v)| v["id"] != vid));
    let gone = e.call("delete-product-variation", json!({"product_id": pid, "id": vid, "force": true})).await;
    assert!(matches!(gone, Err(wit::types::Error::NotFound(_))), "{gone:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_customer_needs_force_and_checks_reassign() {
    let mut e = env(5, 1, 1).await;
    let c = e.ok("create-customer", json!({"email": "leaving@example.test", "first_name": "Leo"})).await;
    let id = c["id"].as_u64().unwrap();
    let before = e.requests();
    assert_eq!(invalid_field(e.call("delete-customer", json!({"id": id})).await.unwrap_err()), "force");
    assert_eq!(invalid_field(e.call("delete-customer", json!({"id": id, "force": false})).await.unwrap_err()), "force");
    assert_eq!(e.requests(), before);
    let bad = e.call("delete-customer", json!({"id": id, "force": true, "reassign": 987654})).await.unwrap_err();
    assert!(
        matches!(bad, wit::types::Error::Remote(ref r) if r.code == "woocommerce_rest_customer_invalid_reassign"),
        "{bad:?}"
    );
    let other = e.find("customers", |c| c["id"] != id)["id"].as_u64().unwrap();
    let gone = e.ok("delete-customer", json!({"id": id, "force": true, "reassign": other})).await;
    assert_eq!(gone["email"], "leaving@example.test");
    let last = e.sim.state.seen.lock().unwrap().last().unwrap().query.clone();
    assert!(last.contains("force=true") && last.contains(&format!("reassign={other}")), "{last}");
    assert!(e.sim.state.data.read().unwrap().customers.iter().all(|c| c["id"] != id));
    let again = e.call("delete-customer", json!({"id": id, "force": true})).await;
    assert!(matches!(again, Err(wit::types::Error::NotFound(_))), "{again:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_coupon_reads_one_coupon() {
    let mut e = env(1, 1, 1).await;
    let id = coupon(&e, "save10").unwrap()["id"].as_u64().unwrap();
    let c = e.ok("get-coupon", json!({"id": id})).await;
    assert_eq!(
        (c["code"].as_str(), c["amount"].as_str(), c["discount_type"].as_str()),
        (Some("save10"), Some("10.00"), Some("fixed_cart"))
    );
    assert!(matches!(e.call("get-coupon", json!({"id": 987654})).await, Err(wit::types::Error::NotFound(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_coupon_validates_its_type_and_amount_before_any_request() {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    for (args, field) in [
        (json!({"code": "X1", "discount_type": "percentage"}), "discount_type"),
        (json!({"code": "X1", "amount": 10}), "amount"),
        (json!({"code": "X1", "amount": "-5"}), "amount"),
        (json!({"amount": "5"}), "code"),
        (json!({"code": "X1", "date_expires": "31/12/2025"}), "date_expires"),
    ] {
        assert_eq!(invalid_field(e.call("create-coupon", args).await.unwrap_err()), field);
    }
    assert_eq!(e.requests(), before);
    let c = e
        .ok(
            "create-coupon",
            json!({"code": "Summer-25", "discount_type": "percent", "amount": "25", "date_expires": "2030-08-31",
            "usage_limit": 100, "email_restrictions": ["*@example.test"], "minimum_amount": "30"}),
        )
        .await;
    assert_eq!(
        (c["code"].as_str(), c["amount"].as_str(), c["discount_type"].as_str()),
        (Some("summer-25"), Some("25.00"), Some("percent"))
    );
    assert_eq!((c["minimum_amount"].as_str(), c["usage_limit"].as_u64()), (Some("30.00"), Some(100)));
    assert_eq!(c["date_expires"], "2030-08-31T00:00:00");
    assert!(coupon(&e, "summer-25").is_some());
    let dup = e.call("create-coupon", json!({"code": "SUMMER-25"})).await.unwrap_err();
    assert!(
        matches!(dup, wit::types::Error::Remote(ref r) if r.code == "woocommerce_rest_coupon_code_already_exists"),
        "{dup:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn update_coupon_changes_its_amount_and_rules() {
    let mut e = env(1, 1, 1).await;
    let id = coupon(&e, "save15").unwrap()["id"].as_u64().unwrap();
    let c = e.ok("update-coupon", json!({"id": id, "amount": "17.5", "discount_type": "fixed_product", "free_shipping": true, "product_ids": [11, 12]})).await;
    assert_eq!(
        (c["amount"].as_str(), c["discount_type"].as_str(), c["free_shipping"].as_bool()),
        (Some("17.50"), Some("fixed_product"), Some(true))
    );
    let stored = coupon(&e, "save15").unwrap();
    assert_eq!((stored["amount"].as_str(), stored["product_ids"].clone()), (Some("17.50"), json!([11, 12])));
    assert_eq!(
        invalid_field(e.call("update-coupon", json!({"id": id, "usage_limit": -1})).await.unwrap_err()),
        "usage_limit"
    );
    assert!(matches!(
        e.call("update-coupon", json!({"id": 987654, "amount": "1"})).await,
        Err(wit::types::Error::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_coupon_moves_to_trash_and_force_deletes() {
    let mut e = env(1, 1, 1).await;
    let id = coupon(&e, "save20").unwrap()["id"].as_u64().unwrap();
    let before = e.requests();
    let c = e.ok("delete-coupon", json!({"id": id})).await;
    assert_eq!(c["code"], "save20");
    assert!(e.sim.state.seen.lock().unwrap()[before].query.contains("force=false"));
    assert_eq!(coupon(&e, "save20").unwrap()["status"], "trash");
    assert_eq!(e.ok("list-coupons", json!({"code": "save20"})).await["total"], 0, "a trashed coupon is not listed");
    let again = e.call("delete-coupon", json!({"id": id})).await.unwrap_err();
    assert!(
        matches!(again, wit::types::Error::Remote(ref r) if r.status == 410 && r.message.contains("shop_coupon")),
        "{again:?}"
    );
    e.ok("delete-coupon", json!({"id": id, "force": true})).await;
    assert!(coupon(&e, "save20").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn list_coupons_filters_by_code_dates_and_exclude() {
    let mut e = env(1, 1, 1).await;
    let r = e.ok("list-coupons", json!({"code": "SAVE5"})).await;
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["code"], "save5");
    let all = e.ok("list-coupons", json!({"per_page": 100})).await;
    let n = all["total"].as_u64().unwrap();
    let first = all["items"][0]["id"].as_u64().unwrap();
    assert_eq!(e.ok("list-coupons", json!({"exclude": [first]})).await["total"].as_u64(), Some(n - 1));
    let created = e.ok("create-coupon", json!({"code": "fresh"})).await;
    let recent = e.ok("list-coupons", json!({"after": "2025-01-01T00:00:00"})).await;
    assert_eq!(
        recent["items"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect::<Vec<_>>(),
        vec![created["id"].clone()]
    );
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-coupons", json!({"orderby": "name"})).await.unwrap_err()), "orderby");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_products_filters_by_stock_status_price_and_exclude() {
    let mut e = env(1, 1, 30).await;
    let (pid, _, _) = priced_product(&e);
    e.ok("update-product", json!({"id": pid, "manage_stock": true, "stock_quantity": 0, "regular_price": "999.00"}))
        .await;
    let out = e.ok("list-products", json!({"stock_status": "outofstock", "per_page": 100})).await;
    assert!(out["items"].as_array().unwrap().iter().any(|p| p["id"] == pid));
    assert!(out["items"].as_array().unwrap().iter().all(|p| p["stock_status"] == "outofstock"));
    let dear = e.ok("list-products", json!({"min_price": "900", "per_page": 100})).await;
    assert_eq!(dear["items"].as_array().unwrap().iter().map(|p| p["id"].as_u64().unwrap()).collect::<Vec<_>>(), [pid]);
    let cheap = e.ok("list-products", json!({"max_price": "900", "per_page": 100, "exclude": [pid]})).await;
    assert!(cheap["items"].as_array().unwrap().iter().all(|p| p["id"] != pid));
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("list-products", json!({"stock_status": "low"})).await.unwrap_err()),
        "stock_status"
    );
    assert_eq!(invalid_field(e.call("list-products", json!({"min_price": "ten"})).await.unwrap_err()), "min_price");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_orders_filters_by_exclude_and_created_via_and_validates_status() {
    let mut e = env(3, 20, 5).await;
    let (pid, _, _) = priced_product(&e);
    let made = e.ok("create-order", json!({"line_items": [{"product_id": pid, "quantity": 1}]})).await;
    let via = e.ok("list-orders", json!({"created_via": "rest-api", "per_page": 100})).await;
    assert!(via["items"].as_array().unwrap().iter().any(|o| o["id"] == made["id"]));
    assert!(via["items"].as_array().unwrap().iter().all(|o| o["created_via"] == "rest-api"));
    let all = e.ok("list-orders", json!({"orderby": "id", "per_page": 5})).await;
    let total = all["total"].as_u64().unwrap();
    let first = all["items"][0]["id"].clone();
    let rest = e.ok("list-orders", json!({"orderby": "id", "per_page": 5, "exclude": [first]})).await;
    assert_eq!(rest["total"].as_u64(), Some(total - 1));
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-orders", json!({"status": "processing;drop"})).await.unwrap_err()), "status");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_customers_sorts_only_by_what_woocommerce_allows() {
    let mut e = env(8, 1, 1).await;
    let r = e.ok("list-customers", json!({"orderby": "registered_date", "order": "desc", "per_page": 3})).await;
    assert_eq!(r["items"].as_array().unwrap().len(), 3);
    let first = r["items"][0]["id"].clone();
    let rest = e.ok("list-customers", json!({"exclude": [first], "per_page": 100})).await;
    assert!(rest["items"].as_array().unwrap().iter().all(|c| c["id"] != first));
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-customers", json!({"orderby": "date"})).await.unwrap_err()), "orderby");
    assert_eq!(invalid_field(e.call("list-customers", json!({"role": "all roles"})).await.unwrap_err()), "role");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_product_variations_filters_by_sku_and_on_sale() {
    let mut e = env(1, 1, 40).await;
    let (pid, variations) = e.variable_product();
    e.ok(
        "update-product-variation",
        json!({"product_id": pid, "id": variations[0], "sale_price": "1.00", "sku": "VAR-ON-SALE"}),
    )
    .await;
    let on_sale = e.ok("list-product-variations", json!({"product_id": pid, "on_sale": true})).await;
    assert_eq!(
        on_sale["items"].as_array().unwrap().iter().map(|v| v["id"].as_u64().unwrap()).collect::<Vec<_>>(),
        [variations[0]]
    );
    let by_sku = e.ok("list-product-variations", json!({"product_id": pid, "sku": "var-on-sale"})).await;
    assert_eq!(by_sku["total"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_order_refunds_filters_by_creation_date() {
    let mut e = env(3, 5, 5).await;
    let (pid, _, _) = priced_product(&e);
    let o =
        e.ok("create-order", json!({"status": "completed", "line_items": [{"product_id": pid, "quantity": 3}]})).await;
    let oid = o["id"].as_u64().unwrap();
    e.ok("create-order-refund", json!({"order_id": oid, "amount": "1.00"})).await;
    assert_eq!(e.ok("list-order-refunds", json!({"order_id": oid, "after": "2020-01-01T00:00:00"})).await["total"], 1);
    assert_eq!(e.ok("list-order-refunds", json!({"order_id": oid, "before": "2020-01-01T00:00:00"})).await["total"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_mode_crud_functions_run_the_same_tools() {
    let mut e = env(3, 5, 20).await;
    let (pid, _, _) = priced_product(&e);
    let fields = wit::direct::OrderFields {
        status: Some(wit::direct::OrderStatus::OnHold),
        customer_id: None,
        currency: None,
        billing: None,
        shipping: None,
        customer_note: Some("Direct".into()),
        payment_method: Some("bacs".into()),
        payment_method_title: None,
        meta_data: None,
    };
    let line = wit::direct::OrderLine { product: wit::direct::LineProduct::Product(pid), quantity: 2 };
    e.s.begin_call();
    let o =
        e.s.bindings
            .woo_connector_direct()
            .call_create_order(&mut e.s.store, &fields, &[line], None, None, Some(&["save5".to_string()]), None)
            .await
            .unwrap()
            .expect("create-order");
    let o: Value = serde_json::from_str(&o).unwrap();
    assert_eq!((o["status"].as_str(), o["date_paid"].is_null()), (Some("on-hold"), true));
    assert_eq!(o["coupon_lines"][0]["code"], "save5");
    let oid = o["id"].as_u64().unwrap();

    let coupon_fields = wit::direct::CouponFields {
        code: Some("DIRECT-10".into()),
        discount_type: Some(wit::direct::DiscountType::FixedProduct),
        amount: Some("10".into()),
        description: None,
        date_expires: None,
        individual_use: Some(true),
        product_ids: None,
        excluded_product_ids: None,
        product_categories: None,
        excluded_product_categories: None,
        exclude_sale_items: None,
        usage_limit: None,
        usage_limit_per_user: Some(1),
        limit_usage_to_x_items: None,
        free_shipping: None,
        minimum_amount: None,
        maximum_amount: None,
        email_restrictions: None,
        meta_data: None,
    };
    e.s.begin_call();
    let c =
        e.s.bindings
            .woo_connector_direct()
            .call_create_coupon(&mut e.s.store, &coupon_fields)
            .await
            .unwrap()
            .expect("create-coupon");
    let c: Value = serde_json::from_str(&c).unwrap();
    assert_eq!(
        (c["code"].as_str(), c["discount_type"].as_str(), c["usage_limit_per_user"].as_u64()),
        (Some("direct-10"), Some("fixed_product"), Some(1))
    );

    e.s.begin_call();
    e.s.bindings
        .woo_connector_direct()
        .call_add_order_note(&mut e.s.store, oid, "Internal", None)
        .await
        .unwrap()
        .expect("note");
    e.s.begin_call();
    let notes =
        e.s.bindings
            .woo_connector_direct()
            .call_list_order_notes(&mut e.s.store, oid, Some(wit::direct::NoteType::Internal), None)
            .await
            .unwrap()
            .expect("list-order-notes");
    let items: Vec<Value> = serde_json::from_str(&notes.items).unwrap();
    assert_eq!((notes.total, items[0]["note"].as_str()), (1, Some("Internal")));
    let nid = items[0]["id"].as_u64().unwrap();
    e.s.begin_call();
    e.s.bindings
        .woo_connector_direct()
        .call_delete_order_note(&mut e.s.store, oid, nid)
        .await
        .unwrap()
        .expect("delete-order-note");
    assert!(e.sim.state.data.read().unwrap().notes.iter().all(|(_, n)| n["id"] != nid));

    e.s.begin_call();
    e.s.bindings
        .woo_connector_direct()
        .call_delete_order(&mut e.s.store, oid, None)
        .await
        .unwrap()
        .expect("delete-order");
    assert_eq!(e.find("orders", |x| x["id"] == oid)["status"], "trash");
}
