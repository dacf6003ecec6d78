//! Webhooks: the store's delivery subscriptions; their secrets never reach the agent.

use super::registry::Tool;

/// The webhooks tools.
pub(super) const TOOLS: &[Tool] = &[];
