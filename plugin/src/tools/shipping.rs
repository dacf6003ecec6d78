//! Shipping: zones (with their locations and methods) and shipping classes.

use super::registry::Tool;

/// The shipping tools.
pub(super) const TOOLS: &[Tool] = &[];
