//! Write-back: the platform sends stock levels, shipments and
//! contact changes back to WooCommerce. Every operation checks all its input
//! against the store first and writes nothing when any part is wrong, and
//! each one can be run twice without doing its effect twice.

use crate::client::{ApiRequest, Client, Error, Method, RemoteError, Transport};
use crate::mapping::ids::{self, ContactRef};
use crate::port::{Batch, Host};
use crate::read;
use crate::sync::apply;
use crate::sync::webhook::{self, Resource};
use serde_json::{Map, Value, json};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};

/// What one stock line points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StockTarget {
    /// A product or variation found by SKU (case-insensitive; must match one).
    Sku(String),
    /// A product by id.
    Product(u64),
    /// A variation by its own id.
    Variation(u64),
}

impl std::fmt::Display for StockTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StockTarget::Sku(s) => write!(f, "SKU {s:?}"),
            StockTarget::Product(id) => write!(f, "product {id}"),
            StockTarget::Variation(id) => write!(f, "variation {id}"),
        }
    }
}

/// One line of a stock push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLine {
    /// What to set.
    pub target: StockTarget,
    /// The new stock quantity.
    pub quantity: i64,
}

/// A resolved store record: a product, or a variation of `parent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Slot {
    id: u64,
    parent: Option<u64>,
}

impl Slot {
    fn of(item: &Value) -> Option<Slot> {
        let id = read::id(&item["id"])?;
        let parent = read::id(&item["parent_id"]).filter(|p| *p > 0);
        let variation = read::text(&item["type"]) == "variation" || parent.is_some();
        Some(Slot { id, parent: if variation { parent } else { None } })
    }

    fn record_id(&self) -> String {
        match self.parent {
            Some(_) => ids::variation_id(self.id),
            None => ids::product_id(self.id),
        }
    }
}

/// The tool's `items` argument as stock lines.
pub fn stock_lines(items: &Value) -> Result<Vec<StockLine>, Error> {
    let mut out = vec![];
    for (i, it) in read::list(items).iter().enumerate() {
        let field = |k: &str| format!("items[{i}].{k}");
        let quantity =
            it["quantity"].as_i64().ok_or_else(|| Error::invalid(field("quantity"), "must be a whole number"))?;
        let target = match (it["sku"].as_str(), it["product_id"].as_u64(), it["variation_id"].as_u64()) {
            (Some(s), None, None) => StockTarget::Sku(s.to_string()),
            (None, Some(p), None) => StockTarget::Product(p),
            (None, None, Some(v)) => StockTarget::Variation(v),
            _ => {
                return Err(Error::invalid(
                    format!("items[{i}]"),
                    "needs exactly one of sku, product_id or variation_id",
                ));
            }
        };
        out.push(StockLine { target, quantity });
    }
    Ok(out)
}

