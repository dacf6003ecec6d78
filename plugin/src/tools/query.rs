//! Query parameters: which names may reach the store, and the date-time rule
//! for the list filters. Both the typed list tools and `raw-api-request` go
//! through `check_query_key`, so no path opens a way to `rest_route` and the like.

use crate::client::Error;
use crate::{read, time};
use serde_json::Value;

/// Query parameters that are not the endpoint's but WordPress's or the
/// authentication's: each would change which route answers, with which
/// method, in which envelope, or as whom. WordPress reads them from `$_GET`
/// (`class-wp-rest-server.php`, `rest-api.php`, `class-wp.php`) and
/// WooCommerce reads its credentials there too (`class-wc-rest-authentication.php`).
const RESERVED_QUERY_PARAMS: &[(&str, &str)] = &[
    ("rest_route", "chooses the route whatever the path says (it reaches /wp/v2/users)"),
    ("_method", "overrides the HTTP method"),
    ("_envelope", "wraps the answer in an envelope"),
    ("_jsonp", "turns the answer into a JavaScript callback"),
    (
        "_embed",
        "makes WordPress run the linked routes too, some outside /wc/v3 (a review's reviewer is /wp/v2/users/N)",
    ),
    ("_wpnonce", "is cookie authentication"),
    ("_ajax_nonce", "is cookie authentication"),
    ("consumer_key", "is authentication: the connection signs every request itself"),
    ("consumer_secret", "is authentication: the connection signs every request itself"),
];

/// Refuse a raw query parameter name that is not a plain name, or that is a
/// routing, method, envelope or authentication parameter.
///
/// A plain name is `[A-Za-z0-9_-]+` with optional PHP array brackets
/// (`include[]`, `a[b]`). That rules out by construction every spelling PHP
/// would turn back into a reserved name: percent-encoding (`rest%5Froute`),
/// `.` or a space (PHP reads `rest.route` as `rest_route`), an unclosed `[`, and
/// `&`, `=`, `#` that would smuggle a second parameter. The reserved names are
/// compared on the part before any bracket, in any letter case.
pub fn check_query_key(key: &str) -> Result<(), Error> {
    let field = || format!("query.{}", key.chars().take(100).collect::<String>().escape_debug());
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let (base, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    let mut plain = !base.is_empty() && base.chars().all(name_char) && key.len() <= 100;
    while plain && !rest.is_empty() {
        match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((inner, after)) if inner.chars().all(name_char) => rest = after,
            _ => plain = false,
        }
    }
    if !plain {
        return Err(Error::invalid(
            field(),
            "must be a plain parameter name: letters, digits, `_`, `-`, optionally `[…]` (at most 100 characters)",
        ));
    }
    let base = base.to_ascii_lowercase();
    if base.starts_with("oauth_") {
        return Err(Error::invalid(field(), "is OAuth authentication: the connection signs every request itself"));
    }
    if let Some((_, why)) = RESERVED_QUERY_PARAMS.iter().find(|(name, _)| *name == base) {
        return Err(Error::invalid(field(), format!("is refused: it {why}")));
    }
    Ok(())
}

/// The arguments that shape a list's paging rather than filter it.
const PAGING_ARGUMENTS: [&str; 4] = ["all_pages", "max_items", "page", "per_page"];

/// The date filters, sent as plain UTC.
const DATE_FILTERS: [&str; 4] = ["after", "before", "modified_after", "modified_before"];

/// A list tool's validated arguments as its query. Only the schema's own
/// keys reach this (`additionalProperties: false`); each is checked again as
/// a raw query name would be, so no schema change can open a way to
/// `rest_route` and the like. Dates go out as plain UTC with `dates_are_gmt`.
pub(super) fn list_query(args: &Value) -> Result<Vec<(String, String)>, Error> {
    let mut q = vec![];
    let mut uses_dates = false;
    if let Some(obj) = args.as_object() {
        for (k, v) in obj {
            if PAGING_ARGUMENTS.contains(&k.as_str()) {
                continue;
            }
            if k == "fields" {
                // WooCommerce's `_fields`; `_links` only when asked for (see `page::without_links`).
                let names: Vec<String> = read::list(v).iter().map(read::text).collect();
                q.push(("_fields".into(), names.join(",")));
                continue;
            }
            check_query_key(k)?;
            let s = match v {
                Value::Array(a) => a.iter().map(read::text).collect::<Vec<_>>().join(","),
                other => read::text(other),
            };
            if DATE_FILTERS.contains(&k.as_str()) {
                uses_dates = true;
                q.push((k.clone(), utc_date_time(&s).map_err(|m| Error::invalid(k.as_str(), m))?));
                continue;
            }
            q.push((k.clone(), s));
        }
    }
    if uses_dates {
        q.push(("dates_are_gmt".into(), "true".into()));
    }
    Ok(q)
}

