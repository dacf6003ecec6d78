//! Variations of variable products: per parent (`/products/<id>/variations`)
//! and, on WooCommerce 10.3+, the `/variations` collection.

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    batch_update, fields, filter_dates, filter_include, hook, json_response, list, list_param, merge, touch, wc_error,
};
use super::seed;
use http::Response;
use serde_json::{Value, json};

/// The variation fields an update may set.
const VARIATION_FIELDS: &[&str] = &[
    "regular_price",
    "sale_price",
    "sku",
    "stock_quantity",
    "manage_stock",
    "meta_data",
    "status",
    "global_unique_id",
];

/// Apply an update to variation `id` of `parent` as WooCommerce does, alone
/// or in a batch: the fields, then `price` from a changed regular/sale
/// price, and the stock status from a quantity; saving a variation moves its
/// product's `date_modified_gmt` too. The variation changed, or `None`.
pub fn apply_variation_update(d: &mut seed::Data, parent: Option<u64>, id: Option<u64>, b: &Value) -> Option<Value> {
    let (_, v) = d.variations.iter_mut().find(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id)?;
    update_variation_fields(v, b);
    let v = v.clone();
    if let Some(p) = d.products.iter_mut().find(|p| p["id"].as_u64() == parent) {
        touch(p);
    }
    Some(v)
}

/// A variation's fields, price and stock status, as [`apply_variation_update`] sets them.
fn update_variation_fields(v: &mut Value, b: &Value) {
    merge(v, b, VARIATION_FIELDS);
    if b.get("regular_price").is_some() || b.get("sale_price").is_some() {
        let sale = v["sale_price"].as_str().unwrap_or("").to_string();
        v["price"] = if sale.is_empty() { v["regular_price"].clone() } else { json!(sale) };
        v["on_sale"] = json!(!sale.is_empty());
    }
    if b.get("stock_quantity").is_some()
        && let Some(q) = v["stock_quantity"].as_i64()
    {
        v["stock_status"] = json!(if q > 0 { "instock" } else { "outofstock" });
    }
    touch(v);
}

/// `POST /products/<id>/variations/batch` (updates): per-item errors, as a real store.
pub(super) fn batch_variations(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    // WooCommerce runs the product webhooks for each variation it saves.
    batch_update(
        ctx,
        "product.updated",
        |d, id, item| apply_variation_update(d, parent, id, item),
        |item| json!({"id": item["id"].as_u64(), "error": {"code": "woocommerce_rest_product_variation_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}}),
    )
}

pub(super) fn list_variations(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if let Some(pid) = parent
        && !d.products.iter().any(|p| p["id"].as_u64() == Some(pid))
    {
        return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    }
    // The collection endpoint filters by `parent` (a comma list), as WooCommerce 10.3+.
    let parents: Option<Vec<u64>> = if parent.is_none() {
        list_param(ctx, "parent").map(|l| l.iter().filter_map(|s| s.parse().ok()).collect())
    } else {
        None
    };
    let mut items: Vec<Value> = d
        .variations
        .iter()
        .filter(|(p, _)| parent.is_none_or(|x| x == *p) && parents.as_ref().is_none_or(|ps| ps.contains(p)))
        .map(|(_, v)| v.clone())
        .collect();
    drop(d);
    // `status` defaults to any, which leaves trashed variations out.
    match ctx.param("status").as_deref() {
        None | Some("any") => items.retain(|v| v["status"] != "trash"),
        Some(s) => items.retain(|v| v["status"] == s),
    }
    if let Some(skus) = list_param(ctx, "sku") {
        items.retain(|v| v["sku"].as_str().is_some_and(|s| skus.iter().any(|k| k.eq_ignore_ascii_case(s))));
    }
    if let Some(st) = ctx.param("stock_status") {
        items.retain(|v| v["stock_status"] == st.as_str());
    }
    if let Some(on_sale) = ctx.param("on_sale") {
        items.retain(|v| v["on_sale"].as_bool().unwrap_or(false) == (on_sale == "true" || on_sale == "1"));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", false)
}

pub(super) fn get_variation(ctx: &Ctx, parent: Option<u64>, id: Option<u64>) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| {
        d.variations.iter().find(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id).map(|(_, v)| v.clone())
    });
    match found {
        Some(v) => json_response(200, &fields(ctx, v)),
        None => wc_error(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID."),
    }
}

pub(super) fn create_variation(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(pid) = parent.filter(|p| d.products.iter().any(|x| x["id"].as_u64() == Some(*p))) else {
        return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    };
    let vid = d.post_id();
    let option = b["attributes"][0]["option"].as_str().unwrap_or("").to_string();
    let price = b["regular_price"].as_str().unwrap_or("").to_string();
    let mut v = seed::variation_json(vid, pid, b["sku"].as_str().unwrap_or(""), price, &option, now_secs());
    if let Some(attrs) = b["attributes"].as_array() {
        v["attributes"] = Value::Array(attrs.iter().map(|a| json!({"id": 0, "name": a["name"], "slug": a["name"].as_str().unwrap_or("").to_lowercase(), "option": a["option"]})).collect());
    }
    update_variation_fields(&mut v, &b);
    d.variations.push((pid, v.clone()));
    if let Some(p) = d.products.iter_mut().find(|x| x["id"].as_u64() == Some(pid)) {
        let mut ids = p["variations"].as_array().cloned().unwrap_or_default();
        ids.push(json!(vid));
        p["variations"] = Value::Array(ids);
        if p["price"].as_str().unwrap_or("").is_empty() {
            p["price"] = v["price"].clone();
        }
    }
    json_response(201, &v)
}

pub(super) fn update_variation(ctx: &Ctx, parent: Option<u64>, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(v) = apply_variation_update(&mut d, parent, id, &b) else {
        return wc_error(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
    };
    drop(d);
    hook(ctx, "product.updated", &v);
    json_response(200, &v)
}
