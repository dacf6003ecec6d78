//! The component's bindings and the adapters between WIT and the plain-Rust core.

wit_bindgen::generate!({
    world: "connector",
    path: "../wit",
    generate_all,
    additional_derives: [serde::Serialize],
    additional_derives_ignore: ["stream-error"],
});

use crate::client::{self, HttpRequest, HttpResponse, Method, Scheme, Transport};
use crate::env::{self, Batch, Level};
use crate::{connection, direct, import, settings, sync, tools, webhook};
use exports::woo::connector::direct as wit_direct;
use exports::woo::connector::connection as wit_conn;
use exports::woo::connector::sync as wit_sync;
use exports::woo::connector::tools as wit_tools;
use exports::woo::connector::webhook as wit_webhook;
use wasi::http::{outgoing_handler, types as http};
use wasi::io::streams::StreamError;
use wasi::keyvalue::store as kv;
use woo::connector::platform;
use woo::connector::types as wit;

struct Component;
export!(Component);

/// Largest response body read from a store.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// WASI HTTP as the client's transport: every request of a batch is in
/// flight at once; the answers are awaited with `wasi:io/poll`.
struct WasiTransport;

impl WasiTransport {
    fn start(req: HttpRequest) -> Result<http::FutureIncomingResponse, String> {
        let fields: Vec<(String, Vec<u8>)> = req.headers.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
        let headers = http::Fields::from_list(&fields).map_err(|e| format!("bad header: {e:?}"))?;
        let out = http::OutgoingRequest::new(headers);
        let method = match req.method {
            Method::Get => http::Method::Get,
            Method::Post => http::Method::Post,
            Method::Put => http::Method::Put,
            Method::Patch => http::Method::Patch,
            Method::Delete => http::Method::Delete,
        };
        let scheme = match req.scheme {
            Scheme::Http => http::Scheme::Http,
            Scheme::Https => http::Scheme::Https,
        };
        out.set_method(&method).map_err(|_| "bad method".to_string())?;
        out.set_scheme(Some(&scheme)).map_err(|_| "bad scheme".to_string())?;
        out.set_authority(Some(&req.authority)).map_err(|_| "bad authority".to_string())?;
        out.set_path_with_query(Some(&req.path_and_query)).map_err(|_| "bad path".to_string())?;
        let body = out.body().map_err(|_| "no request body".to_string())?;
        let options = http::RequestOptions::new();
        let _ = options.set_connect_timeout(Some(30_000_000_000));
        let _ = options.set_first_byte_timeout(Some(120_000_000_000));
        let _ = options.set_between_bytes_timeout(Some(60_000_000_000));
        let future = outgoing_handler::handle(out, Some(options)).map_err(|e| describe(&e))?;
        {
            let stream = body.write().map_err(|_| "no request stream".to_string())?;
            for chunk in req.body.chunks(4096) {
                stream.blocking_write_and_flush(chunk).map_err(|e| format!("sending the body failed: {e:?}"))?;
            }
        }
        http::OutgoingBody::finish(body, None).map_err(|e| describe(&e))?;
        Ok(future)
    }

    fn finish(future: &http::FutureIncomingResponse) -> Result<HttpResponse, String> {
        let resp = match future.get() {
            Some(Ok(Ok(r))) => r,
            Some(Ok(Err(e))) => return Err(describe(&e)),
            Some(Err(())) => return Err("response already taken".into()),
            None => return Err("response not ready".into()),
        };
        let status = resp.status();
        let headers = resp
            .headers()
            .entries()
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect();
        let incoming = resp.consume().map_err(|_| "no response body".to_string())?;
        let mut body = Vec::new();
        {
            let stream = incoming.stream().map_err(|_| "no response stream".to_string())?;
            loop {
                match stream.blocking_read(64 * 1024) {
                    Ok(chunk) => {
                        body.extend_from_slice(&chunk);
                        if body.len() > MAX_RESPONSE {
                            return Err("the store's answer is larger than 64 MiB".into());
                        }
                    }
                    Err(StreamError::Closed) => break,
                    Err(StreamError::LastOperationFailed(e)) => {
                        return Err(format!("the answer was cut: {}", e.to_debug_string()));
                    }
                }
            }
        }
        let _ = http::IncomingBody::finish(incoming);
        Ok(HttpResponse { status, headers, body })
    }
}

