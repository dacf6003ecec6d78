//! The simulator's HTTP side: one connection's requests, the injected
//! faults, WooCommerce's authentication, and the route to a resource.

use super::query::{self, PhpArray, PhpValue};
use super::rest::{json_response, wc_error};
use super::state::{Seen, SimState};
use super::{Faults, auth, routes};
use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A response body: whole, or cut short by an injected fault.
pub(super) type Body = BoxBody<Bytes, std::io::Error>;

/// Serve one accepted connection (`scheme` is `http` or `https`).
pub(super) async fn serve<IO>(io: IO, state: Arc<SimState>, scheme: &'static str)
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = state.clone();
        async move { handle(state, scheme, req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(io, svc).await;
}

/// A whole body.
pub(super) fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

/// The simulated store's clock: seconds since the epoch.
pub(super) fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// One request: faults first, as a proxy or a struggling server would
/// answer, then the API.
async fn handle(
    state: Arc<SimState>,
    scheme: &'static str,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    let n = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let mut faults = state.faults.lock().map(|f| f.clone()).unwrap_or_default();
    let hit = |every: u64| every > 0 && n.is_multiple_of(every);
    let delay = faults.latency_ms + if hit(faults.every_spike) { faults.spike_ms } else { 0 };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if faults.revoke_after > 0 && n > faults.revoke_after {
        faults.revoked = true;
    }
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    if path.starts_with("/wp-json/wc/") {
        let fault = |state: &SimState| state.faulted.fetch_add(1, Ordering::SeqCst);
        if hit(faults.every_reset) {
            fault(&state);
            return Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset"));
        }
        if faults.every_429 > 0 && n % faults.every_429 < faults.burst_429.max(1) {
            fault(&state);
            let mut r = wc_error(429, "woocommerce_rest_too_many_requests", "Too many requests.");
            r.headers_mut().insert("retry-after", faults.retry_after_secs.to_string().parse().expect("number header"));
            return Ok(record(&state, &parts.method, &path, &query, r));
        }
        let down = faults.down_after > 0 && n > faults.down_after;
        for (every, status) in [
            (if down { 1 } else { 0 }, 503),
            (faults.every_500, 500),
            (faults.every_502, 502),
            (faults.every_503, 503),
            (faults.every_504, 504),
        ] {
            if hit(every) {
                fault(&state);
                let r = wc_error(status, "internal_server_error", "There has been a critical error on this website.");
                return Ok(record(&state, &parts.method, &path, &query, r));
            }
        }
    }
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let ctx = Ctx {
        state: &state,
        scheme,
        host: &host,
        method: &parts.method,
        path: &path,
        query: &query,
        get: query::parse(&query),
        headers: &parts.headers,
        body: &body,
    };
    let mut response = route(&ctx, &faults);
    if path.starts_with("/wp-json/wc/") && hit(faults.every_truncate) && response.status().is_success() {
        state.faulted.fetch_add(1, Ordering::SeqCst);
        let full_body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
        let cut = full_body.slice(..full_body.len() / 2);
        let len = full_body.len();
        let stream = futures::stream::iter(vec![
            Ok(Frame::data(cut)),
            Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "injected truncation")),
        ]);
        let mut r = Response::new(StreamBody::new(stream).boxed());
        r.headers_mut().insert("content-length", len.to_string().parse().expect("number header"));
        r.headers_mut().insert("content-type", "application/json; charset=UTF-8".parse().expect("static header"));
        response = r;
    }
    Ok(record(&state, &parts.method, &path, &query, response))
}

fn record(state: &SimState, method: &Method, path: &str, query: &str, r: Response<Body>) -> Response<Body> {
    if let Ok(mut s) = state.seen.lock() {
        s.push(Seen {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            status: r.status().as_u16(),
        });
    }
    r
}

/// One request, as a resource handler sees it.
pub(super) struct Ctx<'a> {
    /// The store (shared: a handler's change may fire webhooks).
    pub(super) state: &'a Arc<SimState>,
    /// `http` or `https`.
    pub(super) scheme: &'static str,
    /// The `Host` header, for links.
    pub(super) host: &'a str,
    pub(super) method: &'a Method,
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    /// The query as PHP reads it into `$_GET`.
    get: PhpArray,
    headers: &'a http::HeaderMap,
    body: &'a Bytes,
}

