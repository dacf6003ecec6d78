//! Product taxonomy: the categories products are filed under.

use super::registry::{Annotations, Tool};
use super::{output, page, schema};

/// The taxonomy tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "list-categories",
    title: "List product categories",
    description: "List product categories (id, name, slug, parent, product count). Returns {items, page, per_page, total, total_pages}.",
    annotations: Annotations::READ,
    schema: schema::plain_list,
    output_schema: Some(output::listing),
    handler: |store, args| page::list(store, "/products/categories", args),
}];
