//! Authentication as WooCommerce does it: over plain HTTP only OAuth 1.0a
//! (signature, ±15 min timestamp, single-use nonce); over HTTPS Basic auth or
//! query-string keys (OAuth too). Written apart from the component's signer so
//! that one checks the other.

use super::query::{PhpArray, PhpValue, raw_url_decode, raw_url_encode, url_decode};
use base64::Engine;
use hmac::{Hmac, Mac};
use std::collections::HashSet;

/// Why a request was refused: (code, message), always 401.
pub type Refusal = (&'static str, String);

/// The keys the store knows.
#[derive(Clone)]
pub struct Keys {
    /// `ck_…`.
    pub consumer_key: String,
    /// `cs_…`.
    pub consumer_secret: String,
}

/// The `oauth_*` parameters of an `Authorization: OAuth k="v", …` header, as
/// WooCommerce finds them: every `oauth_[a-z_-]*=` anywhere in the header,
/// its value quoted or up to the next comma, then `urldecode`d.
pub fn oauth_header_params(header: &str) -> PhpArray {
    let mut params = PhpArray::default();
    let Some(rest) = header.trim().strip_prefix("OAuth ") else { return params };
    let mut at = 0;
    while let Some(found) = rest[at..].find("oauth_") {
        let start = at + found;
        let name_end = rest[start + 6..]
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '-'))
            .map_or(rest.len(), |n| start + 6 + n);
        let Some(after_eq) = rest[name_end..].strip_prefix('=') else {
            at = start + 1;
            continue;
        };
        let quoted = after_eq.strip_prefix(':').unwrap_or(after_eq).strip_prefix('"').and_then(|q| {
            let close = q.find('"')?;
            Some((&q[..close], after_eq.len() - q.len() + close + 1))
        });
        let (raw, used) = match quoted {
            // PHP's `empty()` on the quoted group: "0" falls to the other group, unmatched, so "".
            Some((inner, used)) => (if inner == "0" { "" } else { inner }, used),
            None => {
                let bare = after_eq.split(',').next().unwrap_or("");
                (bare, bare.len())
            }
        };
        let value = String::from_utf8_lossy(&url_decode(raw)).into_owned();
        params.set(rest[start..name_end].to_string(), PhpValue::Str(value));
        at = name_end + 1 + used;
    }
    params
}

/// PHP's `empty()`: an empty string, `"0"` or an empty array.
fn php_empty(v: Option<&PhpValue>) -> bool {
    match v {
        None => true,
        Some(PhpValue::Str(s)) => s.is_empty() || s == "0",
        Some(PhpValue::Array(a)) => a.entries().is_empty(),
    }
}

/// The five parameters every OAuth request carries.
const OAUTH_PARAMS: [&str; 5] =
    ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"];

/// Whether a request tries OAuth at all: WooCommerce reads it as OAuth once
/// any one of the five parameters is there (not empty).
pub fn attempts_oauth(params: &PhpArray) -> bool {
    OAUTH_PARAMS.iter().any(|p| !php_empty(params.get(p)))
}

/// The string WooCommerce signs: `METHOD&rawurlencode(url)&` and the
/// parameters (the signature left out) sorted by their raw key bytes, each
/// array flattened into `key%5Bindex%5D` entries in its own order (so
/// `a[]=x` is signed as `a[0]=x`), `key=value` encoded and the pairs joined
/// with `%26`. A key repeated in the query is there once, with the last value
/// PHP kept.
pub fn base_string(method: &str, base_url: &str, params: &PhpArray) -> String {
    let mut top: Vec<&(String, PhpValue)> = params.entries().iter().filter(|(k, _)| k != "oauth_signature").collect();
    top.sort_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
    let mut pairs = vec![];
    for (k, v) in top {
        flatten(&raw_url_encode(k), v, &mut pairs);
    }
    format!("{}&{}&{}", method.to_ascii_uppercase(), raw_url_encode(base_url), pairs.join("%26"))
}

