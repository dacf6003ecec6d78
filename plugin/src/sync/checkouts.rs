//! Checkouts: WooCommerce's block checkout keeps each shopper's checkout as
//! an order in `checkout-draft` (the cart, its totals, the e-mail typed so
//! far). REST v3 lists them only with `status=checkout-draft` (the default
//! list and `status=any` leave them out), and `modified_after` works on that
//! list, so a pass reads the drafts changed since its cursor like any list.
//!
//! A draft is a `checkout` record, never an order (the rules): `open` while
//! it is a draft, `converted` (with `order_id`) once it is seen as an order,
//! `abandoned` once it has stayed a draft `checkout-abandoned-after-minutes`
//! after its last change, which fires `checkout_abandoned` once. Records are
//! kept, never removed: a platform tells a bought cart from an abandoned one
//! by its status, and a converted checkout keeps the link to its order.
//!
//! Before firing, a pass asks the store about the open checkouts past their
//! time (`status=checkout-draft&include=…`, 100 a request): one still a draft
//! and unchanged fires; one changed since is kept open from its new time;
//! one that is no longer a draft is looked up among the orders
//! (`include=…`): found, it is `converted`; not found (deleted, trashed),
//! it is `closed` and its record is left as it was. The trigger, the record
//! and the state go in one batch, and the host fires a trigger id once: a
//! pass cut anywhere fires nothing twice.
//!
//! A checkout links to the contact its e-mail (or its registered customer)
//! already has, but never makes one: the rules make a guest's contact once,
//! from its first order's billing, and never update it, and a draft's billing
//! is only what the shopper has typed so far.

