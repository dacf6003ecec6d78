//! UTC dates without a date library: RFC 3339 for what the host prints, and
//! WooCommerce's `YYYY-MM-DDTHH:MM:SS` for the simulator. The proleptic
//! Gregorian conversions are Howard Hinnant's `civil_from_days` and
//! `days_from_civil`.

/// `secs` since the epoch as RFC 3339 in UTC (`2025-03-01T09:00:00Z`).
pub fn rfc3339(secs: u64) -> String {
    format!("{}Z", wc_date(secs))
}

/// `secs` since the epoch as WooCommerce writes dates: `YYYY-MM-DDTHH:MM:SS`
/// in UTC, without an offset.
pub fn wc_date(secs: u64) -> String {
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS` (fractions ignored; a
/// trailing `Z` or `+00:00` accepted), or `None` when it is not such a date.
pub fn parse_wc_date(s: &str) -> Option<u64> {
    let s = s.trim().trim_end_matches('Z').trim_end_matches("+00:00");
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time.split(':').map(|p| p.split('.').next().unwrap_or("0").parse::<i64>());
    let (hh, mm, ss) = (t.next()?.ok()?, t.next().unwrap_or(Ok(0)).ok()?, t.next().unwrap_or(Ok(0)).ok()?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let secs = days_from_civil(y, m, day) * 86_400 + hh * 3600 + mm * 60 + ss;
    (secs >= 0).then_some(secs as u64)
}

/// The (year, month, day) of a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The days since 1970-01-01 of a (year, month, day).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_and_parse_back_across_leap_days_and_centuries() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(wc_date(1_704_067_200), "2024-01-01T00:00:00");
        assert_eq!(wc_date(951_782_400), "2000-02-29T00:00:00");
        for secs in [0, 951_782_399, 951_782_400, 1_709_164_800, 4_102_444_800 + 86_399] {
            assert_eq!(parse_wc_date(&wc_date(secs)), Some(secs));
            assert_eq!(parse_wc_date(&rfc3339(secs)), Some(secs));
        }
        assert_eq!(parse_wc_date("2025-03-01T09:00:00.123+00:00"), parse_wc_date("2025-03-01T09:00:00"));
        assert_eq!(parse_wc_date("2025-13-01T00:00:00"), None);
        assert_eq!(parse_wc_date("2025-03-01"), None);
    }

    #[test]
    fn dates_round_trip() {
        let epoch_2024 = 1_704_067_200;
        for s in [epoch_2024, epoch_2024 + 86_399, 1_740_819_600] {
            assert_eq!(parse_wc_date(&wc_date(s)), Some(s));
        }
        assert_eq!(wc_date(1_740_819_600), "2025-03-01T09:00:00");
        assert_eq!(parse_wc_date("2025-03-01"), None);
    }
}