/// Set stock levels. Every line is resolved first (SKUs with one request per
/// 40, variations by id); a SKU matching nothing or several records, a
/// missing id or the same record twice fails the whole push before any
/// write. Then products go 100 per `/products/batch`, variations 100 per
/// `/products/<parent>/variations/batch`.
pub fn stock<T: Transport>(client: &mut Client<T>, lines: &[StockLine]) -> Result<Value, Error> {
    if lines.is_empty() {
        return Err(Error::invalid("items", "no stock lines"));
    }
    let resolved = resolve(client, lines)?;
    let mut problems: Vec<String> = vec![];
    let mut missing = 0;
    let mut slots: Vec<(Slot, &StockLine)> = vec![];
    for line in lines {
        match resolved.get(&line.target).map(Vec::as_slice) {
            None | Some([]) => {
                missing += 1;
                problems.push(format!("{}: no product or variation has it", line.target));
            }
            Some([one]) => slots.push((*one, line)),
            Some(many) => {
                let ids: Vec<String> = many.iter().map(Slot::record_id).collect();
                problems.push(format!(
                    "{}: matches {} records ({}); give product:ID or variation:ID",
                    line.target,
                    many.len(),
                    ids.join(", ")
                ));
            }
        }
    }
    let mut seen: HashMap<Slot, &StockTarget> = HashMap::new();
    for (slot, line) in &slots {
        if let Some(first) = seen.insert(*slot, &line.target) {
            problems.push(format!(
                "{} and {first} are the same record ({}): give it once",
                line.target,
                slot.record_id()
            ));
        }
    }
    if !problems.is_empty() {
        let message = format!("nothing was changed: {}", problems.join("; "));
        return Err(if missing == problems.len() {
            Error::NotFound(RemoteError { status: 404, code: "stock_target_not_found".into(), message })
        } else {
            Error::invalid("items", message)
        });
    }
    let mut groups: BTreeMap<Option<u64>, Vec<Value>> = BTreeMap::new();
    for (slot, line) in &slots {
        groups
            .entry(slot.parent)
            .or_default()
            .push(json!({"id": slot.id, "manage_stock": true, "stock_quantity": line.quantity}));
    }
    let mut reqs = vec![];
    for (parent, updates) in &groups {
        let path = match parent {
            Some(p) => format!("/products/{p}/variations/batch"),
            None => "/products/batch".to_string(),
        };
        for chunk in updates.chunks(100) {
            // Absolute quantities: applying the same batch twice is harmless.
            reqs.push(ApiRequest::write(Method::Post, path.clone(), json!({"update": chunk})).replay_safe());
        }
    }
    let mut updated = vec![];
    let mut errors = vec![];
    for answer in client.send_all(&reqs) {
        for item in read::list(&answer?.body["update"]) {
            match item.get("error") {
                Some(e) if !e.is_null() => {
                    errors.push(json!({"id": item["id"], "code": e["code"], "message": e["message"]}))
                }
                _ => updated.push(json!({
                    "id": item["id"], "type": item["type"], "sku": item["sku"],
                    "stock_quantity": item["stock_quantity"], "stock_status": item["stock_status"],
                })),
            }
        }
    }
    Ok(json!({"updated": updated, "errors": errors}))
}

/// Look every target up in the store.
fn resolve<T: Transport>(
    client: &mut Client<T>,
    lines: &[StockLine],
) -> Result<HashMap<StockTarget, Vec<Slot>>, Error> {
    let mut out: HashMap<StockTarget, Vec<Slot>> = HashMap::new();
    let mut skus: Vec<&str> = vec![];
    let mut products: Vec<u64> = vec![];
    let mut variations: Vec<u64> = vec![];
    for l in lines {
        match &l.target {
            StockTarget::Sku(s) => skus.push(s),
            StockTarget::Product(id) => products.push(*id),
            StockTarget::Variation(id) => variations.push(*id),
        }
    }
    // SKUs: a comma list per request (a SKU holding a comma goes alone).
    let (plain, commas): (Vec<&str>, Vec<&str>) = skus.iter().partition(|s| !s.contains(','));
    let mut queries: Vec<String> = plain.chunks(40).map(|c| c.join(",")).collect();
    queries.extend(commas.iter().map(|s| s.to_string()));
    let q = |sku: &str| {
        vec![
            ("sku".to_string(), sku.to_string()),
            ("per_page".to_string(), "100".to_string()),
            ("status".to_string(), "any".to_string()),
        ]
    };
    let mut reqs: Vec<ApiRequest> = queries.iter().map(|s| ApiRequest::get("/products", q(s))).collect();
    // Products: one `include` list per 100 (it lists products, not variations).
    for chunk in products.chunks(100) {
        let ids: Vec<String> = chunk.iter().map(u64::to_string).collect();
        reqs.push(ApiRequest::get(
            "/products",
            vec![("include".into(), ids.join(",")), ("per_page".into(), "100".into()), ("status".into(), "any".into())],
        ));
    }
    // Variations: `GET /products/<id>` answers a variation with its parent.
    reqs.extend(variations.iter().map(|id| ApiRequest::get(format!("/products/{id}"), vec![])));
    let mut found: Vec<Value> = vec![];
    for answer in client.send_all(&reqs) {
        match answer {
            Ok(r) => match r.body {
                Value::Array(items) => found.extend(items),
                one @ Value::Object(_) => found.push(one),
                _ => {}
            },
            Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e),
        }
    }
    for l in lines {
        let mut hits: Vec<Slot> = found
            .iter()
            .filter(|item| match &l.target {
                StockTarget::Sku(s) => read::text(&item["sku"]).eq_ignore_ascii_case(s),
                StockTarget::Product(id) => {
                    read::id(&item["id"]) == Some(*id) && read::text(&item["type"]) != "variation"
                }
                StockTarget::Variation(id) => {
                    read::id(&item["id"]) == Some(*id) && read::text(&item["type"]) == "variation"
                }
            })
            .filter_map(Slot::of)
            .collect();
        hits.sort();
        hits.dedup();
        out.insert(l.target.clone(), hits);
    }
    Ok(out)
}

