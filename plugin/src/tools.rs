//! The tool registry: name, description for an LLM, JSON Schema of the
//! arguments, and the handler. Arguments are validated before any request.

use crate::client::{ApiRequest, Client, Error, Method, Transport};
use crate::model;
use crate::env::Host;
use serde_json::{Map, Value, json};

/// The largest tool-argument JSON accepted, in bytes (1 MiB), by `call-tool`
/// and by `woo tool --args @FILE`.
pub const MAX_ARGUMENT_BYTES: usize = 1 << 20;

/// One tool as an agent sees it.
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: fn() -> Value,
}

fn list_schema(extra: Value) -> Value {
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
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": props, "additionalProperties": false})
}

fn id_schema() -> Value {
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
        "properties": {"id": {"type": "integer", "minimum": 1, "description": "The record's WooCommerce id."}},
        "required": ["id"], "additionalProperties": false})
}

fn dates() -> Value {
    json!({
        "after": {"type": "string", "format": "date-time", "description": "Created after, e.g. 2025-03-01T09:00:00 (UTC; a `Z` or `+01:00` offset is converted to UTC; a date without a time is refused, as WooCommerce does)."},
        "before": {"type": "string", "format": "date-time"},
        "modified_after": {"type": "string", "format": "date-time"},
        "modified_before": {"type": "string", "format": "date-time"}
    })
}

fn orders_schema() -> Value {
    let mut extra = dates();
    extra["status"] = json!({"type": "string", "maxLength": 500, "description": "One status or a comma list (pending, processing, on-hold, completed, cancelled, refunded, failed, any)."});
    extra["customer"] = json!({"type": "integer", "minimum": 0});
    extra["product"] = json!({"type": "integer", "minimum": 1});
    list_schema(extra)
}

fn products_schema() -> Value {
    let mut extra = dates();
    extra["status"] = json!({"type": "string", "enum": ["any", "draft", "pending", "private", "publish"]});
    extra["type"] = json!({"type": "string", "enum": ["simple", "grouped", "external", "variable"]});
    extra["category"] = json!({"type": "integer", "minimum": 1});
    extra["sku"] = json!({"type": "string", "maxLength": 200});
    list_schema(extra)
}

fn customers_schema() -> Value {
    list_schema(json!({
        "email": {"type": "string", "maxLength": 320},
        "role": {"type": "string", "maxLength": 100, "description": "customer (default), subscriber, administrator, … or all."}
    }))
}

fn plain_list_schema() -> Value {
    list_schema(json!({}))
}

fn object(props: Value, required: &[&str]) -> Value {
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": props, "required": required, "additionalProperties": false})
}

fn decimal() -> Value {
    json!({"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "A decimal string such as \"19.99\"."})
}

fn meta_data() -> Value {
    json!({"type": "array", "maxItems": 100, "items": {"type": "object", "properties": {"key": {"type": "string", "minLength": 1, "maxLength": 255}, "value": {}}, "required": ["key", "value"], "additionalProperties": false}})
}

fn address() -> Value {
    let f = json!({"type": "string", "maxLength": 500});
    json!({"type": "object", "additionalProperties": false, "properties": {
        "first_name": f, "last_name": f, "company": f, "address_1": f, "address_2": f, "city": f,
        "state": f, "postcode": f, "country": f, "email": f, "phone": f}})
}

fn update_order_schema() -> Value {
    object(json!({
        "id": {"type": "integer", "minimum": 1},
        "status": {"type": "string", "minLength": 1, "maxLength": 40, "description": "pending, processing, on-hold, completed, cancelled, refunded, failed, or a custom status."},
        "customer_note": {"type": "string", "maxLength": 5000},
        "meta_data": meta_data()
    }), &["id"])
}

fn product_fields() -> Value {
    json!({
        "name": {"type": "string", "minLength": 1, "maxLength": 500},
        "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"]},
        "description": {"type": "string", "maxLength": 100000},
        "short_description": {"type": "string", "maxLength": 10000},
        "sku": {"type": "string", "maxLength": 100},
        "global_unique_id": {"type": "string", "maxLength": 100, "description": "GTIN, UPC, EAN or ISBN."},
        "regular_price": decimal(),
        "sale_price": decimal(),
        "manage_stock": {"type": "boolean"},
        "stock_quantity": {"type": "integer"},
        "categories": {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 50, "description": "Category ids."},
        "meta_data": meta_data()
    })
}

fn create_product_schema() -> Value {
    let mut p = product_fields();
    p["type"] = json!({"type": "string", "enum": ["simple", "variable"], "description": "simple (default) or variable."});
    p["attributes"] = json!({"type": "array", "maxItems": 20, "items": {"type": "object", "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "options": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 200}, "minItems": 1, "maxItems": 100},
        "variation": {"type": "boolean"}, "visible": {"type": "boolean"}}, "required": ["name", "options"], "additionalProperties": false}});
    p["variations"] = json!({"type": "array", "maxItems": 100, "items": {"type": "object", "properties": {
        "regular_price": decimal(), "sale_price": decimal(), "sku": {"type": "string", "maxLength": 100},
        "manage_stock": {"type": "boolean"}, "stock_quantity": {"type": "integer"},
        "attributes": {"type": "array", "maxItems": 20, "items": {"type": "object", "properties": {"name": {"type": "string", "minLength": 1}, "option": {"type": "string", "minLength": 1}}, "required": ["name", "option"], "additionalProperties": false}}},
        "required": ["attributes"], "additionalProperties": false}});
    object(p, &["name"])
}

fn update_product_schema() -> Value {
    let mut p = product_fields();
    p["id"] = json!({"type": "integer", "minimum": 1});
    object(p, &["id"])
}

fn customer_fields() -> Value {
    json!({
        "email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 320},
        "first_name": {"type": "string", "maxLength": 200},
        "last_name": {"type": "string", "maxLength": 200},
        "username": {"type": "string", "maxLength": 60},
        "billing": address(),
        "shipping": address(),
        "meta_data": meta_data()
    })
}

fn create_customer_schema() -> Value {
    object(customer_fields(), &["email"])
}

fn update_customer_schema() -> Value {
    let mut p = customer_fields();
    p["id"] = json!({"type": "integer", "minimum": 1});
    object(p, &["id"])
}

fn variations_schema() -> Value {
    let mut s = list_schema(json!({"product_id": {"type": "integer", "minimum": 1}}));
    s["required"] = json!(["product_id"]);
    s
}

