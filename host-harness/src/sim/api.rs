//! The REST v3 resources of the simulator.

use std::borrow::Borrow;
use super::seed::{self, parse_wc_date, wc_date};
use super::{Body, Ctx, SimState, json_response, now_secs, wc_error};
use http::{Method, Response};
use serde_json::{Value, json};
use std::sync::Arc;

fn no_route() -> Response<Body> {
    wc_error(404, "rest_no_route", "No route was found matching the URL and request method.")
}

fn invalid_param(name: &str, why: &str) -> Response<Body> {
    json_response(
        400,
        &json!({"code": "rest_invalid_param", "message": format!("Invalid parameter(s): {name}"), "data": {"status": 400, "params": {name: why}, "details": {}}}),
    )
}

fn version_at_least(v: &str, major: u64, minor: u64) -> bool {
    let mut it = v.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (major, minor)
}

/// Shared state as an `Arc` for webhook delivery from handlers.
fn arc(ctx: &Ctx) -> Option<Arc<SimState>> {
    // SAFETY-free trick avoided: handlers get the Arc through the global registry below.
    super_registry().lock().ok()?.iter().find(|s| std::ptr::eq(Arc::as_ptr(s), ctx.state)).cloned()
}

fn super_registry() -> &'static std::sync::Mutex<Vec<Arc<SimState>>> {
    static REG: std::sync::OnceLock<std::sync::Mutex<Vec<Arc<SimState>>>> = std::sync::OnceLock::new();
    REG.get_or_init(|| std::sync::Mutex::new(vec![]))
}

/// Make a simulator's state reachable for webhook delivery.
pub fn register(state: &Arc<SimState>) {
    if let Ok(mut r) = super_registry().lock() {
        r.push(state.clone());
    }
}

pub(super) fn dispatch(ctx: &Ctx, rest: &str) -> Response<Body> {
    let segs: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    // Routes take numeric ids only (`(?P<id>[\d]+)`): anything else has no route.
    let named = ["system_status", "customers", "orders", "refunds", "notes", "products", "batch", "categories", "variations", "coupons", "webhooks"];
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
        (["system_status"], true, _, _) => system_status(ctx),
        (["customers"], true, _, _) => list_customers(ctx),
        (["customers"], _, true, _) => create_customer(ctx),
        (["customers", _], true, _, _) => get_one(ctx, "customers", id(1), "woocommerce_rest_invalid_id", 404),
        (["customers", _], _, _, true) => update_customer(ctx, id(1)),
        (["orders"], true, _, _) => list_orders(ctx),
        (["orders"], _, true, _) => create_order(ctx),
        (["orders", _], true, _, _) => get_one(ctx, "orders", id(1), "woocommerce_rest_shop_order_invalid_id", 404),
        (["orders", _], _, _, true) => update_order(ctx, id(1)),
        (["orders", _, "refunds"], true, _, _) => list_refunds(ctx, id(1)),
        (["orders", _, "refunds"], _, true, _) => create_refund(ctx, id(1)),
        (["orders", _, "notes"], true, _, _) => list_notes(ctx, id(1)),
        (["orders", _, "notes"], _, true, _) => create_note(ctx, id(1)),
        (["refunds"], true, _, _) if version_at_least(&ctx.state.version, 9, 0) => list_refunds(ctx, None),
        (["products"], true, _, _) => list_products(ctx),
        (["products"], _, true, _) => create_product(ctx),
        (["products", "batch"], _, true, _) => batch_products(ctx),
        (["products", "categories"], true, _, _) => list_categories(ctx),
        (["products", "categories"], _, true, _) => create_category(ctx),
        (["products", "categories", _], true, _, _) => get_one(ctx, "categories", id(2), "woocommerce_rest_term_invalid", 404),
        (["products", _], true, _, _) => get_product_or_variation(ctx, id(1)),
        (["products", _], _, _, true) => update_product(ctx, id(1)),
        (["products", _, "variations", "batch"], _, true, _) => batch_variations(ctx, id(1)),
        (["products", _, "variations"], true, _, _) => list_variations(ctx, id(1)),
        (["products", _, "variations"], _, true, _) => create_variation(ctx, id(1)),
        (["products", _, "variations", _], true, _, _) => get_variation(ctx, id(1), id(3)),
        (["products", _, "variations", _], _, _, true) => update_variation(ctx, id(1), id(3)),
        (["variations"], true, _, _) if version_at_least(&ctx.state.version, 10, 3) => list_variations(ctx, None),
        (["coupons"], true, _, _) => {
            let items = ctx.state.data.read().map(|d| d.coupons.clone()).unwrap_or_default();
            list(ctx, items, "date", "desc", false)
        }
        (["webhooks"], true, _, _) => {
            let items = ctx.state.data.read().map(|d| d.webhooks.clone()).unwrap_or_default();
            list(ctx, items, "date", "desc", false)
        }
        (["webhooks"], _, true, _) => create_webhook(ctx),
        (["webhooks", _], _, _, _) if *m == Method::DELETE => delete_webhook(ctx, id(1)),
        _ => no_route(),
    }
}

