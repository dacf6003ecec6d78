//! Incremental passes: read only what changed since each kind's cursor and
//! apply it by the same rules as webhooks ([`super::apply`]), so triggers fire
//! exactly once however often an order is seen. A kind that has no cursor
//! yet (no import ran) starts from now.
//!
//! Each pass first checks the webhooks the connection registered
//! ([`webhook::heal`]): one that is down is brought back, and what it missed
//! is caught up: orders and products by their `modified_after` cursors (they
//! never relied on deliveries), customers, which have no date filter, by a
//! reconciliation sweep ([`reconcile::customers`]), which also runs every
//! `reconcile-every-minutes`. Checkouts follow the orders: the drafts changed
//! since their cursor, then the open ones past their time
//! ([`checkouts::abandon_due`]).

use super::apply;
use super::checkouts;
use super::fetch::{self, StoreEndpoints};
use super::reconcile;
use super::settings::{self, Settings};
use super::triggers;
use super::webhook::{self, Resource};
use super::{CONTACTS_MAX_ID, Kind, Report, commit_counted, cursor, set_since, since_key};
use crate::client::{ApiRequest, Client, Error, MAX_PER_PAGE, Transport};
use crate::mapping::{self, ids};
use crate::port::{Batch, Host, Level, StorageError, bucket};
use crate::read;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

/// `2025-03-01T09:00:00Z` or `…+00:00` → `2025-03-01T09:00:00` minus one
/// second: WooCommerce's filters are strictly "after" to the second, so the
/// overlap catches a change made in the same second as the last read; what was
/// applied before is recognised and skipped.
fn modified_after(since: &str) -> String {
    let plain = apply::comparable_time(since);
    minus_one_second(&plain).unwrap_or(plain)
}

fn minus_one_second(t: &str) -> Option<String> {
    let (date, time) = t.split_once('T')?;
    let mut hms: Vec<i64> = time.split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    if hms.len() != 3 {
        return None;
    }
    if hms[2] > 0 {
        hms[2] -= 1;
    } else if hms[1] > 0 {
        hms[1] -= 1;
        hms[2] = 59;
    } else if hms[0] > 0 {
        hms[0] -= 1;
        hms[1] = 59;
        hms[2] = 59;
    } else {
        return Some(format!("{date}T00:00:00"));
    }
    Some(format!("{date}T{:02}:{:02}:{:02}", hms[0], hms[1], hms[2]))
}

/// The query of a "changed since" list, by id.
fn changed_since(since: &str) -> Vec<(String, String)> {
    vec![
        ("modified_after".to_string(), modified_after(since)),
        ("dates_are_gmt".to_string(), "true".to_string()),
        ("orderby".to_string(), "id".to_string()),
        ("order".to_string(), "asc".to_string()),
    ]
}

/// The cursor of the first of `kinds` that has one: two kinds read from one
/// list share their pass.
fn first_cursor(host: &mut impl Host, kinds: [Kind; 2]) -> Result<Option<String>, StorageError> {
    for k in kinds {
        if let Some(since) = cursor(host, &since_key(k))? {
            return Ok(Some(since));
        }
    }
    Ok(None)
}

/// One incremental pass over the enabled kinds (or only `only`).
pub fn run_pass<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    only: Option<&[Kind]>,
    concurrency: usize,
) -> Result<Report, Error> {
    let mut settings = settings::load(host)?;
    if let Some(kinds) = only {
        let has = |k: Kind| kinds.contains(&k);
        settings.contacts &= has(Kind::Contacts);
        settings.orders &= has(Kind::Orders);
        settings.transactions &= has(Kind::Transactions);
        settings.products &= has(Kind::Products);
        settings.collections &= has(Kind::Collections);
        settings.checkouts &= has(Kind::Checkouts);
        if !has(Kind::Orders) {
            settings.order_submitted = false;
            settings.payment_received = false;
            settings.order_status_changed = false;
            settings.order_refunded = false;
        }
        settings.customer_created &= has(Kind::Contacts);
        settings.product_out_of_stock &= has(Kind::Products);
    }
    let started = client.requests;
    let mut report = Report::default();
    let now = host.now_rfc3339();
    // A webhook that cannot be checked or healed must not stop the sync of
    // the records themselves: the pass goes on, and the next one tries again.
    let healed = webhook::heal(client, host).unwrap_or_else(|e| {
        host.log(Level::Warn, &format!("could not check the store's webhooks: {e}"));
        vec![]
    });
    if settings.contacts {
        // Due by the interval, or now: a healed customer webhook may have
        // missed edits.
        let force = healed.iter().any(|t| t.starts_with("customer."));
        reconcile::customers(client, host, &settings, &mut report, concurrency, force)?;
    }
    if settings.products || settings.collections {
        products_pass(client, host, &settings, &mut report, &now, concurrency)?;
    }
    if settings.contacts {
        customers_pass(client, host, &settings, &mut report)?;
    }
    if settings.orders || settings.transactions || settings.order_submitted || settings.payment_received {
        orders_pass(client, host, &settings, &mut report, &now, concurrency)?;
    }
    if settings.checkouts {
        // After the orders: a checkout that became an order is converted
        // before it could be taken for abandoned.
        checkouts_pass(client, host, &settings, &mut report, &now, concurrency)?;
        checkouts::abandon_due(client, host, &settings, &mut report)?;
    }
    report.requests = client.requests - started;
    Ok(report)
}

