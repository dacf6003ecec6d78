//! What every product term answers with, as WooCommerce 11 does (checked on
//! one): categories, tags and the terms of a global attribute are listed by
//! name, filtered by `hide_empty`, `product`, `slug` (and `parent` for
//! categories), created with a slug derived from the name, refused when the
//! name is taken (`term_exists`), and deleted only with `force=true` (they
//! have no trash: 501 `woocommerce_rest_trash_not_supported` otherwise).
//! `catalog` routes `/products/{categories,tags,attributes,reviews}`.

use super::http::{Body, Ctx};
use super::rest::{fields, filter_include, invalid_param, json_response, links, list, wc_error};
use super::seed::{Data, Rng};
use super::{attributes, categories, reviews};
use http::{Method, Response};
use serde_json::{Value, json};

/// A product taxonomy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tax {
    /// `product_cat`.
    Category,
    /// `product_tag`.
    Tag,
    /// The `pa_*` taxonomy of global attribute `id`.
    Attribute(u64),
}

impl Tax {
    /// The collection's path under `/wp-json/wc/v3`.
    fn collection(self) -> String {
        match self {
            Tax::Category => "/products/categories".into(),
            Tax::Tag => "/products/tags".into(),
            Tax::Attribute(a) => format!("/products/attributes/{a}/terms"),
        }
    }
}

/// Route `/products/<segs[1]>/…` (`segs` is the whole path split at `/`).
pub(super) fn catalog(ctx: &Ctx, segs: &[&str]) -> Response<Body> {
    let id = |i: usize| segs.get(i).and_then(|s| s.parse::<u64>().ok());
    let m = ctx.method;
    let (get, post, put, delete) = (
        *m == Method::GET,
        *m == Method::POST,
        matches!(*m, Method::PUT | Method::PATCH | Method::POST),
        *m == Method::DELETE,
    );
    let tax = match segs.get(1) {
        Some(&"categories") => Some(Tax::Category),
        Some(&"tags") => Some(Tax::Tag),
        _ => None,
    };
    match (segs.get(1).copied(), segs.len()) {
        (Some("reviews"), _) => reviews::route(ctx, segs),
        (Some("attributes"), 2) if get => attributes::list_attributes(ctx),
        (Some("attributes"), 2) if post => attributes::create_attribute(ctx),
        (Some("attributes"), 3) if get => attributes::get_attribute(ctx, id(2)),
        (Some("attributes"), 3) if put => attributes::update_attribute(ctx, id(2)),
        (Some("attributes"), 3) if delete => attributes::delete_attribute(ctx, id(2)),
        (Some("attributes"), 4 | 5) if segs[3] == "terms" => match attributes::exists(ctx, id(2)) {
            Err(refused) => *refused,
            Ok(a) => term_routes(ctx, Tax::Attribute(a), segs.len() == 5, id(4), (get, post, put, delete)),
        },
        (_, 2 | 3) if tax.is_some() => {
            let tax = tax.unwrap_or(Tax::Tag);
            term_routes(ctx, tax, segs.len() == 3, id(2), (get, post, put, delete))
        }
        _ => super::rest::no_route(),
    }
}

/// The collection (`one` false) or one term's routes of `tax`.
fn term_routes(ctx: &Ctx, tax: Tax, one: bool, id: Option<u64>, m: (bool, bool, bool, bool)) -> Response<Body> {
    let (get, post, put, delete) = m;
    match (one, get, post, put, delete) {
        (false, true, ..) => list_terms(ctx, tax),
        (false, _, true, ..) => create_term(ctx, tax),
        (true, true, ..) => get_term(ctx, tax, id),
        (true, _, _, true, _) => update_term(ctx, tax, id),
        (true, .., true) => delete_term(ctx, tax, id),
        _ => super::rest::no_route(),
    }
}

/// The terms of `tax` (`None`: the attribute is gone).
pub(super) fn terms(d: &mut Data, tax: Tax) -> Option<&mut Vec<Value>> {
    match tax {
        Tax::Category => Some(&mut d.categories),
        Tax::Tag => Some(&mut d.tags),
        Tax::Attribute(a) => d.attribute_terms.iter_mut().find(|(id, _)| *id == a).map(|(_, t)| t),
    }
}