fn collection_of<'a>(d: &'a seed::Data, name: &str) -> &'a [Value] {
    match name {
        "customers" => &d.customers,
        "orders" => &d.orders,
        "products" => &d.products,
        "categories" => &d.categories,
        _ => &d.coupons,
    }
}

fn get_one(ctx: &Ctx, coll: &str, id: Option<u64>, code: &str, status: u16) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| collection_of(&d, coll).iter().find(|v| v["id"].as_u64() == id).cloned());
    match found {
        Some(v) => {
            let collection = ctx.path.split("/wp-json/wc/v3").nth(1).unwrap_or("").rsplit_once('/').map(|(c, _)| c.to_string()).unwrap_or_default();
            json_response(200, &fields(ctx, links(ctx, &collection, v)))
        }
        None => wc_error(status, code, "Invalid ID."),
    }
}

/// Add the `_links` a real store puts on every resource.
fn links(ctx: &Ctx, collection: &str, mut v: Value) -> Value {
    if let Some(id) = v["id"].as_u64()
        && v.get("_links").is_none()
    {
        let base = format!("{}://{}/wp-json/wc/v3{collection}", ctx.scheme, ctx.host);
        v["_links"] = json!({
            "self": [{"href": format!("{base}/{id}"), "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH", "DELETE"]}}],
            "collection": [{"href": base}],
        });
    }
    v
}

/// `_fields=a,b.c`: keep only those top-level keys.
fn fields(ctx: &Ctx, v: Value) -> Value {
    let Some(f) = ctx.param("_fields") else { return v };
    let wanted: Vec<&str> = f.split(',').map(|s| s.trim().split('.').next().unwrap_or("")).collect();
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| wanted.contains(&k.as_str())).collect()),
        other => other,
    }
}

fn date_param(ctx: &Ctx, name: &str) -> Result<Option<u64>, Response<Body>> {
    match ctx.param(name) {
        None => Ok(None),
        Some(s) => match parse_wc_date(&s) {
            Some(t) => Ok(Some(t)),
            None => Err(invalid_param(name, "Invalid date.")),
        },
    }
}

fn filter_dates<V: Borrow<Value>>(ctx: &Ctx, items: &mut Vec<V>) -> Result<(), Response<Body>> {
    for (param, field, after) in [
        ("after", "date_created_gmt", true),
        ("before", "date_created_gmt", false),
        ("modified_after", "date_modified_gmt", true),
        ("modified_before", "date_modified_gmt", false),
    ] {
        if let Some(t) = date_param(ctx, param)? {
            items.retain(|v| {
                let d = v.borrow()[field].as_str().and_then(parse_wc_date).unwrap_or(0);
                if after { d > t } else { d < t }
            });
        }
    }
    Ok(())
}

fn list_param(ctx: &Ctx, name: &str) -> Option<Vec<String>> {
    ctx.param(name).map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
}

fn filter_include<V: Borrow<Value>>(ctx: &Ctx, items: &mut Vec<V>) {
    if let Some(ids) = list_param(ctx, "include") {
        let ids: Vec<u64> = ids.iter().filter_map(|s| s.parse().ok()).collect();
        items.retain(|v| v.borrow()["id"].as_u64().is_some_and(|i| ids.contains(&i)));
    }
    if let Some(q) = ctx.param("search").map(|s| s.to_lowercase()) {
        items.retain(|v| v.borrow().to_string().to_lowercase().contains(&q));
    }
}

/// Sort, page and answer a list the way WooCommerce does. Items may be
/// borrowed from the store's data: only the page returned is cloned.
fn list<V: Borrow<Value>>(ctx: &Ctx, items: Vec<V>, default_orderby: &str, default_order: &str, hpos: bool) -> Response<Body> {
    list_sorted(ctx, items, default_orderby, default_order, hpos, false)
}

/// `list` of items already in ascending id order, asked for `orderby=id`.
fn list_presorted<V: Borrow<Value>>(ctx: &Ctx, items: Vec<V>, hpos: bool) -> Response<Body> {
    list_sorted(ctx, items, "id", "asc", hpos, true)
}