fn update_variation_schema() -> Value {
    object(json!({
        "product_id": {"type": "integer", "minimum": 1},
        "id": {"type": "integer", "minimum": 1, "description": "The variation id."},
        "regular_price": decimal(), "sale_price": decimal(), "sku": {"type": "string", "maxLength": 100},
        "manage_stock": {"type": "boolean"}, "stock_quantity": {"type": "integer"},
        "status": {"type": "string", "enum": ["draft", "pending", "private", "publish"]},
        "global_unique_id": {"type": "string", "maxLength": 100},
        "meta_data": meta_data()
    }), &["product_id", "id"])
}

fn refunds_schema() -> Value {
    let mut s = list_schema(json!({"order_id": {"type": "integer", "minimum": 1}}));
    s["required"] = json!(["order_id"]);
    s
}

fn create_refund_schema() -> Value {
    object(json!({
        "order_id": {"type": "integer", "minimum": 1},
        "amount": decimal(),
        "reason": {"type": "string", "maxLength": 1000},
        "api_refund": {"type": "boolean", "description": "Also refund through the payment gateway (default false: record the refund only)."}
    }), &["order_id", "amount"])
}

fn note_schema() -> Value {
    object(json!({
        "order_id": {"type": "integer", "minimum": 1},
        "note": {"type": "string", "minLength": 1, "maxLength": 10000},
        "customer_note": {"type": "boolean", "description": "Visible to (and emailed to) the customer."}
    }), &["order_id", "note"])
}

fn update_stock_schema() -> Value {
    object(json!({
        "quantity": {"type": "integer", "minimum": -1000000, "maximum": 1000000000},
        "product_id": {"type": "integer", "minimum": 1},
        "variation_id": {"type": "integer", "minimum": 1, "description": "With product_id: that product's variation."},
        "sku": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Finds the product or variation by SKU; must match exactly one."}
    }), &["quantity"])
}

fn push_stock_schema() -> Value {
    let line = json!({"type": "object", "properties": {
            "sku": {"type": "string", "minLength": 1, "maxLength": 100, "description": "Must match exactly one product or variation (case-insensitive)."},
            "product_id": {"type": "integer", "minimum": 1},
            "variation_id": {"type": "integer", "minimum": 1, "description": "A variation's own id; its product is found for you."},
            "quantity": {"type": "integer", "minimum": -1000000, "maximum": 1000000000}
        },
        "required": ["quantity"], "additionalProperties": false,
        "oneOf": [{"required": ["sku"]}, {"required": ["product_id"]}, {"required": ["variation_id"]}]});
    object(json!({"items": {"type": "array", "minItems": 1, "maxItems": 10000, "items": line}}), &["items"])
}

fn push_shipment_schema() -> Value {
    object(json!({
        "order_id": {"type": "integer", "minimum": 1},
        "carrier": {"type": "string", "minLength": 1, "maxLength": 100},
        "tracking_number": {"type": "string", "minLength": 1, "maxLength": 100},
        "tracking_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^\\s/]"}
    }), &["order_id", "carrier", "tracking_number"])
}

fn push_contact_schema() -> Value {
    let fields: serde_json::Map<String, Value> = crate::push::CONTACT_FIELDS.iter().map(|f| (f.to_string(), json!({"type": "string", "maxLength": 500}))).collect();
    object(json!({
        "contact_id": {"type": "string", "pattern": "^woo:(customer|guest):", "description": "The platform contact id, e.g. woo:customer:42 (guests cannot be updated)."},
        "set": {"type": "object", "minProperties": 1, "properties": fields, "additionalProperties": false,
            "description": "Fields to change: first_name, last_name, email, phone (the billing phone), billing.<field>, shipping.<field>."}
    }), &["contact_id", "set"])
}

fn batch_schema() -> Value {
    let mut item = product_fields();
    item["id"] = json!({"type": "integer", "minimum": 1});
    object(json!({
        "update": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {"type": "object", "properties": item, "required": ["id"], "additionalProperties": false},
            "description": "Products to update; sent 100 per request."}
    }), &["update"])
}

fn raw_schema() -> Value {
    json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
        "properties": {
            "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
            "path": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^[A-Za-z0-9._~/-]+$",
                "description": "Relative to /wp-json/wc/v3, e.g. /orders/42/notes: letters, digits and - . _ ~ / only (no query, no percent-encoding)."},
            "query": {"type": "object", "maxProperties": MAX_RAW_QUERY_KEYS,
                "description": "Query parameters (plain names such as per_page or include[]). Routing, method, envelope and authentication parameters (rest_route, _method, _envelope, _jsonp, _embed, _wpnonce, oauth_*, consumer_key, consumer_secret) are refused.",
                "additionalProperties": {"type": ["string", "integer", "boolean"], "maxLength": MAX_RAW_QUERY_VALUE}},
            "body": {"type": ["object", "array"]}
        },
        "required": ["method", "path"], "additionalProperties": false})
}

