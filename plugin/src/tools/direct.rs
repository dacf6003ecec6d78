//! Direct mode: typed arguments become the same JSON object the agent-mode
//! tool takes, so both doors share one validator and one handler. A list
//! tool's answer is read back with `Listing::from_json`.

use serde_json::{Map, Value};

/// Keys whose object value is spread into its parent (`paging`, `dates`,
/// `fields` group arguments in WIT; WooCommerce wants them flat).
const SPREAD: &[&str] = &["paging", "dates", "fields"];

/// Merge the argument parts (JSON objects) into one tool-argument object:
/// `null`s (WIT `none`) are dropped at every depth, grouping keys are spread,
/// and a trailing `_` (Rust's escape for `type`) is removed from keys.
pub fn args(parts: &[Value]) -> Value {
    let mut out = Map::new();
    for p in parts {
        if let Value::Object(m) = p {
            spread_into(&mut out, m);
        }
    }
    Value::Object(out)
}

/// Copy `m`'s entries into `out`, dropping `null`s and spreading groups.
fn spread_into(out: &mut Map<String, Value>, m: &Map<String, Value>) {
    for (k, v) in m {
        let key = k.strip_suffix('_').unwrap_or(k);
        match v {
            Value::Null => {}
            Value::Object(inner) if SPREAD.contains(&key) => spread_into(out, inner),
            other => {
                out.insert(key.to_string(), clean(other));
            }
        }
    }
}

/// `v` with `null`s dropped and groups spread at every depth.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            spread_into(&mut out, m);
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(clean).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn direct_args_drop_none_spread_groups_and_unescape_keys() {
        let a = args(&[
            json!({"page": 2, "per_page": null, "search": null}),
            json!({"after": "2025-01-01T00:00:00", "before": null}),
            json!({"type_": "variable", "status": null, "fields": {"name": "Tee", "sku": null},
                   "variations": [{"sku": null, "attributes": [{"name": "Size", "option": "M"}]}]}),
        ]);
        assert_eq!(
            a,
            json!({"page": 2, "after": "2025-01-01T00:00:00", "type": "variable", "name": "Tee",
            "variations": [{"attributes": [{"name": "Size", "option": "M"}]}]})
        );
    }

    #[test]
    fn direct_batch_items_spread_their_fields() {
        let a = args(&[json!({"update": [{"id": 5, "fields": {"regular_price": "9.50", "name": null}}]})]);
        assert_eq!(a, json!({"update": [{"id": 5, "regular_price": "9.50"}]}));
    }
}