impl Ctx<'_> {
    /// The query parameter `name` as WordPress hands it to a controller
    /// (`$_GET`, read as PHP reads the query): a string, or an array's values
    /// joined with commas, as `wp_parse_list` reads `a[]=1&a[]=2` and `a=1,2`
    /// alike.
    pub(super) fn param(&self, name: &str) -> Option<String> {
        match self.get.get(name)? {
            PhpValue::Str(s) => Some(s.clone()),
            PhpValue::Array(a) => Some(leaves(a).join(",")),
        }
    }

    pub(super) fn json_body(&self) -> Value {
        serde_json::from_slice(self.body).unwrap_or(Value::Null)
    }

    /// `$_POST`: a form-encoded body of a POST (PHP reads no other).
    fn form(&self) -> PhpArray {
        let form = self
            .headers
            .get("content-type")
            .and_then(|h| h.to_str().ok())
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if *self.method == Method::POST && form {
            query::parse(&String::from_utf8_lossy(self.body))
        } else {
            PhpArray::default()
        }
    }

    /// WooCommerce's authentication; `None` = allowed. Over HTTPS the
    /// query-string keys, then Basic auth, then OAuth; over plain HTTP OAuth only.
    fn authenticate(&self, faults: &Faults) -> Option<Response<Body>> {
        let keys = self.state.keys.lock().map(|k| k.clone()).ok()?;
        let header = self.headers.get("authorization").and_then(|h| h.to_str().ok()).unwrap_or("");
        let basic = || match (self.get.get_str("consumer_key"), self.get.get_str("consumer_secret")) {
            (Some(k), Some(s)) if !k.is_empty() && !s.is_empty() => auth::check_pair(k, s, &keys),
            _ => auth::verify_basic(header, &keys),
        };
        let oauth = || {
            let params = self.get.merged(&self.form()).merged(&auth::oauth_header_params(header));
            if !auth::attempts_oauth(&params) {
                return None;
            }
            let base_url = format!("{}://{}{}", self.scheme, self.host, self.path);
            let mut nonces = self.state.nonces.lock().ok()?;
            Some(auth::verify_oauth(self.method.as_str(), &base_url, &params, &keys, now_secs(), &mut nonces))
        };
        // Over plain HTTP WooCommerce looks for OAuth only: Basic auth and
        // query-string keys are not even read.
        let keyed = if self.scheme == "https" { basic() } else { None };
        let result = keyed.or_else(oauth);
        let refuse = |(code, msg): auth::Refusal| Some(wc_error(401, code, &msg));
        match result {
            Some(Ok(())) if faults.revoked => {
                refuse(("woocommerce_rest_authentication_error", "Consumer key is invalid.".into()))
            }
            Some(Ok(()))
                if faults.read_only && !matches!(*self.method, Method::GET | Method::HEAD | Method::OPTIONS) =>
            {
                refuse((
                    "woocommerce_rest_authentication_error",
                    "The API key provided does not have write permissions.".into(),
                ))
            }
            Some(Ok(())) => None,
            Some(Err(e)) => refuse(e),
            None => {
                let (code, msg) = match *self.method {
                    Method::POST => {
                        ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
                    }
                    Method::PUT | Method::PATCH => {
                        ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
                    }
                    Method::DELETE => {
                        ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")
                    }
                    _ => ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
                };
                refuse((code, msg.into()))
            }
        }
    }
}

/// An array's string values, depth first.
fn leaves(a: &PhpArray) -> Vec<String> {
    a.entries()
        .iter()
        .flat_map(|(_, v)| match v {
            PhpValue::Str(s) => vec![s.clone()],
            PhpValue::Array(inner) => leaves(inner),
        })
        .collect()
}

fn route(ctx: &Ctx, faults: &Faults) -> Response<Body> {
    let p = ctx.path.trim_end_matches('/');
    if p == "/wp-json" {
        return json_response(
            200,
            &json!({"name": "Simulated store", "url": format!("{}://{}", ctx.scheme, ctx.host), "namespaces": ["wc/v3"], "authentication": []}),
        );
    }
    let Some(rest) = p.strip_prefix("/wp-json/wc/v3") else {
        return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.");
    };
    if faults.api_gone {
        return wc_error(404, "rest_no_route", "No route was found matching the URL and request method.");
    }
    if rest.is_empty() {
        return json_response(200, &json!({"namespace": "wc/v3", "routes": {}}));
    }
    if let Some(r) = ctx.authenticate(faults) {
        return r;
    }
    routes::dispatch(ctx, rest)
}
