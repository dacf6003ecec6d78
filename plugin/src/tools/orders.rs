//! Orders: list, fetch and change them, and tell a customer their order shipped.

use super::registry::{Annotations, Store, Tool};
use super::{output, page, rest, schema};
use crate::client::{Error, Method};
use crate::push::Shipment;
use crate::read;
use serde_json::{Value, json};

/// The order tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-orders",
        title: "List orders",
        description: "List the store's orders, newest first unless `orderby`/`order` say otherwise. Filter by status (comma list), customer id, product id, creation dates (`after`/`before`) or modification dates (`modified_after`), all in UTC. Returns {items, page, per_page, total, total_pages}; set `all_pages` to fetch every page (bounded by `max_items`). Orders in `checkout-draft` are never listed by WooCommerce.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/orders", args),
    },
    Tool {
        name: "get-order",
        title: "Get an order",
        description: "Fetch one order by its id, with line items, billing/shipping, refunds summary and meta data. A missing order is a `not-found` error.",
        annotations: Annotations::READ,
        schema: schema::id,
        output_schema: None,
        handler: |store, args| rest::get(store, format!("/orders/{}", rest::num(args, "id"))),
    },
    Tool {
        name: "update-order",
        title: "Update an order",
        description: "Change one order: its status (which may email the customer and, for processing/completed, sets the paid date), the customer-visible note, or meta data (use a meta_data key as an idempotency marker). Returns the updated order.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            rest::write(store, Method::Put, format!("/orders/{}", rest::num(args, "id")), rest::without(args, &["id"]))
        },
    },
    Tool {
        name: "push-shipment",
        title: "Tell a customer their order shipped",
        description: "Tell the customer their order shipped: adds a customer-visible note with the carrier, tracking number and optional tracking URL, and sets the order to completed. Safe to repeat: a marker in the order's meta data makes a second call change nothing (`already_sent: true`).",
        annotations: Annotations::SET,
        schema: push_shipment_schema,
        output_schema: Some(output::push_shipment),
        handler: push_shipment,
    },
];

/// `list-orders`' arguments: paging, dates, status, customer and product.
pub(super) fn list_schema() -> Value {
    let mut extra = schema::dates();
    extra["status"] = json!({"type": "string", "maxLength": 500, "description": "One status or a comma list (pending, processing, on-hold, completed, cancelled, refunded, failed, any)."});
    extra["customer"] =
        json!({"type": "integer", "minimum": 0, "description": "Only this customer's orders (0: guest orders)."});
    extra["product"] =
        json!({"type": "integer", "minimum": 1, "description": "Only orders containing this product id."});
    schema::list(extra)
}

fn update_schema() -> Value {
    schema::object(
        json!({
            "id": {"type": "integer", "minimum": 1, "description": "The order to change."},
            "status": {"type": "string", "minLength": 1, "maxLength": 40, "description": "pending, processing, on-hold, completed, cancelled, refunded, failed, or a custom status."},
            "customer_note": {"type": "string", "maxLength": 5000, "description": "The note the customer left at checkout, as shown on the order."},
            "meta_data": schema::meta_data()
        }),
        &["id"],
    )
}

fn push_shipment_schema() -> Value {
    schema::object(
        json!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order that shipped."},
            "carrier": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The carrier, e.g. DHL or UPS."},
            "tracking_number": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The carrier's tracking number."},
            "tracking_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^\\s/]", "description": "A link where the customer can follow the parcel (http or https)."}
        }),
        &["order_id", "carrier", "tracking_number"],
    )
}

fn push_shipment(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    store.push_shipment(&Shipment {
        order_id: rest::num(args, "order_id"),
        carrier: read::text(&args["carrier"]),
        tracking_number: read::text(&args["tracking_number"]),
        tracking_url: args["tracking_url"].as_str().map(str::to_string),
    })
}
