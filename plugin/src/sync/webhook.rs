//! Webhook deliveries: verify the signature in constant time, recognise the
//! ping, route by topic (deletions change nothing, restorations re-read the
//! store, coupons are acknowledged), apply a resource only if it is newer
//! than the version held (`date_modified_gmt`), and fire the triggers it
//! earns. `register` creates the store's webhooks, once per topic; `heal`
//! brings back the ones WooCommerce disabled, paused or lost.

mod health;
mod register;

pub use health::{HEALING_KEY, Healing, heal, healing, is_down};
pub use register::{DELIVERY_URL_KEY, REGISTERED_KEY, register, webhook_name};

use super::apply::{self, Version, compare_version, modified_at};
use super::settings::{self, Settings};
use super::triggers::{self, OrderState};
use crate::client::{ApiRequest, Error};
use crate::mapping;
use crate::port::{Batch, Host, Level, StorageError, bucket};
use crate::read;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::Value;

/// Largest delivery body accepted.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What became of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Signature valid; the resource was stored.
    Applied,
    /// Signature valid; the same resource version was applied before.
    Duplicate,
    /// The unsigned ping WooCommerce sends when a webhook is created.
    Ping,
    /// Not applied and never will be as delivered: its kind's sync is off,
    /// a deletion, a topic not handled, or a resource the rules do not sync.
    Ignored,
    /// The connector holds a newer version of the resource: nothing changed.
    Stale,
    /// Not applied now, left to the next sync pass (a variable product: a
    /// delivery carries no variations). Not remembered as applied, so a
    /// redelivery of the same version is considered again.
    Deferred,
}

/// The webhook secret's key in the credentials bucket.
pub const SECRET_KEY: &str = "webhook_secret";

/// The store resources deliveries are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// An order (`order.*` topics).
    Order,
    /// A customer (`customer.*` topics).
    Customer,
    /// A product, or one of its variations (`product.*` topics).
    Product,
    /// A coupon (`coupon.*` topics): not a synced kind, acknowledged.
    Coupon,
}