/// One parameter's `key=value` pairs, each encoded once more; a nested key is
/// written raw inside `%5B…%5D`, values are encoded before joining. Under a
/// key PHP reads as false (`"0"`) the nested keys stand alone, as they do in
/// WooCommerce's `join_with_equals_sign`.
fn flatten(key: &str, value: &PhpValue, out: &mut Vec<String>) {
    match value {
        PhpValue::Str(s) => out.push(raw_url_encode(&format!("{key}={}", raw_url_encode(s)))),
        PhpValue::Array(a) => {
            for (k, v) in a.entries() {
                let nested = if key.is_empty() || key == "0" { k.clone() } else { format!("{key}%5B{k}%5D") };
                flatten(&nested, v, out);
            }
        }
    }
}

/// Verify a one-legged OAuth 1.0a request as WooCommerce does. `params` are
/// `$_GET` merged with `$_POST` and then with the Authorization header's
/// `oauth_*` parameters; `base_url` is `scheme://host[:port]/path` as the
/// client addressed it. Checked in WooCommerce's order: parameters present,
/// key, signature, timestamp, nonce.
pub fn verify_oauth(
    method: &str,
    base_url: &str,
    params: &PhpArray,
    keys: &Keys,
    now: u64,
    nonces: &mut HashSet<String>,
) -> Result<(), Refusal> {
    let invalid = |m: &str| Err(("woocommerce_rest_authentication_error", m.to_string()));
    let missing: Vec<&str> = OAUTH_PARAMS.iter().copied().filter(|p| php_empty(params.get(p))).collect();
    if !missing.is_empty() {
        let noun = if missing.len() == 1 { "parameter" } else { "parameters" };
        return Err((
            "woocommerce_rest_authentication_missing_parameter",
            format!("Missing OAuth {noun} {}", missing.join(", ")),
        ));
    }
    if params.get_str("oauth_consumer_key") != Some(keys.consumer_key.as_str()) {
        return invalid("Consumer key is invalid.");
    }
    let base = base_string(method, base_url, params);
    let secret = format!("{}&", keys.consumer_secret);
    let expected = match params.get_str("oauth_signature_method") {
        Some("HMAC-SHA256") => {
            let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
                .map_err(|_| ("woocommerce_rest_authentication_error", String::new()))?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        Some("HMAC-SHA1") => {
            let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes())
                .map_err(|_| ("woocommerce_rest_authentication_error", String::new()))?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => return invalid("Invalid signature - signature method is invalid."),
    };
    let expected = base64::engine::general_purpose::STANDARD.encode(expected);
    // A `+` sent unencoded in the query reads as a space: WooCommerce turns
    // it back, then decodes once more.
    let given = params.get_str("oauth_signature").map(|s| raw_url_decode(&s.replace(' ', "+"))).unwrap_or_default();
    if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return invalid("Invalid signature - provided signature does not match.");
    }
    let ts = params.get_str("oauth_timestamp").and_then(|t| t.trim().parse::<u64>().ok());
    if ts.is_none_or(|t| t.abs_diff(now) > 15 * 60) {
        return invalid("Invalid timestamp.");
    }
    let nonce = params.get_str("oauth_nonce").unwrap_or_default();
    if !nonces.insert(format!("{}:{nonce}", keys.consumer_key)) {
        return invalid("Invalid nonce - nonce has already been used.");
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Basic auth (`ck:cs`) over HTTPS.
pub fn verify_basic(header: &str, keys: &Keys) -> Option<Result<(), Refusal>> {
    let b64 = header.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (k, s) = raw.split_once(':')?;
    check_pair(k, s, keys)
}

/// `consumer_key`/`consumer_secret` pair (Basic or query string, HTTPS only).
/// An unknown key is no authentication at all (the request goes on
/// unauthenticated and is refused by the endpoint), as a real store does; a
/// known key with a wrong secret is an authentication error.
pub fn check_pair(k: &str, s: &str, keys: &Keys) -> Option<Result<(), Refusal>> {
    if k != keys.consumer_key {
        return None;
    }
    if !constant_time_eq(s.as_bytes(), keys.consumer_secret.as_bytes()) {
        return Some(Err(("woocommerce_rest_authentication_error", "Consumer secret is invalid.".into())));
    }
    Some(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::super::query::parse;
    use super::*;

    const URL: &str = "http://127.0.0.1:8080/wp-json/wc/v3/orders";

    fn keys() -> Keys {
        Keys { consumer_key: "ck_test".into(), consumer_secret: "cs_test".into() }
    }

    /// A client's signature over `base`, as an OAuth library makes it.
    fn sign(base: &str) -> String {
        let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"cs_test&").unwrap();
        m.update(base.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
    }

    fn oauth_query(nonce: &str, ts: u64) -> String {
        format!(
            "oauth_consumer_key=ck_test&oauth_nonce={nonce}&oauth_signature_method=HMAC-SHA256&oauth_timestamp={ts}"
        )
    }

    /// `query` with its signature over `signed_base`, verified as WooCommerce verifies it.
    fn verify(query: &str, signed_base: &str, now: u64) -> Result<(), Refusal> {
        let sig = raw_url_encode(&sign(signed_base));
        verify_oauth("GET", URL, &parse(&format!("{query}&oauth_signature={sig}")), &keys(), now, &mut HashSet::new())
    }

    #[test]
    fn oauth_base_string_counts_a_repeated_key_once_with_its_last_value() {
        // The PyPI `woocommerce` client over plain HTTP: the signed URL's
        // parameters, then the same parameters appended once more.
        let q = format!("per_page=5&status=processing&{}", oauth_query("n1", 1000));
        let base = base_string("GET", URL, &parse(&q));
        let doubled = format!("{q}&per_page=5&status=processing");
        assert!(verify(&doubled, &base, 1000).is_ok());
        assert_eq!(base_string("GET", URL, &parse(&doubled)), base);
        let changed = format!("{q}&per_page=7");
        assert!(base_string("GET", URL, &parse(&changed)).contains("per_page%3D7"), "the last value wins");
    }

    #[test]
    fn oauth_base_string_signs_an_array_parameter_by_its_php_indexes() {
        let q = format!("include[]=1&include[]=2&{}", oauth_query("n2", 1000));
        let base = base_string("GET", URL, &parse(&q));
        assert!(base.contains("include%255B0%255D%3D1%26include%255B1%255D%3D2"), "{base}");
        // What an RFC 5849 library signs for `include[]` does not match.
        let rfc =
            base.replace("include%255B0%255D", "include%255B%255D").replace("include%255B1%255D", "include%255B%255D");
        assert_eq!(verify(&q, &rfc, 1000).unwrap_err().1, "Invalid signature - provided signature does not match.");
        assert!(verify(&q, &base, 1000).is_ok());
    }

    #[test]
    fn oauth_base_string_writes_nested_keys_raw_inside_their_brackets() {
        // The nested key is encoded once (its space is %20), the value twice:
        // a real store accepts `f[x y]=1` signed so and refuses the RFC 5849 form.
        let base = base_string("GET", URL, &parse("filter[a b]=x+y"));
        assert_eq!(base, format!("GET&{}&filter%255Ba%20b%255D%3Dx%2520y", raw_url_encode(URL)));
    }

    #[test]
    fn oauth_base_string_sorts_parameters_by_their_raw_key_bytes() {
        let base = base_string("GET", URL, &parse("b=1&B=2&a_b=3&a=4"));
        let pairs: Vec<&str> = base.rsplit('&').next().unwrap().split("%26").collect();
        assert_eq!(pairs, ["B%3D2", "a%3D4", "a_b%3D3", "b%3D1"]);
    }

    #[test]
    fn oauth_base_string_encodes_values_twice_and_the_url_once() {
        let base = base_string("get", "http://h/p a", &parse("q=a%2Bb+c&oauth_signature=x"));
        assert_eq!(base, "GET&http%3A%2F%2Fh%2Fp%20a&q%3Da%252Bb%2520c");
    }

    #[test]
    fn oauth_header_parameters_are_read_and_decoded() {
        let h = r#"OAuth realm="x", oauth_consumer_key="ck%5Ftest",oauth_nonce=abc, oauth_timestamp="0", oauth_version=1.0"#;
        let p = oauth_header_params(h);
        assert_eq!(p.get_str("oauth_consumer_key"), Some("ck_test"));
        assert_eq!(p.get_str("oauth_nonce"), Some("abc"));
        assert_eq!(p.get_str("oauth_timestamp"), Some(""), "a quoted \"0\" reads as empty");
        assert_eq!(p.get_str("oauth_version"), Some("1.0"));
        assert!(p.get("realm").is_none());
        assert!(oauth_header_params(r#"Basic oauth_nonce="x""#).entries().is_empty());
    }

    #[test]
    fn oauth_header_parameters_override_the_query() {
        let merged = parse("oauth_nonce=q&x=1").merged(&oauth_header_params(r#"OAuth oauth_nonce="h""#));
        assert_eq!(merged.get_str("oauth_nonce"), Some("h"));
    }

    #[test]
    fn a_signature_whose_plus_arrived_as_a_space_still_matches() {
        let q = oauth_query("n3", 1000);
        let mut sig;
        let mut n = 0;
        // Find a nonce whose signature has a `+` in it.
        let q = loop {
            let q = q.replace("n3", &format!("n3x{n}"));
            sig = sign(&base_string("GET", URL, &parse(&q)));
            if sig.contains('+') {
                break q;
            }
            n += 1;
        };
        let raw = format!("{q}&oauth_signature={sig}");
        assert!(verify_oauth("GET", URL, &parse(&raw), &keys(), 1000, &mut HashSet::new()).is_ok());
    }

    #[test]
    fn oauth_refuses_missing_parameters_by_name() {
        let p = parse("oauth_consumer_key=ck_test&oauth_nonce=0");
        let err = verify_oauth("GET", URL, &p, &keys(), 1000, &mut HashSet::new()).unwrap_err();
        assert_eq!(err.0, "woocommerce_rest_authentication_missing_parameter");
        assert_eq!(
            err.1,
            "Missing OAuth parameters oauth_timestamp, oauth_nonce, oauth_signature, oauth_signature_method"
        );
        assert!(!attempts_oauth(&parse("oauth_nonce=0&per_page=5")), "\"0\" is empty to PHP");
        assert!(attempts_oauth(&parse("oauth_nonce=1")));
    }

    #[test]
    fn oauth_checks_key_then_signature_then_timestamp_then_nonce() {
        let q = oauth_query("n4", 1000);
        let base = base_string("GET", URL, &parse(&q));
        let other_key = q.replace("ck_test", "ck_other");
        assert_eq!(verify(&other_key, &base, 1000).unwrap_err().1, "Consumer key is invalid.");
        assert_eq!(verify(&q, "wrong", 5000).unwrap_err().1, "Invalid signature - provided signature does not match.");
        assert_eq!(verify(&q, &base, 1000 + 15 * 60 + 1).unwrap_err().1, "Invalid timestamp.");
        let bad_method = q.replace("HMAC-SHA256", "PLAINTEXT");
        assert_eq!(verify(&bad_method, &base, 1000).unwrap_err().1, "Invalid signature - signature method is invalid.");
    }

    #[test]
    fn an_oauth_nonce_is_single_use_whatever_the_timestamp() {
        let mut nonces = HashSet::new();
        for (ts, ok) in [(1000, true), (1001, false)] {
            let q = oauth_query("same", ts);
            let sig = raw_url_encode(&sign(&base_string("GET", URL, &parse(&q))));
            let got =
                verify_oauth("GET", URL, &parse(&format!("{q}&oauth_signature={sig}")), &keys(), 1000, &mut nonces);
            assert_eq!(got.is_ok(), ok, "{got:?}");
        }
    }
}
