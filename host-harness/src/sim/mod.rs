//! The store simulator: a loopback WooCommerce REST v3 subset with the same
//! JSON shapes, headers, errors and authentication as a real store (checked
//! against one by the conformance suite), seeded deterministically, with fault
//! injection and webhook delivery.

pub mod auth;
pub mod seed;
mod tls;

use anyhow::Result;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;

pub use seed::{Data, SeedSpec};

/// The WooCommerce version simulated by default: the real store's.
pub const DEFAULT_VERSION: &str = "11.0.1";

/// Injected faults. `every_*` = every Nth request (0 = never).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub latency_ms: u64,
    pub every_429: u64,
    /// How many 429s in a row each time one hits (a burst).
    pub burst_429: u64,
    pub retry_after_secs: u64,
    /// Every Nth request is slowed by `spike_ms` more (a latency spike).
    pub every_spike: u64,
    pub spike_ms: u64,
    pub every_500: u64,
    pub every_502: u64,
    pub every_503: u64,
    pub every_504: u64,
    pub every_reset: u64,
    pub every_truncate: u64,
    /// The API key was deleted: every authenticated request is refused.
    pub revoked: bool,
    /// The store answers 503 to everything once this many requests were served (0 = never).
    pub down_after: u64,
    /// The key is deleted once this many requests were served (0 = never).
    pub revoke_after: u64,
    /// The REST API is gone (404 `rest_no_route` everywhere).
    pub api_gone: bool,
    /// The key has `read` permission only: writes are refused with the 401
    /// WooCommerce 11 gives a read-only key.
    pub read_only: bool,
}

impl Faults {
    /// Parse `latency=20,429=5,burst=3,retry-after=1,spike=9,spike-ms=300,500=7,502=0,503=0,504=0,reset=11,truncate=13,down-after=90,revoke-after=50,revoked,gone,read-only`.
    pub fn parse(spec: &str) -> Result<Faults> {
        let mut f = Faults::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (k, v) = item.split_once('=').unwrap_or((item, ""));
            let n = || -> Result<u64> {
                v.parse().map_err(|_| anyhow::anyhow!("--faults: `{item}` needs a whole number, e.g. {k}=5"))
            };
            match k {
                "latency" => f.latency_ms = n()?,
                "429" => f.every_429 = n()?,
                "retry-after" => f.retry_after_secs = n()?,
                "burst" => f.burst_429 = n()?,
                "spike" => f.every_spike = n()?,
                "spike-ms" => f.spike_ms = n()?,
                "504" => f.every_504 = n()?,
                "revoke-after" => f.revoke_after = n()?,
                "down-after" => f.down_after = n()?,
                "500" => f.every_500 = n()?,
                "502" => f.every_502 = n()?,
                "503" => f.every_503 = n()?,
                "reset" => f.every_reset = n()?,
                "truncate" => f.every_truncate = n()?,
                "revoked" => f.revoked = true,
                "gone" | "api-gone" => f.api_gone = true,
                "read-only" => f.read_only = true,
                _ => anyhow::bail!(
                    "--faults: unknown fault `{k}` (known: latency, 429, burst, retry-after, spike, spike-ms, 500, 502, 503, 504, reset, truncate, down-after, revoke-after, revoked, gone, read-only)"
                ),
            }
        }
        Ok(f)
    }

    /// No faults, with the defaults a fault uses when switched on.
    pub fn new() -> Faults {
        Faults { retry_after_secs: 1, burst_429: 1, spike_ms: 300, ..Default::default() }
    }
}

/// A request the simulator saw (for tests and benchmarks).
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
}

/// Everything the simulator knows; tests reach in to change it.
pub struct SimState {
    pub data: RwLock<Data>,
    pub keys: Mutex<auth::Keys>,
    pub version: String,
    pub faults: Mutex<Faults>,
    nonces: Mutex<HashSet<String>>,
    pub requests: AtomicU64,
    /// Requests answered with an injected fault (spikes not counted).
    pub faulted: AtomicU64,
    pub seen: Mutex<Vec<Seen>>,
    pub deliveries: AtomicU64,
}