impl Resource {
    /// The resource's name, as topics and the `webhook-seen` keys write it.
    pub fn name(self) -> &'static str {
        match self {
            Resource::Order => "order",
            Resource::Customer => "customer",
            Resource::Product => "product",
            Resource::Coupon => "coupon",
        }
    }

    /// The resource a topic's first part names, if the connector handles it.
    pub fn from_name(name: &str) -> Option<Resource> {
        [Resource::Order, Resource::Customer, Resource::Product, Resource::Coupon]
            .into_iter()
            .find(|r| r.name() == name)
    }

    /// Its REST path.
    fn path(self, id: u64) -> String {
        match self {
            Resource::Order => format!("/orders/{id}"),
            Resource::Customer => format!("/customers/{id}"),
            Resource::Product => format!("/products/{id}"),
            Resource::Coupon => format!("/coupons/{id}"),
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The topics the connector registers: `order`, `customer`, `product` and
/// `coupon` × `created`, `updated`, `deleted`, `restored`, less
/// `customer.restored`, which WooCommerce refuses to register (400
/// `woocommerce_rest_shop_webhook_invalid_topic`: a user is never trashed,
/// so never restored). A delivery of it would be handled like the others.
pub const TOPICS: [&str; 15] = [
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "coupon.created",
    "coupon.updated",
    "coupon.deleted",
    "coupon.restored",
];

/// `base64(HMAC-SHA256(secret, body))` compared in constant time.
pub fn signature_is_valid(secret: &[u8], body: &[u8], signature_b64: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature_b64.trim()) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&given).is_ok()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The newest version applied of each resource delivered: `kind:id` →
/// its `date_modified_gmt`.
///
/// One row per resource, overwritten, rather than one row per delivery: what
/// WooCommerce can redeliver is not bounded by a retention we could pick (the
/// Action Scheduler retries a failed delivery, coalesces per resource and
/// builds the payload at send time, so a retry may carry any state), but a
/// state older than the newest one applied is never worth applying. So this
/// bucket grows with the store's resources, never with its deliveries, and
/// needs no expiry.
pub const SEEN_BUCKET: &str = "webhook-seen";

/// Marks a `webhook-seen` bucket whose rows are per resource. Older versions
/// of the connector kept one row per delivered state (`kind:id:date`).
const LAYOUT_KEY: &str = "~layout";
const LAYOUT: &str = "per-resource";
/// Old per-delivery rows removed per delivery until none are left, so no
/// delivery takes long enough for WooCommerce to time it out.
const LEGACY_PRUNE_PER_DELIVERY: usize = 500;

/// The key of a resource in `webhook-seen`.
pub fn seen_key(kind: Resource, resource: &Value) -> String {
    format!("{kind}:{}", read::text(&resource["id"]))
}

/// The state a delivery of `resource` reads, to read ahead: the seen rows'
/// layout and its own row, the settings, and what applying it reads.
fn delivery_keys(kind: Resource, resource: &Value) -> Vec<(&'static str, String)> {
    let mut keys = vec![(SEEN_BUCKET, LAYOUT_KEY.to_string()), (SEEN_BUCKET, seen_key(kind, resource))];
    keys.extend(settings::keys());
    match kind {
        Resource::Order => keys.extend(apply::order_keys(resource)),
        Resource::Product => keys.extend(apply::product_keys(resource)),
        Resource::Customer | Resource::Coupon => {}
    }
    keys
}

/// Whether a delivery of resource `id` was applied before (its
/// `webhook-seen` row exists).
pub fn was_delivered(host: &mut impl Host, kind: Resource, id: u64) -> Result<bool, StorageError> {
    Ok(host.get(SEEN_BUCKET, &format!("{kind}:{id}"))?.is_some())
}

/// Remember `resource` as the newest version of itself applied (used for the
/// connector's own writes too, so their echo is a duplicate).
pub fn mark_applied(batch: &mut Batch, kind: Resource, resource: &Value) {
    batch.set_state(SEEN_BUCKET, &seen_key(kind, resource), modified_at(resource));
}

/// What one delivery asks for, from its topic (`X-WC-Webhook-Topic`, else
/// `X-WC-Webhook-Resource` + `X-WC-Webhook-Event`).
fn resource_and_event(headers: &[(String, String)]) -> (String, String) {
    let topic = header(headers, "X-WC-Webhook-Topic").unwrap_or_default().trim().to_ascii_lowercase();
    let (mut resource, mut event) =
        topic.split_once('.').map(|(r, e)| (r.to_string(), e.to_string())).unwrap_or_default();
    if resource.is_empty() {
        resource = header(headers, "X-WC-Webhook-Resource").unwrap_or_default().trim().to_ascii_lowercase();
    }
    if event.is_empty() {
        event = header(headers, "X-WC-Webhook-Event").unwrap_or_default().trim().to_ascii_lowercase();
    }
    (resource, event)
}

/// A deletion's payload is `{"id": N}` and nothing else (WooCommerce builds
/// no resource for it): never a version of the resource to apply, whatever
/// the (unsigned) topic header says.
fn is_bare_id(resource: &Value) -> bool {
    resource.as_object().is_some_and(|o| o.keys().all(|k| k == "id"))
}

/// A payload WooCommerce could not build: its REST error (`code`, `message`)
/// in place of the resource. Trashing or restoring a product also runs the
/// `coupon.*` webhooks (and a coupon the `product.*` ones), which then carry
/// `woocommerce_rest_shop_coupon_invalid_id` and the like.
fn store_error(body: &Value) -> Option<String> {
    let code = body["code"].as_str()?;
    body["message"].as_str()?;
    Some(code.to_string())
}

/// Verify and apply one delivery. `read` fetches a resource from the store
/// (`GET /orders/N` …) when a delivery asks for it to be re-read.
///
/// Rules: `*.created`/`*.updated` apply the delivered resource unless the
/// connector already holds that version or a newer one, and fire the
/// triggers it earns; `*.deleted` is acknowledged, logged and changes no
/// record (deletions are not synced: the store is the source of truth for
/// what exists); `*.restored` re-reads the resource from the store and
/// applies that; `coupon.*` is acknowledged (coupons are not synced), and so
/// is a payload WooCommerce could not build (its REST error instead of the
/// resource); a variation (`product.*` for a `type: variation`) fires
/// `product_out_of_stock` when it runs out and leaves the rest to the next
/// products pass. State the host cannot read (the secret, the settings, the
/// versions applied) fails the delivery with `storage` and applies nothing:
/// the store delivers it again later.
pub fn handle<H: Host>(
    host: &mut H,
    headers: &[(String, String)],
    body: &[u8],
    read: impl FnOnce(&mut H, &ApiRequest) -> Result<Value, Error>,
) -> Result<Outcome, Error> {
    if body.len() > MAX_BODY {
        return Err(Error::invalid("body", "is larger than a WooCommerce delivery can be"));
    }
    let signature = header(headers, "X-WC-Webhook-Signature");
    if signature.is_none() && header(headers, "X-WC-Webhook-Topic").is_none() {
        let text = String::from_utf8_lossy(body);
        if text.starts_with("webhook_id=") && text[11..].chars().all(|c| c.is_ascii_digit()) {
            return Ok(Outcome::Ping);
        }
    }
    let secret = host.get(bucket::CREDENTIALS, SECRET_KEY)?.ok_or_else(|| {
        Error::invalid("X-WC-Webhook-Signature", "no webhook secret is registered for this connection")
    })?;
    let Some(sig) = signature else {
        return Err(Error::invalid("X-WC-Webhook-Signature", "is missing"));
    };
    if !signature_is_valid(&secret, body, sig) {
        return Err(Error::invalid("X-WC-Webhook-Signature", "does not match the body"));
    }
    let delivered: Value =
        serde_json::from_slice(body).map_err(|e| Error::invalid("body", format!("is not JSON: {e}")))?;
    let (kind, event) = resource_and_event(headers);
    let Some(id) = read::id(&delivered["id"]) else {
        if let Some(code) = store_error(&delivered) {
            // Answered 200: a refusal would count as a failed delivery, and
            // WooCommerce disables a webhook after 5 of them.
            host.log(
                Level::Info,
                &format!("webhook {kind}.{event}: the store sent its error {code} instead of a resource; acknowledged"),
            );
            return Ok(Outcome::Ignored);
        }
        return Err(Error::invalid("body", "has no resource id"));
    };
    let Some(kind) = Resource::from_name(&kind) else { return Ok(Outcome::Ignored) };
    if kind == Resource::Coupon {
        host.log(
            Level::Info,
            &format!("webhook coupon.{event} for coupon {id}: acknowledged; coupons are not synced, no record changed"),
        );
        return Ok(Outcome::Ignored);
    }
    let path = kind.path(id);
    // What this delivery reads of the state, in one host call (after the
    // signature is checked: a forged delivery reads nothing more).
    host.read_ahead(&delivery_keys(kind, &delivered))?;
    prune_legacy_rows(host);
    if event == "deleted" || is_bare_id(&delivered) {
        host.log(
            Level::Info,
            &format!(
                "webhook {kind}.{event} for {kind} {id}: acknowledged; deletions are not synced, no record changed"
            ),
        );
        return Ok(Outcome::Ignored);
    }
    let settings = settings::load(host)?;
    if let Some(off) = sync_off(kind, &settings) {
        // Not remembered as applied: once the sync is turned on, a redelivery
        // of this very version is applied.
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: {off} sync is off; not applied"));
        return Ok(Outcome::Ignored);
    }
    let resource = if event == "restored" {
        match read(host, &ApiRequest::get(path, vec![])) {
            Ok(r) if read::id(&r["id"]) == Some(id) => r,
            Ok(_) => {
                return Err(Error::Transport(format!(
                    "the store answered the re-read of {kind} {id} with another resource"
                )));
            }
            Err(Error::NotFound(_)) => {
                host.log(
                    Level::Info,
                    &format!("webhook {kind}.restored for {kind} {id}: it no longer exists in the store"),
                );
                return Ok(Outcome::Ignored);
            }
            Err(e) => return Err(e),
        }
    } else {
        delivered
    };
    let seen_key = seen_key(kind, &resource);
    // Unreadable, this row would read as "never applied" and apply it again.
    let delivered_before = host.text(SEEN_BUCKET, &seen_key)?;
    match compare_version(&modified_at(&resource), delivered_before.as_deref()) {
        Version::Same => return Ok(Outcome::Duplicate),
        Version::Older => {
            host.log(
                Level::Info,
                &format!("webhook {kind}.{event} for {kind} {id}: a newer version was applied already; not applied"),
            );
            return Ok(Outcome::Stale);
        }
        Version::New => {}
    }
    if kind == Resource::Order && !mapping::is_importable_order_status(&read::text(&resource["status"])) {
        host.log(
            Level::Info,
            &format!(
                "webhook {kind}.{event} for {kind} {id}: status {} is not synced; not applied",
                read::text(&resource["status"])
            ),
        );
        return Ok(Outcome::Ignored);
    }
    if kind == Resource::Product && read::text(&resource["type"]) == "variation" {
        return variation(host, &settings, &event, &resource);
    }
    if kind == Resource::Product && apply::needs_its_variations(&resource) {
        // The version a products pass applied already is no news.
        if let Some(outcome) = against_held_version(host, kind, id, &resource)? {
            return Ok(outcome);
        }
        // Not remembered as applied: the products pass reads the variations
        // and applies it (its cursor is not moved by deliveries).
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: a variable product; deferred to the next products pass, which reads its variations"));
        return Ok(Outcome::Deferred);
    }
    let mut batch = Batch::default();
    let applied = match kind {
        Resource::Order => apply::order(host, &settings, &resource, &mut batch)?,
        Resource::Customer => {
            if apply::customer(&resource, &mut batch).is_none() {
                host.log(
                    Level::Info,
                    &format!(
                        "webhook {kind}.{event} for {kind} {id}: role {} is not synced; not applied",
                        read::text(&resource["role"])
                    ),
                );
                return Ok(Outcome::Ignored);
            }
            triggers::customer_created(host, &settings, &resource, delivered_before.is_some(), &mut batch)?;
            true
        }
        Resource::Product => apply::changed_product(host, &settings, &resource, &[], &mut batch)?,
        Resource::Coupon => false,
    };
    if !applied {
        // The version a sync pass applied (orders and products keep their own).
        let outcome = against_held_version(host, kind, id, &resource)?.unwrap_or(Outcome::Ignored);
        host.log(Level::Info, &format!("webhook {kind}.{event} for {kind} {id}: {outcome:?}; not applied"));
        return Ok(outcome);
    }
    mark_applied(&mut batch, kind, &resource);
    host.commit(batch)?;
    Ok(Outcome::Applied)
}

/// A variation, delivered as `product.*` (WooCommerce runs the product
/// webhooks for each variation it saves, with the variation as payload):
/// its stock is compared with what was noted of it (a variant of a product
/// held), firing `product_out_of_stock` when it runs out. Its product's
/// record is left to the next products pass, which reads every variation
/// (saving a variation moves its product's `date_modified_gmt`): `deferred`
/// when the connector holds that product, else `ignored`. Never remembered
/// as applied.
fn variation(host: &mut impl Host, settings: &Settings, event: &str, v: &Value) -> Result<Outcome, Error> {
    let id = read::id(&v["id"]).unwrap_or(0);
    let mut batch = Batch::default();
    if triggers::is_noted_variation(host, id)? {
        triggers::variation_stock(host, v, settings.product_out_of_stock, &mut batch)?;
    }
    if !batch.is_empty() {
        host.commit(batch)?;
    }
    let parent = read::id(&v["parent_id"]).unwrap_or(0);
    let held = host.get(bucket::PRODUCTS, &parent.to_string())?.is_some();
    let (outcome, why) = if held {
        (Outcome::Deferred, "deferred to the next products pass, which reads its product's variations")
    } else {
        (Outcome::Ignored, "its product is not synced; not applied")
    };
    host.log(Level::Info, &format!("webhook product.{event} for variation {id} of product {parent}: {why}"));
    Ok(outcome)
}

/// The sync setting that, when off, leaves deliveries of `kind` unapplied.
fn sync_off(kind: Resource, s: &Settings) -> Option<&'static str> {
    match kind {
        Resource::Order if !(s.orders || s.transactions || s.order_submitted || s.payment_received || s.checkouts) => {
            Some("order")
        }
        Resource::Customer if !s.contacts => Some("contact"),
        Resource::Product if !s.products => Some("product"),
        _ => None,
    }
}