use super::fetch::ORDER_FIELDS;
use super::settings::Settings;
use super::triggers::CHECKOUT_ABANDONED;
use super::version::{Version, comparable_time, compare_version, modified_at, seconds};
use super::{Kind, Report, commit_counted};
use crate::client::{ApiRequest, Client, Error, MAX_PER_PAGE, Transport};
use crate::mapping::{self, CheckoutStatus, ids};
use crate::port::{Batch, Host, StorageError, Trigger, bucket};
use crate::read;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Where a checkout held stands (bucket `checkouts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// A draft within its time.
    Open,
    /// Past its time as a draft: its trigger fired (or it was past it when
    /// the import first saw it: history, nothing fired).
    Abandoned,
    /// It became an order.
    Converted,
    /// No longer a draft, and not seen as an order (deleted or trashed).
    Closed,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Abandoned => "abandoned",
            State::Converted => "converted",
            State::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<State> {
        [State::Open, State::Abandoned, State::Converted, State::Closed].into_iter().find(|x| x.name() == s)
    }
}

/// What is remembered of a checkout: its state and the `date_modified_gmt`
/// last applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Where it stands.
    pub state: State,
    /// The version last applied, as the store wrote it.
    pub modified: String,
}

/// The checkout held under order `id`, if any.
pub fn held(host: &mut impl Host, id: u64) -> Result<Option<Held>, StorageError> {
    Ok(host.text(bucket::CHECKOUTS, &id.to_string())?.and_then(|t| {
        let (state, modified) = t.split_once('|')?;
        Some(Held { state: State::parse(state)?, modified: modified.to_string() })
    }))
}

fn remember(batch: &mut Batch, id: u64, state: State, modified: &str) {
    batch.set_state(bucket::CHECKOUTS, &id.to_string(), format!("{}|{modified}", state.name()));
    if state == State::Open {
        batch.set_state(bucket::CHECKOUTS_OPEN, &id.to_string(), modified.to_string());
    }
}

/// The e-mail index keys an order's buyer is looked up by, to read ahead:
/// its e-mail and, for a registered buyer, its contact's marker. What
/// [`known_contact`] reads, and `apply::Buyers::contact_for` too (the
/// import's orders pages read ahead these alone).
pub fn contact_keys(o: &Value) -> Vec<(&'static str, String)> {
    let mut keys = Vec::with_capacity(2);
    let email = read::text(&o["billing"]["email"]).trim().to_lowercase();
    if !email.is_empty() {
        keys.push((bucket::EMAILS, email));
    }
    if let Some(cid) = read::id(&o["customer_id"]) {
        keys.push((bucket::EMAILS, format!("#{}", ids::customer_contact_id(cid))));
    }
    keys
}

/// The state [`draft`] and [`converted`] read for order `o`, to read
/// ahead: its checkout held and its shopper's [`contact_keys`].
pub fn keys(o: &Value) -> Vec<(&'static str, String)> {
    let mut keys = contact_keys(o);
    if let Some(id) = read::id(&o["id"]) {
        keys.push((bucket::CHECKOUTS, id.to_string()));
    }
    keys
}

/// The contact a checkout's shopper already has: by e-mail, else its
/// registered customer's (when the connector made that contact). Never a new one.
pub fn known_contact(host: &mut impl Host, o: &Value) -> Result<Option<String>, StorageError> {
    let email = read::text(&o["billing"]["email"]).trim().to_lowercase();
    if !email.is_empty()
        && let Some(id) = host.text(bucket::EMAILS, &email)?
    {
        return Ok(Some(id));
    }
    if let Some(cid) = read::id(&o["customer_id"]) {
        let id = ids::customer_contact_id(cid);
        if host.text(bucket::EMAILS, &format!("#{id}"))?.is_some() {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Whether a version changed at `modified` is past the abandonment time at
/// `now` (never when the time is 0 or a date cannot be read).
pub fn is_past(settings: &Settings, modified: &str, now: &str) -> bool {
    let minutes = settings.checkout_abandoned_after_minutes;
    match (minutes, seconds(modified), seconds(now)) {
        (0, _, _) | (_, None, _) | (_, _, None) => false,
        (m, Some(at), Some(now)) => now - at >= i64::from(m) * 60,
    }
}

/// Apply a checkout draft a pass (or, `history`, the import) read. Returns
/// false when it is not news (not a draft, converted already, a version
/// applied before or older). The import notes a draft already past its
/// time as `abandoned` and fires nothing (history); a pass leaves firing to
/// [`abandon_due`], which asks the store first. A checkout that was
/// abandoned stays so (its trigger fired once, ever); its cart is updated.
pub fn draft(
    host: &mut impl Host,
    settings: &Settings,
    o: &Value,
    history: bool,
    batch: &mut Batch,
) -> Result<bool, StorageError> {
    let Some(id) = read::id(&o["id"]) else { return Ok(false) };
    if !mapping::is_checkout_draft(o) {
        return Ok(false);
    }
    let before = held(host, id)?;
    if let Some(h) = &before {
        if h.state == State::Converted {
            return Ok(false);
        }
        if compare_version(&modified_at(o), Some(&comparable_time(&h.modified))) != Version::New {
            return Ok(false);
        }
    }
    let modified = read::text(&o["date_modified_gmt"]);
    let state = match before.map(|h| h.state) {
        Some(State::Abandoned) => State::Abandoned,
        _ if history && is_past(settings, &modified, &host.now_rfc3339()) => State::Abandoned,
        _ => State::Open,
    };
    let status = if state == State::Abandoned { CheckoutStatus::Abandoned } else { CheckoutStatus::Open };
    let contact = known_contact(host, o)?;
    let Some(record) = mapping::checkout_record(o, contact.as_deref(), status) else { return Ok(false) };
    batch.records.push(record);
    remember(batch, id, state, &modified);
    Ok(true)
}

/// An order (no longer a draft) applied: when it was a checkout held and
/// not yet converted, its record becomes `converted`, naming the order, with
/// the order's cart and contact. Returns whether it did.
pub fn converted(
    host: &mut impl Host,
    settings: &Settings,
    order: &Value,
    contact: Option<&str>,
    batch: &mut Batch,
) -> Result<bool, StorageError> {
    let Some(id) = read::id(&order["id"]) else { return Ok(false) };
    if !settings.checkouts || mapping::is_checkout_draft(order) {
        return Ok(false);
    }
    match held(host, id)? {
        None | Some(Held { state: State::Converted, .. }) => Ok(false),
        Some(_) => {
            let Some(record) = mapping::checkout_record(order, contact, CheckoutStatus::Converted) else {
                return Ok(false);
            };
            batch.records.push(record);
            remember(batch, id, State::Converted, &read::text(&order["date_modified_gmt"]));
            Ok(true)
        }
    }
}

/// `checkout_abandoned` for a draft past its time.
fn abandoned(settings: &Settings, o: &Value, contact: Option<&str>, now: &str) -> Option<Trigger> {
    let id = read::id(&o["id"])?;
    let subject = ids::checkout_id(id);
    Some(Trigger {
        name: CHECKOUT_ABANDONED,
        subject_id: subject,
        key: String::new(),
        contact_id: contact.map(str::to_string),
        data: json!({
            "email": Some(read::text(&o["billing"]["email"]).trim().to_lowercase()).filter(|e| !e.is_empty()),
            "total": read::money(&o["total"]).unwrap_or_else(|| "0.00".into()),
            "currency": read::text(&o["currency"]),
            "modified_at": read::date(&o["date_modified_gmt"]),
            "minutes": settings.checkout_abandoned_after_minutes,
        }),
        time: now.to_string(),
    })
}

fn orders_query(ids: &[u64], draft: bool) -> Vec<(String, String)> {
    let mut q = vec![
        ("include".to_string(), ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")),
        ("per_page".to_string(), MAX_PER_PAGE.to_string()),
        ("_fields".to_string(), ORDER_FIELDS.join(",")),
    ];
    if draft {
        q.insert(0, ("status".to_string(), "checkout-draft".to_string()));
    }
    q
}

/// Fire `checkout_abandoned` for the open checkouts past their time that
/// the store still has as drafts, unchanged (see the module's rules).
/// Costs no request while none is past its time; then one per 100 past it,
/// and one more per 100 of those no longer drafts.
pub fn abandon_due<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    settings: &Settings,
    report: &mut Report,
) -> Result<(), Error> {
    if !settings.checkouts || settings.checkout_abandoned_after_minutes == 0 {
        return Ok(());
    }
    let now = host.now_rfc3339();
    let mut due: Vec<u64> = vec![];
    for key in host.keys(bucket::CHECKOUTS_OPEN)? {
        let Ok(id) = key.parse::<u64>() else { continue };
        match held(host, id)? {
            Some(Held { state: State::Open, modified }) => {
                if is_past(settings, &modified, &now) {
                    due.push(id);
                }
            }
            // Closed by a commit whose key removal did not happen.
            _ => host.delete(bucket::CHECKOUTS_OPEN, &key)?,
        }
    }
    for chunk in due.chunks(MAX_PER_PAGE as usize) {
        let r = client.send(&ApiRequest::get("/orders", orders_query(chunk, true)))?;
        let mut batch = Batch::default();
        let mut closed: Vec<u64> = vec![];
        let mut seen: BTreeSet<u64> = BTreeSet::new();
        for o in read::list(&r.body) {
            let Some(id) = read::id(&o["id"]).filter(|id| chunk.contains(id)) else { continue };
            if !mapping::is_checkout_draft(o) {
                continue;
            }
            seen.insert(id);
            let modified = read::text(&o["date_modified_gmt"]);
            if !is_past(settings, &modified, &now) {
                // Changed since: open from its new time.
                draft(host, settings, o, false, &mut batch)?;
                continue;
            }
            let contact = known_contact(host, o)?;
            if let Some(record) = mapping::checkout_record(o, contact.as_deref(), CheckoutStatus::Abandoned) {
                batch.records.push(record);
            }
            batch.triggers.extend(abandoned(settings, o, contact.as_deref(), &now));
            remember(&mut batch, id, State::Abandoned, &modified);
            closed.push(id);
        }
        let gone: Vec<u64> = chunk.iter().copied().filter(|id| !seen.contains(id)).collect();
        if !gone.is_empty() {
            // The default list holds the orders, never the drafts.
            let r = client.send(&ApiRequest::get("/orders", orders_query(&gone, false)))?;
            let mut found: BTreeSet<u64> = BTreeSet::new();
            for o in read::list(&r.body) {
                let Some(id) = read::id(&o["id"]).filter(|id| gone.contains(id)) else { continue };
                if !mapping::is_importable_order_status(&read::text(&o["status"])) {
                    continue;
                }
                found.insert(id);
                let contact = known_contact(host, o)?;
                converted(host, settings, o, contact.as_deref(), &mut batch)?;
            }
            for id in gone {
                if !found.contains(&id) {
                    let modified = held(host, id)?.map(|h| h.modified).unwrap_or_default();
                    remember(&mut batch, id, State::Closed, &modified);
                }
                closed.push(id);
            }
        }
        commit_counted(host, report, batch)?;
        for id in closed {
            host.delete(bucket::CHECKOUTS_OPEN, &id.to_string())?;
        }
    }
    report.entry(Kind::Checkouts);
    Ok(())
}
