//! `raw-api-request`: any WooCommerce REST v3 endpoint of the connected store,
//! behind two guards. The path guard keeps every request inside
//! `/wp-json/wc/v3` (no absolute URL, other host, `..`, other API root); the
//! query guard (`check_query_key`) refuses routing, method, envelope and
//! authentication parameters.

use super::query::check_query_key;
use super::registry::{Annotations, Store, Tool};
use super::schema;
use crate::client::{ApiRequest, Error, Method};
use crate::read;
use serde_json::{Map, Value, json};

/// The raw request tool.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "raw-api-request",
    title: "Call any WooCommerce endpoint",
    description: "Call any WooCommerce REST v3 endpoint of the connected store: method, a path relative to /wp-json/wc/v3 (e.g. `/orders/42/notes`), optional query object and JSON body. Use it only when no dedicated tool fits. Paths that could leave the store's API (absolute URLs, `//host`, `..`, backslashes, another API root, a query or fragment in the path, spaces or non-ASCII) are refused, and so are query parameters that change routing, method, envelope or authentication (`rest_route`, `_method`, `_envelope`, `_jsonp`, `_embed`, `_wpnonce`, `oauth_*`, `consumer_key`, `consumer_secret`). Marked destructive because its method (DELETE, PUT …) is known only per call: a client should confirm a call that changes data.",
    annotations: Annotations::DESTRUCTIVE,
    schema: raw_schema,
    output_schema: None,
    handler: raw,
}];

/// Most query parameters a raw request may carry.
const MAX_RAW_QUERY_KEYS: u64 = 50;
/// Longest value of one raw query parameter (a 100-id `include` is ~1,000).
const MAX_RAW_QUERY_VALUE: u64 = 2000;

fn raw_schema() -> Value {
    schema::object(
        {
            let mut m = lit!({
                "method": {"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"], "description": "The HTTP method; anything but GET may change or delete data."},
                "path": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "^[A-Za-z0-9._~/-]+$",
                    "description": "Relative to /wp-json/wc/v3, e.g. /orders/42/notes: letters, digits and - . _ ~ / only (no query, no percent-encoding)."},
                "body": {"type": ["object", "array"], "description": "The JSON body, for POST, PUT and PATCH."}
            });
            m["query"] = json!({"type": "object", "maxProperties": MAX_RAW_QUERY_KEYS,
                "description": "Query parameters (plain names such as per_page or include[]). Routing, method, envelope and authentication parameters (rest_route, _method, _envelope, _jsonp, _embed, _wpnonce, oauth_*, consumer_key, consumer_secret) are refused.",
                "additionalProperties": {"type": ["string", "integer", "boolean"], "maxLength": MAX_RAW_QUERY_VALUE}});
            m
        },
        &["method", "path"],
    )
}

/// The store's answer with its status and paging headers, as the agent may
/// need all of them to read an endpoint it has no tool for.
fn raw(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let method = Method::parse(args["method"].as_str().unwrap_or(""))
        .ok_or_else(|| Error::invalid("method", "unknown method"))?;
    let path = check_raw_path(args["path"].as_str().unwrap_or(""))?;
    let mut query = raw_query(args["query"].as_object().unwrap_or(&Map::new()))?;
    let setting = settings_path(&path);
    if setting.is_some() {
        keep_what_names_a_setting(&mut query);
    }
    let body = args.get("body").cloned();
    let r = store.send(&ApiRequest { method, path, query, body, replay_safe: false })?;
    let mut body = r.body;
    if let Some(Some(id)) = setting {
        // `/settings/<group>/<id>`: the path names the setting the answer is.
        super::redact::redact_setting(&id, &mut body);
    }
    Ok(json!({"status": r.status, "body": body, "total": r.total, "total_pages": r.total_pages}))
}

/// For a path under `/settings` or `/payment_gateways`: `Some`, with the
/// setting id when the path is one setting (`/settings/<group>/<id>`).
fn settings_path(path: &str) -> Option<Option<String>> {
    let segs: Vec<String> =
        percent_decode_lossy(path).split('/').filter(|s| !s.is_empty()).map(str::to_ascii_lowercase).collect();
    match segs.first().map(String::as_str) {
        Some("settings") => Some(segs.get(2).filter(|id| *id != "batch").cloned()),
        Some("payment_gateways") => Some(None),
        _ => None,
    }
}

/// A `_fields` filter on settings or gateways keeps `id` and `type` too: they
/// are what tells the one redaction rule that a `value` is a credential, so
/// trimming them away must not reveal it.
fn keep_what_names_a_setting(query: &mut [(String, String)]) {
    for (k, v) in query.iter_mut() {
        if k == "_fields" && !v.is_empty() {
            v.push_str(",id,type");
        }
    }
}

