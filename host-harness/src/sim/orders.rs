//! `/orders`: lists (the plain walk by id answered from the index), creation
//! as the REST API creates an order (lines by product id or SKU, shipping,
//! fee and coupon lines), updates that pay or complete it, and batches.

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    batch_update, cents, filter_dates, filter_include, hook, invalid_param, json_response, list, list_param,
    list_presorted, merge, touch, wc_error,
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
    let plain = [
        "customer",
        "product",
        "after",
        "before",
        "modified_after",
        "modified_before",
        "include",
        "exclude",
        "parent",
        "created_via",
        "search",
        "offset",
    ]
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
    if let Some(parents) = list_param(ctx, "parent") {
        let parents: Vec<u64> = parents.iter().filter_map(|p| p.parse().ok()).collect();
        items.retain(|o| o["parent_id"].as_u64().is_some_and(|p| parents.contains(&p)));
    }
    if let Some(via) = list_param(ctx, "created_via") {
        items.retain(|o| o["created_via"].as_str().is_some_and(|c| via.iter().any(|v| v == c)));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", true)
}

/// The statuses `POST /orders` accepts (WooCommerce 11's enum).
const CREATE_STATUSES: [&str; 9] = [
    "auto-draft",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
];

pub(super) fn create_order(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(s) = b["status"].as_str()
        && !CREATE_STATUSES.contains(&s)
    {
        let why = "status is not one of auto-draft, pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft.";
        return invalid_param("status", why);
    }
    let lines = b["line_items"].as_array().into_iter().flatten();
    if lines.clone().any(|li| li["product_id"].as_u64().unwrap_or(0) == 0 && li.get("sku").is_none()) {
        return wc_error(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    for c in b["coupon_lines"].as_array().into_iter().flatten() {
        let code = c["code"].as_str().unwrap_or("");
        if !d
            .coupons
            .iter()
            .any(|x| x["status"] == "publish" && x["code"].as_str().is_some_and(|k| k.eq_ignore_ascii_case(code)))
        {
            let message =
                format!("Coupon &quot;{}&quot; cannot be applied because it does not exist.", code.to_lowercase());
            return wc_error(400, "woocommerce_rest_invalid_coupon", &message);
        }
    }
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
        let (pid, vid) = line_product(d, li);
        let qty = li["quantity"].as_u64().unwrap_or(1);
        let variation = d.variations.iter().find(|(p, v)| *p == pid && v["id"].as_u64() == Some(vid)).map(|(_, v)| v);
        let (name, sku, price) = variation
            .or_else(|| d.products.iter().find(|p| p["id"].as_u64() == Some(pid)))
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
    let discount = coupon_discount(d, &b["coupon_lines"], &mut lines);
    total -= discount.iter().map(|(_, c)| c).sum::<u64>();
    let (shipping_lines, shipping) = charged_lines(&b["shipping_lines"], id * 10 + 100);
    let (fee_lines, fees) = charged_lines(&b["fee_lines"], id * 10 + 200);
    let total = (total as i64 + shipping + fees).max(0) as u64;
    let shipping = shipping.max(0) as u64;
    let coupon_lines: Vec<Value> = discount
        .iter()
        .enumerate()
        .map(|(k, (c, off))| json!({"id": id * 10 + 300 + k as u64, "code": c["code"], "discount": money(*off).trim_end_matches('0').trim_end_matches('.'), "discount_tax": "0", "meta_data": [], "discount_type": c["discount_type"], "nominal_amount": c["amount"], "free_shipping": c["free_shipping"]}))
        .collect();
    let set_paid = b["set_paid"].as_bool().unwrap_or(false);
    let status = b["status"].as_str().unwrap_or(if set_paid { "processing" } else { "pending" }).to_string();
    let paid = set_paid || matches!(status.as_str(), "processing" | "completed");
    let customer_id = b["customer_id"].as_u64().unwrap_or(0);
    let mut o = json!({
        "id": id, "parent_id": 0, "status": status, "currency": b["currency"].as_str().unwrap_or("USD"), "version": version,
        "prices_include_tax": false, "date_created": wc_date(now), "date_modified": wc_date(now),
        "discount_total": money(discount.iter().map(|(_, c)| c).sum()), "discount_tax": "0.00", "shipping_total": money(shipping), "shipping_tax": "0.00", "cart_tax": "0.00",
        "total": money(total), "total_tax": "0.00", "customer_id": customer_id, "order_key": format!("wc_order_{id:012x}"),
        "billing": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "email": null, "phone": ""},
        "shipping": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "phone": ""},
        "payment_method": b["payment_method"].as_str().unwrap_or(""), "payment_method_title": b["payment_method_title"].as_str().unwrap_or(""),
        "transaction_id": "", "customer_ip_address": "", "customer_user_agent": "", "created_via": "rest-api", "customer_note": b["customer_note"].as_str().unwrap_or(""),
        "date_completed": null, "date_paid": if paid { json!(wc_date(now)) } else { Value::Null }, "cart_hash": "", "number": id.to_string(),
        "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": shipping_lines, "fee_lines": fee_lines, "coupon_lines": coupon_lines, "refunds": [],
        "payment_url": "", "is_editable": status == "pending", "needs_payment": !paid, "needs_processing": true,
        "date_created_gmt": wc_date(now), "date_modified_gmt": wc_date(now), "date_completed_gmt": null,
        "date_paid_gmt": if paid { json!(wc_date(now)) } else { Value::Null }, "currency_symbol": "$",
    });
    merge(&mut o, b, &["billing", "shipping", "meta_data"]);
    d.orders.push(o.clone());
    o
}

