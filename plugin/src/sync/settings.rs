//! The ongoing-sync settings, kept in the connection's state: which kinds a
//! pass keeps in step, which triggers it fires, and how many requests it keeps
//! in flight.

use crate::client::Error;
use crate::port::{Batch, Host, StorageError, bucket};
use serde::{Deserialize, Serialize};

/// What ongoing sync keeps in step. Everything is on until changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Keep contacts in step.
    pub contacts: bool,
    /// Keep orders in step.
    pub orders: bool,
    /// Keep transactions (payments and refunds) in step.
    pub transactions: bool,
    /// Keep products in step.
    pub products: bool,
    /// Keep collections (product categories) in step.
    pub collections: bool,
    /// Keep checkouts (the store's `checkout-draft` orders) in step. Settings
    /// saved before this switch existed read it as on.
    #[serde(default = "on")]
    pub checkouts: bool,
    /// Fire `order_submitted` for orders first seen after the import.
    pub order_submitted: bool,
    /// Fire `payment_received` when an order becomes paid.
    pub payment_received: bool,
    /// Fire `order_status_changed` when an order already held changes status.
    /// Settings saved before this switch existed read it as on.
    #[serde(default = "on")]
    pub order_status_changed: bool,
    /// Fire `order_refunded` for each new refund of an order already held.
    #[serde(default = "on")]
    pub order_refunded: bool,
    /// Fire `customer_created` for each registered customer first seen after
    /// the first import.
    #[serde(default = "on")]
    pub customer_created: bool,
    /// Fire `product_out_of_stock` when a product or variation held in stock
    /// is seen out of stock.
    #[serde(default = "on")]
    pub product_out_of_stock: bool,
    /// Requests a pass keeps in flight to the store (1 to 16). Kept under its
    /// own key ([`CONCURRENCY_KEY`]), where connections saved it before it was
    /// a setting, so it is not part of the switches' JSON.
    #[serde(skip, default = "default_concurrency")]
    pub concurrency: usize,
    /// Minutes between reconciliation sweeps of the customers (0 = never).
    /// Settings saved before it existed read it as 60.
    #[serde(default = "default_reconcile")]
    pub reconcile_every_minutes: u32,
    /// Minutes after its last change an open checkout that has not become an
    /// order fires `checkout_abandoned` (0 = never). Settings saved before it
    /// existed read it as 60.
    #[serde(default = "default_abandoned")]
    pub checkout_abandoned_after_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            contacts: true,
            orders: true,
            transactions: true,
            products: true,
            collections: true,
            checkouts: true,
            order_submitted: true,
            payment_received: true,
            order_status_changed: true,
            order_refunded: true,
            customer_created: true,
            product_out_of_stock: true,
            concurrency: DEFAULT_CONCURRENCY,
            reconcile_every_minutes: DEFAULT_RECONCILE_MINUTES,
            checkout_abandoned_after_minutes: DEFAULT_ABANDONED_MINUTES,
        }
    }
}

/// A switch missing from saved settings (one added after they were saved) is on.
fn on() -> bool {
    true
}

fn default_reconcile() -> u32 {
    DEFAULT_RECONCILE_MINUTES
}

fn default_abandoned() -> u32 {
    DEFAULT_ABANDONED_MINUTES
}

/// Minutes after which an open checkout is abandoned, when none is set.
pub const DEFAULT_ABANDONED_MINUTES: u32 = 60;

/// Minutes between customer sweeps when none is set.
pub const DEFAULT_RECONCILE_MINUTES: u32 = 60;

fn default_concurrency() -> usize {
    DEFAULT_CONCURRENCY
}

/// Where the switches are kept, as JSON, in the connection bucket.
const KEY: &str = "sync-settings";

/// Pages in flight when none is set.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most pages in flight a connection may ask for.
pub const MAX_CONCURRENCY: usize = 16;
/// Where a connection's chosen concurrency is kept, as decimal text.
pub const CONCURRENCY_KEY: &str = "concurrency";

