//! Products: list, fetch, create, change and delete them, one at a time or in batches.

use super::registry::{Annotations, Store, Tool};
use super::{batch, output, page, rest, schema};
use crate::client::{ApiRequest, Error, Method};
use crate::read;
use serde_json::{Value, json};

/// The product tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-products",
        title: "List products",
        description: "List products (all types and statuses unless filtered). Filter by status, type, category id, SKU (comma list, case-insensitive, also finds variations), search text, or dates. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/products", args),
    },
    Tool {
        name: "get-product",
        title: "Get a product",
        description: "Fetch one product by id. For a variable product the result also carries `variations_detail`: every variation with its price, SKU, stock and attributes.",
        annotations: Annotations::READ,
        schema: schema::id,
        output_schema: None,
        handler: get_product,
    },
    Tool {
        name: "create-product",
        title: "Create a product",
        description: "Create a product. A simple product takes regular_price (a decimal string); a variable product takes attributes (with `variation: true`) and variations, each with its price and attribute options. Returns the product, with `variations_detail` for a variable one.",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: create_product,
    },
    Tool {
        name: "update-product",
        title: "Update a product",
        description: "Change one product: name, status, description, SKU, GTIN, prices (decimal strings), stock or categories. Returns the updated product.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/{}", rest::num(args, "id"));
            rest::write(store, Method::Put, path, product_body(args, &["id"]))
        },
    },
    Tool {
        name: "batch-update-products",
        title: "Update many products",
        description: "Update many products at once through WooCommerce's batch endpoint (100 per request; larger lists are split). Returns every updated product, and per-item errors.",
        annotations: Annotations::SET,
        schema: batch_schema,
        output_schema: Some(output::batch_update),
        handler: |store, args| {
            let items = read::list(&args["update"]).iter().map(|i| product_body(i, &[])).collect();
            batch::update(store, "/products/batch", items)
        },
    },
    Tool {
        name: "delete-product",
        title: "Delete a product",
        description: "Delete one product. Products have a trash: by default the product is moved to the trash (restorable in the store's admin; a second call answers `woocommerce_rest_already_trashed`); with `force: true` it is deleted for good, with its variations. Returns the product as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The product to delete.", schema::Trash::Has),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/products/{}", rest::num(args, "id")), args),
    },
];

fn list_schema() -> Value {
    let mut extra = schema::dates();
    extra["status"] = lit!({"type": "string", "enum": ["any", "draft", "pending", "private", "publish"], "description": "Only products with this status (any: all)."});
    extra["type"] = lit!({"type": "string", "enum": ["simple", "grouped", "external", "variable"], "description": "Only products of this type."});
    extra["category"] = lit!({"type": "integer", "minimum": 1, "description": "Only products in this category id."});
    extra["sku"] =
        lit!({"type": "string", "maxLength": 200, "description": "One SKU or a comma list; also finds variations."});
    extra["slug"] = lit!({"type": "string", "maxLength": 200, "description": "Only the product with this slug."});
    extra["featured"] =
        lit!({"type": "boolean", "description": "Only featured (true) or non-featured (false) products."});
    extra["on_sale"] = lit!({"type": "boolean", "description": "Only products on sale (true) or not on sale (false)."});
    extra["tag"] = lit!({"type": "integer", "minimum": 1, "description": "Only products with this tag id."});
    extra["stock_status"] = lit!({"type": "string", "enum": ["instock", "outofstock", "onbackorder"], "description": "Only products with this stock status."});
    extra["min_price"] = lit!({"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "Only products priced at least this (a decimal string)."});
    extra["max_price"] = lit!({"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "Only products priced at most this (a decimal string)."});
    extra["exclude"] = schema::exclude();
    extra["orderby"] = lit!({"type": "string", "enum": ["date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating", "menu_order"], "description": "Sort by this field (default date)."});
    schema::list(extra)
}

/// The fields of a product that the create, update and batch tools set.
fn product_fields() -> Value {
    let mut m = lit!({
        "name": {"type": "string", "minLength": 1, "maxLength": 500, "description": "The product's name."},
        "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"], "description": "Publication status: draft, pending, private or publish."},
        "description": {"type": "string", "maxLength": 100000, "description": "The full description (HTML allowed)."},
        "short_description": {"type": "string", "maxLength": 10000, "description": "The short description (HTML allowed)."},
        "sku": {"type": "string", "maxLength": 100, "description": "Stock-keeping unit; unique in the store."},
        "global_unique_id": {"type": "string", "maxLength": 100, "description": "GTIN, UPC, EAN or ISBN."},
        "manage_stock": {"type": "boolean", "description": "Track this product's stock."},
        "stock_quantity": {"type": "integer", "description": "Units in stock (with manage_stock)."},
        "categories": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 50, "description": "Category ids."}
    });
    m["regular_price"] = schema::decimal();
    m["sale_price"] = schema::decimal();
    m["meta_data"] = schema::meta_data();
    m
}

fn create_schema() -> Value {
    let mut p = product_fields();
    p["type"] =
        lit!({"type": "string", "enum": ["simple", "variable"], "description": "simple (default) or variable."});
    p["attributes"] = lit!({"type": "array", "maxItems": 20, "description": "Product attributes (e.g. Size with options S, M, L).", "items": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The attribute's name, e.g. Size."},
        "options": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}, "minItems": 1, "maxItems": 100, "description": "Its values, e.g. [\"S\", \"M\"]."},
        "variation": {"type": "boolean", "description": "Used for variations (default: true on a variable product)."},
        "visible": {"type": "boolean", "description": "Shown on the product page (default true)."}}, "required": ["name", "options"], "additionalProperties": false}});
    p["variations"] = json!({"type": "array", "maxItems": 100, "description": "A variable product's variations, created with it.", "items": {"type": "object", "properties": {
        "regular_price": schema::decimal(), "sale_price": schema::decimal(),
        "sku": {"type": "string", "maxLength": 100, "description": "The variation's SKU."},
        "manage_stock": {"type": "boolean", "description": "Track this variation's stock."},
        "stock_quantity": {"type": "integer", "description": "Units in stock (with manage_stock)."},
        "attributes": {"type": "array", "maxItems": 20, "description": "The option it takes for each variation attribute.", "items": {"type": "object", "properties": {
            "name": {"type": "string", "minLength": 1, "description": "The attribute's name, e.g. Size."},
            "option": {"type": "string", "minLength": 1, "description": "This variation's value, e.g. M."}}, "required": ["name", "option"], "additionalProperties": false}}},
        "required": ["attributes"], "additionalProperties": false}});
    schema::object(p, &["name"])
}

