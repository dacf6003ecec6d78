//! List results. Every list tool answers with one `Listing`: the client's
//! `Page` of records plus the paging that produced it, as the JSON
//! `{items, page, per_page, total, total_pages}` (and `truncated` when every
//! page was walked). Direct mode reads the same JSON back into its typed
//! `page` record.

use super::query::list_query;
use super::registry::Store;
use crate::client::{ApiRequest, Error, MAX_PER_PAGE, Page};
use crate::read;
use serde_json::{Value, json};

/// Records a page when the agent does not say (WooCommerce's own default).
const DEFAULT_PER_PAGE: u64 = 10;
/// The most records `all_pages` gathers when `max_items` is not given.
const DEFAULT_MAX_ITEMS: u64 = 10_000;

/// A list tool's answer: one page of records, or every page with `all_pages`.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    /// The records, the page number (1 when every page was walked) and the
    /// store's totals for the whole list.
    pub page: Page,
    /// Records per page asked for (100 when every page was walked).
    pub per_page: u32,
    /// With `all_pages`: whether `max_items` stopped the walk before the
    /// end. `None` for a single page.
    pub truncated: Option<bool>,
}

impl Listing {
    /// The JSON a list tool returns.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "items": self.page.items,
            "page": self.page.page,
            "per_page": self.per_page,
            "total": self.page.total,
            "total_pages": self.page.total_pages,
        });
        if let Some(truncated) = self.truncated {
            v["truncated"] = json!(truncated);
        }
        v
    }

    /// A list tool's JSON read back (numbers may be written as strings).
    pub fn from_json(v: &Value) -> Listing {
        let n = |k: &str| read::id(&v[k]).unwrap_or(0);
        Listing {
            page: Page {
                page: n("page") as u32,
                items: read::list(&v["items"]).to_vec(),
                total: n("total"),
                total_pages: n("total_pages"),
            },
            per_page: n("per_page") as u32,
            truncated: v["truncated"].as_bool(),
        }
    }
}

/// Run a list tool on `path`: the filters become the query, then one page is
/// fetched, or every page (up to `max_items`) with `all_pages`.
pub(super) fn list(store: &mut dyn Store, path: &str, args: &Value) -> Result<Value, Error> {
    let query = list_query(args)?;
    let listing = if args["all_pages"].as_bool() == Some(true) {
        let max = args["max_items"].as_u64().unwrap_or(DEFAULT_MAX_ITEMS) as usize;
        every_page(store, path, &query, max)?
    } else {
        let page = args["page"].as_u64().unwrap_or(1);
        let per_page = args["per_page"].as_u64().unwrap_or(DEFAULT_PER_PAGE);
        one_page(store, path, query, page, per_page)?
    };
    let mut listing = listing;
    if !asks_for_links(args) {
        listing.page.items.iter_mut().for_each(without_links);
    }
    Ok(listing.to_json())
}

/// Whether the `fields` argument lists `_links`.
fn asks_for_links(args: &Value) -> bool {
    read::list(&args["fields"]).iter().any(|f| f.as_str() == Some("_links"))
}

/// A record without WooCommerce's `_links` (hypermedia an agent does not
/// need, and tokens it pays for on every record).
pub(super) fn without_links(record: &mut Value) {
    if let Some(m) = record.as_object_mut() {
        m.remove("_links");
    }
}

fn one_page(
    store: &mut dyn Store,
    path: &str,
    mut query: Vec<(String, String)>,
    page: u64,
    per_page: u64,
) -> Result<Listing, Error> {
    query.push(("page".into(), page.to_string()));
    query.push(("per_page".into(), per_page.to_string()));
    let r = store.send(&ApiRequest::get(path, query))?;
    Ok(Listing {
        page: Page::from_response(saturating_u32(page), r)?,
        per_page: saturating_u32(per_page),
        truncated: None,
    })
}

/// The schema bounds `per_page` but not `page`; a page number past `u32` is
/// echoed as the largest one (the store answers such a page with `[]`).
fn saturating_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn every_page(store: &mut dyn Store, path: &str, query: &[(String, String)], max: usize) -> Result<Listing, Error> {
    let mut all = Page { page: 1, items: vec![], total: 0, total_pages: 0 };
    let mut truncated = false;
    let walk = store.for_each_page(path, query, &mut |page| {
        all.total = page.total;
        all.total_pages = page.total_pages;
        all.items.extend(page.items);
        if all.items.len() > max {
            all.items.truncate(max);
            truncated = true;
            // Stops the walk; not an error for the caller (see below).
            return Err(Error::Transport(String::new()));
        }
        Ok(())
    });
    if !truncated {
        walk?;
    }
    Ok(Listing { page: all, per_page: MAX_PER_PAGE, truncated: Some(truncated) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_left_out_unless_fields_asks_for_them() {
        let mut r = json!({"id": 1, "_links": {"self": []}});
        without_links(&mut r);
        assert_eq!(r, json!({"id": 1}));
        assert!(asks_for_links(&json!({"fields": ["id", "_links"]})));
        assert!(!asks_for_links(&json!({"fields": ["id"]})));
        assert!(!asks_for_links(&json!({})));
    }

    #[test]
    fn direct_page_reads_numbers_and_strings() {
        let p = Listing::from_json(
            &json!({"items": [{"id": 1}], "page": 1, "per_page": "10", "total": 31, "total_pages": 4}),
        );
        let page = Page { page: 1, items: vec![json!({"id": 1})], total: 31, total_pages: 4 };
        assert_eq!(p, Listing { page, per_page: 10, truncated: None });
    }

    #[test]
    fn a_listing_reads_back_as_it_was_written() {
        let page = Page { page: 2, items: vec![json!({"id": 7})], total: 11, total_pages: 2 };
        for truncated in [None, Some(false), Some(true)] {
            let l = Listing { page: page.clone(), per_page: 10, truncated };
            assert_eq!(Listing::from_json(&l.to_json()), l);
        }
        assert!(Listing { page, per_page: 10, truncated: None }.to_json().get("truncated").is_none());
    }
}
