//! Coupons: discount codes and their rules.

use super::registry::{Annotations, Tool};
use super::utc_date_time;
use super::{output, page, rest, schema};
use crate::client::{Error, Method};
use serde_json::{Value, json};

/// The coupon tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-coupons",
        title: "List coupons",
        description: "List coupons with their codes, amounts, discount types and usage limits, newest first. Filter by `code` (the exact code, any letter case), search text, ids or creation/modification dates (UTC). Trashed coupons are not listed. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/coupons", args),
    },
    Tool {
        name: "get-coupon",
        title: "Get a coupon",
        description: "Fetch one coupon by id: code, amount, discount type, expiry, usage count and limits, product and email restrictions. A missing coupon is a `not-found` error.",
        annotations: Annotations::READ,
        schema: schema::id,
        output_schema: None,
        handler: |store, args| rest::get(store, format!("/coupons/{}", rest::num(args, "id"))),
    },
    Tool {
        name: "create-coupon",
        title: "Create a coupon",
        description: "Create a coupon: its code (unique in the store, any letter case; WooCommerce stores it lower-cased), discount type (percent, fixed_cart or fixed_product), amount (a decimal string) and optional rules (expiry, usage limits, minimum/maximum spend, products, categories, allowed emails). Fails if the code exists. Returns the new coupon.",
        annotations: Annotations::ADD,
        schema: || schema::object(coupon_fields(), &["code"]),
        output_schema: None,
        handler: |store, args| {
            check_expiry(args)?;
            rest::write(store, Method::Post, "/coupons".into(), args.clone())
        },
    },
    Tool {
        name: "update-coupon",
        title: "Update a coupon",
        description: "Change one coupon: code, discount type, amount (a decimal string), expiry, usage limits or restrictions. Returns the updated coupon.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            check_expiry(args)?;
            let path = format!("/coupons/{}", rest::num(args, "id"));
            rest::write(store, Method::Put, path, rest::without(args, &["id"]))
        },
    },
    Tool {
        name: "delete-coupon",
        title: "Delete a coupon",
        description: "Delete one coupon. Coupons have a trash (checked on WooCommerce 11): by default the coupon is moved to the trash, where it stops applying and leaves the lists (a second call answers `woocommerce_rest_already_trashed`); with `force: true` it is deleted for good. Returns the coupon as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The coupon to delete.", schema::Trash::Has),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/coupons/{}", rest::num(args, "id")), args),
    },
];

fn list_schema() -> Value {
    let mut extra = schema::dates();
    extra["code"] =
        lit!({"type": "string", "minLength": 1, "maxLength": 100, "description": "Only the coupon with this code."});
    extra["exclude"] = schema::exclude();
    extra["orderby"] = lit!({"type": "string", "enum": ["date", "id", "include", "title", "slug", "modified"], "description": "Sort by this field (default date; title is the code)."});
    schema::list(extra)
}

/// The fields of a coupon that the create and update tools set.
fn coupon_fields() -> Value {
    let ids = |what: &str| json!({"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 1000, "description": what});
    let count = |what: &str| json!({"type": "integer", "minimum": 0, "description": what});
    {
        let mut m = lit!({
            "code": {"type": "string", "minLength": 1, "maxLength": 100, "description": "The code a customer enters."},
            "discount_type": {"type": "string", "enum": ["percent", "fixed_cart", "fixed_product"], "description": "percent: a percentage off; fixed_cart: a fixed amount off the cart (the default); fixed_product: a fixed amount off each matching product."},
            "amount": {"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "The discount, a decimal string: \"10\" is 10% for percent, 10.00 of the store's currency otherwise."},
            "description": {"type": "string", "maxLength": 5000, "description": "A private description for the shop."},
            "date_expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2})?$", "description": "The day the coupon expires, in the store's timezone: 2025-12-31 or 2025-12-31T00:00:00."},
            "individual_use": {"type": "boolean", "description": "Cannot be combined with other coupons."},
            "exclude_sale_items": {"type": "boolean", "description": "Items on sale are not discounted."},
            "free_shipping": {"type": "boolean", "description": "Grants free shipping (a free-shipping method that allows coupons must exist)."},
            "minimum_amount": {"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "The least order subtotal it applies to, a decimal string."},
            "maximum_amount": {"type": "string", "format": "decimal", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "The largest order subtotal it applies to, a decimal string."},
            "email_restrictions": {"type": "array", "maxItems": 1000, "items": {"type": "string", "minLength": 3, "maxLength": 320, "description": "An email, or a pattern such as *@example.com."}, "description": "Only customers with these billing emails may use it."}
        });
        m["product_ids"] = ids("Only these products are discounted (ids).");
        m["excluded_product_ids"] = ids("These products are never discounted (ids).");
        m["product_categories"] = ids("Only products in these categories are discounted (ids).");
        m["excluded_product_categories"] = ids("Products in these categories are never discounted (ids).");
        m["usage_limit"] = count("How many times the coupon can be used in all.");
        m["usage_limit_per_user"] = count("How many times each customer can use it.");
        m["limit_usage_to_x_items"] = count("The most items a fixed_product or percent discount applies to.");
        m["meta_data"] = schema::meta_data();
        m
    }
}

/// `date_expires` is a day (`2025-12-31`), optionally at a time
/// (`2025-12-31T00:00:00`), in the store's timezone: WooCommerce reads
/// anything else as some other date.
fn check_expiry(args: &Value) -> Result<(), Error> {
    let Some(s) = args["date_expires"].as_str() else { return Ok(()) };
    let day_ok = s.get(..10).is_some_and(|day| utc_date_time(&format!("{day}T00:00:00")).is_ok());
    let time_ok = s.len() == 10 || (s.len() == 19 && utc_date_time(s).is_ok());
    if day_ok && time_ok {
        return Ok(());
    }
    Err(Error::invalid("date_expires", "must be a day such as 2025-12-31, or 2025-12-31T00:00:00"))
}

fn update_schema() -> Value {
    let mut p = coupon_fields();
    p["id"] = lit!({"type": "integer", "minimum": 1, "description": "The coupon to change."});
    schema::object(p, &["id"])
}
