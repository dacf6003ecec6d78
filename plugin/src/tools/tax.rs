//! Tax: rates and classes.

use super::registry::{Annotations, Tool};
use super::{output, page, rest, schema};
use serde_json::{Value, json};

/// The tax tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-tax-rates",
        title: "List tax rates",
        description: "List the store's tax rates (country, state, postcodes, cities, rate as a decimal string, name, priority, compound, shipping, class), ordered by their `order` unless `orderby` says otherwise. Filter by tax class slug (standard, reduced-rate, zero-rate or a class of the store's own). Returns {items, page, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: rates_schema,
        output_schema: Some(output::listing),
        handler: |store, args| {
            rest::slug_if_given(args, "class")?;
            page::list(store, "/taxes", args)
        },
    },
    Tool {
        name: "list-tax-classes",
        title: "List tax classes",
        description: "List the tax classes (slug and name: standard, reduced-rate, zero-rate and any the store added). WooCommerce does not page them: the whole list comes back as one page, {items, page: 1, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: || schema::object(json!({"fields": schema::fields()}), &[]),
        output_schema: Some(output::listing),
        handler: |store, args| rest::whole_list(store, "/taxes/classes", args),
    },
];

/// WooCommerce's `/taxes` filters: no search, no include, no dates; `class`.
fn rates_schema() -> Value {
    let mut s = schema::list(lit!({
        "class": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$", "description": "Only rates of this tax class slug, e.g. standard or reduced-rate (list-tax-classes lists them)."}
    }));
    if let Some(p) = s["properties"].as_object_mut() {
        p.remove("search");
        p.remove("include");
    }
    s["properties"]["orderby"] = lit!({"type": "string", "enum": ["id", "order", "priority"], "description": "Sort by id, order (default) or priority."});
    s["properties"]["order"]["description"] = lit!("Sort direction: asc (default) or desc.");
    s
}
