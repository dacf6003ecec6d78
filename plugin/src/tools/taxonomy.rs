//! Product taxonomy: the categories and tags products are filed under, and
//! the global attributes (Colour, Size …) with their terms (Red, Blue …).
//!
//! What a real WooCommerce 11 does with a delete, checked on one: categories,
//! tags, attributes and attribute terms have no trash. `force=false` is
//! refused with 501 `woocommerce_rest_trash_not_supported`; `force=true`
//! deletes for good. So every delete tool here requires `force: true`, and an
//! agent that sends `false` is told so before any request.

use super::registry::{Annotations, Tool};
use super::schema::Trash;
use super::{output, page, rest, schema};
use crate::client::Method;
use serde_json::{Value, json};

/// The taxonomy tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-categories",
        title: "List product categories",
        description: "List product categories (id, name, slug, parent, description, display, image, menu_order, product count), sorted by name unless `orderby` says otherwise. Filter by parent (0: top level), product id, slug, or hide_empty. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: || term_list(true, lit!({})),
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/products/categories", args),
    },
    Tool {
        name: "create-category",
        title: "Create a product category",
        description: "Create a product category: name (required), optional slug, parent category id, HTML description, archive display and image. A name already used under the same parent is the store's `term_exists` error (its `resource_id` is the existing category). Returns the category.",
        annotations: Annotations::ADD,
        schema: || schema::object(category_fields(), &["name"]),
        output_schema: None,
        handler: |store, args| rest::write(store, Method::Post, "/products/categories".into(), args.clone()),
    },
    Tool {
        name: "update-category",
        title: "Update a product category",
        description: "Change one product category: name, slug, parent, description, display or image. Returns the updated category.",
        annotations: Annotations::SET,
        schema: || with_id(category_fields(), "The category to change."),
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/categories/{}", rest::num(args, "id"));
            rest::write(store, Method::Put, path, rest::without(args, &["id"]))
        },
    },
    Tool {
        name: "delete-category",
        title: "Delete a product category",
        description: "Delete a product category for good: categories have no trash, so `force` must be true (WooCommerce refuses anything else with 501 trash_not_supported). Its products stay, filed under the default category if they had no other. Returns the deleted category.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The category to delete.", Trash::None),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/products/categories/{}", rest::num(args, "id")), args),
    },
    Tool {
        name: "list-tags",
        title: "List product tags",
        description: "List product tags (id, name, slug, description, product count), sorted by name unless `orderby` says otherwise. Filter by product id, slug, or hide_empty. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: || term_list(false, lit!({})),
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/products/tags", args),
    },
    Tool {
        name: "create-tag",
        title: "Create a product tag",
        description: "Create a product tag: name (required), optional slug and description. A name already used is the store's `term_exists` error (its `resource_id` is the existing tag). Returns the tag.",
        annotations: Annotations::ADD,
        schema: || schema::object(tag_fields(), &["name"]),
        output_schema: None,
        handler: |store, args| rest::write(store, Method::Post, "/products/tags".into(), args.clone()),
    },
    Tool {
        name: "delete-tag",
        title: "Delete a product tag",
        description: "Delete a product tag for good: tags have no trash, so `force` must be true (WooCommerce refuses anything else with 501 trash_not_supported). It is removed from every product. Returns the deleted tag.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The tag to delete.", Trash::None),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/products/tags/{}", rest::num(args, "id")), args),
    },
    Tool {
        name: "list-attributes",
        title: "List product attributes",
        description: "List the store's global product attributes (id, name, slug such as pa_color, type, order_by, has_archives). WooCommerce returns every attribute in one answer (the endpoint has no paging or filters), so the result is one page holding all of them: {items, page, per_page, total, total_pages}. Their values are listed by list-attribute-terms.",
        annotations: Annotations::READ,
        schema: || schema::object(json!({"fields": schema::fields()}), &[]),
        output_schema: Some(output::listing),
        handler: |store, args| rest::whole_list(store, "/products/attributes", args),
    },
    Tool {
        name: "create-attribute",
        title: "Create a product attribute",
        description: "Create a global product attribute (e.g. Colour), whose terms (Red, Blue …) products and variations can use. The slug (from the name unless given) gets the pa_ prefix, is at most 28 characters and must not be taken or reserved (type, name, …): the store refuses it otherwise. Returns the attribute.",
        annotations: Annotations::ADD,
        schema: || schema::object(attribute_fields(), &["name"]),
        output_schema: None,
        handler: |store, args| rest::write(store, Method::Post, "/products/attributes".into(), args.clone()),
    },
    Tool {
        name: "delete-attribute",
        title: "Delete a product attribute",
        description: "Delete a global product attribute for good, with all its terms, and take it off every product: attributes have no trash, so `force` must be true (WooCommerce refuses `force=false` with 501 trash_not_supported). Returns the deleted attribute.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The attribute to delete.", Trash::None),
        output_schema: None,
        handler: |store, args| rest::delete(store, format!("/products/attributes/{}", rest::num(args, "id")), args),
    },
    Tool {
        name: "list-attribute-terms",
        title: "List an attribute's terms",
        description: "List the terms (values) of one global attribute, e.g. Red and Blue of Colour (id, name, slug, description, menu_order, product count), sorted by name unless `orderby` says otherwise. Filter by product id, slug, or hide_empty. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: || {
            let mut s = term_list(false, json!({"attribute_id": attribute_id()}));
            s["required"] = lit!(["attribute_id"]);
            s
        },
        output_schema: Some(output::listing),
        handler: |store, args| {
            let path = format!("/products/attributes/{}/terms", rest::num(args, "attribute_id"));
            page::list(store, &path, &rest::without(args, &["attribute_id"]))
        },
    },
    Tool {
        name: "create-attribute-term",
        title: "Create an attribute term",
        description: "Add a term (value) to a global attribute, e.g. Red to Colour: name (required), optional slug, description and menu_order. A name already used in that attribute is the store's `term_exists` error. Returns the term.",
        annotations: Annotations::ADD,
        schema: || {
            let mut p = tag_fields();
            p["attribute_id"] = attribute_id();
            p["menu_order"] = lit!({"type": "integer", "minimum": -1000000, "maximum": 1000000, "description": "Position when the attribute sorts its terms by custom order (menu_order)."});
            schema::object(p, &["attribute_id", "name"])
        },
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/attributes/{}/terms", rest::num(args, "attribute_id"));
            rest::write(store, Method::Post, path, rest::without(args, &["attribute_id"]))
        },
    },
    Tool {
        name: "delete-attribute-term",
        title: "Delete an attribute term",
        description: "Delete one term of a global attribute for good and take it off every product: terms have no trash, so `force` must be true (WooCommerce refuses anything else with 501 trash_not_supported). Returns the deleted term.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || {
            let what = "The global attribute the term belongs to (an id from list-attributes).";
            schema::child_delete("attribute_id", what, "The term to delete.", Trash::None)
        },
        output_schema: None,
        handler: |store, args| {
            let path =
                format!("/products/attributes/{}/terms/{}", rest::num(args, "attribute_id"), rest::num(args, "id"));
            rest::delete(store, path, args)
        },
    },
];

