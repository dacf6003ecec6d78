//! `/orders/<id>/refunds` and `/refunds` (WooCommerce 9.0+): refunds, which
//! mark an order refunded once they cover its total and deliver the
//! order's `order.updated`. A refund has no trash: a delete needs
//! `force=true` (501 otherwise, as WooCommerce 11 answers).

use super::http::{Body, Ctx, now_secs};
use super::rest::{cents, filter_dates, filter_include, hook, json_response, list, touch, wc_error};
use super::seed::{Data, money};
use crate::dates::wc_date;
use http::Response;
use serde_json::{Value, json};

pub(super) fn list_refunds(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if let Some(oid) = order
        && !d.orders.iter().any(|o| o["id"].as_u64() == Some(oid))
    {
        return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.");
    }
    let items: Vec<Value> = d
        .refunds
        .iter()
        .filter(|(o, _)| order.is_none_or(|x| x == *o))
        .map(|(o, r)| {
            let mut r = r.clone();
            // Only the collection endpoint puts parent_id in each refund.
            if order.is_none() {
                r["parent_id"] = json!(o);
            }
            r
        })
        .collect();
    drop(d);
    let mut items = items;
    if let Err(r) = filter_dates(ctx, &mut items) {
        return *r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", true)
}

/// `DELETE /orders/<order>/refunds/<id>?force=true`: the refund record goes,
/// and with it its line in the order's `refunds` summary.
pub(super) fn delete_refund(ctx: &Ctx, order: Option<u64>, id: Option<u64>) -> Response<Body> {
    if !ctx.param("force").is_some_and(|f| f == "true" || f == "1") {
        return wc_error(
            501,
            "woocommerce_rest_trash_not_supported",
            "The shop_order_refund does not support trashing.",
        );
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.refunds.iter().position(|(o, r)| Some(*o) == order && r["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.");
    };
    let (oid, r) = d.refunds.remove(i);
    if let Some(o) = d.orders.iter_mut().find(|x| x["id"].as_u64() == Some(oid)) {
        if let Some(summary) = o["refunds"].as_array_mut() {
            summary.retain(|x| x["id"].as_u64() != id);
        }
        touch(o);
    }
    drop(d);
    json_response(200, &r)
}

pub(super) fn create_refund(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some((r, o)) = add_refund(&mut d, order, &b) else {
        return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.");
    };
    drop(d);
    // WooCommerce's `woocommerce_order_refunded` runs the order.updated webhooks.
    hook(ctx, "order.updated", &o);
    json_response(201, &r)
}

/// Record a refund of `order` (`amount`, `reason`): the refund, and the order
/// with it in its `refunds` summary (marked refunded once they cover its
/// total). `None` when there is no such order.
pub fn add_refund(d: &mut Data, order: Option<u64>, b: &Value) -> Option<(Value, Value)> {
    let oid = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o)))?;
    let amount = b["amount"].as_str().map(str::to_string).unwrap_or_else(|| "0.00".into());
    let rid = d.post_id();
    let now = wc_date(now_secs());
    let r = json!({"id": rid, "date_created": now, "date_created_gmt": now, "amount": money(cents(&amount)), "reason": b["reason"].as_str().unwrap_or(""), "refunded_by": 1, "refunded_payment": b["api_refund"].as_bool().unwrap_or(true), "meta_data": [], "line_items": [], "shipping_lines": [], "tax_lines": [], "fee_lines": []});
    d.refunds.push((oid, r.clone()));
    d.order_index.invalidate();
    let o = d.orders.iter_mut().find(|x| x["id"].as_u64() == Some(oid))?;
    let mut refunds = o["refunds"].as_array().cloned().unwrap_or_default();
    refunds.push(
        json!({"id": rid, "reason": r["reason"], "total": format!("-{}", r["amount"].as_str().unwrap_or("0.00"))}),
    );
    o["refunds"] = Value::Array(refunds);
    let total = cents(o["total"].as_str().unwrap_or("0"));
    let refunded: u64 = o["refunds"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| cents(x["total"].as_str().unwrap_or("0").trim_start_matches('-')))
        .sum();
    if refunded >= total {
        o["status"] = json!("refunded");
    }
    touch(o);
    Some((r, o.clone()))
}
