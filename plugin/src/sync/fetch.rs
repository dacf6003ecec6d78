//! Reading what a page of parents needs, by the cheapest endpoints the
//! store's version has: every variation of a page's variable products, and
//! the refunds of a page's orders.

use crate::client::{ApiRequest, Client, Error, MAX_PER_PAGE, Transport};
use crate::connection;
use crate::port::{Host, StorageError};
use crate::read;
use serde_json::Value;
use std::collections::HashMap;

/// The list endpoints this store's WooCommerce version has that spare one
/// request per parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreEndpoints {
    /// `GET /variations?parent=…` (WooCommerce 10.3+).
    pub variations: bool,
    /// `GET /refunds` (WooCommerce 9.0+). Its `parent` filter is ignored by
    /// WooCommerce 11.0 (checked on a real store), so it is walked whole.
    pub refunds: bool,
}

impl StoreEndpoints {
    /// The endpoints of the connected store, from the version it reported.
    pub fn of(host: &mut impl Host) -> Result<StoreEndpoints, StorageError> {
        let v = connection::info(host)?.woocommerce_version.unwrap_or_default();
        let at_least = |major, minor| !v.is_empty() && connection::version_at_least(&v, major, minor);
        Ok(StoreEndpoints { variations: at_least(10, 3), refunds: at_least(9, 0) })
    }
}

/// The one walk of a products page's variations, for the first import and
/// the incremental pass alike: the page goes a group at a time, each group's
/// variable products (those `reads_variations` picks) having at most one page
/// (100) of variations between them, so the guest holds one products page and
/// one page of variations however densely the store mixes variable products
/// into a page. Every variation of a product is read, past the first 100 too.
/// An error from `each` (state it could not read) stops the walk.
pub fn with_variations<T: Transport>(
    client: &mut Client<T>,
    items: &[Value],
    reads_variations: impl Fn(&Value) -> bool,
    endpoints: StoreEndpoints,
    concurrency: usize,
    mut each: impl FnMut(&[Value], &HashMap<u64, Vec<Value>>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut start = 0;
    while start < items.len() {
        let (mut end, mut held) = (start, 0);
        while end < items.len() {
            let n = if reads_variations(&items[end]) { read::list(&items[end]["variations"]).len().max(1) } else { 0 };
            if end > start && held + n > MAX_PER_PAGE as usize {
                break;
            }
            held += n;
            end += 1;
        }
        let group = &items[start..end];
        let parents: Vec<u64> =
            group.iter().filter(|p| reads_variations(p)).filter_map(|p| read::id(&p["id"])).collect();
        let variations = variations(client, &parents, endpoints.variations, concurrency)?;
        each(group, &variations)?;
        start = end;
    }
    Ok(())
}

/// Every variation of each variable product: from `/variations?parent=…`
/// (one request per 100 variations) where the store has it, else one list
/// per parent, read concurrently.
pub fn variations<T: Transport>(
    client: &mut Client<T>,
    parents: &[u64],
    collection: bool,
    concurrency: usize,
) -> Result<HashMap<u64, Vec<Value>>, Error> {
    if !collection {
        return children(client, parents, concurrency, |id| format!("/products/{id}/variations"));
    }
    let mut out: HashMap<u64, Vec<Value>> = parents.iter().map(|p| (*p, vec![])).collect();
    for chunk in parents.chunks(100) {
        let ids: Vec<String> = chunk.iter().map(u64::to_string).collect();
        let q = vec![
            ("parent".to_string(), ids.join(",")),
            ("orderby".into(), "id".into()),
            ("order".into(), "asc".into()),
        ];
        client.for_each_page("/variations", &q, concurrency, 0, |_, page| {
            for v in page.items {
                if let Some(list) = read::id(&v["parent_id"]).and_then(|p| out.get_mut(&p)) {
                    list.push(v);
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// One list per parent (first page of 100, then any further pages).
pub fn children<T: Transport>(
    client: &mut Client<T>,
    parents: &[u64],
    concurrency: usize,
    path: impl Fn(u64) -> String,
) -> Result<HashMap<u64, Vec<Value>>, Error> {
    let mut out = HashMap::new();
    if parents.is_empty() {
        return Ok(out);
    }
    let q = vec![("per_page".to_string(), MAX_PER_PAGE.to_string())];
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

/// The order fields the records need (`_fields`): a page is a third of the
/// bytes to send, parse and map. `tests::order_fields_keep_every_field_the_records_read`
/// checks the list against the mapping.
pub const ORDER_FIELDS: &[&str] = &[
    "id",
    "number",
    "status",
    "currency",
    "prices_include_tax",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "date_paid",
    "date_paid_gmt",
    "discount_total",
    "shipping_total",
    "total",
    "total_tax",
    "customer_id",
    "billing",
    "payment_method",
    "payment_method_title",
    "line_items",
    "refunds",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, json};
    use crate::client::{Credentials, HttpRequest, SignatureMethod, StoreUrl};

    #[test]
    fn variations_walk_keeps_the_connections_pages_in_flight() {
        let creds = Credentials {
            consumer_key: "ck_a".into(),
            consumer_secret: "cs_b".into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        let mut c = Client::new(StoreUrl::parse("https://shop.example.com").unwrap(), creds, FakeTransport::default());
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 = r
                .path_and_query
                .split("&page=")
                .nth(1)
                .and_then(|s| s.split('&').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            let body = format!(r#"[{{"id":{},"parent_id":10,"price":"1"}}]"#, 1000 + page);
            json(200, &body, &[("X-WP-Total", "9"), ("X-WP-TotalPages", "9")])
        }));
        for concurrency in [1, 2, 6] {
            c.transport.in_flight.clear();
            let got = variations(&mut c, &[10], true, concurrency).unwrap();
            assert_eq!(got[&10].len(), 9);
            assert_eq!(
                c.transport.in_flight.iter().max(),
                Some(&concurrency),
                "{concurrency}: {:?}",
                c.transport.in_flight
            );
        }
    }
}
