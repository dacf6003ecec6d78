//! Payment gateways: which are on, their titles and order; their secrets never reach the agent.

use super::registry::Tool;

/// The payments tools.
pub(super) const TOOLS: &[Tool] = &[];
