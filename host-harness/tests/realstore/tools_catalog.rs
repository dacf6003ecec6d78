//! The categories, tags, attributes and their terms, and reviews tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;

/// A database connected to the real store over HTTPS, no import.
fn connected(name: &str) -> String {
    let r = real();
    let db = db_path(name);
    ok(&woo(
        &[
            "--db",
            &db,
            "--ca-cert",
            r.get("WOO_STORE_CA_CERT"),
            "connect",
            "--import",
            "none",
            "--store",
            r.get("WOO_STORE_URL_HTTPS"),
            "--key",
            r.get("WOO_CONSUMER_KEY"),
            "--secret",
            r.get("WOO_CONSUMER_SECRET"),
        ],
        &[],
    ));
    db
}

fn read(path: &str) -> Answer {
    real().https.call("GET", path, None, Auth::Basic)
}

/// `woo tool` that must fail: its exit code and stderr.
fn refused(db: &str, name: &str, args: Value) -> (Option<i32>, String) {
    let out = woo(&["--db", db, "tool", name, "--args", &args.to_string()], &[]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
}

fn id(v: &Value) -> u64 {
    v["id"].as_u64().unwrap_or_else(|| panic!("no id in {v}"))
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_category_and_tag_tools_create_read_back_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("catalog-terms");
    // create-category, update-category, list-categories with its filters.
    let top = tool(&db, "create-category", json!({"name": format!("Kitchen & Dining {t}"), "display": "products"}));
    let top_id = id(&top);
    let stored = read(&format!("/products/categories/{top_id}")).json;
    assert_eq!(stored["name"], format!("Kitchen &amp; Dining {t}"), "the store keeps & as an entity");
    assert_eq!(stored["display"], "products");
    assert_eq!(top["slug"], stored["slug"]);
    let child = id(&tool(&db, "create-category", json!({"name": format!("Mugs {t}")})));
    let moved = tool(&db, "update-category", json!({"id": child, "parent": top_id, "description": "Stoneware"}));
    assert_eq!(moved["parent"], top_id);
    assert_eq!(read(&format!("/products/categories/{child}")).json["description"], "Stoneware");
    let kids = tool(&db, "list-categories", json!({"parent": top_id}));
    assert_eq!(kids["total"], 1);
    assert_eq!(kids["items"][0]["id"], child);
    let by_slug = tool(&db, "list-categories", json!({"slug": stored["slug"]}));
    assert_eq!(by_slug["items"][0]["id"], top_id);
    // A taken name is the store's term_exists; force false never reaches the store.
    let (code, err) = refused(&db, "create-category", json!({"name": format!("Kitchen & Dining {t}")}));
    assert_ne!(code, Some(0));
    assert!(err.contains("term_exists"), "{err}");
    let (code, err) = refused(&db, "delete-category", json!({"id": child, "force": false}));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("force"), "{err}");
    // create-tag, list-tags, delete-tag.
    let tag = tool(&db, "create-tag", json!({"name": format!("Gift idea {t}"), "description": "Under 20"}));
    let tag_id = id(&tag);
    assert_eq!(read(&format!("/products/tags/{tag_id}")).json["description"], "Under 20");
    let tags = tool(&db, "list-tags", json!({"search": format!("Gift idea {t}")}));
    assert_eq!(tags["total"], 1);
    assert_eq!(tags["items"][0]["id"], tag_id);
    let gone = tool(&db, "delete-tag", json!({"id": tag_id, "force": true}));
    assert_eq!(id(&gone), tag_id);
    assert_eq!(read(&format!("/products/tags/{tag_id}")).status, 404);
    // delete-category, children first.
    for c in [child, top_id] {
        tool(&db, "delete-category", json!({"id": c, "force": true}));
        assert_eq!(read(&format!("/products/categories/{c}")).status, 404);
    }
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_attribute_tools_create_read_back_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("catalog-attributes");
    let a = tool(&db, "create-attribute", json!({"name": format!("Finish {t}"), "order_by": "name"}));
    let aid = id(&a);
    let stored = read(&format!("/products/attributes/{aid}")).json;
    assert_eq!(
        (stored["slug"].as_str(), stored["order_by"].as_str()),
        (Some(format!("pa_finish-{t}").as_str()), Some("name"))
    );
    let listed = tool(&db, "list-attributes", json!({"fields": ["id", "slug"]}));
    let want = read("/products/attributes");
    assert_eq!(listed["total"].as_u64(), want.headers["x-wp-total"].parse().ok());
    assert!(listed["items"].as_array().unwrap().iter().any(|x| x["id"] == aid && x["slug"] == stored["slug"]));
    // A slug the store would refuse for its length is refused before it.
    let (code, _) = refused(&db, "create-attribute", json!({"name": "Long", "slug": "s".repeat(29)}));
    assert_eq!(code, Some(2));
    // create-attribute-term, list-attribute-terms, delete-attribute-term.
    let matte = tool(&db, "create-attribute-term", json!({"attribute_id": aid, "name": "Matte", "menu_order": 2}));
    let gloss = tool(&db, "create-attribute-term", json!({"attribute_id": aid, "name": "Gloss"}));
    let terms = read(&format!("/products/attributes/{aid}/terms")).json;
    assert_eq!(terms.as_array().unwrap().len(), 2);
    let listed = tool(&db, "list-attribute-terms", json!({"attribute_id": aid, "orderby": "name"}));
    let names: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Gloss", "Matte"]);
    assert_eq!(listed["items"][1]["menu_order"], 2);
    let (code, _) =
        refused(&db, "delete-attribute-term", json!({"attribute_id": aid, "id": id(&gloss), "force": false}));
    assert_eq!(code, Some(2));
    tool(&db, "delete-attribute-term", json!({"attribute_id": aid, "id": id(&gloss), "force": true}));
    assert_eq!(read(&format!("/products/attributes/{aid}/terms/{}", id(&gloss))).status, 404);
    // delete-attribute takes its remaining terms with it.
    tool(&db, "delete-attribute", json!({"id": aid, "force": true}));
    assert_eq!(read(&format!("/products/attributes/{aid}")).status, 404);
    assert_eq!(read(&format!("/products/attributes/{aid}/terms/{}", id(&matte))).status, 404);
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_review_tools_create_read_back_trash_and_delete() {
    let r = real();
    let t = &r.tag;
    let db = connected("catalog-reviews");
    let pid = id(&r.post("/products", json!({"name": format!("Reviewed Mug {t}"), "regular_price": "9.00"})));
    let text = format!("Sturdy \\ heavy \u{1f60d} {t}");
    let review = tool(
        &db,
        "create-review",
        json!({"product_id": pid, "review": text, "reviewer": "Zoë", "reviewer_email": format!("zoe.{t}@example.test"), "rating": 4}),
    );
    let rid = id(&review);
    assert_eq!(review["review"], text.as_str(), "backslashes and unicode come back as sent");
    assert!(review.get("_links").is_none());
    let stored = read(&format!("/products/reviews/{rid}?context=edit")).json;
    assert_eq!((stored["rating"].as_i64(), stored["status"].as_str()), (Some(4), Some("approved")));
    assert_eq!(stored["review"], text.as_str());
    let held = tool(
        &db,
        "create-review",
        json!({"product_id": pid, "review": format!("Meh {t}"), "reviewer": "Al", "reviewer_email": format!("al.{t}@example.test"), "status": "hold"}),
    );
    // list-reviews: approved by default; status all adds the held one; by email.
    let listed = tool(&db, "list-reviews", json!({"product": [pid]}));
    assert_eq!(listed["total"], 1);
    assert!(listed["items"][0].get("_links").is_none());
    let all = tool(&db, "list-reviews", json!({"product": [pid], "status": "all"}));
    assert_eq!(all["total"], 2);
    let by = tool(&db, "list-reviews", json!({"reviewer_email": format!("al.{t}@example.test"), "status": "hold"}));
    assert_eq!(by["items"][0]["id"], held["id"]);
    // A rating the store would take (7) is refused before it.
    let (code, _) = refused(&db, "update-review", json!({"id": rid, "rating": 7}));
    assert_eq!(code, Some(2));
    // update-review: rating, spam and back.
    tool(&db, "update-review", json!({"id": rid, "rating": 5, "status": "spam"}));
    let spam = read(&format!("/products/reviews/{rid}")).json;
    assert_eq!((spam["rating"].as_i64(), spam["status"].as_str()), (Some(5), Some("spam")));
    let back = tool(&db, "update-review", json!({"id": rid, "status": "unspam"}));
    assert_eq!(back["status"], "approved");
    // delete-review: to the trash, then for good.
    let trashed = tool(&db, "delete-review", json!({"id": rid}));
    assert_eq!(trashed["status"], "trash");
    assert_eq!(read(&format!("/products/reviews/{rid}")).json["status"], "trash");
    let (code, err) = refused(&db, "delete-review", json!({"id": rid}));
    assert_ne!(code, Some(0));
    assert!(err.contains("already_trashed"), "{err}");
    for review in [rid, id(&held)] {
        let gone = tool(&db, "delete-review", json!({"id": review, "force": true}));
        assert_eq!((gone["deleted"].as_bool(), gone["previous"]["id"].as_u64()), (Some(true), Some(review)));
        assert_eq!(read(&format!("/products/reviews/{review}")).status, 404);
    }
    let a = r.https.call("DELETE", &format!("/products/{pid}?force=true"), None, Auth::Basic);
    assert_eq!(a.status, 200);
}
