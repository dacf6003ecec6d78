//! `/products`: lists (the `sku` filter also finds variations), creation,
//! updates and batches, and `GET /products/<id>` answering a variation too.

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    batch_too_large, cents, fields, filter_dates, filter_include, get_one, hook, json_response, list, list_param,
    merge, touch, wc_error,
};
use super::seed;
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

pub(super) fn list_products(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items: Vec<&Value> = d.products.iter().collect();
    if let Some(skus) = list_param(ctx, "sku") {
        let skus: Vec<String> = skus.iter().map(|s| s.to_lowercase()).collect();
        let hit = |v: &&Value| v["sku"].as_str().is_some_and(|s| skus.contains(&s.to_lowercase()));
        items.retain(hit);
        // WooCommerce's sku filter also finds variations.
        items.extend(d.variations.iter().map(|(_, v)| v).filter(hit));
    }
    let status = ctx.param("status").unwrap_or_else(|| "any".into());
    if status != "any" {
        items.retain(|p| p["status"] == status.as_str());
    } else {
        items.retain(|p| p["status"] != "trash");
    }
    if let Some(t) = ctx.param("type") {
        items.retain(|p| p["type"] == t.as_str());
    }
    if let Some(c) = ctx.param("category").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|p| p["categories"].as_array().is_some_and(|cs| cs.iter().any(|x| x["id"].as_u64() == Some(c))));
    }
    if let Some(t) = ctx.param("tag").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|p| p["tags"].as_array().is_some_and(|ts| ts.iter().any(|x| x["id"].as_u64() == Some(t))));
    }
    if let Some(slug) = ctx.param("slug") {
        items.retain(|p| p["slug"] == slug.as_str());
    }
    for flag in ["featured", "on_sale"] {
        if let Some(f) = ctx.param(flag) {
            let want = f == "true" || f == "1";
            items.retain(|p| p[flag].as_bool().unwrap_or(false) == want);
        }
    }
    if let Some(st) = ctx.param("stock_status") {
        items.retain(|p| p["stock_status"] == st.as_str());
    }
    // Price bounds compare the current price, in cents (a product without one is left out).
    let price = |p: &Value| p["price"].as_str().filter(|s| !s.is_empty()).map(cents);
    if let Some(min) = ctx.param("min_price") {
        items.retain(|p| price(p).is_some_and(|c| c >= cents(&min)));
    }
    if let Some(max) = ctx.param("max_price") {
        items.retain(|p| price(p).is_some_and(|c| c <= cents(&max)));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", false)
}

fn category_refs(d: &seed::Data, given: &Value) -> Value {
    let ids: Vec<u64> = given.as_array().into_iter().flatten().filter_map(|c| c["id"].as_u64()).collect();
    let ids = if ids.is_empty() { vec![15] } else { ids };
    Value::Array(
        ids.iter()
            .filter_map(|id| d.categories.iter().find(|c| c["id"].as_u64() == Some(*id)))
            .map(|c| json!({"id": c["id"], "name": c["name"], "slug": c["slug"]}))
            .collect(),
    )
}

