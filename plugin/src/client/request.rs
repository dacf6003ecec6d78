//! A request is *built* apart from being *sent*: an [`ApiRequest`] (method,
//! API path, query, JSON body) becomes an [`HttpRequest`] for the wire (URL,
//! authentication, headers) by a pure function, and an [`HttpResponse`]
//! becomes a parsed [`Response`] or the typed error the same way.

use super::error::{self, Error};
use super::oauth::{self, SignatureMethod};
use super::url::{Scheme, StoreUrl};
use base64::Engine;
use serde_json::Value;

/// The `User-Agent` every request carries (store firewalls drop requests without one).
pub const USER_AGENT: &str = concat!("woo-connector/", env!("CARGO_PKG_VERSION"));

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Read.
    Get,
    /// Create, or run a batch.
    Post,
    /// Replace or update.
    Put,
    /// Update.
    Patch,
    /// Delete.
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// A method from its name, in any case.
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

/// A request to the WooCommerce API, before signing.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// Relative to `/wp-json/wc/v3`, starting with `/`.
    pub path: String,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The JSON body of a write.
    pub body: Option<Value>,
    /// A POST whose effect is the same if applied twice (it sets absolute
    /// values, e.g. a batch of stock quantities): it may be resent after an
    /// uncertain failure. GET/PUT/PATCH/DELETE are always resent.
    pub replay_safe: bool,
}

impl ApiRequest {
    /// A read.
    pub fn get(path: impl Into<String>, query: Vec<(String, String)>) -> Self {
        ApiRequest { method: Method::Get, path: path.into(), query, body: None, replay_safe: false }
    }

    /// A write with a JSON body.
    pub fn write(method: Method, path: impl Into<String>, body: Value) -> Self {
        ApiRequest { method, path: path.into(), query: vec![], body: Some(body), replay_safe: false }
    }

    /// Mark a POST as safe to resend (see `replay_safe`).
    pub fn replay_safe(mut self) -> Self {
        self.replay_safe = true;
        self
    }
}

/// A request ready for the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host[:port]`.
    pub authority: String,
    /// The absolute path with its query string.
    pub path_and_query: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body's bytes (empty for none).
    pub body: Vec<u8>,
}

/// A response off the wire.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpResponse {
    /// The HTTP status.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value; names compare case-insensitively (HTTP/2 lower-cases them).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Which credentials and how they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The REST key's `ck_…`.
    pub consumer_key: String,
    /// The REST key's `cs_…`.
    pub consumer_secret: String,
    /// Used over plain HTTP.
    pub signature_method: SignatureMethod,
}

impl Credentials {
    /// Describe how requests to `url` are authenticated (never the secret).
    pub fn auth_method(&self, url: &StoreUrl) -> String {
        match url.scheme {
            Scheme::Https => "basic".into(),
            Scheme::Http => format!("oauth1-{}", self.signature_method.oauth_name().to_ascii_lowercase()),
        }
    }
}

