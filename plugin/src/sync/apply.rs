//! Applying a resource: the rules every path that stores a record follows
//! (the first import, incremental passes, webhook deliveries, write-back),
//! each written once here.
//!
//! - A record is never replaced with an older version of itself
//!   ([`compare_version`]).
//! - An order's triggers fire once ([`order`], by the rules of
//!   [`super::triggers`]): `order_submitted` when it is first seen after the
//!   import, `payment_received` when it becomes paid, `order_status_changed`
//!   and `order_refunded` when an order held changes.
//! - A product's record notes its categories (collections follow them) and
//!   its SKUs (two products with one SKU are reported, never merged) and
//!   its stock (`product_out_of_stock`) ([`product`]).
//! - An order that was a checkout held marks that checkout `converted`
//!   ([`checkouts::converted`]), whatever the order switches say.
//! - A registered customer's contact is indexed by e-mail ([`customer`]), so
//!   a guest order with that e-mail links to it; a buyer without a contact
//!   gets one from the order's billing details ([`Buyers`]); the version
//!   applied is remembered for the reconciliation sweep.

use super::checkouts;
use super::settings::Settings;
use super::triggers::{self, OrderState, Stock};
use crate::mapping::{self, ProductSkip, Record, ids};
use crate::port::{Batch, Host, Level, StorageError, bucket};
use crate::read;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

pub use super::version::{Version, comparable_time, compare_version, modified_at};

/// What is remembered of an order (see [`OrderState`]), as the `orders`
/// bucket keeps it.
pub fn order_state(order: &Value) -> String {
    OrderState::of(order).encode()
}

/// Apply an order seen after the import: its record, its buyer, its payment,
/// and the triggers it earns. Returns false when this version was applied
/// before (nothing to do); an error when the version applied before cannot
/// be read (applying blind could fire its triggers twice).
pub fn order(
    host: &mut impl Host,
    settings: &Settings,
    order: &Value,
    batch: &mut Batch,
) -> Result<bool, StorageError> {
    let Some(id) = read::id(&order["id"]) else { return Ok(false) };
    if !mapping::is_importable_order_status(&read::text(&order["status"])) {
        // Not seen until it leaves checkout-draft or trash.
        return Ok(false);
    }
    let previous = host.text(bucket::ORDERS, &id.to_string())?.map(|p| OrderState::parse(&p));
    let state = OrderState::of(order);
    if previous.as_ref() == Some(&state) {
        return Ok(false);
    }
    // A late webhook or a slow page may carry an older version than one applied.
    let applied_at = previous.as_ref().map(|p| comparable_time(&p.modified));
    if compare_version(&modified_at(order), applied_at.as_deref()) == Version::Older {
        return Ok(false);
    }
    let wanted = settings.orders || settings.transactions || settings.order_submitted || settings.payment_received;
    if !wanted {
        // A checkout held that became this order is marked converted still.
        let contact = checkouts::known_contact(host, order)?;
        return checkouts::converted(host, settings, order, contact.as_deref(), batch);
    }
    batch.set_state(bucket::ORDERS, &id.to_string(), state.encode());
    // Rule: with contact sync off, an order's buyer still becomes a contact.
    let contact = Buyers::default().contact_for(host, order, batch)?;
    if settings.orders
        && let Some(record) = mapping::order_record(order, contact.as_deref())
    {
        batch.records.push(record);
    }
    if settings.transactions
        && let Some(payment) = mapping::payment_transaction(order, contact.as_deref())
    {
        batch.records.push(payment);
    }
    checkouts::converted(host, settings, order, contact.as_deref(), batch)?;
    let now = host.now_rfc3339();
    batch.triggers.extend(triggers::for_order(settings, previous.as_ref(), order, contact.as_deref(), &now));
    Ok(true)
}

/// The state [`order`] reads for an order, to read ahead: the version
/// applied, its checkout's and its buyer's ([`checkouts::keys`]).
pub fn order_keys(order: &Value) -> Vec<(&'static str, String)> {
    // The checkout's keys hold the buyer's too.
    let mut keys = checkouts::keys(order);
    if let Some(id) = read::id(&order["id"]) {
        keys.push((bucket::ORDERS, id.to_string()));
    }
    keys
}