fn describe(e: &http::ErrorCode) -> String {
    match e {
        http::ErrorCode::HttpRequestDenied => "the host refused the request: only the connected store may be reached".into(),
        http::ErrorCode::ConnectionRefused => "connection refused".into(),
        http::ErrorCode::DestinationIpProhibited => "the host refused the store's address: it is link-local (cloud metadata), never a store".into(),
        http::ErrorCode::ConnectionTimeout => "connection timed out".into(),
        http::ErrorCode::TlsCertificateError => "the store's TLS certificate is not trusted (use --ca-cert for a self-signed one)".into(),
        other => format!("{other:?}"),
    }
}

impl Transport for WasiTransport {
    type Pending = Vec<Result<http::FutureIncomingResponse, String>>;

    fn start_all(&mut self, requests: Vec<HttpRequest>) -> Self::Pending {
        requests.into_iter().map(Self::start).collect()
    }

    fn finish_all(&mut self, started: Self::Pending) -> Vec<Result<HttpResponse, String>> {
        let mut pending: Vec<usize> = started.iter().enumerate().filter(|(_, f)| f.is_ok()).map(|(i, _)| i).collect();
        let mut answers: Vec<Option<Result<HttpResponse, String>>> = (0..started.len()).map(|_| None).collect();
        while !pending.is_empty() {
            let pollables: Vec<_> = pending
                .iter()
                .filter_map(|i| started[*i].as_ref().ok().map(|f| f.subscribe()))
                .collect();
            let refs: Vec<&wasi::io::poll::Pollable> = pollables.iter().collect();
            let ready = wasi::io::poll::poll(&refs);
            let mut still = vec![];
            for (slot, i) in pending.iter().enumerate() {
                if ready.contains(&(slot as u32)) {
                    if let Ok(f) = &started[*i] {
                        answers[*i] = Some(Self::finish(f));
                    }
                } else {
                    still.push(*i);
                }
            }
            pending = still;
        }
        started
            .into_iter()
            .zip(answers)
            .map(|(s, a)| match (s, a) {
                (Err(e), _) => Err(e),
                (Ok(_), Some(a)) => a,
                (Ok(_), None) => Err("no answer".into()),
            })
            .collect()
    }

    fn now_unix(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }

