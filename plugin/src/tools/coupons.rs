//! Coupons: discount codes and their rules.

use super::registry::Tool;
use super::{page, schema};

/// The coupon tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "list-coupons",
    description: "List coupons with their codes, amounts, discount types and usage limits. Returns {items, page, per_page, total, total_pages}.",
    schema: schema::plain_list,
    handler: |store, args| page::list(store, "/coupons", args),
}];
