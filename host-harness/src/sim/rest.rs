//! What every resource answers with: WooCommerce's error shapes, `_links`,
//! `_fields`, the date, `include` and `search` filters, lists sorted and
//! paged as WordPress pages them, and updates merged as the REST API merges
//! them.

use super::http::{Body, Ctx, full, now_secs};
use super::seed;
use crate::dates::{parse_wc_date, wc_date};
use http::{Response, StatusCode};
use serde_json::{Value, json};
use std::borrow::Borrow;

pub(super) fn json_response(status: u16, body: &Value) -> Response<Body> {
    let mut r = Response::new(full(serde_json::to_vec(body).unwrap_or_default()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", "application/json; charset=UTF-8".parse().expect("static header"));
    r
}

/// An error body shaped like WooCommerce's.
pub fn wc_error(status: u16, code: &str, message: &str) -> Response<Body> {
    json_response(status, &json!({"code": code, "message": message, "data": {"status": status}}))
}

pub(super) fn no_route() -> Response<Body> {
    wc_error(404, "rest_no_route", "No route was found matching the URL and request method.")
}

pub(super) fn invalid_param(name: &str, why: &str) -> Response<Body> {
    json_response(
        400,
        &json!({"code": "rest_invalid_param", "message": format!("Invalid parameter(s): {name}"), "data": {"status": 400, "params": {name: why}, "details": {}}}),
    )
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

pub(super) fn get_one(ctx: &Ctx, coll: &str, id: Option<u64>, code: &str, status: u16) -> Response<Body> {
    let found = ctx
        .state
        .data
        .read()
        .ok()
        .and_then(|d| collection_of(&d, coll).iter().find(|v| v["id"].as_u64() == id).cloned());
    match found {
        Some(v) => {
            let collection = ctx
                .path
                .split("/wp-json/wc/v3")
                .nth(1)
                .unwrap_or("")
                .rsplit_once('/')
                .map(|(c, _)| c.to_string())
                .unwrap_or_default();
            json_response(200, &fields(ctx, links(ctx, &collection, v)))
        }
        None => wc_error(status, code, "Invalid ID."),
    }
}

/// Add the `_links` a real store puts on every resource.
pub(super) fn links(ctx: &Ctx, collection: &str, mut v: Value) -> Value {
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
pub(super) fn fields(ctx: &Ctx, v: Value) -> Value {
    let Some(f) = ctx.param("_fields") else { return v };
    let wanted: Vec<&str> = f.split(',').map(|s| s.trim().split('.').next().unwrap_or("")).collect();
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(k, _)| wanted.contains(&k.as_str())).collect()),
        other => other,
    }
}

/// A refusal to answer with instead of a list (boxed: a response is large).
pub(super) type Refused = Box<Response<Body>>;

/// The date query parameter `name`, if given; a date WooCommerce would not
/// read is refused as it refuses it.
fn date_param(ctx: &Ctx, name: &str) -> Result<Option<u64>, Refused> {
    match ctx.param(name) {
        None => Ok(None),
        Some(s) => match parse_wc_date(&s) {
            Some(t) => Ok(Some(t)),
            None => Err(Box::new(invalid_param(name, "Invalid date."))),
        },
    }
}

/// Keep the items created or modified within the `after`, `before`,
/// `modified_after` and `modified_before` windows.
pub(super) fn filter_dates<V: Borrow<Value>>(ctx: &Ctx, items: &mut Vec<V>) -> Result<(), Refused> {
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

pub(super) fn list_param(ctx: &Ctx, name: &str) -> Option<Vec<String>> {
    ctx.param(name).map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
}

pub(super) fn filter_include<V: Borrow<Value>>(ctx: &Ctx, items: &mut Vec<V>) {
    if let Some(ids) = list_param(ctx, "include") {
        let ids: Vec<u64> = ids.iter().filter_map(|s| s.parse().ok()).collect();
        items.retain(|v| v.borrow()["id"].as_u64().is_some_and(|i| ids.contains(&i)));
    }
    if let Some(ids) = list_param(ctx, "exclude") {
        let ids: Vec<u64> = ids.iter().filter_map(|s| s.parse().ok()).collect();
        items.retain(|v| v.borrow()["id"].as_u64().is_none_or(|i| !ids.contains(&i)));
    }
    if let Some(q) = ctx.param("search").map(|s| s.to_lowercase()) {
        items.retain(|v| v.borrow().to_string().to_lowercase().contains(&q));
    }
}

/// Sort, page and answer a list the way WooCommerce does. Items may be
/// borrowed from the store's data: only the page returned is cloned.
pub(super) fn list<V: Borrow<Value>>(
    ctx: &Ctx,
    items: Vec<V>,
    default_orderby: &str,
    default_order: &str,
    hpos: bool,
) -> Response<Body> {
    list_sorted(ctx, items, default_orderby, default_order, hpos, false)
}

/// `list` of items already in ascending id order, asked for `orderby=id`.
pub(super) fn list_presorted<V: Borrow<Value>>(ctx: &Ctx, items: Vec<V>, hpos: bool) -> Response<Body> {
    list_sorted(ctx, items, "id", "asc", hpos, true)
}

fn list_sorted<V: Borrow<Value>>(
    ctx: &Ctx,
    mut items: Vec<V>,
    default_orderby: &str,
    default_order: &str,
    hpos: bool,
    by_id: bool,
) -> Response<Body> {
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
            // Terms and reviews (sim/terms.rs, sim/reviews.rs).
            "date_gmt" => v["date_created_gmt"].as_str().unwrap_or("").to_string(),
            "count" => format!("{:020}", v["count"].as_u64().unwrap_or(0)),
            "product" => format!("{:020}", v["product_id"].as_u64().unwrap_or(0)),
            "description" => v["description"].as_str().unwrap_or("").to_lowercase(),
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
    let slice: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .map(|v| fields(ctx, links(ctx, &collection, v.borrow().clone())))
        .collect();
    let (hdr_total, hdr_pages) = if hpos && slice.is_empty() && page > 1 { (0, 0) } else { (total, pages) };
    let mut r = json_response(200, &Value::Array(slice));
    let h = r.headers_mut();
    h.insert("x-wp-total", hdr_total.to_string().parse().expect("number"));
    h.insert("x-wp-totalpages", hdr_pages.to_string().parse().expect("number"));
    // Like WordPress, Link repeats the request's whole query (credentials included).
    let base = format!("{}://{}{}", ctx.scheme, ctx.host, ctx.path);
    let with_page = |p: u64| {
        let mut q: Vec<String> =
            ctx.query.split('&').filter(|s| !s.is_empty() && !s.starts_with("page=")).map(str::to_string).collect();
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

/// Copy the allowed keys of `from` into `to`; objects are merged one level deep.
pub(super) fn merge(to: &mut Value, from: &Value, allowed: &[&str]) {
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

pub(super) fn touch(v: &mut Value) {
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

/// Fire the webhooks subscribed to `topic` for a changed `resource`.
pub(super) fn hook(ctx: &Ctx, topic: &str, resource: &Value) {
    super::webhooks::deliver_webhooks(ctx.state, topic, resource);
}

/// Cents of a decimal amount (`"12.5"` → 1250).
pub(super) fn cents(s: &str) -> u64 {
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let f: String = f.chars().chain("00".chars()).take(2).collect();
    format!("{i}{f}").parse().unwrap_or(0)
}

/// The `update` part of a `…/batch` request, as WooCommerce answers it: at
/// most 100 items; each applied by `apply` (which returns the saved record,
/// or `None` for an unknown id, answered in its place by `invalid(item)`, the
/// others still applied); then `topic` fired once for every saved record.
pub(super) fn batch_update(
    ctx: &Ctx,
    topic: &str,
    mut apply: impl FnMut(&mut seed::Data, Option<u64>, &Value) -> Option<Value>,
    invalid: impl Fn(&Value) -> Value,
) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(refused) = batch_too_large(&b) {
        return refused;
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let mut updated = vec![];
    let mut changed = vec![];
    for item in b["update"].as_array().into_iter().flatten() {
        match apply(&mut d, item["id"].as_u64(), item) {
            Some(saved) => {
                changed.push(saved.clone());
                updated.push(saved);
            }
            None => updated.push(invalid(item)),
        }
    }
    drop(d);
    for saved in &changed {
        hook(ctx, topic, saved);
    }
    json_response(200, &json!({"update": updated}))
}

/// WooCommerce's batch endpoints take at most 100 items in all.
pub(super) fn batch_too_large(b: &Value) -> Option<Response<Body>> {
    let n = ["create", "update", "delete"].iter().map(|k| b[*k].as_array().map_or(0, Vec::len)).sum::<usize>();
    (n > 100).then(|| {
        wc_error(
            413,
            "woocommerce_rest_request_entity_too_large",
            "Unable to accept more than 100 items for this request.",
        )
    })
}