fn list_sorted<V: Borrow<Value>>(ctx: &Ctx, mut items: Vec<V>, default_orderby: &str, default_order: &str, hpos: bool, by_id: bool) -> Response<Body> {
    let per_page = match ctx.param("per_page") {
        None => 10,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)"),
        },
    };
    let page = match ctx.param("page") {
        None => 1,
        Some(s) => match s.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => return invalid_param("page", "page must be greater than or equal to 1"),
        },
    };
    let orderby = ctx.param("orderby").unwrap_or_else(|| default_orderby.to_string());
    let order = ctx.param("order").unwrap_or_else(|| default_order.to_string());
    if order != "asc" && order != "desc" {
        return invalid_param("order", "order is not one of asc, desc.");
    }
    let key = |v: &V| -> (String, u64) {
        let v = v.borrow();
        let id = v["id"].as_u64().unwrap_or(0);
        let s = match orderby.as_str() {
            "date" => v["date_created_gmt"].as_str().unwrap_or("").to_string(),
            "modified" => v["date_modified_gmt"].as_str().unwrap_or("").to_string(),
            "title" | "name" => v["name"].as_str().or(v["first_name"].as_str()).unwrap_or("").to_lowercase(),
            "slug" => v["slug"].as_str().unwrap_or("").to_string(),
            "registered_date" => v["date_created_gmt"].as_str().unwrap_or("").to_string(),
            _ => String::new(),
        };
        (s, id)
    };
    if orderby == "id" || orderby == "include" {
        // Ids only: no string keys (a 50,000-order list is sorted per request).
        let id = |v: &V| v.borrow()["id"].as_u64().unwrap_or(0);
        if !by_id && !items.is_sorted_by_key(id) {
            items.sort_by_key(id);
        }
    } else {
        items.sort_by_cached_key(key);
    }
    if order == "desc" {
        items.reverse();
    }
    let total = items.len() as u64;
    let pages = total.div_ceil(per_page);
    // `offset` overrides `page`, as in WordPress.
    let start = match ctx.param("offset").and_then(|o| o.parse::<u64>().ok()) {
        Some(o) => o as usize,
        None => ((page - 1) * per_page) as usize,
    };
    let collection = ctx.path.split("/wp-json/wc/v3").nth(1).unwrap_or("").to_string();
    let slice: Vec<Value> = items.into_iter().skip(start).take(per_page as usize).map(|v| fields(ctx, links(ctx, &collection, v.borrow().clone()))).collect();
    let (hdr_total, hdr_pages) = if hpos && slice.is_empty() && page > 1 { (0, 0) } else { (total, pages) };
    let mut r = json_response(200, &Value::Array(slice));
    let h = r.headers_mut();
    h.insert("x-wp-total", hdr_total.to_string().parse().expect("number"));
    h.insert("x-wp-totalpages", hdr_pages.to_string().parse().expect("number"));
    // Like WordPress, Link repeats the request's whole query (credentials included).
    let base = format!("{}://{}{}", ctx.scheme, ctx.host, ctx.path);
    let with_page = |p: u64| {
        let mut q: Vec<String> = ctx.query.split('&').filter(|s| !s.is_empty() && !s.starts_with("page=")).map(str::to_string).collect();
        q.push(format!("page={p}"));
        format!("<{base}?{}>", q.join("&"))
    };
    let mut links = vec![];
    if page > 1 && page <= pages + 1 {
        links.push(format!("{}; rel=\"prev\"", with_page(page - 1)));
    }
    if page < pages {
        links.push(format!("{}; rel=\"next\"", with_page(page + 1)));
    }
    if !links.is_empty()
        && let Ok(v) = links.join(", ").parse()
    {
        h.insert("link", v);
    }
    r
}

fn system_status(ctx: &Ctx) -> Response<Body> {
    let body = json!({
        "environment": {
            "home_url": format!("{}://{}", ctx.scheme, ctx.host), "site_url": format!("{}://{}", ctx.scheme, ctx.host),
            "store_id": "", "version": ctx.state.version, "log_directory": "", "log_directory_writable": true,
            "wp_version": "7.1", "wp_multisite": false, "wp_memory_limit": 268435456, "wp_debug_mode": false,
            "wp_cron": true, "language": "en_US", "external_object_cache": null, "server_info": "nginx",
            "php_version": "8.2", "mysql_version": "10.11", "default_timezone": "UTC",
        },
        "database": {}, "active_plugins": [], "inactive_plugins": [], "dropins_mu_plugins": {}, "theme": {},
        "settings": {"currency": "USD", "currency_symbol": "$"}, "security": {"secure_connection": ctx.scheme == "https"}, "pages": [],
        "post_type_counts": [], "logging": {},
    });
    json_response(200, &fields(ctx, body))
}

fn list_customers(ctx: &Ctx) -> Response<Body> {
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

fn create_customer(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Some(email) = b["email"].as_str().filter(|e| e.contains('@')) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): email");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    if d.customers.iter().any(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))) {
        return wc_error(400, "registration-error-email-exists", "An account is already registered with your email address.");
    }
    d.next_user_id += 1;
    let id = d.next_user_id;
    let mut rng = seed::Rng::new(id);
    let mut c = seed::customer_json(id, b["first_name"].as_str().unwrap_or(""), b["last_name"].as_str().unwrap_or(""), email, "customer", now_secs(), &mut rng);
    merge(&mut c, &b, &["email", "first_name", "last_name", "billing", "shipping", "meta_data"]);
    d.customers.push(c.clone());
    drop(d);
    hook(ctx, "customer.created", &c);
    json_response(201, &c)
}

