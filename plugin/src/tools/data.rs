//! Data: countries and currencies the store knows.

use super::registry::Tool;

/// The data tools.
pub(super) const TOOLS: &[Tool] = &[];
