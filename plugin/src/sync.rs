//! Ongoing sync (SPEC §5): incremental passes that read only what changed,
//! and the one place where an order or product seen after the import is
//! applied (sync passes and webhooks both come through here), so triggers
//! fire exactly once however often an order is seen.

use crate::client::{ApiRequest, Client, Error, Transport};
use crate::env::{Batch, Host, Level, Trigger, bucket};
use crate::import::{Buyers, Collections, Kind, Report, commit_counted, with_variations};
use crate::settings::Settings;
use crate::{mapping, model};
use serde_json::Value;
use std::collections::BTreeSet;

/// What is remembered of an order: paid or not, and the version applied.
pub fn order_state(order: &Value) -> String {
    format!("{}:{}", if mapping::is_paid(order) { "p" } else { "u" }, model::text(&order["date_modified_gmt"]))
}

/// `date_modified_gmt` in one comparable form (`2025-03-01T09:00:00`), or
/// empty when the resource has none.
pub fn modified_at(resource: &Value) -> String {
    comparable_time(&model::text(&resource["date_modified_gmt"]))
}

fn comparable_time(t: &str) -> String {
    let t = t.trim().trim_end_matches('Z').trim_end_matches("+00:00");
    t.split('.').next().unwrap_or(t).to_string()
}

/// How a delivered version compares with the newest one applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Nothing applied yet, or the delivery is newer.
    New,
    /// The very version applied last.
    Same,
    /// Older than the version applied: applying it would undo a change.
    Older,
}

/// Rule: never replace a record with an older version of itself. Both are
/// `date_modified_gmt` values in the same form. A resource that was never
/// modified has none (WooCommerce 11 answers `null` for such a customer):
/// it cannot be ordered, so it is applied, but never over a dated version.
pub fn compare_version(delivered: &str, applied: Option<&str>) -> Version {
    match applied {
        None => Version::New,
        Some(a) if delivered.is_empty() => {
            if a.is_empty() {
                Version::New
            } else {
                Version::Older
            }
        }
        Some(a) if delivered > a => Version::New,
        Some(a) if delivered == a => Version::Same,
        Some(_) => Version::Older,
    }
}

/// Apply an order seen after the import: its record, its buyer, its payment,
/// and the triggers it earns. Returns false when this version was applied
/// before (nothing to do).
pub fn apply_order(host: &mut impl Host, settings: &Settings, order: &Value, batch: &mut Batch) -> bool {
    let Some(id) = model::id(&order["id"]) else { return false };
    if !mapping::is_importable_order_status(&model::text(&order["status"])) {
        // Not seen until it leaves checkout-draft or trash.
        return false;
    }
    let previous = host.get(bucket::ORDERS, &id.to_string()).map(|b| String::from_utf8_lossy(&b).into_owned());
    let state = order_state(order);
    if previous.as_deref() == Some(state.as_str()) {
        return false;
    }
    // A late webhook or a slow page may carry an older version than one applied.
    let applied_at = previous.as_deref().map(|p| p.split_once(':').map_or("", |(_, t)| t)).map(comparable_time);
    if compare_version(&modified_at(order), applied_at.as_deref()) == Version::Older {
        return false;
    }
    let wanted = settings.orders || settings.transactions || settings.order_submitted || settings.payment_received;
    if !wanted {
        return false;
    }
    batch.set_state(bucket::ORDERS, &id.to_string(), state.clone());
    // Rule: with contact sync off, an order's buyer still becomes a contact.
    let contact = Buyers::default().contact_for(host, order, batch);
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
    let now = host.now_rfc3339();
    let order_id = format!("woo:order:{id}");
    if previous.is_none() && settings.order_submitted {
        batch.triggers.push(Trigger { name: "order_submitted", order_id: order_id.clone(), contact_id: contact.clone(), time: now.clone() });
    }
    let was_paid = previous.as_deref().is_some_and(|p| p.starts_with("p:"));
    if state.starts_with("p:") && !was_paid && settings.payment_received {
        batch.triggers.push(Trigger { name: "payment_received", order_id, contact_id: contact, time: now });
    }
    true
}

