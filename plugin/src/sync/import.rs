//! The first import: pages are read `concurrency` at a time, each page's
//! records and its checkpoint are committed together, so an import cut
//! anywhere resumes after its last committed page and never duplicates.
//! History fires no trigger: the import only notes what later changes are
//! told from (each order's status and refunds, each product's and variant's
//! stock, the newest customer).

use super::apply::{self, Buyers};
use super::fetch::{self, ORDER_FIELDS, StoreEndpoints};
use super::triggers::Stock;
use super::{CONTACTS_MAX_ID, Kind, Report, commit_counted, set_since};
use crate::client::{Client, Error, Page, Transport};
use crate::mapping;
use crate::port::{Batch, Host, Level, Record, StorageError, bucket};
use crate::read;
use serde_json::Value;
use std::collections::HashMap;

/// The phases of an import, in the order they run ([`Phase::ALL`]):
/// collections need to know which categories imported products link to;
/// refunds (read from the `/refunds` collection where the store has it)
/// need their orders' contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Products, with their variations; also read for collections alone.
    Products,
    /// Categories linked to imported products.
    Collections,
    /// Customers of every role (the mapping keeps the synced ones).
    Contacts,
    /// Orders, their buyers and payments (and refunds per order on stores
    /// without `/refunds`).
    Orders,
    /// The store's `/refunds` list.
    Refunds,
    /// The checkout drafts (`/orders?status=checkout-draft`), after the
    /// contacts they link to.
    Checkouts,
}

impl Phase {
    const ALL: [Phase; 6] =
        [Phase::Products, Phase::Collections, Phase::Contacts, Phase::Orders, Phase::Refunds, Phase::Checkouts];

    /// The phase's name in checkpoint keys and progress.
    fn name(self) -> &'static str {
        match self {
            Phase::Products => "products",
            Phase::Collections => "collections",
            Phase::Contacts => "contacts",
            Phase::Orders => "orders",
            Phase::Refunds => "refunds",
            Phase::Checkouts => "checkouts",
        }
    }

    /// Whether an import of `kinds` runs this phase.
    fn runs_for(self, kinds: &[Kind], endpoints: StoreEndpoints) -> bool {
        let wants = |k: Kind| kinds.contains(&k);
        match self {
            Phase::Products => wants(Kind::Products) || wants(Kind::Collections),
            Phase::Collections => wants(Kind::Collections),
            Phase::Contacts => wants(Kind::Contacts),
            Phase::Orders => wants(Kind::Orders) || wants(Kind::Transactions),
            Phase::Refunds => wants(Kind::Transactions) && endpoints.refunds,
            Phase::Checkouts => wants(Kind::Checkouts),
        }
    }

    /// The list the phase walks, oldest first by id.
    fn list(self) -> (&'static str, Vec<(String, String)>) {
        let (path, mut query): (&str, Vec<(String, String)>) = match self {
            Phase::Products => ("/products", vec![]),
            Phase::Collections => ("/products/categories", vec![]),
            Phase::Contacts => {
                ("/customers", vec![("role".into(), "all".into()), ("_fields".into(), CUSTOMER_FIELDS.join(","))])
            }
            Phase::Orders => ("/orders", vec![("_fields".into(), ORDER_FIELDS.join(","))]),
            Phase::Refunds => ("/refunds", vec![]),
            Phase::Checkouts => (
                "/orders",
                vec![("status".into(), "checkout-draft".into()), ("_fields".into(), ORDER_FIELDS.join(","))],
            ),
        };
        query.push(("orderby".into(), "id".into()));
        query.push(("order".into(), "asc".into()));
        (path, query)
    }

    /// The kinds whose sync cursor starts when this phase is done.
    fn starts_cursors_of(self) -> &'static [Kind] {
        match self {
            Phase::Products => &[Kind::Products],
            Phase::Collections => &[Kind::Collections],
            Phase::Contacts => &[Kind::Contacts],
            Phase::Orders => &[Kind::Orders, Kind::Transactions],
            Phase::Refunds => &[],
            Phase::Checkouts => &[Kind::Checkouts],
        }
    }

    /// Pages of this phase committed so far.
    fn checkpoint_key(self) -> String {
        format!("import:{}:page", self.name())
    }

    /// Set once every page of this phase is committed.
    fn done_key(self) -> String {
        format!("import:{}:done", self.name())
    }

    /// The state a page of `items` of this phase reads, named before the
    /// page is mapped so the host reads it in one call ([`Host::read_ahead`]).
    fn keys_read(self, items: &[Value]) -> Vec<(&'static str, String)> {
        let id_in = |b: &'static str, field: &'static str| {
            move |v: &Value| read::id(&v[field]).map(|id| vec![(b, id.to_string())]).unwrap_or_default()
        };
        match self {
            Phase::Products => items.iter().flat_map(apply::product_keys).collect(),
            Phase::Collections => items.iter().flat_map(id_in(bucket::LINKED_CATEGORIES, "id")).collect(),
            Phase::Contacts => vec![],
            Phase::Orders => items.iter().flat_map(super::checkouts::contact_keys).collect(),
            Phase::Refunds => items.iter().flat_map(id_in(REFUND_OWNERS, "parent_id")).collect(),
            Phase::Checkouts => items.iter().flat_map(super::checkouts::keys).collect(),
        }
    }
}

