//! The first import (SPEC §5): pages are read `concurrency` at a time, each
//! page's records and its checkpoint are committed together, so an import cut
//! anywhere resumes after its last committed page and never duplicates.

use crate::client::{ApiRequest, Client, Error, Page, Transport};
use crate::env::{Batch, Host, Level, bucket};
use crate::mapping::{self, Record};
use crate::model;
use serde_json::Value;
use std::collections::HashMap;

/// A kind of platform record the user selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Contacts,
    Orders,
    Transactions,
    Products,
    Collections,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Contacts, Kind::Orders, Kind::Transactions, Kind::Products, Kind::Collections];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Contacts => "contacts",
            Kind::Orders => "orders",
            Kind::Transactions => "transactions",
            Kind::Products => "products",
            Kind::Collections => "collections",
        }
    }
}

/// What a pass did for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindReport {
    pub kind: Kind,
    pub records: u64,
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub malformed: u64,
}

/// What a pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    pub kinds: Vec<KindReport>,
    pub requests: u64,
    pub triggers: u64,
}

impl Report {
    pub fn entry(&mut self, kind: Kind) -> &mut KindReport {
        if let Some(i) = self.kinds.iter().position(|k| k.kind == kind) {
            return &mut self.kinds[i];
        }
        self.kinds.push(KindReport { kind, records: 0, created: 0, updated: 0, skipped: 0, malformed: 0 });
        let last = self.kinds.len() - 1;
        &mut self.kinds[last]
    }
}

/// The phases of an import, in the order they run: collections need to know
/// which categories imported products link to; refunds (read from the
/// `/refunds` collection where the store has it) need their orders' contacts.
const PHASES: [&str; 5] = ["products", "collections", "contacts", "orders", "refunds"];

/// The collection endpoints that spare one request per parent, by store version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Collections {
    /// `GET /variations?parent=…` (WooCommerce 10.3+).
    pub variations: bool,
    /// `GET /refunds` (WooCommerce 9.0+). Its `parent` filter is ignored by
    /// WooCommerce 11.0 (checked on a real store), so it is walked whole.
    pub refunds: bool,
}

impl Collections {
    pub fn of(host: &mut impl Host) -> Collections {
        let v = crate::connection::info(host).woocommerce_version.unwrap_or_default();
        let at_least = |major, minor| !v.is_empty() && crate::connection::version_at_least(&v, major, minor);
        Collections { variations: at_least(10, 3), refunds: at_least(9, 0) }
    }
}

/// The order fields the records need (`_fields`): a page is a third of the
/// bytes to send, parse and map. `tests::order_fields_keep_every_field_the_records_read`
/// checks the list against the mapping.
pub const ORDER_FIELDS: &[&str] = &[
    "id", "number", "status", "currency", "prices_include_tax", "date_created", "date_created_gmt", "date_modified",
    "date_modified_gmt", "date_paid", "date_paid_gmt", "discount_total", "shipping_total", "total", "total_tax",
    "customer_id", "billing", "payment_method", "payment_method_title", "line_items", "refunds",
];

/// The customer fields the contact records need.
pub const CUSTOMER_FIELDS: &[&str] =
    &["id", "email", "first_name", "last_name", "role", "date_created", "date_created_gmt", "date_modified", "date_modified_gmt", "billing"];

/// Orders whose refunds the refunds phase maps: order id → `currency|contact`.
const REFUND_OWNERS: &str = "refund-owners";

fn checkpoint_key(phase: &str) -> String {
    format!("import:{phase}:page")
}

