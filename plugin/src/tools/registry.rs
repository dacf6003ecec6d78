//! The tool table. Each resource file declares its tools once, as `Tool`
//! values (name, title, description, annotations, schemas and handler side
//! by side); this file gathers them into `TOOLS`, in the order `list-tools`
//! shows them.

use super::{
    coupons, customers, data, notes, orders, payments, products, raw, refunds, reports, reviews, settings, shipping,
    stock, system, tax, taxonomy, variations, webhooks,
};
use crate::client::{ApiRequest, Client, Error, Page, Response, Transport};
use crate::port::Host;
use crate::push::{Shipment, StockLine};
use serde_json::{Map, Value};

/// One tool as an agent sees it, and the function that runs it.
#[derive(Clone, Copy)]
pub struct Tool {
    /// The name an agent calls it by, e.g. `list-orders`.
    pub name: &'static str,
    /// The name a person reads in a client's tool list, e.g. "List orders".
    pub title: &'static str,
    /// What it does and returns, written for an LLM choosing a tool.
    pub description: &'static str,
    /// What calling it does to the store (MCP's tool annotations).
    pub annotations: Annotations,
    /// The JSON Schema (draft 2020-12) of its arguments object.
    pub schema: fn() -> Value,
    /// The JSON Schema of its result when the result has a fixed shape (a
    /// list page, a push summary); `None` when the result is WooCommerce's
    /// own record, whose fields the store decides.
    pub output_schema: Option<fn() -> Value>,
    /// Runs it on arguments that its schema has already accepted.
    pub handler: Handler,
}

/// What a call does to the store, as the hints of MCP's tool annotations:
/// a client may run a read-only tool freely and ask before a destructive one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Annotations {
    /// Changes nothing in the store (lists, gets, reports).
    pub read_only: bool,
    /// May delete or overwrite what cannot be got back (deletes, gateway
    /// updates, raw requests whose method is only known per call).
    pub destructive: bool,
    /// Calling it again with the same arguments changes nothing more.
    pub idempotent: bool,
    /// Reaches beyond this process: every tool talks to a store.
    pub open_world: bool,
}

impl Annotations {
    /// Reads the store and changes nothing.
    pub const READ: Annotations =
        Annotations { read_only: true, destructive: false, idempotent: true, open_world: true };
    /// Adds a record: each call adds another.
    pub const ADD: Annotations =
        Annotations { read_only: false, destructive: false, idempotent: false, open_world: true };
    /// Sets fields to given values: a repeat with the same values changes nothing.
    pub const SET: Annotations =
        Annotations { read_only: false, destructive: false, idempotent: true, open_world: true };
    /// May remove or overwrite data for good.
    pub const DESTRUCTIVE: Annotations =
        Annotations { read_only: false, destructive: true, idempotent: false, open_world: true };
}

/// A tool's body: the connected store and the validated arguments in, the
/// store's JSON (or a summary of what was done) out.
pub type Handler = fn(&mut dyn Store, &Value) -> Result<Value, Error>;

/// What a tool may do, without the concrete transport and host types, so that
/// every tool is one plain function in the table. The write-back operations
/// are here because `crate::push` works on the client and host themselves.
pub trait Store {
    /// Send one request to the store.
    fn send(&mut self, req: &ApiRequest) -> Result<Response, Error>;
    /// Send requests concurrently; the answers come in request order.
    fn send_all(&mut self, reqs: &[ApiRequest]) -> Vec<Result<Response, Error>>;
    /// Walk every page of a list endpoint at 100 records a page, handing each
    /// page on in order; an `Err` from `on_page` stops the walk with it.
    fn for_each_page(
        &mut self,
        path: &str,
        query: &[(String, String)],
        on_page: &mut dyn FnMut(Page) -> Result<(), Error>,
    ) -> Result<(), Error>;
    /// Send stock levels to the store (`crate::push::stock`).
    fn push_stock(&mut self, lines: &[StockLine]) -> Result<Value, Error>;
    /// Tell a customer their order shipped (`crate::push::shipment`).
    fn push_shipment(&mut self, shipment: &Shipment) -> Result<Value, Error>;
    /// Update a registered customer from a platform contact (`crate::push::contact`).
    fn push_contact(&mut self, contact_id: &str, set: &Map<String, Value>) -> Result<Value, Error>;
}

/// Pages in flight while a tool walks every page of a list.
const PAGES_IN_FLIGHT: usize = 4;

/// The client and the host a call runs with, as a `Store`.
pub(super) struct Connected<'a, T: Transport, H: Host> {
    /// The client bound to the connected store.
    pub client: &'a mut Client<T>,
    /// The host (key-value state and records) the write-back operations update.
    pub host: &'a mut H,
}