/// Every tool.
pub const TOOLS: &[Tool] = &[
    Tool { name: "list-orders", description: "List the store's orders, newest first unless `orderby`/`order` say otherwise. Filter by status (comma list), customer id, product id, creation dates (`after`/`before`) or modification dates (`modified_after`), all in UTC. Returns {items, page, per_page, total, total_pages}; set `all_pages` to fetch every page (bounded by `max_items`). Orders in `checkout-draft` are never listed by WooCommerce.", schema: orders_schema },
    Tool { name: "get-order", description: "Fetch one order by its id, with line items, billing/shipping, refunds summary and meta data. A missing order is a `not-found` error.", schema: id_schema },
    Tool { name: "list-products", description: "List products (all types and statuses unless filtered). Filter by status, type, category id, SKU (comma list, case-insensitive, also finds variations), search text, or dates. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.", schema: products_schema },
    Tool { name: "get-product", description: "Fetch one product by id. For a variable product the result also carries `variations_detail`: every variation with its price, SKU, stock and attributes.", schema: id_schema },
    Tool { name: "list-customers", description: "List registered customers. WooCommerce lists only role `customer` unless `role` is given (`all` for every role). There is no date filter on customers. Returns {items, page, per_page, total, total_pages}.", schema: customers_schema },
    Tool { name: "get-customer", description: "Fetch one registered customer by id (guests have no customer record; find them through their orders).", schema: id_schema },
    Tool { name: "list-coupons", description: "List coupons with their codes, amounts, discount types and usage limits. Returns {items, page, per_page, total, total_pages}.", schema: plain_list_schema },
    Tool { name: "list-categories", description: "List product categories (id, name, slug, parent, product count). Returns {items, page, per_page, total, total_pages}.", schema: plain_list_schema },
    Tool { name: "update-order", description: "Change one order: its status (which may email the customer and, for processing/completed, sets the paid date), the customer-visible note, or meta data (use a meta_data key as an idempotency marker). Returns the updated order.", schema: update_order_schema },
    Tool { name: "create-product", description: "Create a product. A simple product takes regular_price (a decimal string); a variable product takes attributes (with `variation: true`) and variations, each with its price and attribute options. Returns the product, with `variations_detail` for a variable one.", schema: create_product_schema },
    Tool { name: "update-product", description: "Change one product: name, status, description, SKU, GTIN, prices (decimal strings), stock or categories. Returns the updated product.", schema: update_product_schema },
    Tool { name: "create-customer", description: "Register a customer by email, with optional names and billing/shipping addresses. Fails if the email is already registered.", schema: create_customer_schema },
    Tool { name: "update-customer", description: "Change a registered customer: email, names, billing or shipping address. Guests have no customer record and cannot be updated.", schema: update_customer_schema },
    Tool { name: "list-product-variations", description: "List the variations of one variable product (price, SKU, stock, attributes). Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.", schema: variations_schema },
    Tool { name: "update-product-variation", description: "Change one variation of a variable product: prices, SKU, stock or status.", schema: update_variation_schema },
    Tool { name: "list-order-refunds", description: "List the refunds of one order (amount, reason, date). Returns {items, page, per_page, total, total_pages}.", schema: refunds_schema },
    Tool { name: "create-order-refund", description: "Record a refund on an order: amount (decimal string) and reason. By default the money is not moved through the payment gateway (api_refund false).", schema: create_refund_schema },
    Tool { name: "add-order-note", description: "Add a note to an order; with customer_note true the customer sees it (and is emailed). Use it for shipment tracking details.", schema: note_schema },
    Tool { name: "push-stock", description: "Send stock levels to the store: each item names one product or variation by SKU, product_id or variation_id and gives its quantity (stock management is turned on). All items are checked first; a SKU matching nothing or several records, or a record given twice, changes nothing and names the bad items. Sent 100 per batch request. Returns {updated, errors}.", schema: push_stock_schema },
    Tool { name: "push-shipment", description: "Tell the customer their order shipped: adds a customer-visible note with the carrier, tracking number and optional tracking URL, and sets the order to completed. Safe to repeat: a marker in the order's meta data makes a second call change nothing (`already_sent: true`).", schema: push_shipment_schema },
    Tool { name: "push-contact", description: "Update a registered customer from the platform contact (names, email, phone, billing/shipping address fields). Guests (woo:guest:…) have no customer and are refused. The stored contact is updated at once, and the store's echo of the change is not reported as a new change.", schema: push_contact_schema },
    Tool { name: "update-stock", description: "Set the stock quantity of a product or variation, found by product_id (and variation_id) or by SKU (which must match exactly one product or variation). Turns stock management on.", schema: update_stock_schema },
    Tool { name: "batch-update-products", description: "Update many products at once through WooCommerce's batch endpoint (100 per request; larger lists are split). Returns every updated product, and per-item errors.", schema: batch_schema },
    Tool { name: "raw-api-request", description: "Call any WooCommerce REST v3 endpoint of the connected store: method, a path relative to /wp-json/wc/v3 (e.g. `/orders/42/notes`), optional query object and JSON body. Use it only when no dedicated tool fits. Paths that could leave the store's API (absolute URLs, `//host`, `..`, backslashes, another API root, a query or fragment in the path, spaces or non-ASCII) are refused, and so are query parameters that change routing, method, envelope or authentication (`rest_route`, `_method`, `_envelope`, `_jsonp`, `_embed`, `_wpnonce`, `oauth_*`, `consumer_key`, `consumer_secret`).", schema: raw_schema },
];

/// Find a tool by name.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Validate `args` against a tool's schema (the subset our schemas use):
/// object type, required, additionalProperties, min/maxProperties, property
/// types, enum, minimum/maximum, minLength/maxLength, min/maxItems, items, and
/// the formats `decimal`, `email` and `date-time` (see `utc_date_time`).
pub fn validate(schema: &Value, args: &Value) -> Result<(), Error> {
    validate_at("", schema, args)
}

fn validate_at(path: &str, schema: &Value, v: &Value) -> Result<(), Error> {
    let field = if path.is_empty() { "arguments".to_string() } else { path.to_string() };
    let fail = |m: String| Err(Error::invalid(field.clone(), m));
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => whole_number(v).is_some(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            return fail(format!("must be {}, got {}", types.join(" or "), model::json_type_name(v)));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        return fail(format!("must be one of {}", list.join(", ")));
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return fail(format!("must be at least {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return fail(format!("must be at most {max}"));
        }
    }
    if let Some(s) = v.as_str() {
        match schema.get("format").and_then(Value::as_str) {
            Some("decimal") if model::normalize_decimal(s).is_none() || s.starts_with('-') => {
                return fail("must be a decimal string such as \"19.99\"".into());
            }
            Some("email") if !s.contains('@') || s.chars().any(char::is_whitespace) => {
                return fail("must be an email address".into());
            }
            Some("date-time") => {
                if let Err(m) = utc_date_time(s) {
                    return fail(m);
                }
            }
            _ => {}
        }
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            return fail(format!("must have at least {min} characters"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            return fail(format!("must have at most {max} characters"));
        }
    }
    if let Some(a) = v.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (a.len() as u64) < min
        {
            return fail(format!("must have at least {min} items"));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && a.len() as u64 > max
        {
            return fail(format!("must have at most {max} items"));
        }
        if let Some(items) = schema.get("items") {
            for (i, item) in a.iter().enumerate() {
                validate_at(&format!("{field}[{i}]"), items, item)?;
            }
        }
    }
    if let Some(obj) = v.as_object() {
        if let Some(min) = schema.get("minProperties").and_then(Value::as_u64)
            && (obj.len() as u64) < min
        {
            return fail(format!("must have at least {min} entries"));
        }
        if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
            && obj.len() as u64 > max
        {
            return fail(format!("must have at most {max} entries"));
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = req.as_str()
                && !obj.contains_key(name)
            {
                return Err(Error::invalid(join(path, name), "is required"));
            }
        }
        for (k, val) in obj {
            let sub = join(path, k);
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate_at(&sub, s, val)?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => return Err(Error::invalid(sub, "is not a known argument")),
                    Some(s @ Value::Object(_)) => validate_at(&sub, s, val)?,
                    _ => {}
                },
            }
        }
    }
    Ok(())
}

/// `v` as a JSON integer if it is one: JSON Schema counts a number with a
/// zero fractional part (`2.0`) as an integer, so one is accepted and used as
/// that integer (beyond the 64-bit range it is not).
fn whole_number(v: &Value) -> Option<Value> {
    if v.is_i64() || v.is_u64() {
        return Some(v.clone());
    }
    let f = v.as_f64().filter(|f| f.fract() == 0.0)?;
    // 2^64 and -2^63 are exact in f64; inside them the casts are exact too.
    if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
        Some(Value::from(f as u64))
    } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
        Some(Value::from(f as i64))
    } else {
        None
    }
}

