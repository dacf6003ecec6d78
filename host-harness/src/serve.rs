//! `woo serve`: webhook deliveries (`POST /webhooks`, `POST /webhooks/<connection>`)
//! and the wc-auth callback (`POST /wc-auth/callback`).

use crate::runtime::{Runtime, wit_connection, wit_types, wit_webhook};
use crate::session::{self, HOST_BUCKET};
use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::sync::Arc;

/// Largest body accepted (deliveries are a resource's JSON).
const MAX_BODY: usize = 4 * 1024 * 1024;

struct Ctx {
    runtime: Runtime,
    db: String,
    ca_cert: Option<PathBuf>,
}

/// Listen until stopped.
pub async fn run(runtime: Runtime, db: String, listen: SocketAddr, ca_cert: Option<PathBuf>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("woo serve: listening on http://{} (POST /webhooks, POST /wc-auth/callback)", listener.local_addr()?);
    serve_on(listener, runtime, db, ca_cert).await
}

/// Serve on a bound listener (tests bind port 0).
pub async fn serve_on(listener: tokio::net::TcpListener, runtime: Runtime, db: String, ca_cert: Option<PathBuf>) -> Result<()> {
    let ctx = Arc::new(Ctx { runtime, db, ca_cert });
    loop {
        let (stream, _) = tokio::select! {
            r = listener.accept() => r?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = terminated() => return Ok(()),
        };
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let ctx = ctx.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&ctx, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
        });
    }
}

/// SIGTERM (a load balancer's instance being replaced); never on other platforms.
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        term.recv().await;
        return;
    }
    std::future::pending::<()>().await
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    r
}

/// A connection name from the URL: letters, digits, `-`, `_`, `.` only.
fn connection_name(s: &str) -> Option<&str> {
    (!s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).then_some(s)
}

async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().trim_end_matches('/').to_string();
    if req.method() != hyper::Method::POST {
        return reply(405, json!({"error": "POST only"}));
    }
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return reply(413, json!({"error": "body too large or cut"})),
    };
    let result = if path == "/wc-auth/callback" {
        wc_auth_callback(ctx, "default", &body).await
    } else if let Some(rest) = path.strip_prefix("/webhooks") {
        let conn = match rest.strip_prefix('/') {
            None if rest.is_empty() => Some("default"),
            Some(name) => connection_name(name),
            None => None,
        };
        match conn {
            Some(c) => delivery(ctx, c, headers, body.to_vec()).await,
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

async fn delivery(ctx: &Ctx, connection: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Result<Response<Full<Bytes>>> {
    let storage = crate::storage::open(&ctx.db)?;
    let mut s = session::open(&ctx.runtime, storage, connection, None, None).await?;
    s.begin_call();
    let r = s.bindings.woo_connector_webhook().call_handle_delivery(&mut s.store, &headers, &body).await?;
    Ok(match r {
        Ok(o) => {
            let outcome = match o {
                wit_webhook::DeliveryOutcome::Applied => "applied",
                wit_webhook::DeliveryOutcome::Duplicate => "duplicate",
                wit_webhook::DeliveryOutcome::Ping => "ping",
                wit_webhook::DeliveryOutcome::Ignored => "ignored",
            };
            eprintln!("webhook delivery ({connection}): {outcome}");
            reply(200, json!({"outcome": outcome}))
        }
        Err(wit_types::Error::InvalidInput(i)) if i.field.eq_ignore_ascii_case("X-WC-Webhook-Signature") => {
            eprintln!("webhook delivery ({connection}) refused: {}", i.message);
            reply(401, json!({"error": "bad signature"}))
        }
        Err(wit_types::Error::InvalidInput(i)) => reply(400, json!({"error": format!("{}: {}", i.field, i.message)})),
        Err(e) => {
            eprintln!("webhook delivery ({connection}) failed: {e:?}");
            reply(500, json!({"error": "could not apply the delivery"}))
        }
    })
}

/// WooCommerce POSTs `{key_id, user_id, consumer_key, consumer_secret, key_permissions}`
/// after the owner approves; the keys complete the pending connection.
async fn wc_auth_callback(ctx: &Ctx, connection: &str, body: &[u8]) -> Result<Response<Full<Bytes>>> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Ok(reply(400, json!({"error": "expected the JSON WooCommerce sends"})));
    };
    let (Some(key), Some(secret)) = (v["consumer_key"].as_str(), v["consumer_secret"].as_str()) else {
        return Ok(reply(400, json!({"error": "consumer_key and consumer_secret are required"})));
    };
    if v["key_permissions"].as_str().is_some_and(|p| p != "read_write") {
        return Ok(reply(400, json!({"error": "the key must have read_write permissions"})));
    }
    let mut storage = crate::storage::open(&ctx.db)?;
    let Some(store) = crate::storage::Storage::kv_get(storage.as_mut(), connection, HOST_BUCKET, "pending_store")? else {
        return Ok(reply(409, json!({"error": "no authorisation is pending: run `woo authorize-url` first"})));
    };
    let store = String::from_utf8_lossy(&store).into_owned();
    let ca: Option<&Path> = ctx.ca_cert.as_deref();
    let mut s = session::open(&ctx.runtime, storage, connection, Some(&store), ca).await?;
    s.store.data_mut().redact = vec![key.to_string(), secret.to_string()];
    let cfg = wit_connection::ConnectConfig { store_url: store, consumer_key: key.into(), consumer_secret: secret.into(), signature_method: None, owner_email: None };
    s.begin_call();
    match s.bindings.woo_connector_connection().call_connect(&mut s.store, &cfg).await? {
        Ok(info) => {
            s.store.data_mut().storage.kv_delete(connection, HOST_BUCKET, "pending_store")?;
            eprintln!("wc-auth: connected to {}", info.store_url);
            Ok(reply(200, json!({"connected": info.store_url})))
        }
        Err(e) => {
            eprintln!("wc-auth: the keys did not work: {e:?}");
            Ok(reply(400, json!({"error": "the keys could not be verified"})))
        }
    }
}