fn update_customer(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
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

/// Copy the allowed keys of `from` into `to`; objects are merged one level deep.
fn merge(to: &mut Value, from: &Value, allowed: &[&str]) {
    let Some(src) = from.as_object() else { return };
    for (k, v) in src {
        if !allowed.contains(&k.as_str()) {
            continue;
        }
        match (to.get_mut(k), v) {
            (Some(Value::Object(dst)), Value::Object(s)) => {
                for (kk, vv) in s {
                    dst.insert(kk.clone(), vv.clone());
                }
            }
            (_, _) if k == "meta_data" => {
                let mut meta = to["meta_data"].as_array().cloned().unwrap_or_default();
                for item in v.as_array().into_iter().flatten() {
                    match meta.iter_mut().find(|m| m["key"] == item["key"]) {
                        Some(m) => m["value"] = item["value"].clone(),
                        None => {
                            let mut item = item.clone();
                            item["id"] = json!(meta.len() as u64 + 1000);
                            meta.push(item);
                        }
                    }
                }
                to["meta_data"] = Value::Array(meta);
            }
            _ => {
                to[k] = v.clone();
            }
        }
    }
}

fn touch(v: &mut Value) {
    let mut now = now_secs();
    // Modification dates must move forward even within one second.
    if let Some(prev) = v["date_modified_gmt"].as_str().and_then(parse_wc_date)
        && prev >= now
    {
        now = prev + 1;
    }
    v["date_modified"] = json!(wc_date(now));
    v["date_modified_gmt"] = json!(wc_date(now));
}

fn hook(ctx: &Ctx, topic: &str, resource: &Value) {
    if let Some(state) = arc(ctx) {
        super::deliver_webhooks(&state, topic, resource);
    }
}

fn list_orders(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let statuses = list_param(ctx, "status").unwrap_or_else(|| vec!["any".into()]);
    // The walk every importer makes (all listed orders by id) is answered
    // from the index, as a real store answers from its tables' indexes.
    let plain = ["customer", "product", "after", "before", "modified_after", "modified_before", "include", "search", "offset"].iter().all(|p| ctx.param(p).is_none());
    if plain && statuses.iter().all(|s| s == "any") && ctx.param("orderby").as_deref() == Some("id") {
        let index = d.order_index.of(&d.orders);
        let mut items: Vec<&Value> = index.iter().zip(&d.orders).filter(|((_, listed), _)| *listed).map(|(_, o)| o).collect();
        let sorted = index.is_sorted_by_key(|(id, _)| *id);
        if !sorted {
            items.sort_by_key(|o| o["id"].as_u64().unwrap_or(0));
        }
        return list_presorted(ctx, items, true);
    }
    let mut items: Vec<&Value> = d.orders.iter().collect();
    if statuses.iter().any(|s| s == "any") {
        items.retain(|o| !matches!(o["status"].as_str(), Some("checkout-draft" | "trash")));
    } else {
        items.retain(|o| statuses.iter().any(|s| o["status"] == s.as_str()));
    }
    if let Some(c) = ctx.param("customer").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|o| o["customer_id"].as_u64() == Some(c));
    }
    if let Some(p) = ctx.param("product").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|o| o["line_items"].as_array().is_some_and(|l| l.iter().any(|li| li["product_id"].as_u64() == Some(p))));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", true)
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn cents(s: &str) -> u64 {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let f: String = f.chars().chain("00".chars()).take(2).collect();
    format!("{i}{f}").parse().unwrap_or(0)
}

fn create_order(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let o = build_order(&mut d, &b, &ctx.state.version);
    drop(d);
    hook(ctx, "order.created", &o);
    json_response(201, &o)
}