/// The state [`changed_product`] reads for a product, to read ahead: the
/// version applied, the owner of its SKU and its stock noted (the SKUs and
/// stock of its variations are read when they are).
pub fn product_keys(p: &Value) -> Vec<(&'static str, String)> {
    let Some(id) = read::id(&p["id"]) else { return vec![] };
    let mut keys = vec![(bucket::PRODUCTS, id.to_string()), (bucket::STOCK, format!("product:{id}"))];
    let sku = read::text(&p["sku"]).trim().to_lowercase();
    if !sku.is_empty() {
        keys.push((bucket::SKUS, sku));
    }
    keys
}

/// A variable product with variations cannot be mapped from its own JSON:
/// its variants (and so its price) come from reading its variations.
pub fn needs_its_variations(p: &Value) -> bool {
    read::text(&p["type"]) == "variable" && !read::list(&p["variations"]).is_empty()
}

/// Apply a product seen after the import (WooCommerce is the source of truth:
/// a later version overwrites). Returns false when nothing changed; an error
/// when the version applied before cannot be read.
pub fn changed_product(
    host: &mut impl Host,
    settings: &Settings,
    p: &Value,
    variations: &[Value],
    batch: &mut Batch,
) -> Result<bool, StorageError> {
    let Some(id) = read::id(&p["id"]) else { return Ok(false) };
    let modified = read::text(&p["date_modified_gmt"]);
    let previous = host.text(bucket::PRODUCTS, &id.to_string())?;
    if previous.as_deref() == Some(modified.as_str()) && !modified.is_empty() {
        return Ok(false);
    }
    let applied_at = previous.as_deref().map(comparable_time);
    if compare_version(&modified_at(p), applied_at.as_deref()) == Version::Older {
        return Ok(false);
    }
    if variations.is_empty() && needs_its_variations(p) {
        // A delivery carries no variations: the next products pass reads them.
        return Ok(false);
    }
    let stock = Stock::Compare { fire: settings.products && settings.product_out_of_stock };
    Ok(product(host, p, variations, previous.is_some(), settings.products, stock, batch)?.is_ok())
}

/// Map a product and note in `batch` what its record implies: the version
/// applied (only when `wanted`), the categories it links (collections follow them), its SKUs and
/// the stock of the product and its variants (compared or only noted, as
/// `stock` says). The record itself goes in only when `wanted` (products are
/// read for their categories too). `previously_imported` keeps an
/// unpublished product's record, with "include in online store" off.
///
/// The inner result is the mapping's verdict (why a product is skipped);
/// the outer one an error when the SKUs already claimed cannot be read.
pub fn product(
    host: &mut impl Host,
    p: &Value,
    variations: &[Value],
    previously_imported: bool,
    wanted: bool,
    stock: Stock,
    batch: &mut Batch,
) -> Result<Result<(), ProductSkip>, StorageError> {
    let Some(id) = read::id(&p["id"]) else { return Ok(Err(ProductSkip::NoPrice)) };
    let record = match mapping::product_record(p, variations, previously_imported) {
        Ok(record) => record,
        Err(skip) => return Ok(Err(skip)),
    };
    if wanted {
        // Only a product given to the platform counts as applied: one read
        // for its categories alone (product sync off) is applied, not
        // skipped as known, once product sync is turned on.
        batch.set_state(bucket::PRODUCTS, &id.to_string(), read::text(&p["date_modified_gmt"]));
    }
    for c in mapping::product_category_ids(p) {
        batch.set_state(bucket::LINKED_CATEGORIES, &c.to_string(), "1");
    }
    claim_skus(host, &record, batch)?;
    let variants: BTreeSet<u64> = read::list(&record.body["variants"])
        .iter()
        .filter_map(|v| read::text(&v["id"]).rsplit(':').next().and_then(|n| n.parse().ok()))
        .collect();
    triggers::product_stock(host, p, variations, &variants, stock, batch)?;
    if wanted {
        batch.records.push(record);
    }
    Ok(Ok(()))
}

