//! The triggers the platform's automations react to: which change fires
//! which, and what makes each fire exactly once.
//!
//! Every path that applies a resource (incremental passes, webhook
//! deliveries) asks here, so whichever sees a change first fires its trigger
//! and the other finds it already remembered. Each trigger carries a key
//! ([`Trigger::id`]) that the host inserts once, ever, in the same
//! transaction as the records and the state that caused it: a pass cut
//! anywhere, a retried delivery, or a pass and a delivery racing each other
//! fire nothing twice. The first import fires nothing: it only notes what it
//! saw (an order's status and refunds, a product's stock), so the first
//! change after it is told from history.
//!
//! | trigger | fires when | key |
//! | --- | --- | --- |
//! | `order_submitted` | an order is first seen after the import | once per order |
//! | `payment_received` | an order is first seen paid | once per order |
//! | `order_status_changed` | an order held is seen with another status | from, to, version |
//! | `order_refunded` | an order held is seen with a refund it did not have | refund id |
//! | `customer_created` | a registered customer is first seen after the import | once per customer |
//! | `product_out_of_stock` | a product or variation held in stock is seen out of stock | id, version |
//! | `checkout_abandoned` | a checkout is still a draft, unchanged, its time after its last change (see `sync::checkouts`) | once per checkout |

use super::settings::Settings;
use super::version::comparable_time;
use super::{CONTACTS_MAX_ID, Kind, cursor, since_key};
use crate::mapping::{self, ids};
use crate::port::{Batch, Host, StorageError, Trigger, bucket};
use crate::read;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// An order first seen after the import.
pub const ORDER_SUBMITTED: &str = "order_submitted";
/// An order first seen paid (`date_paid` set, or processing or completed).
pub const PAYMENT_RECEIVED: &str = "payment_received";
/// An order held is seen with another WooCommerce status.
pub const ORDER_STATUS_CHANGED: &str = "order_status_changed";
/// An order held is seen with a new refund.
pub const ORDER_REFUNDED: &str = "order_refunded";
/// A registered customer first seen after the import.
pub const CUSTOMER_CREATED: &str = "customer_created";
/// A product or variation held in stock is seen out of stock.
pub const PRODUCT_OUT_OF_STOCK: &str = "product_out_of_stock";
/// A checkout has not become an order within its time.
pub const CHECKOUT_ABANDONED: &str = "checkout_abandoned";

/// What is remembered of an order between passes (bucket `orders`): enough
/// to tell what a newer version changed.
///
/// Kept as `p|u:<date_modified_gmt>|<status>|<refund ids>`. Connectors
/// before the status and refund triggers kept `p|u:<date_modified_gmt>`:
/// such an order has no known status or refunds ([`None`]), so its next
/// version fires neither trigger, only notes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderState {
    /// Paid when last applied.
    pub paid: bool,
    /// The `date_modified_gmt` last applied, as the store wrote it.
    pub modified: String,
    /// The WooCommerce status last applied.
    pub status: Option<String>,
    /// The ids of the refunds the order had when last applied.
    pub refunds: Option<BTreeSet<u64>>,
}

impl OrderState {
    /// What an order's version says.
    pub fn of(order: &Value) -> OrderState {
        OrderState {
            paid: mapping::is_paid(order),
            modified: read::text(&order["date_modified_gmt"]),
            status: Some(read::text(&order["status"])),
            refunds: Some(read::list(&order["refunds"]).iter().filter_map(|r| read::id(&r["id"])).collect()),
        }
    }

    /// Read a remembered state, in either layout.
    pub fn parse(s: &str) -> OrderState {
        let (paid, rest) = s.split_once(':').unwrap_or((s, ""));
        let mut parts = rest.split('|');
        let modified = parts.next().unwrap_or("").to_string();
        let status = parts.next().map(str::to_string);
        let refunds = parts.next().map(|r| r.split(',').filter_map(|id| id.parse().ok()).collect());
        OrderState { paid: paid == "p", modified, status, refunds }
    }

