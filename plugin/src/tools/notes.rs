//! Order notes: what the shop writes on an order, privately or to the customer.

use super::registry::{Annotations, Tool};
use super::{rest, schema};
use crate::client::Method;
use serde_json::{Value, json};

/// The order-note tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "add-order-note",
    title: "Add an order note",
    description: "Add a note to an order; with customer_note true the customer sees it (and is emailed). Use it for shipment tracking details.",
    annotations: Annotations::ADD,
    schema: add_schema,
    output_schema: None,
    handler: |store, args| {
        let path = format!("/orders/{}/notes", rest::num(args, "order_id"));
        rest::write(store, Method::Post, path, rest::without(args, &["order_id"]))
    },
}];

fn add_schema() -> Value {
    schema::object(
        json!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order the note is added to."},
            "note": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "The note's text."},
            "customer_note": {"type": "boolean", "description": "Visible to (and emailed to) the customer."}
        }),
        &["order_id", "note"],
    )
}
