//! The tool table. Each resource file declares its tools once, as `Tool`
//! values (name, description, schema and handler side by side); this file
//! gathers them into `TOOLS`, in the order `list-tools` shows them.

use super::{coupons, customers, notes, orders, products, raw, refunds, stock, taxonomy, variations};
use crate::client::{ApiRequest, Client, Error, Page, Response, Transport};
use crate::port::Host;
use crate::push::{Shipment, StockLine};
use serde_json::{Map, Value};

/// One tool as an agent sees it, and the function that runs it.
#[derive(Clone, Copy)]
pub struct Tool {
    /// The name an agent calls it by, e.g. `list-orders`.
    pub name: &'static str,
    /// What it does and returns, written for an LLM choosing a tool.
    pub description: &'static str,
    /// The JSON Schema (draft 2020-12) of its arguments object.
    pub schema: fn() -> Value,
    /// Runs it on arguments that its schema has already accepted.
    pub handler: Handler,
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
    customers::TOOLS,
    coupons::TOOLS,
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

    #[test]
    fn every_tool_is_in_the_table_once() {
        for t in TOOLS {
            assert_eq!(TOOLS.iter().filter(|o| o.name == t.name).count(), 1, "{}", t.name);
            assert_eq!(find(t.name).map(|f| f.description), Some(t.description));
        }
        assert!(find("no-such-tool").is_none());
    }
}
