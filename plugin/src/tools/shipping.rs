//! Shipping: zones (with their locations and methods) and shipping classes.

use super::registry::{Annotations, Store, Tool};
use super::{output, page, rest, schema};
use crate::client::{ApiRequest, Error};
use crate::read;
use serde_json::{Value, json};

/// The shipping tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-shipping-zones",
        title: "List shipping zones",
        description: "List every shipping zone, each with its `locations` (countries, states, postcodes, continents) and its `methods` (flat rate, free shipping, local pickup … with their settings and whether enabled). Zone 0, \"Locations not covered by your other zones\", is always there. WooCommerce does not page zones: the whole list comes back as one page, {items, page: 1, per_page, total, total_pages}. Costs 1 + 2 × zones requests (the zones, then every zone's locations and methods, sent concurrently). `fields` trims the zones (their id is always fetched).",
        annotations: Annotations::READ,
        schema: || schema::object(json!({"fields": schema::fields()}), &[]),
        output_schema: Some(output::listing),
        handler: list_zones,
    },
    Tool {
        name: "list-shipping-classes",
        title: "List shipping classes",
        description: "List the shipping classes products are put in (e.g. Bulky, Fragile), with how many products each has. Filter by search text, ids, slug, a product, or hide the empty ones. Returns {items, page, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: classes_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/products/shipping_classes", args),
    },
];

fn classes_schema() -> Value {
    let mut s = schema::list({
        let mut m = lit!({
            "hide_empty": {"type": "boolean", "description": "Leave out classes no product is in."},
            "product": {"type": "integer", "minimum": 1, "description": "Only the class of this product id."},
            "slug": {"type": "string", "maxLength": 200, "description": "Only the class with this slug."}
        });
        m["exclude"] = schema::exclude();
        m
    });
    s["properties"]["orderby"] = lit!({"type": "string", "enum": ["id", "include", "name", "slug", "term_group", "description", "count"], "description": "Sort by this field (default name)."});
    s["properties"]["order"]["description"] = lit!("Sort direction: asc (default) or desc.");
    s
}

/// The zones, then every zone's locations and methods in one concurrent batch.
fn list_zones(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let mut fields: Vec<String> = read::list(&args["fields"]).iter().map(read::text).collect();
    let asked_id = fields.is_empty() || fields.iter().any(|f| f == "id");
    if !asked_id {
        fields.push("id".into());
    }
    let keep_links = fields.iter().any(|f| f == "_links");
    let query = if fields.is_empty() { vec![] } else { vec![("_fields".to_string(), fields.join(","))] };
    let zones = store.send(&ApiRequest::get("/shipping/zones", query))?.body;
    let mut listing = rest::as_one_page(zones, keep_links)?;
    let Some(items) = listing["items"].as_array_mut() else { return Ok(listing) };
    let ids: Vec<u64> = items.iter().map(|z| read::id(&z["id"]).unwrap_or(0)).collect();
    let reqs: Vec<ApiRequest> = ids
        .iter()
        .flat_map(|id| {
            [
                ApiRequest::get(format!("/shipping/zones/{id}/locations"), vec![]),
                ApiRequest::get(format!("/shipping/zones/{id}/methods"), vec![]),
            ]
        })
        .collect();
    let mut answers = store.send_all(&reqs).into_iter();
    for zone in items.iter_mut() {
        for part in ["locations", "methods"] {
            let body = answers.next().ok_or_else(|| Error::Transport("a zone's answer is missing".into()))??.body;
            let mut list = read::list(&body).to_vec();
            if !keep_links {
                list.iter_mut().for_each(page::without_links);
            }
            zone[part] = Value::Array(list);
        }
        if !asked_id && let Some(m) = zone.as_object_mut() {
            m.remove("id");
        }
    }
    Ok(listing)
}
