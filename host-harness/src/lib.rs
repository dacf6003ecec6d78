#![recursion_limit = "512"]
//! `woo`: the wasmtime host for the woo-connector component, its storage, and
//! a WooCommerce store simulator.

pub mod bench;
pub mod fleet_bench;
pub mod http_policy;
pub mod mcp;
pub mod output;
pub mod runtime;
pub mod serve;
pub mod session;
pub mod sim;
pub mod storage;
pub mod wc_auth;
pub mod worker;

/// Replace every secret in `text` by `[redacted]`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "[redacted]");
    }
    out
}

/// A component error in one line, as `woo` prints it (the component never
/// puts credentials in errors).
pub fn error_message(e: &runtime::wit_types::Error) -> String {
    use runtime::wit_types::Error as E;
    let remote = |what: &str, r: &runtime::wit_types::RemoteError| {
        let mut s = format!("{what} (HTTP {}", r.status);
        if !r.code.is_empty() {
            s.push_str(&format!(" {}", r.code));
        }
        s.push(')');
        if !r.message.is_empty() {
            s.push_str(&format!(": {}", r.message));
        }
        s
    };
    match e {
        E::Auth(r) => remote("the store refused the credentials", r),
        E::Forbidden(r) => remote("the store refused this request (the connection itself still works)", r),
        E::NotFound(r) => remote("not found", r),
        E::RateLimited(r) => remote("rate limited by the store", r),
        E::InvalidInput(i) => format!("invalid {}: {}", i.field, i.message),
        E::Remote(r) => remote("the store answered with an error", r),
        E::Transport(m) => format!("could not talk to the store: {m}"),
        E::ReconnectRequired(m) => format!("reconnect required: {m}"),
        E::NotConnected => "no store is connected: run `woo connect` first".into(),
    }
}