impl<T: Transport, H: Host> Store for Connected<'_, T, H> {
    fn send(&mut self, req: &ApiRequest) -> Result<Response, Error> {
        self.client.send(req)
    }

    fn send_all(&mut self, reqs: &[ApiRequest]) -> Vec<Result<Response, Error>> {
        self.client.send_all(reqs)
    }

    fn for_each_page(
        &mut self,
        path: &str,
        query: &[(String, String)],
        on_page: &mut dyn FnMut(Page) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.client.for_each_page(path, query, PAGES_IN_FLIGHT, 0, |_, page| on_page(page))
    }

    fn push_stock(&mut self, lines: &[StockLine]) -> Result<Value, Error> {
        crate::push::stock(self.client, lines)
    }

    fn push_shipment(&mut self, shipment: &Shipment) -> Result<Value, Error> {
        crate::push::shipment(self.client, shipment)
    }

    fn push_contact(&mut self, contact_id: &str, set: &Map<String, Value>) -> Result<Value, Error> {
        crate::push::contact(self.client, self.host, contact_id, set)
    }
}

/// Each resource file's tools, in the order they are listed.
const RESOURCES: &[&[Tool]] = &[
    orders::TOOLS,
    notes::TOOLS,
    refunds::TOOLS,
    products::TOOLS,
    variations::TOOLS,
    taxonomy::TOOLS,
    reviews::TOOLS,
    customers::TOOLS,
    coupons::TOOLS,
    shipping::TOOLS,
    tax::TOOLS,
    payments::TOOLS,
    settings::TOOLS,
    reports::TOOLS,
    system::TOOLS,
    webhooks::TOOLS,
    data::TOOLS,
    stock::TOOLS,
    raw::TOOLS,
];

const COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < RESOURCES.len() {
        n += RESOURCES[i].len();
        i += 1;
    }
    n
};

/// `RESOURCES` flattened at compile time, so `TOOLS` stays a plain slice.
const ALL: [Tool; COUNT] = {
    let mut all = [RESOURCES[0][0]; COUNT];
    let (mut n, mut i) = (0, 0);
    while i < RESOURCES.len() {
        let mut j = 0;
        while j < RESOURCES[i].len() {
            all[n] = RESOURCES[i][j];
            n += 1;
            j += 1;
        }
        i += 1;
    }
    all
};

/// Every tool, grouped by the resource it works on.
pub const TOOLS: &[Tool] = &ALL;

