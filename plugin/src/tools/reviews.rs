//! Product reviews: what customers wrote about products, with a 0–5 rating.
//!
//! What a real WooCommerce 11 does, checked on one: reviews have a trash (a
//! delete without `force` sets status `trash`, restored by status `untrash`;
//! a second one is 410 `woocommerce_rest_already_trashed`), and `force=true`
//! deletes for good, answering `{deleted, previous}`. The store takes any
//! rating (7, -1) and ignores an update's rating 0, so the schemas check the
//! range. A registered reviewer's `_links.reviewer` points at
//! `/wp/v2/users/<id>`: records are returned without `_links`, and nothing
//! here follows or embeds a link.

use super::page::without_links;
use super::registry::{Annotations, Tool};
use super::{output, page, rest, schema};
use crate::client::{Error, Method};
use serde_json::{Value, json};

/// The review tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-reviews",
        title: "List product reviews",
        description: "List product reviews (id, product_id, product_name, status, reviewer, reviewer_email, review, rating 0-5, verified owner, dates), newest first. WooCommerce lists only approved reviews unless `status` says otherwise (all: approved and held; spam and trash only when asked for). Filter by product ids, reviewer email, reviewer user ids or creation dates. Returns {items, page, per_page, total, total_pages}; `all_pages` walks every page.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| page::list(store, "/products/reviews", args),
    },
    Tool {
        name: "create-review",
        title: "Create a product review",
        description: "Add a review to a product: product_id, review text, reviewer name and email (all required), rating 0-5 (0: none) and status (default approved). The store refuses a duplicate review (409) and an unknown product (not-found). Returns the review, without `_links`.",
        annotations: Annotations::ADD,
        schema: create_schema,
        output_schema: None,
        handler: |store, args| record(rest::write(store, Method::Post, "/products/reviews".into(), args.clone())),
    },
    Tool {
        name: "update-review",
        title: "Update a product review",
        description: "Change one review: text, reviewer, email, rating 1-5 (WooCommerce ignores an update to 0), product, or status: approved, hold, spam, unspam (back to the status before spam), trash, untrash (back from the trash). Returns the updated review, without `_links`.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/products/reviews/{}", rest::num(args, "id"));
            record(rest::write(store, Method::Put, path, rest::without(args, &["id"])))
        },
    },
    Tool {
        name: "delete-review",
        title: "Delete a product review",
        description: "Delete a review. Reviews have a trash: without `force` (or force false) the review moves to it (status trash, restored by update-review with status untrash; trashing it twice is the store's 410 already_trashed error) and the review is returned. With force true it is deleted for good and the result is {deleted: true, previous: the review}.",
        annotations: Annotations::DESTRUCTIVE,
        schema: || schema::delete("The review to delete.", schema::Trash::Has),
        output_schema: None,
        handler: |store, args| {
            let mut out = rest::delete(store, format!("/products/reviews/{}", rest::num(args, "id")), args)?;
            if let Some(previous) = out.get_mut("previous") {
                without_links(previous);
            }
            without_links(&mut out);
            Ok(out)
        },
    },
];

/// The statuses a review can be given (`unspam` and `untrash` restore the
/// status it had before).
const STATUS_SET: [&str; 6] = ["approved", "hold", "spam", "unspam", "trash", "untrash"];

fn list_schema() -> Value {
    let mut extra = lit!({
        "after": {"type": "string", "format": "date-time", "description": "Created after, e.g. 2025-03-01T09:00:00 (sent as UTC; a `Z` or `+01:00` offset is converted). WooCommerce compares it with the review's date in the store's timezone, which is UTC on most stores."},
        "before": {"type": "string", "format": "date-time", "description": "Created before this date-time (as `after`)."},
        "product": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": 100, "description": "Only the reviews of these product ids."},
        "status": {"type": "string", "enum": ["approved", "hold", "spam", "trash", "all"], "description": "approved (the default), hold (awaiting moderation), spam, trash, or all (approved and held)."},
        "reviewer": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": 100, "description": "Only the reviews written by these registered user ids."},
        "reviewer_exclude": {"type": "array", "items": {"type": "integer", "minimum": 1}, "minItems": 1, "maxItems": 100, "description": "Leave out the reviews written by these user ids."},
        "reviewer_email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 320, "description": "Only the reviews written with this email address."},
        "orderby": {"type": "string", "enum": ["date", "date_gmt", "id", "include", "product"], "description": "Sort by date, date_gmt (the default), id, include (the order of `include`) or product id."}
    });
    extra["exclude"] = schema::exclude();
    extra["order"] = lit!({"type": "string", "enum": ["asc", "desc"], "description": "Sort direction: asc or desc (the default: newest first)."});
    schema::list(extra)
}

