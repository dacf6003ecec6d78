//! Webhooks: `/webhooks` (creation sends the unsigned ping), and delivery of
//! signed bodies to loopback URLs when a resource changes.

use super::http::{Body, Ctx, now_secs};
use super::rest::{json_response, list, wc_error};
use super::state::SimState;
use crate::dates::wc_date;
use anyhow::Result;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::Request;
use http::Response;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub(super) fn list_webhooks(ctx: &Ctx) -> Response<Body> {
    let items = ctx.state.data.read().map(|d| d.webhooks.clone()).unwrap_or_default();
    list(ctx, items, "date", "desc", false)
}

pub(super) fn create_webhook(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let topic = b["topic"].as_str().unwrap_or("").to_string();
    let url = b["delivery_url"].as_str().unwrap_or("").to_string();
    if topic.is_empty() || url.is_empty() {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): topic, delivery_url");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    d.next_other_id += 1;
    let id = d.next_other_id;
    let now = wc_date(now_secs());
    let (resource, event) = topic.split_once('.').unwrap_or((&topic, ""));
    let w = json!({"id": id, "name": b["name"].as_str().unwrap_or(&topic), "status": b["status"].as_str().unwrap_or("active"), "topic": topic, "resource": resource, "event": event, "hooks": [], "delivery_url": url, "secret": b["secret"].as_str().unwrap_or(""), "date_created": now, "date_created_gmt": now, "date_modified": now, "date_modified_gmt": now});
    d.webhooks.push(w.clone());
    drop(d);
    // The creation ping: an unsigned form post.
    let ping = format!("webhook_id={id}");
    tokio::spawn(async move {
        let _ = super::post_loopback(&url, vec![], ping.into_bytes(), "application/x-www-form-urlencoded").await;
    });
    json_response(201, &w)
}

pub(super) fn delete_webhook(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.webhooks.iter().position(|w| w["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    };
    let w = d.webhooks.remove(i);
    json_response(200, &w)
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
pub async fn post_loopback(
    url: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: &str,
) -> Result<u16> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow::anyhow!("the simulator delivers to http:// loopback URLs only"))?;
    let (authority, path) = rest.split_once('/').map(|(a, p)| (a, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(authority);
    anyhow::ensure!(matches!(host, "127.0.0.1" | "localhost" | "[::1]"), "refusing to deliver to a non-loopback host");
    let stream = tokio::net::TcpStream::connect(authority).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::post(path)
        .header("host", authority)
        .header("content-type", content_type)
        .header("user-agent", "WooCommerce/11.0.1 Hookshot (WordPress/7.1)");
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let resp = sender.send_request(req.body(Full::new(Bytes::from(body)))?).await?;
    Ok(resp.status().as_u16())
}
