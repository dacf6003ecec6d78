//! Settings: the groups and one group's options.

use super::registry::{Annotations, Store, Tool};
use super::{output, page, rest, schema};
use crate::client::{ApiRequest, Error};
use crate::read;
use serde_json::{Value, json};

/// The settings tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-settings",
        title: "List settings groups",
        description: "List the store's settings groups (general, products, tax, shipping, checkout, account, email, advanced, one per email …): id, label, description, parent and sub-groups. Read one group's options with get-settings. WooCommerce does not page them: the whole list comes back as one page, {items, page: 1, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: || schema::object(json!({"fields": schema::fields()}), &[]),
        output_schema: Some(output::listing),
        handler: |store, args| rest::whole_list(store, "/settings", args),
    },
    Tool {
        name: "get-settings",
        title: "Get a settings group",
        description: "Fetch the options of one settings group (e.g. general: store address, selling locations, currency; products; tax; email), each with id, label, type, value, default and its choices. Options whose values are keys, secrets, passwords or tokens come back as \"[redacted]\". An unknown group is a `not-found` error.",
        annotations: Annotations::READ,
        schema: || {
            schema::object(
                {
                    let mut m = lit!({
                        "group": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$", "description": "The group's id, e.g. general, products, tax or email_new_order (list-settings lists them)."}
                    });
                    m["fields"] = schema::fields();
                    m
                },
                &["group"],
            )
        },
        output_schema: None,
        handler: get_settings,
    },
];

/// One group's options. With `fields`, each option's `id` and `type` are
/// fetched too: the redaction rule needs them to know a secret.
fn get_settings(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let group = rest::slug(args, "group")?;
    let mut fields: Vec<String> = read::list(&args["fields"]).iter().map(read::text).collect();
    let keep_links = fields.iter().any(|f| f == "_links");
    if !fields.is_empty() {
        for needed in ["id", "type"] {
            if !fields.iter().any(|f| f == needed) {
                fields.push(needed.into());
            }
        }
    }
    let query = if fields.is_empty() { vec![] } else { vec![("_fields".to_string(), fields.join(","))] };
    let mut body = store.send(&ApiRequest::get(format!("/settings/{group}"), query))?.body;
    if !keep_links && let Some(options) = body.as_array_mut() {
        options.iter_mut().for_each(page::without_links);
    }
    Ok(body)
}
