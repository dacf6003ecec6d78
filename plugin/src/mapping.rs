//! The product rules (SPEC §5) and the platform records (SPEC §6). One rule,
//! one function, each with its test below.

use crate::model::{self, date, list, money, name, text};
use serde_json::{Value, json};

/// A platform record ready for the sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: &'static str,
    pub id: String,
    pub body: Value,
}

impl Record {
    fn new(kind: &'static str, id: String, mut body: Value) -> Record {
        if let Value::Object(m) = &mut body {
            m.insert("kind".into(), json!(kind));
            m.insert("id".into(), json!(id.clone()));
        }
        Record { kind, id, body }
    }
}

/// Contacts are WooCommerce users with role `customer` or `subscriber` only.
pub fn is_importable_role(role: &str) -> bool {
    matches!(role, "customer" | "subscriber")
}

/// `completed`, `refunded` → `completed`; `cancelled`, `failed` → `cancelled`;
/// everything else, custom statuses too → `pending`.
pub fn platform_order_status(woo_status: &str) -> &'static str {
    match woo_status {
        "completed" | "refunded" => "completed",
        "cancelled" | "failed" => "cancelled",
        _ => "pending",
    }
}

/// Orders in `checkout-draft` or `trash` are not imported until they leave that state.
pub fn is_importable_order_status(woo_status: &str) -> bool {
    !matches!(woo_status, "checkout-draft" | "trash" | "auto-draft")
}

/// Paid means `date_paid` set or a paid status (processing, completed).
pub fn is_paid(order: &Value) -> bool {
    date(&order["date_paid_gmt"]).is_some()
        || date(&order["date_paid"]).is_some()
        || matches!(text(&order["status"]).as_str(), "processing" | "completed")
}

/// Contact id of a registered customer.
pub fn customer_contact_id(customer_id: u64) -> String {
    format!("woo:customer:{customer_id}")
}

/// Contact id of a guest: the lower-cased billing email.
pub fn guest_contact_id(email: &str) -> String {
    format!("woo:guest:{}", email.trim().to_lowercase())
}

fn address(a: &Value) -> Value {
    json!({
        "address_1": text(&a["address_1"]),
        "address_2": text(&a["address_2"]),
        "city": text(&a["city"]),
        "state": text(&a["state"]),
        "postcode": text(&a["postcode"]),
        "country": text(&a["country"]),
    })
}

/// A contact from a WooCommerce customer, or `None` when its role is not imported.
pub fn contact_from_customer(c: &Value) -> Option<Record> {
    let id = model::id(&c["id"])?;
    let role = text(&c["role"]);
    if !is_importable_role(&role) {
        return None;
    }
    let billing = &c["billing"];
    Some(Record::new(
        "contact",
        customer_contact_id(id),
        json!({
            "email": text(&c["email"]).trim().to_lowercase(),
            "first_name": name(&c["first_name"]),
            "last_name": name(&c["last_name"]),
            "phone": text(&billing["phone"]),
            "company": name(&billing["company"]),
            "address": address(billing),
            "guest": false,
            "role": role,
            "source": "woocommerce",
            "woo_id": id,
            "date_created": date(&c["date_created_gmt"]).or_else(|| date(&c["date_created"])),
            "date_modified": date(&c["date_modified_gmt"]).or_else(|| date(&c["date_modified"])),
        }),
    ))
}

/// A contact built from an order's billing details: a guest (customer_id 0)
/// or a registered buyer whose customer record is not imported.
pub fn contact_from_order_billing(order: &Value) -> Option<Record> {
    let billing = &order["billing"];
    let email = text(&billing["email"]).trim().to_lowercase();
    let customer = model::id(&order["customer_id"]);
    let (id, guest) = match customer {
        Some(cid) => (customer_contact_id(cid), false),
        None if !email.is_empty() => (guest_contact_id(&email), true),
        None => return None,
    };
    Some(Record::new(
        "contact",
        id,
        json!({
            "email": email,
            "first_name": name(&billing["first_name"]),
            "last_name": name(&billing["last_name"]),
            "phone": text(&billing["phone"]),
            "company": name(&billing["company"]),
            "address": address(billing),
            "guest": guest,
            "role": if guest { "guest" } else { "customer" },
            "source": "woocommerce",
        }),
    ))
}

