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
