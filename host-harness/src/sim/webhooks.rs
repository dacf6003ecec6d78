//! Webhooks: `/webhooks` (creation sends the unsigned ping; the `secret` is
//! never answered back, as on a real store), and delivery of signed bodies
//! to loopback URLs when a resource changes.

use super::http::{Body, Ctx, now_secs};
use super::rest::{invalid_param, json_response, list, merge, touch, wc_error};
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

/// A webhook as the REST API answers it: without its `secret`.
fn public(w: &Value) -> Value {
    let mut w = w.clone();
    if let Some(m) = w.as_object_mut() {
        m.remove("secret");
    }
    w
}

/// Whether WooCommerce 11 registers `topic`: a resource (coupon, customer,
/// order, product) and an event (created, updated, deleted, restored), less
/// `customer.restored`, for which it has no hook (a user is never trashed).
fn is_valid_topic(topic: &str) -> bool {
    // Actions of WooCommerce's own hooks are topics too (`action.wc_…`), less three it refuses.
    if let Some(hook) = topic.strip_prefix("action.") {
        let refused = [
            "woocommerce_login_credentials",
            "woocommerce_product_csv_importer_check_import_file_path",
            "woocommerce_webhook_should_deliver",
        ];
        return (hook.starts_with("woocommerce_") || hook.starts_with("wc_")) && !refused.contains(&hook);
    }
    let Some((resource, event)) = topic.split_once('.') else { return false };
    matches!(resource, "coupon" | "customer" | "order" | "product")
        && matches!(event, "created" | "updated" | "deleted" | "restored")
        && topic != "customer.restored"
}

pub(super) fn list_webhooks(ctx: &Ctx) -> Response<Body> {
    let status = ctx.param("status").unwrap_or_else(|| "all".into());
    if !matches!(status.as_str(), "all" | "active" | "paused" | "disabled") {
        return invalid_param("status", "status is not one of all, active, paused, and disabled.");
    }
    let items: Vec<Value> = ctx
        .state
        .data
        .read()
        .map(|d| d.webhooks.iter().filter(|w| status == "all" || w["status"] == status.as_str()).map(public).collect())
        .unwrap_or_default();
    list(ctx, items, "date", "desc", false)
}

pub(super) fn get_webhook(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| d.webhooks.iter().find(|w| w["id"].as_u64() == id).map(public));
    match found {
        Some(w) => json_response(200, &w),
        None => wc_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID."),
    }
}

pub(super) fn create_webhook(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let topic = b["topic"].as_str().unwrap_or("").to_string();
    let url = b["delivery_url"].as_str().unwrap_or("").to_string();
    if topic.is_empty() || url.is_empty() {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): topic, delivery_url");
    }
    if !is_valid_topic(&topic) {
        return wc_error(
            400,
            "woocommerce_rest_shop_webhook_invalid_topic",
            "Webhook topic is required and must be valid.",
        );
    }
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return wc_error(
            400,
            "woocommerce_rest_shop_webhook_invalid_delivery_url",
            "Webhook delivery URL must be a valid URL starting with http:// or https://.",
        );
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    d.next_other_id += 1;
    let id = d.next_other_id;
    let now = wc_date(now_secs());
    let (resource, event) = topic.split_once('.').unwrap_or((&topic, ""));
    // WooCommerce 11 makes a new webhook active whatever `status` the request asks for.
    let status = "active".to_string();
    let w = json!({"id": id, "name": b["name"].as_str().unwrap_or(&topic), "status": status, "topic": topic, "resource": resource, "event": event, "hooks": [], "delivery_url": url, "secret": b["secret"].as_str().unwrap_or(""), "date_created": now, "date_created_gmt": now, "date_modified": now, "date_modified_gmt": now});
    d.webhooks.push(w.clone());
    drop(d);
    if status == "active" {
        // The creation ping: an unsigned form post.
        let ping = format!("webhook_id={id}");
        tokio::spawn(async move {
            let _ = super::post_loopback(&url, vec![], ping.into_bytes(), "application/x-www-form-urlencoded").await;
        });
    }
    json_response(201, &public(&w))
}

/// `PUT /webhooks/<id>`: change its name, status, delivery URL or secret.
pub(super) fn update_webhook(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(status) = b["status"].as_str()
        && !matches!(status, "active" | "paused" | "disabled")
    {
        return invalid_param("status", "status is not one of active, paused, and disabled.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(w) = d.webhooks.iter_mut().find(|w| w["id"].as_u64() == id) else {
        return wc_error(400, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    };
    merge(w, &b, &["name", "status", "delivery_url", "secret"]);
    touch(w);
    json_response(200, &public(w))
}

pub(super) fn delete_webhook(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    // Webhooks have no trash: without force=true the store refuses.
    if ctx.param("force").as_deref() != Some("true") {
        return wc_error(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.webhooks.iter().position(|w| w["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    };
    let w = d.webhooks.remove(i);
    json_response(200, &public(&w))
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
