//! Running an exported call: a client for the connected store, and the
//! core's error as the WIT `error` (the wording is the core's).

#[cfg(not(feature = "tools-world"))]
use super::host::WitHost as CallHost;
#[cfg(feature = "tools-world")]
use super::standalone::CallHost;
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

/// A client for this call's store: the connection kept in the host's
/// key-value store (`connector`), or the environment's store and key (`tools`).
fn open(host: &mut CallHost) -> Result<Client<WasiTransport>, client::Error> {
    #[cfg(not(feature = "tools-world"))]
    return connection::open(host, WasiTransport);
    #[cfg(feature = "tools-world")]
    {
        let _ = host;
        super::standalone::client()
    }
}

/// Run `f` with a client for the connected store. An error that may mean
/// the connection is broken runs the connection's own check, and only a
/// failed check moves it to `reconnect_required` (`connection::note_failure`;
/// in the `tools` world there is no stored connection to move, and the check
/// still tells a refused request, `forbidden`, from a refused key, `auth`).
pub fn with_client<R>(
    f: impl FnOnce(&mut Client<WasiTransport>, &mut CallHost) -> Result<R, client::Error>,
) -> Result<R, wit::Error> {
    // A unit struct in `connector`, a map in `tools-only`: one line for both.
    #[allow(clippy::default_constructed_unit_structs)]
    let mut host = CallHost::default();
    let mut c = open(&mut host).map_err(to_wit)?;
    f(&mut c, &mut host).map_err(|e| to_wit(connection::note_failure(&mut host, &mut c, e)))
}
