//! Settings: the groups and one group's options.

use super::registry::Tool;

/// The settings tools.
pub(super) const TOOLS: &[Tool] = &[];
