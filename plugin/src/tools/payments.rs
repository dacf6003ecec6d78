//! Payment gateways: which are on, their titles and order; their secrets never reach the agent.

use super::registry::{Annotations, Store, Tool};
use super::{output, rest, schema};
use crate::client::{Error, Method};
use serde_json::{Value, json};

/// A gateway update changes what customers can pay with at checkout:
/// destructive (a client should ask first), yet repeating it changes nothing more.
const GATEWAY_UPDATE: Annotations = Annotations { idempotent: true, ..Annotations::DESTRUCTIVE };

/// The fields `update-payment-gateway` may change; settings (keys, accounts)
/// are left to the store's admin.
const GATEWAY_FIELDS: [&str; 4] = ["enabled", "title", "description", "order"];

/// The payments tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-payment-gateways",
        title: "List payment gateways",
        description: "List the payment gateways (bank transfer, cheque, cash on delivery, card processors …): id, title, description, order, enabled, and their settings. Settings whose values are keys, secrets, passwords or tokens come back as \"[redacted]\". WooCommerce does not page gateways: the whole list comes back as one page, {items, page: 1, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: || schema::object(json!({"fields": schema::fields()}), &[]),
        output_schema: Some(output::listing),
        handler: |store, args| rest::whole_list(store, "/payment_gateways", args),
    },
    Tool {
        name: "update-payment-gateway",
        title: "Update a payment gateway",
        description: "Turn a payment gateway on or off, or change its checkout title, description or position (`order`). Only these four fields: a gateway's settings (API keys, accounts) are not changed here. Marked destructive: turning a gateway off stops customers paying with it. Returns the gateway, its secret settings as \"[redacted]\".",
        annotations: GATEWAY_UPDATE,
        schema: update_schema,
        output_schema: None,
        handler: update_gateway,
    },
];

fn update_schema() -> Value {
    schema::object(
        lit!({
            "id": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[A-Za-z0-9_-]+$", "description": "The gateway's id, e.g. bacs, cheque, cod or stripe (list-payment-gateways lists them)."},
            "enabled": {"type": "boolean", "description": "Offer it at checkout (true) or not (false)."},
            "title": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The name customers see at checkout."},
            "description": {"type": "string", "maxLength": 5000, "description": "The text customers see under the title at checkout."},
            "order": {"type": "integer", "minimum": 0, "maximum": 10000, "description": "Its position in the checkout's list (lower first)."}
        }),
        &["id"],
    )
}

fn update_gateway(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let id = rest::slug(args, "id")?;
    let body = rest::without(args, &["id"]);
    if !GATEWAY_FIELDS.iter().any(|f| body.get(*f).is_some()) {
        return Err(Error::invalid("arguments", "give at least one of enabled, title, description, order"));
    }
    rest::write(store, Method::Put, format!("/payment_gateways/{id}"), body)
}
