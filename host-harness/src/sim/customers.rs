//! `/customers`: registered customers (the role filter defaults to
//! `customer`, as WooCommerce's does).

use super::http::{Body, Ctx, now_secs};
use super::rest::{filter_include, hook, invalid_param, json_response, list, merge, touch, wc_error};
use super::seed;
use http::Response;
use serde_json::Value;

pub(super) fn list_customers(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items: Vec<&Value> = d.customers.iter().collect();
    let role = ctx.param("role").unwrap_or_else(|| "customer".into());
    if role != "all" {
        items.retain(|c| c["role"] == role.as_str());
    }
    if let Some(email) = ctx.param("email") {
        items.retain(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(&email)));
    }
    filter_include(ctx, &mut items);
    if let Some(o) = ctx.param("orderby")
        && !matches!(o.as_str(), "id" | "include" | "name" | "registered_date")
    {
        return invalid_param("orderby", "orderby is not one of id, include, name, and registered_date.");
    }
    list(ctx, items, "name", "asc", false)
}

pub(super) fn create_customer(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Some(email) = b["email"].as_str().filter(|e| e.contains('@')) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): email");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    if d.customers.iter().any(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))) {
        return wc_error(
            400,
            "registration-error-email-exists",
            "An account is already registered with your email address.",
        );
    }
    d.next_user_id += 1;
    let id = d.next_user_id;
    let mut rng = seed::Rng::new(id);
    let mut c = seed::customer_json(
        id,
        b["first_name"].as_str().unwrap_or(""),
        b["last_name"].as_str().unwrap_or(""),
        email,
        "customer",
        now_secs(),
        &mut rng,
    );
    merge(&mut c, &b, &["email", "first_name", "last_name", "billing", "shipping", "meta_data"]);
    d.customers.push(c.clone());
    drop(d);
    hook(ctx, "customer.created", &c);
    json_response(201, &c)
}

pub(super) fn update_customer(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(c) = d.customers.iter_mut().find(|c| c["id"].as_u64() == id) else {
        return wc_error(400, "woocommerce_rest_invalid_id", "Invalid resource ID.");
    };
    merge(c, &b, &["email", "first_name", "last_name", "billing", "shipping", "meta_data"]);
    touch(c);
    let c = c.clone();
    drop(d);
    hook(ctx, "customer.updated", &c);
    json_response(200, &c)
}