/// A running simulator.
pub struct Simulator {
    pub http_url: String,
    pub https_url: String,
    pub ca_cert: PathBuf,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub state: Arc<SimState>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// How to start one.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: SeedSpec,
    pub version: String,
    pub faults: Faults,
    /// Plain HTTP address (port 0 = any); HTTPS listens on the next free port.
    pub listen: SocketAddr,
    pub https_listen: Option<SocketAddr>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: SeedSpec { customers: 50, orders: 100, products: 30, seed: 1 },
            version: DEFAULT_VERSION.into(),
            faults: Faults::default(),
            listen: "127.0.0.1:0".parse().expect("literal address"),
            https_listen: None,
        }
    }
}

fn random_hex(n: usize) -> String {
    (0..n).map(|_| format!("{:x}", rand::random::<u8>() & 0xF)).collect()
}

impl Simulator {
    pub async fn start(cfg: SimConfig) -> Result<Simulator> {
        let data = seed::seed(cfg.seed);
        let keys = auth::Keys { consumer_key: format!("ck_{}", random_hex(40)), consumer_secret: format!("cs_{}", random_hex(40)) };
        let state = Arc::new(SimState {
            data: RwLock::new(data),
            keys: Mutex::new(keys.clone()),
            version: cfg.version.clone(),
            faults: Mutex::new(cfg.faults.clone()),
            nonces: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
            seen: Mutex::new(vec![]),
            deliveries: AtomicU64::new(0),
        });
        let plain = TcpListener::bind(cfg.listen).await?;
        let https_addr = cfg.https_listen.unwrap_or_else(|| SocketAddr::new(cfg.listen.ip(), 0));
        let secure = TcpListener::bind(https_addr).await?;
        let http_url = format!("http://{}", plain.local_addr()?);
        let https_url = format!("https://{}", secure.local_addr()?);
        let dir = std::env::temp_dir().join(format!("woo-sim-{}-{}", std::process::id(), plain.local_addr()?.port()));
        let tls = tls::make(&dir)?;
        let mut tasks = vec![];
        let st = state.clone();
        tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = plain.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = stream.set_nodelay(true);
                    serve(TokioIo::new(stream), st, "http").await;
                });
            }
        }));
        let st = state.clone();
        let acceptor = tls.acceptor.clone();
        tasks.push(tokio::spawn(async move {
            while let Ok((stream, _)) = secure.accept().await {
                let st = st.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    if let Ok(s) = acceptor.accept(stream).await {
                        serve(TokioIo::new(s), st, "https").await;
                    }
                });
            }
        }));
        api::register(&state);
        Ok(Simulator {
            http_url,
            https_url,
            ca_cert: tls.ca_path,
            consumer_key: keys.consumer_key,
            consumer_secret: keys.consumer_secret,
            state,
            tasks,
        })
    }
}

type Body = BoxBody<Bytes, std::io::Error>;

async fn serve<IO>(io: IO, state: Arc<SimState>, scheme: &'static str)
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = state.clone();
        async move { handle(state, scheme, req).await }
    });
    let _ = hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(io, svc).await;
}