/// Whether product `p` uses `term` of `tax`.
fn uses(p: &Value, tax: Tax, term: &Value) -> bool {
    let has = |list: &Value| list.as_array().is_some_and(|l| l.iter().any(|x| x["id"] == term["id"]));
    match tax {
        Tax::Category => has(&p["categories"]),
        Tax::Tag => has(&p["tags"]),
        Tax::Attribute(a) => p["attributes"].as_array().is_some_and(|attrs| {
            attrs.iter().any(|x| {
                x["id"].as_u64() == Some(a)
                    && x["options"].as_array().is_some_and(|o| o.iter().any(|o| *o == term["name"]))
            })
        }),
    }
}

/// `term` with its `count`: the published products that use it (WordPress
/// counts published objects only).
fn counted(d: &Data, tax: Tax, mut term: Value) -> Value {
    let n = d.products.iter().filter(|p| p["status"] == "publish" && uses(p, tax, &term)).count();
    term["count"] = json!(n);
    term
}

/// The `_links` of a term: its own, and `up` to a category's parent.
fn term_links(ctx: &Ctx, tax: Tax, term: Value) -> Value {
    let parent = term["parent"].as_u64().filter(|p| *p > 0);
    let mut v = links(ctx, &tax.collection(), term);
    if let Some(p) = parent {
        v["_links"]["up"] =
            json!([{"href": format!("{}://{}/wp-json/wc/v3/products/categories/{p}", ctx.scheme, ctx.host)}]);
    }
    v
}

/// The orderby values a term list takes.
const TERM_ORDERBY: [&str; 7] = ["id", "include", "name", "slug", "term_group", "description", "count"];

fn list_terms(ctx: &Ctx, tax: Tax) -> Response<Body> {
    if let Some(o) = ctx.param("orderby")
        && !TERM_ORDERBY.contains(&o.as_str())
    {
        return invalid_param(
            "orderby",
            "orderby is not one of id, include, name, slug, term_group, description, and count.",
        );
    }
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(all) = terms(&mut d, tax).map(|t| t.clone()) else {
        return wc_error(404, "woocommerce_rest_taxonomy_invalid", "Taxonomy does not exist.");
    };
    let mut items: Vec<Value> = all.into_iter().map(|t| counted(&d, tax, t)).collect();
    if let Some(pid) = ctx.param("product").and_then(|p| p.parse::<u64>().ok()) {
        let product = d.products.iter().find(|p| p["id"].as_u64() == Some(pid)).cloned().unwrap_or(Value::Null);
        items.retain(|t| uses(&product, tax, t));
    }
    drop(d);
    if ctx.param("hide_empty").is_some_and(|h| h == "true" || h == "1") {
        items.retain(|t| t["count"].as_u64().unwrap_or(0) > 0);
    }
    if tax == Tax::Category
        && let Some(parent) = ctx.param("parent").and_then(|p| p.parse::<u64>().ok())
    {
        items.retain(|t| t["parent"].as_u64() == Some(parent));
    }
    if let Some(slug) = ctx.param("slug") {
        items.retain(|t| t["slug"] == slug.as_str());
    }
    filter_include(ctx, &mut items);
    let items: Vec<Value> = items.into_iter().map(|t| term_links(ctx, tax, t)).collect();
    list(ctx, items, "name", "asc", false)
}

fn missing_term() -> Response<Body> {
    wc_error(404, "woocommerce_rest_term_invalid", "Resource does not exist.")
}

fn get_term(ctx: &Ctx, tax: Tax, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(t) = terms(&mut d, tax).and_then(|t| t.iter().find(|t| t["id"].as_u64() == id).cloned()) else {
        return missing_term();
    };
    let t = counted(&d, tax, t);
    drop(d);
    json_response(200, &fields(ctx, term_links(ctx, tax, t)))
}