/// The fields of a review that the create and update tools set; `rating_min`
/// is 0 on create and 1 on update (the store ignores an update to 0).
fn review_fields(rating_min: u64) -> Value {
    let mut m = lit!({
        "product_id": {"type": "integer", "minimum": 1, "description": "The product reviewed."},
        "review": {"type": "string", "minLength": 1, "maxLength": 65525, "description": "The review's text (WordPress allows some HTML)."},
        "reviewer": {"type": "string", "minLength": 1, "maxLength": 245, "description": "The reviewer's name as shown in the shop."},
        "reviewer_email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 100, "description": "The reviewer's email address (shown to the shop only)."}
    });
    m["rating"] = json!({"type": "integer", "minimum": rating_min, "maximum": 5, "description": if rating_min == 0 { "Stars, 0 to 5 (0: no rating)." } else { "Stars, 1 to 5 (an update cannot set 0: WooCommerce ignores it)." }});
    m["status"] = json!({"type": "string", "enum": STATUS_SET, "description": "approved, hold (awaiting moderation), spam, unspam (undo spam), trash or untrash (undo trash)."});
    m
}

fn create_schema() -> Value {
    schema::object(review_fields(0), &["product_id", "review", "reviewer", "reviewer_email"])
}

fn update_schema() -> Value {
    let mut p = review_fields(1);
    p["id"] = lit!({"type": "integer", "minimum": 1, "description": "The review to change."});
    schema::object(p, &["id"])
}

/// A review as the store returned it, without `_links` (a registered
/// reviewer's link leads to /wp/v2/users, which nothing here may reach).
fn record(r: Result<Value, Error>) -> Result<Value, Error> {
    let mut v = r?;
    without_links(&mut v);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::super::{find, validate};
    use super::*;

    fn refused(name: &str, args: Value) -> String {
        match validate(&(find(name).unwrap().schema)(), &args) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{name} {args}: {other:?}"),
        }
    }

    #[test]
    fn review_rating_is_0_to_5_on_create_and_1_to_5_on_update() {
        let base =
            json!({"product_id": 7, "review": "Lovely", "reviewer": "Zoë", "reviewer_email": "zoe@example.test"});
        for ok in [0, 5] {
            let mut a = base.clone();
            a["rating"] = json!(ok);
            validate(&(find("create-review").unwrap().schema)(), &a).unwrap();
        }
        for bad in [json!(6), json!(-1), json!(4.5), json!("5")] {
            let mut a = base.clone();
            a["rating"] = bad;
            assert_eq!(refused("create-review", a), "rating");
        }
        assert_eq!(refused("update-review", json!({"id": 3, "rating": 0})), "rating");
        validate(&(find("update-review").unwrap().schema)(), &json!({"id": 3, "rating": 1})).unwrap();
    }

    #[test]
    fn review_status_is_one_of_woocommerces_statuses() {
        for s in STATUS_SET {
            validate(&(find("update-review").unwrap().schema)(), &json!({"id": 3, "status": s})).unwrap();
        }
        assert_eq!(refused("update-review", json!({"id": 3, "status": "pending"})), "status");
        assert_eq!(refused("list-reviews", json!({"status": "unspam"})), "status");
        assert_eq!(refused("list-reviews", json!({"orderby": "name"})), "orderby");
        assert_eq!(refused("list-reviews", json!({"reviewer_email": "nobody"})), "reviewer_email");
    }

    #[test]
    fn review_records_are_returned_without_links() {
        let r =
            record(Ok(json!({"id": 5, "_links": {"reviewer": [{"href": "https://s.test/wp-json/wp/v2/users/2"}]}})));
        assert_eq!(r.unwrap(), json!({"id": 5}));
    }
}