    fn nonce(&mut self) -> String {
        wasi::random::random::get_random_bytes(16).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn sleep_ms(&mut self, ms: u64) {
        // std's sleep is a wasi:clocks pollable: the host waits, the guest's compute budget does not.
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }

    fn random(&mut self) -> u64 {
        wasi::random::random::get_random_u64()
    }
}

/// The host imports as the core's `env::Host`.
struct WitHost;

thread_local! {
    /// Buckets opened once per instance: an open and a drop per read would be
    /// two more host calls each time.
    static BUCKETS: std::cell::RefCell<Vec<(String, std::rc::Rc<kv::Bucket>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn bucket(name: &str) -> Option<std::rc::Rc<kv::Bucket>> {
    BUCKETS.with(|open| {
        let mut open = open.borrow_mut();
        if let Some((_, b)) = open.iter().find(|(n, _)| n == name) {
            return Some(b.clone());
        }
        let b = std::rc::Rc::new(kv::open(name).ok()?);
        open.push((name.to_string(), b.clone()));
        Some(b)
    })
}

impl env::Host for WitHost {
    fn commit(&mut self, batch: Batch) -> Result<Vec<bool>, String> {
        let b = platform::Batch {
            records: batch
                .records
                .into_iter()
                .map(|r| platform::PlatformRecord { kind: r.kind.to_string(), id: r.id, body: r.body.to_string() })
                .collect(),
            triggers: batch
                .triggers
                .into_iter()
                .map(|t| platform::TriggerEvent { name: t.name.to_string(), order_id: t.order_id, contact_id: t.contact_id, time: t.time })
                .collect(),
            notifications: batch
                .notifications
                .into_iter()
                .map(|n| platform::Notification { topic: n.topic, recipient: n.recipient, subject: n.subject, body: n.body })
                .collect(),
            state: batch.state,
        };
        platform::commit(&b)
    }
    fn progress(&mut self, kind: &str, done: u64, total: u64) {
        platform::progress(kind, done, total);
    }
    fn log(&mut self, level: Level, message: &str) {
        let l = match level {
            Level::Debug => platform::LogLevel::Debug,
            Level::Info => platform::LogLevel::Info,
            Level::Warn => platform::LogLevel::Warn,
            Level::Error => platform::LogLevel::Error,
        };
        platform::log(l, message);
    }
    fn get(&mut self, b: &str, key: &str) -> Option<Vec<u8>> {
        bucket(b)?.get(key).ok().flatten()
    }
    fn set(&mut self, b: &str, key: &str, value: &[u8]) -> Result<(), String> {
        bucket(b).ok_or("no such bucket")?.set(key, value).map_err(|e| format!("{e:?}"))
    }
    fn delete(&mut self, b: &str, key: &str) -> Result<(), String> {
        bucket(b).ok_or("no such bucket")?.delete(key).map_err(|e| format!("{e:?}"))
    }
    fn keys(&mut self, b: &str) -> Vec<String> {
        let Some(bk) = bucket(b) else { return vec![] };
        let mut out = vec![];
        let mut cursor = None;
        while let Ok(page) = bk.list_keys(cursor) {
            out.extend(page.keys);
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        out
    }
    fn now_rfc3339(&self) -> String {
        let secs = WasiTransport.now_unix();
        crate::env::rfc3339(secs)
    }
}

fn to_wit(e: client::Error) -> wit::Error {
    let remote = |r: client::RemoteError| wit::RemoteError { status: r.status, code: r.code, message: r.message };
    match e {
        client::Error::Auth(r) => wit::Error::Auth(remote(r)),
        client::Error::Forbidden(r) => wit::Error::Forbidden(remote(r)),
        client::Error::NotFound(r) => wit::Error::NotFound(remote(r)),
        client::Error::RateLimited(r) => wit::Error::RateLimited(remote(r)),
        client::Error::Remote(r) => wit::Error::Remote(remote(r)),
        client::Error::InvalidInput { field, message } => wit::Error::InvalidInput(wit::InvalidInput { field, message }),
        client::Error::Transport(m) => wit::Error::Transport(m),
        client::Error::ReconnectRequired(m) => wit::Error::ReconnectRequired(m),
        client::Error::NotConnected => wit::Error::NotConnected,
    }
}

/// Run `f` with a client for the connected store. An error that may mean
/// the connection is broken runs the connection's own check, and only a
/// failed check moves it to `reconnect_required` (`connection::note_failure`).
fn with_client<R>(f: impl FnOnce(&mut client::Client<WasiTransport>, &mut WitHost) -> Result<R, client::Error>) -> Result<R, wit::Error> {
    let mut host = WitHost;
    let mut c = connection::open(&mut host, WasiTransport).map_err(to_wit)?;
    f(&mut c, &mut host).map_err(|e| to_wit(connection::note_failure(&mut host, &mut c, e)))
}

fn info_to_wit(i: connection::Info) -> wit_conn::StoreInfo {
    wit_conn::StoreInfo {
        state: match i.state {
            connection::State::Connected => wit_conn::ConnectionState::Connected,
            connection::State::ReconnectRequired => wit_conn::ConnectionState::ReconnectRequired,
            connection::State::Disconnected => wit_conn::ConnectionState::Disconnected,
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
                Some(wit_conn::SignatureMethod::HmacSha1) => client::SignatureMethod::HmacSha1,
                _ => client::SignatureMethod::HmacSha256,
            },
            owner_email: config.owner_email,
        };
        connection::connect(&mut WitHost, WasiTransport, cfg).map(|(i, _)| info_to_wit(i)).map_err(to_wit)
    }

    fn status() -> wit_conn::StoreInfo {
        info_to_wit(connection::info(&mut WitHost))
    }

    fn authorize_url(store_url: String, app_name: String, user_id: String, return_url: String, callback_url: String) -> Result<String, wit::Error> {
        connection::authorize_url(&store_url, &app_name, &user_id, &return_url, &callback_url).map_err(to_wit)
    }

    fn disconnect() -> Result<(), wit::Error> {
        connection::disconnect(&mut WitHost).map_err(to_wit)
    }
}

fn kind_from_wit(k: wit::Kind) -> import::Kind {
    match k {
        wit::Kind::Contacts => import::Kind::Contacts,
        wit::Kind::Orders => import::Kind::Orders,
        wit::Kind::Transactions => import::Kind::Transactions,
        wit::Kind::Products => import::Kind::Products,
        wit::Kind::Collections => import::Kind::Collections,
    }
}

fn kind_to_wit(k: import::Kind) -> wit::Kind {
    match k {
        import::Kind::Contacts => wit::Kind::Contacts,
        import::Kind::Orders => wit::Kind::Orders,
        import::Kind::Transactions => wit::Kind::Transactions,
        import::Kind::Products => wit::Kind::Products,
        import::Kind::Collections => wit::Kind::Collections,
    }
}

fn report_to_wit(r: import::Report) -> wit_sync::Report {
    wit_sync::Report {
        kinds: r
            .kinds
            .into_iter()
            .map(|k| wit_sync::KindReport {
                kind: kind_to_wit(k.kind),
                records: k.records,
                created: k.created,
                updated: k.updated,
                skipped: k.skipped,
                malformed: k.malformed,
            })
            .collect(),
        requests: r.requests,
        triggers: r.triggers,
    }
}

impl wit_sync::Guest for Component {
    fn import(kinds: Vec<wit::Kind>) -> Result<wit_sync::Report, wit::Error> {
        let kinds: Vec<import::Kind> = kinds.into_iter().map(kind_from_wit).collect();
        with_client(|c, host| { let n = settings::concurrency(host); import::run(c, host, &kinds, n) }).map(report_to_wit)
    }

    fn get_settings() -> wit_sync::Settings {
        let s = settings::load(&mut WitHost);
        wit_sync::Settings {
            contacts: s.contacts,
            orders: s.orders,
            transactions: s.transactions,
            products: s.products,
            collections: s.collections,
            order_submitted: s.order_submitted,
            payment_received: s.payment_received,
        }
    }

    fn set_settings(s: wit_sync::Settings) -> Result<(), wit::Error> {
        let s = settings::Settings {
            contacts: s.contacts,
            orders: s.orders,
            transactions: s.transactions,
            products: s.products,
            collections: s.collections,
            order_submitted: s.order_submitted,
            payment_received: s.payment_received,
        };
        settings::save(&mut WitHost, &s).map_err(|e| to_wit(client::Error::Transport(e)))
    }

    fn sync_pass(kinds: Option<Vec<wit::Kind>>) -> Result<wit_sync::Report, wit::Error> {
        let kinds: Option<Vec<import::Kind>> = kinds.map(|k| k.into_iter().map(kind_from_wit).collect());
        with_client(|c, host| { let n = settings::concurrency(host); sync::run_pass(c, host, kinds.as_deref(), n) }).map(report_to_wit)
    }
}

impl wit_tools::Guest for Component {
    fn list_tools() -> Vec<wit_tools::ToolInfo> {
        tools::TOOLS
            .iter()
            .map(|t| wit_tools::ToolInfo {
                name: t.name.to_string(),
                description: t.description.to_string(),
                input_schema: (t.schema)().to_string(),
            })
            .collect()
    }

    fn call_tool(name: String, arguments: String) -> Result<String, wit::Error> {
        if arguments.len() > 1024 * 1024 {
            return Err(to_wit(client::Error::invalid("arguments", "are larger than 1 MiB")));
        }
        let args: serde_json::Value = serde_json::from_str(&arguments)
            .map_err(|e| to_wit(client::Error::invalid("arguments", format!("are not JSON: {e}"))))?;
        if tools::find(&name).is_none() {
            return Err(to_wit(client::Error::invalid("name", format!("there is no tool `{name}`"))));
        }
        with_client(|c, host| tools::call(c, host, &name, &args)).map(|v| v.to_string())
    }
}

impl wit_webhook::Guest for Component {
    fn register(delivery_url: String) -> Result<Vec<u64>, wit::Error> {
        with_client(|c, host| webhook::register(c, host, &delivery_url))
    }

    fn handle_delivery(headers: Vec<(String, String)>, body: Vec<u8>) -> Result<wit_webhook::DeliveryOutcome, wit::Error> {
        // A restored resource is re-read from the store with the saved credentials.
        let read = |host: &mut WitHost, req: &client::ApiRequest| {
            let mut c = connection::open(host, WasiTransport)?;
            c.send(req).map(|r| r.body).map_err(|e| connection::note_failure(host, &mut c, e))
        };
        webhook::handle(&mut WitHost, &headers, &body, read).map_err(to_wit).map(|o| match o {
            webhook::Outcome::Applied => wit_webhook::DeliveryOutcome::Applied,
            webhook::Outcome::Duplicate => wit_webhook::DeliveryOutcome::Duplicate,
            webhook::Outcome::Ping => wit_webhook::DeliveryOutcome::Ping,
            webhook::Outcome::Ignored => wit_webhook::DeliveryOutcome::Ignored,
            webhook::Outcome::Stale => wit_webhook::DeliveryOutcome::Stale,
            webhook::Outcome::Deferred => wit_webhook::DeliveryOutcome::Deferred,
        })
    }
}

/// Run tool `name` with the typed arguments merged into its JSON object.
fn run(name: &str, parts: &[serde_json::Value]) -> Result<serde_json::Value, wit::Error> {
    let args = direct::args(parts);
    with_client(|c, host| tools::call(c, host, name, &args))
}

fn json_of<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn page_of(v: Result<serde_json::Value, wit::Error>) -> Result<wit_direct::Page, wit::Error> {
    let p = direct::page(&v?);
    Ok(wit_direct::Page { items: p.items, page: p.page, per_page: p.per_page, total: p.total, total_pages: p.total_pages, truncated: p.truncated })
}

fn text_of(v: Result<serde_json::Value, wit::Error>) -> Result<String, wit::Error> {
    v.map(|v| v.to_string())
}

impl wit_direct::Guest for Component {
    fn list_orders(paging: Option<wit_direct::Paging>, dates: Option<wit_direct::Dates>, status: Option<String>, customer: Option<u64>, product: Option<u64>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-orders", &[json_of(&paging), json_of(&dates), serde_json::json!({"status": status, "customer": customer, "product": product})]))
    }
    fn get_order(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-order", &[serde_json::json!({"id": id})]))
    }
    fn update_order(id: u64, status: Option<String>, customer_note: Option<String>, meta_data: Option<Vec<wit_direct::Meta>>) -> Result<String, wit::Error> {
        text_of(run("update-order", &[serde_json::json!({"id": id, "status": status, "customer_note": customer_note, "meta_data": json_of(&meta_data)})]))
    }
    fn list_products(paging: Option<wit_direct::Paging>, dates: Option<wit_direct::Dates>, status: Option<String>, product_type: Option<String>, category: Option<u64>, sku: Option<String>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-products", &[json_of(&paging), json_of(&dates), serde_json::json!({"status": status, "type": product_type, "category": category, "sku": sku})]))
    }
    fn get_product(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-product", &[serde_json::json!({"id": id})]))
    }
    fn create_product(fields: wit_direct::ProductFields, product_type: Option<String>, attributes: Option<Vec<wit_direct::Attribute>>, variations: Option<Vec<wit_direct::NewVariation>>) -> Result<String, wit::Error> {
        text_of(run("create-product", &[json_of(&fields), serde_json::json!({"type": product_type, "attributes": json_of(&attributes), "variations": json_of(&variations)})]))
    }
    fn update_product(id: u64, fields: wit_direct::ProductFields) -> Result<String, wit::Error> {
        text_of(run("update-product", &[serde_json::json!({"id": id}), json_of(&fields)]))
    }
    fn list_customers(paging: Option<wit_direct::Paging>, email: Option<String>, role: Option<String>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-customers", &[json_of(&paging), serde_json::json!({"email": email, "role": role})]))
    }
    fn get_customer(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-customer", &[serde_json::json!({"id": id})]))
    }
    fn create_customer(fields: wit_direct::CustomerFields) -> Result<String, wit::Error> {
        text_of(run("create-customer", &[json_of(&fields)]))
    }
    fn update_customer(id: u64, fields: wit_direct::CustomerFields) -> Result<String, wit::Error> {
        text_of(run("update-customer", &[serde_json::json!({"id": id}), json_of(&fields)]))
    }
    fn list_coupons(paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-coupons", &[json_of(&paging)]))
    }
    fn list_categories(paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-categories", &[json_of(&paging)]))
    }
    fn list_product_variations(product_id: u64, paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-product-variations", &[serde_json::json!({"product_id": product_id}), json_of(&paging)]))
    }
    fn update_product_variation(product_id: u64, id: u64, fields: wit_direct::VariationFields) -> Result<String, wit::Error> {
        text_of(run("update-product-variation", &[serde_json::json!({"product_id": product_id, "id": id}), json_of(&fields)]))
    }
    fn list_order_refunds(order_id: u64, paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-order-refunds", &[serde_json::json!({"order_id": order_id}), json_of(&paging)]))
    }
    fn create_order_refund(order_id: u64, amount: String, reason: Option<String>, api_refund: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("create-order-refund", &[serde_json::json!({"order_id": order_id, "amount": amount, "reason": reason, "api_refund": api_refund})]))
    }
    fn add_order_note(order_id: u64, note: String, customer_note: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("add-order-note", &[serde_json::json!({"order_id": order_id, "note": note, "customer_note": customer_note})]))
    }
    fn push_stock(items: Vec<wit_direct::StockLine>) -> Result<String, wit::Error> {
        let items: Vec<serde_json::Value> = items
            .into_iter()
            .map(|l| match l.target {
                wit_direct::StockRef::Sku(sku) => serde_json::json!({"sku": sku, "quantity": l.quantity}),
                wit_direct::StockRef::Product(id) => serde_json::json!({"product_id": id, "quantity": l.quantity}),
                wit_direct::StockRef::Variation(id) => serde_json::json!({"variation_id": id, "quantity": l.quantity}),
            })
            .collect();
        text_of(run("push-stock", &[serde_json::json!({"items": items})]))
    }
    fn push_shipment(order_id: u64, carrier: String, tracking_number: String, tracking_url: Option<String>) -> Result<String, wit::Error> {
        text_of(run("push-shipment", &[serde_json::json!({"order_id": order_id, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url})]))
    }
    fn push_contact(contact_id: String, set: Vec<(String, String)>) -> Result<String, wit::Error> {
        let set: serde_json::Map<String, serde_json::Value> = set.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
        text_of(run("push-contact", &[serde_json::json!({"contact_id": contact_id, "set": set})]))
    }
    fn update_stock(target: wit_direct::StockTarget, quantity: i64) -> Result<String, wit::Error> {
        let t = match target {
            wit_direct::StockTarget::Product(id) => serde_json::json!({"product_id": id}),
            wit_direct::StockTarget::Variation((p, v)) => serde_json::json!({"product_id": p, "variation_id": v}),
            wit_direct::StockTarget::Sku(sku) => serde_json::json!({"sku": sku}),
        };
        text_of(run("update-stock", &[t, serde_json::json!({"quantity": quantity})]))
    }
    fn batch_update_products(update: Vec<wit_direct::ProductUpdate>) -> Result<String, wit::Error> {
        text_of(run("batch-update-products", &[serde_json::json!({"update": json_of(&update)})]))
    }
    fn raw_api_request(method: String, path: String, query: Vec<(String, String)>, body: Option<String>) -> Result<String, wit::Error> {
        let body = match body {
            Some(b) => Some(serde_json::from_str::<serde_json::Value>(&b).map_err(|e| to_wit(client::Error::invalid("body", format!("is not JSON: {e}"))))?),
            None => None,
        };
        let query: serde_json::Map<String, serde_json::Value> = query.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
        text_of(run("raw-api-request", &[serde_json::json!({"method": method, "path": path, "query": query, "body": body})]))
    }
}
