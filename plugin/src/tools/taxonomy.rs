//! Product taxonomy: the categories products are filed under.

use super::registry::Tool;
use super::{page, schema};

/// The taxonomy tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "list-categories",
    description: "List product categories (id, name, slug, parent, product count). Returns {items, page, per_page, total, total_pages}.",
    schema: schema::plain_list,
    handler: |store, args| page::list(store, "/products/categories", args),
}];
