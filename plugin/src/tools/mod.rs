//! The tools: what an agent (through `list-tools`/`call-tool`) and a workflow
//! (through the typed `direct` functions) can do with the connected store.
//!
//! A tool is a name, a description written for an LLM, a JSON Schema of its
//! arguments, and a handler. Arguments are made to fit the schema (whole
//! numbers written `2.0` become integers) and validated before any request,
//! so a refused call costs nothing; secrets the store echoes are redacted
//! from every result.
//!
//! Layout, one file per WooCommerce REST resource, as the store's API is:
//! `orders`, `notes`, `refunds`, `products`, `variations`, `taxonomy`
//! (categories, tags, attributes and their terms), `reviews`, `customers`,
//! `coupons`, `shipping`, `tax`, `payments`, `settings`, `reports`, `system`,
//! `webhooks`, `data` (countries, currencies), `stock`, `raw` (any endpoint,
//! behind the raw-path and query guards). The shared parts: `registry` (the `Tool`
//! descriptor and the table), `schema` (schema builders), `validate` (the
//! JSON-Schema validator), `query` (query names and dates), `page` (list
//! results), `output` (result schemas), `rest` (small request helpers), `batch` (batch
//! updates split 100 a request), `redact`, and `direct` (typed
//! arguments to the tool's JSON object).
//!
//! # Adding a tool
//!
//! Add one `Tool { name, title, description, annotations, schema,
//! output_schema, handler }` to the `TOOLS` of its resource file, with the
//! schema built from `schema`'s parts (a `description` on every argument), an
//! output schema from `output` when the result has a fixed shape, and a
//! handler that uses `rest` and `page`. That is the whole change for agent
//! mode. A new resource file also gets a `mod` line below and an entry in
//! `registry::RESOURCES`. Direct mode needs the typed function in
//! `wit/direct.wit` and its binding in the wasm edge, which hands its
//! arguments to `direct::args` and then to `call`.

/// A JSON literal kept in the component as its text and parsed when asked
/// for: the schemas' literals as `json!` compiled to about 300 KB of code
/// (the component's largest part), as text they are a third of that. The
/// tokens are JSON already (Rust's string escapes are JSON's), so
/// `stringify!` is the text; `lit_parse` turns a malformed literal into
/// `null`, which the schema tests catch.
macro_rules! lit {
    ($($json:tt)+) => {
        $crate::tools::lit_parse(stringify!($($json)+))
    };
}

/// The value of a `lit!` literal (`null` if its text is not JSON).
pub(crate) fn lit_parse(text: &'static str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

mod batch;
mod coupons;
mod customers;
mod data;
pub mod direct;
mod notes;
mod orders;
mod output;
mod page;
mod pattern;
mod payments;
mod products;
mod query;
mod raw;
mod redact;
mod refunds;
mod registry;
mod reports;
mod rest;
mod reviews;
mod schema;
mod settings;
mod shipping;
mod stock;
mod system;
mod tax;
mod taxonomy;
mod validate;
mod variations;
mod webhooks;

pub use batch::BATCH_SIZE;
pub use page::Listing;
pub use query::{check_query_key, utc_date_time};
pub use raw::{check_raw_path, raw_query};
pub use redact::redact_secrets;
pub use registry::{Annotations, Handler, Store, TOOLS, Tool, find};
pub use validate::validate;

use crate::client::{Client, Error, Transport};
use crate::port::Host;
use serde_json::Value;

/// The largest tool-argument JSON accepted, in bytes (1 MiB), by `call-tool`
/// and by `woo tool --args @FILE`.
pub const MAX_ARGUMENT_BYTES: usize = 1 << 20;

/// Run a tool. `args` is the JSON object of arguments. Secrets the store
/// echoes (a webhook's `secret`, API keys) are redacted from the result: an
/// agent never needs them and must not be able to leak them.
pub fn call<T: Transport>(
    client: &mut Client<T>,
    host: &mut impl Host,
    name: &str,
    args: &Value,
) -> Result<Value, Error> {
    let tool = find(name).ok_or_else(|| Error::invalid("name", format!("there is no tool `{name}`")))?;
    let schema = (tool.schema)();
    let args = validate::whole_numbers_as_integers(&schema, args);
    validate(&schema, &args)?;
    let mut out = (tool.handler)(&mut registry::Connected { client, host }, &args)?;
    redact_secrets(&mut out);
    Ok(out)
}
