//! `/orders/<id>/notes`: order notes, private or for the customer. As on
//! WooCommerce 11 the list is not paged (no `X-WP-Total`), takes a `type`
//! filter (any, customer, internal), and a note has no trash: a delete
//! without `force=true` is 501 (with WooCommerce's own wording, which
//! speaks of webhooks).

use super::http::{Body, Ctx, now_secs};
use super::rest::{fields, invalid_param, json_response, wc_error};
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

/// A note with the `_links` a real store gives it (self, collection, up).
fn with_links(ctx: &Ctx, order: u64, mut n: Value) -> Value {
    let base = format!("{}://{}/wp-json/wc/v3/orders/{order}", ctx.scheme, ctx.host);
    let id = n["id"].as_u64().unwrap_or(0);
    n["_links"] = json!({
        "self": [{"href": format!("{base}/notes/{id}"), "targetHints": {"allow": ["GET", "DELETE"]}}],
        "collection": [{"href": format!("{base}/notes")}],
        "up": [{"href": base}],
    });
    n
}

pub(super) fn list_notes(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let kind = ctx.param("type").unwrap_or_else(|| "any".into());
    let customer = match kind.as_str() {
        "any" => None,
        "customer" => Some(true),
        "internal" => Some(false),
        _ => return invalid_param("type", "type is not one of any, customer, and internal."),
    };
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let Some(oid) = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o))) else {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    };
    // Newest first, as WooCommerce lists them.
    let notes: Vec<Value> = d
        .notes
        .iter()
        .rev()
        .filter(|(o, n)| *o == oid && customer.is_none_or(|c| n["customer_note"] == c))
        .map(|(_, n)| fields(ctx, with_links(ctx, oid, n.clone())))
        .collect();
    json_response(200, &Value::Array(notes))
}

pub(super) fn create_note(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Some(text) = b["note"].as_str().filter(|s| !s.is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): note");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(oid) = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o))) else {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    };
    d.next_other_id += 1;
    let now = wc_date(now_secs());
    let n = json!({"id": d.next_other_id, "author": "WooCommerce", "date_created": now, "date_created_gmt": now, "note": text, "customer_note": b["customer_note"].as_bool().unwrap_or(false)});
    d.notes.push((oid, n.clone()));
    json_response(201, &with_links(ctx, oid, n))
}

/// `DELETE /orders/<order>/notes/<id>?force=true`.
pub(super) fn delete_note(ctx: &Ctx, order: Option<u64>, id: Option<u64>) -> Response<Body> {
    if !ctx.param("force").is_some_and(|f| f == "true" || f == "1") {
        return wc_error(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(oid) = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o))) else {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    };
    let Some(i) = d.notes.iter().position(|(o, n)| *o == oid && n["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_invalid_id", "Invalid resource ID.");
    };
    let (_, n) = d.notes.remove(i);
    drop(d);
    json_response(200, &with_links(ctx, oid, n))
}
