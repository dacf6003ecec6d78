//! Record ids: `woo:<what>:<id>`, stable across passes, so a record read
//! again (by the next pass, a webhook, a re-import) replaces itself.

/// Contact id of a registered customer.
pub fn customer_contact_id(customer_id: u64) -> String {
    format!("woo:customer:{customer_id}")
}

/// Contact id of a guest: the lower-cased billing email.
pub fn guest_contact_id(email: &str) -> String {
    format!("woo:guest:{}", email.trim().to_lowercase())
}

/// What a contact id names, before its number is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactRef<'a> {
    /// A registered customer: the text after `woo:customer:`.
    Customer(&'a str),
    /// A guest buyer: the e-mail after `woo:guest:`.
    Guest(&'a str),
}

/// Read a contact id; `None` when it is not one.
pub fn contact_ref(contact_id: &str) -> Option<ContactRef<'_>> {
    if let Some(n) = contact_id.strip_prefix("woo:customer:") {
        Some(ContactRef::Customer(n))
    } else {
        contact_id.strip_prefix("woo:guest:").map(ContactRef::Guest)
    }
}

/// Record id of an order.
pub fn order_id(order: u64) -> String {
    format!("woo:order:{order}")
}

/// Record id of an order's payment (one per paid order).
pub fn payment_id(order: u64) -> String {
    format!("woo:payment:{order}")
}

/// Record id of a refund.
pub fn refund_id(refund: u64) -> String {
    format!("woo:refund:{refund}")
}

/// Record id of a product.
pub fn product_id(product: u64) -> String {
    format!("woo:product:{product}")
}

/// Id of a variation, the variant of its product's record.
pub fn variation_id(variation: u64) -> String {
    format!("woo:variation:{variation}")
}

/// Record id of a checkout (a `checkout-draft` order).
pub fn checkout_id(order: u64) -> String {
    format!("woo:checkout:{order}")
}

/// Record id of a collection (a product category).
pub fn category_id(category: u64) -> String {
    format!("woo:category:{category}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_guest_contact_id_is_the_lowercased_email() {
        assert_eq!(guest_contact_id(" Ana@Example.com "), "woo:guest:ana@example.com");
    }

    #[test]
    fn contact_ids_read_back() {
        assert_eq!(contact_ref(&customer_contact_id(42)), Some(ContactRef::Customer("42")));
        assert_eq!(contact_ref(&guest_contact_id("a@b.c")), Some(ContactRef::Guest("a@b.c")));
        assert_eq!(contact_ref(&order_id(42)), None);
    }
}
