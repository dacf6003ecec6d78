//! The connector's error, mirrored one to one by the WIT `error` variant.
//! Its `Display` is the one wording of every error.

use std::fmt;

/// An error answer from the store: HTTP status, WooCommerce `code`, message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteError {
    /// The HTTP status.
    pub status: u16,
    /// WooCommerce's error code, for example `woocommerce_rest_shop_order_invalid_id`.
    pub code: String,
    /// The store's message, HTML entities decoded.
    pub message: String,
}

/// Every failure a caller can meet (see `wit/types.wit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The store refused the credentials (a 401/403 the connection's own
    /// check confirmed, or one not yet checked).
    Auth(RemoteError),
    /// A 401/403 for one request while the connection's own check passes:
    /// the key lacks a permission (a read-only key that writes), or the
    /// request carried something that broke its authentication.
    Forbidden(RemoteError),
    /// The record or route does not exist.
    NotFound(RemoteError),
    /// The store asked to slow down (429) and retrying did not get through.
    RateLimited(RemoteError),
    /// An argument is wrong; nothing was sent to the store.
    InvalidInput {
        /// The argument, for example `store_url` or `items[2].quantity`.
        field: String,
        /// What is wrong with it (never its value when it is a secret).
        message: String,
    },
    /// Any other error answer from the store.
    Remote(RemoteError),
    /// No usable HTTP answer: the network, TLS, the host's allowlist, or an
    /// answer that is not the JSON asked for.
    Transport(String),
    /// The connection needs new credentials; nothing is sent until then.
    ReconnectRequired(String),
    /// No store is connected.
    NotConnected,
    /// The connector's own state (the host's key-value store or record sink)
    /// could not be read or written; nothing half-done was kept.
    Storage(String),
}

impl Error {
    /// An `InvalidInput` for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: field.into(), message: message.into() }
    }

    /// Whether this error means the credentials are refused.
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_))
    }

    /// Whether this error could mean the connection itself is broken (a
    /// refused key, or a REST API that is gone), so that only the
    /// connection's own light check can tell. A 401 alone cannot: a
    /// read-only key that writes gets the same 401
    /// `woocommerce_rest_authentication_error` as a revoked key (checked on
    /// WooCommerce 11: "The API key provided does not have write
    /// permissions."), and a mistyped route is `rest_no_route` too.
    pub fn may_mean_broken_connection(&self) -> bool {
        match self {
            Error::Auth(_) => true,
            Error::NotFound(e) => e.code == NO_ROUTE,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let remote = |f: &mut fmt::Formatter<'_>, what: &str, e: &RemoteError| {
            write!(f, "{what}: HTTP {}", e.status)?;
            if !e.code.is_empty() {
                write!(f, " {}", e.code)?;
            }
            if !e.message.is_empty() {
                write!(f, ": {}", e.message)?;
            }
            Ok(())
        };
        match self {
            Error::Auth(e) => remote(f, "authentication failed", e),
            Error::Forbidden(e) => remote(f, "forbidden", e),
            Error::NotFound(e) => remote(f, "not found", e),
            Error::RateLimited(e) => remote(f, "rate limited", e),
            Error::Remote(e) => remote(f, "store error", e),
            Error::InvalidInput { field, message } => write!(f, "invalid input `{field}`: {message}"),
            Error::Transport(m) => write!(f, "transport error: {m}"),
            Error::ReconnectRequired(m) => write!(f, "reconnect required: {m}"),
            Error::NotConnected => write!(f, "no store is connected (run `woo connect` first)"),
            Error::Storage(m) => write!(f, "storage error: {m}"),
        }
    }
}

impl From<crate::port::StorageError> for Error {
    fn from(e: crate::port::StorageError) -> Self {
        Error::Storage(e.0)
    }
}

/// WordPress's code for a path no route matches.
pub const NO_ROUTE: &str = "rest_no_route";

/// Turn a non-2xx answer into the typed error. `body` is the raw response.
///
/// WooCommerce answers errors as `{"code","message","data":{"status"}}`.
/// A 404 is `not-found`, `rest_no_route` included: a mistyped path or an
/// endpoint no plugin registered is not a broken connection (only the
/// connection's own check decides that, see `connection::note_failure`).
/// A `PUT` on a missing record answers 400 with an `*_invalid_id` code:
/// that is `not-found` too. A 401/403 is `auth` until the
/// connection check says the key still works.
pub fn from_response(status: u16, body: &[u8]) -> Error {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(crate::read::decode_entities)
            .unwrap_or_default()
    };
    let code = field("code");
    let mut message = field("message");
    if message.is_empty() {
        message = String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string();
    }
    let e = RemoteError { status, code, message };
    match status {
        401 | 403 => Error::Auth(e),
        404 => Error::NotFound(e),
        400 if e.code.ends_with("_invalid_id") => Error::NotFound(e),
        429 => Error::RateLimited(e),
        _ => Error::Remote(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn woocommerce_error_json_maps_to_typed_error() {
        let body =
            br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#;
        assert_eq!(
            from_response(404, body),
            Error::NotFound(RemoteError {
                status: 404,
                code: "woocommerce_rest_shop_order_invalid_id".into(),
                message: "Invalid ID.".into()
            })
        );
        let body = br#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}"#;
        assert!(matches!(from_response(401, body), Error::Auth(e) if e.code == "woocommerce_rest_cannot_view"));
        let body = br#"{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400}}"#;
        assert!(matches!(from_response(400, body), Error::Remote(e) if e.code == "rest_invalid_param"));
    }

    #[test]
    fn rest_no_route_is_not_found_that_only_the_connection_check_can_escalate() {
        let body = br#"{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}"#;
        let e = from_response(404, body);
        assert!(matches!(&e, Error::NotFound(r) if r.code == NO_ROUTE));
        assert!(!e.is_auth() && e.may_mean_broken_connection());
        let missing =
            br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#;
        assert!(!from_response(404, missing).may_mean_broken_connection());
    }

    #[test]
    fn put_on_missing_record_400_invalid_id_is_not_found() {
        let body = br#"{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{"status":400}}"#;
        assert!(matches!(from_response(400, body), Error::NotFound(_)));
    }

    #[test]
    fn non_json_error_body_keeps_status_and_a_short_message() {
        let e = from_response(502, b"<html>Bad gateway</html>");
        assert!(matches!(e, Error::Remote(RemoteError { status: 502, .. })));
    }
}
