//! Mapping: WooCommerce resources (JSON, read leniently) become platform
//! records. One rule, one function, each with its test beside it: which
//! resources are synced (roles, order statuses, product types and prices),
//! the platform order status, and the record ids.
//!
//! `ids` says how record ids are written; `contact`, `order`, `transaction`,
//! `product`, `collection` and `checkout` build one kind of record each.

pub mod checkout;
pub mod collection;
pub mod contact;
pub mod ids;
pub mod order;
pub mod product;
pub mod transaction;

pub use crate::port::{Record, RecordKind};
pub use checkout::{CheckoutStatus, checkout_record, is_checkout_draft};
pub use collection::collection_record;
pub use contact::{contact_from_customer, contact_from_order_billing, is_importable_role};
pub use ids::{customer_contact_id, guest_contact_id};
pub use order::{is_importable_order_status, is_paid, order_record, platform_order_status};
pub use product::{ProductSkip, is_importable_product_type, product_category_ids, product_record};
pub use transaction::{payment_transaction, refund_transaction};