/// The order record. `contact_id` is decided by the caller (guests may link to
/// an existing contact by email). `None` for orders that are not imported.
pub fn order_record(o: &Value, contact_id: Option<&str>) -> Option<Record> {
    let id = model::id(&o["id"])?;
    let woo_status = text(&o["status"]);
    if !is_importable_order_status(&woo_status) {
        return None;
    }
    let lines: Vec<Value> = list(&o["line_items"])
        .iter()
        .map(|l| {
            let variation = model::id(&l["variation_id"]);
            json!({
                "product_id": model::id(&l["product_id"]).map(|p| format!("woo:product:{p}")),
                "variant_id": variation.map(|v| format!("woo:variation:{v}")),
                "sku": text(&l["sku"]),
                "name": name(&l["name"]),
                "quantity": model::id(&l["quantity"]).unwrap_or(0),
                "price": money(&l["price"]).unwrap_or_else(|| "0.00".into()),
                "total": money(&l["total"]).unwrap_or_else(|| "0.00".into()),
            })
        })
        .collect();
    Some(Record::new(
        "order",
        format!("woo:order:{id}"),
        json!({
            "number": text(&o["number"]),
            "status": platform_order_status(&woo_status),
            "woo_status": woo_status,
            "source": "external",
            "subtype": "woocommerce",
            "contact_id": contact_id,
            "currency": text(&o["currency"]),
            "total": money(&o["total"]).unwrap_or_else(|| "0.00".into()),
            "subtotal": subtotal(o),
            "total_tax": money(&o["total_tax"]).unwrap_or_else(|| "0.00".into()),
            "shipping_total": money(&o["shipping_total"]).unwrap_or_else(|| "0.00".into()),
            "discount_total": money(&o["discount_total"]).unwrap_or_else(|| "0.00".into()),
            "prices_include_tax": o["prices_include_tax"].as_bool().unwrap_or(false),
            "payment_method": text(&o["payment_method"]),
            "created_at": date(&o["date_created_gmt"]).or_else(|| date(&o["date_created"])),
            "paid_at": date(&o["date_paid_gmt"]).or_else(|| date(&o["date_paid"])),
            "modified_at": date(&o["date_modified_gmt"]).or_else(|| date(&o["date_modified"])),
            "line_items": lines,
        }),
    ))
}

/// Sum of the line totals, as a decimal string, computed in minor units.
fn subtotal(o: &Value) -> String {
    let cents: i128 = list(&o["line_items"])
        .iter()
        .filter_map(|l| money(&l["subtotal"]).or_else(|| money(&l["total"])))
        .filter_map(|m| to_minor(&m))
        .sum();
    from_minor(cents)
}

/// `"12.50"` → 1250 (hundredths; extra decimals are cut, not rounded through floats).
fn to_minor(decimal: &str) -> Option<i128> {
    let (neg, d) = match decimal.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, decimal),
    };
    let (int, frac) = d.split_once('.').unwrap_or((d, ""));
    let frac2: String = frac.chars().chain("00".chars()).take(2).collect();
    let v: i128 = format!("{int}{frac2}").parse().ok()?;
    Some(if neg { -v } else { v })
}

