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
    let mut props = {
        let mut m = lit!({
            "page": {"type": "integer", "minimum": 1, "description": "Page number (1-based)."},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Items per page, at most 100."},
            "search": {"type": "string", "maxLength": 200, "description": "Text to search for (WooCommerce matches it against names, emails, SKUs … of the resource)."},
            "include": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "description": "Only these ids (at most 100)."},
            "orderby": {"type": "string", "enum": ["date", "id", "include", "title", "slug", "modified", "name"], "description": "Sort by this field (WooCommerce's default is date for most resources)."},
            "order": {"type": "string", "enum": ["asc", "desc"], "description": "Sort direction: asc or desc (default desc)."},
            "all_pages": {"type": "boolean", "description": "Walk every page and return all items."},
            "max_items": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "Guard for all_pages (default 10000)."}
        });
        m["fields"] = fields();
        m
    };
    if let (Value::Object(p), Value::Object(e)) = (&mut props, extra) {
        p.extend(e);
    }
    json!({"$schema": DIALECT, "type": "object", "properties": props, "additionalProperties": false})
}

/// The `fields` argument: which top-level fields each record keeps (sent as
/// WooCommerce's `_fields`). `_links` is left out of results unless listed here.
pub(super) fn fields() -> Value {
    lit!({"type": "array", "maxItems": 100, "uniqueItems": true,
        "items": {"type": "string", "format": "field-name", "pattern": "^[A-Za-z0-9_.-]{1,100}$", "description": "A field name such as id, status or billing.email."},
        "description": "Only these fields of each record (WooCommerce's _fields), e.g. [\"id\", \"status\", \"total\"]; cuts what comes back. `_links` is returned only when listed."})
}

/// The list of one parent record's children (a product's variations, an
/// order's refunds): the parent's id, `parent`, is required; `what` describes it.
pub(super) fn children_list(parent: &str, what: &str) -> Value {
    let mut s = list(json!({parent: {"type": "integer", "minimum": 1, "description": what}}));
    s["required"] = json!([parent]);
    s
}

/// Arguments that are one record's id.
pub(super) fn id() -> Value {
    json!({"$schema": DIALECT, "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The record's WooCommerce id."}},
        "required": ["id"], "additionalProperties": false})
}

/// `exclude`: ids a list leaves out (WooCommerce's `exclude`).
pub(super) fn exclude() -> Value {
    lit!({"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "description": "Leave out these ids (at most 100)."})
}

/// Whether WooCommerce keeps a trash for a resource, which decides what a
/// delete without `force` does.
pub(super) enum Trash {
    /// Without `force` the record goes to the trash (orders, products,
    /// variations, coupons).
    Has,
    /// No trash (customers, notes, refunds): the store refuses a delete
    /// without `force` (501 `woocommerce_rest_trash_not_supported`), so
    /// `force` is required and must be true.
    None,
}

/// A delete tool's arguments: the record's `id` (`what` describes it) and `force`.
pub(super) fn delete(what: &str, trash: Trash) -> Value {
    let force = match trash {
        Trash::Has => {
            lit!({"type": "boolean", "description": "false (default): move it to the trash, from where the store's admin can restore it; true: delete it for good."})
        }
        Trash::None => {
            lit!({"type": "boolean", "enum": [true], "description": "Must be true: there is no trash for these, a delete is permanent (WooCommerce refuses a delete without force)."})
        }
    };
    let required: &[&str] = match trash {
        Trash::Has => &["id"],
        Trash::None => &["id", "force"],
    };
    object(json!({"id": {"type": "integer", "minimum": 1, "description": what}, "force": force}), required)
}

/// A delete of a record under a parent (an order's note, a product's
/// variation): `delete` plus the parent's id `parent`, described by `parent_what`.
pub(super) fn child_delete(parent: &str, parent_what: &str, what: &str, trash: Trash) -> Value {
    let mut s = delete(what, trash);
    s["properties"][parent] = json!({"type": "integer", "minimum": 1, "description": parent_what});
    if let Some(r) = s["required"].as_array_mut() {
        r.insert(0, json!(parent));
    }
    s
}

/// The creation and modification date filters of a list.
pub(super) fn dates() -> Value {
    lit!({
        "after": {"type": "string", "format": "date-time", "description": "Created after, e.g. 2025-03-01T09:00:00 (UTC; a `Z` or `+01:00` offset is converted to UTC; a date without a time is refused, as WooCommerce does)."},
        "before": {"type": "string", "format": "date-time", "description": "Created before this date-time (UTC, as `after`)."},
        "modified_after": {"type": "string", "format": "date-time", "description": "Last modified after this date-time (UTC, as `after`)."},
        "modified_before": {"type": "string", "format": "date-time", "description": "Last modified before this date-time (UTC, as `after`)."}
    })
}

/// A money amount: WooCommerce takes prices and amounts as decimal strings.
pub(super) fn decimal() -> Value {
    lit!({"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "A decimal string such as \"19.99\"."})
}

/// A record's `meta_data`: key/value entries.
pub(super) fn meta_data() -> Value {
    lit!({"type": "array", "maxItems": 100, "description": "Meta data entries to set; an entry whose key exists replaces its value.",
        "items": {"type": "object", "properties": {
            "key": {"type": "string", "minLength": 1, "maxLength": 255, "description": "The meta key."},
            "value": {"description": "The meta value: any JSON value."}},
        "required": ["key", "value"], "additionalProperties": false}})
}

/// The fields of a WooCommerce address, each with what it holds.
pub(super) const ADDRESS_FIELDS: [(&str, &str); 11] = [
    ("first_name", "First name."),
    ("last_name", "Last name."),
    ("company", "Company name."),
    ("address_1", "Street address, first line."),
    ("address_2", "Street address, second line."),
    ("city", "City."),
    ("state", "State or county code, e.g. CA."),
    ("postcode", "Postal code."),
    ("country", "ISO 3166-1 alpha-2 country code, e.g. US."),
    ("email", "Email address."),
    ("phone", "Phone number."),
];

/// A billing or shipping address; `what` says which.
pub(super) fn address(what: &str) -> Value {
    let props: serde_json::Map<String, Value> = ADDRESS_FIELDS
        .iter()
        .map(|(k, d)| (k.to_string(), json!({"type": "string", "maxLength": 500, "description": d})))
        .collect();
    json!({"type": "object", "additionalProperties": false, "properties": props, "description": what})
}
