//! Authentication as WooCommerce does it: over plain HTTP only OAuth 1.0a
//! (signature, ±15 min timestamp, single-use nonce); over HTTPS Basic auth or
//! query-string keys (OAuth too). Written apart from the component's signer so
//! that one checks the other.

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use std::collections::HashSet;

const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, UNRESERVED).to_string()
}

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

/// Parse `Authorization: OAuth k="v", …` into decoded pairs.
pub fn oauth_header_params(header: &str) -> Vec<(String, String)> {
    let Some(rest) = header.strip_prefix("OAuth ") else { return vec![] };
    rest.split(',')
        .filter_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            let v = v.trim().trim_matches('"');
            Some((decode(k.trim()), decode(v)))
        })
        .filter(|(k, _)| k.starts_with("oauth_"))
        .collect()
}

/// A form-encoded value decoded (`+` is a space).
pub fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

/// Verify a one-legged OAuth 1.0a request. `params` are the decoded query
/// parameters plus any from the Authorization header; `base_url` is
/// `scheme://host[:port]/path` as the client addressed it.
pub fn verify_oauth(
    method: &str,
    base_url: &str,
    params: &[(String, String)],
    keys: &Keys,
    now: u64,
    nonces: &mut HashSet<String>,
) -> Result<(), Refusal> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let invalid = |m: &str| Err(("woocommerce_rest_authentication_error", m.to_string()));
    let Some(key) = get("oauth_consumer_key") else {
        return invalid("Consumer key is missing.");
    };
    if key != keys.consumer_key {
        return invalid("Consumer key is invalid.");
    }
    let (Some(sig), Some(method_name), Some(ts), Some(nonce)) =
        (get("oauth_signature"), get("oauth_signature_method"), get("oauth_timestamp"), get("oauth_nonce"))
    else {
        return invalid("Missing OAuth parameter(s).");
    };
    let Ok(ts) = ts.parse::<u64>() else { return invalid("Invalid timestamp.") };
    if ts.abs_diff(now) > 15 * 60 {
        return invalid("Invalid timestamp.");
    }
    let mut pairs: Vec<(String, String)> =
        params.iter().filter(|(k, _)| k != "oauth_signature").map(|(k, v)| (enc(k), enc(v))).collect();
    pairs.sort();
    let joined: Vec<String> = pairs.iter().map(|(k, v)| enc(&format!("{k}={v}"))).collect();
    let base = format!("{}&{}&{}", method.to_ascii_uppercase(), enc(base_url), joined.join("%26"));
    let secret = format!("{}&", keys.consumer_secret);
    let expected = match method_name {
        "HMAC-SHA256" => {
            let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes())
                .map_err(|_| ("woocommerce_rest_authentication_error", String::new()))?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "HMAC-SHA1" => {
            let mut m = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes())
                .map_err(|_| ("woocommerce_rest_authentication_error", String::new()))?;
            m.update(base.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => return invalid("Invalid signature - signature method is invalid."),
    };
    let given = base64::engine::general_purpose::STANDARD.decode(sig).unwrap_or_default();
    if !constant_time_eq(&expected, &given) {
        return invalid("Invalid signature - provided signature does not match.");
    }
    let nonce_key = format!("{key}:{nonce}:{ts}");
    if !nonces.insert(nonce_key) {
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