fn from_minor(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The payment transaction of a paid order.
pub fn payment_transaction(o: &Value, contact_id: Option<&str>) -> Option<Record> {
    let id = model::id(&o["id"])?;
    if !is_paid(o) || !is_importable_order_status(&text(&o["status"])) {
        return None;
    }
    Some(Record::new(
        "transaction",
        format!("woo:payment:{id}"),
        json!({
            "type": "payment",
            "order_id": format!("woo:order:{id}"),
            "contact_id": contact_id,
            "amount": money(&o["total"]).unwrap_or_else(|| "0.00".into()),
            "currency": text(&o["currency"]),
            "method": text(&o["payment_method"]),
            "method_title": name(&o["payment_method_title"]),
            "date": date(&o["date_paid_gmt"]).or_else(|| date(&o["date_paid"])).or_else(|| date(&o["date_created_gmt"])),
        }),
    ))
}

/// A refund transaction. Refund amounts are positive in WooCommerce's refund
/// objects; the record keeps them positive with `type: refund`.
pub fn refund_transaction(order_id: u64, refund: &Value, currency: &str, contact_id: Option<&str>) -> Option<Record> {
    let id = model::id(&refund["id"])?;
    let amount = money(&refund["amount"]).or_else(|| money(&refund["total"]))?;
    Some(Record::new(
        "transaction",
        format!("woo:refund:{id}"),
        json!({
            "type": "refund",
            "order_id": format!("woo:order:{order_id}"),
            "contact_id": contact_id,
            "amount": amount.trim_start_matches('-'),
            "currency": currency,
            "method": "",
            "reason": name(&refund["reason"]),
            "date": date(&refund["date_created_gmt"]).or_else(|| date(&refund["date_created"])),
        }),
    ))
}

/// Why a store product is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductSkip {
    Type(String),
    NotPublished,
    NoPrice,
    NoPricedVariation,
}

/// Only `simple` and `variable` products are imported.
pub fn is_importable_product_type(t: &str) -> bool {
    matches!(t, "simple" | "variable")
}

/// The price a product or variation sells at, or none when it is empty or
/// zero: such a product is not imported, such a variation is not a variant.
fn selling_price(p: &Value) -> Option<String> {
    money(&p["price"]).filter(|m| !model::is_zero(m))
}

/// The product record, or why it is skipped. `variations` are the product's
/// variations (only read for variable products). `previously_imported` keeps
/// an unpublished product's record with "include in online store" off.
pub fn product_record(p: &Value, variations: &[Value], previously_imported: bool) -> Result<Record, ProductSkip> {
    let id = model::id(&p["id"]).ok_or(ProductSkip::NoPrice)?;
    let ptype = text(&p["type"]);
    if !is_importable_product_type(&ptype) {
        return Err(ProductSkip::Type(ptype));
    }
    let published = text(&p["status"]) == "publish";
    if !published && !previously_imported {
        return Err(ProductSkip::NotPublished);
    }
    let variants: Vec<Value> = variations
        .iter()
        .filter_map(|v| {
            let vid = model::id(&v["id"])?;
            // A variation without a price is not a variant: it cannot be sold.
            let price = selling_price(v)?;
            Some(json!({
                "id": format!("woo:variation:{vid}"),
                "sku": text(&v["sku"]),
                "gtin": v.get("global_unique_id").map(text).filter(|s| !s.is_empty()),
                "price": price,
                "attributes": list(&v["attributes"]).iter().map(|a| json!({"name": name(&a["name"]), "option": name(&a["option"])})).collect::<Vec<_>>(),
                "stock_quantity": v["stock_quantity"].as_i64(),
                "stock_status": text(&v["stock_status"]),
            }))
        })
        .collect();
    let price = selling_price(p);
    if ptype == "simple" && price.is_none() {
        return Err(ProductSkip::NoPrice);
    }
    if ptype == "variable" && variants.is_empty() {
        return Err(ProductSkip::NoPricedVariation);
    }
    let categories: Vec<Value> = list(&p["categories"])
        .iter()
        .filter_map(|c| model::id(&c["id"]).map(|cid| json!(format!("woo:category:{cid}"))))
        .collect();
    let images: Vec<Value> = list(&p["images"]).iter().map(|i| json!(text(&i["src"]))).collect();
    Ok(Record::new(
        "product",
        format!("woo:product:{id}"),
        json!({
            "name": name(&p["name"]),
            "type": ptype,
            "sku": text(&p["sku"]),
            "gtin": p.get("global_unique_id").map(text).filter(|s| !s.is_empty()),
            "description": text(&p["description"]),
            "price": price,
            "regular_price": money(&p["regular_price"]),
            "sale_price": money(&p["sale_price"]),
            "woo_status": text(&p["status"]),
            "include_in_online_store": published,
            "collection_ids": categories,
            "images": images,
            "stock_quantity": p["stock_quantity"].as_i64(),
            "variants": variants,
            "modified_at": date(&p["date_modified_gmt"]).or_else(|| date(&p["date_modified"])),
        }),
    ))
}

