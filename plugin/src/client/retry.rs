//! The retry policy: what is tried again, after how long, and when
//! to give up. Pure: the client asks it about each answer and sleeps through
//! the transport.

use super::{HttpResponse, Method};
use crate::time;

/// Bounds on retrying one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First backoff; doubles per attempt.
    pub base_delay_ms: u64,
    /// Largest backoff between two attempts.
    pub max_delay_ms: u64,
    /// Largest `Retry-After` honoured; a longer one is capped to this.
    pub max_retry_after_ms: u64,
    /// Total time one batch of requests may spend waiting to retry.
    pub budget_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay_ms: 250,
            max_delay_ms: 8_000,
            max_retry_after_ms: 60_000,
            budget_ms: 120_000,
        }
    }
}

/// What to do with one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Keep it (a success or a final error).
    Keep,
    /// Send it again after `wait_ms` (`None`: the policy's backoff).
    Retry {
        /// The store's `Retry-After`, when it sent one.
        wait_ms: Option<u64>,
        /// What went wrong, for the give-up message.
        why: String,
    },
    /// A write that may or may not have been applied: not resent blindly.
    Uncertain {
        /// What went wrong.
        why: String,
    },
}

/// Whether sending `method` twice has the same effect as once. WooCommerce's
/// PUT/PATCH set fields and DELETE of a deleted record is refused, so only
/// POST (creates, batches, notes, refunds) can double an effect.
pub fn is_idempotent(method: Method) -> bool {
    !matches!(method, Method::Post)
}

/// Judge one wire answer. `replay_safe`: a POST the caller declared safe to
/// resend. `now_unix` turns an HTTP-date `Retry-After` into a wait.
pub fn judge(method: Method, replay_safe: bool, answer: &Result<HttpResponse, String>, now_unix: u64) -> Verdict {
    let failed = |why: String| {
        if replay_safe || is_idempotent(method) {
            Verdict::Retry { wait_ms: None, why }
        } else {
            Verdict::Uncertain { why }
        }
    };
    match answer {
        Err(msg) => {
            if is_permanent_transport_failure(msg) {
                Verdict::Keep
            } else if msg.contains("connection refused") {
                // Nothing reached the store: safe to resend even a POST.
                Verdict::Retry { wait_ms: None, why: msg.clone() }
            } else {
                failed(msg.clone())
            }
        }
        Ok(r) if r.status == 429 => Verdict::Retry {
            // A 429 is refused before WooCommerce runs: safe for any method.
            wait_ms: r.header("Retry-After").and_then(|v| retry_after_ms(v, now_unix)),
            why: "HTTP 429 too many requests".into(),
        },
        Ok(r) if matches!(r.status, 500 | 502 | 503 | 504) => failed(format!("HTTP {}", r.status)),
        Ok(r)
            if (200..300).contains(&r.status)
                && !r.body.is_empty()
                && serde_json::from_slice::<serde::de::IgnoredAny>(&r.body).is_err() =>
        {
            failed(format!("HTTP {} with a cut or non-JSON body ({} bytes)", r.status, r.body.len()))
        }
        Ok(_) => Verdict::Keep,
    }
}

/// Failures that another attempt cannot fix: the host's allowlist, TLS trust,
/// an unknown host name, an oversized answer, and a request WASI HTTP could
/// not even build (`bad path`, `bad header`, … from the wasm edge: the same
/// request would fail the same way six times).
fn is_permanent_transport_failure(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    let unbuildable =
        ["bad path", "bad header", "bad method", "bad scheme", "bad authority"].iter().any(|n| m.starts_with(n));
    unbuildable || ["refused the request", "tls", "certificate", "dns", "larger than"].iter().any(|n| m.contains(n))
}

/// `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after_ms(value: &str, now_unix: u64) -> Option<u64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_http_date(v)?;
    Some(at.saturating_sub(now_unix).saturating_mul(1000))
}

/// IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`, as Unix seconds.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let rest = s.split_once(", ").map(|(_, r)| r)?;
    let parts: Vec<&str> = rest.split_ascii_whitespace().collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    let day: u64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m == month)? as u64 + 1;
    let year: u64 = year.parse().ok().filter(|y| (1970..=9999).contains(y))?;
    let hms: Vec<u64> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let [h, m, sec] = hms.as_slice() else { return None };
    if *h > 23 || *m > 59 || *sec > 60 {
        return None;
    }
    // The year is 1970 or later: the day count is not negative.
    let days = u64::try_from(time::days_from_civil(year as i64, month as i64, day as i64)).ok()?;
    Some(days * 86_400 + h * 3600 + m * 60 + sec)
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt ≥ 1): exponential with
    /// jitter in its upper half, or the server's `Retry-After`, both capped.
    pub fn delay_ms(&self, attempt: u32, server_wait_ms: Option<u64>, random: u64) -> u64 {
        if let Some(w) = server_wait_ms {
            return w.min(self.max_retry_after_ms);
        }
        let exp = self.base_delay_ms.saturating_mul(1u64 << attempt.saturating_sub(1).min(20)).min(self.max_delay_ms);
        let half = exp / 2;
        half + if half == 0 { 0 } else { random % (half + 1) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Result<HttpResponse, String> {
        Ok(HttpResponse {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn retry_after_in_seconds_and_as_an_http_date() {
        assert_eq!(retry_after_ms("7", 0), Some(7000));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", 784_111_777), Some(10_000));
        assert_eq!(
            retry_after_ms("Sun, 06 Nov 1994 08:49:47 GMT", 900_000_000),
            Some(0),
            "a date in the past means now"
        );
        assert_eq!(retry_after_ms("soon", 0), None);
        assert_eq!(parse_http_date("Sun, 32 Nov 1994 08:49:37 GMT"), None);
    }

    #[test]
    fn a_429_is_retried_for_every_method_with_its_retry_after_capped() {
        let a = answer(429, &[("retry-after", "3600")], "{}");
        for m in [Method::Get, Method::Post] {
            assert_eq!(
                judge(m, false, &a, 0),
                Verdict::Retry { wait_ms: Some(3_600_000), why: "HTTP 429 too many requests".into() }
            );
        }
        assert_eq!(RetryPolicy::default().delay_ms(1, Some(3_600_000), 0), 60_000);
    }

    #[test]
    fn server_errors_resets_and_cut_bodies_are_retried_only_when_idempotent() {
        for a in [answer(503, &[], ""), answer(200, &[], "[{\"id\":1"), Err("connection reset".to_string())] {
            assert!(matches!(judge(Method::Get, false, &a, 0), Verdict::Retry { wait_ms: None, .. }), "{a:?}");
            assert!(matches!(judge(Method::Put, false, &a, 0), Verdict::Retry { .. }));
            assert!(matches!(judge(Method::Post, false, &a, 0), Verdict::Uncertain { .. }), "{a:?}");
        }
    }

    #[test]
    fn client_errors_and_permanent_transport_failures_are_not_retried() {
        for a in [
            answer(400, &[], "{}"),
            answer(401, &[], "{}"),
            answer(404, &[], "{}"),
            answer(200, &[], "[]"),
            answer(201, &[], ""),
        ] {
            assert_eq!(judge(Method::Get, false, &a, 0), Verdict::Keep, "{a:?}");
        }
        for msg in [
            "the host refused the request: only the connected store may be reached",
            "the store's TLS certificate is not trusted",
        ] {
            assert_eq!(judge(Method::Get, false, &Err(msg.into()), 0), Verdict::Keep);
        }
        assert!(
            matches!(judge(Method::Post, false, &Err("connection refused".into()), 0), Verdict::Retry { .. }),
            "nothing was sent"
        );
    }

    #[test]
    fn a_request_that_cannot_be_built_is_not_retried() {
        for msg in ["bad path", "bad header: InvalidSyntax", "bad authority"] {
            for m in [Method::Get, Method::Post] {
                assert_eq!(judge(m, false, &Err(msg.into()), 0), Verdict::Keep, "{msg}");
            }
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_in_its_upper_half_and_is_capped() {
        let p = RetryPolicy::default();
        for (attempt, lo, hi) in [(1, 125, 250), (2, 250, 500), (3, 500, 1000), (10, 4000, 8000)] {
            for r in [0, 7, 123_456, u64::MAX] {
                let d = p.delay_ms(attempt, None, r);
                assert!((lo..=hi).contains(&d), "attempt {attempt}: {d}");
            }
        }
    }
}
