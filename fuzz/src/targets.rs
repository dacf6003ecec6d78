//! The fuzz targets: each takes raw bytes, feeds them to one parser of the
//! component and checks what must hold for *every* input. A panic, in the
//! parser or in a check, is a finding.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;
use woo_plugin::client::StoreUrl;
use woo_plugin::client::oauth::percent_encode;
use woo_plugin::port::memory::MemoryHost;
use woo_plugin::port::{Host, bucket};
use woo_plugin::sync::webhook;
use woo_plugin::{mapping, read, tools};

pub type Target = fn(&[u8]);

/// Name, function and the tokens its mutator splices in.
pub const TARGETS: [(&str, Target, &[&str]); 5] = [
    (
        "webhook",
        webhook_delivery,
        &["\n", "{\"id\":", "\"date_modified_gmt\":", "null", "false", "1e400", "-1", "\"\"", "webhook_id=", "=="],
    ),
    (
        "mapping",
        record_mapping,
        &[
            "null",
            "false",
            "\"\"",
            "\"0\"",
            "\"1.5\"",
            "1e308",
            "-0",
            "\"&amp;\"",
            "\"&#8217;\"",
            "[]",
            "{}",
            "\"\\u0000\"",
            "\"日本\"",
            "\"variable\"",
            "\"publish\"",
            "\"processing\"",
            "\"checkout-draft\"",
        ],
    ),
    ("percent_encode", percent_encoding, &["%", " ", "~", "\u{e9}", "\u{1F600}", "\0", "+", "&", "="]),
    (
        "store_url",
        store_url,
        &[
            "https://", "http://", "//", "..", "%2e", "%2E", "@", ":", "?", "#", "[::1]", "\\", "/wp-json", " ",
            ":65536", "xn--",
        ],
    ),
    (
        "raw_path",
        raw_path,
        &[
            "/", "..", "%2e", "%2E%2e", "%5c", "%2f", "\\", "//", "?", "#", "%0d%0a", "wp-json", "http:", "://", "%",
            "%%", "\u{e9}", "%c0%ae",
        ],
    ),
];