fn new_product(d: &mut seed::Data, b: &Value) -> Value {
    let id = d.post_id();
    let now = now_secs();
    let ptype = b["type"].as_str().unwrap_or("simple").to_string();
    let price =
        b["sale_price"].as_str().filter(|s| !s.is_empty()).or(b["regular_price"].as_str()).unwrap_or("").to_string();
    let mut p = json!({
        "id": id, "name": b["name"].as_str().unwrap_or("Product"), "slug": format!("product-{id}"),
        "permalink": format!("https://store.example.test/product/product-{id}/"),
        "date_created": wc_date(now), "date_created_gmt": wc_date(now), "date_modified": wc_date(now), "date_modified_gmt": wc_date(now),
        "type": ptype, "status": b["status"].as_str().unwrap_or("publish"), "featured": false, "catalog_visibility": "visible",
        "description": b["description"].as_str().unwrap_or(""), "short_description": "", "sku": b["sku"].as_str().unwrap_or(""),
        "global_unique_id": b["global_unique_id"].as_str().unwrap_or(""),
        "price": if ptype == "variable" { String::new() } else { price.clone() }, "regular_price": b["regular_price"].as_str().unwrap_or(""),
        "sale_price": b["sale_price"].as_str().unwrap_or(""), "on_sale": false, "purchasable": !price.is_empty(), "total_sales": 0,
        "virtual": false, "downloadable": false, "manage_stock": b["manage_stock"].as_bool().unwrap_or(false),
        "stock_quantity": b["stock_quantity"].clone(), "stock_status": "instock", "categories": category_refs(d, &b["categories"]),
        "tags": [], "images": [], "attributes": b["attributes"].clone(), "default_attributes": [], "variations": [],
        "grouped_products": [], "menu_order": 0, "price_html": "", "related_ids": [], "meta_data": b["meta_data"].as_array().cloned().unwrap_or_default(), "brands": [],
        "parent_id": 0, "has_options": ptype == "variable",
    });
    if p["attributes"].is_null() {
        p["attributes"] = json!([]);
    }
    if p["stock_quantity"].is_null() {
        p["stock_quantity"] = Value::Null;
    }
    p
}

pub(super) fn create_product(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let p = new_product(&mut d, &b);
    d.products.push(p.clone());
    drop(d);
    hook(ctx, "product.created", &p);
    json_response(201, &p)
}

pub fn apply_product_update(d: &mut seed::Data, id: Option<u64>, b: &Value) -> Option<Value> {
    let cats = b.get("categories").map(|c| category_refs(d, c));
    let p = d.products.iter_mut().find(|p| p["id"].as_u64() == id)?;
    merge(
        p,
        b,
        &[
            "name",
            "status",
            "description",
            "sku",
            "regular_price",
            "sale_price",
            "stock_quantity",
            "manage_stock",
            "meta_data",
            "global_unique_id",
            "stock_status",
        ],
    );
    if let Some(c) = cats {
        p["categories"] = c;
    }
    // A managed stock sets the stock status, as WooCommerce does.
    if b.get("stock_quantity").is_some()
        && p["manage_stock"] == true
        && let Some(q) = p["stock_quantity"].as_i64()
    {
        p["stock_status"] = json!(if q > 0 { "instock" } else { "outofstock" });
    }
    if p["type"] != "variable" && (b.get("regular_price").is_some() || b.get("sale_price").is_some()) {
        let sale = p["sale_price"].as_str().unwrap_or("").to_string();
        p["price"] = if sale.is_empty() { p["regular_price"].clone() } else { json!(sale) };
        p["on_sale"] = json!(!sale.is_empty());
    }
    touch(p);
    Some(p.clone())
}

pub(super) fn update_product(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(p) = apply_product_update(&mut d, id, &b) else {
        return wc_error(400, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    };
    drop(d);
    hook(ctx, "product.updated", &p);
    json_response(200, &p)
}

pub(super) fn batch_products(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(refused) = batch_too_large(&b) {
        return refused;
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let mut created = vec![];
    for item in b["create"].as_array().into_iter().flatten() {
        let p = new_product(&mut d, item);
        d.products.push(p.clone());
        created.push(p);
    }
    let mut updated = vec![];
    for item in b["update"].as_array().into_iter().flatten() {
        let id = item["id"].as_u64();
        updated.push(apply_product_update(&mut d, id, item).unwrap_or_else(|| {
            json!({"id": id, "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}}})
        }));
    }
    json_response(200, &json!({"create": created, "update": updated}))
}

/// `GET /products/<id>` answers a variation too (type `variation`, with its
/// `parent_id`), as WooCommerce's `wc_get_product` does.
pub(super) fn get_product_or_variation(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let variation = ctx
        .state
        .data
        .read()
        .ok()
        .and_then(|d| d.variations.iter().find(|(_, v)| v["id"].as_u64() == id).map(|(_, v)| v.clone()));
    match variation {
        Some(v) => json_response(200, &fields(ctx, v)),
        None => get_one(ctx, "products", id, "woocommerce_rest_product_invalid_id", 404),
    }
}