    /// The text kept in the `orders` bucket.
    pub fn encode(&self) -> String {
        let refunds: Vec<String> = self.refunds.iter().flatten().map(u64::to_string).collect();
        format!(
            "{}:{}|{}|{}",
            if self.paid { "p" } else { "u" },
            self.modified,
            self.status.as_deref().unwrap_or(""),
            refunds.join(",")
        )
    }
}

/// A trigger about `subject`, fired now.
fn fire(name: &'static str, subject: &str, key: String, contact: Option<&str>, data: Value, now: &str) -> Trigger {
    Trigger {
        name,
        subject_id: subject.to_string(),
        key,
        contact_id: contact.map(str::to_string),
        data,
        time: now.to_string(),
    }
}

/// The triggers a newly applied version of an order earns, given what was
/// remembered of it (`None`: first seen). Each only while its switch is on;
/// what a version changed is remembered whatever the switches say, so a
/// switch turned on later never fires for an old change.
pub fn for_order(
    settings: &Settings,
    previous: Option<&OrderState>,
    order: &Value,
    contact: Option<&str>,
    now: &str,
) -> Vec<Trigger> {
    let Some(id) = read::id(&order["id"]) else { return vec![] };
    let subject = ids::order_id(id);
    let current = OrderState::of(order);
    let mut out = vec![];
    if previous.is_none() && settings.order_submitted {
        out.push(fire(ORDER_SUBMITTED, &subject, String::new(), contact, json!({}), now));
    }
    if current.paid && !previous.is_some_and(|p| p.paid) && settings.payment_received {
        out.push(fire(PAYMENT_RECEIVED, &subject, String::new(), contact, json!({}), now));
    }
    let Some(previous) = previous else { return out };
    if settings.order_status_changed
        && let (Some(from), Some(to)) = (&previous.status, &current.status)
        && from != to
    {
        // The version is in the key: back and forth fires each change once.
        let key = format!("{from}:{to}:{}", comparable_time(&current.modified));
        out.push(fire(ORDER_STATUS_CHANGED, &subject, key, contact, json!({"from": from, "to": to}), now));
    }
    if settings.order_refunded
        && let Some(known) = &previous.refunds
    {
        for refund in read::list(&order["refunds"]) {
            let Some(rid) = read::id(&refund["id"]).filter(|r| !known.contains(r)) else { continue };
            // The order's summary of a refund carries its total, negative.
            let amount = read::money(&refund["total"])
                .or_else(|| read::money(&refund["amount"]))
                .map(|a| a.trim_start_matches('-').to_string())
                .unwrap_or_else(|| "0.00".into());
            let data = json!({
                "refund_id": ids::refund_id(rid),
                "amount": amount,
                "currency": read::text(&order["currency"]),
                "reason": read::name(&refund["reason"]),
            });
            out.push(fire(ORDER_REFUNDED, &subject, rid.to_string(), contact, data, now));
        }
    }
    out
}

/// `customer_created` for a registered customer (one whose contact is
/// synced) that is new: not delivered before (`delivered_before`), newer
/// than every customer the import or the last pass read, and seen after the
/// contacts' first import or pass (before that, every customer is history).
pub fn customer_created(
    host: &mut impl Host,
    settings: &Settings,
    customer: &Value,
    delivered_before: bool,
    batch: &mut Batch,
) -> Result<(), StorageError> {
    let Some(id) = read::id(&customer["id"]) else { return Ok(()) };
    if !settings.customer_created || delivered_before || cursor(host, &since_key(Kind::Contacts))?.is_none() {
        return Ok(());
    }
    let newest_known: u64 = cursor(host, CONTACTS_MAX_ID)?.and_then(|s| s.parse().ok()).unwrap_or(0);
    if id <= newest_known {
        return Ok(());
    }
    let contact = ids::customer_contact_id(id);
    let now = host.now_rfc3339();
    batch.triggers.push(fire(CUSTOMER_CREATED, &contact, String::new(), Some(&contact), json!({}), &now));
    Ok(())
}

/// Out of stock: `stock_status` `outofstock`, or a managed stock of 0 or
/// less (WooCommerce marks a product that allows backorders `onbackorder`
/// at 0, still without stock).
pub fn is_out_of_stock(item: &Value) -> bool {
    read::text(&item["stock_status"]) == "outofstock" || item["stock_quantity"].as_i64().is_some_and(|q| q <= 0)
}

