//! System status: the store's environment, database and plugins.

use super::registry::Tool;

/// The system tools.
pub(super) const TOOLS: &[Tool] = &[];
