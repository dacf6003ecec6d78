//! `/orders/<id>/notes`: order notes, private or for the customer.

use super::http::{Body, Ctx, now_secs};
use super::rest::{json_response, wc_error};
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

pub(super) fn list_notes(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if !d.orders.iter().any(|o| o["id"].as_u64() == order) {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    }
    let notes: Vec<Value> = d.notes.iter().filter(|(o, _)| Some(*o) == order).map(|(_, n)| n.clone()).collect();
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
    let n = json!({"id": d.next_other_id, "author": "system", "date_created": now, "date_created_gmt": now, "note": text, "customer_note": b["customer_note"].as_bool().unwrap_or(false)});
    d.notes.push((oid, n.clone()));
    json_response(201, &n)
}
