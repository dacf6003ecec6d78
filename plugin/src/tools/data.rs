//! Data: countries and currencies the store knows.

use super::registry::{Annotations, Store, Tool};
use super::{output, rest, schema};
use crate::client::{ApiRequest, Error};
use crate::read;
use serde_json::Value;

/// The data tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-countries",
        title: "List countries",
        description: "List the countries WooCommerce knows (ISO code, name, and its states with their codes), or just one with `code`. The whole list is about 250 countries and 140 KB: give `code` or `fields` (e.g. [\"code\", \"name\"]) to keep it small. WooCommerce does not page it: it comes back as one page, {items, page: 1, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: || {
            schema::object(
                {
                    let mut m = lit!({
                        "code": {"type": "string", "minLength": 2, "maxLength": 2, "pattern": "^[A-Za-z]{2}$", "description": "Only this country: its ISO 3166-1 alpha-2 code, e.g. US or DE."}
                    });
                    m["fields"] = schema::fields();
                    m
                },
                &[],
            )
        },
        output_schema: Some(output::listing),
        handler: |store, args| one_or_all(store, "/data/countries", args, 2, |c| c.to_ascii_lowercase()),
    },
    Tool {
        name: "list-currencies",
        title: "List currencies",
        description: "List the currencies WooCommerce knows (ISO 4217 code, name, symbol as an HTML entity), or one with `code`, or the store's own with `code: \"current\"`. WooCommerce does not page it: it comes back as one page, {items, page: 1, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: || {
            schema::object(
                {
                    let mut m = lit!({
                        "code": {"type": "string", "minLength": 3, "maxLength": 7, "pattern": "^([A-Za-z]{3}|current)$", "description": "Only this currency: its ISO 4217 code (e.g. EUR), or current for the store's own."}
                    });
                    m["fields"] = schema::fields();
                    m
                },
                &[],
            )
        },
        output_schema: Some(output::listing),
        handler: |store, args| {
            one_or_all(store, "/data/currencies", args, 3, |c| {
                if c == "current" { c.into() } else { c.to_ascii_uppercase() }
            })
        },
    },
];

/// The whole list, or with `code` (letters only, `len` of them, or
/// `current`) the one record, as a one-item page.
fn one_or_all(
    store: &mut dyn Store,
    path: &str,
    args: &Value,
    len: usize,
    spell: fn(&str) -> String,
) -> Result<Value, Error> {
    let Some(code) = args.get("code").and_then(Value::as_str) else { return rest::whole_list(store, path, args) };
    let letters = code.len() == len && code.chars().all(|c| c.is_ascii_alphabetic());
    let current = len == 3 && code == "current";
    if !(letters || current) {
        return Err(Error::invalid("code", format!("must be {len} letters")));
    }
    let names: Vec<String> = read::list(&args["fields"]).iter().map(read::text).collect();
    let query = if names.is_empty() { vec![] } else { vec![("_fields".to_string(), names.join(","))] };
    let one = store.send(&ApiRequest::get(format!("{path}/{}", spell(code)), query))?.body;
    rest::as_one_page(Value::Array(vec![one]), names.iter().any(|f| f == "_links"))
}