/// The state [`load`] reads, to read ahead.
pub fn keys() -> [(&'static str, String); 2] {
    [(bucket::CONNECTION, KEY.to_string()), (bucket::CONNECTION, CONCURRENCY_KEY.to_string())]
}

/// The saved settings (the defaults for anything never saved); an error
/// when the host cannot read them, so a pass never runs on defaults it was
/// not given.
pub fn load(host: &mut impl Host) -> Result<Settings, StorageError> {
    let mut s: Settings =
        host.get(bucket::CONNECTION, KEY)?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    s.concurrency = concurrency(host)?;
    Ok(s)
}

/// Save the settings, all or nothing. A concurrency outside 1 to 16 is
/// refused and nothing is saved.
pub fn save(host: &mut impl Host, s: &Settings) -> Result<(), Error> {
    if !(1..=MAX_CONCURRENCY).contains(&s.concurrency) {
        return Err(Error::invalid("concurrency", format!("must be 1 to {MAX_CONCURRENCY}, not {}", s.concurrency)));
    }
    let mut batch = Batch::default();
    batch.set_state(bucket::CONNECTION, KEY, serde_json::to_vec(s).unwrap_or_default());
    batch.set_state(bucket::CONNECTION, CONCURRENCY_KEY, s.concurrency.to_string());
    host.commit(batch)?;
    Ok(())
}

/// Pages in flight for this connection: the saved choice, within 1 to 16.
pub fn concurrency(host: &mut impl Host) -> Result<usize, StorageError> {
    Ok(host
        .get(bucket::CONNECTION, CONCURRENCY_KEY)?
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.trim().parse::<usize>().ok())
        .map(|n| n.clamp(1, MAX_CONCURRENCY))
        .unwrap_or(DEFAULT_CONCURRENCY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::memory::MemoryHost;

    #[test]
    fn concurrency_defaults_to_4_and_is_kept_within_1_to_16() {
        let mut host = MemoryHost::default();
        assert_eq!(concurrency(&mut host).unwrap(), 4);
        for (saved, used) in [("8", 8), ("0", 1), ("64", 16), ("lots", 4)] {
            host.set(bucket::CONNECTION, CONCURRENCY_KEY, saved.as_bytes()).unwrap();
            assert_eq!(concurrency(&mut host).unwrap(), used, "{saved}");
        }
    }

    #[test]
    fn concurrency_is_saved_under_the_key_existing_connections_use() {
        let mut host = MemoryHost::default();
        host.set(bucket::CONNECTION, CONCURRENCY_KEY, b"7").unwrap();
        assert_eq!(load(&mut host).unwrap().concurrency, 7, "a choice saved before it was a setting is kept");
        let s = Settings { concurrency: 12, orders: false, ..Settings::default() };
        save(&mut host, &s).unwrap();
        assert_eq!(host.get(bucket::CONNECTION, CONCURRENCY_KEY).unwrap().unwrap(), b"12");
        assert_eq!(load(&mut host).unwrap(), s);
    }

    #[test]
    fn settings_saved_before_the_new_trigger_switches_read_them_as_on_and_keep_the_rest() {
        let mut host = MemoryHost::default();
        let old = br#"{"contacts":true,"orders":false,"transactions":true,"products":true,"collections":true,"order_submitted":false,"payment_received":true}"#;
        host.set(bucket::CONNECTION, KEY, old).unwrap();
        let s = load(&mut host).unwrap();
        assert!(!s.orders && !s.order_submitted && s.payment_received, "the saved switches are kept");
        assert!(s.order_status_changed && s.order_refunded && s.customer_created && s.product_out_of_stock);
        assert_eq!(s.reconcile_every_minutes, 60, "saved without the sweep's interval: hourly");
        assert!(s.checkouts, "saved before checkouts were synced: on");
        assert_eq!(s.checkout_abandoned_after_minutes, 60, "saved without the abandonment time: an hour");
        let off = Settings {
            customer_created: false,
            product_out_of_stock: false,
            reconcile_every_minutes: 0,
            checkouts: false,
            checkout_abandoned_after_minutes: 0,
            ..Settings::default()
        };
        save(&mut host, &off).unwrap();
        assert_eq!(load(&mut host).unwrap(), off);
    }

    #[test]
    fn concurrency_outside_1_to_16_is_refused_and_nothing_is_saved() {
        let mut host = MemoryHost::default();
        for n in [0, 17] {
            let e = save(&mut host, &Settings { concurrency: n, ..Settings::default() }).unwrap_err();
            assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "concurrency"), "{e}");
        }
        assert!(host.kv.is_empty());
    }
}