/// `Duplicate` or `Stale` when a sync pass already holds this version of
/// `resource` or a newer one; `None` when it would be news.
fn against_held_version(
    host: &mut impl Host,
    kind: Resource,
    id: u64,
    resource: &Value,
) -> Result<Option<Outcome>, StorageError> {
    Ok(match compare_version(&modified_at(resource), held_version(host, kind, id)?.as_deref()) {
        Version::Same => Some(Outcome::Duplicate),
        Version::Older => Some(Outcome::Stale),
        Version::New => None,
    })
}

/// The `date_modified_gmt` of the version of an order or product a sync
/// pass (or a delivery) applied, in comparable form.
fn held_version(host: &mut impl Host, kind: Resource, id: u64) -> Result<Option<String>, StorageError> {
    let b = match kind {
        Resource::Order => bucket::ORDERS,
        Resource::Product => bucket::PRODUCTS,
        Resource::Customer | Resource::Coupon => return Ok(None),
    };
    let Some(held) = host.text(b, &id.to_string())? else { return Ok(None) };
    let date = if kind == Resource::Order { OrderState::parse(&held).modified } else { held };
    Ok(Some(apply::comparable_time(&date)))
}

/// Remove rows of the old per-delivery layout, a bounded number per call,
/// and mark the bucket once none are left. Housekeeping: a read or a delete
/// the host refuses leaves the rows for a later delivery (the delivery
/// itself reads the rows it needs, and fails if it cannot).
fn prune_legacy_rows(host: &mut impl Host) {
    if !matches!(host.get(SEEN_BUCKET, LAYOUT_KEY), Ok(None)) {
        return;
    }
    let Ok(keys) = host.keys(SEEN_BUCKET) else { return };
    // Old rows are `kind:id:2025-03-01T09:00:00`; new ones `kind:id`.
    let legacy: Vec<String> =
        keys.into_iter().filter(|k| k.matches(':').count() > 1).take(LEGACY_PRUNE_PER_DELIVERY + 1).collect();
    for k in legacy.iter().take(LEGACY_PRUNE_PER_DELIVERY) {
        if host.delete(SEEN_BUCKET, k).is_err() {
            return;
        }
    }
    if legacy.len() <= LEGACY_PRUNE_PER_DELIVERY {
        let _ = host.set(SEEN_BUCKET, LAYOUT_KEY, LAYOUT.as_bytes());
    }
}

#[cfg(test)]
mod tests;
