//! Faults the simulator injects: latency and spikes, 429 bursts, 5xx, reset
//! connections, truncated bodies, a revoked or read-only key, a store that
//! goes down or loses its REST API.

use anyhow::Result;

/// Injected faults. `every_*` = every Nth request (0 = never).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every request.
    pub latency_ms: u64,
    /// Every Nth request is refused with 429.
    pub every_429: u64,
    /// How many 429s in a row each time one hits (a burst).
    pub burst_429: u64,
    /// The `Retry-After` of a 429, in seconds.
    pub retry_after_secs: u64,
    /// Every Nth request is slowed by `spike_ms` more (a latency spike).
    pub every_spike: u64,
    /// How much longer a spiked request takes.
    pub spike_ms: u64,
    /// Every Nth request answers 500.
    pub every_500: u64,
    /// Every Nth request answers 502.
    pub every_502: u64,
    /// Every Nth request answers 503.
    pub every_503: u64,
    /// Every Nth request answers 504.
    pub every_504: u64,
    /// Every Nth connection is reset before an answer.
    pub every_reset: u64,
    /// Every Nth successful answer is cut in the middle of its body.
    pub every_truncate: u64,
    /// The API key was deleted: every authenticated request is refused.
    pub revoked: bool,
    /// The store answers 503 to everything once this many requests were served (0 = never).
    pub down_after: u64,
    /// The key is deleted once this many requests were served (0 = never).
    pub revoke_after: u64,
    /// The REST API is gone (404 `rest_no_route` everywhere).
    pub api_gone: bool,
    /// The key has `read` permission only: writes are refused with the 401
    /// WooCommerce 11 gives a read-only key.
    pub read_only: bool,
}

impl Faults {
    /// Parse `latency=20,429=5,burst=3,retry-after=1,spike=9,spike-ms=300,500=7,502=0,503=0,504=0,reset=11,truncate=13,down-after=90,revoke-after=50,revoked,gone,read-only`.
    pub fn parse(spec: &str) -> Result<Faults> {
        let mut f = Faults::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            let n = || -> Result<u64> {
                v.parse().map_err(|_| anyhow::anyhow!("--faults: `{item}` needs a whole number, e.g. {k}=5"))
            };
            match k {
                "latency" => f.latency_ms = n()?,
                "429" => f.every_429 = n()?,
                "retry-after" => f.retry_after_secs = n()?,
                "burst" => f.burst_429 = n()?,
                "spike" => f.every_spike = n()?,
                "spike-ms" => f.spike_ms = n()?,
                "504" => f.every_504 = n()?,
                "revoke-after" => f.revoke_after = n()?,
                "down-after" => f.down_after = n()?,
                "500" => f.every_500 = n()?,
                "502" => f.every_502 = n()?,
                "503" => f.every_503 = n()?,
                "reset" => f.every_reset = n()?,
                "truncate" => f.every_truncate = n()?,
                "revoked" => f.revoked = true,
                "gone" | "api-gone" => f.api_gone = true,
                "read-only" => f.read_only = true,
                _ => anyhow::bail!(
                    "--faults: unknown fault `{k}` (known: latency, 429, burst, retry-after, spike, spike-ms, 500, 502, 503, 504, reset, truncate, down-after, revoke-after, revoked, gone, read-only)"
                ),
            }
        }
        Ok(f)
    }

    /// No faults, with the defaults a fault uses when switched on.
    pub fn new() -> Faults {
        Faults { retry_after_secs: 1, burst_429: 1, spike_ms: 300, ..Default::default() }
    }
}
