//! Orders: list, fetch, create, change and delete them (one at a time or in
//! batches), and tell a customer their order shipped.

use super::registry::{Annotations, Store, Tool};
use super::{batch, output, page, rest, schema};
use crate::client::{ApiRequest, Error, Method};
use crate::push::Shipment;
use crate::read;
use serde_json::{Value, json};

/// The order tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-orders",
        title: "List orders",
        description: "List the store's orders, newest first unless `orderby`/`order` say otherwise. Filter by status (comma list), customer id, product id, creation dates (`after`/`before`) or modification dates (`modified_after`), all in UTC. Returns {items, page, per_page, total, total_pages}; set `all_pages` to fetch every page (bounded by `max_items`). Orders in `checkout-draft` are never listed by WooCommerce.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| {
            rest::check_slugs(args, "status", true)?;
            rest::check_slugs(args, "created_via", true)?;
            page::list(store, "/orders", args)
        },
    },
    Tool {
        name: "get-order",
        title: "Get an order",
        description: "Fetch one order by its id, with line items, billing/shipping, refunds summary and meta data. A missing order is a `not-found` error.",
        annotations: Annotations::READ,
        schema: schema::id,
        output_schema: None,
        handler: |store, args| rest::get(store, format!("/orders/{}", rest::num(args, "id"))),
    },
    Tool {
        name: "update-order",
        title: "Update an order",
        description: "Change one order: its status (which may email the customer and, for processing/completed, sets the paid date), the customer-visible note, or meta data (use a meta_data key as an idempotency marker). Returns the updated order.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            rest::write(store, Method::Put, format!("/orders/{}", rest::num(args, "id")), rest::without(args, &["id"]))
        },
    },
    Tool {
        name: "create-order",
        title: "Create an order",
        description: "Create an order: customer (0 or absent: a guest), billing/shipping addresses, line items (each a product_id, optionally its variation_id, or a sku; with a quantity), shipping, fee and coupon lines, a customer note and meta data. WooCommerce prices the lines and computes the totals. No money changes hands: the order is created unpaid (`set_paid` false) and `pending` unless `status` or `set_paid: true` say otherwise. Returns the new order.",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: create_order,
    },
    Tool {
        name: "delete-order",
        title: "Delete an order",
        description: "Delete one order. Orders have a trash: by default the order is moved to the trash (restorable in the store's admin; a second call answers `woocommerce_rest_already_trashed`); with `force: true` it is deleted for good. Returns the order as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The order to delete.", schema::Trash::Has),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/orders/{}", rest::num(args, "id")), args),
    },
    Tool {
        name: "batch-update-orders",
        title: "Update many orders",
        description: "Update many orders at once (status, customer note, addresses, payment details, meta data) through WooCommerce's batch endpoint: any number of orders, sent 100 per request, the requests concurrently. Returns {updated, errors, requests}: every updated order, and each order the store refused with its error (e.g. an unknown id), the others still applied.",
        annotations: Annotations::SET,
        schema: batch_schema,
        output_schema: Some(output::batch_update),
        handler: |store, args| {
            let items = read::list(&args["update"]);
            for (i, item) in items.iter().enumerate() {
                rest::check_slugs(item, "status", false).map_err(|e| at(e, &format!("update[{i}].")))?;
            }
            batch::update(store, "/orders/batch", items.to_vec())
        },
    },
    Tool {
        name: "push-shipment",
        title: "Tell a customer their order shipped",
        description: "Tell the customer their order shipped: adds a customer-visible note with the carrier, tracking number and optional tracking URL, and sets the order to completed. Safe to repeat: a marker in the order's meta data makes a second call change nothing (`already_sent: true`).",
        annotations: Annotations::SET,
        schema: push_shipment_schema,
        output_schema: Some(output::push_shipment),
        handler: push_shipment,
    },
];

/// The statuses an order can be created with (WooCommerce's own; a custom
/// status a plugin registers can be set afterwards with `update-order`).
const CREATE_STATUSES: [&str; 7] = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"];

