//! `/products/categories`: product categories with their product counts.

use super::http::{Body, Ctx};
use super::rest::{filter_include, json_response, list, wc_error};
use http::Response;
use serde_json::json;

pub(super) fn list_categories(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items = d.categories.clone();
    for c in &mut items {
        let id = c["id"].as_u64();
        let count = d
            .products
            .iter()
            .filter(|p| p["categories"].as_array().is_some_and(|cs| cs.iter().any(|x| x["id"].as_u64() == id)))
            .count();
        c["count"] = json!(count);
    }
    drop(d);
    filter_include(ctx, &mut items);
    list(ctx, items, "name", "asc", false)
}

pub(super) fn create_category(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Some(name) = b["name"].as_str().filter(|s| !s.is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): name");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    d.next_term_id += 1;
    let id = d.next_term_id;
    let c = json!({"id": id, "name": name, "slug": b["slug"].as_str().map(str::to_string).unwrap_or_else(|| format!("cat-{id}")), "parent": b["parent"].as_u64().unwrap_or(0), "description": "", "display": "default", "image": null, "menu_order": 0, "count": 0});
    d.categories.push(c.clone());
    json_response(201, &c)
}
