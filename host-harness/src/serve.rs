//! `woo serve`: webhook deliveries (`POST /webhooks`, `POST /webhooks/<connection>`)
//! and the wc-auth callback (`POST /wc-auth/callback`, `POST /wc-auth/callback/<connection>`).

use crate::runtime::Runtime;
use crate::session;
use crate::wit::connection::ConnectConfig;
use crate::wit::{types, webhook};
use anyhow::Result;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::runtime::Session;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod body;
mod guard;
pub use guard::Limits;

/// Largest body accepted (deliveries are a resource's JSON).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Requests handled at once (each runs a component instance against the
/// database); more wait with their bodies already paid for.
const HANDLED_AT_ONCE: usize = 16;

/// Largest request head (line and headers) read; WooCommerce sends about 1 KiB.
const MAX_HEAD: usize = 64 * 1024;

struct Ctx {
    runtime: Runtime,
    kept: Kept,
    /// SQLite: the one database connection every delivery instance writes
    /// through (see `storage::Shared`); PostgreSQL: none, each instance has
    /// its own connection and the server groups their concurrent commits.
    shared: Option<crate::storage::Shared>,
    db: String,
    ca_cert: Option<PathBuf>,
    limits: Limits,
    budget: body::Budget,
    handling: tokio::sync::Semaphore,
}

/// Listen until stopped.
pub async fn run(
    runtime: Runtime,
    db: String,
    listen: SocketAddr,
    ca_cert: Option<PathBuf>,
    limits: Limits,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("woo serve: listening on http://{} (POST /webhooks, POST /wc-auth/callback)", listener.local_addr()?);
    serve_with(listener, runtime, db, ca_cert, limits).await
}

/// Serve on a bound listener (tests bind port 0), with the default limits.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    runtime: Runtime,
    db: String,
    ca_cert: Option<PathBuf>,
) -> Result<()> {
    serve_with(listener, runtime, db, ca_cert, Limits::default()).await
}

/// Serve on a bound listener until SIGTERM or ctrl-c, then stop accepting
/// and let the requests in flight finish (within `limits.grace`).
///
/// A connection without a signature can cost only bounded time and memory:
/// its headers must arrive within `header_timeout` (which also ends idle
/// keep-alives), its body within `body_timeout`; bodies are paid for from one
/// shared budget as they arrive and refused with 503 when it is spent; at
/// `max_connections` the connection that has waited longest for a request is
/// closed to make room; accept errors (out of descriptors …) back off.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    runtime: Runtime,
    db: String,
    ca_cert: Option<PathBuf>,
    limits: Limits,
) -> Result<()> {
    guard::tune_allocator();
    let max_connections = guard::fit_to_open_files(limits.max_connections);
    if max_connections < limits.max_connections {
        eprintln!(
            "woo serve: at most {max_connections} connections (the open-file limit, ulimit -n, leaves room for no more)"
        );
    }
    let conns = guard::Conns::new(max_connections);
    let shared = match crate::storage::postgres::is_url(&db) {
        true => None,
        false => Some(crate::storage::Shared::new(delivery_storage(&db)?)),
    };
    let ctx = Arc::new(Ctx {
        runtime,
        shared,
        kept: Kept::new(limits.kept_instances),
        db,
        ca_cert,
        budget: body::Budget::new(limits.max_buffered_bytes),
        handling: tokio::sync::Semaphore::new(HANDLED_AT_ONCE),
        limits,
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(ctx.limits.header_timeout).max_buf_size(MAX_HEAD);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // Made once: a signal that arrives while a connection is being accepted is not lost.
    let stop = stop_signal()?;
    tokio::pin!(stop);
    let mut errors = guard::AcceptErrors::default();
    loop {
        let slot = tokio::select! {
            s = conns.admit() => s,
            _ = &mut stop => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => {
                    errors.accepted();
                    stream
                }
                Err(e) => {
                    let pause = errors.failed(&e, &conns);
                    drop(slot);
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => continue,
                        _ = &mut stop => break,
                    }
                }
            },
            _ = &mut stop => break,
        };
        let (ctx, state) = (ctx.clone(), slot.state.clone());
        let svc = hyper::service::service_fn(move |req| {
            let (ctx, state) = (ctx.clone(), state.clone());
            async move {
                state.busy();
                let r = handle(&ctx, req).await;
                state.waiting();
                Ok::<_, std::convert::Infallible>(r)
            }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), svc));
        tokio::spawn(async move {
            tokio::select! {
                _ = conn => {}
                _ = slot.state.evicted.notified() => {}
            }
            drop(slot);
        });
    }
    drop(listener);
    // Connections still waiting for a request have none to finish.
    while conns.evict_longest_waiting() {}
    let open = graceful.count();
    eprintln!("woo serve: stopping; {open} connections finishing their requests");
    if tokio::time::timeout(ctx.limits.grace, graceful.shutdown()).await.is_err() {
        eprintln!(
            "woo serve: {} connections cut after the {} s grace period",
            conns.open(),
            ctx.limits.grace.as_secs_f64()
        );
    }
    Ok(())
}