/// A new order as WooCommerce's REST API creates it from `b`.
pub fn build_order(d: &mut seed::Data, b: &Value, version: &str) -> Value {
    let id = d.post_id();
    let now = now_secs();
    let mut lines = vec![];
    let mut total = 0;
    for (k, li) in b["line_items"].as_array().into_iter().flatten().enumerate() {
        let pid = li["product_id"].as_u64().unwrap_or(0);
        let vid = li["variation_id"].as_u64().unwrap_or(0);
        let qty = li["quantity"].as_u64().unwrap_or(1);
        let (name, sku, price) = d
            .products
            .iter()
            .find(|p| p["id"].as_u64() == Some(pid))
            .map(|p| (p["name"].as_str().unwrap_or("").to_string(), p["sku"].as_str().unwrap_or("").to_string(), cents(p["price"].as_str().unwrap_or("0"))))
            .unwrap_or_else(|| ("Item".into(), String::new(), 0));
        let price = li["total"].as_str().map(|t| cents(t) / qty.max(1)).unwrap_or(price);
        total += price * qty;
        lines.push(json!({"id": id * 10 + k as u64, "name": name, "product_id": pid, "variation_id": vid, "quantity": qty, "tax_class": "", "subtotal": money(price * qty), "subtotal_tax": "0.00", "total": money(price * qty), "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": sku, "global_unique_id": "", "price": price as f64 / 100.0, "image": {"id": "", "src": ""}, "parent_name": null}));
    }
    let set_paid = b["set_paid"].as_bool().unwrap_or(false);
    let status = b["status"].as_str().unwrap_or(if set_paid { "processing" } else { "pending" }).to_string();
    let paid = set_paid || matches!(status.as_str(), "processing" | "completed");
    let customer_id = b["customer_id"].as_u64().unwrap_or(0);
    let mut o = json!({
        "id": id, "parent_id": 0, "status": status, "currency": b["currency"].as_str().unwrap_or("USD"), "version": version,
        "prices_include_tax": false, "date_created": wc_date(now), "date_modified": wc_date(now),
        "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": "0.00", "shipping_tax": "0.00", "cart_tax": "0.00",
        "total": money(total), "total_tax": "0.00", "customer_id": customer_id, "order_key": format!("wc_order_{id:012x}"),
        "billing": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "email": null, "phone": ""},
        "shipping": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "", "city": "", "state": "", "postcode": "", "country": "", "phone": ""},
        "payment_method": b["payment_method"].as_str().unwrap_or(""), "payment_method_title": b["payment_method_title"].as_str().unwrap_or(""),
        "transaction_id": "", "customer_ip_address": "", "customer_user_agent": "", "created_via": "rest-api", "customer_note": b["customer_note"].as_str().unwrap_or(""),
        "date_completed": null, "date_paid": if paid { json!(wc_date(now)) } else { Value::Null }, "cart_hash": "", "number": id.to_string(),
        "meta_data": [], "line_items": lines, "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": [],
        "payment_url": "", "is_editable": status == "pending", "needs_payment": !paid, "needs_processing": true,
        "date_created_gmt": wc_date(now), "date_modified_gmt": wc_date(now), "date_completed_gmt": null,
        "date_paid_gmt": if paid { json!(wc_date(now)) } else { Value::Null }, "currency_symbol": "$",
    });
    merge(&mut o, b, &["billing", "shipping", "meta_data"]);
    d.orders.push(o.clone());
    o
}

fn update_order(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(o) = apply_order_update(&mut d, id, &b) else {
        return wc_error(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
    };
    drop(d);
    hook(ctx, "order.updated", &o);
    json_response(200, &o)
}

/// Apply an order update as WooCommerce does (paid statuses set `date_paid`).
pub fn apply_order_update(d: &mut seed::Data, id: Option<u64>, b: &Value) -> Option<Value> {
    d.order_index.invalidate();
    let o = d.orders.iter_mut().find(|o| o["id"].as_u64() == id)?;
    merge(o, b, &["status", "customer_note", "meta_data", "billing", "shipping", "payment_method", "payment_method_title", "transaction_id"]);
    let status = o["status"].as_str().unwrap_or("").to_string();
    if matches!(status.as_str(), "processing" | "completed") && o["date_paid_gmt"].is_null() {
        let now = wc_date(now_secs());
        o["date_paid"] = json!(now);
        o["date_paid_gmt"] = json!(now);
        o["needs_payment"] = json!(false);
    }
    if status == "completed" && o["date_completed_gmt"].is_null() {
        let now = wc_date(now_secs());
        o["date_completed"] = json!(now);
        o["date_completed_gmt"] = json!(now);
    }
    touch(o);
    Some(o.clone())
}

fn list_refunds(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if let Some(oid) = order
        && !d.orders.iter().any(|o| o["id"].as_u64() == Some(oid))
    {
        return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.");
    }
    let items: Vec<Value> = d
        .refunds
        .iter()
        .filter(|(o, _)| order.is_none_or(|x| x == *o))
        .map(|(o, r)| {
            let mut r = r.clone();
            // Only the collection endpoint puts parent_id in each refund.
            if order.is_none() {
                r["parent_id"] = json!(o);
            }
            r
        })
        .collect();
    drop(d);
    list(ctx, items, "date", "desc", true)
}

fn create_refund(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(oid) = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o))) else {
        return wc_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.");
    };
    let amount = b["amount"].as_str().map(str::to_string).unwrap_or_else(|| "0.00".into());
    let rid = d.post_id();
    let now = wc_date(now_secs());
    let r = json!({"id": rid, "date_created": now, "date_created_gmt": now, "amount": money(cents(&amount)), "reason": b["reason"].as_str().unwrap_or(""), "refunded_by": 1, "refunded_payment": false, "meta_data": [], "line_items": [], "shipping_lines": [], "tax_lines": [], "fee_lines": []});
    d.refunds.push((oid, r.clone()));
    d.order_index.invalidate();
    if let Some(o) = d.orders.iter_mut().find(|x| x["id"].as_u64() == Some(oid)) {
        let mut refunds = o["refunds"].as_array().cloned().unwrap_or_default();
        refunds.push(json!({"id": rid, "reason": r["reason"], "total": format!("-{}", r["amount"].as_str().unwrap_or("0.00"))}));
        o["refunds"] = Value::Array(refunds);
        let total = cents(o["total"].as_str().unwrap_or("0"));
        let refunded: u64 = o["refunds"].as_array().into_iter().flatten().map(|x| cents(x["total"].as_str().unwrap_or("0").trim_start_matches('-'))).sum();
        if refunded >= total {
            o["status"] = json!("refunded");
        }
        touch(o);
    }
    json_response(201, &r)
}

