//! Product variations: the sizes, colours … of a variable product, each with
//! its own price, SKU and stock.

use super::registry::Tool;
use super::{page, rest, schema};
use crate::client::Method;
use serde_json::{Value, json};

/// The variation tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-product-variations",
        description: "List the variations of one variable product (price, SKU, stock, attributes). Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        schema: || schema::children_list("product_id"),
        handler: |store, args| {
            let path = format!("/products/{}/variations", rest::num(args, "product_id"));
            page::list(store, &path, &rest::without(args, &["product_id"]))
        },
    },
    Tool {
        name: "update-product-variation",
        description: "Change one variation of a variable product: prices, SKU, stock or status.",
        schema: update_schema,
        handler: |store, args| {
            let path = format!("/products/{}/variations/{}", rest::num(args, "product_id"), rest::num(args, "id"));
            rest::write(store, Method::Put, path, rest::without(args, &["id", "product_id"]))
        },
    },
];

fn update_schema() -> Value {
    schema::object(
        json!({
            "product_id": {"type": "integer", "minimum": 1},
            "id": {"type": "integer", "minimum": 1, "description": "The variation id."},
            "regular_price": schema::decimal(), "sale_price": schema::decimal(), "sku": {"type": "string", "maxLength": 100},
            "manage_stock": {"type": "boolean"}, "stock_quantity": {"type": "integer"},
            "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"]},
            "global_unique_id": {"type": "string", "maxLength": 100},
            "meta_data": schema::meta_data()
        }),
        &["product_id", "id"],
    )
}
