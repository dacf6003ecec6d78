//! The tool registry: name, description for an LLM, JSON Schema of the
//! arguments, and the handler. Arguments are validated before any request.

use crate::client::{ApiRequest, Client, Error, Method, Transport};
use crate::model;
use crate::env::Host;
use serde_json::{Map, Value, json};

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
        "after": {"type": "string", "format": "date-time", "description": "Created after, UTC, e.g. 2025-03-01T09:00:00."},
        "before": {"type": "string", "format": "date-time"},
        "modified_after": {"type": "string", "format": "date-time"},
        "modified_before": {"type": "string", "format": "date-time"}
    })
}

fn orders_schema() -> Value {
    let mut extra = dates();
    extra["status"] = json!({"type": "string", "description": "One status or a comma list (pending, processing, on-hold, completed, cancelled, refunded, failed, any)."});
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
        "role": {"type": "string", "description": "customer (default), subscriber, administrator, … or all."}
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
            "path": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "Relative to /wp-json/wc/v3, e.g. /orders/42/notes."},
            "query": {"type": "object", "additionalProperties": {"type": ["string", "integer", "boolean"]}},
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
    Tool { name: "raw-api-request", description: "Call any WooCommerce REST v3 endpoint of the connected store: method, a path relative to /wp-json/wc/v3 (e.g. `/orders/42/notes`), optional query object and JSON body. Use it only when no dedicated tool fits. Paths that could leave the store's API (absolute URLs, `//host`, `..`, backslashes, another API root) are refused.", schema: raw_schema },
];

/// Find a tool by name.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

/// Validate `args` against a tool's schema (the subset our schemas use):
/// object type, required, additionalProperties, property types, enum,
/// minimum/maximum, minLength/maxLength, maxItems, items.
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
            "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
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
            Some("email") if !(s.contains('@') && !s.chars().any(char::is_whitespace)) => {
                return fail("must be an email address".into());
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
    Ok(p)
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
    validate(&(tool.schema)(), args)?;
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

fn query_of(args: &Value) -> Vec<(String, String)> {
    let mut q = vec![];
    let mut uses_dates = false;
    if let Some(obj) = args.as_object() {
        for (k, v) in obj {
            if matches!(k.as_str(), "all_pages" | "max_items" | "page" | "per_page") {
                continue;
            }
            if matches!(k.as_str(), "after" | "before" | "modified_after" | "modified_before") {
                uses_dates = true;
            }
            let s = match v {
                Value::Array(a) => a.iter().map(model::text).collect::<Vec<_>>().join(","),
                other => model::text(other),
            };
            q.push((k.clone(), s));
        }
    }
    if uses_dates {
        q.push(("dates_are_gmt".into(), "true".into()));
    }
    q
}

fn list<T: Transport>(client: &mut Client<T>, path: &str, args: &Value) -> Result<Value, Error> {
    let query = query_of(args);
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
    let query: Vec<(String, String)> = args["query"]
        .as_object()
        .unwrap_or(&Map::new())
        .iter()
        .map(|(k, v)| {
            if k.chars().any(|c| c.is_control()) || model::text(v).chars().any(|c| c.is_control()) {
                Err(Error::invalid(format!("query.{k}"), "must not contain control characters"))
            } else {
                Ok((k.clone(), model::text(v)))
            }
        })
        .collect::<Result<_, _>>()?;
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
    #[test]
    fn arguments_are_validated_naming_the_field() {
        let s = orders_schema();
        assert!(matches!(validate(&s, &json!({"per_page": 101})), Err(Error::InvalidInput { field, .. }) if field == "per_page"));
        assert!(matches!(validate(&s, &json!({"bogus": 1})), Err(Error::InvalidInput { field, .. }) if field == "bogus"));
        assert!(matches!(validate(&id_schema(), &json!({})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        assert!(matches!(validate(&id_schema(), &json!({"id": "7"})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        assert!(validate(&s, &json!({"status": "processing", "per_page": 100})).is_ok());
    }
}