/// Run (or resume) the first import of `kinds`.
pub fn run<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    kinds: &[Kind],
    concurrency: usize,
) -> Result<Report, Error> {
    let started = client.requests;
    let running = host.get(bucket::CURSORS, "import:running").is_some();
    if !running {
        for k in host.keys(bucket::CURSORS) {
            if k.starts_with("import:") {
                host.delete(bucket::CURSORS, &k).map_err(Error::Transport)?;
            }
        }
        host.set(bucket::CURSORS, "import:running", host.now_rfc3339().as_bytes()).map_err(Error::Transport)?;
    } else {
        host.log(Level::Info, "resuming an interrupted import from its last committed page");
    }
    let since = host.get(bucket::CURSORS, "import:running").map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let wants = |k: Kind| kinds.contains(&k);
    let collections = Collections::of(host);
    let mut report = Report::default();
    for k in kinds {
        report.entry(*k);
    }
    for phase in PHASES {
        let selected = match phase {
            "products" => wants(Kind::Products) || wants(Kind::Collections),
            "collections" => wants(Kind::Collections),
            "contacts" => wants(Kind::Contacts),
            "refunds" => wants(Kind::Transactions) && collections.refunds,
            _ => wants(Kind::Orders) || wants(Kind::Transactions),
        };
        if !selected || host.get(bucket::CURSORS, &format!("import:{phase}:done")).is_some() {
            continue;
        }
        let done_pages = host
            .get(bucket::CURSORS, &checkpoint_key(phase))
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut ctx = PhaseCtx { host: &mut *host, report: &mut report, kinds, phase, seen: 0, collections, concurrency };
        let (path, query): (&str, Vec<(String, String)>) = match phase {
            "products" => ("/products", vec![]),
            "collections" => ("/products/categories", vec![]),
            "contacts" => ("/customers", vec![("role".into(), "all".into()), ("_fields".into(), CUSTOMER_FIELDS.join(","))]),
            "refunds" => ("/refunds", vec![]),
            _ => ("/orders", vec![("_fields".into(), ORDER_FIELDS.join(","))]),
        };
        let mut query = query;
        query.push(("orderby".into(), "id".into()));
        query.push(("order".into(), "asc".into()));
        client.for_each_page(path, &query, concurrency, done_pages, |client, page| ctx.page(client, page))?;
        let mut batch = Batch::default();
        batch.set_state(bucket::CURSORS, &format!("import:{phase}:done"), "1");
        for k in kinds_of_phase(phase) {
            batch.set_state(bucket::CURSORS, &format!("sync:{}:since", k.name()), since.clone());
        }
        host.commit(batch).map_err(commit_error)?;
    }
    host.delete(bucket::CURSORS, "import:running").map_err(Error::Transport)?;
    report.requests = client.requests - started;
    Ok(report)
}

fn kinds_of_phase(phase: &str) -> &'static [Kind] {
    match phase {
        "products" => &[Kind::Products],
        "collections" => &[Kind::Collections],
        "contacts" => &[Kind::Contacts],
        "refunds" => &[],
        _ => &[Kind::Orders, Kind::Transactions],
    }
}

fn commit_error(e: String) -> Error {
    Error::Transport(format!("the platform could not store a page: {e}"))
}

/// The kind a platform record counts under.
pub fn kind_of_record(kind: &str) -> Option<Kind> {
    Some(match kind {
        "contact" => Kind::Contacts,
        "order" => Kind::Orders,
        "transaction" => Kind::Transactions,
        "product" => Kind::Products,
        "collection" => Kind::Collections,
        _ => return None,
    })
}

/// Commit a batch and count its records as created or updated per kind.
pub fn commit_counted(host: &mut impl Host, report: &mut Report, batch: Batch) -> Result<(), Error> {
    let kinds: Vec<Option<Kind>> = batch.records.iter().map(|r| kind_of_record(r.kind)).collect();
    report.triggers += batch.triggers.len() as u64;
    let created = host.commit(batch).map_err(commit_error)?;
    for (kind, new) in kinds.into_iter().zip(created.into_iter().chain(std::iter::repeat(false))) {
        if let Some(k) = kind {
            let e = report.entry(k);
            e.records += 1;
            if new {
                e.created += 1;
            } else {
                e.updated += 1;
            }
        }
    }
    Ok(())
}

struct PhaseCtx<'a, H: Host> {
    host: &'a mut H,
    report: &'a mut Report,
    kinds: &'a [Kind],
    phase: &'static str,
    seen: u64,
    collections: Collections,
    /// Pages in flight, for the variation and refund lists too.
    concurrency: usize,
}

