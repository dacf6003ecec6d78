//! Lenient readers for WooCommerce JSON, which is loose: numbers arrive as
//! strings and strings as numbers, prices may be `""` or `null`, `images` may
//! be `false`, names carry HTML entities.

use serde_json::Value;

/// Read an id: `42`, `"42"` → 42. Anything else (0 included) → `None`.
pub fn id(v: &Value) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    (n > 0).then_some(n)
}

/// Read a text field: strings as they are, numbers as text, everything else empty.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Text with HTML entities decoded (`&amp;` → `&`), as WooCommerce encodes names.
pub fn name(v: &Value) -> String {
    decode_entities(&text(v))
}

/// Read money as a decimal string with at least two decimals, never through a
/// float: `"20"`, `20`, `"20.0"` → `"20.00"`; `""`/`null` → `None`.
pub fn money(v: &Value) -> Option<String> {
    let raw = match v {
        Value::String(s) => s.trim().to_string(),
        // serde_json prints the shortest text that reads back as the same
        // number, which is the decimal WooCommerce wrote.
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    normalize_decimal(&raw)
}

/// `"12.5"` → `"12.50"`; rejects anything that is not a plain decimal.
pub fn normalize_decimal(raw: &str) -> Option<String> {
    let (neg, digits) = match raw.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, raw),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut frac = frac.to_string();
    while frac.len() < 2 {
        frac.push('0');
    }
    Some(format!("{}{int}.{frac}", if neg { "-" } else { "" }))
}

/// Whether a decimal string is zero.
pub fn is_zero(decimal: &str) -> bool {
    decimal.trim_start_matches('-').chars().all(|c| c == '0' || c == '.')
}

/// Decode the HTML entities WordPress puts in titles and names.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // An entity is short ASCII: look for its `;` within 12 bytes, by byte
        // (slicing the text there could split a multi-byte character).
        let Some(end) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#039" | "#39" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            "lsquo" => Some('‘'),
            "rsquo" => Some('’'),
            "ldquo" => Some('“'),
            "rdquo" => Some('”'),
            "euro" => Some('€'),
            "pound" => Some('£'),
            "copy" => Some('©'),
            "reg" => Some('®'),
            "trade" => Some('™'),
            "eacute" => Some('é'),
            "egrave" => Some('è'),
            "agrave" => Some('à'),
            "ccedil" => Some('ç'),
            "auml" => Some('ä'),
            "ouml" => Some('ö'),
            "uuml" => Some('ü'),
            "szlig" => Some('ß'),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A list field that may be `false`, `null` or missing: empty then.
pub fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// A date-time field as WooCommerce gives it (`2025-03-01T09:00:00`), or `None`
/// when empty or null.
pub fn date(v: &Value) -> Option<String> {
    let s = text(v);
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// The JSON type of a value, for messages.
pub fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_ids_accept_numbers_and_strings() {
        assert_eq!(id(&json!(42)), Some(42));
        assert_eq!(id(&json!("42")), Some(42));
        assert_eq!(id(&json!(0)), None);
        assert_eq!(id(&json!(null)), None);
    }

    #[test]
    fn money_is_a_decimal_string_never_a_float() {
        assert_eq!(money(&json!("20.00")).as_deref(), Some("20.00"));
        assert_eq!(money(&json!(20)).as_deref(), Some("20.00"));
        assert_eq!(money(&json!(12.5)).as_deref(), Some("12.50"));
        assert_eq!(money(&json!(0.1)).as_deref(), Some("0.10"));
        assert_eq!(money(&json!("19.999")).as_deref(), Some("19.999"));
        assert_eq!(money(&json!("")), None);
        assert_eq!(money(&json!(null)), None);
        assert_eq!(money(&json!("abc")), None);
        assert!(is_zero("0.00"));
        assert!(!is_zero("0.01"));
    }

    #[test]
    fn html_entities_next_to_multibyte_characters_do_not_split_them() {
        // Found by the mapping fuzz target: a right-to-left mark within 12 bytes of `&`.
        assert_eq!(decode_entities("&amp; Gard\u{202e}en"), "& Gard\u{202e}en");
        assert_eq!(decode_entities("&é;&#233;"), "&é;é");
    }

    #[test]
    fn html_entities_in_names_are_decoded() {
        assert_eq!(decode_entities("Caf&eacute; &amp; Bar &#8211; &#x2713; &lt;b&gt;"), "Café & Bar – ✓ <b>");
        assert_eq!(decode_entities("Tom &amp Jerry"), "Tom &amp Jerry");
    }

    #[test]
    fn images_false_reads_as_empty_list() {
        assert!(list(&json!(false)).is_empty());
    }
}
