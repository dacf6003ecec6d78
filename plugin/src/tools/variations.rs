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
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| {
            let path = format!("/products/{}/variations", rest::num(args, "product_id"));
            page::list(store, &path, &rest::without(args, &["product_id"]))
        },
    },
    Tool {
        name: "get-product-variation",
        title: "Get a product variation",
        description: "Fetch one variation of a variable product: its price, SKU, stock, status and attribute options. A variation of another product, or none, is a `not-found` error.",
        annotations: Annotations::READ,
        schema: || {
            schema::object(
                json!({"product_id": product_id(), "id": {"type": "integer", "minimum": 1, "description": "The variation id."}}),
                &["product_id", "id"],
            )
        },
        output_schema: None,
        handler: |store, args| rest::get(store, path(args)),
    },
    Tool {
        name: "create-product-variation",
        title: "Create a product variation",
        description: "Add a variation to a variable product: the option it takes for each of the product's variation attributes (e.g. Size M), its price (a decimal string), SKU and stock. Returns the new variation.",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/{}/variations", rest::num(args, "product_id"));
            rest::write(store, Method::Post, path, rest::without(args, &["product_id"]))
        },
    },
    Tool {
        name: "update-product-variation",
        title: "Update a product variation",
        description: "Change one variation of a variable product: prices, SKU, stock or status.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| rest::write(store, Method::Put, path(args), rest::without(args, &["id", "product_id"])),
    },
    Tool {
        name: "delete-product-variation",
        title: "Delete a product variation",
        description: "Delete one variation of a variable product. Variations have a trash: by default the variation is moved to the trash (it leaves the product's variations and lists; a second call answers `woocommerce_rest_already_trashed`); with `force: true` it is deleted for good. Returns the variation as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || {
            schema::child_delete(
                "product_id",
                "The variable product the variation belongs to.",
                "The variation to delete.",
                schema::Trash::Has,
            )
        },
        output_schema: None,
        handler: |store, args| rest::delete(store, path(args), args),
    },
];

/// `/products/<product_id>/variations/<id>`.
fn path(args: &Value) -> String {
    format!("/products/{}/variations/{}", rest::num(args, "product_id"), rest::num(args, "id"))
}

fn product_id() -> Value {
    lit!({"type": "integer", "minimum": 1, "description": "The variable product the variation belongs to."})
}

fn list_schema() -> Value {
    let mut s = schema::children_list("product_id", "The variable product whose variations are listed.");
    let mut extra = schema::dates();
    extra["status"] = lit!({"type": "string", "enum": ["any", "draft", "pending", "private", "publish"], "description": "Only variations with this status (any: all but trashed)."});
    extra["sku"] = lit!({"type": "string", "maxLength": 200, "description": "One SKU or a comma list."});
    extra["stock_status"] = lit!({"type": "string", "enum": ["instock", "outofstock", "onbackorder"], "description": "Only variations with this stock status."});
    extra["on_sale"] = lit!({"type": "boolean", "description": "Only variations on sale (true) or not (false)."});
    extra["exclude"] = schema::exclude();
    extra["orderby"] = lit!({"type": "string", "enum": ["date", "id", "include", "title", "slug", "modified", "menu_order"], "description": "Sort by this field (default date)."});
    if let (Some(p), Value::Object(e)) = (s["properties"].as_object_mut(), extra) {
        p.extend(e);
    }
    s
}

/// The fields of a variation that the create and update tools set.
fn variation_fields() -> Value {
    let mut m = lit!({ "sku": {"type": "string", "maxLength": 100, "description": "The variation's SKU."},
            "manage_stock": {"type": "boolean", "description": "Track this variation's stock."}, "stock_quantity": {"type": "integer", "description": "Units in stock (with manage_stock)."},
            "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"], "description": "Publication status: draft, pending, private or publish."},
            "global_unique_id": {"type": "string", "maxLength": 100, "description": "GTIN, UPC, EAN or ISBN."}
    });
    m["regular_price"] = schema::decimal();
    m["sale_price"] = schema::decimal();
    m["meta_data"] = schema::meta_data();
    m
}

fn create_schema() -> Value {
    let mut p = variation_fields();
    p["product_id"] = product_id();
    p["attributes"] = lit!({"type": "array", "minItems": 1, "maxItems": 20, "description": "The option this variation takes for each variation attribute of its product.", "items": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The attribute's name, e.g. Size."},
        "option": {"type": "string", "minLength": 1, "maxLength": 200, "description": "This variation's value, e.g. M."}}, "required": ["name", "option"], "additionalProperties": false}});
    schema::object(p, &["product_id", "attributes"])
}

fn update_schema() -> Value {
    let mut p = variation_fields();
    p["product_id"] = product_id();
    p["id"] = lit!({"type": "integer", "minimum": 1, "description": "The variation id."});
    schema::object(p, &["product_id", "id"])
}
