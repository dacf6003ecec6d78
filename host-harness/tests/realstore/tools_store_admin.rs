//! The shipping, tax, payment gateways, settings, reports, system status, webhooks, countries and currencies tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;
