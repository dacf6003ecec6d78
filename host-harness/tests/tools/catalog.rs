//! End-to-end tests of the categories, tags, attributes and their terms, and reviews tools against the simulator.

use super::*;
