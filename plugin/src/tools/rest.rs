//! Small request helpers the resource files share: read an id argument, drop
//! the arguments that are path parts from a body, fetch, and write.

use super::registry::Store;
use crate::client::{ApiRequest, Error, Method};
use serde_json::Value;

/// The whole-number argument `key` (0 when absent: the schema requires the
/// ones that are path parts, so absent means a tool that does not take it).
pub(super) fn num(args: &Value, key: &str) -> u64 {
    args[key].as_u64().unwrap_or(0)
}

/// `args` without `keys`: the arguments that went into the path, and are not
/// fields of the record, leave the body.
pub(super) fn without(args: &Value, keys: &[&str]) -> Value {
    let mut v = args.clone();
    if let Some(m) = v.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

/// Refuse argument `key` unless it is a slug (`a-z`, `0-9`, `_`, `-`), or
/// with `comma_list` a comma list of them: statuses, roles and sources go
/// into the query as given, so nothing else may reach it. (The schemas say
/// the same with a `pattern`, which the validator does not read.)
pub(super) fn check_slugs(args: &Value, key: &str, comma_list: bool) -> Result<(), Error> {
    let Some(s) = args[key].as_str() else { return Ok(()) };
    let slug = |p: &str| {
        !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    };
    let ok = if comma_list { s.split(',').all(slug) } else { slug(s) };
    if ok {
        return Ok(());
    }
    let what = if comma_list { "one name or a comma list of names" } else { "a name" };
    Err(Error::invalid(key, format!("must be {what} of lower-case letters, digits, `_` and `-`")))
}

/// Fetch one record; the store's JSON as it is.
pub(super) fn get(store: &mut dyn Store, path: String) -> Result<Value, Error> {
    Ok(store.send(&ApiRequest::get(path, vec![]))?.body)
}

/// Create, change or delete with `body`; the store's JSON answer as it is.
pub(super) fn write(store: &mut dyn Store, method: Method, path: String, body: Value) -> Result<Value, Error> {
    Ok(store.send(&ApiRequest::write(method, path, body))?.body)
}

/// Delete one record. `force: true` in the arguments asks for a permanent
/// delete; without it WooCommerce moves the record to its trash where the
/// resource has one (orders, products, variations' parents, coupons …) and
/// refuses the call where it has none (customers, notes …: their tools say so
/// and require `force`). `force` is always sent, so the store never guesses.
pub(super) fn delete(store: &mut dyn Store, path: String, args: &Value) -> Result<Value, Error> {
    let force = args["force"].as_bool().unwrap_or(false);
    let req = ApiRequest {
        method: Method::Delete,
        path,
        query: vec![("force".into(), force.to_string())],
        body: None,
        replay_safe: false,
    };
    Ok(store.send(&req)?.body)
}

/// A list endpoint that does not page (payment gateways, settings groups, tax
/// classes, shipping zones, countries, currencies): the store answers the
/// whole list at once and ignores `page`/`per_page`. It is returned as one
/// page in the shape every list tool has, `{items, page: 1, per_page: n,
/// total: n, total_pages: 1}` (`total_pages` 0 when the list is empty, as the
/// store's own headers say of an empty list). `fields` goes out as `_fields`;
/// `_links` is left out unless listed there.
pub(super) fn whole_list(store: &mut dyn Store, path: &str, args: &Value) -> Result<Value, Error> {
    let names: Vec<String> = crate::read::list(&args["fields"]).iter().map(crate::read::text).collect();
    let query = if names.is_empty() { vec![] } else { vec![("_fields".to_string(), names.join(","))] };
    let body = store.send(&ApiRequest::get(path, query))?.body;
    as_one_page(body, names.iter().any(|f| f == "_links"))
}

/// A whole list (a JSON array) as one page of the list shape.
pub(super) fn as_one_page(body: Value, keep_links: bool) -> Result<Value, Error> {
    let Value::Array(mut items) = body else {
        return Err(Error::Transport(format!(
            "the store answered {} where a list was expected",
            crate::read::json_type_name(&body)
        )));
    };
    if !keep_links {
        items.iter_mut().for_each(super::page::without_links);
    }
    let n = items.len() as u64;
    let listing = super::Listing {
        page: crate::client::Page { page: 1, items, total: n, total_pages: u64::from(n > 0) },
        per_page: u32::try_from(n).unwrap_or(u32::MAX),
        truncated: None,
    };
    Ok(listing.to_json())
}

/// The string argument `key` as a path part that is a plain slug (a payment
/// gateway id, a settings group, a country code): letters, digits, `_` and
/// `-`, 1 to 100 characters, checked before any request so no argument can
/// reach another path (`..`, `/`, `?`).
pub(super) fn slug<'a>(args: &'a Value, key: &str) -> Result<&'a str, Error> {
    let s = args[key].as_str().unwrap_or("");
    let plain = !s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        Ok(s)
    } else {
        Err(Error::invalid(key, "must be a plain slug: letters, digits, `_` or `-` (1 to 100 characters)"))
    }
}

/// `slug` for an optional argument: absent is fine.
pub(super) fn slug_if_given(args: &Value, key: &str) -> Result<(), Error> {
    if args.get(key).is_some() {
        slug(args, key)?;
    }
    Ok(())
}
