//! The connector's error, mirrored one to one by the WIT `error` variant.

use std::fmt;

/// An error answer from the store: HTTP status, WooCommerce `code`, message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

/// Every failure a caller can meet (see `wit/types.wit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Auth(RemoteError),
    NotFound(RemoteError),
    RateLimited(RemoteError),
    InvalidInput { field: String, message: String },
    Remote(RemoteError),
    Transport(String),
    ReconnectRequired(String),
    NotConnected,
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput { field: field.into(), message: message.into() }
    }

    /// Whether this error means the credentials or the API are gone, so the
    /// connection must move to `reconnect_required`.
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_))
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
            Error::NotFound(e) => remote(f, "not found", e),
            Error::RateLimited(e) => remote(f, "rate limited", e),
            Error::Remote(e) => remote(f, "store error", e),
            Error::InvalidInput { field, message } => write!(f, "invalid input `{field}`: {message}"),
            Error::Transport(m) => write!(f, "transport error: {m}"),
            Error::ReconnectRequired(m) => write!(f, "reconnect required: {m}"),
            Error::NotConnected => write!(f, "no store is connected (run `woo connect` first)"),
        }
    }
}

/// Turn a non-2xx answer into the typed error. `body` is the raw response.
///
/// WooCommerce answers errors as `{"code","message","data":{"status"}}`.
/// A 404 is `not-found` for one record, but `rest_no_route` means the REST API
/// itself is gone (plugin disabled, permalinks broken): that is an auth-class
/// failure. A `PUT` on a missing record answers 400 with an `*_invalid_id` code:
/// that is `not-found` too (SPEC §10).
pub fn from_response(status: u16, body: &[u8]) -> Error {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(|v| v.as_str())
            .map(crate::model::decode_entities)
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
        404 if e.code == "rest_no_route" => Error::Auth(e),
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
        let body = br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#;
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
    fn rest_no_route_is_an_auth_failure_not_a_missing_record() {
        let body = br#"{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}"#;
        assert!(from_response(404, body).is_auth());
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
