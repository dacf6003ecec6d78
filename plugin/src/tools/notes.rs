//! Order notes: what the shop writes on an order, privately or to the customer.

use super::registry::{Annotations, Store, Tool};
use super::{output, page, query, rest, schema};
use crate::client::{ApiRequest, Error, Method, Page};
use crate::read;
use serde_json::Value;

/// The order-note tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-order-notes",
        title: "List an order's notes",
        description: "List every note of one order, newest first: private notes the shop and WooCommerce wrote (status changes, payments) and notes sent to the customer. `type` keeps only customer or internal notes. WooCommerce does not page notes: the result is every note, as {items, page, per_page, total, total_pages} with one page.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: list_notes,
    },
    Tool {
        name: "add-order-note",
        title: "Add an order note",
        description: "Add a note to an order; with customer_note true the customer sees it (and is emailed). Use it for shipment tracking details.",
        annotations: Annotations::ADD,
        schema: add_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/orders/{}/notes", rest::num(args, "order_id"));
            rest::write(store, Method::Post, path, rest::without(args, &["order_id"]))
        },
    },
    Tool {
        name: "delete-order-note",
        title: "Delete an order note",
        description: "Delete one note of an order, for good: order notes have no trash, so `force` must be true. A note already emailed to the customer stays in their inbox. Returns the note as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || {
            schema::child_delete("order_id", "The order the note is on.", "The note to delete.", schema::Trash::None)
        },
        output_schema: None,
        handler: |store, args| {
            let path = format!("/orders/{}/notes/{}", rest::num(args, "order_id"), rest::num(args, "id"));
            rest::delete(store, path, args)
        },
    },
];

fn list_schema() -> Value {
    schema::object(
        {
            let mut m = lit!({
                "order_id": {"type": "integer", "minimum": 1, "description": "The order whose notes are listed."},
                "type": {"type": "string", "enum": ["any", "customer", "internal"], "description": "any (default): every note; customer: the notes the customer sees; internal: private notes."}
            });
            m["fields"] = schema::fields();
            m
        },
        &["order_id"],
    )
}

/// The notes endpoint answers every note at once, without paging headers:
/// the listing is that one page.
fn list_notes(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let path = format!("/orders/{}/notes", rest::num(args, "order_id"));
    let q = query::list_query(&rest::without(args, &["order_id"]))?;
    let r = store.send(&ApiRequest::get(path, q))?;
    let mut items = crate::client::paging::list_items(r.body)?;
    if !read::list(&args["fields"]).iter().any(|f| f == "_links") {
        items.iter_mut().for_each(page::without_links);
    }
    let n = items.len() as u64;
    let listing = page::Listing {
        page: Page { page: 1, items, total: n, total_pages: u64::from(n > 0) },
        per_page: u32::try_from(n).unwrap_or(u32::MAX),
        truncated: None,
    };
    Ok(listing.to_json())
}

fn add_schema() -> Value {
    schema::object(
        lit!({
            "order_id": {"type": "integer", "minimum": 1, "description": "The order the note is added to."},
            "note": {"type": "string", "minLength": 1, "maxLength": 10000, "description": "The note's text."},
            "customer_note": {"type": "boolean", "description": "Visible to (and emailed to) the customer."}
        }),
        &["order_id", "note"],
    )
}