/// The customer fields the contact records need.
pub const CUSTOMER_FIELDS: &[&str] = &[
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "billing",
];

/// Orders whose refunds the refunds phase maps: order id → `currency|contact`.
const REFUND_OWNERS: &str = "refund-owners";

/// Set while an import runs (to when it started): a run that finds it resumes.
const RUNNING_KEY: &str = "import:running";

/// Run (or resume) the first import of `kinds`. State the host cannot read
/// fails the run before anything is written: whether an import is under way
/// (`import:running`) decides between resuming and starting over, and read
/// as absent it would throw away every committed page.
pub fn run<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    kinds: &[Kind],
    concurrency: usize,
) -> Result<Report, Error> {
    let started = client.requests;
    let running = host.get(bucket::CURSORS, RUNNING_KEY)?.is_some();
    if !running {
        for k in host.keys(bucket::CURSORS)? {
            if k.starts_with("import:") {
                host.delete(bucket::CURSORS, &k)?;
            }
        }
        host.set(bucket::CURSORS, RUNNING_KEY, host.now_rfc3339().as_bytes())?;
    } else {
        host.log(Level::Info, "resuming an interrupted import from its last committed page");
    }
    let since = host.text(bucket::CURSORS, RUNNING_KEY)?.unwrap_or_default();
    let endpoints = StoreEndpoints::of(host)?;
    let mut report = Report::default();
    for k in kinds {
        report.entry(*k);
    }
    for phase in Phase::ALL {
        if !phase.runs_for(kinds, endpoints) || host.get(bucket::CURSORS, &phase.done_key())?.is_some() {
            continue;
        }
        let done_pages = host
            .get(bucket::CURSORS, &phase.checkpoint_key())?
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut ctx = PhaseCtx { host: &mut *host, report: &mut report, kinds, phase, seen: 0, endpoints, concurrency };
        let (path, query) = phase.list();
        client.for_each_page(path, &query, concurrency, done_pages, |client, page| ctx.page(client, page))?;
        let mut batch = Batch::default();
        batch.set_state(bucket::CURSORS, &phase.done_key(), "1");
        set_since(&mut batch, phase.starts_cursors_of(), &since);
        commit_counted(host, &mut report, batch)?;
    }
    host.delete(bucket::CURSORS, RUNNING_KEY)?;
    report.requests = client.requests - started;
    Ok(report)
}