/// The product and variation a line orders: its ids, or those of the
/// product or variation with its SKU (any letter case). An unknown SKU
/// orders nothing (product 0), as on WooCommerce 11.
fn line_product(d: &seed::Data, li: &Value) -> (u64, u64) {
    let (pid, vid) = (li["product_id"].as_u64().unwrap_or(0), li["variation_id"].as_u64().unwrap_or(0));
    let Some(sku) = li["sku"].as_str().filter(|_| pid == 0) else { return (pid, vid) };
    let same = |p: &Value| p["sku"].as_str().is_some_and(|s| !s.is_empty() && s.eq_ignore_ascii_case(sku));
    if let Some(p) = d.products.iter().find(|p| same(p)) {
        return (p["id"].as_u64().unwrap_or(0), 0);
    }
    d.variations.iter().find(|(_, v)| same(v)).map_or((0, 0), |(p, v)| (*p, v["id"].as_u64().unwrap_or(0)))
}

/// Each coupon of `coupon_lines` with the cents it takes off, the lines'
/// totals lowered by it (percent: of each line; fixed_product: per unit;
/// fixed_cart: spread over the lines, at most their total).
fn coupon_discount(d: &seed::Data, coupon_lines: &Value, lines: &mut [Value]) -> Vec<(Value, u64)> {
    let mut out = vec![];
    for c in coupon_lines.as_array().into_iter().flatten() {
        let code = c["code"].as_str().unwrap_or("");
        let Some(coupon) = d.coupons.iter().find(|x| x["code"].as_str().is_some_and(|k| k.eq_ignore_ascii_case(code)))
        else {
            continue;
        };
        let amount = cents(coupon["amount"].as_str().unwrap_or("0"));
        // fixed_cart: what is still to take off, line after line.
        let mut left = amount;
        let mut taken = 0;
        for li in lines.iter_mut() {
            let total = cents(li["total"].as_str().unwrap_or("0"));
            let off = match coupon["discount_type"].as_str() {
                Some("percent") => total * amount / 10_000,
                Some("fixed_product") => (amount * li["quantity"].as_u64().unwrap_or(1)).min(total),
                _ => {
                    let off = left.min(total);
                    left -= off;
                    off
                }
            };
            li["total"] = json!(money(total - off));
            taken += off;
        }
        out.push((coupon.clone(), taken));
    }
    out
}

/// Shipping or fee lines as the order stores them (ids from `first_id`),
/// and the sum they add (a fee may be negative).
fn charged_lines(given: &Value, first_id: u64) -> (Vec<Value>, i64) {
    let mut sum = 0i64;
    let lines = given
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(k, l)| {
            let t = l["total"].as_str().unwrap_or("0");
            let c = cents(t.trim_start_matches('-')) as i64;
            let c = if t.starts_with('-') { -c } else { c };
            sum += c;
            let mut line = json!({"id": first_id + k as u64, "total": if c < 0 { format!("-{}", money(c.unsigned_abs())) } else { money(c as u64) }, "total_tax": "0.00", "taxes": [], "tax_status": "taxable", "meta_data": []});
            if l.get("method_id").is_some() {
                line["method_id"] = l["method_id"].clone();
                line["method_title"] = json!(l["method_title"].as_str().unwrap_or(""));
                line["instance_id"] = json!("");
            } else {
                line["name"] = l["name"].clone();
                line["tax_class"] = json!("");
                line["amount"] = json!("");
            }
            line
        })
        .collect();
    (lines, sum)
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

/// `POST /orders/batch`: at most 100 items; each update applied as
/// `PUT /orders/<id>` applies it, and an unknown id answered in its place
/// with WooCommerce's per-item error (the others still applied).
pub(super) fn batch_orders(ctx: &Ctx) -> Response<Body> {
    batch_update(
        ctx,
        "order.updated",
        apply_order_update,
        |item| json!({"id": item["id"], "error": {"code": "woocommerce_rest_shop_order_invalid_id", "message": "ID is invalid.", "data": {"status": 400}}}),
    )
}