fn full(b: impl Into<Bytes>) -> Body {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut r = Response::new(full(serde_json::to_vec(body).unwrap_or_default()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", "application/json; charset=UTF-8".parse().expect("static header"));
    r
}

/// An error body shaped like WooCommerce's.
pub fn wc_error(status: u16, code: &str, message: &str) -> Response<Body> {
    json_response(status, &json!({"code": code, "message": message, "data": {"status": status}}))
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

async fn handle(state: Arc<SimState>, scheme: &'static str, req: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
    let n = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let mut faults = state.faults.lock().map(|f| f.clone()).unwrap_or_default();
    let hit = |every: u64| every > 0 && n % every == 0;
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
        for (every, status) in [(if down { 1 } else { 0 }, 503), (faults.every_500, 500), (faults.every_502, 502), (faults.every_503, 503), (faults.every_504, 504)] {
            if hit(every) {
                fault(&state);
                let r = wc_error(status, "internal_server_error", "There has been a critical error on this website.");
                return Ok(record(&state, &parts.method, &path, &query, r));
            }
        }
    }
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1").to_string();
    let ctx = Ctx { state: &state, scheme, host: &host, method: &parts.method, path: &path, query: &query, headers: &parts.headers, body: &body };
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
        s.push(Seen { method: method.to_string(), path: path.to_string(), query: query.to_string(), status: r.status().as_u16() });
    }
    r
}

struct Ctx<'a> {
    state: &'a SimState,
    scheme: &'static str,
    host: &'a str,
    method: &'a Method,
    path: &'a str,
    query: &'a str,
    headers: &'a http::HeaderMap,
    body: &'a Bytes,
}

impl Ctx<'_> {
    fn params(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (auth::decode(k), auth::decode(v))
            })
            .collect()
    }

    fn param(&self, name: &str) -> Option<String> {
        self.params().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    fn json_body(&self) -> Value {
        serde_json::from_slice(self.body).unwrap_or(Value::Null)
    }

    /// WooCommerce's authentication; `None` = allowed.
    fn authenticate(&self, faults: &Faults) -> Option<Response<Body>> {
        let keys = self.state.keys.lock().map(|k| k.clone()).ok()?;
        let header = self.headers.get("authorization").and_then(|h| h.to_str().ok()).unwrap_or("");
        let mut params = self.params();
        params.extend(auth::oauth_header_params(header));
        let refuse = |(code, msg): auth::Refusal| Some(wc_error(401, code, &msg));
        let has_oauth = params.iter().any(|(k, _)| k == "oauth_signature");
        let result = if has_oauth {
            let base_url = format!("{}://{}{}", self.scheme, self.host, self.path);
            let mut nonces = self.state.nonces.lock().ok()?;
            Some(auth::verify_oauth(self.method.as_str(), &base_url, &params, &keys, now_secs(), &mut nonces))
        } else if self.scheme == "https" {
            if let Some(r) = auth::verify_basic(header, &keys) {
                Some(r)
            } else {
                match (self.param("consumer_key"), self.param("consumer_secret")) {
                    (Some(k), Some(s)) => auth::check_pair(&k, &s, &keys),
                    _ => None,
                }
            }
        } else {
            // Over plain HTTP WooCommerce looks for OAuth only: Basic auth and
            // query-string keys are not even read.
            None
        };
        match result {
            Some(Ok(())) if faults.revoked => refuse(("woocommerce_rest_authentication_error", "Consumer key is invalid.".into())),
            Some(Ok(())) if faults.read_only && !matches!(*self.method, Method::GET | Method::HEAD | Method::OPTIONS) => {
                refuse(("woocommerce_rest_authentication_error", "The API key provided does not have write permissions.".into()))
            }
            Some(Ok(())) => None,
            Some(Err(e)) => refuse(e),
            None => {
                let (code, msg) = match *self.method {
                    Method::POST => ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
                    Method::PUT | Method::PATCH => ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
                    Method::DELETE => ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
                    _ => ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
                };
                refuse((code, msg.into()))
            }
        }
    }
}