/// Note the SKUs of a product record and its variants in `batch`; log a
/// warning for each SKU another record already has. Two store products with
/// one SKU stay two records: they are reported, never merged.
fn claim_skus(host: &mut impl Host, record: &Record, batch: &mut Batch) -> Result<(), StorageError> {
    let mut owners: Vec<(String, String)> = vec![(read::text(&record.body["sku"]), record.id.clone())];
    for v in read::list(&record.body["variants"]) {
        owners.push((read::text(&v["sku"]), read::text(&v["id"])));
    }
    for (sku, id) in owners {
        let key = sku.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        let pending = batch
            .state
            .iter()
            .rev()
            .find(|(b, k, _)| b == bucket::SKUS && *k == key)
            .map(|(_, _, v)| String::from_utf8_lossy(v).into_owned());
        let owner = match pending {
            Some(owner) => Some(owner),
            None => host.text(bucket::SKUS, &key)?,
        };
        match owner {
            Some(owner) if owner != id => host
                .log(Level::Warn, &format!("SKU {sku:?} is on both {owner} and {id}: kept as two records, not merged")),
            Some(_) => {}
            None => batch.set_state(bucket::SKUS, &key, id.into_bytes()),
        }
    }
    Ok(())
}

/// A registered customer's contact, indexed by its e-mail so guest orders
/// with that e-mail link to it. `None` when its role is not synced.
/// The version seen is remembered either way ([`bucket::CUSTOMERS`]), so the
/// reconciliation sweep re-reads a customer only when it changes.
pub fn customer<'b>(customer: &Value, batch: &'b mut Batch) -> Option<&'b Record> {
    // A user WooCommerce never saved has no date (`null`): remembered as
    // empty, so a sweep re-reads it once it gets one.
    if let Some(id) = read::id(&customer["id"]) {
        batch.set_state(bucket::CUSTOMERS, &id.to_string(), read::text(&customer["date_modified_gmt"]));
    }
    let record = mapping::contact_from_customer(customer)?;
    let email = read::text(&record.body["email"]);
    if !email.is_empty() {
        batch.set_state(bucket::EMAILS, &email, record.id.clone());
    }
    batch.records.push(record);
    batch.records.last()
}

/// Decides the contact of each order's buyer, creating contacts for buyers
/// that have none yet (guests once, by email; registered buyers from billing).
#[derive(Default)]
pub struct Buyers {
    /// Emails and contact ids assigned in this batch (not yet committed).
    pending: HashMap<String, String>,
}