/// The `orderby` values of every term list (categories, tags, attribute terms).
const TERM_ORDERBY: [&str; 7] = ["id", "include", "name", "slug", "term_group", "description", "count"];

/// A list of terms: WooCommerce's term filters, and `parent` where the
/// taxonomy is hierarchical (categories); `extra` adds the path's own ids.
fn term_list(hierarchical: bool, extra: Value) -> Value {
    let mut filters = {
        let mut m = lit!({
            "order": {"type": "string", "enum": ["asc", "desc"], "description": "Sort direction: asc (the default for terms) or desc."},
            "hide_empty": {"type": "boolean", "description": "Leave out the terms no product uses (default false)."},
            "product": {"type": "integer", "minimum": 1, "description": "Only the terms this product id uses."},
            "slug": {"type": "string", "minLength": 1, "maxLength": 200, "description": "Only the term with this slug."}
        });
        m["orderby"] = json!({"type": "string", "enum": TERM_ORDERBY, "description": "Sort by this field: id, include (the order of `include`), name (the default), slug, term_group, description or count (products using the term)."});
        m
    };
    filters["exclude"] = schema::exclude();
    if hierarchical {
        filters["parent"] = lit!({"type": "integer", "minimum": 0, "description": "Only the direct children of this category id (0: the top-level categories)."});
    }
    if let (Some(f), Value::Object(e)) = (filters.as_object_mut(), extra) {
        f.extend(e);
    }
    schema::list(filters)
}

/// The `attribute_id` argument of the attribute-term tools.
fn attribute_id() -> Value {
    lit!({"type": "integer", "minimum": 1, "description": "The global attribute the terms belong to (an id from list-attributes)."})
}

