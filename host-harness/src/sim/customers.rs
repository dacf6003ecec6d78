//! `/customers`: registered customers (the role filter defaults to
//! `customer`, as WooCommerce's does).

use super::http::{Body, Ctx, now_secs};
use super::rest::{Refused, filter_include, hook, invalid_param, json_response, list, merge, touch, wc_error};
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
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let c = match build_customer(&mut d, &b) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    drop(d);
    hook(ctx, "customer.created", &c);
    json_response(201, &c)
}

/// Register a customer (`email`, names, addresses) as the REST API does;
/// the refusal to answer when the e-mail is missing or taken.
pub fn build_customer(d: &mut seed::Data, b: &Value) -> Result<Value, Refused> {
    let Some(email) = b["email"].as_str().filter(|e| e.contains('@')) else {
        return Err(Box::new(wc_error(400, "rest_missing_callback_param", "Missing parameter(s): email")));
    };
    if d.customers.iter().any(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))) {
        return Err(Box::new(wc_error(
            400,
            "registration-error-email-exists",
            "An account is already registered with your email address.",
        )));
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
    merge(&mut c, b, &["email", "first_name", "last_name", "billing", "shipping", "meta_data"]);
    d.customers.push(c.clone());
    Ok(c)
}

pub(super) fn update_customer(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(c) = apply_customer_update(&mut d, id, &b) else {
        return wc_error(400, "woocommerce_rest_invalid_id", "Invalid resource ID.");
    };
    drop(d);
    hook(ctx, "customer.updated", &c);
    json_response(200, &c)
}

/// Change customer `id` as the REST API does; the customer, or `None`.
pub fn apply_customer_update(d: &mut seed::Data, id: Option<u64>, b: &Value) -> Option<Value> {
    let c = d.customers.iter_mut().find(|c| c["id"].as_u64() == id)?;
    merge(c, b, &["email", "first_name", "last_name", "billing", "shipping", "meta_data"]);
    touch(c);
    Some(c.clone())
}