impl<H: Host> PhaseCtx<'_, H> {
    fn page<T: Transport>(&mut self, client: &mut Client<T>, page: Page) -> Result<(), Error> {
        let mut batch = Batch::default();
        match self.phase {
            "products" => self.products(client, &page.items, &mut batch)?,
            "collections" => self.collections(&page.items, &mut batch),
            "contacts" => self.contacts(&page.items, &mut batch),
            "refunds" => self.refunds(&page.items, &mut batch),
            _ => self.orders(client, &page.items, &mut batch)?,
        }
        batch.set_state(bucket::CURSORS, &checkpoint_key(self.phase), page.page.to_string());
        commit_counted(self.host, self.report, batch)?;
        self.seen += page.items.len() as u64;
        self.host.progress(self.phase, self.seen, page.total);
        Ok(())
    }

    fn malformed(&mut self, kind: Kind, what: &str, item: &Value) {
        let id = model::text(&item["id"]);
        self.host.log(Level::Warn, &format!("skipped a malformed {what} (id {id:?}): it has no usable id"));
        self.report.entry(kind).malformed += 1;
    }

    fn emit(&mut self, kind: Kind, batch: &mut Batch, r: Record) {
        if self.kinds.contains(&kind) {
            batch.records.push(r);
        }
    }

    /// A page of products with their variations ([`with_variations`]); a
    /// draft is not imported, so its variations are not read.
    fn products<T: Transport>(&mut self, client: &mut Client<T>, items: &[Value], batch: &mut Batch) -> Result<(), Error> {
        let published_variable = |p: &Value| model::text(&p["type"]) == "variable" && model::text(&p["status"]) == "publish";
        let (collections, concurrency) = (self.collections, self.concurrency);
        with_variations(client, items, published_variable, collections, concurrency, |group, variations| {
            for p in group {
                self.product(p, variations, batch);
            }
        })
    }

    fn product(&mut self, p: &Value, variations: &HashMap<u64, Vec<Value>>, batch: &mut Batch) {
        let Some(id) = model::id(&p["id"]) else {
            self.malformed(Kind::Products, "product", p);
            return;
        };
        let vars = variations.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        let before = self.host.get(bucket::PRODUCTS, &id.to_string()).is_some();
        match mapping::product_record(p, vars, before) {
            Ok(r) => {
                batch.set_state(bucket::PRODUCTS, &id.to_string(), model::text(&p["date_modified_gmt"]));
                for c in mapping::product_category_ids(p) {
                    batch.set_state(bucket::LINKED_CATEGORIES, &c.to_string(), "1");
                }
                claim_skus(self.host, &r, batch);
                self.emit(Kind::Products, batch, r);
            }
            Err(_) => {
                if self.kinds.contains(&Kind::Products) {
                    self.report.entry(Kind::Products).skipped += 1;
                }
            }
        }
    }

    fn collections(&mut self, items: &[Value], batch: &mut Batch) {
        for c in items {
            let Some(id) = model::id(&c["id"]) else {
                self.malformed(Kind::Collections, "category", c);
                continue;
            };
            if self.host.get(bucket::LINKED_CATEGORIES, &id.to_string()).is_none() {
                self.report.entry(Kind::Collections).skipped += 1;
                continue;
            }
            if let Some(r) = mapping::collection_record(c) {
                self.emit(Kind::Collections, batch, r);
            }
        }
    }

    fn contacts(&mut self, items: &[Value], batch: &mut Batch) {
        for c in items {
            if model::id(&c["id"]).is_none() {
                self.malformed(Kind::Contacts, "customer", c);
                continue;
            }
            if let Some(id) = model::id(&c["id"]) {
                batch.set_state(bucket::CURSORS, "sync:contacts:max_id", id.to_string());
            }
            match mapping::contact_from_customer(c) {
                Some(r) => {
                    let email = model::text(&r.body["email"]);
                    if !email.is_empty() {
                        batch.set_state(bucket::EMAILS, &email, r.id.clone());
                    }
                    self.emit(Kind::Contacts, batch, r);
                }
                None => self.report.entry(Kind::Contacts).skipped += 1,
            }
        }
    }

    fn orders<T: Transport>(&mut self, client: &mut Client<T>, items: &[Value], batch: &mut Batch) -> Result<(), Error> {
        let mut buyers = Buyers::default();
        let with_refunds: Vec<u64> = if self.kinds.contains(&Kind::Transactions) && !self.collections.refunds {
            items
                .iter()
                .filter(|o| !model::list(&o["refunds"]).is_empty())
                .filter_map(|o| model::id(&o["id"]))
                .collect()
        } else {
            vec![]
        };
        let refunds = fetch_children(client, &with_refunds, self.concurrency, |id| format!("/orders/{id}/refunds"))?;
        for o in items {
            let Some(id) = model::id(&o["id"]) else {
                self.malformed(Kind::Orders, "order", o);
                continue;
            };
            if !mapping::is_importable_order_status(&model::text(&o["status"])) {
                self.report.entry(Kind::Orders).skipped += 1;
                continue;
            }
            let contact_id = buyers.contact_for(self.host, o, batch);
            let Some(r) = mapping::order_record(o, contact_id.as_deref()) else { continue };
            batch.set_state(bucket::ORDERS, &id.to_string(), crate::sync::order_state(o));
            self.emit(Kind::Orders, batch, r);
            if let Some(t) = mapping::payment_transaction(o, contact_id.as_deref()) {
                self.emit(Kind::Transactions, batch, t);
            }
            let currency = model::text(&o["currency"]);
            if self.collections.refunds && self.kinds.contains(&Kind::Transactions) && !model::list(&o["refunds"]).is_empty() {
                batch.set_state(REFUND_OWNERS, &id.to_string(), format!("{currency}|{}", contact_id.as_deref().unwrap_or("")));
            }
            for refund in refunds.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(t) = mapping::refund_transaction(id, refund, &currency, contact_id.as_deref()) {
                    self.emit(Kind::Transactions, batch, t);
                }
            }
        }
        Ok(())
    }
}

