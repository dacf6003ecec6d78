//! Webhooks: the store's delivery subscriptions; their secrets never reach the agent.

use super::registry::{Annotations, Store, Tool};
use super::{output, page, rest, schema};
use crate::client::{Error, Method};
use serde_json::{Value, json};

/// The webhooks tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-webhooks",
        title: "List webhooks",
        description: "List the store's webhooks: name, status (active, paused, disabled), topic (e.g. order.created), delivery URL and dates. Their secrets are never returned. Filter by status, search text, ids or creation dates. Returns {items, page, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/webhooks", args),
    },
    Tool {
        name: "create-webhook",
        title: "Create a webhook",
        description: "Subscribe a URL to a store event: WooCommerce POSTs the resource's JSON to `delivery_url` (http or https, without credentials in it) whenever the `topic` happens, signed with `secret` (HMAC-SHA256 in X-WC-Webhook-Signature) when one is given. Topics: <resource>.<event> with resource coupon, customer, order or product and event created, updated, deleted or restored (not customer.restored), or action.woocommerce_<hook> / action.wc_<hook>. A new webhook is always active (WooCommerce 11 ignores a status given at creation) and the store sends a ping to the URL at once. Returns the webhook; the secret is never returned.",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: create_webhook,
    },
    Tool {
        name: "delete-webhook",
        title: "Delete a webhook",
        description: "Delete a webhook for good: webhooks have no trash, so `force` must be true (the store refuses a delete without it). Returns the deleted webhook (without its secret).",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The webhook to delete.", schema::Trash::None),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/webhooks/{}", rest::num(args, "id")), args),
    },
];

fn list_schema() -> Value {
    let dates = schema::dates();
    let mut s = schema::list(json!({
        "after": dates["after"],
        "before": dates["before"],
        "exclude": schema::exclude(),
        "status": {"type": "string", "enum": ["all", "active", "paused", "disabled"], "description": "Only webhooks with this status (default all)."}
    }));
    s["properties"]["orderby"] = lit!({"type": "string", "enum": ["date", "id", "title"], "description": "Sort by date (default), id or title (the name)."});
    s
}

fn create_schema() -> Value {
    schema::object(
        lit!({
            "name": {"type": "string", "maxLength": 200, "description": "A name to recognise it by (default: the topic)."},
            "topic": {"type": "string", "minLength": 3, "maxLength": 200, "description": "The event: e.g. order.created, order.updated, product.deleted, coupon.restored, customer.created, or action.woocommerce_<hook>."},
            "delivery_url": {"type": "string", "minLength": 8, "maxLength": 2000, "pattern": "^https?://[^\\s/@]+(/\\S*)?$", "description": "Where the store POSTs each event: an http:// or https:// URL, without a user or password in it."},
            "secret": {"type": "string", "minLength": 1, "maxLength": 200, "description": "A secret the store signs each delivery with (HMAC-SHA256, base64, in X-WC-Webhook-Signature). Never returned by any tool."}
        }),
        &["topic", "delivery_url"],
    )
}

/// The resources and events of WooCommerce 11's webhook topics.
const TOPIC_RESOURCES: [&str; 4] = ["coupon", "customer", "order", "product"];
const TOPIC_EVENTS: [&str; 4] = ["created", "updated", "deleted", "restored"];
/// Action hooks WooCommerce refuses as topics (they would leak credentials or
/// loop through its own delivery).
const REFUSED_ACTIONS: [&str; 3] = [
    "woocommerce_login_credentials",
    "woocommerce_product_csv_importer_check_import_file_path",
    "woocommerce_webhook_should_deliver",
];

/// Whether WooCommerce 11 accepts `topic` (`wc_is_webhook_valid_topic`):
/// resource.event, less customer.restored (a user is never trashed, so
/// there is no hook), or an action whose hook is WooCommerce's own.
fn is_valid_topic(topic: &str) -> bool {
    if let Some(hook) = topic.strip_prefix("action.") {
        let own = hook.starts_with("woocommerce_") || hook.starts_with("wc_");
        let plain = hook.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '/');
        return own && plain && !REFUSED_ACTIONS.contains(&hook);
    }
    match topic.split_once('.') {
        Some((resource, event)) => {
            TOPIC_RESOURCES.contains(&resource) && TOPIC_EVENTS.contains(&event) && topic != "customer.restored"
        }
        None => false,
    }
}

/// Whether `url` is an http(s) URL with a host and no credentials in it.
fn check_delivery_url(url: &str) -> Result<(), Error> {
    let fail = |why: &str| Err(Error::invalid("delivery_url", why));
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return fail("must start with http:// or https://");
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail("must not contain spaces or control characters");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return fail(
            "must not carry a user or password (user:password@host): the store would send them with every delivery",
        );
    }
    if authority.is_empty() || authority.starts_with(':') {
        return fail("must name a host");
    }
    Ok(())
}

fn create_webhook(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let topic = args["topic"].as_str().unwrap_or("");
    if !is_valid_topic(topic) {
        return Err(Error::invalid(
            "topic",
            "must be <resource>.<event> (resource coupon, customer, order or product; event created, updated, deleted or restored; not customer.restored) or action.woocommerce_<hook> / action.wc_<hook>",
        ));
    }
    check_delivery_url(args["delivery_url"].as_str().unwrap_or(""))?;
    rest::write(store, Method::Post, "/webhooks".into(), args.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_topics_are_checked_as_woocommerce_11_checks_them() {
        for ok in [
            "order.created",
            "product.restored",
            "coupon.deleted",
            "customer.updated",
            "action.wc_probe",
            "action.woocommerce_add_to_cart",
        ] {
            assert!(is_valid_topic(ok), "{ok}");
        }
        for bad in [
            "customer.restored",
            "order.any",
            "order",
            "action.foo",
            "action.woocommerce_webhook_should_deliver",
            "action.woocommerce_login_credentials",
            "",
            "order.created.x",
        ] {
            assert!(!is_valid_topic(bad), "{bad}");
        }
    }

    #[test]
    fn webhook_delivery_urls_are_http_or_https_without_credentials() {
        for ok in ["https://hooks.example.com/woo", "http://127.0.0.1:8080/hook?x=1", "https://example.com"] {
            assert!(check_delivery_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ftp://x/hook",
            "https://user:pass@example.com/hook",
            "https://token@example.com",
            "https:///x",
            "javascript:alert(1)",
            "https://exa mple.com",
            "https://:80/x",
        ] {
            assert!(check_delivery_url(bad).is_err(), "{bad}");
        }
    }
}
