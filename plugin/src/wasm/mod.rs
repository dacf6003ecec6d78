//! The wasm edge: the only code that sees the WIT bindings. It turns WASI
//! HTTP into the client's `Transport` (`transport`), the `platform` and
//! `wasi:keyvalue` imports into `port::Host` (`host`), converts errors and
//! opens a client for each call (`call`), and implements one exported
//! interface per file (`connection`, `sync`, `tools`, `direct`, `webhook`),
//! each a thin conversion to and from the plain-Rust core.

wit_bindgen::generate!({
    world: "connector",
    path: "../wit",
    generate_all,
    additional_derives: [serde::Serialize],
    additional_derives_ignore: ["stream-error"],
});

mod call;
mod connection;
mod direct;
mod host;
mod sync;
mod tools;
mod transport;
mod webhook;

/// The component: every exported interface is implemented on it.
struct Component;
export!(Component);
