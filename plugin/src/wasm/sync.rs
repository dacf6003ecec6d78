//! The exported `sync` interface.

use super::Component;
use super::call::{to_wit, with_client};
use super::exports::woo::connector::sync as wit_sync;
use super::host::WitHost;
use super::woo::connector::types as wit;
use crate::sync::settings::{self, Settings};
use crate::sync::{self, Kind, Report, import, incremental, webhook};

fn kind_from_wit(k: wit::Kind) -> Kind {
    match k {
        wit::Kind::Contacts => Kind::Contacts,
        wit::Kind::Orders => Kind::Orders,
        wit::Kind::Transactions => Kind::Transactions,
        wit::Kind::Products => Kind::Products,
        wit::Kind::Collections => Kind::Collections,
        wit::Kind::Checkouts => Kind::Checkouts,
    }
}

fn kind_to_wit(k: Kind) -> wit::Kind {
    match k {
        Kind::Contacts => wit::Kind::Contacts,
        Kind::Orders => wit::Kind::Orders,
        Kind::Transactions => wit::Kind::Transactions,
        Kind::Products => wit::Kind::Products,
        Kind::Collections => wit::Kind::Collections,
        Kind::Checkouts => wit::Kind::Checkouts,
    }
}

fn report_to_wit(r: Report) -> wit_sync::Report {
    wit_sync::Report {
        kinds: r
            .kinds
            .into_iter()
            .map(|k| wit_sync::KindReport {
                kind: kind_to_wit(k.kind),
                records: k.records,
                created: k.created,
                updated: k.updated,
                skipped: k.skipped,
                malformed: k.malformed,
            })
            .collect(),
        requests: r.requests,
        triggers: r.triggers,
    }
}

impl wit_sync::Guest for Component {
    fn import(kinds: Vec<wit::Kind>) -> Result<wit_sync::Report, wit::Error> {
        let kinds: Vec<Kind> = kinds.into_iter().map(kind_from_wit).collect();
        with_client(|c, host| {
            let n = settings::concurrency(host)?;
            import::run(c, host, &kinds, n)
        })
        .map(report_to_wit)
    }

    fn get_settings() -> Result<wit_sync::Settings, wit::Error> {
        let s = settings::load(&mut WitHost).map_err(|e| to_wit(e.into()))?;
        Ok(wit_sync::Settings {
            contacts: s.contacts,
            orders: s.orders,
            transactions: s.transactions,
            products: s.products,
            collections: s.collections,
            checkouts: s.checkouts,
            order_submitted: s.order_submitted,
            payment_received: s.payment_received,
            order_status_changed: s.order_status_changed,
            order_refunded: s.order_refunded,
            customer_created: s.customer_created,
            product_out_of_stock: s.product_out_of_stock,
            concurrency: u32::try_from(s.concurrency).unwrap_or(u32::MAX),
            reconcile_every_minutes: s.reconcile_every_minutes,
            checkout_abandoned_after_minutes: s.checkout_abandoned_after_minutes,
        })
    }

    fn set_settings(s: wit_sync::Settings) -> Result<(), wit::Error> {
        let s = Settings {
            contacts: s.contacts,
            orders: s.orders,
            transactions: s.transactions,
            products: s.products,
            collections: s.collections,
            checkouts: s.checkouts,
            order_submitted: s.order_submitted,
            payment_received: s.payment_received,
            order_status_changed: s.order_status_changed,
            order_refunded: s.order_refunded,
            customer_created: s.customer_created,
            product_out_of_stock: s.product_out_of_stock,
            concurrency: usize::try_from(s.concurrency).unwrap_or(usize::MAX),
            reconcile_every_minutes: s.reconcile_every_minutes,
            checkout_abandoned_after_minutes: s.checkout_abandoned_after_minutes,
        };
        settings::save(&mut WitHost, &s).map_err(to_wit)
    }

    fn sync_pass(kinds: Option<Vec<wit::Kind>>) -> Result<wit_sync::Report, wit::Error> {
        let kinds: Option<Vec<Kind>> = kinds.map(|k| k.into_iter().map(kind_from_wit).collect());
        with_client(|c, host| {
            let n = settings::concurrency(host)?;
            incremental::run_pass(c, host, kinds.as_deref(), n)
        })
        .map(report_to_wit)
    }

    fn status() -> Result<wit_sync::SyncStatus, wit::Error> {
        let kinds = sync::status(&mut WitHost)
            .map_err(|e| to_wit(e.into()))?
            .into_iter()
            .map(|(kind, at)| wit_sync::KindStatus { kind: kind_to_wit(kind), last_sync: Some(at) })
            .collect();
        let healing = webhook::healing(&mut WitHost).map_err(|e| to_wit(e.into()))?;
        Ok(wit_sync::SyncStatus {
            kinds,
            webhooks_healed: healing.healed,
            webhooks_last_healed: healing.last_at,
            webhooks_last_healed_topics: healing.last_topics,
        })
    }
}