/// Category ids linked to an imported product.
pub fn product_category_ids(p: &Value) -> Vec<u64> {
    list(&p["categories"]).iter().filter_map(|c| model::id(&c["id"])).collect()
}

/// A collection from a product category.
pub fn collection_record(c: &Value) -> Option<Record> {
    let id = model::id(&c["id"])?;
    Some(Record::new(
        "collection",
        format!("woo:category:{id}"),
        json!({
            "name": name(&c["name"]),
            "slug": text(&c["slug"]),
            "parent_id": model::id(&c["parent"]).map(|p| format!("woo:category:{p}")),
            "description": text(&c["description"]),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(status: &str) -> Value {
        json!({
            "id": 727, "number": "727", "status": status, "currency": "USD", "total": "29.35",
            "customer_id": 0, "prices_include_tax": false, "date_paid_gmt": null,
            "date_created_gmt": "2025-03-01T09:00:00",
            "billing": {"first_name": "Ana", "last_name": "Silva", "email": "Ana@Example.com", "phone": "555"},
            "line_items": [{"product_id": 93, "variation_id": 0, "sku": "TS-1", "name": "T-Shirt &amp; Cap", "quantity": 2, "price": 10, "subtotal": "20.00", "total": "20.00"}],
            "refunds": []
        })
    }

    #[test]
    fn rule_order_status_mapping() {
        for (w, p) in [("completed", "completed"), ("refunded", "completed"), ("cancelled", "cancelled"), ("failed", "cancelled"), ("processing", "pending"), ("on-hold", "pending"), ("pending", "pending"), ("wc-shipped-custom", "pending")] {
            assert_eq!(platform_order_status(w), p, "{w}");
        }
    }

    #[test]
    fn rule_checkout_draft_and_trash_orders_are_not_imported() {
        assert!(order_record(&order("checkout-draft"), None).is_none());
        assert!(order_record(&order("trash"), None).is_none());
        assert!(order_record(&order("processing"), None).is_some());
    }

    #[test]
    fn rule_order_keeps_raw_status_source_external_subtype_woocommerce() {
        let r = order_record(&order("refunded"), Some("woo:guest:ana@example.com")).unwrap();
        assert_eq!(r.body["status"], "completed");
        assert_eq!(r.body["woo_status"], "refunded");
        assert_eq!(r.body["source"], "external");
        assert_eq!(r.body["subtype"], "woocommerce");
        assert_eq!(r.body["total"], "29.35");
        assert_eq!(r.body["line_items"][0]["price"], "10.00");
        assert_eq!(r.body["line_items"][0]["name"], "T-Shirt & Cap");
    }

    #[test]
    fn rule_contacts_only_customer_or_subscriber_roles() {
        let c = |role: &str| json!({"id": 5, "role": role, "email": "a@b.c", "billing": {}});
        assert!(contact_from_customer(&c("customer")).is_some());
        assert!(contact_from_customer(&c("subscriber")).is_some());
        assert!(contact_from_customer(&c("administrator")).is_none());
        assert!(contact_from_customer(&c("shop_manager")).is_none());
    }

    #[test]
    fn rule_guest_contact_id_is_lowercased_email() {
        let r = contact_from_order_billing(&order("processing")).unwrap();
        assert_eq!(r.id, "woo:guest:ana@example.com");
        assert_eq!(r.body["guest"], true);
    }

    #[test]
    fn rule_paid_means_date_paid_or_paid_status() {
        assert!(is_paid(&order("processing")));
        assert!(is_paid(&order("completed")));
        assert!(!is_paid(&order("on-hold")));
        let mut o = order("on-hold");
        o["date_paid_gmt"] = json!("2025-03-01T10:00:00");
        assert!(is_paid(&o));
        assert!(payment_transaction(&o, None).is_some());
        assert!(payment_transaction(&order("pending"), None).is_none());
    }

    fn product(ptype: &str, status: &str, price: Value) -> Value {
        json!({"id": 93, "name": "Caf&eacute; Mug", "type": ptype, "status": status, "price": price, "regular_price": price, "sale_price": "", "sku": "MUG", "categories": [{"id": 15, "name": "Uncategorized"}], "images": false})
    }

    #[test]
    fn rule_only_simple_and_variable_products() {
        assert!(matches!(product_record(&product("grouped", "publish", json!("5")), &[], false), Err(ProductSkip::Type(_))));
        assert!(matches!(product_record(&product("external", "publish", json!("5")), &[], false), Err(ProductSkip::Type(_))));
        assert!(product_record(&product("simple", "publish", json!("5")), &[], false).is_ok());
    }

    #[test]
    fn rule_only_published_products_and_unpublished_keep_record_with_store_off() {
        assert_eq!(product_record(&product("simple", "draft", json!("5")), &[], false), Err(ProductSkip::NotPublished));
        let r = product_record(&product("simple", "draft", json!("5")), &[], true).unwrap();
        assert_eq!(r.body["include_in_online_store"], false);
        let r = product_record(&product("simple", "publish", json!("5")), &[], false).unwrap();
        assert_eq!(r.body["include_in_online_store"], true);
        assert_eq!(r.body["images"], json!([]));
    }

    #[test]
    fn rule_no_zero_or_empty_price_products() {
        assert_eq!(product_record(&product("simple", "publish", json!("0")), &[], false), Err(ProductSkip::NoPrice));
        assert_eq!(product_record(&product("simple", "publish", json!("")), &[], false), Err(ProductSkip::NoPrice));
        assert_eq!(product_record(&product("simple", "publish", json!(null)), &[], false), Err(ProductSkip::NoPrice));
    }

    #[test]
    fn rule_variable_product_needs_a_priced_variation() {
        let p = product("variable", "publish", json!(""));
        let unpriced = [json!({"id": 94, "price": "", "attributes": []})];
        assert_eq!(product_record(&p, &unpriced, false), Err(ProductSkip::NoPricedVariation));
        let priced = [json!({"id": 94, "price": "12", "sku": "MUG-R", "attributes": [{"name": "Color", "option": "Red"}]})];
        let r = product_record(&p, &priced, false).unwrap();
        assert_eq!(r.body["variants"][0]["id"], "woo:variation:94");
        assert_eq!(r.body["variants"][0]["price"], "12.00");
    }

    #[test]
    fn rule_variable_product_variants_are_only_its_priced_variations() {
        let p = product("variable", "publish", json!("12"));
        let variations = [
            json!({"id": 94, "price": "12", "sku": "MUG-R", "attributes": [{"name": "Color", "option": "Red"}]}),
            json!({"id": 95, "price": "", "sku": "MUG-B", "attributes": [{"name": "Color", "option": "Blue"}]}),
            json!({"id": 96, "price": "0", "sku": "MUG-G", "attributes": [{"name": "Color", "option": "Green"}]}),
            json!({"id": 97, "sku": "MUG-Y", "attributes": [{"name": "Color", "option": "Yellow"}]}),
        ];
        let r = product_record(&p, &variations, false).unwrap();
        let ids: Vec<&str> = r.body["variants"].as_array().unwrap().iter().filter_map(|v| v["id"].as_str()).collect();
        assert_eq!(ids, ["woo:variation:94"]);
        assert!(r.body["variants"].as_array().unwrap().iter().all(|v| !v["price"].is_null()));
    }

    #[test]
    fn rule_refund_is_a_transaction_with_positive_amount() {
        let r = refund_transaction(727, &json!({"id": 730, "amount": "5.00", "reason": "damaged"}), "USD", None).unwrap();
        assert_eq!(r.id, "woo:refund:730");
        assert_eq!(r.body["amount"], "5.00");
        assert_eq!(r.body["order_id"], "woo:order:727");
    }
}
