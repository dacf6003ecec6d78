//! Sync: keeping the platform's records in step with the store.
//!
//! The first import (`import`) reads every page of every selected kind,
//! committing each page with its checkpoint, so it resumes after a cut; later
//! passes (`incremental`) read only what changed since the kind's cursor;
//! webhook deliveries (`webhook`) apply one resource each. All three apply a
//! resource through the same rules (`apply`): never an older version over a
//! newer one (`version`), triggers fired once (`triggers`), buyers linked to
//! their contact. `fetch` reads what a page of parents needs (variations,
//! refunds) by the cheapest endpoints the store has; `reconcile` sweeps the
//! customers for edits no webhook brought; `settings` says what ongoing sync
//! keeps in step.
//!
//! This module holds what they share: the [`Kind`]s a user selects, the
//! [`Report`] of a pass, the batch commit that counts records, and the
//! per-kind cursors behind [`status`].

pub mod apply;
#[cfg(test)]
mod checkout_rules;
pub mod checkouts;
pub mod fetch;
pub mod import;
pub mod incremental;
pub mod reconcile;
pub mod settings;
pub mod triggers;
pub mod version;
pub mod webhook;

use crate::client::Error;
use crate::port::{Batch, Host, RecordKind, StorageError, bucket};

/// A kind of platform record the user selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Customers and guest buyers, one contact per e-mail address.
    Contacts,
    /// Orders (checkout drafts and trashed orders are not synced).
    Orders,
    /// Payments of paid orders and their refunds.
    Transactions,
    /// Products the online store sells.
    Products,
    /// Product categories linked to synced products.
    Collections,
    /// Checkouts: `checkout-draft` orders, never imported as orders.
    Checkouts,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 6] =
        [Kind::Contacts, Kind::Orders, Kind::Transactions, Kind::Products, Kind::Collections, Kind::Checkouts];

    /// The kind's name, as cursors and progress write it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Contacts => "contacts",
            Kind::Orders => "orders",
            Kind::Transactions => "transactions",
            Kind::Products => "products",
            Kind::Collections => "collections",
            Kind::Checkouts => "checkouts",
        }
    }

    /// The kind a platform record counts under.
    pub fn of_record(kind: RecordKind) -> Kind {
        match kind {
            RecordKind::Contact => Kind::Contacts,
            RecordKind::Order => Kind::Orders,
            RecordKind::Transaction => Kind::Transactions,
            RecordKind::Product => Kind::Products,
            RecordKind::Collection => Kind::Collections,
            RecordKind::Checkout => Kind::Checkouts,
        }
    }
}

/// What a pass did for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindReport {
    /// The kind this line counts.
    pub kind: Kind,
    /// Records handed to the platform.
    pub records: u64,
    /// Of those, records the platform did not have.
    pub created: u64,
    /// Of those, records the platform had (replaced).
    pub updated: u64,
    /// Resources the rules do not sync (or already applied).
    pub skipped: u64,
    /// Resources without a usable id, logged and left out.
    pub malformed: u64,
}

/// What a pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// One line per kind the pass covered.
    pub kinds: Vec<KindReport>,
    /// HTTP requests made to the store.
    pub requests: u64,
    /// Triggers handed to the platform.
    pub triggers: u64,
}

impl Report {
    /// The line of `kind`, added (all zero) when missing.
    pub fn entry(&mut self, kind: Kind) -> &mut KindReport {
        if let Some(i) = self.kinds.iter().position(|k| k.kind == kind) {
            return &mut self.kinds[i];
        }
        self.kinds.push(KindReport { kind, records: 0, created: 0, updated: 0, skipped: 0, malformed: 0 });
        let last = self.kinds.len() - 1;
        &mut self.kinds[last]
    }
}

/// Commit a batch and count its records as created or updated per kind.
pub fn commit_counted(host: &mut impl Host, report: &mut Report, batch: Batch) -> Result<(), Error> {
    let kinds: Vec<Kind> = batch.records.iter().map(|r| Kind::of_record(r.kind)).collect();
    report.triggers += batch.triggers.len() as u64;
    let created =
        host.commit(batch).map_err(|e| Error::Storage(format!("the platform could not store a page: {e}")))?;
    for (kind, new) in kinds.into_iter().zip(created.into_iter().chain(std::iter::repeat(false))) {
        let e = report.entry(kind);
        e.records += 1;
        if new {
            e.created += 1;
        } else {
            e.updated += 1;
        }
    }
    Ok(())
}

/// The key of a kind's cursor in the cursors bucket: the time (RFC 3339)
/// up to which its last import or pass read the store.
pub fn since_key(kind: Kind) -> String {
    format!("sync:{}:since", kind.name())
}

/// Move the cursors of `kinds` to `at` in `batch`, so they are stored with
/// the records they describe.
pub fn set_since(batch: &mut Batch, kinds: &[Kind], at: &str) {
    for kind in kinds {
        batch.set_state(bucket::CURSORS, &since_key(*kind), at.to_string());
    }
}

/// The newest customer id known (customers have no date filter: a pass
/// reads those newer than this).
pub const CONTACTS_MAX_ID: &str = "sync:contacts:max_id";

/// A value of the cursors bucket, as text (`None` when absent).
pub fn cursor(host: &mut impl Host, key: &str) -> Result<Option<String>, StorageError> {
    host.text(bucket::CURSORS, key)
}

/// How far each kind has been kept in step: the time (RFC 3339) its last
/// import or pass read the store up to, for each kind that has synced once.
pub fn status(host: &mut impl Host) -> Result<Vec<(Kind, String)>, StorageError> {
    let mut out = vec![];
    for k in Kind::ALL {
        if let Some(at) = cursor(host, &since_key(k))? {
            out.push((k, at));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::memory::MemoryHost;

    #[test]
    fn status_lists_each_kind_with_a_cursor_and_its_time() {
        let mut host = MemoryHost::default();
        assert!(status(&mut host).unwrap().is_empty());
        host.set(bucket::CURSORS, &since_key(Kind::Orders), b"2025-03-01T09:00:00Z").unwrap();
        host.set(bucket::CURSORS, &since_key(Kind::Contacts), b"2025-03-02T09:00:00Z").unwrap();
        host.set(bucket::CURSORS, "sync:contacts:max_id", b"7").unwrap();
        assert_eq!(
            status(&mut host).unwrap(),
            [(Kind::Contacts, "2025-03-02T09:00:00Z".to_string()), (Kind::Orders, "2025-03-01T09:00:00Z".to_string())]
        );
    }
}
