//! OAuth 1.0a one-legged signing, as WooCommerce checks it over plain HTTP.
//!
//! The base string is `METHOD&enc(url)&enc(params)` where `url` is the store
//! URL + path **without** the query, and `params` are the query parameters
//! plus the `oauth_*` ones (never a JSON body), each key and value
//! percent-encoded (RFC 3986), sorted, joined with `=` and `&`. The key is
//! `consumer_secret&` (no token). List parameters must be sent comma-separated:
//! WooCommerce signs `include[]` as PHP parsed it, which no standard client
//! reproduces.

use base64::Engine;
use hmac::{Hmac, Mac};

/// The two signature methods WooCommerce accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureMethod {
    /// HMAC-SHA256 (the default).
    HmacSha256,
    /// HMAC-SHA1, for stores whose proxies only accept it.
    HmacSha1,
}

impl SignatureMethod {
    /// The name in `oauth_signature_method`.
    pub fn oauth_name(self) -> &'static str {
        match self {
            SignatureMethod::HmacSha256 => "HMAC-SHA256",
            SignatureMethod::HmacSha1 => "HMAC-SHA1",
        }
    }
}

/// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The signature base string of RFC 5849 §3.4.1.
pub fn base_string(method: &str, base_url: &str, params: &[(String, String)]) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    encoded.sort();
    let joined = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!("{}&{}&{}", method.to_ascii_uppercase(), percent_encode(base_url), percent_encode(&joined))
}

/// HMAC of the base string with `enc(consumer_secret)&enc(token_secret)`, base64.
pub fn signature(method: SignatureMethod, base: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", percent_encode(consumer_secret), percent_encode(token_secret));
    let digest = match method {
        SignatureMethod::HmacSha256 => hmac_sha256(key.as_bytes(), base.as_bytes()),
        SignatureMethod::HmacSha1 => hmac_sha1(key.as_bytes(), base.as_bytes()),
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    match <Hmac<sha2::Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    match <Hmac<sha1::Sha1> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// Who signs: the REST key and how it signs (one-legged: no token).
#[derive(Debug, Clone, Copy)]
pub struct Consumer<'a> {
    /// The consumer key (`ck_…`), sent in clear as `oauth_consumer_key`.
    pub key: &'a str,
    /// The consumer secret (`cs_…`), used only to sign.
    pub secret: &'a str,
    /// The HMAC used.
    pub method: SignatureMethod,
}

/// The `oauth_*` parameters to add to a one-legged request's query string.
pub fn sign_one_legged(
    http_method: &str,
    base_url: &str,
    query: &[(String, String)],
    consumer: Consumer<'_>,
    timestamp: u64,
    nonce: &str,
) -> Vec<(String, String)> {
    let mut oauth = vec![
        ("oauth_consumer_key".to_string(), consumer.key.to_string()),
        ("oauth_nonce".to_string(), nonce.to_string()),
        ("oauth_signature_method".to_string(), consumer.method.oauth_name().to_string()),
        ("oauth_timestamp".to_string(), timestamp.to_string()),
    ];
    let mut all: Vec<(String, String)> = query.to_vec();
    all.extend(oauth.iter().cloned());
    let sig = signature(consumer.method, &base_string(http_method, base_url, &all), consumer.secret, "");
    oauth.push(("oauth_signature".to_string(), sig));
    oauth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    /// The worked example of the OAuth 1.0 specification (Appendix A.5.2).
    #[test]
    fn oauth_signature_matches_published_vector_oauth_spec_appendix_a() {
        let params = [
            p("file", "vacation.jpg"),
            p("size", "original"),
            p("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            p("oauth_token", "nnch734d00sl2jdk"),
            p("oauth_signature_method", "HMAC-SHA1"),
            p("oauth_timestamp", "1191242096"),
            p("oauth_nonce", "kllo9940pd9333jh"),
            p("oauth_version", "1.0"),
        ];
        let base = base_string("GET", "http://photos.example.net/photos", &params);
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
        );
        assert_eq!(
            signature(SignatureMethod::HmacSha1, &base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
            "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
        );
    }

    /// The example of Twitter's "Creating a signature" guide (spaces, `+`, `!`, `,`).
    #[test]
    fn oauth_signature_matches_published_vector_with_reserved_characters() {
        let params = [
            p("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
            p("include_entities", "true"),
            p("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
            p("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            p("oauth_signature_method", "HMAC-SHA1"),
            p("oauth_timestamp", "1318622958"),
            p("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
            p("oauth_version", "1.0"),
        ];
        let base = base_string("POST", "https://api.twitter.com/1.1/statuses/update.json", &params);
        assert_eq!(
            signature(
                SignatureMethod::HmacSha1,
                &base,
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
            ),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk="
        );
    }

    #[test]
    fn oauth_one_legged_adds_four_params_and_a_signature() {
        let q = [p("per_page", "100"), p("modified_after", "2025-03-01T09:00:00")];
        let consumer = Consumer { key: "ck_x", secret: "cs_y", method: SignatureMethod::HmacSha256 };
        let o = sign_one_legged("GET", "http://127.0.0.1:8080/wp-json/wc/v3/orders", &q, consumer, 1_700_000_000, "n1");
        let names: Vec<&str> = o.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["oauth_consumer_key", "oauth_nonce", "oauth_signature_method", "oauth_timestamp", "oauth_signature"]
        );
        assert_eq!(o[2].1, "HMAC-SHA256");
        // A different nonce gives a different signature.
        let o2 =
            sign_one_legged("GET", "http://127.0.0.1:8080/wp-json/wc/v3/orders", &q, consumer, 1_700_000_000, "n2");
        assert_ne!(o[4].1, o2[4].1);
    }

    #[test]
    fn percent_encoding_is_rfc3986() {
        assert_eq!(percent_encode("a b+c~d/é"), "a%20b%2Bc~d%2F%C3%A9");
    }
}
