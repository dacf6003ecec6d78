//! woo-connector: a WooCommerce store seen through a WebAssembly component.
//!
//! The contract is the WIT world in `wit/` (read it first): agents list and
//! call tools, workflows call the same tools with typed arguments, and sync
//! keeps the platform's records (contacts, orders, transactions, products,
//! collections) in step with the store. Only the `wasm` module sees the
//! bindings; everything else is plain Rust that `cargo test` runs natively.
//!
//! # Layers
//!
//! Each layer uses only the ones below it.
//!
//! | module | what it is |
//! |---|---|
//! | `wasm` (wasm32 only) | the edge: WIT bindings (world `connector`, or `tools-only` with the `tools-world` feature), WASI HTTP as the [`client::Transport`], the host imports as the [`port::Host`], one file per exported interface, errors converted in one place |
//! | [`tools`] | the tools agents and workflows call: a registry, one file per REST resource, a JSON-Schema validator, direct mode's argument merging |
//! | [`push`] | write-back: stock levels, shipments and contact changes sent to the store |
//! | [`sync`] | keeping records in step: the first import, incremental passes and webhook deliveries, all applying resources by the same rules and firing each trigger once; the sync settings |
//! | [`connection`] | connecting a store: URL and key checks, the stored connection, its states |
//! | [`mapping`] | WooCommerce JSON to platform records, one rule per function, and the record ids |
//! | [`client`] | the REST client: requests built (pure) apart from sent, signing, retries, paging, the typed [`client::Error`] |
//! | [`read`] | lenient readers for WooCommerce's loose JSON |
//! | [`port`] | what the component needs from its host: the record sink, triggers, notifications, key-value state; an in-memory host for tests |
//! | [`time`] | calendar arithmetic: Unix seconds and dates, both ways |
//!
//! The guest never panics (a panic would trap the whole component):
//! `unwrap`, `expect` and `panic!` are denied outside tests.

#![deny(missing_docs)]
// The guest never panics: a panic would trap the whole component.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod client;
pub mod connection;
pub mod mapping;
pub mod port;
pub mod push;
pub mod read;
pub mod sync;
pub mod time;
pub mod tools;

#[cfg(target_arch = "wasm32")]
mod wasm;