/// One phase under way: where its records go and what it has counted.
struct PhaseCtx<'a, H: Host> {
    host: &'a mut H,
    report: &'a mut Report,
    kinds: &'a [Kind],
    phase: Phase,
    seen: u64,
    endpoints: StoreEndpoints,
    /// Pages in flight, for the variation and refund lists too.
    concurrency: usize,
}

impl<H: Host> PhaseCtx<'_, H> {
    /// Map one page and commit its records with the phase's checkpoint.
    fn page<T: Transport>(&mut self, client: &mut Client<T>, page: Page) -> Result<(), Error> {
        self.host.read_ahead(&self.phase.keys_read(&page.items))?;
        let mut batch = Batch::default();
        match self.phase {
            Phase::Products => self.products(client, &page.items, &mut batch)?,
            Phase::Collections => self.collections(&page.items, &mut batch)?,
            Phase::Contacts => self.contacts(&page.items, &mut batch),
            Phase::Orders => self.orders(client, &page.items, &mut batch)?,
            Phase::Refunds => self.refunds(&page.items, &mut batch)?,
            Phase::Checkouts => self.checkouts(&page.items, &mut batch)?,
        }
        batch.set_state(bucket::CURSORS, &self.phase.checkpoint_key(), page.page.to_string());
        commit_counted(self.host, self.report, batch)?;
        self.seen += page.items.len() as u64;
        self.host.progress(self.phase.name(), self.seen, page.total);
        Ok(())
    }

    fn malformed(&mut self, kind: Kind, what: &str, item: &Value) {
        let id = read::text(&item["id"]);
        self.host.log(Level::Warn, &format!("skipped a malformed {what} (id {id:?}): it has no usable id"));
        self.report.entry(kind).malformed += 1;
    }

    fn emit(&mut self, kind: Kind, batch: &mut Batch, r: Record) {
        if self.kinds.contains(&kind) {
            batch.records.push(r);
        }
    }

    /// A page of products with their variations ([`fetch::with_variations`]);
    /// a draft is not imported, so its variations are not read.
    fn products<T: Transport>(
        &mut self,
        client: &mut Client<T>,
        items: &[Value],
        batch: &mut Batch,
    ) -> Result<(), Error> {
        let published_variable =
            |p: &Value| read::text(&p["type"]) == "variable" && read::text(&p["status"]) == "publish";
        let (endpoints, concurrency) = (self.endpoints, self.concurrency);
        fetch::with_variations(client, items, published_variable, endpoints, concurrency, |group, variations| {
            for p in group {
                self.product(p, variations, batch)?;
            }
            Ok(())
        })
    }

    fn product(
        &mut self,
        p: &Value,
        variations: &HashMap<u64, Vec<Value>>,
        batch: &mut Batch,
    ) -> Result<(), StorageError> {
        let Some(id) = read::id(&p["id"]) else {
            self.malformed(Kind::Products, "product", p);
            return Ok(());
        };
        let vars = variations.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let before = self.host.get(bucket::PRODUCTS, &id.to_string())?.is_some();
        let wanted = self.kinds.contains(&Kind::Products);
        // History: the stock is noted, nothing fires.
        if apply::product(self.host, p, vars, before, wanted, Stock::Note, batch)?.is_err() && wanted {
            self.report.entry(Kind::Products).skipped += 1;
        }
        Ok(())
    }

    fn collections(&mut self, items: &[Value], batch: &mut Batch) -> Result<(), StorageError> {
        for c in items {
            let Some(id) = read::id(&c["id"]) else {
                self.malformed(Kind::Collections, "category", c);
                continue;
            };
            if self.host.get(bucket::LINKED_CATEGORIES, &id.to_string())?.is_none() {
                self.report.entry(Kind::Collections).skipped += 1;
                continue;
            }
            if let Some(r) = mapping::collection_record(c) {
                self.emit(Kind::Collections, batch, r);
            }
        }
        Ok(())
    }

    /// Customers of every role; the contacts phase runs only when contacts
    /// are selected, so every synced customer is a record.
    fn contacts(&mut self, items: &[Value], batch: &mut Batch) {
        for c in items {
            let Some(id) = read::id(&c["id"]) else {
                self.malformed(Kind::Contacts, "customer", c);
                continue;
            };
            // The newest customer known: incremental passes read newer ones.
            batch.set_state(bucket::CURSORS, CONTACTS_MAX_ID, id.to_string());
            if apply::customer(c, batch).is_none() {
                self.report.entry(Kind::Contacts).skipped += 1;
            }
        }
    }

    fn orders<T: Transport>(
        &mut self,
        client: &mut Client<T>,
        items: &[Value],
        batch: &mut Batch,
    ) -> Result<(), Error> {
        let mut buyers = Buyers::default();
        let refunds_here = self.kinds.contains(&Kind::Transactions) && !self.endpoints.refunds;
        let with_refunds: Vec<u64> = if refunds_here {
            items.iter().filter(|o| !read::list(&o["refunds"]).is_empty()).filter_map(|o| read::id(&o["id"])).collect()
        } else {
            vec![]
        };
        let refunds = fetch::children(client, &with_refunds, self.concurrency, |id| format!("/orders/{id}/refunds"))?;
        for o in items {
            let Some(id) = read::id(&o["id"]) else {
                self.malformed(Kind::Orders, "order", o);
                continue;
            };
            if !mapping::is_importable_order_status(&read::text(&o["status"])) {
                self.report.entry(Kind::Orders).skipped += 1;
                continue;
            }
            let contact_id = buyers.contact_for(self.host, o, batch)?;
            let Some(r) = mapping::order_record(o, contact_id.as_deref()) else { continue };
            batch.set_state(bucket::ORDERS, &id.to_string(), apply::order_state(o));
            self.emit(Kind::Orders, batch, r);
            if let Some(t) = mapping::payment_transaction(o, contact_id.as_deref()) {
                self.emit(Kind::Transactions, batch, t);
            }
            let currency = read::text(&o["currency"]);
            if self.endpoints.refunds
                && self.kinds.contains(&Kind::Transactions)
                && !read::list(&o["refunds"]).is_empty()
            {
                batch.set_state(
                    REFUND_OWNERS,
                    &id.to_string(),
                    format!("{currency}|{}", contact_id.as_deref().unwrap_or("")),
                );
            }
            for refund in refunds.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(t) = mapping::refund_transaction(id, refund, &currency, contact_id.as_deref()) {
                    self.emit(Kind::Transactions, batch, t);
                }
            }
        }
        Ok(())
    }

    /// A page of checkout drafts: history, so one already past its time is
    /// noted abandoned and fires nothing.
    fn checkouts(&mut self, items: &[Value], batch: &mut Batch) -> Result<(), StorageError> {
        let settings = super::settings::load(self.host)?;
        for o in items {
            if read::id(&o["id"]).is_none() {
                self.malformed(Kind::Checkouts, "checkout", o);
                continue;
            }
            if !super::checkouts::draft(self.host, &settings, o, true, batch)? {
                self.report.entry(Kind::Checkouts).skipped += 1;
            }
        }
        Ok(())
    }

    /// A page of `/refunds`: each refund of an imported order becomes a
    /// transaction, with the order's currency and contact noted by the
    /// orders phase. Refunds of orders not imported (drafts) are skipped.
    fn refunds(&mut self, items: &[Value], batch: &mut Batch) -> Result<(), StorageError> {
        for refund in items {
            let Some(order) = read::id(&refund["parent_id"]) else {
                self.malformed(Kind::Transactions, "refund", refund);
                continue;
            };
            let Some(owner) = self.host.text(REFUND_OWNERS, &order.to_string())? else {
                continue;
            };
            let (currency, contact) = owner.split_once('|').unwrap_or((&owner, ""));
            let contact = Some(contact).filter(|c| !c.is_empty());
            if let Some(t) = mapping::refund_transaction(order, refund, currency, contact) {
                self.emit(Kind::Transactions, batch, t);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