/// What the connector does with the stock it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stock {
    /// Note it without reading what was noted (the first import: nothing
    /// fires, and nothing needs to be compared).
    Note,
    /// Compare with what was noted; fire `product_out_of_stock` for a move
    /// into out-of-stock when `fire` (the switch is on).
    Compare {
        /// Whether the trigger's switch is on.
        fire: bool,
    },
}

/// Note the stock of a product record's product and its variants (the
/// priced variations), firing `product_out_of_stock` as `mode` says. A
/// variable product's own stock counts too: WooCommerce marks it
/// `outofstock` when its last variation runs out.
pub fn product_stock(
    host: &mut impl Host,
    p: &Value,
    variations: &[Value],
    variant_ids: &BTreeSet<u64>,
    mode: Stock,
    batch: &mut Batch,
) -> Result<(), StorageError> {
    let Some(id) = read::id(&p["id"]) else { return Ok(()) };
    let product = ids::product_id(id);
    item_stock(host, "product", id, p, &product, mode, batch)?;
    for v in variations {
        if let Some(vid) = read::id(&v["id"]).filter(|vid| variant_ids.contains(vid)) {
            item_stock(host, "variation", vid, v, &product, mode, batch)?;
        }
    }
    Ok(())
}

/// Whether a variation's stock is noted: it is a variant of a product the
/// connector holds.
pub fn is_noted_variation(host: &mut impl Host, variation: u64) -> Result<bool, StorageError> {
    Ok(host.get(bucket::STOCK, &format!("variation:{variation}"))?.is_some())
}

/// Compare one variation a delivery carries with what was noted of it (see
/// [`product_stock`]); the caller checks it is noted.
pub fn variation_stock(
    host: &mut impl Host,
    variation: &Value,
    fire: bool,
    batch: &mut Batch,
) -> Result<(), StorageError> {
    let (Some(vid), Some(parent)) = (read::id(&variation["id"]), read::id(&variation["parent_id"])) else {
        return Ok(());
    };
    item_stock(host, "variation", vid, variation, &ids::product_id(parent), Stock::Compare { fire }, batch)
}

/// One product's or variation's stock, noted as `in:<version>` or
/// `out:<version>` (the version it was last seen so; an `out` version is the
/// trigger's key). A move from in to out fires; one never noted (first seen,
/// or held by a connector from before this trigger) is only noted; a version
/// older than the one noted (a late delivery) changes nothing.
fn item_stock(
    host: &mut impl Host,
    kind: &str,
    id: u64,
    item: &Value,
    product: &str,
    mode: Stock,
    batch: &mut Batch,
) -> Result<(), StorageError> {
    let key = format!("{kind}:{id}");
    let modified = comparable_time(&read::text(&item["date_modified_gmt"]));
    let out = is_out_of_stock(item);
    let now_noted = format!("{}:{modified}", if out { "out" } else { "in" });
    let Stock::Compare { fire: fire_on } = mode else {
        batch.set_state(bucket::STOCK, &key, now_noted);
        return Ok(());
    };
    let Some(noted) = host.text(bucket::STOCK, &key)? else {
        batch.set_state(bucket::STOCK, &key, now_noted);
        return Ok(());
    };
    let (was, at) = noted.split_once(':').unwrap_or((noted.as_str(), ""));
    if modified.as_str() < at || (was == "out") == out {
        return Ok(());
    }
    batch.set_state(bucket::STOCK, &key, now_noted);
    if out && fire_on {
        let subject = if kind == "variation" { ids::variation_id(id) } else { ids::product_id(id) };
        let data = json!({
            "product_id": product,
            "sku": read::text(&item["sku"]),
            "stock_quantity": item["stock_quantity"].as_i64(),
            "stock_status": read::text(&item["stock_status"]),
        });
        let now = host.now_rfc3339();
        batch.triggers.push(fire(PRODUCT_OUT_OF_STOCK, &subject, modified, None, data, &now));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