impl<H: Host> PhaseCtx<'_, H> {
    /// A page of `/refunds`: each refund of an imported order becomes a
    /// transaction, with the order's currency and contact noted by the
    /// orders phase. Refunds of orders not imported (drafts) are skipped.
    fn refunds(&mut self, items: &[Value], batch: &mut Batch) {
        for refund in items {
            let Some(order) = model::id(&refund["parent_id"]) else {
                self.malformed(Kind::Transactions, "refund", refund);
                continue;
            };
            let Some(owner) = self.host.get(REFUND_OWNERS, &order.to_string()) else {
                continue;
            };
            let owner = String::from_utf8_lossy(&owner).into_owned();
            let (currency, contact) = owner.split_once('|').unwrap_or((&owner, ""));
            let contact = Some(contact).filter(|c| !c.is_empty());
            if let Some(t) = mapping::refund_transaction(order, refund, currency, contact) {
                self.emit(Kind::Transactions, batch, t);
            }
        }
    }
}

/// Note the SKUs of a product record and its variants in `batch`; log a
/// warning for each SKU another record already has. Two store products with
/// one SKU stay two records: they are reported, never merged.
pub fn claim_skus(host: &mut impl Host, record: &Record, batch: &mut Batch) {
    let mut owners: Vec<(String, String)> = vec![(model::text(&record.body["sku"]), record.id.clone())];
    for v in model::list(&record.body["variants"]) {
        owners.push((model::text(&v["sku"]), model::text(&v["id"])));
    }
    for (sku, id) in owners {
        let key = sku.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        let pending = batch.state.iter().rev().find(|(b, k, _)| b == bucket::SKUS && *k == key).map(|(_, _, v)| String::from_utf8_lossy(v).into_owned());
        match pending.or_else(|| host.get(bucket::SKUS, &key).map(|b| String::from_utf8_lossy(&b).into_owned())) {
            Some(owner) if owner != id => host.log(Level::Warn, &format!("SKU {sku:?} is on both {owner} and {id}: kept as two records, not merged")),
            Some(_) => {}
            None => batch.set_state(bucket::SKUS, &key, id.into_bytes()),
        }
    }
}

/// Decides the contact of each order's buyer, creating contacts for buyers
/// that have none yet (guests once, by email; registered buyers from billing).
#[derive(Default)]
pub struct Buyers {
    /// Emails and contact ids assigned in this batch (not yet committed).
    pending: HashMap<String, String>,
}

