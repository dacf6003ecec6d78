//! `/orders`: lists (the plain walk by id answered from the index), creation
//! as the REST API creates an order, and updates that pay or complete it.

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    cents, filter_dates, filter_include, hook, json_response, list, list_param, list_presorted, merge, touch, wc_error,
};
use super::seed;
use super::seed::money;
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

pub(super) fn list_orders(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let statuses = list_param(ctx, "status").unwrap_or_else(|| vec!["any".into()]);
    // The walk every importer makes (all listed orders by id) is answered
    // from the index, as a real store answers from its tables' indexes.
    let plain =
        ["customer", "product", "after", "before", "modified_after", "modified_before", "include", "search", "offset"]
            .iter()
            .all(|p| ctx.param(p).is_none());
    if plain && statuses.iter().all(|s| s == "any") && ctx.param("orderby").as_deref() == Some("id") {
        let index = d.order_index.of(&d.orders);
        let mut items: Vec<&Value> =
            index.iter().zip(&d.orders).filter(|((_, listed), _)| *listed).map(|(_, o)| o).collect();
        let sorted = index.is_sorted_by_key(|(id, _)| *id);
        if !sorted {
            items.sort_by_key(|o| o["id"].as_u64().unwrap_or(0));
        }
        return list_presorted(ctx, items, true);
    }
    let mut items: Vec<&Value> = d.orders.iter().collect();
    if statuses.iter().any(|s| s == "any") {
        items.retain(|o| !matches!(o["status"].as_str(), Some("checkout-draft" | "trash")));
    } else {
        items.retain(|o| statuses.iter().any(|s| o["status"] == s.as_str()));
    }
    if let Some(c) = ctx.param("customer").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|o| o["customer_id"].as_u64() == Some(c));
    }
    if let Some(p) = ctx.param("product").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|o| {
            o["line_items"].as_array().is_some_and(|l| l.iter().any(|li| li["product_id"].as_u64() == Some(p)))
        });
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", true)
}

pub(super) fn create_order(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let o = build_order(&mut d, &b, &ctx.state.version);
    drop(d);
    hook(ctx, "order.created", &o);
    json_response(201, &o)
}

/// A new order as WooCommerce's REST API creates it from `b`.
pub fn build_order(d: &mut seed::Data, b: &Value, version: &str) -> Value {
    let id = d.post_id();
    let now = now_secs();
    let mut lines = vec![];
    let mut total = 0;
    for (k, li) in b["line_items"].as_array().into_iter().flatten().enumerate() {
        let pid = li["product_id"].as_u64().unwrap_or(0);
        let vid = li["variation_id"].as_u64().unwrap_or(0);
        let qty = li["quantity"].as_u64().unwrap_or(1);
        let (name, sku, price) = d
            .products
            .iter()
            .find(|p| p["id"].as_u64() == Some(pid))
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or("").to_string(),
                    p["sku"].as_str().unwrap_or("").to_string(),
                    cents(p["price"].as_str().unwrap_or("0")),
                )
            })
            .unwrap_or_else(|| ("Item".into(), String::new(), 0));
        let price = li["total"].as_str().map(|t| cents(t) / qty.max(1)).unwrap_or(price);
        total += price * qty;
        lines.push(json!({"id": id * 10 + k as u64, "name": name, "product_id": pid, "variation_id": vid, "quantity": qty, "tax_class": "", "subtotal": money(price * qty), "subtotal_tax": "0.00", "total": money(price * qty), "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": sku, "global_unique_id": "", "price": price as f64 / 100.0, "image": {"id": "", "src": ""}, "parent_name": null}));
    }
    let set_paid = b["set_paid"].as_bool().unwrap_or(false);
    let status = b["status"].as_str().unwrap_or(if set_paid { "processing" } else { "pending" }).to_string();
    let paid = set_paid || matches!(status.as_str(), "processing" | "completed");
    let customer_id = b["customer_id"].as_u64().unwrap_or(0);
    let mut o = json!({
        "id": id, "parent_id": 0, "status": status, "currency": b["currency"].as_str().unwrap_or("USD"), "version": version,
        "prices_include_tax": false, "date_created": wc_date(now), "date_modified": wc_date(now),
        "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00", "cart_tax": "0.00",
        "total": money(total), "total_tax": "0.00", "customer_id": customer_id, "order_key": format!("wc_order_{id:012x}"),
        "billing": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "email": null, "phone": ""},
        "shipping": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "phone": ""},
        "payment_method": b["payment_method"].as_str().unwrap_or(""), "payment_method_title": b["payment_method_title"].as_str().unwrap_or(""),
        "transaction_id": "", "customer_ip_address": "", "customer_user_agent": "", "created_via": "rest-api", "customer_note": b["customer_note"].as_str().unwrap_or(""),
        "date_completed": null, "date_paid": if paid { json!(wc_date(now)) } else { Value::Null }, "cart_hash": "", "number": id.to_string(),
        "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": [],
        "payment_url": "", "is_editable": status == "pending", "needs_payment": !paid, "needs_processing": true,
        "date_created_gmt": wc_date(now), "date_modified_gmt": wc_date(now), "date_completed_gmt": null,
        "date_paid_gmt": if paid { json!(wc_date(now)) } else { Value::Null }, "currency_symbol": "$",
    });
    merge(&mut o, b, &["billing", "shipping", "meta_data"]);
    d.orders.push(o.clone());
    o
}

pub(super) fn update_order(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(o) = apply_order_update(&mut d, id, &b) else {
        return wc_error(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    };
    drop(d);
    hook(ctx, "order.updated", &o);
    json_response(200, &o)
}

/// Apply an order update as WooCommerce does (paid statuses set `date_paid`).
pub fn apply_order_update(d: &mut seed::Data, id: Option<u64>, b: &Value) -> Option<Value> {
    d.order_index.invalidate();
    let o = d.orders.iter_mut().find(|o| o["id"].as_u64() == id)?;
    merge(
        o,
        b,
        &[
            "status",
            "customer_note",
            "meta_data",
            "billing",
            "shipping",
            "payment_method",
            "payment_method_title",
            "transaction_id",
        ],
    );
    let status = o["status"].as_str().unwrap_or("").to_string();
    if matches!(status.as_str(), "processing" | "completed") && o["date_paid_gmt"].is_null() {
        let now = wc_date(now_secs());
        o["date_paid"] = json!(now);
        o["date_paid_gmt"] = json!(now);
        o["needs_payment"] = json!(false);
    }
    if status == "completed" && o["date_completed_gmt"].is_null() {
        let now = wc_date(now_secs());
        o["date_completed"] = json!(now);
        o["date_completed_gmt"] = json!(now);
    }
    touch(o);
    Some(o.clone())
}
