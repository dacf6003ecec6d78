//! Checkouts: the block checkout keeps a shopper's checkout as an order in
//! `checkout-draft` (its cart, totals and the e-mail typed so far). It is
//! never an order record (the rules leave drafts out of orders); it is a
//! `checkout` record of its own, under the draft's order id, kept after the
//! draft becomes an order (`converted`, with the order's id), so a platform
//! can tell an abandoned cart from a bought one.

use super::ids::{checkout_id, order_id};
use super::order::{line_items, subtotal};
use crate::port::{Record, RecordKind};
use crate::read::{self, date, money, text};
use serde_json::Value;
use serde_json::json;

/// Where a checkout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutStatus {
    /// Still a draft, within the abandonment time.
    Open,
    /// Still a draft past the abandonment time (`checkout_abandoned` fired).
    Abandoned,
    /// It became an order (`order_id`).
    Converted,
}

impl CheckoutStatus {
    /// The status as the record writes it.
    pub fn name(self) -> &'static str {
        match self {
            CheckoutStatus::Open => "open",
            CheckoutStatus::Abandoned => "abandoned",
            CheckoutStatus::Converted => "converted",
        }
    }
}

/// Whether an order is a checkout draft.
pub fn is_checkout_draft(o: &Value) -> bool {
    text(&o["status"]) == "checkout-draft"
}

/// The checkout record of a draft (or, `Converted`, of the order it became:
/// its cart as ordered). `contact_id` is decided by the caller, as for
/// orders. `None` without a usable id.
pub fn checkout_record(o: &Value, contact_id: Option<&str>, status: CheckoutStatus) -> Option<Record> {
    let id = read::id(&o["id"])?;
    let email = text(&o["billing"]["email"]).trim().to_lowercase();
    Some(Record::new(
        RecordKind::Checkout,
        checkout_id(id),
        json!({
            "status": status.name(),
            "order_id": (status == CheckoutStatus::Converted).then(|| order_id(id)),
            "contact_id": contact_id,
            "email": Some(email).filter(|e| !e.is_empty()),
            "currency": text(&o["currency"]),
            "total": money(&o["total"]).unwrap_or_else(|| "0.00".into()),
            "subtotal": subtotal(o),
            "total_tax": money(&o["total_tax"]).unwrap_or_else(|| "0.00".into()),
            "created_at": date(&o["date_created_gmt"]).or_else(|| date(&o["date_created"])),
            "modified_at": date(&o["date_modified_gmt"]).or_else(|| date(&o["date_modified"])),
            "line_items": line_items(o),
            "source": "woocommerce",
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::order::tests::order;
    use super::*;

    #[test]
    fn rule_a_checkout_draft_is_a_checkout_record_with_its_cart_and_lowercased_email_never_an_order() {
        let draft = order("checkout-draft");
        assert!(is_checkout_draft(&draft));
        assert!(super::super::order_record(&draft, None).is_none(), "never an order record");
        let r = checkout_record(&draft, Some("woo:guest:ana@example.com"), CheckoutStatus::Open).unwrap();
        assert_eq!((r.kind, r.id.as_str()), (RecordKind::Checkout, "woo:checkout:727"));
        assert_eq!(r.body["kind"], "checkout");
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["order_id"], Value::Null);
        assert_eq!(r.body["email"], "ana@example.com");
        assert_eq!(r.body["contact_id"], "woo:guest:ana@example.com");
        assert_eq!((r.body["total"].as_str(), r.body["subtotal"].as_str()), (Some("29.35"), Some("20.00")));
        assert_eq!(r.body["line_items"][0]["product_id"], "woo:product:93");
        assert_eq!(r.body["line_items"][0]["quantity"], 2);
    }

    #[test]
    fn rule_a_converted_checkout_names_the_order_it_became() {
        let r = checkout_record(&order("processing"), None, CheckoutStatus::Converted).unwrap();
        assert_eq!(
            (r.body["status"].as_str(), r.body["order_id"].as_str()),
            (Some("converted"), Some("woo:order:727"))
        );
        let mut no_email = order("checkout-draft");
        no_email["billing"]["email"] = json!("");
        assert_eq!(checkout_record(&no_email, None, CheckoutStatus::Open).unwrap().body["email"], Value::Null);
    }
}
