//! Deleting and restoring, as a real store does (checked on WooCommerce 11):
//!
//! - `DELETE /orders|products|coupons/<id>` moves the post to the trash;
//!   `force=true` deletes it for good, and no webhook fires then.
//! - Trashing delivers `{"id": N}`: `order.deleted` for an order, and both
//!   `product.deleted` and `coupon.deleted` for a product or a coupon (both
//!   topics hook `wp_trash_post`, whatever the post's type).
//! - A second trashing answers 410 `woocommerce_rest_already_trashed`,
//!   naming the post type ("The shop_order has already been deleted.").
//! - `DELETE /products/<p>/variations/<id>` trashes a variation too: it
//!   leaves its product's `variations` and the lists; `force=true` deletes it.
//!   Deleting a product for good deletes its variations.
//! - `DELETE /customers/<id>` needs `force=true` (users have no trash) and
//!   delivers `customer.deleted`; `reassign` must name an existing user.
//! - No REST route restores from the trash: [`SimState::restore`] is
//!   WordPress's `wp_untrash_post` (an order's `untrash()`). It delivers
//!   `order.restored` for an order; `product.updated` then `product.restored`
//!   and `coupon.restored` for a product; `coupon.restored` and
//!   `product.restored` for a coupon. The topic of the other type carries
//!   WooCommerce's REST error (`…_invalid_id`) instead of a resource.

use super::http::{Body, Ctx};
use super::rest::{Refused, hook, json_response, touch, wc_error};
use super::seed::Data;
use super::state::SimState;
use super::webhooks::deliver_webhooks;
use http::Response;
use serde_json::{Value, json};
use std::sync::Arc;

/// The webhook deliveries a change makes: (topic, payload).
type Deliveries = Vec<(&'static str, Value)>;

/// The posts of a collection that has a trash.
fn posts<'a>(d: &'a mut Data, collection: &str) -> Option<&'a mut Vec<Value>> {
    match collection {
        "orders" => Some(&mut d.orders),
        "products" => Some(&mut d.products),
        "coupons" => Some(&mut d.coupons),
        _ => None,
    }
}

/// The error a payload carries when WooCommerce builds it for a post that
/// is not of the topic's type.
fn invalid_id(resource: &str) -> Value {
    let code = match resource {
        "coupon" => "woocommerce_rest_shop_coupon_invalid_id",
        _ => "woocommerce_rest_product_invalid_id",
    };
    json!({"code": code, "message": "Invalid ID.", "data": {"status": 404}})
}

/// Trash (or, `force`d, delete) post `id` of `collection`: the post as it
/// was and the deliveries, or the error to answer.
fn trash(d: &mut Data, collection: &str, id: Option<u64>, force: bool) -> Result<(Value, Deliveries), Refused> {
    let code = match collection {
        "orders" => "woocommerce_rest_shop_order_invalid_id",
        "coupons" => "woocommerce_rest_shop_coupon_invalid_id",
        _ => "woocommerce_rest_product_invalid_id",
    };
    let missing = || Box::new(wc_error(404, code, "Invalid ID."));
    let list = posts(d, collection).ok_or_else(missing)?;
    let i = list.iter().position(|p| p["id"].as_u64() == id).ok_or_else(missing)?;
    let before = list[i].clone();
    let id = id.unwrap_or(0);
    if force {
        list.remove(i);
        d.trashed.retain(|(t, _)| *t != id);
        d.order_index.invalidate();
        if collection == "products" {
            d.variations.retain(|(parent, _)| *parent != id);
        }
        return Ok((before, vec![]));
    }
    if before["status"] == "trash" {
        let post_type = match collection {
            "orders" => "shop_order",
            "coupons" => "shop_coupon",
            _ => "product",
        };
        return Err(already_trashed(post_type));
    }
    list[i]["status"] = json!("trash");
    touch(&mut list[i]);
    d.trashed.push((id, before["status"].as_str().unwrap_or("publish").to_string()));
    d.order_index.invalidate();
    let bare = json!({"id": id});
    let deliveries = if collection == "orders" {
        vec![("order.deleted", bare)]
    } else {
        vec![("product.deleted", bare.clone()), ("coupon.deleted", bare)]
    };
    Ok((before, deliveries))
}

/// WooCommerce's answer to trashing a post of `post_type` twice.
fn already_trashed(post_type: &str) -> Refused {
    let message = format!("The {post_type} has already been deleted.");
    Box::new(wc_error(410, "woocommerce_rest_already_trashed", &message))
}

