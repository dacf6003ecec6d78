//! Ongoing-sync settings (SPEC §5), kept in the state store.

use crate::env::{Host, bucket};
use serde::{Deserialize, Serialize};

/// What ongoing sync keeps in step. Everything is on until changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub contacts: bool,
    pub orders: bool,
    pub transactions: bool,
    pub products: bool,
    pub collections: bool,
    pub order_submitted: bool,
    pub payment_received: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { contacts: true, orders: true, transactions: true, products: true, collections: true, order_submitted: true, payment_received: true }
    }
}

const KEY: &str = "sync-settings";

pub fn load(host: &mut impl Host) -> Settings {
    host.get(bucket::CONNECTION, KEY).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

pub fn save(host: &mut impl Host, s: &Settings) -> Result<(), String> {
    host.set(bucket::CONNECTION, KEY, &serde_json::to_vec(s).unwrap_or_default())
}

/// Pages in flight when none is set.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most pages in flight a connection may ask for.
pub const MAX_CONCURRENCY: usize = 16;
/// Where the host keeps a connection's chosen concurrency (`woo settings --concurrency`).
pub const CONCURRENCY_KEY: &str = "concurrency";

/// Pages in flight for this connection: the saved choice, within 1 to 16.
pub fn concurrency(host: &mut impl Host) -> usize {
    host.get(bucket::CONNECTION, CONCURRENCY_KEY)
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.trim().parse::<usize>().ok())
        .map(|n| n.clamp(1, MAX_CONCURRENCY))
        .unwrap_or(DEFAULT_CONCURRENCY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::memory::MemoryHost;

    #[test]
    fn concurrency_defaults_to_4_and_is_kept_within_1_to_16() {
        let mut host = MemoryHost::default();
        assert_eq!(concurrency(&mut host), 4);
        for (saved, used) in [("8", 8), ("0", 1), ("64", 16), ("lots", 4)] {
            host.set(bucket::CONNECTION, CONCURRENCY_KEY, saved.as_bytes()).unwrap();
            assert_eq!(concurrency(&mut host), used, "{saved}");
        }
    }
}
