#![recursion_limit = "512"]
#![deny(missing_docs)]
//! `woo`: the wasmtime host for the woo-connector component, its storage, and
//! a WooCommerce store simulator.
//!
//! The host sees the component only through the WIT contract ([`wit`]). Read
//! it from the bottom up:
//!
//! * [`wit`]: the contract's types, how a component error reads, the kinds' names;
//! * [`runtime`]: the engine, the compiled-component cache, the guest's limits
//!   and the imports the component is given (`platform`, `wasi:keyvalue`);
//! * [`http_policy`]: the only door out — the connected store, nothing else,
//!   never a link-local address; [`http_pool`]: the connections kept to
//!   stores (keep-alive, HTTP/2 by ALPN, TLS resumption), shared by the process;
//! * [`storage`]: records and the component's state ([`storage::RecordStore`]),
//!   the workers' schedule ([`storage::LeaseScheduler`]); SQLite and PostgreSQL;
//! * [`session`]: an instance on one connection, its policy set from what the
//!   component says it is connected to;
//! * the services: [`worker`] (leases and passes), [`serve`] (webhooks and the
//!   wc-auth callback, with [`wc_auth`]), [`mcp`] (the tools over MCP);
//! * [`cli`] (one file per command) and [`output`] (stdout);
//! * [`bench`](mod@bench) (the benchmarks) and [`sim`] (a WooCommerce store on loopback
//!   for the tests, the demo and the benchmarks), with [`dates`].

pub mod bench;
pub mod cli;
pub mod dates;
pub mod http_policy;
pub mod http_pool;
pub mod mcp;
pub mod output;
pub mod runtime;
pub mod serve;
pub mod session;
pub mod sim;
pub mod storage;
pub mod wc_auth;
pub mod wit;
pub mod worker;