impl Buyers {
    pub fn contact_for(&mut self, host: &mut impl Host, order: &Value, batch: &mut Batch) -> Option<String> {
        let email = model::text(&order["billing"]["email"]).trim().to_lowercase();
        let known = |host: &mut dyn FnMut(&str) -> Option<String>, key: &str| host(key);
        let mut lookup = |key: &str| -> Option<String> {
            self.pending
                .get(key)
                .cloned()
                .or_else(|| host.get(bucket::EMAILS, key).map(|b| String::from_utf8_lossy(&b).into_owned()))
        };
        match model::id(&order["customer_id"]) {
            Some(cid) => {
                let id = mapping::customer_contact_id(cid);
                let marker = format!("#{id}");
                if known(&mut lookup, &marker).is_none() && known(&mut lookup, &email).as_deref() != Some(id.as_str()) {
                    if let Some(r) = mapping::contact_from_order_billing(order) {
                        batch.records.push(r);
                    }
                    batch.set_state(bucket::EMAILS, &marker, id.clone());
                    self.pending.insert(marker, id.clone());
                    if !email.is_empty() {
                        batch.set_state(bucket::EMAILS, &email, id.clone());
                        self.pending.insert(email, id.clone());
                    }
                }
                Some(id)
            }
            None if email.is_empty() => None,
            None => {
                if let Some(existing) = known(&mut lookup, &email) {
                    return Some(existing);
                }
                let r = mapping::contact_from_order_billing(order)?;
                let id = r.id.clone();
                batch.records.push(r);
                batch.set_state(bucket::EMAILS, &email, id.clone());
                self.pending.insert(email, id.clone());
                Some(id)
            }
        }
    }
}

/// The one walk of a products page's variations, for the first import and
/// the incremental pass alike: the page goes a group at a time, each group's
/// variable products (those `reads_variations` picks) having at most one page
/// (100) of variations between them, so the guest holds one products page and
/// one page of variations however densely the store mixes variable products
/// into a page. Every variation of a product is read, past the first 100 too.
pub fn with_variations<T: Transport>(
    client: &mut Client<T>,
    items: &[Value],
    reads_variations: impl Fn(&Value) -> bool,
    collections: Collections,
    concurrency: usize,
    mut each: impl FnMut(&[Value], &HashMap<u64, Vec<Value>>),
) -> Result<(), Error> {
    let mut start = 0;
    while start < items.len() {
        let (mut end, mut held) = (start, 0);
        while end < items.len() {
            let n = if reads_variations(&items[end]) { model::list(&items[end]["variations"]).len().max(1) } else { 0 };
            if end > start && held + n > crate::client::MAX_PER_PAGE as usize {
                break;
            }
            held += n;
            end += 1;
        }
        let group = &items[start..end];
        let parents: Vec<u64> = group.iter().filter(|p| reads_variations(p)).filter_map(|p| model::id(&p["id"])).collect();
        let variations = fetch_variations(client, &parents, collections.variations, concurrency)?;
        each(group, &variations);
        start = end;
    }
    Ok(())
}