fn hmac_b64(secret: &[u8], body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// First line: the `X-WC-Webhook-Signature` value and topic (`sig topic`);
/// the rest: the body. Checks: nothing is applied unless the signature is
/// the body's HMAC (or it is the unsigned ping), and the verifier agrees
/// with an independent HMAC.
fn webhook_delivery(input: &[u8]) {
    let secret = b"fuzz-secret";
    let split = input.iter().position(|b| *b == b'\n').unwrap_or(input.len());
    let (head, body) = (&input[..split], input.get(split + 1..).unwrap_or_default());
    let head = String::from_utf8_lossy(head);
    let (sig, topic) = head.split_once(' ').unwrap_or((&head, "order.updated"));
    let good = hmac_b64(secret, body);
    assert_eq!(webhook::signature_is_valid(secret, body, sig), sig == good, "verifier disagrees with HMAC for {sig:?}");
    assert!(webhook::signature_is_valid(secret, body, &good));
    for signature in [sig.to_string(), good.clone()] {
        let mut host = MemoryHost::default();
        host.set(bucket::CREDENTIALS, webhook::SECRET_KEY, secret).expect("memory");
        let headers = vec![
            ("X-WC-Webhook-Signature".to_string(), signature.clone()),
            ("X-WC-Webhook-Topic".to_string(), topic.to_string()),
        ];
        if let Ok(webhook::Outcome::Applied) = webhook::handle(&mut host, &headers, body, |_, _| {
            Err(woo_plugin::client::Error::Transport("the fuzzer has no store".into()))
        }) {
            assert_eq!(signature, good, "applied a delivery with a wrong signature");
        }
        if signature != good {
            assert!(host.records.is_empty(), "a badly signed delivery stored records");
        }
    }
}

const MONEY: [&str; 7] = ["total", "subtotal", "price", "amount", "total_tax", "shipping_total", "discount_total"];

/// Every mapper on the JSON (and on each element of a list). Checks: money
/// comes out as a decimal string (never a float), ids are `woo:` ids.
fn record_mapping(input: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(input) else { return };
    let items: Vec<&Value> = match &v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for it in items {
        let mut out: Vec<mapping::Record> = vec![];
        out.extend(mapping::contact_from_customer(it));
        out.extend(mapping::contact_from_order_billing(it));
        out.extend(mapping::order_record(it, Some("woo:customer:1")));
        out.extend(mapping::payment_transaction(it, None));
        out.extend(mapping::refund_transaction(7, it, "USD", None));
        out.extend(mapping::collection_record(it));
        out.extend(mapping::product_record(it, read::list(&it["variations_full"]), false).ok());
        let _ = mapping::product_category_ids(it);
        let _ = read::decode_entities(&read::text(&it["name"]));
        for r in &out {
            assert!(r.id.starts_with("woo:"), "id {:?}", r.id);
            check_money(&r.body, &r.id);
        }
    }
}

fn check_money(v: &Value, id: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if MONEY.contains(&k.as_str()) {
                    match child {
                        Value::Null => {}
                        Value::String(s) => assert!(is_decimal(s), "{id}: {k} = {s:?} is not a decimal string"),
                        other => panic!("{id}: {k} = {other} is not a decimal string"),
                    }
                } else {
                    check_money(child, id);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| check_money(c, id)),
        _ => {}
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Checks: only unreserved characters and `%XX` (upper-case hex) come out,
/// and decoding gives back the input's bytes.
fn percent_encoding(input: &[u8]) {
    let s = String::from_utf8_lossy(input);
    let e = percent_encode(&s);
    let b = e.as_bytes();
    let mut decoded = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            assert!(hex.bytes().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c)), "{e}");
            decoded.push(u8::from_str_radix(hex, 16).expect("hex"));
            i += 3;
        } else {
            assert!(b[i].is_ascii_alphanumeric() || b"-._~".contains(&b[i]), "{e}");
            decoded.push(b[i]);
            i += 1;
        }
    }
    assert_eq!(decoded, s.as_bytes());
}

/// Checks: an accepted URL is http(s), carries no credentials, query,
/// fragment, whitespace or dot segments, and normalising is idempotent.
fn store_url(input: &[u8]) {
    let s = String::from_utf8_lossy(input);
    let Ok(u) = StoreUrl::parse(&s) else { return };
    let n = u.as_string();
    assert!(n.starts_with("https://") || n.starts_with("http://"), "{n}");
    assert!(!u.authority.contains('@'), "credentials in {n}");
    assert!(!n.contains('?') && !n.contains('#') && !n.contains('\\') && n.is_ascii(), "{n}");
    assert!(!n.chars().any(|c| c.is_whitespace() || c.is_control()), "{n:?}");
    assert!(!u.base_path.split('/').any(|seg| seg == ".." || seg == "."), "{n}");
    let again = StoreUrl::parse(&n).unwrap_or_else(|e| panic!("the normalised {n} is refused: {e}"));
    assert_eq!(again.as_string(), n);
}

/// Checks: an accepted path stays under /wp-json/wc/v3 whatever decoding a
/// server applies: no `..`, backslash, `//`, query, control or percent sign.
fn raw_path(input: &[u8]) {
    let s = String::from_utf8_lossy(input);
    let Ok(p) = tools::check_raw_path(&s) else { return };
    assert!(p.starts_with('/'), "{p}");
    assert!(!p.contains('%') && !p.contains('\\') && !p.contains("//") && !p.contains('?') && !p.contains('#'), "{p}");
    assert!(!p.split('/').any(|seg| seg == ".." || seg == "."), "{p}");
    assert!(!p.chars().any(char::is_control), "{p:?}");
    assert!(!p.to_ascii_lowercase().contains("wp-json"), "{p}");
}
