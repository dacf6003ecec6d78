//! Direct mode: typed arguments become the same JSON object the agent-mode
//! tool takes, so both doors share one validator and one handler.

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

/// The parts of a list tool's result, for the typed `page` record.
#[derive(Debug, PartialEq, Eq)]
pub struct Page {
    pub items: String,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    pub total_pages: u32,
    pub truncated: bool,
}

/// Split a list tool's `{items, page, per_page, total, total_pages}`.
pub fn page(v: &Value) -> Page {
    let n = |k: &str| crate::model::id(&v[k]).unwrap_or(0);
    Page {
        items: v.get("items").cloned().unwrap_or(Value::Array(vec![])).to_string(),
        page: n("page") as u32,
        per_page: n("per_page") as u32,
        total: n("total"),
        total_pages: n("total_pages") as u32,
        truncated: v["truncated"].as_bool().unwrap_or(false),
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
        assert_eq!(a, json!({"page": 2, "after": "2025-01-01T00:00:00", "type": "variable", "name": "Tee",
            "variations": [{"attributes": [{"name": "Size", "option": "M"}]}]}));
    }

    #[test]
    fn direct_batch_items_spread_their_fields() {
        let a = args(&[json!({"update": [{"id": 5, "fields": {"regular_price": "9.50", "name": null}}]})]);
        assert_eq!(a, json!({"update": [{"id": 5, "regular_price": "9.50"}]}));
    }

    #[test]
    fn direct_page_reads_numbers_and_strings() {
        let p = page(&json!({"items": [{"id": 1}], "page": 1, "per_page": "10", "total": 31, "total_pages": 4}));
        assert_eq!(p, Page { items: "[{\"id\":1}]".into(), page: 1, per_page: 10, total: 31, total_pages: 4, truncated: false });
    }
}