/// `args` with every whole number where the schema wants an integer written
/// as an integer (`2.0` → `2`), so that tools read it as one.
fn whole_numbers_as_integers(schema: &Value, v: &Value) -> Value {
    let wants_integer = match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    };
    match v {
        Value::Number(_) if wants_integer => whole_number(v).unwrap_or_else(|| v.clone()),
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => Value::Array(items.iter().map(|i| whole_numbers_as_integers(item_schema, i)).collect()),
            None => v.clone(),
        },
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, val)| {
                    let sub = schema.get("properties").and_then(|p| p.get(k)).or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                    (k.clone(), sub.map_or_else(|| val.clone(), |s| whole_numbers_as_integers(s, val)))
                })
                .collect(),
        ),
        _ => v.clone(),
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() { k.to_string() } else { format!("{path}.{k}") }
}

/// Refuse any raw path that could leave the store's WooCommerce API.
pub fn check_raw_path(path: &str) -> Result<String, Error> {
    let bad = |m: &str| Err(Error::invalid("path", m));
    if path.chars().any(|c| c.is_control()) {
        return bad("must not contain control characters (CR/LF …)");
    }
    if path.contains('\\') {
        return bad("must not contain backslashes");
    }
    if path.contains("://") || path.to_ascii_lowercase().starts_with("http") && path.contains(':') {
        return bad("must be relative to /wp-json/wc/v3, not an absolute URL");
    }
    if path.starts_with("//") {
        return bad("must not start with `//` (another host)");
    }
    if path.contains('?') || path.contains('#') {
        return bad("must not carry a query or fragment: use `query`");
    }
    let p = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    let decoded = percent_decode_lossy(&p);
    for seg in decoded.split('/') {
        if seg == ".." || seg == "." {
            return bad("must not contain `.` or `..` segments");
        }
    }
    if decoded.contains('\\') || decoded.chars().any(|c| c.is_control()) || decoded.contains("//") {
        return bad("must not contain encoded backslashes, control characters or empty segments");
    }
    if decoded.to_ascii_lowercase().contains("wp-json") || decoded.starts_with("/wc/") || decoded.starts_with("/wp/") {
        return bad("must be relative to /wp-json/wc/v3 (another API root is not reachable)");
    }
    if p.contains('%') {
        return bad("must not contain percent-encoded characters");
    }
    // WooCommerce's routes are ids and `[\w-]` slugs: anything else (a space,
    // U+2028, non-ASCII) is a mistake that no store could answer, and some of
    // it cannot even be put on the wire.
    if let Some(c) = p.chars().find(|c| !is_raw_path_char(*c)) {
        return Err(Error::invalid("path", format!("may hold only letters, digits and - . _ ~ / (found {:?})", c)));
    }
    Ok(p)
}

fn is_raw_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '/')
}

/// Most query parameters a raw request may carry.
const MAX_RAW_QUERY_KEYS: u64 = 50;
/// Longest value of one raw query parameter (a 100-id `include` is ~1,000).
const MAX_RAW_QUERY_VALUE: u64 = 2000;

/// Query parameters that are not the endpoint's but WordPress's or the
/// authentication's: each would change which route answers, with which
/// method, in which envelope, or as whom. WordPress reads them from `$_GET`
/// (`class-wp-rest-server.php`, `rest-api.php`, `class-wp.php`) and
/// WooCommerce reads its credentials there too (`class-wc-rest-authentication.php`).
const RESERVED_QUERY_PARAMS: &[(&str, &str)] = &[
    ("rest_route", "chooses the route whatever the path says (it reaches /wp/v2/users)"),
    ("_method", "overrides the HTTP method"),
    ("_envelope", "wraps the answer in an envelope"),
    ("_jsonp", "turns the answer into a JavaScript callback"),
    ("_embed", "makes WordPress run the linked routes too, some outside /wc/v3 (a review's reviewer is /wp/v2/users/N)"),
    ("_wpnonce", "is cookie authentication"),
    ("_ajax_nonce", "is cookie authentication"),
    ("consumer_key", "is authentication: the connection signs every request itself"),
    ("consumer_secret", "is authentication: the connection signs every request itself"),
];

/// Refuse a raw query parameter name that is not a plain name, or that is a
/// routing, method, envelope or authentication parameter.
///
/// A plain name is `[A-Za-z0-9_-]+` with optional PHP array brackets
/// (`include[]`, `a[b]`). That rules out by construction every spelling PHP
/// would turn back into a reserved name: percent-encoding (`rest%5Froute`),
/// `.` or a space (PHP reads `rest.route` as `rest_route`), an unclosed `[`, and
/// `&`, `=`, `#` that would smuggle a second parameter. The reserved names are
/// compared on the part before any bracket, in any letter case.
pub fn check_query_key(key: &str) -> Result<(), Error> {
    let field = || format!("query.{}", key.chars().take(100).collect::<String>().escape_debug());
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut plain = !base.is_empty() && base.chars().all(name_char) && key.len() <= 100;
    while plain && !rest.is_empty() {
        match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((inner, after)) if inner.chars().all(name_char) => rest = after,
            _ => plain = false,
        }
    }
    if !plain {
        return Err(Error::invalid(field(), "must be a plain parameter name: letters, digits, `_`, `-`, optionally `[…]` (at most 100 characters)"));
    }
    let base = base.to_ascii_lowercase();
    if base.starts_with("oauth_") {
        return Err(Error::invalid(field(), "is OAuth authentication: the connection signs every request itself"));
    }
    if let Some((_, why)) = RESERVED_QUERY_PARAMS.iter().find(|(name, _)| *name == base) {
        return Err(Error::invalid(field(), format!("is refused: it {why}")));
    }
    Ok(())
}

/// A raw request's query: every name checked (`check_query_key`), values as
/// text without control characters. Names and values are percent-encoded
/// when the request is built, so a value cannot add a parameter either.
pub fn raw_query(query: &Map<String, Value>) -> Result<Vec<(String, String)>, Error> {
    query
        .iter()
        .map(|(k, v)| {
            check_query_key(k)?;
            let text = model::text(v);
            if text.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
                return Err(Error::invalid(format!("query.{k}"), "must not contain control characters or line separators"));
            }
            Ok((k.clone(), text))
        })
        .collect()
}