/// Refuse any raw path that could leave the store's WooCommerce API.
pub fn check_raw_path(path: &str) -> Result<String, Error> {
    let bad = |m: &str| Err(Error::invalid("path", m));
    if path.chars().any(|c| c.is_control()) {
        return bad("must not contain control characters (CR/LF …)");
    }
    if path.contains('\\') {
        return bad("must not contain backslashes");
    }
    if path.contains("://") || path.to_ascii_lowercase().starts_with("http") && path.contains(':') {
        return bad("must be relative to /wp-json/wc/v3, not an absolute URL");
    }
    if path.starts_with("//") {
        return bad("must not start with `//` (another host)");
    }
    if path.contains('?') || path.contains('#') {
        return bad("must not carry a query or fragment: use `query`");
    }
    let p = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    let decoded = percent_decode_lossy(&p);
    for seg in decoded.split('/') {
        if seg == ".." || seg == "." {
            return bad("must not contain `.` or `..` segments");
        }
    }
    if decoded.contains('\\') || decoded.chars().any(|c| c.is_control()) || decoded.contains("//") {
        return bad("must not contain encoded backslashes, control characters or empty segments");
    }
    if decoded.to_ascii_lowercase().contains("wp-json") || decoded.starts_with("/wc/") || decoded.starts_with("/wp/") {
        return bad("must be relative to /wp-json/wc/v3 (another API root is not reachable)");
    }
    if p.contains('%') {
        return bad("must not contain percent-encoded characters");
    }
    // WooCommerce's routes are ids and `[\w-]` slugs: anything else (a space,
    // U+2028, non-ASCII) is a mistake that no store could answer, and some of
    // it cannot even be put on the wire.
    if let Some(c) = p.chars().find(|c| !is_raw_path_char(*c)) {
        return Err(Error::invalid("path", format!("may hold only letters, digits and - . _ ~ / (found {:?})", c)));
    }
    Ok(p)
}

fn is_raw_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '/')
}

