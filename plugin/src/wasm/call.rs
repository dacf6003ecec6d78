//! Running an exported call: a client for the connected store, and the
//! core's error as the WIT `error` (the wording is the core's).

use super::host::WitHost;
use super::transport::WasiTransport;
use super::woo::connector::types as wit;
use crate::client::{self, Client};
use crate::connection;

/// The core's error as the WIT variant, case for case.
pub fn to_wit(e: client::Error) -> wit::Error {
    let remote = |r: client::RemoteError| wit::RemoteError { status: r.status, code: r.code, message: r.message };
    match e {
        client::Error::Auth(r) => wit::Error::Auth(remote(r)),
        client::Error::Forbidden(r) => wit::Error::Forbidden(remote(r)),
        client::Error::NotFound(r) => wit::Error::NotFound(remote(r)),
        client::Error::RateLimited(r) => wit::Error::RateLimited(remote(r)),
        client::Error::Remote(r) => wit::Error::Remote(remote(r)),
        client::Error::InvalidInput { field, message } => {
            wit::Error::InvalidInput(wit::InvalidInput { field, message })
        }
        client::Error::Transport(m) => wit::Error::Transport(m),
        client::Error::ReconnectRequired(m) => wit::Error::ReconnectRequired(m),
        client::Error::NotConnected => wit::Error::NotConnected,
        client::Error::Storage(m) => wit::Error::Storage(m),
    }
}

/// Run `f` with a client for the connected store. An error that may mean
/// the connection is broken runs the connection's own check, and only a
/// failed check moves it to `reconnect_required` (`connection::note_failure`).
pub fn with_client<R>(
    f: impl FnOnce(&mut Client<WasiTransport>, &mut WitHost) -> Result<R, client::Error>,
) -> Result<R, wit::Error> {
    let mut host = WitHost;
    let mut c = connection::open(&mut host, WasiTransport).map_err(to_wit)?;
    f(&mut c, &mut host).map_err(|e| to_wit(connection::note_failure(&mut host, &mut c, e)))
}
