//! Order refunds: list an order's refunds and record a new one.

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
        schema: || schema::children_list("order_id", "The order whose refunds are listed."),
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
];

fn create_schema() -> Value {
    schema::object(
        json!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order refunded."},
            "amount": schema::decimal(),
            "reason": {"type": "string", "maxLength": 1000, "description": "Why the refund was given (shown on the order)."},
            "api_refund": {"type": "boolean", "description": "Also refund through the payment gateway (default false: record the refund only)."}
        }),
        &["order_id", "amount"],
    )
}