/// `list-orders`' arguments: paging, dates, status, customer and product.
pub(super) fn list_schema() -> Value {
    let mut extra = schema::dates();
    extra["status"] = lit!({"type": "string", "maxLength": 500, "pattern": "^[a-z0-9_-]+(,[a-z0-9_-]+)*$", "description": "One status or a comma list (pending, processing, on-hold, completed, cancelled, refunded, failed, trash, any, or a custom status a plugin registers)."});
    extra["customer"] =
        lit!({"type": "integer", "minimum": 0, "description": "Only this customer's orders (0: guest orders)."});
    extra["product"] =
        lit!({"type": "integer", "minimum": 1, "description": "Only orders containing this product id."});
    extra["exclude"] = schema::exclude();
    extra["parent"] = lit!({"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 100, "description": "Only orders whose parent order is one of these ids (e.g. a subscription's renewals)."});
    extra["created_via"] = lit!({"type": "string", "maxLength": 200, "pattern": "^[a-z0-9_-]+(,[a-z0-9_-]+)*$", "description": "Only orders created this way, or a comma list: checkout, admin, rest-api, store-api …"});
    schema::list(extra)
}

fn update_schema() -> Value {
    schema::object(
        {
            let mut m = lit!({
                "id": {"type": "integer", "minimum": 1, "description": "The order to change."},
                "status": {"type": "string", "minLength": 1, "maxLength": 40, "description": "pending, processing, on-hold, completed, cancelled, refunded, failed, or a custom status."},
                "customer_note": {"type": "string", "maxLength": 5000, "description": "The note the customer left at checkout, as shown on the order."}
            });
            m["meta_data"] = schema::meta_data();
            m
        },
        &["id"],
    )
}

/// The order fields `create-order` and `batch-update-orders` share.
fn order_fields() -> Value {
    let mut m = lit!({
        "customer_note": {"type": "string", "maxLength": 5000, "description": "The customer's note on the order."},
        "payment_method": {"type": "string", "maxLength": 100, "description": "The payment gateway id, e.g. bacs or cod (recorded only: nothing is charged)."},
        "payment_method_title": {"type": "string", "maxLength": 200, "description": "The payment method's name shown on the order."}
    });
    m["billing"] = schema::address("Billing address; its email receives the order emails.");
    m["shipping"] = schema::address("Shipping address.");
    m["meta_data"] = schema::meta_data();
    m
}

fn create_schema() -> Value {
    let id = |what: &str| json!({"type": "integer", "minimum": 1, "description": what});
    let mut p = order_fields();
    p["status"] = json!({"type": "string", "enum": CREATE_STATUSES, "description": "The new order's status (default pending; processing and completed mark it paid)."});
    p["customer_id"] = lit!({"type": "integer", "minimum": 0, "description": "The registered customer the order belongs to (0 or absent: a guest order)."});
    p["currency"] = lit!({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 currency code, e.g. EUR (default: the store's)."});
    p["set_paid"] = lit!({"type": "boolean", "description": "Mark the order paid (sets the paid date and moves it to processing). Default false: money and paid state change only when asked."});
    p["line_items"] = json!({"type": "array", "maxItems": 100, "description": "The products ordered; each names a product_id (and variation_id for a variation) or a sku.",
        "items": {"type": "object", "additionalProperties": false, "required": ["quantity"], "properties": {
            "product_id": id("The product ordered."),
            "variation_id": id("The variation ordered, for a variable product."),
            "sku": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^,]+$", "description": "The product's or variation's SKU, instead of its ids."},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "How many."}}}});
    p["shipping_lines"] = json!({"type": "array", "maxItems": 20, "description": "Shipping charged on the order.",
        "items": {"type": "object", "additionalProperties": false, "required": ["method_id", "total"], "properties": {
            "method_id": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The shipping method id, e.g. flat_rate or free_shipping."},
            "method_title": {"type": "string", "maxLength": 200, "description": "The name shown on the order, e.g. Flat rate."},
            "total": schema::decimal()}}});
    p["fee_lines"] = lit!({"type": "array", "maxItems": 20, "description": "Fees added to the order.",
        "items": {"type": "object", "additionalProperties": false, "required": ["name", "total"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The fee's name, e.g. Gift wrap."},
            "total": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$", "description": "The fee, a decimal string such as \"2.50\" (negative for a discount)."}}}});
    p["coupon_lines"] = lit!({"type": "array", "maxItems": 20, "description": "Coupons applied to the order (WooCommerce checks and applies each).",
        "items": {"type": "object", "additionalProperties": false, "required": ["code"], "properties": {
            "code": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The coupon code."}}}});
    schema::object(p, &[])
}

fn batch_schema() -> Value {
    let mut item = order_fields();
    item["id"] = lit!({"type": "integer", "minimum": 1, "description": "The order to change."});
    item["status"] = lit!({"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[a-z0-9_-]+$", "description": "pending, processing, on-hold, completed, cancelled, refunded, failed, or a custom status (processing/completed set the paid date; a change may email the customer)."});
    item["transaction_id"] =
        lit!({"type": "string", "maxLength": 200, "description": "The payment gateway's transaction id."});
    schema::object(
        json!({
            "update": {"type": "array", "minItems": 1, "maxItems": 5000, "items": {"type": "object", "properties": item, "required": ["id"], "additionalProperties": false},
                "description": "Orders to update, each with its id; sent 100 per request."}
        }),
        &["update"],
    )
}

/// `create-order`: every line names what it orders, and every SKU and
/// coupon code exists, before the order is sent; the order is unpaid unless
/// `set_paid` asks otherwise.
fn create_order(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let lines = read::list(&args["line_items"]);
    for (i, line) in lines.iter().enumerate() {
        let (by_id, by_sku) = (line.get("product_id").is_some(), line.get("sku").is_some());
        if by_id == by_sku {
            return Err(Error::invalid(format!("line_items[{i}]"), "needs either a product_id or a sku (not both)"));
        }
        if line.get("variation_id").is_some() && !by_id {
            return Err(Error::invalid(format!("line_items[{i}].variation_id"), "goes with its product_id"));
        }
    }
    for (i, fee) in read::list(&args["fee_lines"]).iter().enumerate() {
        let total = read::text(&fee["total"]);
        if read::normalize_decimal(&total).is_none() {
            return Err(Error::invalid(
                format!("fee_lines[{i}].total"),
                "must be a decimal string such as \"2.50\" or \"-2.50\"",
            ));
        }
    }
    check_skus_exist(store, lines)?;
    check_coupons_exist(store, read::list(&args["coupon_lines"]))?;
    let mut body = args.clone();
    // Money is never implied: the order is paid only when asked.
    body["set_paid"] = json!(args["set_paid"].as_bool().unwrap_or(false));
    rest::write(store, Method::Post, "/orders".into(), body)
}

/// `e` with `prefix` before the field it names (an item of a list).
fn at(e: Error, prefix: &str) -> Error {
    match e {
        Error::InvalidInput { field, message } => Error::InvalidInput { field: format!("{prefix}{field}"), message },
        other => other,
    }
}

/// WooCommerce turns a line with an unknown SKU into an empty line of
/// product 0 without a word: look the SKUs up first (one request; the
/// `sku` filter takes a comma list, any letter case, and finds variations).
fn check_skus_exist(store: &mut dyn Store, lines: &[Value]) -> Result<(), Error> {
    let skus: Vec<(usize, &str)> =
        lines.iter().enumerate().filter_map(|(i, l)| Some((i, l["sku"].as_str()?))).collect();
    if skus.is_empty() {
        return Ok(());
    }
    let list: Vec<&str> = skus.iter().map(|(_, s)| *s).collect();
    let query = vec![
        ("sku".to_string(), list.join(",")),
        ("_fields".to_string(), "id,sku".to_string()),
        ("per_page".to_string(), "100".to_string()),
    ];
    let found = store.send(&ApiRequest::get("/products", query))?.body;
    for (i, sku) in skus {
        if !read::list(&found).iter().any(|p| p["sku"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(sku))) {
            return Err(Error::invalid(format!("line_items[{i}].sku"), "no product or variation has this SKU"));
        }
    }
    Ok(())
}

/// WooCommerce refuses an unknown coupon code only after it has saved the
/// order as a `checkout-draft` (which lists never show): look the codes up
/// first, concurrently.
fn check_coupons_exist(store: &mut dyn Store, coupons: &[Value]) -> Result<(), Error> {
    let reqs: Vec<ApiRequest> = coupons
        .iter()
        .map(|c| {
            let q = vec![("code".to_string(), read::text(&c["code"])), ("_fields".to_string(), "id".to_string())];
            ApiRequest::get("/coupons", q)
        })
        .collect();
    for (i, answer) in store.send_all(&reqs).into_iter().enumerate() {
        if read::list(&answer?.body).is_empty() {
            return Err(Error::invalid(format!("coupon_lines[{i}].code"), "no coupon has this code"));
        }
    }
    Ok(())
}

fn push_shipment_schema() -> Value {
    schema::object(
        lit!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order that shipped."},
            "carrier": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The carrier, e.g. DHL or UPS."},
            "tracking_number": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The carrier's tracking number."},
            "tracking_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^\\s/]", "description": "A link where the customer can follow the parcel (http or https)."}
        }),
        &["order_id", "carrier", "tracking_number"],
    )
}

fn push_shipment(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    store.push_shipment(&Shipment {
        order_id: rest::num(args, "order_id"),
        carrier: read::text(&args["carrier"]),
        tracking_number: read::text(&args["tracking_number"]),
        tracking_url: args["tracking_url"].as_str().map(str::to_string),
    })
}
