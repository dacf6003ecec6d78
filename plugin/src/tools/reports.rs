//! Reports: sales, top sellers and totals.

use super::registry::Tool;

/// The reports tools.
pub(super) const TOOLS: &[Tool] = &[];