/// SIGTERM (a load balancer's instance being replaced) or ctrl-c, registered
/// once, before the first connection.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    r
}

/// A connection name from the URL: letters, digits, `-`, `_`, `.` only.
fn connection_name(s: &str) -> Option<&str> {
    crate::wc_auth::is_routable_connection(s).then_some(s)
}

async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().trim_end_matches('/').to_string();
    let query = req.uri().query().map(str::to_string);
    if req.method() != hyper::Method::POST {
        return reply(405, json!({"error": "POST only"}));
    }
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let declared = hyper::body::Body::size_hint(req.body()).exact();
    let (body, _paid) =
        match body::read_body(req.into_body(), declared, MAX_BODY, ctx.limits.body_timeout, &ctx.budget).await {
            Ok(b) => b,
            Err(refusal) => {
                let mut r = reply(refusal.status(), json!({"error": refusal.message()}));
                // The rest of the body is not read: this connection is done.
                r.headers_mut().insert("connection", http::HeaderValue::from_static("close"));
                return r;
            }
        };
    let Ok(_turn) = ctx.handling.acquire().await else {
        return reply(503, json!({"error": "shutting down"}));
    };
    let result = if let Some(rest) = path.strip_prefix("/wc-auth/callback") {
        // `/wc-auth/callback` is the default connection, `/wc-auth/callback/<name>` another.
        let conn = match rest.strip_prefix('/') {
            None if rest.is_empty() => Some("default"),
            Some(name) => connection_name(name),
            None => None,
        };
        match conn {
            Some(c) => wc_auth_callback(ctx, c, query.as_deref(), &body).await,
            None => Ok(reply(404, json!({"error": "no such endpoint"}))),
        }
    } else if let Some(rest) = path.strip_prefix("/webhooks") {
        let conn = match rest.strip_prefix('/') {
            None if rest.is_empty() => Some("default"),
            Some(name) => connection_name(name),
            None => None,
        };
        match conn {
            Some(c) => delivery(ctx, c, headers, body).await,
            None => Ok(reply(404, json!({"error": "no such endpoint"}))),
        }
    } else {
        Ok(reply(404, json!({"error": "no such endpoint"})))
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        reply(500, json!({"error": "internal error"}))
    })
}

/// What a delivery says it is, for the log: ` order.updated 42` (its topic
/// header and the body's `id`), or nothing for the ping. Unverified: the
/// component checks the signature.
fn delivery_name(headers: &[(String, String)], body: &[u8]) -> String {
    let Some((_, topic)) = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("X-WC-Webhook-Topic")) else {
        return String::new();
    };
    #[derive(serde::Deserialize)]
    struct Id {
        id: Option<u64>,
    }
    let topic: String =
        topic.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_')).take(64).collect();
    match serde_json::from_slice::<Id>(body).ok().and_then(|b| b.id) {
        Some(id) => format!(" {topic} {id}"),
        None => format!(" {topic}"),
    }
}

/// The storage a delivery is applied through: its commit is on disk before
/// the 200 that tells WooCommerce not to send it again.
fn delivery_storage(db: &str) -> Result<Box<dyn crate::storage::Storage>> {
    let mut storage = crate::storage::open(db)?;
    storage.sync_every_commit()?;
    Ok(storage)
}

/// How long an instance kept for deliveries may sit idle: a storm reuses it,
/// a quiet server lets it go (and with it a store URL changed meanwhile).
const KEPT_IDLE: Duration = Duration::from_secs(10);

/// Delivery sessions kept between deliveries, per connection: opening one
/// costs a database open, an instantiation and a status call, more than the
/// delivery itself. A session goes back only after a call that returned
/// (a trap or a host error drops it), and the component keeps no state of its
/// own between calls (everything is read from storage), so a kept session
/// answers exactly as a fresh one would.
struct Kept {
    idle: Mutex<HashMap<String, Vec<(Session, Instant)>>>,
    max: usize,
}

impl Kept {
    fn new(max: usize) -> Kept {
        Kept { idle: Mutex::new(HashMap::new()), max }
    }

    /// A kept session of `connection`, if one is idle and not too old.
    fn take(&self, connection: &str) -> Option<Session> {
        let mut idle = self.idle.lock().ok()?;
        let list = idle.get_mut(connection)?;
        list.retain(|(_, since)| since.elapsed() < KEPT_IDLE);
        list.pop().map(|(s, _)| s)
    }