/// Changed orders since the cursor (`modified_after`, GMT), by id.
fn orders_pass<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
    now: &str,
    concurrency: usize,
) -> Result<(), Error> {
    let Some(since) = first_cursor(host, [Kind::Orders, Kind::Transactions])? else {
        host.log(Level::Info, "first orders sync: starting from now (no import ran)");
        let mut b = Batch::default();
        set_since(&mut b, &[Kind::Orders], now);
        return commit_counted(host, report, b);
    };
    client.for_each_page("/orders", &changed_since(&since), concurrency, 0, |client, page| {
        let with_refunds: Vec<u64> = if settings.transactions {
            page.items
                .iter()
                .filter(|o| !read::list(&o["refunds"]).is_empty())
                .filter_map(|o| read::id(&o["id"]))
                .collect()
        } else {
            vec![]
        };
        let reqs: Vec<ApiRequest> = with_refunds
            .iter()
            .map(|id| {
                ApiRequest::get(format!("/orders/{id}/refunds"), vec![("per_page".into(), MAX_PER_PAGE.to_string())])
            })
            .collect();
        let mut refunds = HashMap::new();
        for (id, answer) in with_refunds.iter().zip(client.send_all(&reqs)) {
            refunds.insert(*id, answer?.body);
        }
        host.read_ahead(&page.items.iter().flat_map(apply::order_keys).collect::<Vec<_>>())?;
        let mut batch = Batch::default();
        for o in &page.items {
            if !apply::order(host, settings, o, &mut batch)? {
                report.entry(Kind::Orders).skipped += 1;
                continue;
            }
            let Some(id) = read::id(&o["id"]) else { continue };
            let record_id = ids::order_id(id);
            let contact = batch
                .records
                .iter()
                .rev()
                .find(|r| r.id == record_id)
                .and_then(|r| r.body["contact_id"].as_str().map(str::to_string));
            let currency = read::text(&o["currency"]);
            for refund in refunds.get(&id).map(|v| read::list(v).to_vec()).unwrap_or_default() {
                if let Some(t) = mapping::refund_transaction(id, &refund, &currency, contact.as_deref()) {
                    batch.records.push(t);
                }
            }
        }
        commit_counted(host, report, batch)
    })?;
    let mut b = Batch::default();
    set_since(&mut b, &[Kind::Orders, Kind::Transactions], now);
    commit_counted(host, report, b)
}

/// Checkout drafts changed since the cursor: `status=checkout-draft` is the
/// only list that has them, and `modified_after` works on it.
fn checkouts_pass<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
    now: &str,
    concurrency: usize,
) -> Result<(), Error> {
    let Some(since) = cursor(host, &since_key(Kind::Checkouts))? else {
        host.log(Level::Info, "first checkouts sync: starting from now (no import ran)");
        let mut b = Batch::default();
        set_since(&mut b, &[Kind::Checkouts], now);
        return commit_counted(host, report, b);
    };
    let mut q = changed_since(&since);
    q.push(("status".to_string(), "checkout-draft".to_string()));
    q.push(("_fields".to_string(), super::fetch::ORDER_FIELDS.join(",")));
    client.for_each_page("/orders", &q, concurrency, 0, |_, page| {
        host.read_ahead(&page.items.iter().flat_map(checkouts::keys).collect::<Vec<_>>())?;
        let mut batch = Batch::default();
        for o in &page.items {
            if !checkouts::draft(host, settings, o, false, &mut batch)? {
                report.entry(Kind::Checkouts).skipped += 1;
            }
        }
        commit_counted(host, report, batch)
    })?;
    let mut b = Batch::default();
    set_since(&mut b, &[Kind::Checkouts], now);
    commit_counted(host, report, b)
}

