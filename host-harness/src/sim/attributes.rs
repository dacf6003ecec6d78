//! `/products/attributes`: the global product attributes (`pa_*`
//! taxonomies), as WooCommerce 11 answers them (checked on one): the list
//! has no paging (every attribute at once, `X-WP-Total` counting them), a
//! slug is at most 28 characters, unique and not a reserved word, and a
//! delete with `force=false` is 501 while one without any `force` deletes.
//! Their terms are answered by `terms.rs`.

use super::http::{Body, Ctx};
use super::rest::{Refused, fields, json_response, links, wc_error};
use super::seed::{Data, Rng};
use super::terms::slugify;
use http::Response;
use serde_json::{Value, json};

/// Names WordPress reserves as query variables, which an attribute's slug
/// may not be (`wc_check_if_attribute_name_is_reserved`).
const RESERVED: &[&str] = &[
    "attachment",
    "attachment_id",
    "author",
    "author_name",
    "calendar",
    "cat",
    "category",
    "category__and",
    "category__in",
    "category__not_in",
    "category_name",
    "comments_per_page",
    "comments_popup",
    "cpage",
    "day",
    "debug",
    "error",
    "exact",
    "feed",
    "hour",
    "link_category",
    "m",
    "minute",
    "monthnum",
    "more",
    "name",
    "nav_menu",
    "nopaging",
    "offset",
    "order",
    "orderby",
    "p",
    "page",
    "page_id",
    "paged",
    "pagename",
    "pb",
    "perm",
    "post",
    "post__in",
    "post__not_in",
    "post_format",
    "post_mime_type",
    "post_status",
    "post_tag",
    "post_type",
    "posts",
    "posts_per_archive_page",
    "posts_per_page",
    "preview",
    "robots",
    "s",
    "search",
    "second",
    "sentence",
    "showposts",
    "static",
    "subpost",
    "subpost_id",
    "tag",
    "tag__and",
    "tag__in",
    "tag__not_in",
    "tag_id",
    "tag_slug__and",
    "tag_slug__in",
    "taxonomy",
    "tb",
    "term",
    "type",
    "w",
    "withcomments",
    "withoutcomments",
    "year",
];

fn missing() -> Response<Body> {
    wc_error(404, "woocommerce_rest_taxonomy_invalid", "Resource does not exist.")
}

/// Attribute `id`, or the answer for a missing one (for its terms' routes).
pub(super) fn exists(ctx: &Ctx, id: Option<u64>) -> Result<u64, Refused> {
    let found = ctx.state.data.read().ok().is_some_and(|d| d.attributes.iter().any(|a| a["id"].as_u64() == id));
    match id {
        Some(id) if found => Ok(id),
        _ => Err(Box::new(wc_error(404, "woocommerce_rest_taxonomy_invalid", "Taxonomy does not exist."))),
    }
}

pub(super) fn list_attributes(ctx: &Ctx) -> Response<Body> {
    let items: Vec<Value> = ctx.state.data.read().map(|d| d.attributes.clone()).unwrap_or_default();
    let n = items.len();
    let items: Vec<Value> = items.into_iter().map(|a| fields(ctx, links(ctx, "/products/attributes", a))).collect();
    let mut r = json_response(200, &Value::Array(items));
    let h = r.headers_mut();
    h.insert("x-wp-total", n.to_string().parse().expect("number"));
    h.insert("x-wp-totalpages", "1".parse().expect("number"));
    r
}

pub(super) fn get_attribute(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let found = ctx.state.data.read().ok().and_then(|d| d.attributes.iter().find(|a| a["id"].as_u64() == id).cloned());
    match found {
        Some(a) => json_response(200, &fields(ctx, links(ctx, "/products/attributes", a))),
        None => missing(),
    }
}

/// The slug an attribute is given (without `pa_`), or the store's refusal.
fn attribute_slug(d: &Data, b: &Value, name: &str, except: Option<u64>) -> Result<String, Refused> {
    let slug = slugify(b["slug"].as_str().map(|s| s.trim_start_matches("pa_")).unwrap_or(name));
    let refuse = |m: String| Err(Box::new(wc_error(400, "woocommerce_rest_cannot_create", &m)));
    if slug.len() > 28 {
        return refuse(format!("Slug \"{slug}\" is too long. Please use a shorter slug."));
    }
    if RESERVED.contains(&slug.as_str()) {
        return refuse(format!("Slug \"{slug}\" is not allowed because it is a reserved term. Change it, please."));
    }
    if d.attributes.iter().any(|a| a["slug"] == format!("pa_{slug}").as_str() && a["id"].as_u64() != except) {
        return refuse(format!("Slug \"{slug}\" is already in use. Change it, please."));
    }
    Ok(slug)
}

/// Copy `order_by` and `has_archives` from a body.
fn set_fields(a: &mut Value, b: &Value) {
    if let Some(o) = b["order_by"].as_str().filter(|o| ["menu_order", "name", "name_num", "id"].contains(o)) {
        a["order_by"] = json!(o);
    }
    if let Some(h) = b["has_archives"].as_bool() {
        a["has_archives"] = json!(h);
    }
}

