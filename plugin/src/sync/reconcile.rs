//! The reconciliation sweep: `/customers` has no date filter, so an edit to
//! a customer already held arrives only by a `customer.updated` delivery; a
//! webhook that was down loses it. Every `reconcile-every-minutes` (and after
//! a customer webhook was healed) a pass walks `/customers` with
//! `_fields=id,date_modified_gmt` (`ceil(n/100)` requests), compares each
//! version with the one applied ([`bucket::CUSTOMERS`]) and re-reads only
//! the changed ones, 100 per request (`include=`), applying them by the one
//! customer rule ([`apply::customer`]).
//!
//! New customers (ids above the newest known) are left to the incremental
//! customers pass, which fires `customer_created` for them.

use super::apply;
use super::import::CUSTOMER_FIELDS;
use super::settings::Settings;
use super::version::seconds;
use super::{CONTACTS_MAX_ID, Kind, Report, commit_counted, cursor};
use crate::client::{ApiRequest, Client, Error, MAX_PER_PAGE, Transport};
use crate::port::{Batch, Host, StorageError, bucket};
use crate::read;

/// When the last customer sweep ran (RFC 3339), in the cursors bucket.
pub const LAST_SWEEP_KEY: &str = "sync:contacts:reconciled";

/// Whether a sweep is due now. With no sweep recorded the clock starts now
/// (the import or the first pass has just read every customer): the caller
/// records `now` as the last sweep.
pub fn due(host: &mut impl Host, settings: &Settings, now: &str) -> Result<Option<bool>, StorageError> {
    if settings.reconcile_every_minutes == 0 {
        return Ok(Some(false));
    }
    let Some(last) = cursor(host, LAST_SWEEP_KEY)? else { return Ok(None) };
    let (Some(last), Some(now)) = (seconds(&last), seconds(now)) else { return Ok(Some(true)) };
    Ok(Some(now - last >= i64::from(settings.reconcile_every_minutes) * 60))
}

/// Sweep the customers when due (or `force`d, after a healed customer
/// webhook); records the sweep's time with its last results. Returns
/// whether a sweep ran.
pub fn customers<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
    concurrency: usize,
    force: bool,
) -> Result<bool, Error> {
    let now = host.now_rfc3339();
    if !force {
        match due(host, settings, &now)? {
            Some(true) => {}
            Some(false) => return Ok(false),
            None => {
                let mut b = Batch::default();
                b.set_state(bucket::CURSORS, LAST_SWEEP_KEY, now);
                commit_counted(host, report, b)?;
                return Ok(false);
            }
        }
    }
    let known: u64 = cursor(host, CONTACTS_MAX_ID)?.and_then(|s| s.parse().ok()).unwrap_or(0);
    let q = vec![("role".to_string(), "all".to_string()), ("_fields".to_string(), "id,date_modified_gmt".to_string())];
    let mut changed: Vec<u64> = vec![];
    client.for_each_page("/customers", &q, concurrency, 0, |_, page| {
        for c in &page.items {
            let Some(id) = read::id(&c["id"]) else { continue };
            if id > known {
                continue;
            }
            let modified = read::text(&c["date_modified_gmt"]);
            let applied = host.text(bucket::CUSTOMERS, &id.to_string())?;
            // Never seen: re-read. A store date (none for a user WooCommerce
            // never saved) newer than the one seen: re-read.
            let newer = match applied.as_deref() {
                None => true,
                Some(_) if modified.is_empty() => false,
                Some("") => true,
                Some(a) => {
                    apply::compare_version(&apply::modified_at(c), Some(&apply::comparable_time(a)))
                        == apply::Version::New
                }
            };
            if newer {
                changed.push(id);
            }
        }
        Ok(())
    })?;
    let chunks: Vec<&[u64]> = changed.chunks(MAX_PER_PAGE as usize).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        let include = chunk.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let q = vec![
            ("role".to_string(), "all".to_string()),
            ("include".to_string(), include),
            ("per_page".to_string(), MAX_PER_PAGE.to_string()),
            ("_fields".to_string(), CUSTOMER_FIELDS.join(",")),
        ];
        let r = client.send(&ApiRequest::get("/customers", q))?;
        let mut batch = Batch::default();
        for c in read::list(&r.body) {
            // A role that is not synced is skipped, its version noted too.
            if apply::customer(c, &mut batch).is_none() {
                report.entry(Kind::Contacts).skipped += 1;
            }
        }
        if i + 1 == chunks.len() {
            batch.set_state(bucket::CURSORS, LAST_SWEEP_KEY, now.clone());
        }
        commit_counted(host, report, batch)?;
    }
    if chunks.is_empty() {
        let mut b = Batch::default();
        b.set_state(bucket::CURSORS, LAST_SWEEP_KEY, now);
        commit_counted(host, report, b)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests;