/// Decode `%XX` escapes so the guard sees what the server would; a `%` that
/// starts no escape is kept.
fn percent_decode_lossy(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // By byte, never by str slice: `%` may be followed by a multi-byte character.
        if b[i] == b'%'
            && let (Some(hi), Some(lo)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A raw request's query: every name checked (`check_query_key`), values as
/// text without control characters. Names and values are percent-encoded
/// when the request is built, so a value cannot add a parameter either.
pub fn raw_query(query: &Map<String, Value>) -> Result<Vec<(String, String)>, Error> {
    query
        .iter()
        .map(|(k, v)| {
            check_query_key(k)?;
            let text = read::text(v);
            if text.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
                return Err(Error::invalid(
                    format!("query.{k}"),
                    "must not contain control characters or line separators",
                ));
            }
            Ok((k.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn raw_settings_paths_are_recognised_with_their_setting_id() {
        assert_eq!(settings_path("/settings/general/woocommerce_currency"), Some(Some("woocommerce_currency".into())));
        assert_eq!(settings_path("/Settings/%61dvanced/api_key"), Some(Some("api_key".into())));
        assert_eq!(settings_path("/settings/general"), Some(None));
        assert_eq!(settings_path("/settings/general/batch"), Some(None));
        assert_eq!(settings_path("/payment_gateways/stripe"), Some(None));
        assert_eq!(settings_path("/orders/5"), None);
    }

    #[test]
    fn raw_fields_on_settings_keep_id_and_type_for_the_redaction_rule() {
        let mut q = vec![("_fields".to_string(), "value".to_string()), ("context".into(), "edit".into())];
        keep_what_names_a_setting(&mut q);
        assert_eq!(q[0].1, "value,id,type");
        assert_eq!(q[1].1, "edit");
    }
}

#[cfg(test)]
mod tests {
    use super::super::validate;
    use super::*;
    use crate::client::Client;

    #[test]
    fn raw_path_percent_before_a_multibyte_character_is_refused_not_a_panic() {
        // Found by the raw_path fuzz target.
        assert!(check_raw_path("/r%\u{e9}x").is_err());
        assert!(check_raw_path("/orders%2e%2e").is_err());
        assert!(check_raw_path("/a/%2e%2e/b").is_err());
    }

    #[test]
    fn raw_path_refuses_absolute_urls() {
        assert!(check_raw_path("https://evil.example/x").is_err());
        assert!(check_raw_path("http://169.254.169.254/latest").is_err());
    }
    #[test]
    fn raw_path_refuses_scheme_relative_host() {
        assert!(check_raw_path("//evil.example/x").is_err());
    }
    #[test]
    fn raw_path_refuses_dot_dot_and_encoded_dot_dot() {
        assert!(check_raw_path("/orders/../../wp/v2/users").is_err());
        assert!(check_raw_path("/orders/%2e%2e/%2E%2E/wp/v2/users").is_err());
        assert!(check_raw_path("/orders/%2e%2e").is_err());
    }
    #[test]
    fn raw_path_refuses_backslashes() {
        assert!(check_raw_path("/orders\\..\\x").is_err());
        assert!(check_raw_path("/orders/%5c..").is_err());
    }
    #[test]
    fn raw_path_refuses_another_api_root() {
        assert!(check_raw_path("/wp-json/wp/v2/users").is_err());
        assert!(check_raw_path("/wp/v2/users").is_err());
    }
    #[test]
    fn raw_path_refuses_cr_lf() {
        assert!(check_raw_path("/orders\r\nHost: evil").is_err());
        assert!(check_raw_path("/orders%0d%0aX: y").is_err());
    }
    #[test]
    fn raw_path_accepts_api_paths() {
        assert_eq!(check_raw_path("/orders/42/notes").unwrap(), "/orders/42/notes");
        assert_eq!(check_raw_path("products/categories").unwrap(), "/products/categories");
    }

    #[test]
    fn raw_path_refuses_spaces_line_separators_and_non_ascii() {
        for p in [
            "/orders/1 2",
            "/orders\u{2028}",
            "/orders\u{2029}x",
            "/produits/café",
            "/orders\t",
            "/orders;x",
            "/orders@x",
            "/orders:1",
        ] {
            assert!(matches!(check_raw_path(p), Err(Error::InvalidInput { field, .. }) if field == "path"), "{p:?}");
        }
        assert_eq!(check_raw_path("/data/currencies/EUR").unwrap(), "/data/currencies/EUR");
        assert_eq!(
            check_raw_path("/settings/general/woocommerce_currency").unwrap(),
            "/settings/general/woocommerce_currency"
        );
    }

    fn refused_key(key: &str) -> bool {
        matches!(check_query_key(key), Err(Error::InvalidInput { field, .. }) if field.starts_with("query."))
    }

    #[test]
    fn raw_query_refuses_routing_method_envelope_and_auth_parameters() {
        for k in [
            "rest_route",
            "_method",
            "_envelope",
            "_jsonp",
            "_embed",
            "_wpnonce",
            "_ajax_nonce",
            "consumer_key",
            "consumer_secret",
            "oauth_signature",
            "oauth_consumer_key",
            "oauth_anything",
        ] {
            assert!(refused_key(k), "{k}");
        }
    }

    #[test]
    fn raw_query_refuses_reserved_parameters_in_any_case_or_php_array_syntax() {
        for k in [
            "Rest_Route",
            "REST_ROUTE",
            "rest_route[]",
            "rest_route[x]",
            "_METHOD",
            "OAuth_Nonce",
            "Consumer_Key[0]",
            "_embed[]",
        ] {
            assert!(refused_key(k), "{k}");
        }
    }

    #[test]
    fn raw_query_refuses_names_php_would_rewrite_or_that_smuggle_a_parameter() {
        // Percent-encoded, `.`/space (PHP reads both as `_`), unclosed bracket,
        // `&`, `=`, `#`, non-ASCII, empty.
        for k in [
            "rest%5Froute",
            "rest%5froute",
            "rest.route",
            "rest route",
            " rest_route",
            "rest[route",
            "rest_route]",
            "a&rest_route",
            "a=b",
            "x#y",
            "réf",
            "",
            "[]",
            "a[b]c",
            "a[b",
        ] {
            assert!(refused_key(k), "{k:?}");
        }
        assert!(refused_key(&"k".repeat(101)));
    }

    #[test]
    fn raw_query_accepts_plain_endpoint_parameters() {
        for k in [
            "per_page",
            "status",
            "include[]",
            "attribute_term",
            "meta-key",
            "a[b][c]",
            "_fields",
            "context",
            "_locale",
            "_pretty",
        ] {
            assert!(check_query_key(k).is_ok(), "{k}");
        }
        let q = raw_query(json!({"per_page": 5, "status": "any", "force": true}).as_object().unwrap()).unwrap();
        assert_eq!(
            q,
            [
                ("force".to_string(), "true".to_string()),
                ("per_page".into(), "5".into()),
                ("status".into(), "any".into())
            ]
        );
        assert!(raw_query(json!({"search": "a\u{2028}b"}).as_object().unwrap()).is_err());
    }

    #[test]
    fn raw_query_values_cannot_add_a_parameter_on_the_wire() {
        use crate::client::{Credentials, SignatureMethod, StoreUrl};
        let creds = Credentials {
            consumer_key: "ck".into(),
            consumer_secret: "cs".into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        let mut c = Client::new(
            StoreUrl::parse("https://shop.example.com").unwrap(),
            creds,
            crate::client::fake::FakeTransport::default(),
        );
        let q = raw_query(json!({"search": "x&rest_route=/wp/v2/users#y"}).as_object().unwrap()).unwrap();
        let wire = c.build(&ApiRequest::get(check_raw_path("/orders").unwrap(), q));
        assert_eq!(wire.path_and_query, "/wp-json/wc/v3/orders?search=x%26rest_route%3D%2Fwp%2Fv2%2Fusers%23y");
    }

    #[test]
    fn raw_request_schema_refuses_too_many_or_too_long_query_values() {
        let many: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(1))).collect();
        let e = validate(&raw_schema(), &json!({"method": "GET", "path": "/orders", "query": many}));
        assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "query"));
        let e = validate(
            &raw_schema(),
            &json!({"method": "GET", "path": "/orders", "query": {"search": "x".repeat(2001)}}),
        );
        assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "query.search"));
    }
}
