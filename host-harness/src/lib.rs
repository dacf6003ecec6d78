#![recursion_limit = "512"]
//! `woo`: the wasmtime host for the woo-connector component, its storage, and
//! a WooCommerce store simulator.

pub mod bench;
pub mod fleet_bench;
pub mod http_policy;
pub mod mcp;
pub mod runtime;
pub mod serve;
pub mod session;
pub mod sim;
pub mod storage;
pub mod worker;

/// Replace every secret in `text` by `[redacted]`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    out
}