/// `props` plus the `id` of the record to change, which is required.
fn with_id(mut props: Value, what: &str) -> Value {
    props["id"] = json!({"type": "integer", "minimum": 1, "description": what});
    schema::object(props, &["id"])
}

/// The fields of a tag (and, with `menu_order`, of an attribute term).
fn tag_fields() -> Value {
    lit!({
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The name shown in the shop."},
        "slug": {"type": "string", "minLength": 1, "maxLength": 200, "description": "URL-friendly name (WooCommerce derives one from the name when not given)."},
        "description": {"type": "string", "maxLength": 10000, "description": "HTML description."}
    })
}

/// The fields of a category that the create and update tools set.
fn category_fields() -> Value {
    let mut p = tag_fields();
    p["parent"] = lit!({"type": "integer", "minimum": 0, "description": "The parent category id (0: top level)."});
    p["display"] = lit!({"type": "string", "enum": ["default", "products", "subcategories", "both"], "description": "What the category's archive page shows: default, products, subcategories or both."});
    p["image"] = lit!({"type": "object", "minProperties": 1, "additionalProperties": false, "description": "The category image: an existing media id, or a src URL the store downloads.",
    "properties": {
        "id": {"type": "integer", "minimum": 1, "description": "An image already in the media library."},
        "src": {"type": "string", "minLength": 1, "maxLength": 2000, "description": "An image URL (http or https) for the store to download."},
        "name": {"type": "string", "maxLength": 200, "description": "The image's name."},
        "alt": {"type": "string", "maxLength": 500, "description": "The image's alternative text."}
    }});
    p
}

/// The fields of a global attribute.
fn attribute_fields() -> Value {
    lit!({
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "The attribute's name, e.g. Colour."},
        "slug": {"type": "string", "minLength": 1, "maxLength": 28, "description": "Its slug without the pa_ prefix (at most 28 characters; derived from the name when not given)."},
        "type": {"type": "string", "enum": ["select"], "description": "select: the only type WooCommerce offers."},
        "order_by": {"type": "string", "enum": ["menu_order", "name", "name_num", "id"], "description": "How the shop sorts its terms: menu_order (custom, the default), name, name_num (numeric names) or id."},
        "has_archives": {"type": "boolean", "description": "Give each term an archive page in the shop (default false)."}
    })
}

#[cfg(test)]
mod tests {
    use super::super::{find, validate};
    use super::*;
    use crate::client::Error;

    #[test]
    fn term_deletes_require_force_true_before_any_request() {
        for name in ["delete-category", "delete-tag", "delete-attribute", "delete-attribute-term"] {
            let schema = (find(name).unwrap().schema)();
            let mut args = json!({"id": 3, "attribute_id": 1});
            if name != "delete-attribute-term" {
                args.as_object_mut().unwrap().remove("attribute_id");
            }
            let missing = validate(&schema, &args);
            assert!(matches!(missing, Err(Error::InvalidInput { field, .. }) if field == "force"), "{name}");
            args["force"] = json!(false);
            let refused = validate(&schema, &args);
            assert!(matches!(refused, Err(Error::InvalidInput { field, .. }) if field == "force"), "{name}");
            args["force"] = json!(true);
            validate(&schema, &args).unwrap();
        }
    }

    #[test]
    fn term_lists_take_the_term_orderby_values_only() {
        for name in ["list-categories", "list-tags", "list-attribute-terms"] {
            let schema = (find(name).unwrap().schema)();
            let base = if name == "list-attribute-terms" { json!({"attribute_id": 1}) } else { json!({}) };
            let mut ok = base.clone();
            ok["orderby"] = json!("count");
            validate(&schema, &ok).unwrap();
            let mut bad = base;
            bad["orderby"] = json!("date");
            let e = validate(&schema, &bad);
            assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "orderby"), "{name}");
        }
        let tags = (find("list-tags").unwrap().schema)();
        assert!(tags["properties"].get("parent").is_none(), "tags are not hierarchical");
    }

    #[test]
    fn attribute_slugs_are_at_most_28_characters_as_woocommerce_requires() {
        let schema = (find("create-attribute").unwrap().schema)();
        validate(&schema, &json!({"name": "Colour", "slug": "colour"})).unwrap();
        let e = validate(&schema, &json!({"name": "Colour", "slug": "a".repeat(29)}));
        assert!(matches!(e, Err(Error::InvalidInput { field, .. }) if field == "slug"));
    }
}
