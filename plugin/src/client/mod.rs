//! The WooCommerce REST client: requests are *built* (pure: URL, signing,
//! paging) apart from being *sent* (the `Transport`, which is WASI HTTP in the
//! component and a fake in native tests).

pub mod error;
pub mod oauth;
pub mod retry;
pub mod url;

pub use error::{Error, RemoteError};
pub use oauth::SignatureMethod;
pub use retry::RetryPolicy;
pub use url::{Scheme, StoreUrl};

use base64::Engine;
use serde_json::Value;

/// The `User-Agent` every request carries (store firewalls drop requests without one).
pub const USER_AGENT: &str = concat!("woo-connector/", env!("CARGO_PKG_VERSION"));

/// WooCommerce's largest page.
pub const MAX_PER_PAGE: u32 = 100;

/// HTTP methods the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

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
    pub method: Method,
    /// Relative to `/wp-json/wc/v3`, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// A POST whose effect is the same if applied twice (it sets absolute
    /// values, e.g. a batch of stock quantities): it may be resent after an
    /// uncertain failure. GET/PUT/PATCH/DELETE are always resent.
    pub replay_safe: bool,
}

impl ApiRequest {
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
    pub method: Method,
    pub scheme: Scheme,
    pub authority: String,
    pub path_and_query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A response off the wire.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A header's value; names compare case-insensitively (HTTP/2 lower-cases them).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// What sends requests: WASI HTTP in the component, a fake in tests.
pub trait Transport {
    /// Requests on the wire, not yet answered.
    type Pending;
    /// Put every request on the wire and return at once: the caller may work
    /// while they travel.
    fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending;
    /// Wait for the answers, in request order. An `Err` is a transport
    /// failure (no HTTP answer).
    fn finish_all(&mut self, pending: Self::Pending) -> Vec<Result<HttpResponse, String>>;
    /// Send every request concurrently and answer in the same order.
    fn send_all(&mut self, requests: Vec<HttpRequest>) -> Vec<Result<HttpResponse, String>> {
        let pending = self.start_all(requests);
        self.finish_all(pending)
    }
    /// Seconds since the Unix epoch.
    fn now_unix(&self) -> u64;
    /// A fresh single-use nonce.
    fn nonce(&mut self) -> String;
    /// Wait before a retry.
    fn sleep_ms(&mut self, ms: u64);
    /// A random number (backoff jitter).
    fn random(&mut self) -> u64;
}

/// Which credentials and how they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub consumer_key: String,
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

/// A parsed answer: JSON body plus the paging headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    /// `X-WP-Total`, when present.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`, when present.
    pub total_pages: Option<u64>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub page: u32,
    pub items: Vec<Value>,
    pub total: u64,
    pub total_pages: u64,
}

/// Requests started by `Client::start`, with what is needed to retry them.
pub struct InFlight<P> {
    reqs: Vec<ApiRequest>,
    pending: P,
}

/// A WooCommerce client bound to one store.
pub struct Client<T: Transport> {
    pub url: StoreUrl,
    credentials: Credentials,
    pub transport: T,
    /// Requests made so far (retries included).
    pub requests: u64,
    /// Requests sent again after a retryable failure.
    pub retries: u64,
    /// Answers that were 429 (the store asking us to slow down).
    pub rate_limited: u64,
    pub retry: RetryPolicy,
}

impl<T: Transport> Client<T> {
    pub fn new(url: StoreUrl, credentials: Credentials, transport: T) -> Self {
        Client { url, credentials, transport, requests: 0, retries: 0, rate_limited: 0, retry: RetryPolicy::default() }
    }

