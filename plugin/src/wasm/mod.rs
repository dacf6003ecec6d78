//! The wasm edge: the only code that sees the WIT bindings. It turns WASI
//! HTTP into the client's `Transport` (`transport`), the `platform` and
//! `wasi:keyvalue` imports into `port::Host` (`host`), converts errors and
//! opens a client for each call (`call`), and implements one exported
//! interface per file (`connection`, `sync`, `tools`, `direct`, `webhook`),
//! each a thin conversion to and from the plain-Rust core.
//!
//! The crate builds one of two worlds (wit/world.wit): `connector` by
//! default, or `tools` with the `tools-world` feature. The `tools` world has
//! no `platform`, no key-value and no `connection`: each call reads the store
//! and its key from the environment (`standalone`) and keeps what the core
//! stores in memory for that call only. `tools.rs`, `direct.rs`,
//! `transport.rs` and `call.rs` serve both.

#[cfg(not(feature = "tools-world"))]
wit_bindgen::generate!({
    world: "connector",
    path: "../wit",
    generate_all,
    additional_derives: [serde::Serialize],
    additional_derives_ignore: ["stream-error"],
});

#[cfg(feature = "tools-world")]
wit_bindgen::generate!({
    world: "tools-only",
    path: "../wit",
    generate_all,
    additional_derives: [serde::Serialize],
    additional_derives_ignore: ["stream-error"],
});

/// The `tools` world exports `types` (so it imports nothing but WASI): the
/// shared types under the path the connector world's files use.
#[cfg(feature = "tools-world")]
mod woo {
    pub mod connector {
        pub use super::super::exports::woo::connector::types;
    }
}

mod call;
#[cfg(not(feature = "tools-world"))]
mod connection;
mod direct;
#[cfg(not(feature = "tools-world"))]
mod host;
#[cfg(feature = "tools-world")]
mod standalone;
#[cfg(not(feature = "tools-world"))]
mod sync;
mod tools;
mod transport;
#[cfg(not(feature = "tools-world"))]
mod webhook;

/// The component: every exported interface is implemented on it.
struct Component;
export!(Component);

/// `v` as JSON text for the WIT's `string`s. Written into a byte buffer:
/// `Value`'s `to_string` goes through the formatting machinery, a virtual
/// call per piece, which was about a tenth of an import's guest time
/// (every record body and trigger crosses as text).
fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| v.to_string())
}
