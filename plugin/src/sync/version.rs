//! Versions of a store resource: its `date_modified_gmt`, in one comparable
//! form, and the rule that a record is never replaced with an older version
//! of itself.

use crate::read;
use serde_json::Value;

/// `date_modified_gmt` in one comparable form (`2025-03-01T09:00:00`), or
/// empty when the resource has none.
pub fn modified_at(resource: &Value) -> String {
    comparable_time(&read::text(&resource["date_modified_gmt"]))
}

/// A store time without its UTC offset or fraction, so two compare as text.
pub fn comparable_time(t: &str) -> String {
    let t = t.trim().trim_end_matches('Z').trim_end_matches("+00:00");
    t.split('.').next().unwrap_or(t).to_string()
}

/// `YYYY-MM-DDTHH:MM:SS` with or without an offset or `Z` → Unix seconds
/// (the offset is ignored: the connector writes UTC).
pub(super) fn seconds(t: &str) -> Option<i64> {
    let plain = comparable_time(t);
    let (date, clock) = plain.split_once('T')?;
    let ymd: Vec<i64> = date.split('-').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    let hms: Vec<i64> = clock.split(':').map(|x| x.parse().ok()).collect::<Option<_>>()?;
    let ([y, m, d], [hh, mm, ss]) = (<[i64; 3]>::try_from(ymd).ok()?, <[i64; 3]>::try_from(hms).ok()?);
    Some(crate::time::days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// How a delivered version compares with the newest one applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// Nothing applied yet, or the delivery is newer.
    New,
    /// The very version applied last.
    Same,
    /// Older than the version applied: applying it would undo a change.
    Older,
}

/// Rule: never replace a record with an older version of itself. Both are
/// `date_modified_gmt` values in the same form. A resource that was never
/// modified has none (WooCommerce 11 answers `null` for such a customer):
/// it cannot be ordered, so it is applied, but never over a dated version.
pub fn compare_version(delivered: &str, applied: Option<&str>) -> Version {
    match applied {
        None => Version::New,
        Some(a) if delivered.is_empty() => {
            if a.is_empty() {
                Version::New
            } else {
                Version::Older
            }
        }
        Some(a) if delivered > a => Version::New,
        Some(a) if delivered == a => Version::Same,
        Some(_) => Version::Older,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn never_replace_a_record_with_an_older_version_of_itself() {
        assert_eq!(compare_version("2025-03-01T09:00:01", Some("2025-03-01T09:00:00")), Version::New);
        assert_eq!(compare_version("2025-03-01T09:00:00", Some("2025-03-01T09:00:00")), Version::Same);
        assert_eq!(compare_version("2025-03-01T08:59:59", Some("2025-03-01T09:00:00")), Version::Older);
        assert_eq!(compare_version("", Some("2025-03-01T09:00:00")), Version::Older);
        assert_eq!(compare_version("", Some("")), Version::New, "never modified: cannot be ordered");
        assert_eq!(modified_at(&json!({"date_modified_gmt": "2025-03-01T09:00:00Z"})), "2025-03-01T09:00:00");
        assert_eq!(modified_at(&json!({"date_modified_gmt": null})), "");
    }
}