/// Build the wire request: API base path, query, authentication (Basic over
/// HTTPS; OAuth 1.0a signed with `now_unix` and `nonce` over plain HTTP, so
/// the secret never travels readable), JSON body.
pub fn build(url: &StoreUrl, credentials: &Credentials, req: &ApiRequest, now_unix: u64, nonce: &str) -> HttpRequest {
    let path = url.api_path(&req.path);
    let mut query = req.query.clone();
    let mut headers = vec![
        ("User-Agent".to_string(), USER_AGENT.to_string()),
        ("Accept".to_string(), "application/json".to_string()),
    ];
    match url.scheme {
        Scheme::Https => {
            let raw = format!("{}:{}", credentials.consumer_key, credentials.consumer_secret);
            headers.push((
                "Authorization".to_string(),
                format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)),
            ));
        }
        Scheme::Http => {
            let consumer = oauth::Consumer {
                key: &credentials.consumer_key,
                secret: &credentials.consumer_secret,
                method: credentials.signature_method,
            };
            let oauth =
                oauth::sign_one_legged(req.method.as_str(), &url.api_url(&req.path), &query, consumer, now_unix, nonce);
            query.extend(oauth);
        }
    }
    let body = match &req.body {
        Some(v) => {
            headers.push(("Content-Type".to_string(), "application/json".to_string()));
            serde_json::to_vec(v).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let qs = query
        .iter()
        .map(|(k, v)| format!("{}={}", oauth::percent_encode(k), oauth::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let path_and_query = if qs.is_empty() { path } else { format!("{path}?{qs}") };
    HttpRequest {
        method: req.method,
        scheme: url.scheme,
        authority: url.authority.clone(),
        path_and_query,
        headers,
        body,
    }
}

/// A parsed answer: JSON body plus the paging headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The JSON body (`null` when empty).
    pub body: Value,
    /// `X-WP-Total`, when present.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`, when present.
    pub total_pages: Option<u64>,
}

/// Turn a wire answer into a parsed response or the typed error.
pub fn parse_response(answer: Result<HttpResponse, String>) -> Result<Response, Error> {
    let r = answer.map_err(Error::Transport)?;
    if !(200..300).contains(&r.status) {
        return Err(error::from_response(r.status, &r.body));
    }
    let number = |name: &str| r.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    let total = number("X-WP-Total");
    let total_pages = number("X-WP-TotalPages");
    let body = if r.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&r.body)
            .map_err(|e| Error::Transport(format!("the store's answer (HTTP {}) is not valid JSON: {e}", r.status)))?
    };
    Ok(Response { status: r.status, body, total, total_pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(url: &str, req: &ApiRequest) -> HttpRequest {
        let creds = Credentials {
            consumer_key: "ck_test".into(),
            consumer_secret: "cs_test".into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        build(&StoreUrl::parse(url).unwrap(), &creds, req, 1_700_000_000, "nonce1")
    }

    #[test]
    fn basic_auth_header_over_https() {
        let r = signed("https://shop.example.com/", &ApiRequest::get("/orders", vec![]));
        let auth = r.headers.iter().find(|(k, _)| k == "Authorization").unwrap();
        // base64("ck_test:cs_test")
        assert_eq!(auth.1, "Basic Y2tfdGVzdDpjc190ZXN0");
        assert_eq!(r.path_and_query, "/wp-json/wc/v3/orders");
        assert!(!r.path_and_query.contains("cs_test"));
    }

    #[test]
    fn oauth_over_plain_http_never_basic_and_never_the_secret_in_the_url() {
        let r = signed(
            "http://127.0.0.1:8080/shop",
            &ApiRequest::get("/orders", vec![("status".into(), "processing".into())]),
        );
        assert!(r.headers.iter().all(|(k, _)| k != "Authorization"));
        assert!(
            r.path_and_query.starts_with("/shop/wp-json/wc/v3/orders?status=processing&oauth_consumer_key=ck_test")
        );
        assert!(r.path_and_query.contains("oauth_signature="));
        assert!(!r.path_and_query.contains("cs_test"));
    }

    #[test]
    fn user_agent_is_sent() {
        let r = signed("https://shop.example.com", &ApiRequest::get("/orders", vec![]));
        assert!(r.headers.iter().any(|(k, v)| k == "User-Agent" && v.starts_with("woo-connector/")));
    }

    #[test]
    fn a_write_carries_its_json_body() {
        let r = signed(
            "https://shop.example.com",
            &ApiRequest::write(Method::Put, "/orders/5", serde_json::json!({"status": "completed"})),
        );
        assert_eq!(r.body, br#"{"status":"completed"}"#);
        assert!(r.headers.iter().any(|(k, v)| k == "Content-Type" && v == "application/json"));
    }

    #[test]
    fn an_answer_reads_its_paging_headers_and_an_error_status_is_typed() {
        let ok = HttpResponse {
            status: 200,
            headers: vec![("x-wp-total".into(), "31".into()), ("X-WP-TotalPages".into(), "4".into())],
            body: b"[]".to_vec(),
        };
        let r = parse_response(Ok(ok)).unwrap();
        assert_eq!((r.total, r.total_pages), (Some(31), Some(4)));
        let missing = HttpResponse {
            status: 404,
            headers: vec![],
            body: br#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID."}"#.to_vec(),
        };
        assert!(matches!(parse_response(Ok(missing)), Err(Error::NotFound(_))));
        assert!(matches!(parse_response(Err("reset".into())), Err(Error::Transport(_))));
    }
}
