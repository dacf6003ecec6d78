//! End-to-end tests of the orders, notes, refunds, products, variations, customers and coupons: creating, deleting and batches tools against the simulator.

use super::*;