/// A date-time argument as WooCommerce reads it, turned into the plain UTC
/// `YYYY-MM-DDTHH:MM:SS` the list filters are sent with (`dates_are_gmt=true`,
/// SPEC §10: a `Z` or offset sent along would be shifted by the site's offset
/// again, so it is applied here instead).
///
/// Accepted: what WordPress's `rest_parse_date` accepts,
/// `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH[:MM]]`, with a real calendar date
/// and time. A date without a time is refused, as the store refuses it (400);
/// a fraction is dropped (the filters compare whole seconds).
pub fn utc_date_time(s: &str) -> Result<String, String> {
    let example = "a date-time such as 2025-03-01T09:00:00 (UTC, or with Z / +01:00)";
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (year, month, day) = match (digits(0, 4), at(4, b'-'), digits(5, 2), at(7, b'-'), digits(8, 2)) {
        (Some(y), true, Some(m), true, Some(d)) => (y, m, d),
        _ => return Err(format!("must be {example}")),
    };
    if b.len() == 10 {
        return Err(format!("needs a time as well: WooCommerce refuses a date alone (write {s}T00:00:00)"));
    }
    let (hour, minute, second) = match (matches!(b.get(10), Some(b'T' | b't' | b' ')), digits(11, 2), at(13, b':'), digits(14, 2), at(16, b':'), digits(17, 2)) {
        (true, Some(h), true, Some(m), true, Some(s)) => (h, m, s),
        _ => return Err(format!("must be {example}")),
    };
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(format!("must be {example}"));
        }
        i += 1 + n;
    }
    let offset_minutes = match &b[i.min(b.len())..] {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let hours = digits(i + 1, 2);
            let minutes = match b.len() - i {
                3 => Some(0),
                6 if b[i + 3] == b':' => digits(i + 4, 2),
                _ => None,
            };
            match (hours, minutes) {
                (Some(h), Some(m)) if h <= 23 && m <= 59 => (h * 60 + m) * if *sign == b'-' { -1 } else { 1 },
                _ => return Err(format!("has an offset that is not ±HH or ±HH:MM: must be {example}")),
            }
        }
        _ => return Err(format!("must be {example}")),
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 || second > 59 {
        return Err(format!("is not a real date and time: must be {example}"));
    }
    let t = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    let (y, mo, d) = crate::env::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    if !(1..=9999).contains(&y) {
        return Err(format!("is out of range: must be {example}"));
    }
    Ok(format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}


