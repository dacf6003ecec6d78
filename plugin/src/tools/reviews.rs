//! Product reviews: what customers wrote about products.

use super::registry::Tool;

/// The reviews tools.
pub(super) const TOOLS: &[Tool] = &[];
