//! Order refunds: list an order's refunds, record a new one, delete one.

use super::registry::{Annotations, Tool};
use super::{output, page, rest, schema};
use crate::client::Method;
use serde_json::{Value, json};

/// The refund tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-order-refunds",
        title: "List an order's refunds",
        description: "List the refunds of one order (amount, reason, date). Returns {items, page, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| {
            let path = format!("/orders/{}/refunds", rest::num(args, "order_id"));
            page::list(store, &path, &rest::without(args, &["order_id"]))
        },
    },
    Tool {
        name: "create-order-refund",
        title: "Record an order refund",
        description: "Record a refund on an order: amount (decimal string) and reason. By default the money is not moved through the payment gateway (api_refund false).",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: |store, args| {
            let mut body = rest::without(args, &["order_id"]);
            // Moving money is never implied: the gateway refund must be asked for.
            body["api_refund"] = json!(args["api_refund"].as_bool().unwrap_or(false));
            rest::write(store, Method::Post, format!("/orders/{}/refunds", rest::num(args, "order_id")), body)
        },
    },
    Tool {
        name: "delete-order-refund",
        title: "Delete an order refund",
        description: "Delete one refund record of an order, for good: refunds have no trash, so `force` must be true. Only the record goes: money a gateway already paid back is not taken back, and the order's status is not changed back. Returns the refund as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || {
            schema::child_delete(
                "order_id",
                "The order the refund belongs to.",
                "The refund to delete.",
                schema::Trash::None,
            )
        },
        output_schema: None,
        handler: |store, args| {
            let path = format!("/orders/{}/refunds/{}", rest::num(args, "order_id"), rest::num(args, "id"));
            rest::delete(store, path, args)
        },
    },
];

fn list_schema() -> Value {
    let mut s = schema::children_list("order_id", "The order whose refunds are listed.");
    let dates = schema::dates();
    if let Some(p) = s["properties"].as_object_mut() {
        // Refunds are never modified: creation dates only.
        p.insert("after".into(), dates["after"].clone());
        p.insert("before".into(), dates["before"].clone());
        p.insert("exclude".into(), schema::exclude());
    }
    s
}

fn create_schema() -> Value {
    schema::object(
        {
            let mut m = lit!({
                "order_id": {"type": "integer", "minimum": 1, "description": "The order refunded."},
                "reason": {"type": "string", "maxLength": 1000, "description": "Why the refund was given (shown on the order)."},
                "api_refund": {"type": "boolean", "description": "Also refund through the payment gateway (default false: record the refund only)."}
            });
            m["amount"] = schema::decimal();
            m
        },
        &["order_id", "amount"],
    )
}