/// Find a tool by name.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::super::{query, validate};
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_list_tools_pass_no_unknown_key_to_the_query() {
        for t in TOOLS.iter().filter(|t| t.name.starts_with("list-")) {
            let mut args = json!({"rest_route": "/wp/v2/users"});
            for k in (t.schema)()["required"].as_array().into_iter().flatten() {
                args[k.as_str().unwrap()] = json!(1);
            }
            let e = validate::validate(&(t.schema)(), &args);
            assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "rest_route"), "{}", t.name);
            // Every key a list schema knows is a plain, unreserved query name.
            for k in (t.schema)()["properties"].as_object().unwrap().keys() {
                assert!(query::check_query_key(k).is_ok(), "{}: {k}", t.name);
            }
        }
    }

    /// Whether `v` holds a `null` anywhere.
    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(a) => a.iter().any(has_null),
            Value::Object(m) => m.values().any(has_null),
            _ => false,
        }
    }

    #[test]
    fn every_schema_literal_kept_as_text_parses() {
        // `lit!` turns a literal that is not JSON into null; no schema has a null.
        for t in TOOLS {
            assert!(!has_null(&(t.schema)()), "{}: a schema literal did not parse", t.name);
            if let Some(out) = t.output_schema {
                assert!(!has_null(&out()), "{}: an output schema literal did not parse", t.name);
            }
        }
        assert_eq!(crate::tools::lit_parse("{\"a\": [1,]}"), Value::Null, "malformed text is null, never a panic");
    }

    /// Every `properties` entry, at any depth, with the path that leads to it.
    fn properties<'a>(path: &str, schema: &'a Value, out: &mut Vec<(String, &'a Value)>) {
        if let Some(props) = schema["properties"].as_object() {
            for (k, p) in props {
                out.push((format!("{path}.{k}"), p));
                properties(&format!("{path}.{k}"), p, out);
            }
        }
        if schema["items"].is_object() {
            properties(&format!("{path}[]"), &schema["items"], out);
        }
    }

    fn is_read_tool(name: &str) -> bool {
        name.starts_with("list-") || name.starts_with("get-")
    }

    #[test]
    fn every_schema_pattern_is_one_the_validator_reads() {
        for t in TOOLS {
            let schema = (t.schema)();
            let mut props = vec![];
            properties(t.name, &schema, &mut props);
            for (path, p) in props {
                for s in [p, &p["items"]] {
                    if let Some(pattern) = s["pattern"].as_str() {
                        assert!(super::super::pattern::is_match(pattern, "").is_ok(), "{path}: {pattern}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_tool_has_a_title() {
        for t in TOOLS {
            assert!(!t.title.trim().is_empty(), "{}", t.name);
            assert!(t.title.len() <= 40 && !t.title.ends_with('.'), "{}: a title is a short name", t.name);
        }
    }

    #[test]
    fn read_tools_are_read_only_and_not_destructive() {
        for t in TOOLS {
            assert_eq!(t.annotations.read_only, is_read_tool(t.name), "{}", t.name);
            if is_read_tool(t.name) {
                assert!(!t.annotations.destructive && t.annotations.idempotent, "{}", t.name);
            }
        }
    }

    #[test]
    fn deletes_and_raw_requests_are_destructive() {
        for t in TOOLS {
            let must = t.name.starts_with("delete-") || t.name == "raw-api-request";
            if must {
                assert!(t.annotations.destructive && !t.annotations.read_only, "{}", t.name);
            }
        }
        let raw = find("raw-api-request").unwrap();
        assert!(raw.description.contains("destructive"), "the description says why raw-api-request is marked so");
    }

    #[test]
    fn updates_and_stock_pushes_are_idempotent_and_creates_are_not() {
        for t in TOOLS {
            if t.name.starts_with("update-") || t.name.starts_with("batch-update-") || t.name.starts_with("push-") {
                // A gateway update is idempotent yet destructive (issue 19 §4): it can stop payments.
                let destructive = t.name == "update-payment-gateway";
                assert!(t.annotations.idempotent && t.annotations.destructive == destructive, "{}", t.name);
            }
            if t.name.starts_with("create-") || t.name.starts_with("add-") {
                assert!(!t.annotations.idempotent, "{}", t.name);
            }
        }
    }

    #[test]
    fn every_tool_reaches_an_open_world() {
        assert!(TOOLS.iter().all(|t| t.annotations.open_world));
    }

    #[test]
    fn every_argument_has_a_description() {
        let mut missing = vec![];
        for t in TOOLS {
            let schema = (t.schema)();
            let mut props = vec![];
            properties(t.name, &schema, &mut props);
            assert!(!props.is_empty(), "{}", t.name);
            for (path, p) in props {
                if p["description"].as_str().is_none_or(|d| d.len() <= 3) {
                    missing.push(path);
                }
            }
        }
        assert!(missing.is_empty(), "arguments without a description: {missing:#?}");
    }

    #[test]
    fn every_output_schema_is_a_json_schema_object_with_described_fields() {
        for t in TOOLS {
            let Some(output) = t.output_schema else { continue };
            let s = output();
            assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", t.name);
            assert_eq!(s["type"], "object", "{}: MCP wants an object", t.name);
            let props = s["properties"].as_object().unwrap();
            for r in s["required"].as_array().unwrap() {
                assert!(props.contains_key(r.as_str().unwrap()), "{}: required {r} is not a property", t.name);
            }
            let mut all = vec![];
            properties(t.name, &s, &mut all);
            for (path, p) in all {
                assert!(p["description"].as_str().is_some_and(|d| d.len() > 3), "{path} has no description");
            }
        }
    }

    #[test]
    fn list_tools_declare_the_list_output_schema_and_record_tools_none() {
        for t in TOOLS {
            let declared = t.output_schema.map(|s| s());
            if t.name.starts_with("list-") {
                assert_eq!(declared, Some(super::super::output::listing()), "{}", t.name);
            }
            // Reports have a fixed shape: they declare their own schema.
            let record = t.name.starts_with("get-") && !t.name.ends_with("-report");
            if record || t.name.starts_with("update-") || t.name.starts_with("create-") {
                assert_eq!(declared, None, "{}: WooCommerce shapes its own records", t.name);
            }
        }
        for name in ["push-stock", "push-shipment", "push-contact"] {
            assert!(find(name).unwrap().output_schema.is_some(), "{name}");
        }
    }

    #[test]
    fn list_and_push_results_fit_their_output_schemas() {
        use super::super::Listing;
        let page = Page { page: 2, items: vec![json!({"id": 7, "status": "processing"})], total: 11, total_pages: 2 };
        for truncated in [None, Some(true)] {
            let l = Listing { page: page.clone(), per_page: 10, truncated }.to_json();
            validate::validate(&super::super::output::listing(), &l).unwrap();
        }
        let cases = [
            (
                "push-stock",
                json!({"updated": [{"id": 3, "type": "simple", "sku": "A", "stock_quantity": 4, "stock_status": "instock"}], "errors": [{"id": 9, "code": "x", "message": "y"}]}),
            ),
            (
                "push-shipment",
                json!({"order_id": 5, "already_sent": false, "marker": "_woo_shipment_x", "note_id": 12, "status": "completed"}),
            ),
            ("push-contact", json!({"contact_id": "woo:customer:4", "contact": null, "customer": {"id": 4}})),
            ("batch-update-products", json!({"updated": [{"id": 1}], "errors": [], "requests": 1})),
        ];
        for (name, result) in cases {
            let schema = (find(name).unwrap().output_schema.unwrap())();
            validate::validate(&schema, &result).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }

    #[test]
    fn every_tool_is_in_the_table_once() {
        for t in TOOLS {
            assert_eq!(TOOLS.iter().filter(|o| o.name == t.name).count(), 1, "{}", t.name);
            assert_eq!(find(t.name).map(|f| f.description), Some(t.description));
        }
        assert!(find("no-such-tool").is_none());
    }
}
