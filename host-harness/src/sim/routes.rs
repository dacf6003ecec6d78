//! The REST v3 routes the simulator answers, by path and method.

use super::http::{Body, Ctx};
use super::rest::{get_one, no_route};
use super::{coupons, customers, notes, orders, products, refunds, system, terms, trash, variations, webhooks};
use http::{Method, Response};

/// Whether the simulated WooCommerce `v` is `major.minor` or later. The
/// component has its own rule; the simulator stands for a store and keeps one
/// of its own rather than borrow the client's.
fn version_at_least(v: &str, major: u64, minor: u64) -> bool {
    let mut it = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (major, minor)
}

/// Answer an authenticated request for `rest`, the path after `/wp-json/wc/v3`.
pub(super) fn dispatch(ctx: &Ctx, rest: &str) -> Response<Body> {
    let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    // Shipping, tax, gateways, settings, reports and data take slugs as well as ids.
    if let Some(r) = super::admin::dispatch(ctx, &segs) {
        return r;
    }
    // Routes take numeric ids only (`(?P<id>[\d]+)`): anything else has no route.
    let named = [
        "system_status",
        "customers",
        "orders",
        "refunds",
        "notes",
        "products",
        "batch",
        "categories",
        "tags",
        "attributes",
        "terms",
        "reviews",
        "variations",
        "coupons",
        "webhooks",
    ];
    if segs.iter().any(|s| s.parse::<u64>().is_err() && !named.contains(s))
        || (segs.len() >= 2 && segs[0] == "products" && segs[1] == "variations")
    {
        return no_route();
    }
    let id = |i: usize| segs.get(i).and_then(|s| s.parse::<u64>().ok());
    let m = ctx.method;
    let get = *m == Method::GET;
    let post = *m == Method::POST;
    let put = matches!(*m, Method::PUT | Method::PATCH);
    match (segs.as_slice(), get, post, put) {
        (["system_status"], true, _, _) => system::system_status(ctx),
        (["customers"], true, _, _) => customers::list_customers(ctx),
        (["customers"], _, true, _) => customers::create_customer(ctx),
        (["customers", _], true, _, _) => get_one(ctx, "customers", id(1), "woocommerce_rest_invalid_id", 404),
        (["customers", _], _, _, true) => customers::update_customer(ctx, id(1)),
        (["orders"], true, _, _) => orders::list_orders(ctx),
        (["orders"], _, true, _) => orders::create_order(ctx),
        (["orders", "batch"], _, true, _) => orders::batch_orders(ctx),
        (["orders", _], true, _, _) => get_one(ctx, "orders", id(1), "woocommerce_rest_shop_order_invalid_id", 404),
        (["orders", _], _, _, true) => orders::update_order(ctx, id(1)),
        (["orders", _, "refunds"], true, _, _) => refunds::list_refunds(ctx, id(1)),
        (["orders", _, "refunds"], _, true, _) => refunds::create_refund(ctx, id(1)),
        (["orders", _, "notes"], true, _, _) => notes::list_notes(ctx, id(1)),
        (["orders", _, "notes"], _, true, _) => notes::create_note(ctx, id(1)),
        (["orders", _, "notes", _], _, _, _) if *m == Method::DELETE => notes::delete_note(ctx, id(1), id(3)),
        (["orders", _, "refunds", _], _, _, _) if *m == Method::DELETE => refunds::delete_refund(ctx, id(1), id(3)),
        (["refunds"], true, _, _) if version_at_least(&ctx.state.version, 9, 0) => refunds::list_refunds(ctx, None),
        (["products"], true, _, _) => products::list_products(ctx),
        (["products"], _, true, _) => products::create_product(ctx),
        (["products", "batch"], _, true, _) => products::batch_products(ctx),
        (["products", "categories" | "tags" | "attributes" | "reviews", ..], _, _, _) => terms::catalog(ctx, &segs),
        (["products", _], true, _, _) => products::get_product_or_variation(ctx, id(1)),
        (["products", _], _, _, true) => products::update_product(ctx, id(1)),
        (["products", _, "variations", "batch"], _, true, _) => variations::batch_variations(ctx, id(1)),
        (["products", _, "variations"], true, _, _) => variations::list_variations(ctx, id(1)),
        (["products", _, "variations"], _, true, _) => variations::create_variation(ctx, id(1)),
        (["products", _, "variations", _], true, _, _) => variations::get_variation(ctx, id(1), id(3)),
        (["products", _, "variations", _], _, _, true) => variations::update_variation(ctx, id(1), id(3)),
        (["products", _, "variations", _], _, _, _) if *m == Method::DELETE => {
            trash::delete_variation(ctx, id(1), id(3))
        }
        (["variations"], true, _, _) if version_at_least(&ctx.state.version, 10, 3) => {
            variations::list_variations(ctx, None)
        }
        (["coupons"], true, _, _) => coupons::list_coupons(ctx),
        (["coupons"], _, true, _) => coupons::create_coupon(ctx),
        (["coupons", _], true, _, _) => get_one(ctx, "coupons", id(1), "woocommerce_rest_shop_coupon_invalid_id", 404),
        (["coupons", _], _, _, true) => coupons::update_coupon(ctx, id(1)),
        (["webhooks"], true, _, _) => webhooks::list_webhooks(ctx),
        (["webhooks"], _, true, _) => webhooks::create_webhook(ctx),
        (["webhooks", _], true, _, _) => webhooks::get_webhook(ctx, id(1)),
        (["webhooks", _], _, _, true) => webhooks::update_webhook(ctx, id(1)),
        (["webhooks", _], _, _, _) if *m == Method::DELETE => webhooks::delete_webhook(ctx, id(1)),
        (["orders" | "products" | "coupons", _], _, _, _) if *m == Method::DELETE => {
            trash::delete_post(ctx, segs[0], id(1))
        }
        (["customers", _], _, _, _) if *m == Method::DELETE => trash::delete_customer(ctx, id(1)),
        _ => no_route(),
    }
}
