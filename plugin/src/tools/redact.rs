//! Secrets the store echoes (a webhook's `secret`, API keys, a payment
//! gateway's keys and passwords) are taken out of every tool result: an agent
//! never needs them and must not be able to leak them. This is the one
//! redaction rule; every tool result, `raw-api-request`'s included, goes through it.

use serde_json::Value;

/// What a secret is replaced by.
const REDACTED: &str = "[redacted]";

/// Fields whose values are secrets wherever they appear in store JSON.
const SECRET_FIELDS: [&str; 4] = ["secret", "consumer_secret", "consumer_key", "webhook_secret"];

/// The last word of a setting's id that says its value is a credential
/// (`secret_key`, `webhook_secret`, `api_password`, `identity_token`,
/// `api_signature`, `apiKey`).
const SECRET_WORDS: [&str; 6] = ["key", "secret", "password", "passphrase", "token", "signature"];

/// Setting types whose value is one of the listed options or a plain
/// number, never a credential: `woocommerce_registration_generate_password`
/// is a checkbox whose value is `yes`.
const CHOICE_TYPES: [&str; 7] = ["checkbox", "select", "multiselect", "radio", "number", "color", "title"];

/// Whether a setting (WooCommerce's `{id, label, type, value, …}`, as a payment
/// gateway's `settings`, a settings group's options and a shipping method's
/// settings hold them) keeps a credential in its `value`: its type is
/// `password`, or its id ends in one of `SECRET_WORDS` and its type (when the
/// store sent one: `_fields` may trim it) is not a choice.
fn is_secret_setting(id: Option<&str>, kind: Option<&str>) -> bool {
    if kind == Some("password") {
        return true;
    }
    let Some(id) = id else { return false };
    let last = id.rsplit(['_', '-', '.', ' ']).next().unwrap_or(id).to_ascii_lowercase();
    let named_secret = SECRET_WORDS.iter().any(|w| last.ends_with(w));
    named_secret && !kind.is_some_and(|k| CHOICE_TYPES.contains(&k))
}

/// Whether `v` reveals anything (an empty string or `null` does not).
fn reveals(v: &Value) -> bool {
    !(v.is_null() || v.as_str().is_some_and(str::is_empty))
}

/// Replace every non-empty secret, at any depth, by `"[redacted]"`: the
/// `SECRET_FIELDS`, and the `value` of every setting whose id or type says
/// it is a credential (see `is_secret_setting`).
pub fn redact_secrets(v: &mut Value) {
    redact_under(None, v);
}

/// Redact `v`, the answer for the one setting `id` (a raw
/// `/settings/<group>/<id>`, whose `_fields` may have left only `value`).
pub(super) fn redact_setting(id: &str, v: &mut Value) {
    redact_under(Some(id), v);
}