/// A variable product with variations cannot be mapped from its own JSON:
/// its variants (and so its price) come from reading its variations.
pub fn needs_its_variations(p: &Value) -> bool {
    model::text(&p["type"]) == "variable" && !model::list(&p["variations"]).is_empty()
}

/// Apply a product seen after the import (WooCommerce is the source of truth:
/// a later version overwrites). Returns false when nothing changed.
pub fn apply_product(host: &mut impl Host, settings: &Settings, p: &Value, variations: &[Value], batch: &mut Batch) -> bool {
    let Some(id) = model::id(&p["id"]) else { return false };
    let modified = model::text(&p["date_modified_gmt"]);
    let previous = host.get(bucket::PRODUCTS, &id.to_string()).map(|b| String::from_utf8_lossy(&b).into_owned());
    if previous.as_deref() == Some(modified.as_str()) && !modified.is_empty() {
        return false;
    }
    let applied_at = previous.as_deref().map(comparable_time);
    if compare_version(&modified_at(p), applied_at.as_deref()) == Version::Older {
        return false;
    }
    if variations.is_empty() && needs_its_variations(p) {
        // A delivery carries no variations: the next products pass reads them.
        return false;
    }
    match mapping::product_record(p, variations, previous.is_some()) {
        Ok(r) => {
            batch.set_state(bucket::PRODUCTS, &id.to_string(), modified);
            for c in mapping::product_category_ids(p) {
                batch.set_state(bucket::LINKED_CATEGORIES, &c.to_string(), "1");
            }
            crate::import::claim_skus(host, &r, batch);
            if settings.products {
                batch.records.push(r);
            }
            true
        }
        Err(_) => false,
    }
}

