//! Transactions: the payment of a paid order and each of its refunds.

use super::ids::{order_id, payment_id, refund_id};
use super::order::{is_importable_order_status, is_paid};
use crate::port::{Record, RecordKind};
use crate::read::{self, date, money, name, text};
use serde_json::{Value, json};

/// The payment transaction of a paid order.
pub fn payment_transaction(o: &Value, contact_id: Option<&str>) -> Option<Record> {
    let id = read::id(&o["id"])?;
    if !is_paid(o) || !is_importable_order_status(&text(&o["status"])) {
        return None;
    }
    Some(Record::new(
        RecordKind::Transaction,
        payment_id(id),
        json!({
            "type": "payment",
            "order_id": order_id(id),
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
pub fn refund_transaction(order: u64, refund: &Value, currency: &str, contact_id: Option<&str>) -> Option<Record> {
    let id = read::id(&refund["id"])?;
    let amount = money(&refund["amount"]).or_else(|| money(&refund["total"]))?;
    Some(Record::new(
        RecordKind::Transaction,
        refund_id(id),
        json!({
            "type": "refund",
            "order_id": order_id(order),
            "contact_id": contact_id,
            "amount": amount.trim_start_matches('-'),
            "currency": currency,
            "method": "",
            "reason": name(&refund["reason"]),
            "date": date(&refund["date_created_gmt"]).or_else(|| date(&refund["date_created"])),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::order::tests::order;

    #[test]
    fn rule_only_a_paid_order_has_a_payment() {
        let mut o = order("on-hold");
        assert!(payment_transaction(&o, None).is_none());
        o["date_paid_gmt"] = json!("2025-03-01T10:00:00");
        assert!(payment_transaction(&o, None).is_some());
        assert!(payment_transaction(&order("pending"), None).is_none());
    }

    #[test]
    fn rule_refund_is_a_transaction_with_positive_amount() {
        let r =
            refund_transaction(727, &json!({"id": 730, "amount": "5.00", "reason": "damaged"}), "USD", None).unwrap();
        assert_eq!(r.id, "woo:refund:730");
        assert_eq!(r.body["amount"], "5.00");
        assert_eq!(r.body["order_id"], "woo:order:727");
    }

    #[test]
    fn a_real_refund_and_payment() {
        let refunds: Value = serde_json::from_str(include_str!("../../tests/fixtures/refunds.json")).unwrap();
        let refund = &read::list(&refunds)[0];
        let r = refund_transaction(16, refund, "USD", Some("woo:customer:2")).unwrap();
        assert_eq!(r.body["amount"], money(&refund["amount"]).unwrap().trim_start_matches('-'));
        assert_eq!(r.body["type"], "refund");
        let o: Value = serde_json::from_str(include_str!("../../tests/fixtures/order-paid.json")).unwrap();
        let p = payment_transaction(&o, None).unwrap();
        assert_eq!(p.body["amount"], text(&o["total"]));
        assert_eq!(p.body["date"], text(&o["date_paid_gmt"]));
    }
}
