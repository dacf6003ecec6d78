//! Coupons: discount codes and their rules.

use super::registry::{Annotations, Tool};
use super::{output, page, schema};

/// The coupon tools.
pub(super) const TOOLS: &[Tool] = &[Tool {
    name: "list-coupons",
    title: "List coupons",
    description: "List coupons with their codes, amounts, discount types and usage limits. Returns {items, page, per_page, total, total_pages}.",
    annotations: Annotations::READ,
    schema: schema::plain_list,
    output_schema: Some(output::listing),
    handler: |store, args| page::list(store, "/coupons", args),
}];
