//! `/products/categories`: the hierarchical product taxonomy. What every
//! term does is in `terms.rs`; here is what only a category has: a parent,
//! an archive display, an image, and the default category ("Uncategorized")
//! that cannot be deleted and takes the products left without one.

use super::seed::Data;
use serde_json::{Value, json};

/// The default product category's id (`default_product_cat`).
pub(super) const DEFAULT_CATEGORY: u64 = 15;

/// A new category as the REST API returns it.
pub(super) fn new_category(id: u64, name: &str, slug: &str, parent: u64, description: &str) -> Value {
    json!({"id": id, "name": name, "slug": slug, "parent": parent, "description": description, "display": "default", "image": null, "menu_order": 0, "count": 0})
}

/// Set a category's own fields from a create or update body.
pub(super) fn set_fields(c: &mut Value, b: &Value) {
    if let Some(p) = b["parent"].as_u64() {
        c["parent"] = json!(p);
    }
    if let Some(d) = b["display"].as_str().filter(|d| ["default", "products", "subcategories", "both"].contains(d)) {
        c["display"] = json!(d);
    }
    if let Some(img) = b["image"].as_object() {
        let id = img.get("id").and_then(Value::as_u64).unwrap_or(900_000 + c["id"].as_u64().unwrap_or(0));
        let src = img
            .get("src")
            .and_then(Value::as_str)
            .map_or_else(|| format!("https://store.example.test/wp-content/uploads/category-{id}.jpg"), str::to_string);
        c["image"] = json!({"id": id, "date_created": "2024-01-01T00:00:00", "date_created_gmt": "2024-01-01T00:00:00",
            "date_modified": "2024-01-01T00:00:00", "date_modified_gmt": "2024-01-01T00:00:00", "src": src,
            "name": img.get("name").cloned().unwrap_or(json!("")), "alt": img.get("alt").cloned().unwrap_or(json!(""))});
    }
}

/// After category `c` is deleted: its children move up to its parent, and
/// products left without a category are filed under the default one.
pub(super) fn forget(d: &mut Data, c: &Value) {
    let parent = c["parent"].as_u64().unwrap_or(0);
    for child in d.categories.iter_mut().filter(|x| x["parent"] == c["id"]) {
        child["parent"] = json!(parent);
    }
    let default = d.categories.iter().find(|x| x["id"].as_u64() == Some(DEFAULT_CATEGORY)).cloned();
    for p in &mut d.products {
        let Some(cats) = p["categories"].as_array_mut() else { continue };
        cats.retain(|x| x["id"] != c["id"]);
        if cats.is_empty()
            && let Some(u) = &default
        {
            cats.push(json!({"id": DEFAULT_CATEGORY, "name": u["name"], "slug": u["slug"]}));
        }
    }
}