pub(super) fn create_attribute(ctx: &Ctx) -> Response<Body> {
    let b = ctx.json_body();
    let Some(name) = b["name"].as_str().map(str::trim).filter(|n| !n.is_empty()) else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): name");
    };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let slug = match attribute_slug(&d, &b, name, None) {
        Ok(s) => s,
        Err(refused) => return *refused,
    };
    d.next_attribute_id += 1;
    let id = d.next_attribute_id;
    let mut a = json!({"id": id, "name": name, "slug": format!("pa_{slug}"), "type": "select", "order_by": "menu_order", "has_archives": false});
    set_fields(&mut a, &b);
    d.attributes.push(a.clone());
    d.attribute_terms.push((id, vec![]));
    drop(d);
    json_response(201, &links(ctx, "/products/attributes", a))
}

pub(super) fn update_attribute(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.attributes.iter().position(|a| a["id"].as_u64() == id) else { return missing() };
    let name = b["name"].as_str().map(str::trim).filter(|n| !n.is_empty());
    let slug = if b["slug"].is_string() {
        match attribute_slug(&d, &b, "", id) {
            Ok(s) => Some(s),
            Err(refused) => return *refused,
        }
    } else {
        None
    };
    let a = &mut d.attributes[i];
    if let Some(n) = name {
        a["name"] = json!(n);
    }
    if let Some(s) = slug {
        a["slug"] = json!(format!("pa_{s}"));
    }
    set_fields(a, &b);
    let a = a.clone();
    drop(d);
    json_response(200, &links(ctx, "/products/attributes", a))
}

/// `DELETE /products/attributes/<id>`: `force=false` is refused as having no
/// trash, but without any `force` the store deletes (its check reads only a
/// `force` that was sent); the terms go with it and products lose it.
pub(super) fn delete_attribute(ctx: &Ctx, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(i) = d.attributes.iter().position(|a| a["id"].as_u64() == id) else { return missing() };
    if ctx.param("force").is_some_and(|f| f != "true" && f != "1") {
        return wc_error(501, "woocommerce_rest_trash_not_supported", "Resource does not support trashing.");
    }
    let a = d.attributes.remove(i);
    d.attribute_terms.retain(|(attr, _)| Some(*attr) != id);
    for p in &mut d.products {
        if let Some(attrs) = p["attributes"].as_array_mut() {
            attrs.retain(|x| x["id"].as_u64() != id);
        }
    }
    drop(d);
    json_response(200, &links(ctx, "/products/attributes", a))
}

/// After term `t` of attribute `attr` is deleted: products no longer offer it.
pub(super) fn forget_term(d: &mut Data, attr: u64, t: &Value) {
    for p in &mut d.products {
        for a in p["attributes"].as_array_mut().into_iter().flatten() {
            if a["id"].as_u64() == Some(attr)
                && let Some(o) = a["options"].as_array_mut()
            {
                o.retain(|x| *x != t["name"]);
            }
        }
    }
}

/// Seed the global attributes Color and Size with their terms, taking term
/// ids from the terms sequence; some simple products come in colours.
pub(super) fn seed(d: &mut Data, rng: &mut Rng) {
    let sets: [(&str, &str, &str, &[&str]); 2] = [
        ("Color", "pa_color", "menu_order", &["Black", "Blue", "Green", "Red", "Crème Brûlée"]),
        ("Size", "pa_size", "name_num", &["S", "M", "L", "XL"]),
    ];
    for (name, slug, order_by, terms) in sets {
        d.next_attribute_id += 1;
        let id = d.next_attribute_id;
        d.attributes.push(json!({"id": id, "name": name, "slug": slug, "type": "select", "order_by": order_by, "has_archives": false}));
        let mut list = vec![];
        for (k, t) in terms.iter().enumerate() {
            d.next_term_id += 1;
            list.push(json!({"id": d.next_term_id, "name": t, "slug": slugify(t), "description": "", "menu_order": k, "count": 0}));
        }
        d.attribute_terms.push((id, list));
    }
    let colors = ["Black", "Blue", "Green", "Red", "Crème Brûlée"];
    let color = d.attributes.iter().find(|a| a["slug"] == "pa_color").map_or(json!(0), |a| a["id"].clone());
    for p in d.products.iter_mut().filter(|p| p["type"] == "simple") {
        if !rng.chance(30) {
            continue;
        }
        let first = rng.below(colors.len() as u64) as usize;
        let options =
            if rng.chance(50) { vec![colors[first]] } else { vec![colors[first], colors[(first + 2) % colors.len()]] };
        if let Some(attrs) = p["attributes"].as_array_mut() {
            attrs.push(json!({"id": color, "name": "Color", "slug": "pa_color", "position": attrs.len(), "visible": true, "variation": false, "options": options}));
        }
    }
}
