//! `/products/reviews`: product reviews, as WooCommerce 11 answers them
//! (checked on one):
//!
//! - The list shows approved reviews unless `status` says otherwise (`all`:
//!   approved and held); newest first (`date_gmt`); a read (`view` context)
//!   wraps the text in paragraphs, a write (`edit`) returns it as stored.
//! - A review has a trash: `DELETE` without `force` sets status `trash` (a
//!   second time is 410 `woocommerce_rest_already_trashed`); `force=true`
//!   deletes it and answers `{deleted, previous}`. `untrash` and `unspam`
//!   give back the status it had before.
//! - The store takes any rating and ignores an update's rating 0.
//! - A registered reviewer's `_links.reviewer` points at `/wp/v2/users/<id>`
//!   (embeddable); `verified` says whether the email bought the product.

use super::http::{Body, Ctx, now_secs};
use super::rest::{
    fields, filter_dates, filter_include, invalid_param, json_response, links, list, list_param, wc_error,
};
use super::seed::{Data, Rng};
use crate::dates::wc_date;
use http::{Method, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Route `/products/reviews[/<id>]`.
pub(super) fn route(ctx: &Ctx, segs: &[&str]) -> Response<Body> {
    let id = segs.get(2).and_then(|s| s.parse::<u64>().ok());
    let m = ctx.method;
    match (segs.len(), m) {
        (2, &Method::GET) => list_reviews(ctx),
        (2, &Method::POST) => create_review(ctx),
        (3, &Method::GET) => get_review(ctx, id),
        (3, &Method::PUT | &Method::PATCH | &Method::POST) => update_review(ctx, id),
        (3, &Method::DELETE) => delete_review(ctx, id),
        _ => super::rest::no_route(),
    }
}

const COLLECTION: &str = "/products/reviews";

fn missing() -> Response<Body> {
    wc_error(404, "woocommerce_rest_review_invalid_id", "Invalid review ID.")
}

/// The review as a read returns it (`view` context): the text as
/// `wpautop` formats it, and the links, `reviewer` for a registered user.
fn viewed(ctx: &Ctx, user: u64, mut r: Value) -> Value {
    if let Some(text) = r["review"].as_str() {
        r["review"] = json!(paragraphs(text));
    }
    linked(ctx, user, r)
}

/// The review with its `_links`.
fn linked(ctx: &Ctx, user: u64, r: Value) -> Value {
    let product = r["product_id"].as_u64().unwrap_or(0);
    let mut v = links(ctx, COLLECTION, r);
    let base = format!("{}://{}/wp-json", ctx.scheme, ctx.host);
    v["_links"]["up"] = json!([{"href": format!("{base}/wc/v3/products/{product}")}]);
    if user > 0 {
        v["_links"]["reviewer"] = json!([{"embeddable": true, "href": format!("{base}/wp/v2/users/{user}")}]);
    }
    v
}

/// WordPress's `wpautop` for a plain review: one paragraph, line breaks as `<br />`.
fn paragraphs(text: &str) -> String {
    let paras: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", p.replace('\n', "<br />\n")))
        .collect();
    paras.join("")
}

/// The statuses a list shows for `status` (`all`: approved and held).
fn listed(status: &str, wanted: &str) -> bool {
    match wanted {
        "all" => matches!(status, "approved" | "hold"),
        w => status == w,
    }
}

fn list_reviews(ctx: &Ctx) -> Response<Body> {
    if let Some(o) = ctx.param("orderby")
        && !["date", "date_gmt", "id", "include", "product"].contains(&o.as_str())
    {
        return invalid_param("orderby", "orderby is not one of date, date_gmt, id, include, and product.");
    }
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let wanted = ctx.param("status").unwrap_or_else(|| "approved".into());
    let ids = |name: &str| -> Option<Vec<u64>> {
        list_param(ctx, name).map(|l| l.iter().filter_map(|s| s.parse().ok()).collect())
    };
    let (products, reviewers, excluded) = (ids("product"), ids("reviewer"), ids("reviewer_exclude"));
    let email = ctx.param("reviewer_email").map(|e| e.to_lowercase());
    let mut items: Vec<Value> = d
        .reviews
        .iter()
        .filter(|(user, r)| {
            listed(r["status"].as_str().unwrap_or(""), &wanted)
                && products.as_ref().is_none_or(|p| r["product_id"].as_u64().is_some_and(|id| p.contains(&id)))
                && reviewers.as_ref().is_none_or(|u| u.contains(user))
                && excluded.as_ref().is_none_or(|u| !u.contains(user))
                && email.as_ref().is_none_or(|e| r["reviewer_email"].as_str().is_some_and(|x| x.to_lowercase() == *e))
        })
        .map(|(user, r)| viewed(ctx, *user, r.clone()))
        .collect();
    drop(d);
    if let Err(refused) = filter_dates(ctx, &mut items) {
        return *refused;
    }
    filter_include(ctx, &mut items);
    list(ctx, items, "date_gmt", "desc", false)
}

fn get_review(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let found =
        ctx.state.data.read().ok().and_then(|d| d.reviews.iter().find(|(_, r)| r["id"].as_u64() == id).cloned());
    match found {
        Some((user, r)) => json_response(200, &fields(ctx, viewed(ctx, user, r))),
        None => missing(),
    }
}

/// The product review `b` is about, or the store's refusal.
fn product_of(d: &Data, id: u64) -> Result<Value, Box<Response<Body>>> {
    d.products
        .iter()
        .find(|p| p["id"].as_u64() == Some(id))
        .cloned()
        .ok_or_else(|| Box::new(wc_error(404, "woocommerce_rest_product_invalid_id", "Invalid product ID.")))
}

/// Whether `email` bought product `product` (a paid order holds it).
fn bought(d: &Data, email: &str, product: u64) -> bool {
    d.orders.iter().any(|o| {
        matches!(o["status"].as_str(), Some("completed" | "processing"))
            && o["billing"]["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))
            && o["line_items"].as_array().is_some_and(|l| l.iter().any(|i| i["product_id"].as_u64() == Some(product)))
    })
}

/// Gravatar's URLs for `email` at the three sizes WordPress lists.
fn avatars(email: &str) -> Value {
    let hash: String =
        Sha256::digest(email.trim().to_lowercase().as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let url = |s: u32| format!("https://secure.gravatar.com/avatar/{hash}?s={s}&d=mm&r=g");
    json!({"24": url(24), "48": url(48), "96": url(96)})
}

/// A review as the REST API returns it (`edit` context: the text as stored).
/// `verified`: the reviewer's email bought the product.
pub(super) fn review_json(id: u64, product: &Value, created: u64, b: &Value, verified: bool) -> Value {
    let email = b["reviewer_email"].as_str().unwrap_or("");
    let pid = product["id"].as_u64().unwrap_or(0);
    json!({
        "id": id, "date_created": wc_date(created), "date_created_gmt": wc_date(created), "product_id": pid,
        "product_name": product["name"], "product_permalink": product["permalink"],
        "status": b["status"].as_str().unwrap_or("approved"), "reviewer": super::terms::stored_name(b["reviewer"].as_str().unwrap_or("")),
        "reviewer_email": email, "review": b["review"], "rating": b["rating"].as_i64().unwrap_or(0),
        "verified": verified, "reviewer_avatar_urls": avatars(email),
    })
}

/// Apply a status change as `handle_status_param` does: `spam` and `trash`
/// remember the status before, `unspam` and `untrash` give it back (held
/// when there is none).
fn set_status(d: &mut Data, i: usize, status: &str) {
    let id = d.reviews[i].1["id"].as_u64().unwrap_or(0);
    let now = d.reviews[i].1["status"].as_str().unwrap_or("approved").to_string();
    let next = match status {
        "spam" | "trash" => {
            if now != status {
                d.review_trash.retain(|(r, _)| *r != id);
                d.review_trash.push((id, now.clone()));
            }
            status.to_string()
        }
        "unspam" | "untrash" if now == status.trim_start_matches("un") => {
            let before = d.review_trash.iter().position(|(r, _)| *r == id).map(|k| d.review_trash.remove(k).1);
            before.unwrap_or_else(|| "hold".into())
        }
        "unspam" | "untrash" => now,
        other => other.to_string(),
    };
    d.reviews[i].1["status"] = json!(next);
}

fn create_review(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let missing: Vec<&str> = ["product_id", "review", "reviewer", "reviewer_email"]
        .into_iter()
        .filter(|k| b.get(*k).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        return json_response(
            400,
            &json!({"code": "rest_missing_callback_param", "message": format!("Missing parameter(s): {}", missing.join(", ")), "data": {"status": 400, "params": missing}}),
        );
    }
    if let Some(s) = b["status"].as_str()
        && !["approved", "hold", "spam", "unspam", "trash", "untrash"].contains(&s)
    {
        return invalid_param("status", "status is not one of approved, hold, spam, unspam, trash, and untrash.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let product = match product_of(&d, b["product_id"].as_u64().unwrap_or(0)) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    if b["review"].as_str().is_none_or(|r| r.trim().is_empty()) {
        return wc_error(400, "woocommerce_rest_review_content_invalid", "Invalid review content.");
    }
    let duplicate = d.reviews.iter().any(|(_, r)| {
        r["product_id"] == product["id"]
            && r["review"] == b["review"]
            && r["reviewer_email"]
                .as_str()
                .zip(b["reviewer_email"].as_str())
                .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y))
    });
    if duplicate {
        return wc_error(
            409,
            "woocommerce_rest_comment_duplicate",
            "Duplicate comment detected; it looks as though you\u{2019}ve already said that!",
        );
    }
    d.next_other_id += 1;
    let id = d.next_other_id;
    let mut body = b.clone();
    body["status"] = json!("approved");
    let verified = bought(&d, b["reviewer_email"].as_str().unwrap_or(""), product["id"].as_u64().unwrap_or(0));
    let r = review_json(id, &product, now_secs(), &body, verified);
    d.reviews.push((0, r));
    let i = d.reviews.len() - 1;
    if let Some(s) = b["status"].as_str() {
        set_status(&mut d, i, s);
    }
    let r = d.reviews[i].1.clone();
    drop(d);
    let mut resp = json_response(201, &linked(ctx, 0, r));
    if let Ok(loc) = format!("{}://{}/wp-json/wc/v3/products/reviews/{id}", ctx.scheme, ctx.host).parse() {
        resp.headers_mut().insert("location", loc);
    }
    resp
}

fn update_review(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    if let Some(s) = b["status"].as_str()
        && !["approved", "hold", "spam", "unspam", "trash", "untrash"].contains(&s)
    {
        return invalid_param("status", "status is not one of approved, hold, spam, unspam, trash, and untrash.");
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.reviews.iter().position(|(_, r)| r["id"].as_u64() == id) else { return missing() };
    if let Some(pid) = b["product_id"].as_u64() {
        match product_of(&d, pid) {
            Ok(p) => {
                let r = &mut d.reviews[i].1;
                r["product_id"] = json!(pid);
                r["product_name"] = p["name"].clone();
                r["product_permalink"] = p["permalink"].clone();
            }
            Err(refused) => return *refused,
        }
    }
    if b["review"].as_str().is_some_and(|r| r.trim().is_empty()) {
        return wc_error(400, "woocommerce_rest_review_content_invalid", "Invalid review content.");
    }
    let r = &mut d.reviews[i].1;
    for k in ["review", "reviewer_email"] {
        if let Some(v) = b[k].as_str() {
            r[k] = json!(v);
        }
    }
    if let Some(name) = b["reviewer"].as_str() {
        r["reviewer"] = json!(super::terms::stored_name(name));
    }
    if let Some(e) = b["reviewer_email"].as_str() {
        r["reviewer_avatar_urls"] = avatars(e);
    }
    // `! empty( $request['rating'] )`: a rating of 0 is not written.
    if let Some(n) = b["rating"].as_i64().filter(|n| *n != 0) {
        r["rating"] = json!(n);
    }
    if let Some(s) = b["status"].as_str() {
        set_status(&mut d, i, s);
    }
    let (user, r) = d.reviews[i].clone();
    drop(d);
    json_response(200, &linked(ctx, user, r))
}

fn delete_review(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.reviews.iter().position(|(_, r)| r["id"].as_u64() == id) else { return missing() };
    if ctx.param("force").is_some_and(|f| f == "true" || f == "1") {
        let (user, r) = d.reviews.remove(i);
        d.review_trash.retain(|(x, _)| Some(*x) != id);
        drop(d);
        return json_response(200, &json!({"deleted": true, "previous": linked(ctx, user, r)}));
    }
    if d.reviews[i].1["status"] == "trash" {
        return wc_error(410, "woocommerce_rest_already_trashed", "The object has already been trashed.");
    }
    set_status(&mut d, i, "trash");
    let (user, r) = d.reviews[i].clone();
    drop(d);
    json_response(200, &linked(ctx, user, r))
}

/// Seed reviews: some products get one to three, from registered customers
/// (who have a `reviewer` link) and guests, mostly approved, a few held or
/// spam; each product's `average_rating` and `rating_count` count its
/// approved ratings, as the store keeps them.
pub(super) fn seed(d: &mut Data, rng: &mut Rng) {
    const TEXTS: &[&str] = &[
        "Exactly as described. Would buy again!",
        "Good quality, but shipping took a while.",
        "The colour is lovely \u{2013} a bit smaller than I expected.",
        "Perfect gift, my sister loved it \u{1f60d}",
        "Not great: the print faded after two washes.",
        "Très bien, livraison rapide.",
        "Works fine.\nPackaging could be better.",
    ];
    const GUESTS: &[(&str, &str)] =
        &[("Priya", "priya.k@example.test"), ("Tom &amp; Jerry", "tj@example.test"), ("Ólafur", "olafur@example.test")];
    let buyers: Vec<(u64, String, String)> = d
        .customers
        .iter()
        .filter(|c| c["role"] == "customer")
        .map(|c| {
            let name = format!("{} {}", c["first_name"].as_str().unwrap_or(""), c["last_name"].as_str().unwrap_or(""));
            (c["id"].as_u64().unwrap_or(0), name.trim().to_string(), c["email"].as_str().unwrap_or("").to_string())
        })
        .collect();
    // Who bought what, read once: (email in lower case, product id).
    let mut bought: HashSet<(String, u64)> = HashSet::new();
    for o in d.orders.iter().filter(|o| matches!(o["status"].as_str(), Some("completed" | "processing"))) {
        let email = o["billing"]["email"].as_str().unwrap_or("").to_lowercase();
        for i in o["line_items"].as_array().into_iter().flatten() {
            bought.insert((email.clone(), i["product_id"].as_u64().unwrap_or(0)));
        }
    }
    let products: Vec<Value> = d.products.iter().filter(|p| p["status"] == "publish").cloned().collect();
    for p in &products {
        if !rng.chance(45) {
            continue;
        }
        let created = p["date_created_gmt"].as_str().and_then(crate::dates::parse_wc_date).unwrap_or(0);
        for k in 0..1 + rng.below(3) {
            let (user, name, email) = match buyers.is_empty() || rng.chance(35) {
                true => {
                    let (n, e) = rng.pick(GUESTS);
                    (0, n.to_string(), e.to_string())
                }
                false => rng.pick(&buyers).clone(),
            };
            let status = match rng.below(20) {
                0 => "spam",
                1 | 2 => "hold",
                _ => "approved",
            };
            d.next_other_id += 1;
            let id = d.next_other_id;
            let body = json!({"status": status, "reviewer": name, "reviewer_email": email,
                "review": rng.pick(TEXTS), "rating": 1 + rng.below(5)});
            let at = created + 86_400 * (3 + k * 5 + rng.below(30));
            let verified = bought.contains(&(email.to_lowercase(), p["id"].as_u64().unwrap_or(0)));
            let r = review_json(id, p, at, &body, verified);
            d.reviews.push((user, r));
        }
    }
    let mut ratings: HashMap<u64, Vec<i64>> = HashMap::new();
    for (_, r) in d.reviews.iter().filter(|(_, r)| r["status"] == "approved") {
        if let (Some(pid), Some(n)) = (r["product_id"].as_u64(), r["rating"].as_i64().filter(|n| *n > 0)) {
            ratings.entry(pid).or_default().push(n);
        }
    }
    for p in &mut d.products {
        let rs = p["id"].as_u64().and_then(|id| ratings.get(&id)).cloned().unwrap_or_default();
        let avg = if rs.is_empty() { 0.0 } else { rs.iter().sum::<i64>() as f64 / rs.len() as f64 };
        p["average_rating"] = json!(format!("{avg:.2}"));
        p["rating_count"] = json!(rs.len());
    }
}
