//! `/coupons`: the store's coupons, listed (the `list-coupons` tool reads
//! them), created and changed (the `coupon.*` webhooks fire, as on a real
//! store; trashing and restoring are in `trash.rs`).

use super::http::{Body, Ctx, now_secs};
use super::rest::{hook, json_response, list, merge, touch, wc_error};
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

/// The coupon fields an update may set.
const COUPON_FIELDS: &[&str] = &["code", "amount", "discount_type", "description", "date_expires", "meta_data"];

pub(super) fn list_coupons(ctx: &Ctx) -> Response<Body> {
    let items: Vec<Value> = ctx
        .state
        .data
        .read()
        .map(|d| d.coupons.iter().filter(|c| c["status"] != "trash").cloned().collect())
        .unwrap_or_default();
    list(ctx, items, "date", "desc", false)
}

pub(super) fn create_coupon(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
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
    let b = ctx.json_body();
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