/// Changed products since the cursor; newly linked categories follow.
fn products_pass<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
    now: &str,
    concurrency: usize,
) -> Result<(), Error> {
    let Some(since) = first_cursor(host, [Kind::Products, Kind::Collections])? else {
        let mut b = Batch::default();
        set_since(&mut b, &[Kind::Products], now);
        return commit_counted(host, report, b);
    };
    let linked_before: BTreeSet<String> = host.keys(bucket::LINKED_CATEGORIES)?.into_iter().collect();
    // A draft keeps its record when it was imported, so every variable
    // product's variations are read, by the import's own walk.
    let endpoints = StoreEndpoints::of(host)?;
    let variable = |p: &Value| read::text(&p["type"]) == "variable";
    client.for_each_page("/products", &changed_since(&since), concurrency, 0, |client, page| {
        host.read_ahead(&page.items.iter().flat_map(apply::product_keys).collect::<Vec<_>>())?;
        let mut batch = Batch::default();
        fetch::with_variations(client, &page.items, variable, endpoints, concurrency, |group, variations| {
            for p in group {
                let vars = read::id(&p["id"]).and_then(|id| variations.get(&id)).map(Vec::as_slice).unwrap_or(&[]);
                if !apply::changed_product(host, settings, p, vars, &mut batch)? {
                    report.entry(Kind::Products).skipped += 1;
                }
            }
            Ok(())
        })?;
        commit_counted(host, report, batch)
    })?;
    let mut b = Batch::default();
    if settings.collections {
        let linked_now: BTreeSet<String> = host.keys(bucket::LINKED_CATEGORIES)?.into_iter().collect();
        let new: Vec<String> = linked_now.difference(&linked_before).cloned().collect();
        for chunk in new.chunks(MAX_PER_PAGE as usize) {
            let q = vec![("include".into(), chunk.join(",")), ("per_page".into(), MAX_PER_PAGE.to_string())];
            let r = client.send(&ApiRequest::get("/products/categories", q))?;
            for c in read::list(&r.body) {
                if let Some(rec) = mapping::collection_record(c) {
                    b.records.push(rec);
                }
            }
        }
    }
    set_since(&mut b, &[Kind::Products, Kind::Collections], now);
    commit_counted(host, report, b)
}

/// The customers endpoint has no date filter: read newest first by id and
/// stop at the newest customer already known. Changes to existing customers
/// arrive by `customer.updated` webhooks and the reconciliation sweep. A new
/// registered customer fires `customer_created`, unless a delivery brought
/// it first, or this is the contacts' first pass (no import ran: all is history).
fn customers_pass<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
) -> Result<(), Error> {
    let known: u64 = cursor(host, CONTACTS_MAX_ID)?.and_then(|s| s.parse().ok()).unwrap_or(0);
    let fires = settings.customer_created && cursor(host, &since_key(Kind::Contacts))?.is_some();
    let mut max_seen = known;
    let mut page = 1u32;
    loop {
        let q = vec![
            ("role".to_string(), "all".to_string()),
            ("orderby".to_string(), "id".to_string()),
            ("order".to_string(), "desc".to_string()),
            ("per_page".to_string(), MAX_PER_PAGE.to_string()),
            ("page".to_string(), page.to_string()),
        ];
        let r = client.send(&ApiRequest::get("/customers", q))?;
        let items = read::list(&r.body).to_vec();
        let mut batch = Batch::default();
        let mut reached_known = items.is_empty();
        for c in &items {
            let Some(id) = read::id(&c["id"]) else { continue };
            if id <= known {
                reached_known = true;
                break;
            }
            max_seen = max_seen.max(id);
            if apply::customer(c, &mut batch).is_none() {
                report.entry(Kind::Contacts).skipped += 1;
            } else if fires {
                let delivered = webhook::was_delivered(host, Resource::Customer, id)?;
                triggers::customer_created(host, settings, c, delivered, &mut batch)?;
            }
        }
        commit_counted(host, report, batch)?;
        if reached_known || page as u64 >= r.total_pages.unwrap_or(1) {
            break;
        }
        page += 1;
    }
    let mut b = Batch::default();
    b.set_state(bucket::CURSORS, CONTACTS_MAX_ID, max_seen.to_string());
    set_since(&mut b, &[Kind::Contacts], &host.now_rfc3339());
    commit_counted(host, report, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_after_cursor_overlaps_by_one_second_and_drops_the_offset() {
        assert_eq!(modified_after("2025-03-01T09:00:00Z"), "2025-03-01T08:59:59");
        assert_eq!(modified_after("2025-03-01T09:00:05+00:00"), "2025-03-01T09:00:04");
        assert_eq!(modified_after("2025-03-01T00:00:00Z"), "2025-03-01T00:00:00");
    }
}
