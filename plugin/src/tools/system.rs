//! System status: the store's environment, database and plugins.

use super::registry::{Annotations, Tool};
use super::schema;
use crate::client::ApiRequest;
use crate::read;
use serde_json::json;

/// The system tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "get-system-status",
    title: "Get the system status",
    description: "The store's system status report: environment (WooCommerce, WordPress and PHP versions, memory limit, timezone, HTTPS), database (version, table prefix, sizes), active and inactive plugins, theme, store settings (currency, HPOS on or off, API enabled), security, WooCommerce pages, post type counts and logging. Use `fields` to fetch only some sections, e.g. [\"environment\", \"active_plugins\"].",
    annotations: Annotations::READ,
    schema: || schema::object(json!({"fields": schema::fields()}), &[]),
    output_schema: None,
    handler: |store, args| {
        let names: Vec<String> = read::list(&args["fields"]).iter().map(read::text).collect();
        let query = if names.is_empty() { vec![] } else { vec![("_fields".to_string(), names.join(","))] };
        Ok(store.send(&ApiRequest::get("/system_status", query))?.body)
    },
}];