fn cursor(host: &mut impl Host, key: &str) -> Option<String> {
    host.get(bucket::CURSORS, key).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// `2025-03-01T09:00:00Z` or `…+00:00` → `2025-03-01T09:00:00` minus one
/// second: WooCommerce's filters are strictly "after" to the second, so the
/// overlap catches a change made in the same second as the last read; what was
/// applied before is recognised and skipped.
fn modified_after(since: &str) -> String {
    let plain = since.trim().trim_end_matches('Z').trim_end_matches("+00:00");
    let plain = plain.split('.').next().unwrap_or(plain);
    minus_one_second(plain).unwrap_or_else(|| plain.to_string())
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

/// One incremental pass over the enabled kinds (or only `only`).
pub fn run_pass<T: Transport>(client: &mut Client<T>, host: &mut impl Host, only: Option<&[Kind]>, concurrency: usize) -> Result<Report, Error> {
    let mut settings = crate::settings::load(host);
    if let Some(kinds) = only {
        let has = |k: Kind| kinds.contains(&k);
        settings.contacts &= has(Kind::Contacts);
        settings.orders &= has(Kind::Orders);
        settings.transactions &= has(Kind::Transactions);
        settings.products &= has(Kind::Products);
        settings.collections &= has(Kind::Collections);
        if !has(Kind::Orders) {
            settings.order_submitted = false;
            settings.payment_received = false;
        }
    }
    let started = client.requests;
    let mut report = Report::default();
    let now = host.now_rfc3339();
    if settings.products || settings.collections {
        products_pass(client, host, &settings, &mut report, &now, concurrency)?;
    }
    if settings.contacts {
        customers_pass(client, host, &mut report)?;
    }
    if settings.orders || settings.transactions || settings.order_submitted || settings.payment_received {
        orders_pass(client, host, &settings, &mut report, &now, concurrency)?;
    }
    report.requests = client.requests - started;
    Ok(report)
}

/// Changed orders since the cursor (`modified_after`, GMT), by id.
fn orders_pass<T: Transport>(client: &mut Client<T>, host: &mut impl Host, settings: &Settings, report: &mut Report, now: &str, concurrency: usize) -> Result<(), Error> {
    let Some(since) = cursor(host, "sync:orders:since").or_else(|| cursor(host, "sync:transactions:since")) else {
        host.log(Level::Info, "first orders sync: starting from now (no import ran)");
        let mut b = Batch::default();
        b.set_state(bucket::CURSORS, "sync:orders:since", now.to_string());
        return commit_counted(host, report, b);
    };
    let query = vec![
        ("modified_after".to_string(), modified_after(&since)),
        ("dates_are_gmt".to_string(), "true".to_string()),
        ("orderby".to_string(), "id".to_string()),
        ("order".to_string(), "asc".to_string()),
    ];
    client.for_each_page("/orders", &query, concurrency, 0, |client, page| {
        let with_refunds: Vec<u64> = if settings.transactions {
            page.items.iter().filter(|o| !model::list(&o["refunds"]).is_empty()).filter_map(|o| model::id(&o["id"])).collect()
        } else {
            vec![]
        };
        let reqs: Vec<ApiRequest> = with_refunds.iter().map(|id| ApiRequest::get(format!("/orders/{id}/refunds"), vec![("per_page".into(), "100".into())])).collect();
        let mut refunds = std::collections::HashMap::new();
        for (id, answer) in with_refunds.iter().zip(client.send_all(&reqs)) {
            refunds.insert(*id, answer?.body);
        }
        let mut batch = Batch::default();
        for o in &page.items {
            if !apply_order(host, settings, o, &mut batch) {
                report.entry(Kind::Orders).skipped += 1;
                continue;
            }
            let Some(id) = model::id(&o["id"]) else { continue };
            let contact = batch.records.iter().rev().find(|r| r.id == format!("woo:order:{id}")).and_then(|r| r.body["contact_id"].as_str().map(str::to_string));
            let currency = model::text(&o["currency"]);
            for refund in refunds.get(&id).map(|v| model::list(v).to_vec()).unwrap_or_default() {
                if let Some(t) = mapping::refund_transaction(id, &refund, &currency, contact.as_deref()) {
                    batch.records.push(t);
                }
            }
        }
        commit_counted(host, report, batch)
    })?;
    let mut b = Batch::default();
    b.set_state(bucket::CURSORS, "sync:orders:since", now.to_string());
    b.set_state(bucket::CURSORS, "sync:transactions:since", now.to_string());
    commit_counted(host, report, b)
}

/// Changed products since the cursor; newly linked categories follow.
fn products_pass<T: Transport>(client: &mut Client<T>, host: &mut impl Host, settings: &Settings, report: &mut Report, now: &str, concurrency: usize) -> Result<(), Error> {
    let Some(since) = cursor(host, "sync:products:since").or_else(|| cursor(host, "sync:collections:since")) else {
        let mut b = Batch::default();
        b.set_state(bucket::CURSORS, "sync:products:since", now.to_string());
        return commit_counted(host, report, b);
    };
    let linked_before: BTreeSet<String> = host.keys(bucket::LINKED_CATEGORIES).into_iter().collect();
    let query = vec![
        ("modified_after".to_string(), modified_after(&since)),
        ("dates_are_gmt".to_string(), "true".to_string()),
        ("orderby".to_string(), "id".to_string()),
        ("order".to_string(), "asc".to_string()),
    ];
    // A draft keeps its record when it was imported, so every variable
    // product's variations are read, by the import's own walk.
    let collections = Collections::of(host);
    let variable = |p: &Value| model::text(&p["type"]) == "variable";
    client.for_each_page("/products", &query, concurrency, 0, |client, page| {
        let mut batch = Batch::default();
        with_variations(client, &page.items, variable, collections, concurrency, |group, variations| {
            for p in group {
                let vars = model::id(&p["id"]).and_then(|id| variations.get(&id)).map(Vec::as_slice).unwrap_or(&[]);
                if !apply_product(host, settings, p, vars, &mut batch) {
                    report.entry(Kind::Products).skipped += 1;
                }
            }
        })?;
        commit_counted(host, report, batch)
    })?;
    let mut b = Batch::default();
    if settings.collections {
        let linked_now: BTreeSet<String> = host.keys(bucket::LINKED_CATEGORIES).into_iter().collect();
        let new: Vec<String> = linked_now.difference(&linked_before).cloned().collect();
        for chunk in new.chunks(100) {
            let r = client.send(&ApiRequest::get("/products/categories", vec![("include".into(), chunk.join(",")), ("per_page".into(), "100".into())]))?;
            for c in model::list(&r.body) {
                if let Some(rec) = mapping::collection_record(c) {
                    b.records.push(rec);
                }
            }
        }
    }
    b.set_state(bucket::CURSORS, "sync:products:since", now.to_string());
    b.set_state(bucket::CURSORS, "sync:collections:since", now.to_string());
    commit_counted(host, report, b)
}

/// The customers endpoint has no date filter: read newest first by id and
/// stop at the newest customer already known. Changes to existing customers
/// arrive by `customer.updated` webhooks (or a contacts re-import).
fn customers_pass<T: Transport>(client: &mut Client<T>, host: &mut impl Host, report: &mut Report) -> Result<(), Error> {
    let known: u64 = cursor(host, "sync:contacts:max_id").and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut max_seen = known;
    let mut page = 1u32;
    loop {
        let q = vec![
            ("role".to_string(), "all".to_string()),
            ("orderby".to_string(), "id".to_string()),
            ("order".to_string(), "desc".to_string()),
            ("per_page".to_string(), "100".to_string()),
            ("page".to_string(), page.to_string()),
        ];
        let r = client.send(&ApiRequest::get("/customers", q))?;
        let items = model::list(&r.body).to_vec();
        let mut batch = Batch::default();
        let mut reached_known = items.is_empty();
        for c in &items {
            let Some(id) = model::id(&c["id"]) else { continue };
            if id <= known {
                reached_known = true;
                break;
            }
            max_seen = max_seen.max(id);
            if let Some(rec) = mapping::contact_from_customer(c) {
                let email = model::text(&rec.body["email"]);
                if !email.is_empty() {
                    batch.set_state(bucket::EMAILS, &email, rec.id.clone());
                }
                batch.records.push(rec);
            } else {
                report.entry(Kind::Contacts).skipped += 1;
            }
        }
        commit_counted(host, report, batch)?;
        if reached_known || page as u64 >= r.total_pages.unwrap_or(1) {
            break;
        }
        page += 1;
    }
    let mut b = Batch::default();
    b.set_state(bucket::CURSORS, "sync:contacts:max_id", max_seen.to_string());
    b.set_state(bucket::CURSORS, "sync:contacts:since", host.now_rfc3339());
    commit_counted(host, report, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_replace_a_record_with_an_older_version_of_itself() {
        assert_eq!(compare_version("2025-03-01T09:00:01", Some("2025-03-01T09:00:00")), Version::New);
        assert_eq!(compare_version("2025-03-01T09:00:00", Some("2025-03-01T09:00:00")), Version::Same);
        assert_eq!(compare_version("2025-03-01T08:59:59", Some("2025-03-01T09:00:00")), Version::Older);
        assert_eq!(compare_version("", Some("2025-03-01T09:00:00")), Version::Older);
        assert_eq!(compare_version("", Some("")), Version::New, "never modified: cannot be ordered");
        assert_eq!(modified_at(&serde_json::json!({"date_modified_gmt": "2025-03-01T09:00:00Z"})), "2025-03-01T09:00:00");
        assert_eq!(modified_at(&serde_json::json!({"date_modified_gmt": null})), "");
    }

    #[test]
    fn modified_after_cursor_overlaps_by_one_second_and_drops_the_offset() {
        assert_eq!(modified_after("2025-03-01T09:00:00Z"), "2025-03-01T08:59:59");
        assert_eq!(modified_after("2025-03-01T09:00:05+00:00"), "2025-03-01T09:00:04");
        assert_eq!(modified_after("2025-03-01T00:00:00Z"), "2025-03-01T00:00:00");
    }
}