fn update_schema() -> Value {
    let mut p = product_fields();
    p["id"] = lit!({"type": "integer", "minimum": 1, "description": "The product to change."});
    schema::object(p, &["id"])
}

fn batch_schema() -> Value {
    let mut item = product_fields();
    item["id"] = lit!({"type": "integer", "minimum": 1, "description": "The product to change."});
    schema::object(
        json!({
            "update": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {"type": "object", "properties": item, "required": ["id"], "additionalProperties": false},
                "description": "Products to update; sent 100 per request."}
        }),
        &["update"],
    )
}

/// The product's body without `drop`; category ids become WooCommerce's `[{id}]`.
fn product_body(args: &Value, drop: &[&str]) -> Value {
    let mut b = rest::without(args, drop);
    if let Some(ids) = args["categories"].as_array() {
        b["categories"] = Value::Array(ids.iter().map(|id| json!({"id": id})).collect());
    }
    b
}

/// The product, with every variation of a variable one as `variations_detail`.
fn get_product(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let id = rest::num(args, "id");
    let mut p = rest::get(store, format!("/products/{id}"))?;
    if read::text(&p["type"]) == "variable" {
        let mut all = vec![];
        store.for_each_page(&format!("/products/{id}/variations"), &[], &mut |page| {
            all.extend(page.items);
            Ok(())
        })?;
        p["variations_detail"] = Value::Array(all);
    }
    Ok(p)
}

/// A simple product in one request; a variable one, then its variations
/// (concurrently), returned as `variations_detail`.
fn create_product(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let variable = args["type"].as_str() == Some("variable");
    if variable && args["attributes"].as_array().is_none_or(|a| a.is_empty()) {
        return Err(Error::invalid("attributes", "a variable product needs at least one attribute"));
    }
    if !variable && args.get("variations").is_some() {
        return Err(Error::invalid("variations", "only a variable product has variations"));
    }
    let mut body = product_body(args, &["variations"]);
    if let Some(attrs) = body["attributes"].as_array_mut() {
        for a in attrs {
            if a.get("variation").is_none() {
                a["variation"] = json!(variable);
            }
            if a.get("visible").is_none() {
                a["visible"] = lit!(true);
            }
        }
    }
    let mut product = rest::write(store, Method::Post, "/products".into(), body)?;
    if variable {
        let id = read::id(&product["id"])
            .ok_or_else(|| Error::Transport("the store returned a product without an id".into()))?;
        let reqs: Vec<ApiRequest> = read::list(&args["variations"])
            .iter()
            .map(|v| ApiRequest::write(Method::Post, format!("/products/{id}/variations"), v.clone()))
            .collect();
        let mut created = vec![];
        for r in store.send_all(&reqs) {
            created.push(r?.body);
        }
        product["variations_detail"] = Value::Array(created);
    }
    Ok(product)
}
