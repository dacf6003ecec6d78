//! The categories, tags, attributes and their terms, and reviews tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;

/// `woo tool` that must fail: its exit code and stderr.
fn refused(db: &str, name: &str, args: Value) -> (Option<i32>, String) {
    let out = woo(&["--db", db, "tool", name, "--args", &args.to_string()], &[]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
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
    let child = id(&tool(&db, "create-category", json!({"name": format!("Stoneware Mugs {t}")})));
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

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_catalog_simulator_answers_like_the_real_store() {
    let r = real();
    let t = &r.tag;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(woo_host::sim::Simulator::start(woo_host::sim::SimConfig::default())).unwrap();
    let sim_https = Rest {
        base: sim.https_url.clone(),
        ca: Some(sim.ca_cert.clone()),
        key: sim.consumer_key.clone(),
        secret: sim.consumer_secret.clone(),
    };
    // On the store: a tag, an attribute with a term, a product with a review.
    let tag = id(&r.post("/products/tags", json!({"name": format!("Conformance {t}")})));
    let attr = id(&r.post("/products/attributes", json!({"name": format!("Conf {t}")})));
    let term = id(&r.post(&format!("/products/attributes/{attr}/terms"), json!({"name": "Matte"})));
    let pid = id(&r.post("/products", json!({"name": format!("Conformance Mug {t}"), "regular_price": "3.00"})));
    let review = id(&r.post(
        "/products/reviews",
        json!({"product_id": pid, "review": "Fine", "reviewer": "Ann", "reviewer_email": format!("ann.{t}@example.test"), "rating": 4}),
    ));
    let (sim_attr, sim_review, sim_tag) = {
        let d = sim.state.data.read().unwrap();
        (
            d.attributes[0]["id"].as_u64().unwrap(),
            d.reviews[0].1["id"].as_u64().unwrap(),
            d.tags[0]["id"].as_u64().unwrap(),
        )
    };
    let mut diffs = vec![];
    let resources = [
        ("tag", format!("/products/tags?include={tag}"), "/products/tags?per_page=1".to_string()),
        ("attribute", format!("/products/attributes/{attr}"), format!("/products/attributes/{sim_attr}")),
        (
            "attribute term",
            format!("/products/attributes/{attr}/terms"),
            format!("/products/attributes/{sim_attr}/terms"),
        ),
        (
            "review",
            format!("/products/reviews?include={review}"),
            format!("/products/reviews?include={sim_review}&status=all"),
        ),
        ("review (one)", format!("/products/reviews/{review}"), format!("/products/reviews/{sim_review}")),
    ];
    for (what, real_path, sim_path) in &resources {
        let (a, b) =
            (r.https.call("GET", real_path, None, Auth::Basic), sim_https.call("GET", sim_path, None, Auth::Basic));
        assert_eq!((a.status, b.status), (200, 200), "{what}: {} / {}", a.json, b.json);
        let one = |x: &Answer| if x.json.is_array() { first(x) } else { x.json.clone() };
        compare_shapes(what, &one(&a), &one(&b), &mut diffs);
        compare_shapes(&format!("{what} _links"), &one(&a)["_links"], &one(&b)["_links"], &mut diffs);
    }
    let lists = ["/products/tags", "/products/attributes", "/products/reviews"];
    for path in lists {
        let (a, b) = (r.https.call("GET", path, None, Auth::Basic), sim_https.call("GET", path, None, Auth::Basic));
        for h in ["x-wp-total", "x-wp-totalpages"] {
            if a.headers.contains_key(h) != b.headers.contains_key(h) {
                diffs.push(format!("{path}: header {h} present on one side only"));
            }
        }
    }
    // Status and error codes of the edges the tools meet.
    let edges: Vec<(&str, String, String)> = vec![
        ("DELETE", format!("/products/tags/{tag}?force=false"), format!("/products/tags/{sim_tag}?force=false")),
        ("DELETE", format!("/products/tags/{tag}"), format!("/products/tags/{sim_tag}")),
        ("DELETE", "/products/tags/987654321?force=true".into(), "/products/tags/987654321?force=true".into()),
        (
            "DELETE",
            format!("/products/attributes/{attr}?force=false"),
            format!("/products/attributes/{sim_attr}?force=false"),
        ),
        ("DELETE", "/products/attributes/987654?force=true".into(), "/products/attributes/987654?force=true".into()),
        ("GET", "/products/attributes/987654/terms".into(), "/products/attributes/987654/terms".into()),
        ("DELETE", format!("/products/attributes/{attr}/terms/{term}?force=false"), {
            let d = sim.state.data.read().unwrap();
            format!("/products/attributes/{sim_attr}/terms/{}?force=false", d.attribute_terms[0].1[0]["id"])
        }),
        ("GET", "/products/categories?orderby=date".into(), "/products/categories?orderby=date".into()),
        ("GET", "/products/tags?orderby=count&order=desc".into(), "/products/tags?orderby=count&order=desc".into()),
        ("GET", "/products/reviews?orderby=name".into(), "/products/reviews?orderby=name".into()),
        ("GET", "/products/reviews/987654321".into(), "/products/reviews/987654321".into()),
        ("PUT", "/products/reviews/987654321".into(), "/products/reviews/987654321".into()),
        ("POST", "/products/tags".into(), "/products/tags".into()),
        ("POST", "/products/reviews".into(), "/products/reviews".into()),
        ("DELETE", "/products/categories/15?force=true".into(), "/products/categories/15?force=true".into()),
    ];
    for (method, real_path, sim_path) in &edges {
        let body = (*method != "GET").then(|| json!({}));
        let (a, b) = (
            r.https.call(method, real_path, body.as_ref(), Auth::Basic),
            sim_https.call(method, sim_path, body.as_ref(), Auth::Basic),
        );
        if a.status != b.status || a.json["code"] != b.json["code"] {
            diffs.push(format!(
                "{method} {real_path}: {} {} on the store, {} {} in the simulator",
                a.status, a.json["code"], b.status, b.json["code"]
            ));
        }
    }
    // A taken tag name, on both.
    let taken_sim = sim_https.call("POST", "/products/tags", Some(&json!({"name": "Bestseller"})), Auth::Basic);
    let taken = r.https.call("POST", "/products/tags", Some(&json!({"name": format!("Conformance {t}")})), Auth::Basic);
    if (taken.status, &taken.json["code"]) != (taken_sim.status, &taken_sim.json["code"]) {
        diffs.push(format!(
            "a taken tag name: {} {} vs {} {}",
            taken.status, taken.json, taken_sim.status, taken_sim.json
        ));
    }
    // Clean up on the store.
    for path in [
        format!("/products/reviews/{review}?force=true"),
        format!("/products/{pid}?force=true"),
        format!("/products/attributes/{attr}?force=true"),
        format!("/products/tags/{tag}?force=true"),
    ] {
        let a = r.https.call("DELETE", &path, None, Auth::Basic);
        assert_eq!(a.status, 200, "{path}: {}", a.json);
    }
    assert!(diffs.is_empty(), "the simulator differs from the store:\n{}", diffs.join("\n"));
}
