//! `/coupons`: the store's coupons, listed (the `list-coupons` tool reads
//! them), created and changed (the `coupon.*` webhooks fire, as on a real
//! store; trashing and restoring are in `trash.rs`).

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    cents, filter_dates, filter_include, hook, invalid_param, json_response, list, merge, touch, wc_error,
};
use super::seed::money;
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

/// The coupon fields an update may set.
const COUPON_FIELDS: &[&str] = &[
    "code",
    "amount",
    "discount_type",
    "description",
    "date_expires",
    "date_expires_gmt",
    "individual_use",
    "product_ids",
    "excluded_product_ids",
    "usage_limit",
    "usage_limit_per_user",
    "limit_usage_to_x_items",
    "free_shipping",
    "product_categories",
    "excluded_product_categories",
    "exclude_sale_items",
    "minimum_amount",
    "maximum_amount",
    "email_restrictions",
    "meta_data",
];

/// The coupon's money fields, which the store answers with two decimals.
const AMOUNTS: [&str; 3] = ["amount", "minimum_amount", "maximum_amount"];

pub(super) fn list_coupons(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items: Vec<&Value> = d.coupons.iter().filter(|c| c["status"] != "trash").collect();
    // `code` is one exact code, in any letter case.
    if let Some(code) = ctx.param("code") {
        items.retain(|c| c["code"].as_str().is_some_and(|k| k.eq_ignore_ascii_case(&code)));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", false)
}

/// Refuse what WooCommerce's schema refuses, and write amounts as it does.
fn checked(mut b: Value) -> Result<Value, Box<Response<Body>>> {
    if let Some(t) = b.get("discount_type")
        && !matches!(t.as_str(), Some("percent" | "fixed_cart" | "fixed_product"))
    {
        let why = "discount_type is not one of percent, fixed_cart, and fixed_product.";
        return Err(Box::new(invalid_param("discount_type", why)));
    }
    for k in AMOUNTS {
        if let Some(a) = b[k].as_str() {
            b[k] = json!(money(cents(a)));
        }
    }
    // A day alone expires at its start (the simulated store's timezone is UTC).
    if let Some(day) = b["date_expires"].as_str() {
        let at = if day.len() == 10 { format!("{day}T00:00:00") } else { day.to_string() };
        b["date_expires"] = json!(at);
        b["date_expires_gmt"] = json!(at);
    }
    if let Some(code) = b["code"].as_str() {
        b["code"] = json!(code.to_lowercase());
    }
    Ok(b)
}

pub(super) fn create_coupon(ctx: &Ctx) -> Response<Body> {
    let b = match checked(ctx.json_body()) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
    let Some(code) = b["code"].as_str().filter(|c| !c.trim().is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): code");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    if d.coupons.iter().any(|c| c["code"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(code))) {
        return wc_error(400, "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists");
    }
    let id = d.post_id();
    let now = wc_date(now_secs());
    let mut c = json!({"id": id, "code": code.to_lowercase(), "amount": "0.00", "status": "publish", "date_created": now, "date_created_gmt": now, "date_modified": now, "date_modified_gmt": now, "discount_type": "fixed_cart", "description": "", "date_expires": null, "date_expires_gmt": null, "usage_count": 0, "individual_use": false, "product_ids": [], "excluded_product_ids": [], "usage_limit": null, "usage_limit_per_user": null, "limit_usage_to_x_items": null, "free_shipping": false, "product_categories": [], "excluded_product_categories": [], "exclude_sale_items": false, "minimum_amount": "0.00", "maximum_amount": "0.00", "email_restrictions": [], "used_by": [], "meta_data": []});
    merge(&mut c, &b, &COUPON_FIELDS[1..]);
    d.coupons.push(c.clone());
    drop(d);
    hook(ctx, "coupon.created", &c);
    json_response(201, &c)
}

pub(super) fn update_coupon(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = match checked(ctx.json_body()) {
        Ok(b) => b,
        Err(refused) => return *refused,
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(c) = d.coupons.iter_mut().find(|c| c["id"].as_u64() == id) else {
        return wc_error(400, "woocommerce_rest_shop_coupon_invalid_id", "Invalid ID.");
    };
    merge(c, &b, COUPON_FIELDS);
    touch(c);
    let c = c.clone();
    drop(d);
    hook(ctx, "coupon.updated", &c);
    json_response(200, &c)
}
