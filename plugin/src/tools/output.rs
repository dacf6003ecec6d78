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
        {
            let mut m = lit!({
                "page": {"type": "integer", "minimum": 0, "description": "The page number (1 when every page was walked)."},
                "per_page": {"type": "integer", "minimum": 0, "description": "Records per page asked for (100 when every page was walked)."},
                "total": {"type": "integer", "minimum": 0, "description": "Records in the whole list (WooCommerce's X-WP-Total)."},
                "total_pages": {"type": "integer", "minimum": 0, "description": "Pages in the whole list (WooCommerce's X-WP-TotalPages)."},
                "truncated": {"type": "boolean", "description": "With all_pages only: whether max_items stopped the walk before the end."}
            });
            m["items"] = records("The page's records, as WooCommerce returns them.");
            m
        },
        &["items", "page", "per_page", "total", "total_pages"],
    )
}

/// `push-stock`'s result (`crate::push::stock`).
pub(super) fn push_stock() -> Value {
    let updated = lit!({"type": "object", "properties": {
        "id": {"description": "The product or variation id."},
        "type": {"description": "simple, variable, variation …"},
        "sku": {"description": "Its SKU."},
        "stock_quantity": {"description": "The quantity now in stock."},
        "stock_status": {"description": "instock, outofstock or onbackorder."}
    }});
    let error = lit!({"type": "object", "properties": {
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
        lit!({
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
        lit!({
            "contact_id": {"type": "string", "description": "The platform contact id, e.g. woo:customer:42."},
            "contact": {"type": ["object", "null"], "description": "The contact record as now stored by the platform."},
            "customer": {"type": "object", "description": "The updated WooCommerce customer."}
        }),
        &["contact_id", "customer"],
    )
}

/// The result of every `batch-update-*` tool (`batch::update`).
pub(super) fn batch_update() -> Value {
    result(
        json!({
            "updated": records("The records as the store saved them."),
            "errors": records("The items the store refused, each with its `error`."),
            "requests": {"type": "integer", "minimum": 0, "description": "Batch requests sent (100 items each)."}
        }),
        &["updated", "errors", "requests"],
    )
}

/// `get-sales-report`'s result: WooCommerce's sales report object (its
/// one-element array unwrapped). Amounts are decimal strings, counts integers.
pub(super) fn sales_report() -> Value {
    let amount = |what: &str| json!({"type": ["string", "number"], "description": what});
    let count = |what: &str| json!({"type": "integer", "minimum": 0, "description": what});
    result(
        {
            let mut m = lit!({
                "totals_grouped_by": {"type": "string", "description": "day or month: how `totals` is keyed."},
                "totals": {"type": "object", "description": "Per day (YYYY-MM-DD) or month (YYYY-MM): sales, orders, items, tax, shipping, discount, customers, refunds."}
            });
            m["total_sales"] = amount("Gross sales in the period (decimal string).");
            m["net_sales"] = amount("Net sales: gross less refunds, taxes and shipping (decimal string).");
            m["average_sales"] = amount("Average net sales per day or month of the period (decimal string).");
            m["total_orders"] = count("Orders placed in the period.");
            m["total_items"] = count("Items sold in the period.");
            m["total_tax"] = amount("Tax charged (decimal string).");
            m["total_shipping"] = amount("Shipping charged (decimal string).");
            m["total_refunds"] = amount("Refunded amount (WooCommerce sends it as a number, the others as strings).");
            m["total_discount"] = amount("Discounts given (decimal string).");
            m["total_customers"] = count("New customers in the period.");
            m
        },
        &["total_sales", "net_sales", "total_orders", "total_items", "totals_grouped_by", "totals"],
    )
}

/// `get-top-sellers-report`'s result: WooCommerce's list, as `items`.
pub(super) fn top_sellers_report() -> Value {
    let seller = lit!({"type": "object", "properties": {
        "name": {"type": "string", "description": "The product's name."},
        "product_id": {"type": "integer", "description": "The product's id."},
        "quantity": {"type": "integer", "description": "Units sold in the period."}
    }});
    result(
        json!({"items": {"type": "array", "items": seller, "description": "Products by units sold in the period, most first."}}),
        &["items"],
    )
}

/// `get-totals-report`'s result: WooCommerce's counts, as `items`.
pub(super) fn totals_report() -> Value {
    let line = lit!({"type": "object", "properties": {
        "slug": {"type": "string", "description": "What is counted: an order status, a product type, a coupon type, paying/non_paying, rated_N_out_of_5."},
        "name": {"type": "string", "description": "Its name as the store shows it."},
        "total": {"type": "integer", "description": "How many."}
    }});
    result(
        json!({
            "report": {"type": "string", "description": "Which totals: orders, products, customers, coupons or reviews."},
            "items": {"type": "array", "items": line, "description": "One count per status, type or rating."}
        }),
        &["report", "items"],
    )
}