/// `DELETE /products/<parent>/variations/<id>[?force=true]`: to the trash
/// (out of the product's `variations` and the lists), or for good.
pub(super) fn delete_variation(ctx: &Ctx, parent: Option<u64>, id: Option<u64>) -> Response<Body> {
    let force = ctx.param("force").is_some_and(|f| f == "true" || f == "1");
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.variations.iter().position(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
    };
    let before = d.variations[i].1.clone();
    if !force && before["status"] == "trash" {
        return *already_trashed("product_variation");
    }
    if force {
        d.variations.remove(i);
    } else {
        d.variations[i].1["status"] = json!("trash");
        touch(&mut d.variations[i].1);
    }
    if let Some(p) = d.products.iter_mut().find(|p| p["id"].as_u64() == parent) {
        if let Some(ids) = p["variations"].as_array_mut() {
            ids.retain(|v| v.as_u64() != id);
        }
        touch(p);
    }
    json_response(200, &before)
}

/// `DELETE /orders|products|coupons/<id>[?force=true]`.
pub(super) fn delete_post(ctx: &Ctx, collection: &str, id: Option<u64>) -> Response<Body> {
    let force = ctx.param("force").is_some_and(|f| f == "true" || f == "1");
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let (post, deliveries) = match trash(&mut d, collection, id, force) {
        Ok(done) => done,
        Err(refused) => return *refused,
    };
    drop(d);
    for (topic, body) in deliveries {
        hook(ctx, topic, &body);
    }
    json_response(200, &post)
}

/// `DELETE /customers/<id>?force=true` (a user cannot be trashed).
pub(super) fn delete_customer(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    if !ctx.param("force").is_some_and(|f| f == "true" || f == "1") {
        return wc_error(501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.customers.iter().position(|c| c["id"].as_u64() == id) else {
        return wc_error(404, "wc_user_invalid_id", "Invalid user ID.");
    };
    // User 1 is the store's administrator (not among the seeded customers).
    if let Some(to) = ctx.param("reassign").and_then(|r| r.parse::<u64>().ok()).filter(|r| *r != 0)
        && to != 1
        && (Some(to) == id || !d.customers.iter().any(|c| c["id"].as_u64() == Some(to)))
    {
        return wc_error(400, "woocommerce_rest_customer_invalid_reassign", "Invalid resource id for reassignment.");
    }
    let c = d.customers.remove(i);
    drop(d);
    hook(ctx, "customer.deleted", &json!({"id": id}));
    json_response(200, &c)
}

/// Take post `id` out of the trash: the post restored and the deliveries.
fn untrash(d: &mut Data, id: u64) -> Option<(Value, Deliveries)> {
    let i = d.trashed.iter().position(|(t, _)| *t == id)?;
    let (_, status) = d.trashed.remove(i);
    d.order_index.invalidate();
    for collection in ["orders", "products", "coupons"] {
        let Some(p) = posts(d, collection).and_then(|l| l.iter_mut().find(|p| p["id"].as_u64() == Some(id))) else {
            continue;
        };
        p["status"] = json!(status);
        touch(p);
        let p = p.clone();
        let deliveries = match collection {
            "orders" => vec![("order.restored", p.clone())],
            "products" => vec![
                ("product.updated", p.clone()),
                ("product.restored", p.clone()),
                ("coupon.restored", invalid_id("coupon")),
            ],
            _ => vec![("coupon.restored", p.clone()), ("product.restored", invalid_id("product"))],
        };
        return Some((p, deliveries));
    }
    None
}

impl SimState {
    /// Restore post `id` (an order, a product or a coupon) from the trash,
    /// as WordPress's `wp_untrash_post` does; webhooks fire. `None` when it
    /// is not in the trash.
    pub fn restore(self: &Arc<Self>, id: u64) -> Option<Value> {
        let (post, deliveries) = untrash(&mut *self.data.write().ok()?, id)?;
        for (topic, body) in deliveries {
            deliver_webhooks(self, topic, &body);
        }
        Some(post)
    }

    /// Move post `id` of `collection` (`orders`, `products`, `coupons`) to
    /// the trash, as `DELETE` does; webhooks fire.
    pub fn trash(self: &Arc<Self>, collection: &str, id: u64) -> Option<Value> {
        let (post, deliveries) = trash(&mut *self.data.write().ok()?, collection, Some(id), false).ok()?;
        for (topic, body) in deliveries {
            deliver_webhooks(self, topic, &body);
        }
        Some(post)
    }
}