fn percent_decode_lossy(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // By byte, never by str slice: `%` may be followed by a multi-byte character.
        if b[i] == b'%'
            && let (Some(hi), Some(lo)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Run a tool. `args` is the JSON object of arguments. Secrets the store
/// echoes (a webhook's `secret`, API keys) are redacted from the result: an
/// agent never needs them and must not be able to leak them.
pub fn call<T: Transport>(client: &mut Client<T>, host: &mut impl Host, name: &str, args: &Value) -> Result<Value, Error> {
    let mut out = run_tool(client, host, name, args)?;
    redact_secrets(&mut out);
    Ok(out)
}

/// Fields whose values are secrets wherever they appear in store JSON.
const SECRET_FIELDS: [&str; 4] = ["secret", "consumer_secret", "consumer_key", "webhook_secret"];

/// Replace every non-empty secret field, at any depth, by `"[redacted]"`.
pub fn redact_secrets(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && child.as_str().is_some_and(|s| !s.is_empty()) {
                    *child = Value::String("[redacted]".into());
                } else {
                    redact_secrets(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

fn run_tool<T: Transport>(client: &mut Client<T>, host: &mut impl Host, name: &str, args: &Value) -> Result<Value, Error> {
    let tool = find(name).ok_or_else(|| Error::invalid("name", format!("there is no tool `{name}`")))?;
    let schema = (tool.schema)();
    let args = &whole_numbers_as_integers(&schema, args);
    validate(&schema, args)?;
    let id = || args["id"].as_u64().unwrap_or(0);
    match name {
        "list-orders" => list(client, "/orders", args),
        "list-products" => list(client, "/products", args),
        "list-customers" => list(client, "/customers", args),
        "list-coupons" => list(client, "/coupons", args),
        "list-categories" => list(client, "/products/categories", args),
        "get-order" => Ok(client.send(&ApiRequest::get(format!("/orders/{}", id()), vec![]))?.body),
        "get-customer" => Ok(client.send(&ApiRequest::get(format!("/customers/{}", id()), vec![]))?.body),
        "get-product" => get_product(client, id()),
        "raw-api-request" => raw(client, args),
        "update-order" => write(client, Method::Put, format!("/orders/{}", id()), body_without(args, &["id"])),
        "create-product" => create_product(client, args),
        "update-product" => write(client, Method::Put, format!("/products/{}", id()), product_body(args, &["id"])),
        "create-customer" => write(client, Method::Post, "/customers".into(), body_without(args, &[])),
        "update-customer" => write(client, Method::Put, format!("/customers/{}", id()), body_without(args, &["id"])),
        "list-product-variations" => list(client, &format!("/products/{}/variations", num(args, "product_id")), &without(args, &["product_id"])),
        "update-product-variation" => write(client, Method::Put, format!("/products/{}/variations/{}", num(args, "product_id"), id()), body_without(args, &["id", "product_id"])),
        "list-order-refunds" => list(client, &format!("/orders/{}/refunds", num(args, "order_id")), &without(args, &["order_id"])),
        "create-order-refund" => {
            let mut b = body_without(args, &["order_id"]);
            b["api_refund"] = json!(args["api_refund"].as_bool().unwrap_or(false));
            write(client, Method::Post, format!("/orders/{}/refunds", num(args, "order_id")), b)
        }
        "add-order-note" => write(client, Method::Post, format!("/orders/{}/notes", num(args, "order_id")), body_without(args, &["order_id"])),
        "update-stock" => update_stock(client, args),
        "push-stock" => crate::push::stock(client, &crate::push::stock_lines(&args["items"])?),
        "push-shipment" => crate::push::shipment(
            client,
            &crate::push::Shipment {
                order_id: num(args, "order_id"),
                carrier: model::text(&args["carrier"]),
                tracking_number: model::text(&args["tracking_number"]),
                tracking_url: args["tracking_url"].as_str().map(str::to_string),
            },
        ),
        "push-contact" => crate::push::contact(client, host, args["contact_id"].as_str().unwrap_or(""), args["set"].as_object().unwrap_or(&Map::new())),
        "batch-update-products" => batch_update_products(client, args),
        _ => Err(Error::invalid("name", format!("there is no tool `{name}`"))),
    }
}

fn num(args: &Value, k: &str) -> u64 {
    args[k].as_u64().unwrap_or(0)
}

fn without(args: &Value, keys: &[&str]) -> Value {
    let mut v = args.clone();
    if let Some(m) = v.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

fn body_without(args: &Value, keys: &[&str]) -> Value {
    without(args, keys)
}

/// Category ids become WooCommerce's `[{id}]`.
fn product_body(args: &Value, drop: &[&str]) -> Value {
    let mut b = without(args, drop);
    if let Some(ids) = args["categories"].as_array() {
        b["categories"] = Value::Array(ids.iter().map(|id| json!({"id": id})).collect());
    }
    b
}

fn write<T: Transport>(client: &mut Client<T>, method: Method, path: String, body: Value) -> Result<Value, Error> {
    Ok(client.send(&ApiRequest::write(method, path, body))?.body)
}

fn create_product<T: Transport>(client: &mut Client<T>, args: &Value) -> Result<Value, Error> {
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
                a["visible"] = json!(true);
            }
        }
    }
    let mut product = write(client, Method::Post, "/products".into(), body)?;
    if variable {
        let id = model::id(&product["id"]).ok_or_else(|| Error::Transport("the store returned a product without an id".into()))?;
        let reqs: Vec<ApiRequest> = model::list(&args["variations"])
            .iter()
            .map(|v| ApiRequest::write(Method::Post, format!("/products/{id}/variations"), v.clone()))
            .collect();
        let mut created = vec![];
        for r in client.send_all(&reqs) {
            created.push(r?.body);
        }
        product["variations_detail"] = Value::Array(created);
    }
    Ok(product)
}

fn update_stock<T: Transport>(client: &mut Client<T>, args: &Value) -> Result<Value, Error> {
    let quantity = args["quantity"].as_i64().unwrap_or(0);
    let body = json!({"manage_stock": true, "stock_quantity": quantity});
    let path = match (args["product_id"].as_u64(), args["variation_id"].as_u64(), args["sku"].as_str()) {
        (Some(p), Some(v), None) => format!("/products/{p}/variations/{v}"),
        (Some(p), None, None) => format!("/products/{p}"),
        (None, None, Some(sku)) => {
            let r = client.send(&ApiRequest::get("/products", vec![("sku".into(), sku.to_string()), ("per_page".into(), "10".into())]))?;
            let hits: Vec<&Value> = model::list(&r.body).iter().filter(|p| model::text(&p["sku"]).eq_ignore_ascii_case(sku)).collect();
            match hits.as_slice() {
                [] => return Err(Error::NotFound(crate::client::RemoteError { status: 404, code: "sku_not_found".into(), message: format!("no product or variation has SKU {sku:?}") })),
                [one] => {
                    let id = model::id(&one["id"]).unwrap_or(0);
                    match model::id(&one["parent_id"]) {
                        Some(parent) if model::text(&one["type"]) == "variation" || parent > 0 => format!("/products/{parent}/variations/{id}"),
                        _ => format!("/products/{id}"),
                    }
                }
                many => {
                    let ids: Vec<String> = many.iter().map(|p| model::text(&p["id"])).collect();
                    return Err(Error::invalid("sku", format!("matches {} records ({}); use product_id/variation_id", many.len(), ids.join(", "))));
                }
            }
        }
        (None, Some(_), _) => return Err(Error::invalid("variation_id", "needs product_id")),
        _ => return Err(Error::invalid("arguments", "give product_id (with variation_id for a variation) or sku, not both")),
    };
    write(client, Method::Put, path, body)
}

/// WooCommerce's batch endpoint takes 100 items a call.
pub const BATCH_SIZE: usize = 100;

fn batch_update_products<T: Transport>(client: &mut Client<T>, args: &Value) -> Result<Value, Error> {
    let items: Vec<Value> = model::list(&args["update"]).iter().map(|i| product_body(i, &[])).collect();
    let reqs: Vec<ApiRequest> = items
        .chunks(BATCH_SIZE)
        .map(|chunk| ApiRequest::write(Method::Post, "/products/batch", json!({"update": chunk})).replay_safe())
        .collect();
    let mut updated = vec![];
    let mut errors = vec![];
    for r in client.send_all(&reqs) {
        for item in model::list(&r?.body["update"]) {
            if item.get("error").is_some_and(|e| !e.is_null()) {
                errors.push(item.clone());
            } else {
                updated.push(item.clone());
            }
        }
    }
    Ok(json!({"updated": updated, "errors": errors, "requests": reqs.len()}))
}

fn get_product<T: Transport>(client: &mut Client<T>, id: u64) -> Result<Value, Error> {
    let mut p = client.send(&ApiRequest::get(format!("/products/{id}"), vec![]))?.body;
    if model::text(&p["type"]) == "variable" {
        let mut all = vec![];
        client.for_each_page(&format!("/products/{id}/variations"), &[], 4, 0, |_, page| {
            all.extend(page.items);
            Ok(())
        })?;
        p["variations_detail"] = Value::Array(all);
    }
    Ok(p)
}

/// A list tool's validated arguments as its query. Only the schema's own
/// keys reach this (`additionalProperties: false`); each is checked again as
/// a raw query name would be, so no schema change can open a way to
/// `rest_route` and the like. Dates go out as plain UTC with `dates_are_gmt`.
fn query_of(args: &Value) -> Result<Vec<(String, String)>, Error> {
    let mut q = vec![];
    let mut uses_dates = false;
    if let Some(obj) = args.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "all_pages" | "max_items" | "page" | "per_page") {
                continue;
            }
            check_query_key(k)?;
            let s = match v {
                Value::Array(a) => a.iter().map(model::text).collect::<Vec<_>>().join(","),
                other => model::text(other),
            };
            if matches!(k.as_str(), "after" | "before" | "modified_after" | "modified_before") {
                uses_dates = true;
                q.push((k.clone(), utc_date_time(&s).map_err(|m| Error::invalid(k.as_str(), m))?));
                continue;
            }
            q.push((k.clone(), s));
        }
    }
    if uses_dates {
        q.push(("dates_are_gmt".into(), "true".into()));
    }
    Ok(q)
}

fn list<T: Transport>(client: &mut Client<T>, path: &str, args: &Value) -> Result<Value, Error> {
    let query = query_of(args)?;
    if args["all_pages"].as_bool() == Some(true) {
        let max = args["max_items"].as_u64().unwrap_or(10_000) as usize;
        let mut items = vec![];
        let (mut total, mut total_pages) = (0, 0);
        let mut truncated = false;
        let walk = client.for_each_page(path, &query, 4, 0, |_, page| {
            total = page.total;
            total_pages = page.total_pages;
            items.extend(page.items);
            if items.len() > max {
                items.truncate(max);
                truncated = true;
                return Err(Error::Transport(String::new()));
            }
            Ok(())
        });
        if !truncated {
            walk?;
        }
        return Ok(json!({"items": items, "page": 1, "per_page": 100, "total": total, "total_pages": total_pages, "truncated": truncated}));
    }
    let page = args["page"].as_u64().unwrap_or(1);
    let per_page = args["per_page"].as_u64().unwrap_or(10);
    let mut q = query;
    q.push(("page".into(), page.to_string()));
    q.push(("per_page".into(), per_page.to_string()));
    let r = client.send(&ApiRequest::get(path, q))?;
    Ok(json!({
        "items": r.body,
        "page": page,
        "per_page": per_page,
        "total": r.total.unwrap_or(0),
        "total_pages": r.total_pages.unwrap_or(0),
    }))
}

