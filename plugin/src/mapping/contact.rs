//! Contacts: registered customers whose role is synced, and order buyers
//! (guests once per e-mail, registered buyers from their billing details).

use super::ids::{customer_contact_id, guest_contact_id};
use crate::port::{Record, RecordKind};
use crate::read::{self, date, name, text};
use serde_json::{Value, json};

/// Contacts are WooCommerce users with role `customer` or `subscriber` only.
pub fn is_importable_role(role: &str) -> bool {
    matches!(role, "customer" | "subscriber")
}

/// A billing address as the contact record holds it.
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
    let id = read::id(&c["id"])?;
    let role = text(&c["role"]);
    if !is_importable_role(&role) {
        return None;
    }
    let billing = &c["billing"];
    Some(Record::new(
        RecordKind::Contact,
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
    let customer = read::id(&order["customer_id"]);
    let (id, guest) = match customer {
        Some(cid) => (customer_contact_id(cid), false),
        None if !email.is_empty() => (guest_contact_id(&email), true),
        None => return None,
    };
    Some(Record::new(
        RecordKind::Contact,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_contacts_only_customer_or_subscriber_roles() {
        let c = |role: &str| json!({"id": 5, "role": role, "email": "a@b.c", "billing": {}});
        assert!(contact_from_customer(&c("customer")).is_some());
        assert!(contact_from_customer(&c("subscriber")).is_some());
        assert!(contact_from_customer(&c("administrator")).is_none());
        assert!(contact_from_customer(&c("shop_manager")).is_none());
    }

    #[test]
    fn rule_guest_buyer_is_a_contact_by_lowercased_email() {
        let order = json!({"id": 727, "customer_id": 0, "billing": {"first_name": "Ana", "email": "Ana@Example.com"}});
        let r = contact_from_order_billing(&order).unwrap();
        assert_eq!(r.id, "woo:guest:ana@example.com");
        assert_eq!(r.body["guest"], true);
    }

    #[test]
    fn a_real_customer_becomes_a_contact_with_its_billing_address() {
        let c: Value = serde_json::from_str(include_str!("../../tests/fixtures/customer.json")).unwrap();
        let r = contact_from_customer(&c).unwrap();
        assert_eq!(r.id, customer_contact_id(read::id(&c["id"]).unwrap()));
        assert_eq!(r.body["email"], text(&c["email"]).to_lowercase());
        assert_eq!(r.body["address"]["city"], c["billing"]["city"]);
        assert_eq!(r.body["guest"], false);
        assert_eq!(r.body["kind"], "contact");
    }

    #[test]
    fn a_real_guest_order_makes_a_guest_contact() {
        let o: Value = serde_json::from_str(include_str!("../../tests/fixtures/order-guest.json")).unwrap();
        let r = contact_from_order_billing(&o).unwrap();
        assert_eq!(r.id, guest_contact_id(&text(&o["billing"]["email"])));
        assert_eq!(r.body["role"], "guest");
    }
}
