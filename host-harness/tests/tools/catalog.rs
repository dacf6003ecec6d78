//! End-to-end tests of the categories, tags, attributes and their terms, and reviews tools against the simulator.

use super::*;

/// `METHOD path?query` of each request the simulator saw since `from`.
fn sent_since(e: &Env, from: usize) -> Vec<String> {
    e.sim.state.seen.lock().unwrap()[from..].iter().map(|r| format!("{} {}?{}", r.method, r.path, r.query)).collect()
}

fn ids(v: &Value) -> Vec<u64> {
    v["items"].as_array().unwrap().iter().map(|x| x["id"].as_u64().unwrap()).collect()
}

/// A published simple product that has no category but `category`.
fn file_under(e: &Env, category: u64) -> u64 {
    let mut d = e.sim.state.data.write().unwrap();
    let p = d.products.iter_mut().find(|p| p["status"] == "publish" && p["type"] == "simple").expect("a product");
    p["categories"] = json!([{"id": category, "name": "x", "slug": "x"}]);
    p["id"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_categories_filters_by_parent_product_slug_and_hide_empty() {
    let mut e = env(1, 1, 30).await;
    let top = e.ok("create-category", json!({"name": "Kitchen"})).await["id"].as_u64().unwrap();
    let child = e.ok("create-category", json!({"name": "Mugs", "parent": top})).await["id"].as_u64().unwrap();
    let pid = file_under(&e, child);
    let before = e.requests();
    let kids = e.ok("list-categories", json!({"parent": top, "per_page": 100})).await;
    assert_eq!(ids(&kids), [child]);
    assert_eq!(kids["total"], 1);
    let of_product = e.ok("list-categories", json!({"product": pid})).await;
    assert_eq!(ids(&of_product), [child]);
    assert_eq!(of_product["items"][0]["count"], 1);
    let by_slug = e.ok("list-categories", json!({"slug": "kitchen"})).await;
    assert_eq!(ids(&by_slug), [top]);
    let used = e.ok("list-categories", json!({"hide_empty": true, "per_page": 100})).await;
    assert!(used["items"].as_array().unwrap().iter().all(|c| c["count"].as_u64().unwrap() > 0));
    assert!(!ids(&used).contains(&top), "Kitchen holds no product itself");
    let by_count = e
        .ok("list-categories", json!({"orderby": "count", "order": "desc", "per_page": 100, "fields": ["id", "count"]}))
        .await;
    let counts: Vec<u64> = by_count["items"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(by_count["items"][0].get("name").is_none(), "fields trims each record");
    let sent = sent_since(&e, before);
    assert!(sent[0].contains(&format!("parent={top}")), "{sent:?}");
    assert!(sent.iter().any(|s| s.contains("hide_empty=true")), "{sent:?}");
    // A sort field categories do not have is refused before any request.
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-categories", json!({"orderby": "date"})).await.unwrap_err()), "orderby");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_category_derives_the_slug_and_refuses_a_taken_name() {
    let mut e = env(1, 1, 5).await;
    let c = e
        .ok(
            "create-category",
            json!({"name": "Café & Tea", "description": "<b>Hot</b> drinks", "display": "subcategories"}),
        )
        .await;
    assert_eq!((c["name"].as_str(), c["slug"].as_str()), (Some("Café &amp; Tea"), Some("cafe-tea")));
    assert_eq!(c["display"], "subcategories");
    assert_eq!(c["description"], "<b>Hot</b> drinks");
    let stored = e.sim.state.data.read().unwrap().categories.iter().any(|x| x["id"] == c["id"]);
    assert!(stored);
    // The store's own refusal, with the existing category's id.
    let err = e.call("create-category", json!({"name": "Café & Tea"})).await.unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("term_exists"), "{text}");
    // A display WooCommerce does not have is refused before any request.
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("create-category", json!({"name": "X", "display": "grid"})).await.unwrap_err()),
        "display"
    );
    assert_eq!(invalid_field(e.call("create-category", json!({"slug": "x"})).await.unwrap_err()), "name");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_category_moves_it_under_a_parent_and_renames_it() {
    let mut e = env(1, 1, 5).await;
    let parent = e.ok("create-category", json!({"name": "Outdoor"})).await["id"].as_u64().unwrap();
    let id = e.ok("create-category", json!({"name": "Tents"})).await["id"].as_u64().unwrap();
    let before = e.requests();
    let c = e
        .ok("update-category", json!({"id": id, "parent": parent, "name": "Tents & Tarps", "image": {"src": "https://img.example.test/t.jpg"}}))
        .await;
    assert_eq!(c["parent"], parent);
    assert_eq!(c["name"], "Tents &amp; Tarps");
    assert_eq!(c["image"]["src"], "https://img.example.test/t.jpg");
    assert_eq!(sent_since(&e, before), [format!("PUT /wp-json/wc/v3/products/categories/{id}?")]);
    let e404 = e.call("update-category", json!({"id": 987654, "name": "Ghost"})).await.unwrap_err();
    assert!(matches!(e404, wit::types::Error::NotFound(_)), "{e404:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_category_needs_force_and_files_orphaned_products_under_uncategorized() {
    let mut e = env(1, 1, 20).await;
    let id = e.ok("create-category", json!({"name": "Seasonal"})).await["id"].as_u64().unwrap();
    let pid = file_under(&e, id);
    // No trash: force false (or absent) is refused before any request.
    let before = e.requests();
    assert_eq!(invalid_field(e.call("delete-category", json!({"id": id})).await.unwrap_err()), "force");
    assert_eq!(invalid_field(e.call("delete-category", json!({"id": id, "force": false})).await.unwrap_err()), "force");
    assert_eq!(e.requests(), before);
    let gone = e.ok("delete-category", json!({"id": id, "force": true})).await;
    assert_eq!(gone["id"], id);
    assert_eq!(sent_since(&e, before), [format!("DELETE /wp-json/wc/v3/products/categories/{id}?force=true")]);
    let p = e.find("products", |p| p["id"] == pid);
    assert_eq!(p["categories"][0]["id"], 15, "filed under Uncategorized");
    // The default category cannot be deleted: the store's error, as it is.
    let err = e.call("delete-category", json!({"id": 15, "force": true})).await.unwrap_err();
    assert!(format!("{err:?}").contains("woocommerce_rest_cannot_delete"), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_tags_lists_the_seeded_tags_with_their_counts_and_filters_by_product() {
    let mut e = env(1, 1, 40).await;
    let all = e.ok("list-tags", json!({"per_page": 100})).await;
    let n = e.sim.state.data.read().unwrap().tags.len();
    assert_eq!(all["total"].as_u64().unwrap() as usize, n);
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(names, sorted, "sorted by name");
    assert!(all["items"].as_array().unwrap().iter().all(|t| t.get("_links").is_none()));
    let tagged =
        e.find("products", |p| p["status"] == "publish" && p["tags"].as_array().is_some_and(|t| !t.is_empty()));
    let want: Vec<u64> = tagged["tags"].as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect();
    let of = e.ok("list-tags", json!({"product": tagged["id"]})).await;
    let mut got = ids(&of);
    got.sort_unstable();
    let mut want = want;
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(of["items"].as_array().unwrap().iter().all(|t| t["count"].as_u64().unwrap() >= 1));
    // Tags are not hierarchical: no parent filter.
    assert_eq!(invalid_field(e.call("list-tags", json!({"parent": 0})).await.unwrap_err()), "parent");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_tag_returns_the_tag_with_a_derived_slug() {
    let mut e = env(1, 1, 5).await;
    let t = e.ok("create-tag", json!({"name": "Back to School", "description": "September picks"})).await;
    assert_eq!((t["slug"].as_str(), t["count"].as_u64()), (Some("back-to-school"), Some(0)));
    let again = e.ok("create-tag", json!({"name": "Back to school 2", "slug": "back-to-school"})).await;
    assert_eq!(again["slug"], "back-to-school-2", "a taken slug gets a suffix");
    let err = e.call("create-tag", json!({"name": "back to school"})).await.unwrap_err();
    assert!(format!("{err:?}").contains("term_exists"), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_tag_deletes_for_good_and_takes_it_off_every_product() {
    let mut e = env(1, 1, 40).await;
    let tagged = e.find("products", |p| p["tags"].as_array().is_some_and(|t| !t.is_empty()));
    let tag = tagged["tags"][0]["id"].as_u64().unwrap();
    assert_eq!(invalid_field(e.call("delete-tag", json!({"id": tag, "force": false})).await.unwrap_err()), "force");
    let gone = e.ok("delete-tag", json!({"id": tag, "force": true})).await;
    assert_eq!(gone["id"], tag);
    let d = e.sim.state.data.read().unwrap();
    assert!(!d.tags.iter().any(|t| t["id"] == tag));
    assert!(d.products.iter().all(|p| p["tags"].as_array().unwrap().iter().all(|t| t["id"] != tag)));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_attributes_returns_every_attribute_in_one_request() {
    let mut e = env(1, 1, 5).await;
    for i in 0..12 {
        e.ok("create-attribute", json!({"name": format!("Material {i}")})).await;
    }
    let before = e.requests();
    let r = e.ok("list-attributes", json!({})).await;
    let n = e.sim.state.data.read().unwrap().attributes.len();
    assert_eq!(n, 14, "Color and Size are seeded");
    assert_eq!(r["items"].as_array().unwrap().len(), n);
    assert_eq!(
        (r["total"].as_u64(), r["total_pages"].as_u64(), r["page"].as_u64()),
        (Some(n as u64), Some(1), Some(1))
    );
    assert_eq!(r["items"][0]["slug"], "pa_color");
    assert!(r["items"][0].get("_links").is_none());
    assert_eq!(sent_since(&e, before), ["GET /wp-json/wc/v3/products/attributes?"]);
    let trimmed = e.ok("list-attributes", json!({"fields": ["id", "slug"]})).await;
    assert_eq!(trimmed["items"][0].as_object().unwrap().len(), 2);
    // The endpoint has no paging: asking for a page is refused, not ignored.
    assert_eq!(invalid_field(e.call("list-attributes", json!({"page": 2})).await.unwrap_err()), "page");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_attribute_prefixes_the_slug_and_refuses_a_long_or_reserved_one() {
    let mut e = env(1, 1, 5).await;
    let a =
        e.ok("create-attribute", json!({"name": "Fabric Weight", "order_by": "name_num", "has_archives": true})).await;
    assert_eq!((a["slug"].as_str(), a["type"].as_str()), (Some("pa_fabric-weight"), Some("select")));
    assert_eq!((a["order_by"].as_str(), a["has_archives"].as_bool()), (Some("name_num"), Some(true)));
    let before = e.requests();
    let long = "x".repeat(29);
    assert_eq!(
        invalid_field(e.call("create-attribute", json!({"name": "Long", "slug": long})).await.unwrap_err()),
        "slug"
    );
    assert_eq!(
        invalid_field(e.call("create-attribute", json!({"name": "T", "type": "color"})).await.unwrap_err()),
        "type"
    );
    assert_eq!(e.requests(), before);
    // What only the store can tell: a slug derived from a long name, a reserved word, a taken slug.
    for (args, says) in [
        (json!({"name": "A very long attribute name that goes on"}), "too long"),
        (json!({"name": "type"}), "reserved"),
        (json!({"name": "Fabric weight"}), "already in use"),
    ] {
        let err = e.call("create-attribute", args).await.unwrap_err();
        assert!(format!("{err:?}").contains(says), "{err:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_attribute_deletes_it_with_its_terms_and_needs_force() {
    let mut e = env(1, 1, 40).await;
    let id = e.ok("create-attribute", json!({"name": "Finish"})).await["id"].as_u64().unwrap();
    e.ok("create-attribute-term", json!({"attribute_id": id, "name": "Matte"})).await;
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("delete-attribute", json!({"id": id, "force": false})).await.unwrap_err()),
        "force"
    );
    assert_eq!(e.requests(), before);
    let gone = e.ok("delete-attribute", json!({"id": id, "force": true})).await;
    assert_eq!(gone["slug"], "pa_finish");
    assert_eq!(sent_since(&e, before), [format!("DELETE /wp-json/wc/v3/products/attributes/{id}?force=true")]);
    let err = e.call("list-attribute-terms", json!({"attribute_id": id})).await.unwrap_err();
    assert!(matches!(err, wit::types::Error::NotFound(_)), "its terms went with it: {err:?}");
    // The seeded Color attribute leaves the products that used it.
    let color = e.sim.state.data.read().unwrap().attributes[0]["id"].as_u64().unwrap();
    e.ok("delete-attribute", json!({"id": color, "force": true})).await;
    let d = e.sim.state.data.read().unwrap();
    assert!(d.products.iter().all(|p| p["attributes"].as_array().unwrap().iter().all(|a| a["id"] != color)));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_attribute_terms_lists_one_attributes_terms_with_product_counts() {
    let mut e = env(1, 1, 60).await;
    let color = e.sim.state.data.read().unwrap().attributes[0]["id"].as_u64().unwrap();
    let r = e.ok("list-attribute-terms", json!({"attribute_id": color, "per_page": 100})).await;
    let names: Vec<&str> = r["items"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Black", "Blue", "Crème Brûlée", "Green", "Red"]);
    assert_eq!(r["items"][2]["slug"], "creme-brulee");
    let used: u64 = r["items"].as_array().unwrap().iter().map(|t| t["count"].as_u64().unwrap()).sum();
    assert!(used > 0, "some seeded products come in colours");
    let coloured = e.find("products", |p| {
        p["status"] == "publish" && p["attributes"].as_array().unwrap().iter().any(|a| a["id"] == color)
    });
    let of = e.ok("list-attribute-terms", json!({"attribute_id": color, "product": coloured["id"]})).await;
    let opts = coloured["attributes"].as_array().unwrap().iter().find(|a| a["id"] == color).unwrap()["options"].clone();
    assert_eq!(of["total"].as_u64().unwrap() as usize, opts.as_array().unwrap().len());
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("list-attribute-terms", json!({"per_page": 5})).await.unwrap_err()),
        "attribute_id"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_attribute_term_adds_a_term_to_the_attribute() {
    let mut e = env(1, 1, 5).await;
    let size = e.sim.state.data.read().unwrap().attributes[1]["id"].as_u64().unwrap();
    let before = e.requests();
    let t = e
        .ok(
            "create-attribute-term",
            json!({"attribute_id": size, "name": "XXL", "menu_order": 5, "description": "Roomy"}),
        )
        .await;
    assert_eq!((t["slug"].as_str(), t["menu_order"].as_i64()), (Some("xxl"), Some(5)));
    assert_eq!(sent_since(&e, before), [format!("POST /wp-json/wc/v3/products/attributes/{size}/terms?")]);
    let listed = e.ok("list-attribute-terms", json!({"attribute_id": size, "slug": "xxl"})).await;
    assert_eq!(ids(&listed), [t["id"].as_u64().unwrap()]);
    let err = e.call("create-attribute-term", json!({"attribute_id": 999, "name": "X"})).await.unwrap_err();
    assert!(matches!(err, wit::types::Error::NotFound(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_attribute_term_deletes_for_good_and_products_no_longer_offer_it() {
    let mut e = env(1, 1, 60).await;
    let color = e.sim.state.data.read().unwrap().attributes[0]["id"].as_u64().unwrap();
    let red = e.ok("list-attribute-terms", json!({"attribute_id": color, "slug": "red"})).await["items"][0]["id"]
        .as_u64()
        .unwrap();
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("delete-attribute-term", json!({"attribute_id": color, "id": red})).await.unwrap_err()),
        "force"
    );
    assert_eq!(e.requests(), before);
    e.ok("delete-attribute-term", json!({"attribute_id": color, "id": red, "force": true})).await;
    assert_eq!(
        sent_since(&e, before),
        [format!("DELETE /wp-json/wc/v3/products/attributes/{color}/terms/{red}?force=true")]
    );
    let d = e.sim.state.data.read().unwrap();
    assert!(d.products.iter().all(|p| !p["attributes"].to_string().contains("\"Red\"")));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_reviews_lists_approved_ones_by_default_and_filters_by_product_status_and_email() {
    let mut e = env(20, 5, 40).await;
    let (approved, held, registered) = {
        let d = e.sim.state.data.read().unwrap();
        let count = |s: &str| d.reviews.iter().filter(|(_, r)| r["status"] == s).count();
        let reg = d.reviews.iter().find(|(u, r)| *u > 0 && r["status"] == "approved").map(|(_, r)| r.clone());
        (count("approved"), count("hold"), reg.expect("a registered reviewer"))
    };
    let before = e.requests();
    let r = e.ok("list-reviews", json!({"per_page": 100})).await;
    assert_eq!(r["total"].as_u64().unwrap() as usize, approved);
    assert!(r["items"].as_array().unwrap().iter().all(|x| x["status"] == "approved"));
    let dates: Vec<&str> =
        r["items"].as_array().unwrap().iter().map(|x| x["date_created_gmt"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // A registered reviewer's link to /wp/v2/users is left out, and nothing reaches it.
    assert!(r["items"].as_array().unwrap().iter().all(|x| x.get("_links").is_none()));
    let all = e.ok("list-reviews", json!({"status": "all", "per_page": 1})).await;
    assert_eq!(all["total"].as_u64().unwrap() as usize, approved + held);
    let pid = registered["product_id"].as_u64().unwrap();
    let of = e.ok("list-reviews", json!({"product": [pid], "status": "all", "all_pages": true})).await;
    assert!(of["items"].as_array().unwrap().iter().all(|x| x["product_id"] == pid));
    assert!(ids(&of).contains(&registered["id"].as_u64().unwrap()));
    let email = registered["reviewer_email"].as_str().unwrap().to_uppercase();
    let by = e.ok("list-reviews", json!({"reviewer_email": email, "status": "all"})).await;
    assert!(ids(&by).contains(&registered["id"].as_u64().unwrap()));
    let sent = sent_since(&e, before);
    assert!(
        sent.iter().all(|s| s.starts_with("GET /wp-json/wc/v3/products/reviews?") && !s.contains("wp/v2")),
        "{sent:?}"
    );
    assert!(sent.iter().any(|s| s.contains(&format!("product={pid}"))), "{sent:?}");
    // Enums and emails are checked before any request.
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-reviews", json!({"status": "pending"})).await.unwrap_err()), "status");
    assert_eq!(invalid_field(e.call("list-reviews", json!({"orderby": "rating"})).await.unwrap_err()), "orderby");
    assert_eq!(
        invalid_field(e.call("list-reviews", json!({"before": "2025-13-01T00:00:00"})).await.unwrap_err()),
        "before"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_review_keeps_the_text_and_checks_rating_and_status_before_any_request() {
    let mut e = env(5, 5, 10).await;
    let pid = e.find("products", |p| p["status"] == "publish")["id"].as_u64().unwrap();
    let text = "Sturdy \\ heavy, \"just right\" \u{1f60d}\nWould buy again.";
    let r = e
        .ok("create-review", json!({"product_id": pid, "review": text, "reviewer": "Zoë", "reviewer_email": "zoe@example.test", "rating": 4}))
        .await;
    assert_eq!((r["review"].as_str(), r["rating"].as_i64()), (Some(text), Some(4)));
    assert_eq!((r["status"].as_str(), r["product_id"].as_u64()), (Some("approved"), Some(pid)));
    assert!(r.get("_links").is_none());
    let held = e
        .ok("create-review", json!({"product_id": pid, "review": "Meh", "reviewer": "Al", "reviewer_email": "al@example.test", "status": "hold"}))
        .await;
    assert_eq!((held["status"].as_str(), held["rating"].as_i64()), (Some("hold"), Some(0)));
    let before = e.requests();
    let base = json!({"product_id": pid, "review": "x", "reviewer": "x", "reviewer_email": "x@example.test"});
    for (k, bad) in
        [("rating", json!(6)), ("rating", json!(-1)), ("status", json!("pending")), ("reviewer_email", json!("nobody"))]
    {
        let mut a = base.clone();
        a[k] = bad;
        assert_eq!(invalid_field(e.call("create-review", a).await.unwrap_err()), k);
    }
    let mut a = base.clone();
    a.as_object_mut().unwrap().remove("reviewer_email");
    assert_eq!(invalid_field(e.call("create-review", a).await.unwrap_err()), "reviewer_email");
    assert_eq!(e.requests(), before);
    // The store's own refusals: an unknown product, the same review twice.
    let mut ghost = base.clone();
    ghost["product_id"] = json!(987654);
    assert!(matches!(e.call("create-review", ghost).await.unwrap_err(), wit::types::Error::NotFound(_)));
    let dup = json!({"product_id": pid, "review": text, "reviewer": "Zoë", "reviewer_email": "zoe@example.test"});
    assert!(format!("{:?}", e.call("create-review", dup).await.unwrap_err()).contains("duplicate"));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_review_spams_unspams_and_changes_the_rating() {
    let mut e = env(5, 5, 10).await;
    let pid = e.find("products", |p| p["status"] == "publish")["id"].as_u64().unwrap();
    let id = e
        .ok("create-review", json!({"product_id": pid, "review": "Fine", "reviewer": "Bo", "reviewer_email": "bo@example.test", "rating": 3}))
        .await["id"]
        .as_u64()
        .unwrap();
    let r = e.ok("update-review", json!({"id": id, "status": "spam"})).await;
    assert_eq!(r["status"], "spam");
    let r =
        e.ok("update-review", json!({"id": id, "status": "unspam", "rating": 5, "review": "Great after all"})).await;
    assert_eq!((r["status"].as_str(), r["rating"].as_i64()), (Some("approved"), Some(5)));
    assert_eq!(r["review"], "Great after all");
    assert!(r.get("_links").is_none());
    let before = e.requests();
    assert_eq!(invalid_field(e.call("update-review", json!({"id": id, "rating": 0})).await.unwrap_err()), "rating");
    assert_eq!(
        invalid_field(e.call("update-review", json!({"id": id, "status": "pending"})).await.unwrap_err()),
        "status"
    );
    assert_eq!(e.requests(), before);
    let err = e.call("update-review", json!({"id": 987654, "review": "x"})).await.unwrap_err();
    assert!(matches!(err, wit::types::Error::NotFound(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_review_moves_it_to_the_trash_and_force_deletes_it() {
    let mut e = env(5, 5, 10).await;
    let pid = e.find("products", |p| p["status"] == "publish")["id"].as_u64().unwrap();
    let id = e
        .ok("create-review", json!({"product_id": pid, "review": "Bin me", "reviewer": "Cy", "reviewer_email": "cy@example.test", "rating": 2}))
        .await["id"]
        .as_u64()
        .unwrap();
    let before = e.requests();
    let trashed = e.ok("delete-review", json!({"id": id})).await;
    assert_eq!(trashed["status"], "trash");
    assert_eq!(sent_since(&e, before), [format!("DELETE /wp-json/wc/v3/products/reviews/{id}?force=false")]);
    let bin = e.ok("list-reviews", json!({"status": "trash"})).await;
    assert!(ids(&bin).contains(&id));
    let err = e.call("delete-review", json!({"id": id, "force": false})).await.unwrap_err();
    assert!(format!("{err:?}").contains("already_trashed"), "{err:?}");
    let back = e.ok("update-review", json!({"id": id, "status": "untrash"})).await;
    assert_eq!(back["status"], "approved");
    let gone = e.ok("delete-review", json!({"id": id, "force": true})).await;
    assert_eq!((gone["deleted"].as_bool(), gone["previous"]["id"].as_u64()), (Some(true), Some(id)));
    assert!(gone["previous"].get("_links").is_none());
    assert!(!e.sim.state.data.read().unwrap().reviews.iter().any(|(_, r)| r["id"] == id));
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_direct_functions_run_the_same_tools() {
    let mut e = env(5, 5, 20).await;
    let paging = wit::direct::Paging {
        page: None,
        per_page: Some(100),
        all_pages: None,
        max_items: None,
        search: None,
        include: None,
        orderby: None,
        order: Some(wit::direct::SortOrder::Desc),
        fields: None,
    };
    let filters = wit::direct::TermFilters {
        hide_empty: None,
        product: None,
        slug: None,
        exclude: None,
        orderby: Some(wit::direct::TermOrderby::Count),
    };
    e.s.begin_call();
    let tags =
        e.s.bindings
            .woo_connector_direct()
            .call_list_tags(&mut e.s.store, Some(&paging), Some(&filters))
            .await
            .unwrap()
            .expect("list-tags");
    let items: Vec<Value> = serde_json::from_str(&tags.items).unwrap();
    let counts: Vec<u64> = items.iter().map(|t| t["count"].as_u64().unwrap()).collect();
    assert!(!counts.is_empty() && counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(tags.total, items.len() as u64);

    e.s.begin_call();
    let made =
        e.s.bindings
            .woo_connector_direct()
            .call_create_category(
                &mut e.s.store,
                "Direct Mugs",
                Some(&wit::direct::CategoryFields {
                    slug: None,
                    parent: None,
                    description: Some("Typed".into()),
                    display: Some(wit::direct::CategoryDisplay::Both),
                    image: None,
                }),
            )
            .await
            .unwrap()
            .expect("create-category");
    let made: Value = serde_json::from_str(&made).unwrap();
    assert_eq!((made["slug"].as_str(), made["display"].as_str()), (Some("direct-mugs"), Some("both")));

    let pid = e.find("products", |p| p["status"] == "publish")["id"].as_u64().unwrap();
    e.s.begin_call();
    let review =
        e.s.bindings
            .woo_connector_direct()
            .call_create_review(
                &mut e.s.store,
                pid,
                "Typed review",
                "Dee",
                "dee@example.test",
                Some(5),
                Some(wit::direct::ReviewStatus::Hold),
            )
            .await
            .unwrap()
            .expect("create-review");
    let review: Value = serde_json::from_str(&review).unwrap();
    assert_eq!((review["status"].as_str(), review["rating"].as_i64()), (Some("hold"), Some(5)));

    // A typed rating out of range is refused by the same validation, before any request.
    let before = e.requests();
    e.s.begin_call();
    let err =
        e.s.bindings
            .woo_connector_direct()
            .call_create_review(&mut e.s.store, pid, "x", "x", "x@example.test", Some(9), None)
            .await
            .unwrap()
            .unwrap_err();
    assert_eq!(invalid_field(err), "rating");
    assert_eq!(e.requests(), before);

    // A delete without trash always sends force=true.
    let id = made["id"].as_u64().unwrap();
    e.s.begin_call();
    e.s.bindings
        .woo_connector_direct()
        .call_delete_category(&mut e.s.store, id)
        .await
        .unwrap()
        .expect("delete-category");
    assert_eq!(sent_since(&e, before), [format!("DELETE /wp-json/wc/v3/products/categories/{id}?force=true")]);
}