impl Buyers {
    /// The contact id of `order`'s buyer, adding its contact record (and its
    /// e-mail index) to `batch` when the buyer has none yet. An error when
    /// the e-mail index cannot be read (guessing would make a second contact).
    pub fn contact_for(
        &mut self,
        host: &mut impl Host,
        order: &Value,
        batch: &mut Batch,
    ) -> Result<Option<String>, StorageError> {
        let email = read::text(&order["billing"]["email"]).trim().to_lowercase();
        let mut lookup = |key: &str| -> Result<Option<String>, StorageError> {
            match self.pending.get(key) {
                Some(id) => Ok(Some(id.clone())),
                None => host.text(bucket::EMAILS, key),
            }
        };
        Ok(match read::id(&order["customer_id"]) {
            Some(cid) => {
                let id = ids::customer_contact_id(cid);
                let marker = format!("#{id}");
                if lookup(&marker)?.is_none() && lookup(&email)?.as_deref() != Some(id.as_str()) {
                    if let Some(r) = mapping::contact_from_order_billing(order) {
                        batch.records.push(r);
                    }
                    batch.set_state(bucket::EMAILS, &marker, id.clone());
                    self.pending.insert(marker, id.clone());
                    if !email.is_empty() {
                        batch.set_state(bucket::EMAILS, &email, id.clone());
                        self.pending.insert(email, id.clone());
                    }
                }
                Some(id)
            }
            None if email.is_empty() => None,
            None => {
                if let Some(existing) = lookup(&email)? {
                    return Ok(Some(existing));
                }
                let Some(r) = mapping::contact_from_order_billing(order) else { return Ok(None) };
                let id = r.id.clone();
                batch.records.push(r);
                batch.set_state(bucket::EMAILS, &email, id.clone());
                self.pending.insert(email, id.clone());
                Some(id)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::memory::MemoryHost;
    use serde_json::json;

    #[test]
    fn an_order_fires_submitted_once_paid_once_and_each_status_change_once() {
        let mut host = MemoryHost::default();
        let settings = Settings::default();
        let at = |status: &str, modified: &str| json!({"id": 9, "status": status, "total": "5.00", "billing": {"email": "a@b.c"}, "date_modified_gmt": modified});
        for o in [
            at("pending", "2025-03-01T09:00:00"),
            at("pending", "2025-03-01T09:00:00"),
            at("processing", "2025-03-01T10:00:00"),
            at("completed", "2025-03-01T11:00:00"),
        ] {
            let mut batch = Batch::default();
            order(&mut host, &settings, &o, &mut batch).unwrap();
            host.commit(batch).unwrap();
        }
        let ids: Vec<&String> = host.triggers.keys().collect();
        assert_eq!(
            ids,
            [
                "woo:trigger:order_status_changed:9:pending:processing:2025-03-01T10:00:00",
                "woo:trigger:order_status_changed:9:processing:completed:2025-03-01T11:00:00",
                "woo:trigger:order_submitted:9",
                "woo:trigger:payment_received:9",
            ]
        );
    }

    #[test]
    fn rule_a_product_read_only_for_its_categories_is_applied_once_product_sync_is_turned_on() {
        let mut host = MemoryHost::default();
        let p = json!({"id": 5, "type": "simple", "status": "publish", "price": "9.50",
            "categories": [{"id": 3}], "date_modified_gmt": "2025-03-01T08:00:00"});
        let collections_only = Settings { products: false, ..Settings::default() };
        let mut batch = Batch::default();
        changed_product(&mut host, &collections_only, &p, &[], &mut batch).unwrap();
        assert!(batch.records.is_empty(), "product sync off: no record");
        host.commit(batch).unwrap();
        assert!(host.get(bucket::LINKED_CATEGORIES, "3").unwrap().is_some(), "its category is linked");
        assert!(host.get(bucket::PRODUCTS, "5").unwrap().is_none(), "not applied");
        let mut batch = Batch::default();
        assert!(changed_product(&mut host, &Settings::default(), &p, &[], &mut batch).unwrap());
        assert_eq!(batch.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["woo:product:5"]);
    }

    #[test]
    fn a_sku_on_two_products_is_reported_and_both_are_kept() {
        let mut host = MemoryHost::default();
        let mut batch = Batch::default();
        for id in [1, 2] {
            let p = json!({"id": id, "type": "simple", "status": "publish", "price": "5", "sku": "MUG"});
            product(&mut host, &p, &[], false, true, Stock::Note, &mut batch).unwrap().unwrap();
        }
        assert_eq!(batch.records.len(), 2);
        assert!(
            host.logs.iter().any(|l| l.contains("SKU \"MUG\" is on both woo:product:1 and woo:product:2")),
            "{:?}",
            host.logs
        );
    }

    #[test]
    fn a_customer_contact_is_indexed_by_its_email_for_guest_orders() {
        let mut host = MemoryHost::default();
        let mut batch = Batch::default();
        assert!(customer(&json!({"id": 7, "role": "customer", "email": "Ann@Example.com"}), &mut batch).is_some());
        assert!(
            customer(&json!({"id": 1, "role": "administrator", "email": "admin@example.com"}), &mut batch).is_none()
        );
        host.commit(batch).unwrap();
        let mut batch = Batch::default();
        let guest_order = json!({"id": 100, "customer_id": 0, "billing": {"email": "ann@example.com"}});
        assert_eq!(
            Buyers::default().contact_for(&mut host, &guest_order, &mut batch).unwrap().as_deref(),
            Some("woo:customer:7")
        );
        assert!(batch.records.is_empty(), "no second contact for a known e-mail");
    }
}

#[cfg(test)]
mod trigger_tests;
