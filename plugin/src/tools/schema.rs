//! The schema parts tools share: paging, dates, ids, decimals, meta data and
//! addresses. Every tool's schema is an object that refuses unknown keys, so a
//! typo is an `invalid-input` naming it rather than a filter silently ignored.

use serde_json::{Value, json};

/// The JSON Schema dialect every tool schema declares.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An arguments object with these properties, of which `required` must be given.
pub(super) fn object(props: Value, required: &[&str]) -> Value {
    json!({"$schema": DIALECT, "type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// A list tool's arguments: WooCommerce's paging, search and sort parameters,
/// `all_pages`/`max_items`, and the tool's own filters in `extra`.
pub(super) fn list(extra: Value) -> Value {
    let mut props = json!({
        "page": {"type": "integer", "minimum": 1, "description": "Page number (1-based)."},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Items per page, at most 100."},
        "search": {"type": "string", "maxLength": 200},
        "include": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100},
        "orderby": {"type": "string", "enum": ["date", "id", "include", "title", "slug", "modified", "name"]},
        "order": {"type": "string", "enum": ["asc", "desc"]},
        "all_pages": {"type": "boolean", "description": "Walk every page and return all items."},
        "max_items": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "Guard for all_pages (default 10000)."}
    });
    if let (Value::Object(p), Value::Object(e)) = (&mut props, extra) {
        p.extend(e);
    }
    json!({"$schema": DIALECT, "type": "object", "properties": props, "additionalProperties": false})
}

/// A list with no filter of its own.
pub(super) fn plain_list() -> Value {
    list(json!({}))
}

/// The list of one parent record's children (a product's variations, an
/// order's refunds): the parent's id, `parent`, is required.
pub(super) fn children_list(parent: &str) -> Value {
    let mut s = list(json!({parent: {"type": "integer", "minimum": 1}}));
    s["required"] = json!([parent]);
    s
}

/// Arguments that are one record's id.
pub(super) fn id() -> Value {
    json!({"$schema": DIALECT, "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The record's WooCommerce id."}},
        "required": ["id"], "additionalProperties": false})
}

/// The creation and modification date filters of a list.
pub(super) fn dates() -> Value {
    json!({
        "after": {"type": "string", "format": "date-time", "description": "Created after, e.g. 2025-03-01T09:00:00 (UTC; a `Z` or `+01:00` offset is converted to UTC; a date without a time is refused, as WooCommerce does)."},
        "before": {"type": "string", "format": "date-time"},
        "modified_after": {"type": "string", "format": "date-time"},
        "modified_before": {"type": "string", "format": "date-time"}
    })
}

/// A money amount: WooCommerce takes prices and amounts as decimal strings.
pub(super) fn decimal() -> Value {
    json!({"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "A decimal string such as \"19.99\"."})
}

/// A record's `meta_data`: key/value entries.
pub(super) fn meta_data() -> Value {
    json!({"type": "array", "maxItems": 100, "items": {"type": "object", "properties": {"key": {"type": "string", "minLength": 1, "maxLength": 255}, "value": {}}, "required": ["key", "value"], "additionalProperties": false}})
}

/// A billing or shipping address.
pub(super) fn address() -> Value {
    let f = json!({"type": "string", "maxLength": 500});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "first_name": f, "last_name": f, "company": f, "address_1": f, "address_2": f, "city": f,
        "state": f, "postcode": f, "country": f, "email": f, "phone": f}})
}
