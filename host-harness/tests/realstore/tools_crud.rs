//! The orders, notes, refunds, products, variations, customers and coupons: creating, deleting and batches tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;

/// A tool call the store refuses: the exit is not 0 and stderr carries `code`.
fn store_refuses(db: &str, name: &str, args: Value, code: &str) {
    let out = woo(&["--db", db, "tool", name, "--args", &args.to_string()], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(code), "{name} {args}: {err}");
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_order_tools_create_batch_note_refund_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("crud-orders");
    let product = id(&r.post(
        "/products",
        json!({"name": format!("Crud Mug {t}"), "regular_price": "10.00", "sku": format!("CRUD-{t}")}),
    ));
    let coupon =
        id(&r.post("/coupons", json!({"code": format!("crud10-{t}"), "discount_type": "percent", "amount": "10"})));

    // create-order: a line by SKU (any case), shipping, a fee and a coupon; unpaid.
    let o = tool(
        &db,
        "create-order",
        json!({"billing": {"email": format!("crud.{t}@example.test"), "first_name": "Zoë"},
        "line_items": [{"sku": format!("crud-{t}"), "quantity": 3}],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "5.00"}],
        "fee_lines": [{"name": "Gift wrap", "total": "2.00"}], "coupon_lines": [{"code": format!("CRUD10-{t}")}],
        "meta_data": [{"key": "_crud_tag", "value": t}]}),
    );
    let oid = id(&o);
    let stored = read(&format!("/orders/{oid}")).json;
    assert_eq!(
        (stored["status"].as_str(), stored["date_paid"].is_null()),
        (Some("pending"), true),
        "unpaid by default"
    );
    // 3 × 10.00 − 10 % + 5.00 shipping + 2.00 fee.
    assert_eq!((stored["total"].as_str(), stored["discount_total"].as_str()), (Some("34.00"), Some("3.00")));
    assert_eq!(stored["line_items"][0]["product_id"], product);
    // An unknown SKU and an unknown coupon are refused before anything is written.
    refused(
        &db,
        "create-order",
        json!({"line_items": [{"sku": format!("NONE-{t}"), "quantity": 1}]}),
        "line_items[0].sku",
    );
    refused(
        &db,
        "create-order",
        json!({"line_items": [{"product_id": product, "quantity": 1}], "coupon_lines": [{"code": format!("none-{t}")}]}),
        "coupon_lines[0].code",
    );
    refused(&db, "create-order", json!({"status": "shipped"}), "status");

    // batch-update-orders: the order and an id that does not exist.
    let b = tool(
        &db,
        "batch-update-orders",
        json!({"update": [{"id": oid, "status": "on-hold", "customer_note": format!("Batch {t}")}, {"id": 987_654_321, "status": "completed"}]}),
    );
    assert_eq!((b["updated"].as_array().unwrap().len(), b["requests"].as_u64()), (1, Some(1)), "{b}");
    assert_eq!(b["errors"][0]["id"], 987_654_321);
    assert_eq!(b["errors"][0]["error"]["code"], "woocommerce_rest_shop_order_invalid_id");
    let stored = read(&format!("/orders/{oid}")).json;
    assert_eq!(
        (stored["status"].as_str(), stored["customer_note"].as_str()),
        (Some("on-hold"), Some(format!("Batch {t}").as_str()))
    );

    // Notes: list by type, delete (force required).
    let n = tool(&db, "add-order-note", json!({"order_id": oid, "note": format!("Internal {t}")}));
    let nid = id(&n);
    let internal = tool(&db, "list-order-notes", json!({"order_id": oid, "type": "internal"}));
    assert!(internal["items"].as_array().unwrap().iter().any(|x| x["id"] == nid));
    assert_eq!(internal["total"].as_u64(), Some(internal["items"].as_array().unwrap().len() as u64));
    let customer = tool(&db, "list-order-notes", json!({"order_id": oid, "type": "customer"}));
    assert!(customer["items"].as_array().unwrap().iter().all(|x| x["customer_note"] == true));
    refused(&db, "delete-order-note", json!({"order_id": oid, "id": nid}), "force");
    tool(&db, "delete-order-note", json!({"order_id": oid, "id": nid, "force": true}));
    let notes = read(&format!("/orders/{oid}/notes")).json;
    assert!(notes.as_array().unwrap().iter().all(|x| x["id"] != nid));

    // Refunds: record one, delete it (force required).
    let refund =
        tool(&db, "create-order-refund", json!({"order_id": oid, "amount": "1.00", "reason": format!("crud {t}")}));
    let rid = id(&refund);
    refused(&db, "delete-order-refund", json!({"order_id": oid, "id": rid}), "force");
    let gone = tool(&db, "delete-order-refund", json!({"order_id": oid, "id": rid, "force": true}));
    assert_eq!(id(&gone), rid);
    assert_eq!(read(&format!("/orders/{oid}/refunds/{rid}")).status, 404);
    assert!(read(&format!("/orders/{oid}")).json["refunds"].as_array().unwrap().is_empty());

    // delete-order: to the trash, then for good.
    tool(&db, "delete-order", json!({"id": oid}));
    assert_eq!(read(&format!("/orders/{oid}")).json["status"], "trash");
    store_refuses(&db, "delete-order", json!({"id": oid}), "woocommerce_rest_already_trashed");
    tool(&db, "delete-order", json!({"id": oid, "force": true}));
    assert_eq!(read(&format!("/orders/{oid}")).status, 404);

    for path in [format!("/coupons/{coupon}?force=true"), format!("/products/{product}?force=true")] {
        assert_eq!(r.https.call("DELETE", &path, None, Auth::Basic).status, 200, "{path}");
    }
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_product_and_variation_tools_create_read_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("crud-products");
    let pid = id(&r.post(
        "/products",
        json!({"name": format!("Crud Tee {t}"), "type": "variable", "attributes": [{"name": "Size", "options": ["S", "M"], "variation": true, "visible": true}]}),
    ));
    // create-product-variation, get-product-variation.
    let v = tool(
        &db,
        "create-product-variation",
        json!({"product_id": pid, "regular_price": "12.00", "sale_price": "9.50", "sku": format!("CRUD-TEE-{t}-M"),
        "attributes": [{"name": "Size", "option": "M"}]}),
    );
    let vid = id(&v);
    let stored = read(&format!("/products/{pid}/variations/{vid}")).json;
    assert_eq!((stored["price"].as_str(), stored["attributes"][0]["option"].as_str()), (Some("9.50"), Some("M")));
    let got = tool(&db, "get-product-variation", json!({"product_id": pid, "id": vid}));
    assert_eq!((got["sku"].as_str(), got["parent_id"].as_u64()), (Some(format!("CRUD-TEE-{t}-M").as_str()), Some(pid)));
    refused(&db, "create-product-variation", json!({"product_id": pid, "regular_price": "1.00"}), "attributes");
    // delete-product-variation: to the trash (out of the product's variations), then for good.
    tool(&db, "delete-product-variation", json!({"product_id": pid, "id": vid}));
    assert_eq!(read(&format!("/products/{pid}/variations/{vid}")).json["status"], "trash");
    assert!(read(&format!("/products/{pid}")).json["variations"].as_array().unwrap().is_empty());
    store_refuses(
        &db,
        "delete-product-variation",
        json!({"product_id": pid, "id": vid}),
        "woocommerce_rest_already_trashed",
    );
    tool(&db, "delete-product-variation", json!({"product_id": pid, "id": vid, "force": true}));
    assert_eq!(read(&format!("/products/{pid}/variations/{vid}")).status, 404);
    // delete-product: to the trash, then for good.
    tool(&db, "delete-product", json!({"id": pid}));
    assert_eq!(read(&format!("/products/{pid}")).json["status"], "trash");
    tool(&db, "delete-product", json!({"id": pid, "force": true}));
    assert_eq!(read(&format!("/products/{pid}")).status, 404);
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_customer_and_coupon_tools_create_update_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("crud-customers-coupons");
    // delete-customer: force required; a bad reassign is the store's 400.
    let c =
        tool(&db, "create-customer", json!({"email": format!("crud.leaving.{t}@example.test"), "first_name": "Leo"}));
    let cid = id(&c);
    refused(&db, "delete-customer", json!({"id": cid}), "force");
    store_refuses(
        &db,
        "delete-customer",
        json!({"id": cid, "force": true, "reassign": 987_654}),
        "woocommerce_rest_customer_invalid_reassign",
    );
    let gone = tool(&db, "delete-customer", json!({"id": cid, "force": true}));
    assert_eq!(id(&gone), cid);
    assert_eq!(read(&format!("/customers/{cid}")).status, 404);

    // create-coupon, get-coupon, update-coupon, list-coupons by code.
    refused(&db, "create-coupon", json!({"code": format!("crud-{t}"), "discount_type": "percentage"}), "discount_type");
    let made = tool(
        &db,
        "create-coupon",
        json!({"code": format!("Crud-{t}"), "discount_type": "percent", "amount": "15", "date_expires": "2031-01-31",
        "usage_limit": 50, "email_restrictions": ["*@example.test"], "minimum_amount": "20"}),
    );
    let kid = id(&made);
    let stored = read(&format!("/coupons/{kid}")).json;
    assert_eq!(stored["code"], format!("crud-{t}").as_str(), "WooCommerce lower-cases codes");
    assert_eq!((stored["amount"].as_str(), stored["minimum_amount"].as_str()), (Some("15.00"), Some("20.00")));
    assert_eq!(
        (stored["usage_limit"].as_u64(), stored["date_expires"].as_str()),
        (Some(50), Some("2031-01-31T00:00:00"))
    );
    assert_eq!(tool(&db, "get-coupon", json!({"id": kid}))["code"], stored["code"]);
    tool(
        &db,
        "update-coupon",
        json!({"id": kid, "discount_type": "fixed_cart", "amount": "7.5", "free_shipping": true}),
    );
    let stored = read(&format!("/coupons/{kid}")).json;
    assert_eq!(
        (stored["discount_type"].as_str(), stored["amount"].as_str(), stored["free_shipping"].as_bool()),
        (Some("fixed_cart"), Some("7.50"), Some(true))
    );
    let listed = tool(&db, "list-coupons", json!({"code": format!("CRUD-{t}")}));
    assert_eq!((listed["total"].as_u64(), listed["items"][0]["id"].as_u64()), (Some(1), Some(kid)));
    // delete-coupon: coupons do go to the trash without force.
    tool(&db, "delete-coupon", json!({"id": kid}));
    assert_eq!(read(&format!("/coupons/{kid}")).json["status"], "trash");
    assert_eq!(tool(&db, "list-coupons", json!({"code": format!("crud-{t}")}))["total"], 0);
    store_refuses(&db, "delete-coupon", json!({"id": kid}), "woocommerce_rest_already_trashed");
    tool(&db, "delete-coupon", json!({"id": kid, "force": true}));
    assert_eq!(read(&format!("/coupons/{kid}")).status, 404);
}
