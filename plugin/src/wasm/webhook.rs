//! The exported `webhook` interface.

use super::Component;
use super::call::{to_wit, with_client};
use super::exports::woo::connector::webhook as wit_webhook;
use super::host::WitHost;
use super::transport::WasiTransport;
use super::woo::connector::types as wit;
use crate::client::{ApiRequest, Error};
use crate::connection;
use crate::sync::webhook::{self, Outcome};

impl wit_webhook::Guest for Component {
    fn register(delivery_url: String) -> Result<Vec<u64>, wit::Error> {
        with_client(|c, host| webhook::register(c, host, &delivery_url))
    }

    fn handle_delivery(
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<wit_webhook::DeliveryOutcome, wit::Error> {
        // A restored resource is re-read from the store with the saved credentials.
        let read = |host: &mut WitHost, req: &ApiRequest| -> Result<serde_json::Value, Error> {
            let mut c = connection::open(host, WasiTransport)?;
            c.send(req).map(|r| r.body).map_err(|e| connection::note_failure(host, &mut c, e))
        };
        webhook::handle(&mut WitHost, &headers, &body, read).map_err(to_wit).map(|o| match o {
            Outcome::Applied => wit_webhook::DeliveryOutcome::Applied,
            Outcome::Duplicate => wit_webhook::DeliveryOutcome::Duplicate,
            Outcome::Ping => wit_webhook::DeliveryOutcome::Ping,
            Outcome::Ignored => wit_webhook::DeliveryOutcome::Ignored,
            Outcome::Stale => wit_webhook::DeliveryOutcome::Stale,
            Outcome::Deferred => wit_webhook::DeliveryOutcome::Deferred,
        })
    }
}
