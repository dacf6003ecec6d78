//! The orders, notes, refunds, products, variations, customers and coupons: creating, deleting and batches tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;