/// The slug WordPress's `sanitize_title` makes of a name: accents folded,
/// entities and punctuation dropped, spaces and dots as dashes, lower case,
/// other letters percent-encoded.
pub(super) fn slugify(name: &str) -> String {
    let mut s = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '&' {
            // An HTML entity (`&amp;`, `&#8211;`) is dropped whole.
            let entity = chars.clone().take_while(|c| *c != ';' && !c.is_whitespace()).count();
            if entity > 0 && chars.clone().nth(entity) == Some(';') {
                for _ in 0..=entity {
                    chars.next();
                }
            }
            continue;
        }
        match fold_accent(c) {
            Some(f) => s.push_str(f),
            None if c.is_ascii_alphanumeric() || c == '_' || c == '-' => s.push(c.to_ascii_lowercase()),
            None if c.is_whitespace() || c == '.' || c == '/' => s.push('-'),
            None if !c.is_ascii() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    s.push_str(&format!("%{b:02x}"));
                }
            }
            None => {}
        }
    }
    let mut out = String::new();
    for c in s.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

/// The ASCII WordPress's `remove_accents` writes for a Latin letter.
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'ł' | 'Ł' => "l",
        _ => return None,
    })
}

/// A slug not yet used among `existing` (`mug`, `mug-2`, `mug-3` …).
fn unique_slug(existing: &[Value], slug: String) -> String {
    let taken = |s: &str| existing.iter().any(|t| t["slug"] == s);
    if !taken(&slug) {
        return slug;
    }
    (2..).map(|n| format!("{slug}-{n}")).find(|s| !taken(s)).unwrap_or(slug)
}

