//! The schemas of results with a fixed shape: a list page and the push and
//! batch summaries. `woo mcp` declares them as `outputSchema` and returns the
//! result as `structuredContent`, which must fit them; a record WooCommerce
//! shapes itself (an order, a product) has no output schema.

use serde_json::{Value, json};

/// The JSON Schema dialect every output schema declares.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A result object with these properties, of which `required` are always there.
/// Further keys are allowed: a result may gain a field without breaking a client.
fn result(props: Value, required: &[&str]) -> Value {
    json!({"$schema": DIALECT, "type": "object", "properties": props, "required": required})
}

/// Records as the store returned them (secrets redacted).
fn records(what: &str) -> Value {
    json!({"type": "array", "items": {"type": "object"}, "description": what})
}

/// Every list tool's result (`page::Listing::to_json`).
pub(super) fn listing() -> Value {
    result(
        json!({
            "items": records("The page's records, as WooCommerce returns them."),
            "page": {"type": "integer", "minimum": 0, "description": "The page number (1 when every page was walked)."},
            "per_page": {"type": "integer", "minimum": 0, "description": "Records per page asked for (100 when every page was walked)."},
            "total": {"type": "integer", "minimum": 0, "description": "Records in the whole list (WooCommerce's X-WP-Total)."},
            "total_pages": {"type": "integer", "minimum": 0, "description": "Pages in the whole list (WooCommerce's X-WP-TotalPages)."},
            "truncated": {"type": "boolean", "description": "With all_pages only: whether max_items stopped the walk before the end."}
        }),
        &["items", "page", "per_page", "total", "total_pages"],
    )
}

/// `push-stock`'s result (`crate::push::stock`).
pub(super) fn push_stock() -> Value {
    let updated = json!({"type": "object", "properties": {
        "id": {"description": "The product or variation id."},
        "type": {"description": "simple, variable, variation …"},
        "sku": {"description": "Its SKU."},
        "stock_quantity": {"description": "The quantity now in stock."},
        "stock_status": {"description": "instock, outofstock or onbackorder."}
    }});
    let error = json!({"type": "object", "properties": {
        "id": {"description": "The product or variation id the store refused."},
        "code": {"description": "WooCommerce's error code."},
        "message": {"description": "WooCommerce's error message."}
    }});
    result(
        json!({
            "updated": {"type": "array", "items": updated, "description": "The records whose stock was set."},
            "errors": {"type": "array", "items": error, "description": "The items the store refused, one entry each."}
        }),
        &["updated", "errors"],
    )
}

/// `push-shipment`'s result (`crate::push::shipment`).
pub(super) fn push_shipment() -> Value {
    result(
        json!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order told about."},
            "already_sent": {"type": "boolean", "description": "True when an earlier call had already sent this shipment: nothing changed."},
            "marker": {"type": "string", "description": "The order meta data key that records the shipment."},
            "note_id": {"description": "The id of the customer note that carries the tracking details."},
            "status": {"description": "The order's status after the call (completed)."}
        }),
        &["order_id", "already_sent", "marker"],
    )
}

/// `push-contact`'s result (`crate::push::contact`).
pub(super) fn push_contact() -> Value {
    result(
        json!({
            "contact_id": {"type": "string", "description": "The platform contact id, e.g. woo:customer:42."},
            "contact": {"type": ["object", "null"], "description": "The contact record as now stored by the platform."},
            "customer": {"type": "object", "description": "The updated WooCommerce customer."}
        }),
        &["contact_id", "customer"],
    )
}

/// `batch-update-products`' result.
pub(super) fn batch_update() -> Value {
    result(
        json!({
            "updated": records("The products as updated."),
            "errors": records("The items the store refused, each with its `error`."),
            "requests": {"type": "integer", "minimum": 0, "description": "Batch requests sent (100 items each)."}
        }),
        &["updated", "errors", "requests"],
    )
}
