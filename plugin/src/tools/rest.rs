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