fn raw<T: Transport>(client: &mut Client<T>, args: &Value) -> Result<Value, Error> {
    let method = Method::parse(args["method"].as_str().unwrap_or("")).ok_or_else(|| Error::invalid("method", "unknown method"))?;
    let path = check_raw_path(args["path"].as_str().unwrap_or(""))?;
    let query = raw_query(args["query"].as_object().unwrap_or(&Map::new()))?;
    let body = args.get("body").cloned();
    let r = client.send(&ApiRequest { method, path, query, body, replay_safe: false })?;
    Ok(json!({"status": r.status, "body": r.body, "total": r.total, "total_pages": r.total_pages}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_the_store_echoes_are_redacted_at_any_depth() {
        let mut v = json!({"status": 200, "body": [{"id": 1, "secret": "abc", "delivery_url": "https://x"}, {"nested": {"consumer_secret": "cs_1", "secret": ""}}]});
        redact_secrets(&mut v);
        assert_eq!(v["body"][0]["secret"], "[redacted]");
        assert_eq!(v["body"][0]["delivery_url"], "https://x");
        assert_eq!(v["body"][1]["nested"]["consumer_secret"], "[redacted]");
        assert_eq!(v["body"][1]["nested"]["secret"], "", "an empty secret reveals nothing");
    }

    #[test]
    fn raw_path_percent_before_a_multibyte_character_is_refused_not_a_panic() {
        // Found by the raw_path fuzz target.
        assert!(check_raw_path("/r%\u{e9}x").is_err());
        assert!(check_raw_path("/orders%2e%2e").is_err());
        assert!(check_raw_path("/a/%2e%2e/b").is_err());
    }

    #[test]
    fn raw_path_refuses_absolute_urls() {
        assert!(check_raw_path("https://evil.example/x").is_err());
        assert!(check_raw_path("http://169.254.169.254/latest").is_err());
    }
    #[test]
    fn raw_path_refuses_scheme_relative_host() {
        assert!(check_raw_path("//evil.example/x").is_err());
    }
    #[test]
    fn raw_path_refuses_dot_dot_and_encoded_dot_dot() {
        assert!(check_raw_path("/orders/../../wp/v2/users").is_err());
        assert!(check_raw_path("/orders/%2e%2e/%2E%2E/wp/v2/users").is_err());
        assert!(check_raw_path("/orders/%2e%2e").is_err());
    }
    #[test]
    fn raw_path_refuses_backslashes() {
        assert!(check_raw_path("/orders\\..\\x").is_err());
        assert!(check_raw_path("/orders/%5c..").is_err());
    }
    #[test]
    fn raw_path_refuses_another_api_root() {
        assert!(check_raw_path("/wp-json/wp/v2/users").is_err());
        assert!(check_raw_path("/wp/v2/users").is_err());
    }
    #[test]
    fn raw_path_refuses_cr_lf() {
        assert!(check_raw_path("/orders\r\nHost: evil").is_err());
        assert!(check_raw_path("/orders%0d%0aX: y").is_err());
    }
    #[test]
    fn raw_path_accepts_api_paths() {
        assert_eq!(check_raw_path("/orders/42/notes").unwrap(), "/orders/42/notes");
        assert_eq!(check_raw_path("products/categories").unwrap(), "/products/categories");
    }
    fn refused_key(key: &str) -> bool {
        matches!(check_query_key(key), Err(Error::InvalidInput { field, .. }) if field.starts_with("query."))
    }

    #[test]
    fn raw_query_refuses_routing_method_envelope_and_auth_parameters() {
        for k in ["rest_route", "_method", "_envelope", "_jsonp", "_embed", "_wpnonce", "_ajax_nonce", "consumer_key", "consumer_secret", "oauth_signature", "oauth_consumer_key", "oauth_anything"] {
            assert!(refused_key(k), "{k}");
        }
    }

    #[test]
    fn raw_query_refuses_reserved_parameters_in_any_case_or_php_array_syntax() {
        for k in ["Rest_Route", "REST_ROUTE", "rest_route[]", "rest_route[x]", "_METHOD", "OAuth_Nonce", "Consumer_Key[0]", "_embed[]"] {
            assert!(refused_key(k), "{k}");
        }
    }

    #[test]
    fn raw_query_refuses_names_php_would_rewrite_or_that_smuggle_a_parameter() {
        // Percent-encoded, `.`/space (PHP reads both as `_`), unclosed bracket,
        // `&`, `=`, `#`, non-ASCII, empty.
        for k in ["rest%5Froute", "rest%5froute", "rest.route", "rest route", " rest_route", "rest[route", "rest_route]", "a&rest_route", "a=b", "x#y", "réf", "", "[]", "a[b]c", "a[b"] {
            assert!(refused_key(k), "{k:?}");
        }
        assert!(refused_key(&"k".repeat(101)));
    }

    #[test]
    fn raw_query_accepts_plain_endpoint_parameters() {
        for k in ["per_page", "status", "include[]", "attribute_term", "meta-key", "a[b][c]", "_fields", "context", "_locale", "_pretty"] {
            assert!(check_query_key(k).is_ok(), "{k}");
        }
        let q = raw_query(json!({"per_page": 5, "status": "any", "force": true}).as_object().unwrap()).unwrap();
        assert_eq!(q, [("force".to_string(), "true".to_string()), ("per_page".into(), "5".into()), ("status".into(), "any".into())]);
        assert!(raw_query(json!({"search": "a\u{2028}b"}).as_object().unwrap()).is_err());
    }

    #[test]
    fn raw_query_values_cannot_add_a_parameter_on_the_wire() {
        use crate::client::{Credentials, SignatureMethod, StoreUrl};
        let creds = Credentials { consumer_key: "ck".into(), consumer_secret: "cs".into(), signature_method: SignatureMethod::HmacSha256 };
        let mut c = Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, crate::client::fake::FakeTransport::default());
        let q = raw_query(json!({"search": "x&rest_route=/wp/v2/users#y"}).as_object().unwrap()).unwrap();
        let wire = c.build(&ApiRequest::get(check_raw_path("/orders").unwrap(), q));
        assert_eq!(wire.path_and_query, "/wp-json/wc/v3/orders?search=x%26rest_route%3D%2Fwp%2Fv2%2Fusers%23y");
    }

    #[test]
    fn raw_request_schema_refuses_too_many_or_too_long_query_values() {
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(1))).collect();
        let e = validate(&raw_schema(), &json!({"method": "GET", "path": "/orders", "query": many}));
        assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "query"));
        let e = validate(&raw_schema(), &json!({"method": "GET", "path": "/orders", "query": {"search": "x".repeat(2001)}}));
        assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "query.search"));
    }

    #[test]
    fn typed_list_tools_pass_no_unknown_key_to_the_query() {
        for t in TOOLS.iter().filter(|t| t.name.starts_with("list-")) {
            let mut args = json!({"rest_route": "/wp/v2/users"});
            for k in (t.schema)()["required"].as_array().into_iter().flatten() {
                args[k.as_str().unwrap()] = json!(1);
            }
            let e = validate(&(t.schema)(), &args);
            assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "rest_route"), "{}", t.name);
            // Every key a list schema knows is a plain, unreserved query name.
            for k in (t.schema)()["properties"].as_object().unwrap().keys() {
                assert!(check_query_key(k).is_ok(), "{}: {k}", t.name);
            }
        }
    }

    #[test]
    fn raw_path_refuses_spaces_line_separators_and_non_ascii() {
        for p in ["/orders/1 2", "/orders\u{2028}", "/orders\u{2029}x", "/produits/café", "/orders\t", "/orders;x", "/orders@x", "/orders:1"] {
            assert!(matches!(check_raw_path(p), Err(Error::InvalidInput { field, .. }) if field == "path"), "{p:?}");
        }
        assert_eq!(check_raw_path("/data/currencies/EUR").unwrap(), "/data/currencies/EUR");
        assert_eq!(check_raw_path("/settings/general/woocommerce_currency").unwrap(), "/settings/general/woocommerce_currency");
    }

    #[test]
    fn date_rule_plain_utc_is_sent_as_it_is() {
        assert_eq!(utc_date_time("2025-03-01T09:00:00").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01 09:00:00").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01t09:00:00.123456").unwrap(), "2025-03-01T09:00:00");
    }

    #[test]
    fn date_rule_an_offset_or_z_is_converted_to_plain_utc() {
        assert_eq!(utc_date_time("2025-03-01T09:00:00Z").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01T09:00:00+01:00").unwrap(), "2025-03-01T08:00:00");
        assert_eq!(utc_date_time("2025-03-01T00:30:00+02").unwrap(), "2025-02-28T22:30:00");
        assert_eq!(utc_date_time("2024-12-31T23:30:00.5-05:30").unwrap(), "2025-01-01T05:00:00");
        assert_eq!(utc_date_time("1969-12-31T23:00:00-02:00").unwrap(), "1970-01-01T01:00:00");
    }

    #[test]
    fn date_rule_a_date_without_a_time_is_refused_as_the_store_refuses_it() {
        let e = utc_date_time("2025-03-01").unwrap_err();
        assert!(e.contains("2025-03-01T00:00:00"), "{e}");
    }

    #[test]
    fn date_rule_non_dates_and_impossible_dates_are_refused() {
        for s in ["garbage", "", "yesterday", "2025-3-1T09:00:00", "2025-03-01T9:00:00", "2025-13-01T00:00:00", "2025-02-29T00:00:00", "2025-04-31T00:00:00",
            "2025-03-01T24:00:00", "2025-03-01T09:60:00", "2025-03-01T09:00:60", "2025-03-01T09:00:00.", "2025-03-01T09:00:00+0100", "2025-03-01T09:00:00+01:0",
            "2025-03-01T09:00:00 ", "2025-03-01T09:00:00z", "2025-03-01T09:00", "+2025-03-01T09:00:00", "٢٠٢٥-03-01T09:00:00", "2025-03-01T09:00:00+24:00", "0000-01-01T00:00:00Z"] {
            assert!(utc_date_time(s).is_err(), "{s:?}");
        }
        assert!(utc_date_time("2024-02-29T00:00:00").is_ok(), "a leap day");
    }

    #[test]
    fn date_rule_list_tools_refuse_a_bad_date_naming_the_field() {
        for k in ["after", "before", "modified_after", "modified_before"] {
            for t in ["list-orders", "list-products"] {
                let e = validate(&(find(t).unwrap().schema)(), &json!({k: "garbage"}));
                assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == k), "{t} {k}");
            }
        }
        let q = query_of(&json!({"after": "2025-03-01T10:00:00+01:00", "per_page": 5})).unwrap();
        assert_eq!(q, [("after".to_string(), "2025-03-01T09:00:00".to_string()), ("dates_are_gmt".into(), "true".into())]);
    }

    #[test]
    fn arguments_are_validated_naming_the_field() {
        let s = orders_schema();
        assert!(matches!(validate(&s, &json!({"per_page": 101})), Err(Error::InvalidInput { field, .. }) if field == "per_page"));
        assert!(matches!(validate(&s, &json!({"bogus": 1})), Err(Error::InvalidInput { field, .. }) if field == "bogus"));
        assert!(matches!(validate(&id_schema(), &json!({})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        assert!(matches!(validate(&id_schema(), &json!({"id": "7"})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        assert!(validate(&s, &json!({"status": "processing", "per_page": 100})).is_ok());
    }
    #[test]
    fn integer_arguments_accept_whole_numbers_written_with_a_fraction() {
        // JSON Schema: "an integer is a number with a zero fractional part".
        let s = orders_schema();
        assert!(validate(&s, &json!({"per_page": 2.0})).is_ok());
        assert!(matches!(validate(&s, &json!({"per_page": 2.5})), Err(Error::InvalidInput { field, .. }) if field == "per_page"));
        assert!(matches!(validate(&s, &json!({"per_page": 101.0})), Err(Error::InvalidInput { field, .. }) if field == "per_page"));
        assert!(matches!(validate(&id_schema(), &json!({"id": 1e20})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        // And they are used as integers: `id: 7.0` is order 7, not 0.
        let args = whole_numbers_as_integers(&s, &json!({"per_page": 2.0, "include": [3.0, 4], "status": "any"}));
        assert_eq!(args, json!({"per_page": 2, "include": [3, 4], "status": "any"}));
        assert_eq!(whole_numbers_as_integers(&id_schema(), &json!({"id": 7.0}))["id"].as_u64(), Some(7));
        assert_eq!(whole_numbers_as_integers(&id_schema(), &json!({"id": -0.0}))["id"], json!(0));
    }
}
