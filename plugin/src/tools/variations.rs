//! Product variations: the sizes, colours … of a variable product, each with
//! its own price, SKU and stock.

use super::registry::{Annotations, Tool};
use super::{output, page, rest, schema};
use crate::client::Method;
use serde_json::{Value, json};

/// The variation tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-product-variations",
        title: "List a product's variations",
        description: "List the variations of one variable product (price, SKU, stock, attributes). Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: || schema::children_list("product_id", "The variable product whose variations are listed."),
        output_schema: Some(output::listing),
        handler: |store, args| {
            let path = format!("/products/{}/variations", rest::num(args, "product_id"));
            page::list(store, &path, &rest::without(args, &["product_id"]))
        },
    },
    Tool {
        name: "update-product-variation",
        title: "Update a product variation",
        description: "Change one variation of a variable product: prices, SKU, stock or status.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/{}/variations/{}", rest::num(args, "product_id"), rest::num(args, "id"));
            rest::write(store, Method::Put, path, rest::without(args, &["id", "product_id"]))
        },
    },
];

fn update_schema() -> Value {
    schema::object(
        json!({
            "product_id": {"type": "integer", "minimum": 1, "description": "The variable product the variation belongs to."},
            "id": {"type": "integer", "minimum": 1, "description": "The variation id."},
            "regular_price": schema::decimal(), "sale_price": schema::decimal(), "sku": {"type": "string", "maxLength": 100, "description": "The variation's SKU."},
            "manage_stock": {"type": "boolean", "description": "Track this variation's stock."}, "stock_quantity": {"type": "integer", "description": "Units in stock (with manage_stock)."},
            "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"], "description": "Publication status: draft, pending, private or publish."},
            "global_unique_id": {"type": "string", "maxLength": 100, "description": "GTIN, UPC, EAN or ISBN."},
            "meta_data": schema::meta_data()
        }),
        &["product_id", "id"],
    )
}
