//! End-to-end tests of the shipping, tax, payment gateways, settings, reports, system status, webhooks, countries and currencies tools against the simulator.

use super::*;
