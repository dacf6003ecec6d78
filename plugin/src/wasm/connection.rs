//! The exported `connection` interface.

use super::Component;
use super::call::to_wit;
use super::exports::woo::connector::connection as wit_conn;
use super::host::WitHost;
use super::transport::WasiTransport;
use super::woo::connector::types as wit;
use crate::client::SignatureMethod;
use crate::connection::{self, Info, State};

fn info_to_wit(i: Info) -> wit_conn::StoreInfo {
    wit_conn::StoreInfo {
        state: match i.state {
            State::Connected => wit_conn::ConnectionState::Connected,
            State::ReconnectRequired => wit_conn::ConnectionState::ReconnectRequired,
            State::Disconnected => wit_conn::ConnectionState::Disconnected,
        },
        store_url: i.store_url,
        woocommerce_version: i.woocommerce_version,
        auth_method: i.auth_method,
        warnings: i.warnings,
    }
}

impl wit_conn::Guest for Component {
    fn connect(config: wit_conn::ConnectConfig) -> Result<wit_conn::StoreInfo, wit::Error> {
        let cfg = connection::ConnectConfig {
            store_url: config.store_url,
            consumer_key: config.consumer_key,
            consumer_secret: config.consumer_secret,
            signature_method: match config.signature_method {
                Some(wit_conn::SignatureMethod::HmacSha1) => SignatureMethod::HmacSha1,
                _ => SignatureMethod::HmacSha256,
            },
            owner_email: config.owner_email,
        };
        connection::connect(&mut WitHost, WasiTransport, cfg).map(|(i, _)| info_to_wit(i)).map_err(to_wit)
    }

    fn status() -> Result<wit_conn::StoreInfo, wit::Error> {
        connection::info(&mut WitHost).map(info_to_wit).map_err(|e| to_wit(e.into()))
    }

    fn authorize_url(
        store_url: String,
        app_name: String,
        user_id: String,
        return_url: String,
        callback_url: String,
    ) -> Result<String, wit::Error> {
        connection::authorize_url(&store_url, &app_name, &user_id, &return_url, &callback_url).map_err(to_wit)
    }

    fn disconnect() -> Result<(), wit::Error> {
        connection::disconnect(&mut WitHost).map_err(to_wit)
    }
}