/// A date-time argument as WooCommerce reads it, turned into the plain UTC
/// `YYYY-MM-DDTHH:MM:SS` the list filters are sent with (`dates_are_gmt=true`:
/// a `Z` or offset sent along would be shifted by the site's offset again, so
/// it is applied here instead).
///
/// Accepted: what WordPress's `rest_parse_date` accepts,
/// `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH[:MM]]`, with a real calendar date
/// and time. A date without a time is refused, as the store refuses it (400);
/// a fraction is dropped (the filters compare whole seconds).
pub fn utc_date_time(s: &str) -> Result<String, String> {
    let example = "a date-time such as 2025-03-01T09:00:00 (UTC, or with Z / +01:00)";
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let (year, month, day) = match (digits(0, 4), at(4, b'-'), digits(5, 2), at(7, b'-'), digits(8, 2)) {
        (Some(y), true, Some(m), true, Some(d)) => (y, m, d),
        _ => return Err(format!("must be {example}")),
    };
    if b.len() == 10 {
        return Err(format!("needs a time as well: WooCommerce refuses a date alone (write {s}T00:00:00)"));
    }
    let (hour, minute, second) = match (
        matches!(b.get(10), Some(b'T' | b't' | b' ')),
        digits(11, 2),
        at(13, b':'),
        digits(14, 2),
        at(16, b':'),
        digits(17, 2),
    ) {
        (true, Some(h), true, Some(m), true, Some(s)) => (h, m, s),
        _ => return Err(format!("must be {example}")),
    };
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(format!("must be {example}"));
        }
        i += 1 + n;
    }
    let offset_minutes = match &b[i.min(b.len())..] {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), ..] => {
            let hours = digits(i + 1, 2);
            let minutes = match b.len() - i {
                3 => Some(0),
                6 if b[i + 3] == b':' => digits(i + 4, 2),
                _ => None,
            };
            match (hours, minutes) {
                (Some(h), Some(m)) if h <= 23 && m <= 59 => (h * 60 + m) * if *sign == b'-' { -1 } else { 1 },
                _ => return Err(format!("has an offset that is not ±HH or ±HH:MM: must be {example}")),
            }
        }
        _ => return Err(format!("must be {example}")),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(format!("is not a real date and time: must be {example}"));
    }
    let t = time::days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    let (y, mo, d) = time::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    if !(1..=9999).contains(&y) {
        return Err(format!("is out of range: must be {example}"));
    }
    Ok(format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60))
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{find, validate};
    use super::*;
    use serde_json::json;

    #[test]
    fn list_fields_are_sent_as_underscore_fields_and_a_field_name_cannot_smuggle_a_parameter() {
        let q = list_query(&json!({"fields": ["id", "status", "billing.email"], "status": "completed"})).unwrap();
        assert!(q.contains(&("_fields".into(), "id,status,billing.email".into())), "{q:?}");
        let schema = (find("list-orders").unwrap().schema)();
        for bad in ["id&rest_route=/wp/v2/users", "a b", ""] {
            assert!(validate(&schema, &json!({"fields": [bad]})).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn date_rule_plain_utc_is_sent_as_it_is() {
        assert_eq!(utc_date_time("2025-03-01T09:00:00").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01 09:00:00").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01t09:00:00.123456").unwrap(), "2025-03-01T09:00:00");
    }

    #[test]
    fn date_rule_an_offset_or_z_is_converted_to_plain_utc() {
        assert_eq!(utc_date_time("2025-03-01T09:00:00Z").unwrap(), "2025-03-01T09:00:00");
        assert_eq!(utc_date_time("2025-03-01T09:00:00+01:00").unwrap(), "2025-03-01T08:00:00");
        assert_eq!(utc_date_time("2025-03-01T00:30:00+02").unwrap(), "2025-02-28T22:30:00");
        assert_eq!(utc_date_time("2024-12-31T23:30:00.5-05:30").unwrap(), "2025-01-01T05:00:00");
        assert_eq!(utc_date_time("1969-12-31T23:00:00-02:00").unwrap(), "1970-01-01T01:00:00");
    }

    #[test]
    fn date_rule_a_date_without_a_time_is_refused_as_the_store_refuses_it() {
        let e = utc_date_time("2025-03-01").unwrap_err();
        assert!(e.contains("2025-03-01T00:00:00"), "{e}");
    }

    #[test]
    fn date_rule_non_dates_and_impossible_dates_are_refused() {
        for s in [
            "garbage",
            "",
            "yesterday",
            "2025-3-1T09:00:00",
            "2025-03-01T9:00:00",
            "2025-13-01T00:00:00",
            "2025-02-29T00:00:00",
            "2025-04-31T00:00:00",
            "2025-03-01T24:00:00",
            "2025-03-01T09:60:00",
            "2025-03-01T09:00:60",
            "2025-03-01T09:00:00.",
            "2025-03-01T09:00:00+0100",
            "2025-03-01T09:00:00+01:0",
            "2025-03-01T09:00:00 ",
            "2025-03-01T09:00:00z",
            "2025-03-01T09:00",
            "+2025-03-01T09:00:00",
            "٢٠٢٥-03-01T09:00:00",
            "2025-03-01T09:00:00+24:00",
            "0000-01-01T00:00:00Z",
        ] {
            assert!(utc_date_time(s).is_err(), "{s:?}");
        }
        assert!(utc_date_time("2024-02-29T00:00:00").is_ok(), "a leap day");
    }

    #[test]
    fn date_rule_list_tools_refuse_a_bad_date_naming_the_field() {
        for k in ["after", "before", "modified_after", "modified_before"] {
            for t in ["list-orders", "list-products"] {
                let e = validate(&(find(t).unwrap().schema)(), &json!({k: "garbage"}));
                assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == k), "{t} {k}");
            }
        }
        let q = list_query(&json!({"after": "2025-03-01T10:00:00+01:00", "per_page": 5})).unwrap();
        assert_eq!(
            q,
            [("after".to_string(), "2025-03-01T09:00:00".to_string()), ("dates_are_gmt".into(), "true".into())]
        );
    }
}
