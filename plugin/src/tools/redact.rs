//! Secrets the store echoes (a webhook's `secret`, API keys) are taken out of
//! every tool result: an agent never needs them and must not be able to leak them.

use serde_json::Value;

/// Fields whose values are secrets wherever they appear in store JSON.
const SECRET_FIELDS: [&str; 4] = ["secret", "consumer_secret", "consumer_key", "webhook_secret"];

/// Replace every non-empty secret field, at any depth, by `"[redacted]"`.
pub fn redact_secrets(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && child.as_str().is_some_and(|s| !s.is_empty()) {
                    *child = Value::String("[redacted]".into());
                } else {
                    redact_secrets(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_secrets),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_the_store_echoes_are_redacted_at_any_depth() {
        let mut v = json!({"status": 200, "body": [{"id": 1, "secret": "abc", "delivery_url": "https://x"}, {"nested": {"consumer_secret": "cs_1", "secret": ""}}]});
        redact_secrets(&mut v);
        assert_eq!(v["body"][0]["secret"], "[redacted]");
        assert_eq!(v["body"][0]["delivery_url"], "https://x");
        assert_eq!(v["body"][1]["nested"]["consumer_secret"], "[redacted]");
        assert_eq!(v["body"][1]["nested"]["secret"], "", "an empty secret reveals nothing");
    }
}
