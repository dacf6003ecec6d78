//! Tax: rates and classes.

use super::registry::Tool;

/// The tax tools.
pub(super) const TOOLS: &[Tool] = &[];
