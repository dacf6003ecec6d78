//! `/shipping/zones` (with each zone's `locations` and `methods`) and
//! `/products/shipping_classes`.

use super::admin::whole;
use super::http::{Body, Ctx};
use super::rest::{fields, json_response, list, list_param, wc_error};
use http::Response;
use serde_json::{Value, json};

/// The zones, without their locations and methods (those have routes of their own).
pub(super) fn list_zones(ctx: &Ctx) -> Response<Body> {
    let zones: Vec<Value> = ctx
        .state
        .data
        .read()
        .map(|d| d.admin.zones.iter().map(|z| json!({"id": z["id"], "name": z["name"], "order": z["order"]})).collect())
        .unwrap_or_default();
    whole(ctx, "/shipping/zones", zones)
}

/// `/shipping/zones/<id>/locations` or `/methods`.
pub(super) fn zone_part(ctx: &Ctx, id: &str, part: &str) -> Response<Body> {
    let id: Option<u64> = id.parse().ok();
    let found = ctx
        .state
        .data
        .read()
        .ok()
        .and_then(|d| d.admin.zones.iter().find(|z| z["id"].as_u64() == id).map(|z| z[part].clone()));
    let Some(Value::Array(items)) = found else {
        return wc_error(404, "woocommerce_rest_shipping_zone_invalid", "Resource does not exist.");
    };
    let base = format!("/shipping/zones/{}/{part}", id.unwrap_or(0));
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut v| {
            v["_links"] =
                json!({"collection": [{"href": format!("{}://{}/wp-json/wc/v3{base}", ctx.scheme, ctx.host)}]});
            fields(ctx, v)
        })
        .collect();
    let n = items.len();
    let mut r = json_response(200, &Value::Array(items));
    r.headers_mut().insert("x-wp-total", n.to_string().parse().expect("number"));
    r.headers_mut().insert("x-wp-totalpages", usize::from(n > 0).to_string().parse().expect("number"));
    r
}

/// `/products/shipping_classes`: WooCommerce's term filters, by name ascending.
pub(super) fn list_classes(ctx: &Ctx) -> Response<Body> {
    let mut items: Vec<Value> = ctx.state.data.read().map(|d| d.admin.shipping_classes.clone()).unwrap_or_default();
    if ctx.param("hide_empty").as_deref() == Some("true") {
        items.retain(|c| c["count"].as_u64().unwrap_or(0) > 0);
    }
    if let Some(slug) = ctx.param("slug") {
        items.retain(|c| c["slug"].as_str() == Some(slug.as_str()));
    }
    if let Some(ids) = list_param(ctx, "exclude") {
        items.retain(|c| !ids.iter().any(|i| i.parse::<u64>().ok() == c["id"].as_u64()));
    }
    if ctx.param("product").is_some() {
        // Seeded products carry no shipping class.
        items.clear();
    }
    list(ctx, items, "name", "asc", false)
}
