//! woo-connector: the WebAssembly component.
//!
//! This file is the thin wasm edge: it binds the WIT world (`wit/`), turns
//! WASI HTTP into the client's `Transport`, the `platform` and
//! `wasi:keyvalue` imports into `env::Host`, and converts errors. Everything
//! else is plain Rust that `cargo test` runs natively.

pub mod client;
pub mod connection;
pub mod direct;
pub mod env;
pub mod import;
pub mod mapping;
pub mod model;
pub mod push;
pub mod settings;
pub mod sync;
pub mod tools;
pub mod webhook;

#[cfg(target_arch = "wasm32")]
mod edge;
