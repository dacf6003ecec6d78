//! Orders: which are synced, their platform status, and the order record.

use super::ids::{order_id, product_id, variation_id};
use crate::port::{Record, RecordKind};
use crate::read::{self, date, list, money, name, text};
use serde_json::{Value, json};

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

/// The order record. `contact_id` is decided by the caller (guests may link to
/// an existing contact by email). `None` for orders that are not imported.
pub fn order_record(o: &Value, contact_id: Option<&str>) -> Option<Record> {
    let id = read::id(&o["id"])?;
    let woo_status = text(&o["status"]);
    if !is_importable_order_status(&woo_status) {
        return None;
    }
    let lines = line_items(o);
    Some(Record::new(
        RecordKind::Order,
        order_id(id),
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

/// The order's lines as records carry them (an order's and a checkout's).
pub(super) fn line_items(o: &Value) -> Vec<Value> {
    list(&o["line_items"])
        .iter()
        .map(|l| {
            json!({
                "product_id": read::id(&l["product_id"]).map(product_id),
                "variant_id": read::id(&l["variation_id"]).map(variation_id),
                "sku": text(&l["sku"]),
                "name": name(&l["name"]),
                "quantity": read::id(&l["quantity"]).unwrap_or(0),
                "price": money(&l["price"]).unwrap_or_else(|| "0.00".into()),
                "total": money(&l["total"]).unwrap_or_else(|| "0.00".into()),
            })
        })
        .collect()
}

/// Sum of the line totals, as a decimal string, computed in minor units.
pub(super) fn subtotal(o: &Value) -> String {
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

/// 1250 → `"12.50"`.
fn from_minor(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small order as WooCommerce writes one, loose fields included.
    pub(in crate::mapping) fn order(status: &str) -> Value {
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
        for (w, p) in [
            ("completed", "completed"),
            ("refunded", "completed"),
            ("cancelled", "cancelled"),
            ("failed", "cancelled"),
            ("processing", "pending"),
            ("on-hold", "pending"),
            ("pending", "pending"),
            ("wc-shipped-custom", "pending"),
        ] {
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
    fn rule_paid_means_date_paid_or_paid_status() {
        assert!(is_paid(&order("processing")));
        assert!(is_paid(&order("completed")));
        assert!(!is_paid(&order("on-hold")));
        let mut o = order("on-hold");
        o["date_paid_gmt"] = json!("2025-03-01T10:00:00");
        assert!(is_paid(&o));
    }

    #[test]
    fn a_real_paid_order_keeps_its_totals_and_variation_lines() {
        let o: Value = serde_json::from_str(include_str!("../../tests/fixtures/order-paid.json")).unwrap();
        let r = order_record(&o, Some("woo:customer:2")).unwrap();
        assert_eq!(r.id, order_id(read::id(&o["id"]).unwrap()));
        assert_eq!(r.body["total"], text(&o["total"]));
        assert_eq!(r.body["status"], platform_order_status(&text(&o["status"])));
        let lines = r.body["line_items"].as_array().unwrap();
        assert_eq!(lines.len(), list(&o["line_items"]).len());
        assert!(lines.iter().any(|l| l["variant_id"].as_str().is_some_and(|v| v.starts_with("woo:variation:"))));
        assert!(is_paid(&o));
    }
}