fn list_notes(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if !d.orders.iter().any(|o| o["id"].as_u64() == order) {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    }
    let notes: Vec<Value> = d.notes.iter().filter(|(o, _)| Some(*o) == order).map(|(_, n)| n.clone()).collect();
    json_response(200, &Value::Array(notes))
}

fn create_note(ctx: &Ctx, order: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Some(text) = b["note"].as_str().filter(|s| !s.is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): note");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(oid) = order.filter(|o| d.orders.iter().any(|x| x["id"].as_u64() == Some(*o))) else {
        return wc_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.");
    };
    d.next_other_id += 1;
    let now = wc_date(now_secs());
    let n = json!({"id": d.next_other_id, "author": "system", "date_created": now, "date_created_gmt": now, "note": text, "customer_note": b["customer_note"].as_bool().unwrap_or(false)});
    d.notes.push((oid, n.clone()));
    json_response(201, &n)
}

fn list_products(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items: Vec<&Value> = d.products.iter().collect();
    if let Some(skus) = list_param(ctx, "sku") {
        let skus: Vec<String> = skus.iter().map(|s| s.to_lowercase()).collect();
        let hit = |v: &&Value| v["sku"].as_str().is_some_and(|s| skus.contains(&s.to_lowercase()));
        items.retain(hit);
        // WooCommerce's sku filter also finds variations.
        items.extend(d.variations.iter().map(|(_, v)| v).filter(hit));
    }
    let status = ctx.param("status").unwrap_or_else(|| "any".into());
    if status != "any" {
        items.retain(|p| p["status"] == status.as_str());
    } else {
        items.retain(|p| p["status"] != "trash");
    }
    if let Some(t) = ctx.param("type") {
        items.retain(|p| p["type"] == t.as_str());
    }
    if let Some(c) = ctx.param("category").and_then(|s| s.parse::<u64>().ok()) {
        items.retain(|p| p["categories"].as_array().is_some_and(|cs| cs.iter().any(|x| x["id"].as_u64() == Some(c))));
    }
    if let Err(r) = filter_dates(ctx, &mut items) {
        return r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", false)
}

fn category_refs(d: &seed::Data, given: &Value) -> Value {
    let ids: Vec<u64> = given.as_array().into_iter().flatten().filter_map(|c| c["id"].as_u64()).collect();
    let ids = if ids.is_empty() { vec![15] } else { ids };
    Value::Array(
        ids.iter()
            .filter_map(|id| d.categories.iter().find(|c| c["id"].as_u64() == Some(*id)))
            .map(|c| json!({"id": c["id"], "name": c["name"], "slug": c["slug"]}))
            .collect(),
    )
}

fn new_product(d: &mut seed::Data, b: &Value) -> Value {
    let id = d.post_id();
    let now = now_secs();
    let ptype = b["type"].as_str().unwrap_or("simple").to_string();
    let price = b["sale_price"].as_str().filter(|s| !s.is_empty()).or(b["regular_price"].as_str()).unwrap_or("").to_string();
    let mut p = json!({
        "id": id, "name": b["name"].as_str().unwrap_or("Product"), "slug": format!("product-{id}"),
        "permalink": format!("https://store.example.test/product/product-{id}/"),
        "date_created": wc_date(now), "date_created_gmt": wc_date(now), "date_modified": wc_date(now), "date_modified_gmt": wc_date(now),
        "type": ptype, "status": b["status"].as_str().unwrap_or("publish"), "featured": false, "catalog_visibility": "visible",
        "description": b["description"].as_str().unwrap_or(""), "short_description": "", "sku": b["sku"].as_str().unwrap_or(""),
        "global_unique_id": b["global_unique_id"].as_str().unwrap_or(""),
        "price": if ptype == "variable" { String::new() } else { price.clone() }, "regular_price": b["regular_price"].as_str().unwrap_or(""),
        "sale_price": b["sale_price"].as_str().unwrap_or(""), "on_sale": false, "purchasable": !price.is_empty(), "total_sales": 0,
        "virtual": false, "downloadable": false, "manage_stock": b["manage_stock"].as_bool().unwrap_or(false),
        "stock_quantity": b["stock_quantity"].clone(), "stock_status": "instock", "categories": category_refs(d, &b["categories"]),
        "tags": [], "images": [], "attributes": b["attributes"].clone(), "default_attributes": [], "variations": [],
        "grouped_products": [], "menu_order": 0, "price_html": "", "related_ids": [], "meta_data": b["meta_data"].as_array().cloned().unwrap_or_default(), "brands": [],
        "parent_id": 0, "has_options": ptype == "variable",
    });
    if p["attributes"].is_null() {
        p["attributes"] = json!([]);
    }
    if p["stock_quantity"].is_null() {
        p["stock_quantity"] = Value::Null;
    }
    p
}

fn create_product(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let p = new_product(&mut d, &b);
    d.products.push(p.clone());
    drop(d);
    hook(ctx, "product.created", &p);
    json_response(201, &p)
}

pub fn apply_product_update(d: &mut seed::Data, id: Option<u64>, b: &Value) -> Option<Value> {
    let cats = b.get("categories").map(|c| category_refs(d, c));
    let p = d.products.iter_mut().find(|p| p["id"].as_u64() == id)?;
    merge(p, b, &["name", "status", "description", "sku", "regular_price", "sale_price", "stock_quantity", "manage_stock", "meta_data", "global_unique_id", "stock_status"]);
    if let Some(c) = cats {
        p["categories"] = c;
    }
    if p["type"] != "variable" && (b.get("regular_price").is_some() || b.get("sale_price").is_some()) {
        let sale = p["sale_price"].as_str().unwrap_or("").to_string();
        p["price"] = if sale.is_empty() { p["regular_price"].clone() } else { json!(sale) };
    }
    touch(p);
    Some(p.clone())
}

fn update_product(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(p) = apply_product_update(&mut d, id, &b) else {
        return wc_error(400, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    };
    drop(d);
    hook(ctx, "product.updated", &p);
    json_response(200, &p)
}

/// WooCommerce's batch endpoints take at most 100 items in all.
fn batch_too_large(b: &Value) -> Option<Response<Body>> {
    let n = ["create", "update", "delete"].iter().map(|k| b[*k].as_array().map_or(0, Vec::len)).sum::<usize>();
    (n > 100).then(|| wc_error(413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items for this request."))
}

fn batch_products(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(refused) = batch_too_large(&b) {
        return refused;
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let mut created = vec![];
    for item in b["create"].as_array().into_iter().flatten() {
        let p = new_product(&mut d, item);
        d.products.push(p.clone());
        created.push(p);
    }
    let mut updated = vec![];
    for item in b["update"].as_array().into_iter().flatten() {
        let id = item["id"].as_u64();
        updated.push(apply_product_update(&mut d, id, item).unwrap_or_else(|| {
            json!({"id": id, "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}}})
        }));
    }
    json_response(200, &json!({"create": created, "update": updated}))
}

/// `GET /products/<id>` answers a variation too (type `variation`, with its
/// `parent_id`), as WooCommerce's `wc_get_product` does.
fn get_product_or_variation(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let variation = ctx.state.data.read().ok().and_then(|d| d.variations.iter().find(|(_, v)| v["id"].as_u64() == id).map(|(_, v)| v.clone()));
    match variation {
        Some(v) => json_response(200, &fields(ctx, v)),
        None => get_one(ctx, "products", id, "woocommerce_rest_product_invalid_id", 404),
    }
}

/// The variation fields an update may set.
const VARIATION_FIELDS: &[&str] = &["regular_price", "sale_price", "sku", "stock_quantity", "manage_stock", "meta_data", "status", "global_unique_id"];

/// Apply an update to a variation as WooCommerce does, alone or in a batch:
/// the fields, then `price` from a changed regular/sale price, and the stock
/// status from a quantity.
fn update_variation_fields(v: &mut Value, b: &Value) {
    merge(v, b, VARIATION_FIELDS);
    if b.get("regular_price").is_some() || b.get("sale_price").is_some() {
        let sale = v["sale_price"].as_str().unwrap_or("").to_string();
        v["price"] = if sale.is_empty() { v["regular_price"].clone() } else { json!(sale) };
    }
    if b.get("stock_quantity").is_some()
        && let Some(q) = v["stock_quantity"].as_i64()
    {
        v["stock_status"] = json!(if q > 0 { "instock" } else { "outofstock" });
    }
    touch(v);
}

/// `POST /products/<id>/variations/batch` (updates): per-item errors, as a real store.
fn batch_variations(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(refused) = batch_too_large(&b) {
        return refused;
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let mut updated = vec![];
    for item in b["update"].as_array().into_iter().flatten() {
        let id = item["id"].as_u64();
        match d.variations.iter_mut().find(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id) {
            Some((_, v)) => {
                update_variation_fields(v, item);
                updated.push(v.clone());
            }
            None => updated.push(json!({"id": id, "error": {"code": "woocommerce_rest_product_variation_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}})),
        }
    }
    json_response(200, &json!({"update": updated}))
}

fn list_variations(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    if let Some(pid) = parent
        && !d.products.iter().any(|p| p["id"].as_u64() == Some(pid))
    {
        return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    }
    // The collection endpoint filters by `parent` (a comma list), as WooCommerce 10.3+.
    let parents: Option<Vec<u64>> = if parent.is_none() { list_param(ctx, "parent").map(|l| l.iter().filter_map(|s| s.parse().ok()).collect()) } else { None };
    let mut items: Vec<Value> = d
        .variations
        .iter()
        .filter(|(p, _)| parent.is_none_or(|x| x == *p) && parents.as_ref().is_none_or(|ps| ps.contains(p)))
        .map(|(_, v)| v.clone())
        .collect();
    drop(d);
    if let Err(r) = filter_dates(ctx, &mut items) {
        return r;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date", "desc", false)
}

fn get_variation(ctx: &Ctx, parent: Option<u64>, id: Option<u64>) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| d.variations.iter().find(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id).map(|(_, v)| v.clone()));
    match found {
        Some(v) => json_response(200, &fields(ctx, v)),
        None => wc_error(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID."),
    }
}

fn create_variation(ctx: &Ctx, parent: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(pid) = parent.filter(|p| d.products.iter().any(|x| x["id"].as_u64() == Some(*p))) else {
        return wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
    };
    let vid = d.post_id();
    let option = b["attributes"][0]["option"].as_str().unwrap_or("").to_string();
    let price = b["regular_price"].as_str().unwrap_or("").to_string();
    let mut v = seed::variation_json(vid, pid, b["sku"].as_str().unwrap_or(""), price, &option, now_secs());
    if let Some(attrs) = b["attributes"].as_array() {
        v["attributes"] = Value::Array(attrs.iter().map(|a| json!({"id": 0, "name": a["name"], "slug": a["name"].as_str().unwrap_or("").to_lowercase(), "option": a["option"]})).collect());
    }
    merge(&mut v, &b, &["stock_quantity", "manage_stock", "meta_data", "global_unique_id"]);
    d.variations.push((pid, v.clone()));
    if let Some(p) = d.products.iter_mut().find(|x| x["id"].as_u64() == Some(pid)) {
        let mut ids = p["variations"].as_array().cloned().unwrap_or_default();
        ids.push(json!(vid));
        p["variations"] = Value::Array(ids);
        if p["price"].as_str().unwrap_or("").is_empty() {
            p["price"] = v["price"].clone();
        }
    }
    json_response(201, &v)
}

fn update_variation(ctx: &Ctx, parent: Option<u64>, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some((_, v)) = d.variations.iter_mut().find(|(p, v)| Some(*p) == parent && v["id"].as_u64() == id) else {
        return wc_error(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
    };
    update_variation_fields(v, &b);
    json_response(200, &v.clone())
}

fn list_categories(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items = d.categories.clone();
    for c in &mut items {
        let id = c["id"].as_u64();
        let count = d.products.iter().filter(|p| p["categories"].as_array().is_some_and(|cs| cs.iter().any(|x| x["id"].as_u64() == id))).count();
        c["count"] = json!(count);
    }
    drop(d);
    filter_include(ctx, &mut items);
    list(ctx, items, "name", "asc", false)
}

fn create_category(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Some(name) = b["name"].as_str().filter(|s| !s.is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): name");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    d.next_term_id += 1;
    let id = d.next_term_id;
    let c = json!({"id": id, "name": name, "slug": b["slug"].as_str().map(str::to_string).unwrap_or_else(|| format!("cat-{id}")), "parent": b["parent"].as_u64().unwrap_or(0), "description": "", "display": "default", "image": null, "menu_order": 0, "count": 0});
    d.categories.push(c.clone());
    json_response(201, &c)
}

fn create_webhook(ctx: &Ctx) -> Response<Body> {
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

fn delete_webhook(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.webhooks.iter().position(|w| w["id"].as_u64() == id) else {
        return wc_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
    };
    let w = d.webhooks.remove(i);
    json_response(200, &w)
}
