//! Stock: set one product's or variation's quantity, or push many stock
//! levels from the platform at once.

use super::registry::{Annotations, Store, Tool};
use super::{output, rest, schema};
use crate::client::{ApiRequest, Error, Method, RemoteError};
use crate::read;
use serde_json::{Value, json};

/// The stock tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "update-stock",
        title: "Set a stock quantity",
        description: "Set the stock quantity of a product or variation, found by product_id (and variation_id) or by SKU (which must match exactly one product or variation). Turns stock management on.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: update_stock,
    },
    Tool {
        name: "push-stock",
        title: "Send stock levels",
        description: "Send stock levels to the store: each item names one product or variation by SKU, product_id or variation_id and gives its quantity (stock management is turned on). All items are checked first; a SKU matching nothing or several records, or a record given twice, changes nothing and names the bad items. Sent 100 per batch request. Returns {updated, errors}.",
        annotations: Annotations::SET,
        schema: push_schema,
        output_schema: Some(output::push_stock),
        handler: |store, args| store.push_stock(&crate::push::stock_lines(&args["items"])?),
    },
];

fn update_schema() -> Value {
    schema::object(
        lit!({
            "quantity": {"type": "integer", "minimum": -1000000, "maximum": 1000000000, "description": "The new stock quantity (absolute, not a change)."},
            "product_id": {"type": "integer", "minimum": 1, "description": "The product (or, with variation_id, its parent)."},
            "variation_id": {"type": "integer", "minimum": 1, "description": "With product_id: that product's variation."},
            "sku": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Finds the product or variation by SKU; must match exactly one."}
        }),
        &["quantity"],
    )
}

fn push_schema() -> Value {
    let line = lit!({"type": "object", "properties": {
            "sku": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Must match exactly one product or variation (case-insensitive)."},
            "product_id": {"type": "integer", "minimum": 1, "description": "A simple product's id."},
            "variation_id": {"type": "integer", "minimum": 1, "description": "A variation's own id; its product is found for you."},
            "quantity": {"type": "integer", "minimum": -1000000, "maximum": 1000000000, "description": "The new stock quantity (absolute, not a change)."}
        },
        "required": ["quantity"], "additionalProperties": false,
        "oneOf": [{"required": ["sku"]}, {"required": ["product_id"]}, {"required": ["variation_id"]}]});
    schema::object(
        json!({"items": {"type": "array", "minItems": 1, "maxItems": 10000, "items": line, "description": "Stock levels, one per product or variation."}}),
        &["items"],
    )
}

/// Find the record (by ids, or by a SKU that must match exactly one), then
/// set its quantity with stock management on.
fn update_stock(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let quantity = args["quantity"].as_i64().unwrap_or(0);
    let body = json!({"manage_stock": true, "stock_quantity": quantity});
    let path = match (args["product_id"].as_u64(), args["variation_id"].as_u64(), args["sku"].as_str()) {
        (Some(p), Some(v), None) => format!("/products/{p}/variations/{v}"),
        (Some(p), None, None) => format!("/products/{p}"),
        (None, None, Some(sku)) => {
            let r = store.send(&ApiRequest::get(
                "/products",
                vec![("sku".into(), sku.to_string()), ("per_page".into(), "10".into())],
            ))?;
            let hits: Vec<&Value> =
                read::list(&r.body).iter().filter(|p| read::text(&p["sku"]).eq_ignore_ascii_case(sku)).collect();
            match hits.as_slice() {
                [] => {
                    return Err(Error::NotFound(RemoteError {
                        status: 404,
                        code: "sku_not_found".into(),
                        message: format!("no product or variation has SKU {sku:?}"),
                    }));
                }
                [one] => {
                    let id = read::id(&one["id"]).unwrap_or(0);
                    match read::id(&one["parent_id"]) {
                        Some(parent) if read::text(&one["type"]) == "variation" || parent > 0 => {
                            format!("/products/{parent}/variations/{id}")
                        }
                        _ => format!("/products/{id}"),
                    }
                }
                many => {
                    let ids: Vec<String> = many.iter().map(|p| read::text(&p["id"])).collect();
                    return Err(Error::invalid(
                        "sku",
                        format!("matches {} records ({}); use product_id/variation_id", many.len(), ids.join(", ")),
                    ));
                }
            }
        }
        (None, Some(_), _) => return Err(Error::invalid("variation_id", "needs product_id")),
        _ => {
            return Err(Error::invalid(
                "arguments",
                "give product_id (with variation_id for a variation) or sku, not both",
            ));
        }
    };
    rest::write(store, Method::Put, path, body)
}