    /// Build the wire request: API base path, query, auth (Basic over HTTPS,
    /// OAuth 1.0a over HTTP), JSON body.
    pub fn build(&mut self, req: &ApiRequest) -> HttpRequest {
        let path = self.url.api_path(&req.path);
        let mut query = req.query.clone();
        let mut headers = vec![
            ("User-Agent".to_string(), USER_AGENT.to_string()),
            ("Accept".to_string(), "application/json".to_string()),
        ];
        match self.url.scheme {
            Scheme::Https => {
                let raw = format!("{}:{}", self.credentials.consumer_key, self.credentials.consumer_secret);
                headers.push((
                    "Authorization".to_string(),
                    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw)),
                ));
            }
            Scheme::Http => {
                let nonce = self.transport.nonce();
                let oauth = oauth::sign_one_legged(
                    req.method.as_str(),
                    &self.url.api_url(&req.path),
                    &query,
                    &self.credentials.consumer_key,
                    &self.credentials.consumer_secret,
                    self.credentials.signature_method,
                    self.transport.now_unix(),
                    &nonce,
                );
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
            scheme: self.url.scheme,
            authority: self.url.authority.clone(),
            path_and_query,
            headers,
            body,
        }
    }

    /// Send several requests at once; answers come back in order.
    ///
    /// Each answer is judged by the retry policy (`retry.rs`): 429s, server
    /// errors, resets and cut bodies are sent again, all the failed ones of a
    /// round together after one wait, re-signed each time. A 401 that refuses
    /// only the OAuth nonce or timestamp is not a verdict on the credentials:
    /// it is re-signed and sent at once. A give-up is the typed error of the
    /// last answer, saying how often the request was tried.
    pub fn send_all(&mut self, reqs: &[ApiRequest]) -> Vec<Result<Response, Error>> {
        let flight = self.start(reqs.to_vec());
        self.complete(flight)
    }

    /// Put requests on the wire and return at once (see `complete`).
    pub fn start(&mut self, reqs: Vec<ApiRequest>) -> InFlight<T::Pending> {
        let wire: Vec<HttpRequest> = reqs.iter().map(|r| self.build(r)).collect();
        self.requests += wire.len() as u64;
        let pending = self.transport.start_all(wire);
        InFlight { reqs, pending }
    }

    /// The answers of started requests, retried as `send_all` says.
    pub fn complete(&mut self, flight: InFlight<T::Pending>) -> Vec<Result<Response, Error>> {
        let reqs = flight.reqs;
        let mut first = Some(self.transport.finish_all(flight.pending));
        let mut answers: Vec<Option<Result<Response, Error>>> = reqs.iter().map(|_| None).collect();
        let mut attempts = vec![0u32; reqs.len()];
        let mut todo: Vec<usize> = (0..reqs.len()).collect();
        let mut waited_ms = 0u64;
        while !todo.is_empty() {
            let raw_answers = match first.take() {
                Some(a) => a,
                None => {
                    let wire: Vec<HttpRequest> = todo.iter().map(|i| self.build(&reqs[*i])).collect();
                    self.requests += wire.len() as u64;
                    self.transport.send_all(wire)
                }
            };
            let now = self.transport.now_unix();
            let mut again = vec![];
            let mut wait_ms = 0u64;
            for (i, raw) in todo.iter().copied().zip(raw_answers) {
                attempts[i] += 1;
                let req = &reqs[i];
                let tried = attempts[i];
                if matches!(&raw, Ok(r) if r.status == 429) {
                    self.rate_limited += 1;
                }
                let verdict = retry::judge(req.method, req.replay_safe, &raw, now);
                let parsed = parse_response(raw);
                let retry_now = is_replay_refusal(&parsed) && tried < 2;
                match verdict {
                    _ if retry_now => again.push(i),
                    retry::Verdict::Retry { wait_ms: server, .. } if tried < self.retry.max_attempts => {
                        let random = self.transport.random();
                        wait_ms = wait_ms.max(self.retry.delay_ms(tried, server, random));
                        again.push(i);
                    }
                    retry::Verdict::Retry { why, .. } => {
                        answers[i] = Some(Err(gave_up(parsed, req, &why, tried, waited_ms)));
                    }
                    retry::Verdict::Uncertain { why } => {
                        answers[i] = Some(Err(Error::Transport(format!(
                            "{} {}: {why}; the store may or may not have applied this write, so it was not sent again \
                             (check the record before retrying)",
                            req.method.as_str(),
                            req.path
                        ))));
                    }
                    retry::Verdict::Keep => answers[i] = Some(parsed),
                }
            }
            if !again.is_empty() && wait_ms > 0 {
                if waited_ms + wait_ms > self.retry.budget_ms {
                    for i in again.drain(..) {
                        let why = format!("retry budget of {} s spent", self.retry.budget_ms / 1000);
                        let last = Err(Error::Transport(why.clone()));
                        answers[i] = Some(Err(gave_up(last, &reqs[i], &why, attempts[i], waited_ms)));
                    }
                } else {
                    self.transport.sleep_ms(wait_ms);
                    waited_ms += wait_ms;
                }
            }
            self.retries += again.len() as u64;
            todo = again;
        }
        answers.into_iter().map(|a| a.unwrap_or_else(|| Err(Error::Transport("no answer".into())))).collect()
    }

    /// Send one request.
    pub fn send(&mut self, req: &ApiRequest) -> Result<Response, Error> {
        self.send_all(std::slice::from_ref(req)).pop().unwrap_or_else(|| Err(Error::Transport("no answer".into())))
    }

    /// Walk every page of a list endpoint at `per_page=100`, `concurrency`
    /// pages in flight, starting after `done_pages` pages that an earlier run
    /// already committed. `on_page` is called in page order.
    ///
    /// Totals come from the first page read (a page past the end reports 0 on
    /// HPOS lists), and the next page is built from `page=`, never from the
    /// `Link` header (it repeats the credentials).
    pub fn for_each_page(
        &mut self,
        path: &str,
        query: &[(String, String)],
        concurrency: usize,
        done_pages: u32,
        mut on_page: impl FnMut(&mut Self, Page) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let req = |page: u32| {
            let mut q = query.to_vec();
            q.push(("per_page".into(), MAX_PER_PAGE.to_string()));
            q.push(("page".into(), page.to_string()));
            ApiRequest::get(path, q)
        };
        let first_page = done_pages + 1;
        let first = self.send(&req(first_page))?;
        let total = first.total.unwrap_or(0);
        let total_pages = first.total_pages.unwrap_or(0);
        let first_items = items_of(first.body)?;
        let last_page = total_pages.min(u32::MAX as u64) as u32;
        let more = !first_items.is_empty() && first_page < last_page;
        on_page(self, Page { page: first_page, items: first_items, total, total_pages })?;
        if !more {
            return Ok(());
        }
        // A sliding window: `target` pages stay on the wire, one more is
        // sent as each arrives, and pages are handed on in order while the
        // next ones travel. A page that meets a 429 halves `target`.
        let mut target = concurrency.max(1);
        let mut next = first_page + 1;
        let mut flying: std::collections::VecDeque<(u32, InFlight<T::Pending>)> = std::collections::VecDeque::new();
        let refill = |client: &mut Self, flying: &mut std::collections::VecDeque<(u32, InFlight<T::Pending>)>, next: &mut u32, target: usize| {
            while flying.len() < target && *next <= last_page {
                flying.push_back((*next, client.start(vec![req(*next)])));
                *next += 1;
            }
        };
        refill(self, &mut flying, &mut next, target);
        while let Some((page, flight)) = flying.pop_front() {
            let limited = self.rate_limited;
            let answer = self.complete(flight).pop().unwrap_or_else(|| Err(Error::Transport("no answer".into())));
            if self.rate_limited > limited {
                target = (target / 2).max(1);
            }
            refill(self, &mut flying, &mut next, target);
            let items = items_of(answer?.body)?;
            let empty = items.is_empty();
            on_page(self, Page { page, items, total, total_pages })?;
            if empty {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// The give-up error: the last answer's typed error, with the attempts.
fn gave_up(last: Result<Response, Error>, req: &ApiRequest, why: &str, attempts: u32, waited_ms: u64) -> Error {
    let note = format!("gave up on {} {} after {attempts} attempts over {:.1} s", req.method.as_str(), req.path, waited_ms as f64 / 1000.0);
    match last {
        Err(Error::RateLimited(mut e)) => {
            e.message = format!("{} ({note})", e.message);
            Error::RateLimited(e)
        }
        Err(Error::Remote(mut e)) => {
            e.message = format!("{} ({note})", e.message);
            Error::Remote(e)
        }
        Err(Error::Transport(m)) => Error::Transport(format!("{m} ({note})")),
        Err(other) => other,
        Ok(_) => Error::Transport(format!("{why} ({note})")),
    }
}

fn is_replay_refusal(a: &Result<Response, Error>) -> bool {
    match a {
        Err(Error::Auth(e)) if e.status == 401 => {
            let m = e.message.to_ascii_lowercase();
            m.contains("nonce") || m.contains("timestamp")
        }
        _ => false,
    }
}

fn items_of(body: Value) -> Result<Vec<Value>, Error> {
    match body {
        Value::Array(items) => Ok(items),
        other => Err(Error::Transport(format!(
            "expected a JSON list from the store, got {}",
            crate::model::json_type_name(&other)
        ))),
    }
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
        serde_json::from_slice(&r.body).map_err(|e| {
            Error::Transport(format!("the store's answer (HTTP {}) is not valid JSON: {e}", r.status))
        })?
    };
    Ok(Response { status: r.status, body, total, total_pages })
}

#[cfg(test)]
pub mod fake {
    //! A scripted transport for native tests.
    use super::*;
    use std::collections::VecDeque;

    #[derive(Default)]
    pub struct FakeTransport {
        pub sent: Vec<HttpRequest>,
        pub answers: VecDeque<Result<HttpResponse, String>>,
        /// Answer by path when `answers` is empty.
        pub router: Option<Box<dyn FnMut(&HttpRequest) -> HttpResponse>>,
        pub counter: u64,
        /// Every wait the client asked for, in ms.
        pub slept: Vec<u64>,
        /// Requests started and not yet finished, after each start.
        pub in_flight: Vec<usize>,
        outstanding: usize,
    }

    impl Transport for FakeTransport {
        type Pending = Vec<Result<HttpResponse, String>>;
        fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending {
            self.outstanding += requests.len();
            self.in_flight.push(self.outstanding);
            self.answer(requests)
        }
        fn finish_all(&mut self, pending: Self::Pending) -> Vec<Result<HttpResponse, String>> {
            self.outstanding -= pending.len();
            pending
        }
        fn now_unix(&self) -> u64 {
            1_700_000_000
        }
        fn nonce(&mut self) -> String {
            self.counter += 1;
            format!("nonce{}", self.counter)
        }
        fn sleep_ms(&mut self, ms: u64) {
            self.slept.push(ms);
        }
        fn random(&mut self) -> u64 {
            self.counter += 1;
            self.counter.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        }
    }

    impl FakeTransport {
        fn answer(&mut self, requests: Vec<HttpRequest>) -> Vec<Result<HttpResponse, String>> {
            requests
                .into_iter()
                .map(|r| {
                    let a = match self.answers.pop_front() {
                        Some(a) => a,
                        None => match self.router.as_mut() {
                            Some(f) => Ok(f(&r)),
                            None => Err("no scripted answer".into()),
                        },
                    };
                    self.sent.push(r);
                    a
                })
                .collect()
        }
    }

    pub fn json(status: u16, body: &str, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fake::*;
    use super::*;

    fn client(url: &str) -> Client<FakeTransport> {
        let creds = Credentials {
            consumer_key: "ck_test".into(),
            consumer_secret: "cs_test".into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        Client::new(StoreUrl::parse(url).unwrap(), creds, FakeTransport::default())
    }

    #[test]
    fn basic_auth_header_over_https() {
        let mut c = client("https://shop.example.com/");
        let r = c.build(&ApiRequest::get("/orders", vec![]));
        let auth = r.headers.iter().find(|(k, _)| k == "Authorization").unwrap();
        // base64("ck_test:cs_test")
        assert_eq!(auth.1, "Basic Y2tfdGVzdDpjc190ZXN0");
        assert_eq!(r.path_and_query, "/wp-json/wc/v3/orders");
        assert!(!r.path_and_query.contains("cs_test"));
    }

    #[test]
    fn oauth_over_plain_http_never_basic_and_never_the_secret_in_the_url() {
        let mut c = client("http://127.0.0.1:8080/shop");
        let r = c.build(&ApiRequest::get("/orders", vec![("status".into(), "processing".into())]));
        assert!(r.headers.iter().all(|(k, _)| k != "Authorization"));
        assert!(r.path_and_query.starts_with("/shop/wp-json/wc/v3/orders?status=processing&oauth_consumer_key=ck_test"));
        assert!(r.path_and_query.contains("oauth_signature="));
        assert!(!r.path_and_query.contains("cs_test"));
    }

    #[test]
    fn user_agent_is_sent() {
        let mut c = client("https://shop.example.com");
        let r = c.build(&ApiRequest::get("/orders", vec![]));
        assert!(r.headers.iter().any(|(k, v)| k == "User-Agent" && v.starts_with("woo-connector/")));
    }

    #[test]
    fn paging_across_pages_reads_every_page_once_by_page_number() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 = r.path_and_query.split("&page=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
            let body = match page {
                1 => "[{\"id\":1},{\"id\":2}]",
                2 => "[{\"id\":3},{\"id\":4}]",
                3 => "[{\"id\":5}]",
                _ => "[]",
            };
            json(200, body, &[("X-WP-Total", "5"), ("x-wp-totalpages", "3"), ("Link", "<https://x/?consumer_secret=cs>; rel=\"next\"")])
        }));
        let mut seen = vec![];
        c.for_each_page("/customers", &[], 2, 0, |_, p| {
            assert_eq!((p.total, p.total_pages), (5, 3));
            seen.extend(p.items.iter().map(|i| i["id"].as_u64().unwrap()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [1, 2, 3, 4, 5]);
        assert_eq!(c.requests, 3);
        assert!(c.transport.sent.iter().all(|r| r.path_and_query.contains("per_page=100")));
    }

    #[test]
    fn paging_resumes_after_committed_pages() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|r: &HttpRequest| {
            let page: u32 = r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap();
            json(200, &format!("[{{\"id\":{page}}}]"), &[("X-WP-Total", "3"), ("X-WP-TotalPages", "3")])
        }));
        let mut pages = vec![];
        c.for_each_page("/orders", &[], 4, 1, |_, p| {
            pages.push(p.page);
            Ok(())
        })
        .unwrap();
        assert_eq!(pages, [2, 3]);
    }

    #[test]
    fn paging_past_the_end_is_an_empty_200_and_ends_the_walk() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[]", &[("X-WP-Total", "0"), ("X-WP-TotalPages", "0")])));
        let mut calls = 0;
        c.for_each_page("/orders", &[], 4, 7, |_, p| {
            calls += 1;
            assert!(p.items.is_empty());
            Ok(())
        })
        .unwrap();
        assert_eq!((calls, c.requests), (1, 1));
    }

    #[test]
    fn rejected_oauth_nonce_is_resigned_and_retried_once_not_an_auth_failure() {
        let mut c = client("http://127.0.0.1:8080");
        c.transport.answers.push_back(Ok(json(401, r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid nonce - nonce has already been used.","data":{"status":401}}"#, &[])));
        c.transport.answers.push_back(Ok(json(200, "[]", &[])));
        assert!(c.send(&ApiRequest::get("/orders", vec![])).is_ok());
        assert_eq!(c.requests, 2);
        let nonces: Vec<&str> = c.transport.sent.iter().map(|r| r.path_and_query.split("oauth_nonce=").nth(1).unwrap().split('&').next().unwrap()).collect();
        assert_ne!(nonces[0], nonces[1], "signed afresh");
    }

    #[test]
    fn retry_a_cut_body_is_read_again_and_the_second_answer_kept() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[{\"id\":1", &[])));
        c.transport.answers.push_back(Ok(json(200, "[{\"id\":1}]", &[])));
        let r = c.send(&ApiRequest::get("/orders", vec![])).unwrap();
        assert_eq!(r.body[0]["id"], 1);
        assert_eq!((c.requests, c.retries, c.transport.slept.len()), (2, 1, 1));
    }

    #[test]
    fn paging_a_429_halves_the_pages_in_flight() {
        let mut c = client("https://shop.example.com");
        let calls = std::rc::Rc::new(std::cell::Cell::new(0));
        let seen = calls.clone();
        c.transport.router = Some(Box::new(move |r: &HttpRequest| {
            seen.set(seen.get() + 1);
            let page: u32 = r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap();
            // The first try of page 3 is refused: slow down.
            if page == 3 && seen.get() == 3 {
                return json(429, r#"{"code":"too_many","message":"slow down"}"#, &[("Retry-After", "1")]);
            }
            json(200, &format!("[{{\"id\":{page}}}]"), &[("X-WP-Total", "20"), ("X-WP-TotalPages", "20")])
        }));
        let mut pages = vec![];
        c.for_each_page("/orders", &[], 4, 0, |_, p| {
            pages.push(p.page);
            Ok(())
        })
        .unwrap();
        assert_eq!(pages, (1..=20).collect::<Vec<_>>());
        assert_eq!(c.rate_limited, 1);
        // 2-5 fly together, page 3's 429 is retried; from then on at most 2 fly.
        let sent: Vec<u32> = c.transport.sent.iter().map(|r| r.path_and_query.split("&page=").nth(1).unwrap().parse().unwrap()).collect();
        assert_eq!(&sent[..7], &[1, 2, 3, 4, 5, 6, 3], "{sent:?}");
        let flying = &c.transport.in_flight;
        assert_eq!(flying[..5], [1, 1, 2, 3, 4], "four in flight before the 429: {flying:?}");
        assert!(flying[8..].iter().all(|n| *n <= 2), "two at most after it: {flying:?}");
    }

    #[test]
    fn retry_429_waits_what_retry_after_says_then_succeeds() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(429, r#"{"code":"too_many","message":"slow down"}"#, &[("Retry-After", "2")])));
        c.transport.answers.push_back(Ok(json(200, "[]", &[])));
        assert!(c.send(&ApiRequest::get("/orders", vec![])).is_ok());
        assert_eq!(c.transport.slept, [2000]);
    }

    #[test]
    fn retry_gives_up_after_the_attempt_bound_with_a_typed_error_saying_how_often() {
        let mut c = client("https://shop.example.com");
        c.transport.router = Some(Box::new(|_| json(503, r#"{"code":"internal_server_error","message":"down"}"#, &[])));
        let e = c.send(&ApiRequest::get("/orders", vec![])).unwrap_err();
        let Error::Remote(r) = &e else { panic!("{e:?}") };
        assert_eq!(r.status, 503);
        assert!(r.message.contains("after 6 attempts"), "{e}");
        assert_eq!(c.requests, 6);
        assert_eq!(c.transport.slept.len(), 5);
        assert!(c.transport.slept.windows(2).all(|w| w[1] >= w[0] / 2), "backoff grows: {:?}", c.transport.slept);
    }

    #[test]
    fn retry_a_post_cut_by_a_reset_is_not_sent_twice_and_says_the_write_is_uncertain() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Err("connection reset by peer".into()));
        let req = ApiRequest::write(Method::Post, "/orders/5/notes", serde_json::json!({"note": "x"}));
        let e = c.send(&req).unwrap_err();
        assert!(e.to_string().contains("may or may not have applied"), "{e}");
        assert_eq!(c.requests, 1);
        // A batch of absolute stock values may be resent.
        c.transport.answers.push_back(Err("connection reset by peer".into()));
        c.transport.answers.push_back(Ok(json(200, "{}", &[])));
        assert!(c.send(&ApiRequest::write(Method::Post, "/products/batch", serde_json::json!({"update": []})).replay_safe()).is_ok());
    }

    #[test]
    fn retry_a_failed_round_resends_only_the_failed_requests_after_one_wait() {
        let mut c = client("https://shop.example.com");
        c.transport.answers.push_back(Ok(json(200, "[1]", &[])));
        c.transport.answers.push_back(Ok(json(502, "", &[])));
        c.transport.answers.push_back(Err("connection reset".into()));
        c.transport.router = Some(Box::new(|_| json(200, "[2]", &[])));
        let reqs: Vec<ApiRequest> = (1..=3).map(|p| ApiRequest::get("/orders", vec![("page".into(), p.to_string())])).collect();
        let answers = c.send_all(&reqs);
        assert!(answers.iter().all(Result::is_ok));
        assert_eq!((c.requests, c.transport.slept.len()), (5, 1));
        let resent: Vec<&str> = c.transport.sent[3..].iter().map(|r| r.path_and_query.as_str()).collect();
        assert_eq!(resent, ["/wp-json/wc/v3/orders?page=2", "/wp-json/wc/v3/orders?page=3"]);
    }
}