fn route(ctx: &Ctx, faults: &Faults) -> Response<Body> {
    let p = ctx.path.trim_end_matches('/');
    if p == "/wp-json" {
        return json_response(200, &json!({"name": "Simulated store", "url": format!("{}://{}", ctx.scheme, ctx.host), "namespaces": ["wc/v3"], "authentication": []}));
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
    api::dispatch(ctx, rest)
}

pub mod api;

impl SimState {
    /// Place an order the way a shopper would (for demos and tests); webhooks fire.
    pub fn place_order(self: &Arc<Self>, customer_id: u64, email: &str, paid: bool) -> Value {
        let product = self.data.read().ok().and_then(|d| {
            d.products.iter().find(|p| p["type"] == "simple" && p["status"] == "publish" && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")).map(|p| p["id"].clone())
        });
        let body = json!({"customer_id": customer_id, "set_paid": paid, "payment_method": "bacs", "billing": {"first_name": "New", "last_name": "Shopper", "email": email}, "line_items": [{"product_id": product, "quantity": 1}]});
        let o = self.data.write().map(|mut d| api::build_order(&mut d, &body, &self.version)).unwrap_or_default();
        deliver_webhooks(self, "order.created", &o);
        o
    }

    /// Change an order (status, meta …) as the REST API would; webhooks fire.
    pub fn update_order(self: &Arc<Self>, id: u64, body: Value) -> Option<Value> {
        let o = self.data.write().ok().and_then(|mut d| api::apply_order_update(&mut d, Some(id), &body))?;
        deliver_webhooks(self, "order.updated", &o);
        Some(o)
    }

    /// Change a product as the REST API would; webhooks fire.
    pub fn update_product(self: &Arc<Self>, id: u64, body: Value) -> Option<Value> {
        let p = self.data.write().ok().and_then(|mut d| api::apply_product_update(&mut d, Some(id), &body))?;
        deliver_webhooks(self, "product.updated", &p);
        Some(p)
    }
}

/// Sign and deliver a webhook body (spawned; the real store is asynchronous too).
pub fn deliver_webhooks(state: &Arc<SimState>, topic: &str, resource: &Value) {
    let hooks: Vec<Value> = state
        .data
        .read()
        .map(|d| d.webhooks.iter().filter(|w| w["status"] == "active" && w["topic"] == topic).cloned().collect())
        .unwrap_or_default();
    for hook in hooks {
        let url = hook["delivery_url"].as_str().unwrap_or("").to_string();
        let secret = hook["secret"].as_str().unwrap_or("").to_string();
        let body = serde_json::to_vec(resource).unwrap_or_default();
        let mut mac = match <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) {
            Ok(m) => m,
            Err(_) => continue,
        };
        mac.update(&body);
        let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let (resource_name, event) = topic.split_once('.').unwrap_or((topic, ""));
        let headers = vec![
            ("X-WC-Webhook-Source".to_string(), "http://127.0.0.1/".to_string()),
            ("X-WC-Webhook-Topic".to_string(), topic.to_string()),
            ("X-WC-Webhook-Resource".to_string(), resource_name.to_string()),
            ("X-WC-Webhook-Event".to_string(), event.to_string()),
            ("X-WC-Webhook-Signature".to_string(), signature),
            ("X-WC-Webhook-ID".to_string(), hook["id"].to_string()),
            ("X-WC-Webhook-Delivery-ID".to_string(), state.deliveries.fetch_add(1, Ordering::SeqCst).to_string()),
        ];
        let st = state.clone();
        tokio::spawn(async move {
            let _ = post_loopback(&url, headers, body, "application/json").await;
            let _ = st;
        });
    }
}

/// POST to a loopback URL only (the simulator never reaches anything else).
pub async fn post_loopback(url: &str, headers: Vec<(String, String)>, body: Vec<u8>, content_type: &str) -> Result<u16> {
    let rest = url.strip_prefix("http://").ok_or_else(|| anyhow::anyhow!("the simulator delivers to http:// loopback URLs only"))?;
    let (authority, path) = rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
    anyhow::ensure!(matches!(host, "127.0.0.1" | "localhost" | "[::1]"), "refusing to deliver to a non-loopback host");
    let stream = tokio::net::TcpStream::connect(authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::post(path).header("host", authority).header("content-type", content_type).header("user-agent", "WooCommerce/11.0.1 Hookshot (WordPress/7.1)");
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = sender.send_request(req.body(Full::new(Bytes::from(body)))?).await?;
    Ok(resp.status().as_u16())
}