/// A shipment to tell the customer about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    /// The order shipped.
    pub order_id: u64,
    /// The carrier's name, for example `UPS`.
    pub carrier: String,
    /// The carrier's tracking number.
    pub tracking_number: String,
    /// Where the customer can follow the parcel.
    pub tracking_url: Option<String>,
}

impl Shipment {
    /// The order meta key that marks this shipment as sent.
    pub fn marker_key(&self) -> String {
        let digest =
            sha2::Sha256::digest(format!("{}\n{}", self.carrier.to_lowercase(), self.tracking_number.to_lowercase()));
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("_woo_connector_shipment_{hex}")
    }

    /// The customer-visible note.
    pub fn note(&self) -> String {
        let mut n = format!("Your order has shipped with {}. Tracking number: {}.", self.carrier, self.tracking_number);
        if let Some(u) = &self.tracking_url {
            n.push_str(&format!(" Track it at {u}"));
        }
        n
    }

    /// Check the fields: they end up in an email to the customer.
    pub fn validate(&self) -> Result<(), Error> {
        let plain = |field: &str, v: &str, max: usize| {
            if v.trim().is_empty() || v.len() > max || v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
                Err(Error::invalid(field, format!("must be 1 to {max} characters of plain text")))
            } else {
                Ok(())
            }
        };
        plain("carrier", &self.carrier, 100)?;
        plain("tracking_number", &self.tracking_number, 100)?;
        if let Some(u) = &self.tracking_url {
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() <= 2000
                && u.split_once("://").is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'))
                && u.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\''));
            if !ok {
                return Err(Error::invalid("tracking_url", "must be an http(s) URL without spaces or quotes"));
            }
        }
        Ok(())
    }
}

/// Tell the customer: a customer-visible note with the tracking details, and
/// the order set to `completed`. The order's meta data carries a marker per
/// shipment, so a second run changes nothing; a run cut between the note and
/// the marker finds its note again instead of adding a second one.
pub fn shipment<T: Transport>(client: &mut Client<T>, s: &Shipment) -> Result<Value, Error> {
    s.validate()?;
    let order_path = format!("/orders/{}", s.order_id);
    let order = client.send(&ApiRequest::get(order_path.clone(), vec![]))?.body;
    let key = s.marker_key();
    let marked =
        read::list(&order["meta_data"]).iter().find(|m| read::text(&m["key"]) == key).map(|m| m["value"].clone());
    if let Some(value) = marked {
        return Ok(
            json!({"order_id": s.order_id, "already_sent": true, "marker": key, "note_id": value["note_id"], "status": order["status"]}),
        );
    }
    let text = s.note();
    let note_id = match find_note(client, s.order_id, &text)? {
        Some(id) => id,
        None => {
            let created = client.send(&ApiRequest::write(
                Method::Post,
                format!("{order_path}/notes"),
                json!({"note": text, "customer_note": true}),
            ));
            match created {
                Ok(r) => read::id(&r.body["id"]).unwrap_or(0),
                // The note may have been stored: look before giving up.
                Err(e @ Error::Transport(_)) => find_note(client, s.order_id, &text)?.ok_or(e)?,
                Err(e) => return Err(e),
            }
        }
    };
    let marker = json!({"carrier": s.carrier, "tracking_number": s.tracking_number, "tracking_url": s.tracking_url, "note_id": note_id});
    let body = json!({"status": "completed", "meta_data": [{"key": key, "value": marker}]});
    let updated = client.send(&ApiRequest::write(Method::Put, order_path, body))?.body;
    Ok(
        json!({"order_id": s.order_id, "already_sent": false, "marker": key, "note_id": note_id, "status": updated["status"]}),
    )
}