/// Every variation of each variable product: from `/variations?parent=…`
/// (one request per 100 variations) where the store has it, else one list
/// per parent, read concurrently.
fn fetch_variations<T: Transport>(client: &mut Client<T>, parents: &[u64], collection: bool, concurrency: usize) -> Result<HashMap<u64, Vec<Value>>, Error> {
    if !collection {
        return fetch_children(client, parents, concurrency, |id| format!("/products/{id}/variations"));
    }
    let mut out: HashMap<u64, Vec<Value>> = parents.iter().map(|p| (*p, vec![])).collect();
    for chunk in parents.chunks(100) {
        let ids: Vec<String> = chunk.iter().map(u64::to_string).collect();
        let q = vec![("parent".to_string(), ids.join(",")), ("orderby".into(), "id".into()), ("order".into(), "asc".into())];
        client.for_each_page("/variations", &q, concurrency, 0, |_, page| {
            for v in page.items {
                if let Some(list) = model::id(&v["parent_id"]).and_then(|p| out.get_mut(&p)) {
                    list.push(v);
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// One list per parent (first page of 100, then any further pages).
fn fetch_children<T: Transport>(
    client: &mut Client<T>,
    parents: &[u64],
    concurrency: usize,
    path: impl Fn(u64) -> String,
) -> Result<HashMap<u64, Vec<Value>>, Error> {
    let mut out = HashMap::new();
    if parents.is_empty() {
        return Ok(out);
    }
    let q = vec![("per_page".to_string(), "100".to_string())];
    let reqs: Vec<ApiRequest> = parents.iter().map(|id| ApiRequest::get(path(*id), q.clone())).collect();
    for (id, answer) in parents.iter().zip(client.send_all(&reqs)) {
        let r = answer?;
        let pages = r.total_pages.unwrap_or(1);
        let mut items = match r.body {
            Value::Array(a) => a,
            _ => vec![],
        };
        if pages > 1 {
            client.for_each_page(&path(*id), &[], concurrency, 1, |_, p| {
                items.extend(p.items);
                Ok(())
            })?;
        }
        out.insert(*id, items);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, json};
    use crate::client::{Credentials, HttpRequest, SignatureMethod, StoreUrl};
    use crate::env::memory::MemoryHost;

    fn store() -> Client<FakeTransport> {
        let mut t = FakeTransport::default();
        t.router = Some(Box::new(|r: &HttpRequest| {
            let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3");
            let page: u32 = r.path_and_query.split("&page=").nth(1).and_then(|s| s.split('&').next()).and_then(|s| s.parse().ok()).unwrap_or(1);
            let (body, total) = match (path, page) {
                ("/products", 1) => (r#"[{"id":10,"type":"simple","status":"publish","price":"5","name":"Mug","categories":[{"id":3}]},{"id":11,"type":"grouped","status":"publish","price":"5","categories":[{"id":4}]}]"#, 2),
                ("/products/categories", 1) => (r#"[{"id":3,"name":"Mugs","slug":"mugs","parent":0},{"id":4,"name":"Sets","slug":"sets","parent":0}]"#, 2),
                ("/customers", 1) => (r#"[{"id":7,"role":"customer","email":"Ann@Example.com","first_name":"Ann","billing":{}},{"id":1,"role":"administrator","email":"admin@example.com"}]"#, 2),
                ("/orders", 1) => (r#"[{"id":100,"status":"processing","customer_id":0,"total":"5.00","currency":"USD","billing":{"email":"ann@example.com"},"line_items":[],"refunds":[]},{"id":101,"status":"completed","customer_id":0,"total":"9.00","currency":"USD","billing":{"email":"guest@example.com","first_name":"G"},"line_items":[],"refunds":[{"id":102,"total":"-1.00"}]},{"id":103,"status":"on-hold","customer_id":0,"total":"2.00","currency":"USD","billing":{"email":"Guest@example.com"},"line_items":[],"refunds":[]}]"#, 3),
                ("/orders/101/refunds", 1) => (r#"[{"id":102,"amount":"1.00","reason":"","date_created_gmt":"2025-03-02T00:00:00"}]"#, 1),
                _ => ("[]", 0),
            };
            let total = total.to_string();
            let pages = if total == "0" { "0" } else { "1" };
            json(200, body, &[("X-WP-Total", &total), ("X-WP-TotalPages", pages)])
        }));
        let creds = Credentials { consumer_key: "ck_a".into(), consumer_secret: "cs_b".into(), signature_method: SignatureMethod::HmacSha256 };
        Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t)
    }

    #[test]
    fn variations_walk_keeps_the_connections_pages_in_flight() {
        let mut c = store();
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 = r.path_and_query.split("&page=").nth(1).and_then(|s| s.split('&').next()).and_then(|s| s.parse().ok()).unwrap_or(1);
            let body = format!(r#"[{{"id":{},"parent_id":10,"price":"1"}}]"#, 1000 + page);
            json(200, &body, &[("X-WP-Total", "9"), ("X-WP-TotalPages", "9")])
        }));
        for concurrency in [1, 2, 6] {
            c.transport.in_flight.clear();
            let got = fetch_variations(&mut c, &[10], true, concurrency).unwrap();
            assert_eq!(got[&10].len(), 9);
            assert_eq!(c.transport.in_flight.iter().max(), Some(&concurrency), "{concurrency}: {:?}", c.transport.in_flight);
        }
    }

    #[test]
    fn variations_come_a_page_at_a_time_however_dense_the_products_page() {
        let mut host = MemoryHost::default();
        let info = br#"{"state":"connected","store_url":"https://shop.example.com","woocommerce_version":"11.0.1","auth_method":"basic"}"#;
        host.set(bucket::CONNECTION, "info", info).unwrap();
        let mut c = store();
        // One page of 40 variable products with 4 variations each: 160 variations.
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let (path, query) = r.path_and_query.split_once('?').unwrap_or((&r.path_and_query, ""));
            let path = path.trim_start_matches("/wp-json/wc/v3");
            let param = |name: &str| query.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or("").to_string();
            let (body, total) = match path {
                "/products" if param("page") == "1" => {
                    let items: Vec<String> = (0..40u64)
                        .map(|i| format!(r#"{{"id":{},"type":"variable","status":"publish","name":"P{i}","price":"5","categories":[],"variations":[{}]}}"#, 100 + i, (0..4).map(|v| (1000 + i * 10 + v).to_string()).collect::<Vec<_>>().join(",")))
                        .collect();
                    (format!("[{}]", items.join(",")), 40)
                }
                "/variations" => {
                    let parents: Vec<u64> = param("parent").split("%2C").flat_map(|p| p.split(',')).filter_map(|p| p.parse().ok()).collect();
                    let items: Vec<String> = parents
                        .iter()
                        .flat_map(|p| (0..4).map(move |v| format!(r#"{{"id":{},"parent_id":{p},"price":"5","attributes":[]}}"#, 1000 + (p - 100) * 10 + v)))
                        .collect();
                    let n = items.len();
                    (format!("[{}]", items.join(",")), n)
                }
                _ => ("[]".to_string(), 0),
            };
            let pages = total.div_ceil(100).to_string();
            json(200, &body, &[("X-WP-Total", &total.to_string()), ("X-WP-TotalPages", &pages)])
        }));
        run(&mut c, &mut host, &[Kind::Products], 4).unwrap();
        let asked: Vec<usize> = c
            .transport
            .sent
            .iter()
            .filter(|r| r.path_and_query.starts_with("/wp-json/wc/v3/variations"))
            .map(|r| r.path_and_query.split("parent=").nth(1).unwrap().split('&').next().unwrap().split("%2C").flat_map(|p| p.split(',')).count())
            .collect();
        assert_eq!(asked, [25, 15], "parents with at most 100 variations between them, one request each");
        let products: Vec<&Value> = host.records.iter().filter(|((k, _), _)| k == "product").map(|(_, v)| v).collect();
        assert_eq!(products.len(), 40);
        assert!(products.iter().all(|p| p["variants"].as_array().is_some_and(|v| v.len() == 4)));
    }

    #[test]
    fn import_applies_rules_and_links_guests_to_existing_contacts() {
        let mut host = MemoryHost::default();
        let mut c = store();
        let report = run(&mut c, &mut host, &Kind::ALL, 4).unwrap();
        let ids: Vec<String> = host.records.keys().map(|(_, id)| id.clone()).collect();
        assert!(ids.contains(&"woo:product:10".to_string()));
        assert!(!ids.contains(&"woo:product:11".to_string()), "grouped products are not imported");
        assert!(ids.contains(&"woo:category:3".to_string()));
        assert!(!ids.contains(&"woo:category:4".to_string()), "category linked to no imported product");
        assert!(ids.contains(&"woo:customer:7".to_string()));
        assert!(!ids.contains(&"woo:customer:1".to_string()), "administrators are not contacts");
        let order100 = &host.records[&("order".to_string(), "woo:order:100".to_string())];
        assert_eq!(order100["contact_id"], "woo:customer:7", "guest email matching a contact links to it");
        let guests: Vec<&String> = ids.iter().filter(|i| i.starts_with("woo:guest:")).collect();
        assert_eq!(guests, [&"woo:guest:guest@example.com".to_string()], "one guest contact per email");
        assert!(ids.contains(&"woo:payment:101".to_string()));
        assert!(ids.contains(&"woo:refund:102".to_string()));
        assert!(!ids.contains(&"woo:payment:103".to_string()), "unpaid order has no payment");
        assert!(host.triggers.is_empty(), "historical orders fire no trigger");
        assert_eq!(report.kinds.iter().find(|k| k.kind == Kind::Orders).unwrap().records, 3);
    }

    #[test]
    fn import_interrupted_then_resumed_ends_with_the_same_records() {
        let mut clean = MemoryHost::default();
        run(&mut store(), &mut clean, &Kind::ALL, 4).unwrap();
        for crash_at in 1..8 {
            let mut host = MemoryHost { fail_commit: Some(crash_at), ..Default::default() };
            let _ = run(&mut store(), &mut host, &Kind::ALL, 4);
            host.fail_commit = None;
            run(&mut store(), &mut host, &Kind::ALL, 4).unwrap();
            assert_eq!(host.records, clean.records, "crash at commit {crash_at}");
        }
    }

    fn project(v: &Value, fields: &[&str]) -> Value {
        Value::Object(v.as_object().unwrap().iter().filter(|(k, _)| fields.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    #[test]
    fn order_fields_keep_every_field_the_records_read() {
        let full: Value = serde_json::from_str(include_str!("../../fuzz/corpus/mapping/order.json")).unwrap();
        let slim = project(&full, ORDER_FIELDS);
        assert!(slim.as_object().unwrap().len() < full.as_object().unwrap().len());
        let body = |r: Option<mapping::Record>| r.map(|r| r.body);
        assert_eq!(body(mapping::order_record(&slim, Some("c"))), body(mapping::order_record(&full, Some("c"))));
        assert_eq!(body(mapping::payment_transaction(&slim, Some("c"))), body(mapping::payment_transaction(&full, Some("c"))));
        assert_eq!(body(mapping::contact_from_order_billing(&slim)), body(mapping::contact_from_order_billing(&full)));
        assert_eq!(crate::sync::order_state(&slim), crate::sync::order_state(&full));
        let customer: Value = serde_json::from_str(include_str!("../../fuzz/corpus/mapping/customer.json")).unwrap();
        assert_eq!(body(mapping::contact_from_customer(&project(&customer, CUSTOMER_FIELDS))), body(mapping::contact_from_customer(&customer)));
    }

    #[test]
    fn lenient_one_bad_record_is_skipped_logged_and_counted_never_the_page() {
        let long = "Caf&eacute; &amp; T\u{e9}a \u{65e5}\u{672c} ".to_string() + &"x".repeat(20_000);
        let products = serde_json::json!([
            {"id": "20", "type": "simple", "status": "publish", "price": 21.5, "name": long, "images": false, "categories": false, "sku": 1234},
            {"id": null, "name": "no id"},
            {"id": 21, "type": "simple", "status": "publish", "price": "", "regular_price": null, "images": false},
            {"id": 22, "type": "variable", "status": "publish", "price": "", "variations": false}
        ])
        .to_string();
        let orders = serde_json::json!([
            {"id": "200", "status": "completed", "total": 12, "currency": "EUR", "customer_id": "0", "billing": {"email": "", "first_name": null}, "line_items": false, "refunds": false, "date_paid": null, "meta_data": false},
            {"id": "abc", "status": "completed"},
            {"id": 201, "status": "processing", "total": null, "customer_id": "", "billing": false, "line_items": [{"product_id": "20", "quantity": "2", "price": "", "total": null, "name": "&lt;b&gt;"}]},
            "not an object"
        ])
        .to_string();
        let mut t = FakeTransport::default();
        t.router = Some(Box::new(move |r: &HttpRequest| {
            let path = r.path_and_query.split('?').next().unwrap().trim_start_matches("/wp-json/wc/v3").to_string();
            let body = match path.as_str() {
                "/products" if r.path_and_query.contains("page=1") => products.clone(),
                "/orders" if r.path_and_query.contains("page=1") => orders.clone(),
                _ => "[]".to_string(),
            };
            json(200, &body, &[("X-WP-Total", "4"), ("X-WP-TotalPages", "1")])
        }));
        let creds = Credentials { consumer_key: "ck_a".into(), consumer_secret: "cs_b".into(), signature_method: SignatureMethod::HmacSha256 };
        let mut c = Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, t);
        let mut host = MemoryHost::default();
        let report = run(&mut c, &mut host, &Kind::ALL, 4).unwrap();
        let get = |kind: &str, id: &str| host.records.get(&(kind.to_string(), id.to_string())).cloned();
        let p = get("product", "woo:product:20").expect("the loose product is imported");
        assert_eq!(p["price"], "21.50", "a number price becomes a decimal string");
        assert!(p["name"].as_str().unwrap().starts_with("Caf\u{e9} & T\u{e9}a \u{65e5}\u{672c} x"), "entities decoded, unicode kept");
        assert_eq!(p["images"], serde_json::json!([]), "`false` images read as none");
        assert!(get("product", "woo:product:21").is_none(), "no price: not a product record");
        let o = get("order", "woo:order:200").expect("an order with loose fields is imported");
        assert_eq!(o["total"], "12.00");
        assert!(get("order", "woo:order:201").is_some(), "null total and string quantities do not drop the order");
        let entry = |k: Kind| *report.kinds.iter().find(|r| r.kind == k).unwrap();
        assert_eq!(entry(Kind::Orders).malformed, 2, "`abc` and a non-object are counted");
        assert_eq!(entry(Kind::Products).malformed, 1);
        assert!(host.logs.iter().filter(|l| l.contains("malformed")).count() >= 3, "{:?}", host.logs);
    }
}