/// A term name as WordPress stores it: `&` as `&amp;` (an entity already
/// written stays as it is).
pub(super) fn stored_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.char_indices() {
        let after = i + c.len_utf8();
        let entity = name[after..].find(';').is_some_and(|j| {
            let e = &name[after..after + j];
            !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '#')
        });
        if c == '&' && !entity {
            out.push_str("&amp;");
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

fn create_term(ctx: &Ctx, tax: Tax) -> Response<Body> {
    let b = ctx.json_body();
    let Some(name) = b["name"].as_str() else {
        return wc_error(400, "rest_missing_callback_param", "Missing parameter(s): name");
    };
    let name = stored_name(name);
    if name.is_empty() {
        return wc_error(400, "empty_term_name", "A name is required for this term.");
    }
    let parent = if tax == Tax::Category { b["parent"].as_u64().unwrap_or(0) } else { 0 };
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    if parent > 0 && !d.categories.iter().any(|c| c["id"].as_u64() == Some(parent)) {
        return wc_error(400, "missing_parent", "Parent term does not exist.");
    }
    d.next_term_id += 1;
    let id = d.next_term_id;
    let Some(list) = terms(&mut d, tax) else {
        return wc_error(404, "woocommerce_rest_taxonomy_invalid", "Taxonomy does not exist.");
    };
    if let Some(other) = list.iter().find(|t| {
        t["name"].as_str().is_some_and(|n| n.to_lowercase() == name.to_lowercase())
            && t["parent"].as_u64().unwrap_or(0) == parent
    }) {
        return json_response(
            400,
            &json!({"code": "term_exists", "message": "A term with the name provided already exists in this taxonomy.", "data": {"status": 400, "resource_id": other["id"]}}),
        );
    }
    let wanted = b["slug"].as_str().map(slugify).filter(|s| !s.is_empty()).unwrap_or_else(|| slugify(&name));
    let slug = unique_slug(list, wanted);
    let description = b["description"].as_str().unwrap_or("").to_string();
    let mut t = match tax {
        Tax::Category => categories::new_category(id, &name, &slug, parent, &description),
        Tax::Tag => json!({"id": id, "name": name, "slug": slug, "description": description, "count": 0}),
        Tax::Attribute(_) => {
            json!({"id": id, "name": name, "slug": slug, "description": description, "menu_order": b["menu_order"].as_i64().unwrap_or(0), "count": 0})
        }
    };
    if tax == Tax::Category {
        categories::set_fields(&mut t, &b);
    }
    list.push(t.clone());
    drop(d);
    json_response(201, &term_links(ctx, tax, t))
}

fn update_term(ctx: &Ctx, tax: Tax, id: Option<u64>) -> Response<Body> {
    let b = ctx.json_body();
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    if tax == Tax::Category
        && let Some(parent) = b["parent"].as_u64().filter(|p| *p > 0)
        && !d.categories.iter().any(|c| c["id"].as_u64() == Some(parent))
    {
        return wc_error(400, "missing_parent", "Parent term does not exist.");
    }
    let Some(list) = terms(&mut d, tax) else { return missing_term() };
    let Some(i) = list.iter().position(|t| t["id"].as_u64() == id) else { return missing_term() };
    let slug = b["slug"].as_str().map(slugify).filter(|s| !s.is_empty());
    let slug = slug.map(|s| {
        let others: Vec<Value> = list.iter().filter(|t| t["id"].as_u64() != id).cloned().collect();
        unique_slug(&others, s)
    });
    let t = &mut list[i];
    if let Some(name) = b["name"].as_str().map(stored_name).filter(|n| !n.is_empty()) {
        t["name"] = json!(name);
    }
    if let Some(slug) = slug {
        t["slug"] = json!(slug);
    }
    if let Some(desc) = b["description"].as_str() {
        t["description"] = json!(desc);
    }
    match tax {
        Tax::Category => categories::set_fields(t, &b),
        Tax::Attribute(_) => {
            if let Some(o) = b["menu_order"].as_i64() {
                t["menu_order"] = json!(o);
            }
        }
        Tax::Tag => {}
    }
    let t = t.clone();
    let t = counted(&d, tax, t);
    drop(d);
    json_response(200, &term_links(ctx, tax, t))
}

fn delete_term(ctx: &Ctx, tax: Tax, id: Option<u64>) -> Response<Body> {
    let Ok(mut d) = ctx.state.data.write() else { return wc_error(500, "internal", "lock") };
    let Some(t) = terms(&mut d, tax).and_then(|l| l.iter().find(|t| t["id"].as_u64() == id).cloned()) else {
        return missing_term();
    };
    if !ctx.param("force").is_some_and(|f| f == "true" || f == "1") {
        return wc_error(501, "woocommerce_rest_trash_not_supported", "Resource does not support trashing.");
    }
    if tax == Tax::Category && id == Some(categories::DEFAULT_CATEGORY) {
        return wc_error(500, "woocommerce_rest_cannot_delete", "Default product category cannot be deleted.");
    }
    let t = counted(&d, tax, t);
    if let Some(list) = terms(&mut d, tax) {
        list.retain(|x| x["id"].as_u64() != id);
    }
    match tax {
        Tax::Category => categories::forget(&mut d, &t),
        Tax::Tag => {
            for p in &mut d.products {
                if let Some(tags) = p["tags"].as_array_mut() {
                    tags.retain(|x| x["id"] != t["id"]);
                }
            }
        }
        Tax::Attribute(a) => attributes::forget_term(&mut d, a, &t),
    }
    drop(d);
    json_response(200, &term_links(ctx, tax, t))
}

/// Seed the catalog beyond products and categories: tags (on some
/// products), the global attributes with their terms, and reviews. Its own
/// random sequence leaves everything seeded before it as it was.
pub(super) fn seed(d: &mut Data, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x7461_7873_7265_7669);
    const TAGS: &[&str] =
        &["Gift idea", "Bestseller", "Limited edition", "Eco-friendly", "New arrival", "Sale &amp; Clearance"];
    for name in TAGS {
        d.next_term_id += 1;
        d.tags.push(json!({"id": d.next_term_id, "name": name, "slug": slugify(name), "description": "", "count": 0}));
    }
    let tags = d.tags.clone();
    for p in &mut d.products {
        if !rng.chance(40) {
            continue;
        }
        let first = rng.below(tags.len() as u64) as usize;
        let mut on: Vec<&Value> = vec![&tags[first]];
        if rng.chance(30) {
            on.push(&tags[(first + 1 + rng.below(tags.len() as u64 - 1) as usize) % tags.len()]);
        }
        p["tags"] = on.iter().map(|t| json!({"id": t["id"], "name": t["name"], "slug": t["slug"]})).collect();
    }
    attributes::seed(d, &mut rng);
    reviews::seed(d, &mut rng);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_made_as_wordpress_makes_them() {
        assert_eq!(slugify("Sale &amp; Clearance Ünï"), "sale-clearance-uni");
        assert_eq!(slugify("Tom's Mug 2.0"), "toms-mug-2-0");
        assert_eq!(slugify("  Red  "), "red");
        assert_eq!(slugify("東"), "%e6%9d%b1");
        assert_eq!(stored_name("Tom & Jerry &amp; Co"), "Tom &amp; Jerry &amp; Co");
    }
}