/// `redact_secrets` for `v`, found under the object key `key` (a gateway's
/// `settings` map is keyed by setting id, which is all that names a setting
/// whose `id` and `type` a `_fields` filter left out).
fn redact_under(key: Option<&str>, v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.contains_key("value") {
                let id = map.get("id").and_then(Value::as_str).or(key);
                let kind = map.get("type").and_then(Value::as_str);
                if is_secret_setting(id, kind) && map.get("value").is_some_and(reveals) {
                    map.insert("value".into(), Value::String(REDACTED.into()));
                }
            }
            for (k, child) in map.iter_mut() {
                if SECRET_FIELDS.contains(&k.as_str()) && child.as_str().is_some_and(|s| !s.is_empty()) {
                    *child = Value::String(REDACTED.into());
                } else {
                    redact_under(Some(k), child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_under(None, i)),
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

    /// A setting as a gateway's `settings` map holds it.
    fn setting(id: &str, kind: &str, value: &str) -> Value {
        json!({"id": id, "label": id, "description": "", "type": kind, "value": value, "default": "", "tip": "", "placeholder": ""})
    }

    /// A Stripe-like gateway as `GET /payment_gateways` answers it.
    fn stripe_gateway() -> Value {
        json!({
            "id": "stripe", "title": "Credit card", "description": "Pay with your card.", "order": 1, "enabled": true,
            "method_title": "Stripe", "method_description": "Take card payments.", "method_supports": ["products", "refunds"],
            "settings": {
                "title": setting("title", "safe_text", "Credit card"),
                "testmode": setting("testmode", "checkbox", "yes"),
                "publishable_key": setting("publishable_key", "text", "pk_live_51Hx"),
                "secret_key": setting("secret_key", "password", "sk_live_51Hx"),
                "webhook_secret": setting("webhook_secret", "password", "whsec_9f"),
                "test_publishable_key": setting("test_publishable_key", "text", "pk_test_51Hx"),
                "test_secret_key": setting("test_secret_key", "password", "sk_test_51Hx"),
                "api_signature": setting("api_signature", "text", "AFcWxV21C7fd0v3bYYYRCpSSRl31A"),
                "statement_descriptor": setting("statement_descriptor", "text", "ACME STORE"),
                "capture_method": setting("capture_method", "select", "token"),
                "test_secret_key_unset": setting("test_secret_key_unset", "password", "")
            }
        })
    }

    #[test]
    fn gateway_settings_that_are_keys_secrets_passwords_or_tokens_are_redacted() {
        let mut g = stripe_gateway();
        redact_secrets(&mut g);
        let s = &g["settings"];
        for k in [
            "publishable_key",
            "secret_key",
            "webhook_secret",
            "test_publishable_key",
            "test_secret_key",
            "api_signature",
        ] {
            assert_eq!(s[k]["value"], "[redacted]", "{k}");
            assert_eq!(s[k]["id"], k, "the setting itself stays, so an agent sees it exists");
        }
        assert_eq!(s["title"]["value"], "Credit card");
        assert_eq!(s["testmode"]["value"], "yes");
        assert_eq!(s["statement_descriptor"]["value"], "ACME STORE");
        assert_eq!(s["capture_method"]["value"], "token", "a choice is never a credential");
        assert_eq!(s["test_secret_key_unset"]["value"], "", "an empty secret reveals nothing");
        assert_eq!(g["title"], "Credit card");
        assert!(!g.to_string().contains("sk_live") && !g.to_string().contains("whsec_"));
    }

    #[test]
    fn a_gateway_setting_trimmed_by_fields_is_still_redacted_by_its_key() {
        // `_fields=settings.secret_key.value` leaves neither `id` nor `type`.
        let mut g = json!({"settings": {"secret_key": {"value": "sk_live_51Hx"}, "title": {"value": "Card"}}});
        redact_secrets(&mut g);
        assert_eq!(g["settings"]["secret_key"]["value"], "[redacted]");
        assert_eq!(g["settings"]["title"]["value"], "Card");
    }

    #[test]
    fn settings_group_options_that_are_credentials_are_redacted_and_others_kept() {
        // `GET /settings/<group>`: an array of options, each with its id.
        let mut v = json!([
            {"id": "woocommerce_registration_generate_password", "label": "Send password setup link", "type": "checkbox", "value": "yes", "default": "yes"},
            {"id": "woocommerce_myaccount_lost_password_endpoint", "label": "Lost password", "type": "text", "value": "lost-password"},
            {"id": "woocommerce_maxmind_license_key", "label": "MaxMind License Key", "type": "password", "value": "Zx81aQ"},
            {"id": "acme_api_token", "label": "API token", "type": "text", "value": "tok_123"},
            {"id": "woocommerce_store_address", "label": "Address line 1", "type": "text", "value": "1 Loopback Way"}
        ]);
        redact_secrets(&mut v);
        assert_eq!(v[0]["value"], "yes");
        assert_eq!(v[1]["value"], "lost-password");
        assert_eq!(v[2]["value"], "[redacted]");
        assert_eq!(v[3]["value"], "[redacted]");
        assert_eq!(v[4]["value"], "1 Loopback Way");
    }

    #[test]
    fn a_single_setting_trimmed_to_its_value_is_redacted_by_the_id_in_its_path() {
        let mut v = json!({"value": "sk_live_51H"});
        redact_setting("woocommerce_stripe_secret_key", &mut v);
        assert_eq!(v["value"], REDACTED);
        let mut v = json!({"value": "EUR"});
        redact_setting("woocommerce_currency", &mut v);
        assert_eq!(v["value"], "EUR");
    }

    #[test]
    fn meta_data_values_are_not_settings() {
        let mut v = json!({"meta_data": [{"id": 12, "key": "_shipped", "value": "DHL 123"}]});
        redact_secrets(&mut v);
        assert_eq!(v["meta_data"][0]["value"], "DHL 123");
    }
}