fn find_note<T: Transport>(client: &mut Client<T>, order_id: u64, text: &str) -> Result<Option<u64>, Error> {
    let notes = client
        .send(&ApiRequest::get(format!("/orders/{order_id}/notes"), vec![("type".into(), "customer".into())]))?
        .body;
    Ok(read::list(&notes).iter().find(|n| read::text(&n["note"]) == text).and_then(|n| read::id(&n["id"])))
}

/// Fields a contact push may set, as `--set` names them.
pub const CONTACT_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "email",
    "phone",
    "billing.first_name",
    "billing.last_name",
    "billing.company",
    "billing.address_1",
    "billing.address_2",
    "billing.city",
    "billing.state",
    "billing.postcode",
    "billing.country",
    "billing.email",
    "billing.phone",
    "shipping.first_name",
    "shipping.last_name",
    "shipping.company",
    "shipping.address_1",
    "shipping.address_2",
    "shipping.city",
    "shipping.state",
    "shipping.postcode",
    "shipping.country",
    "shipping.phone",
];

/// The customer body for `field=value` pairs (`phone` is the billing phone).
pub fn contact_body(set: &Map<String, Value>) -> Result<Value, Error> {
    if set.is_empty() {
        return Err(Error::invalid("set", "give at least one field=value"));
    }
    let mut body = json!({});
    for (field, v) in set {
        if !CONTACT_FIELDS.contains(&field.as_str()) {
            return Err(Error::invalid(
                format!("set.{field}"),
                format!("is not a contact field (one of {})", CONTACT_FIELDS.join(", ")),
            ));
        }
        let value = v.as_str().ok_or_else(|| Error::invalid(format!("set.{field}"), "must be a string"))?;
        if value.len() > 500 || value.chars().any(char::is_control) {
            return Err(Error::invalid(
                format!("set.{field}"),
                "must be at most 500 characters without control characters",
            ));
        }
        if field.ends_with("email") && !value.is_empty() && !looks_like_email(value) {
            return Err(Error::invalid(format!("set.{field}"), "is not an email address"));
        }
        if field.ends_with("country")
            && !(value.is_empty() || value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase()))
        {
            return Err(Error::invalid(format!("set.{field}"), "must be a two-letter ISO country code such as FR"));
        }
        let path = if field == "phone" { "billing.phone" } else { field.as_str() };
        match path.split_once('.') {
            Some((group, key)) => body[group][key] = json!(value),
            None => body[path] = json!(value),
        }
    }
    Ok(body)
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace())
}

/// Update a registered customer from the platform, then store the updated
/// contact record and mark the store's resulting `customer.updated` state as
/// seen, so neither the next webhook nor a later sync reports it as a change.
pub fn contact<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    contact_id: &str,
    set: &Map<String, Value>,
) -> Result<Value, Error> {
    let id = match ids::contact_ref(contact_id) {
        Some(ContactRef::Customer(n)) => n
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Error::invalid("contact_id", "has no customer number"))?,
        Some(ContactRef::Guest(_)) => {
            return Err(Error::invalid(
                "contact_id",
                "is a guest (an order without an account): WooCommerce has no customer to update",
            ));
        }
        None => return Err(Error::invalid("contact_id", "must be a contact id like woo:customer:42")),
    };
    let body = contact_body(set)?;
    let customer = client.send(&ApiRequest::write(Method::Put, format!("/customers/{id}"), body))?.body;
    let mut batch = Batch::default();
    webhook::mark_applied(&mut batch, Resource::Customer, &customer);
    let contact = apply::customer(&customer, &mut batch).map(|r| r.body.clone());
    host.commit(batch)?;
    Ok(json!({"contact_id": contact_id, "contact": contact, "customer": customer}))
}

#[cfg(test)]
mod tests;