    /// Keep `s` for the next delivery of `connection`, unless enough are kept.
    fn put(&self, connection: &str, s: Session) {
        if let Ok(mut idle) = self.idle.lock() {
            let list = idle.entry(connection.to_string()).or_default();
            if list.len() < self.max {
                list.push((s, Instant::now()));
            }
        }
    }
}

async fn delivery(
    ctx: &Ctx,
    connection: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> Result<Response<Full<Bytes>>> {
    let what = delivery_name(&headers, &body);
    let mut s = match ctx.kept.take(connection) {
        Some(s) => s,
        None => {
            let storage = match &ctx.shared {
                Some(shared) if ctx.kept.max > 0 => Box::new(shared.clone()),
                _ => delivery_storage(&ctx.db)?,
            };
            session::open(&ctx.runtime, storage, connection, None, None).await?
        }
    };
    s.begin_call();
    let r = s.bindings.woo_connector_webhook().call_handle_delivery(&mut s.store, &headers, &body).await?;
    ctx.kept.put(connection, s);
    Ok(match r {
        Ok(o) => {
            let outcome = match o {
                webhook::DeliveryOutcome::Applied => "applied",
                webhook::DeliveryOutcome::Duplicate => "duplicate",
                webhook::DeliveryOutcome::Ping => "ping",
                webhook::DeliveryOutcome::Ignored => "ignored",
                webhook::DeliveryOutcome::Stale => "stale",
                webhook::DeliveryOutcome::Deferred => "deferred",
            };
            eprintln!("webhook delivery ({connection}){what}: {outcome}");
            reply(200, json!({"outcome": outcome}))
        }
        Err(types::Error::InvalidInput(i)) if i.field.eq_ignore_ascii_case("X-WC-Webhook-Signature") => {
            eprintln!("webhook delivery ({connection}) refused: {}", i.message);
            reply(401, json!({"error": "bad signature"}))
        }
        Err(types::Error::InvalidInput(i)) => reply(400, json!({"error": format!("{}: {}", i.field, i.message)})),
        Err(e) => {
            eprintln!("webhook delivery ({connection}) failed: {}", crate::wit::error_message(&e));
            reply(500, json!({"error": "could not apply the delivery"}))
        }
    })
}

/// WooCommerce POSTs `{key_id, user_id, consumer_key, consumer_secret, key_permissions}`
/// to the callback URL `woo authorize-url` gave it. The key completes the
/// connection only if the callback matches that pending authorisation (state,
/// user id, `read_write`, not expired); otherwise nothing changes.
async fn wc_auth_callback(
    ctx: &Ctx,
    connection: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Response<Full<Bytes>>> {
    let mut storage = crate::storage::open(&ctx.db)?;
    let accepted = match crate::wc_auth::check(storage.as_mut(), connection, query, body)? {
        Ok(a) => a,
        Err(refusal) => {
            eprintln!("wc-auth ({connection}): callback refused: {}", refusal.message());
            return Ok(reply(refusal.status(), json!({"error": refusal.message()})));
        }
    };
    let ca: Option<&Path> = ctx.ca_cert.as_deref();
    let mut s = session::open(&ctx.runtime, storage, connection, Some(&accepted.store_url), ca).await?;
    s.state().redact = vec![accepted.consumer_key.clone(), accepted.consumer_secret.clone()];
    let cfg = ConnectConfig {
        store_url: accepted.store_url.clone(),
        consumer_key: accepted.consumer_key.clone(),
        consumer_secret: accepted.consumer_secret.clone(),
        signature_method: None,
        owner_email: None,
    };
    s.begin_call();
    match s.bindings.woo_connector_connection().call_connect(&mut s.store, &cfg).await? {
        Ok(info) => {
            crate::wc_auth::consume(s.storage(), connection, &accepted)?;
            eprintln!("wc-auth ({connection}): connected to {}", info.store_url);
            Ok(reply(200, json!({"connected": info.store_url})))
        }
        Err(e) => {
            eprintln!("wc-auth ({connection}): the keys did not work: {}", crate::wit::error_message(&e));
            Ok(reply(400, json!({"error": "the keys could not be verified"})))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_delivery_commits_are_synced_to_disk_before_the_200() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("w.db").display().to_string();
        assert_eq!(delivery_storage(&db).unwrap().commit_durability().unwrap(), "synchronous=FULL");
        // Other commands keep WAL's cheaper NORMAL (a power loss may cost their last commits, never a delivery).
        assert_eq!(crate::storage::open(&db).unwrap().commit_durability().unwrap(), "synchronous=NORMAL");
    }
}
