//! The categories, tags, attributes and their terms, and reviews tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;
