//! The shipping, tax, payment gateways, settings, reports, system status, webhooks, countries and currencies tools against the real WooCommerce: each write tool creates, is read back through the REST API, and what it made is deleted.

use super::*;

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_webhook_tools_create_read_back_and_delete_without_echoing_the_secret() {
    let r = real();
    let db = connected("store-admin-webhooks");
    let name = format!("woo-tools {} webhook", r.tag);
    let secret = format!("hush-{}", r.tag);
    // An unreachable URL: the store's ping and deliveries fail, nothing leaves the machine.
    let made = tool(
        &db,
        "create-webhook",
        json!({"name": name, "topic": "order.created", "delivery_url": "https://127.0.0.1:9/woo-tools", "secret": secret}),
    );
    let id = made["id"].as_u64().expect("an id");
    assert!(!made.to_string().contains(&secret), "the secret is never echoed");
    let read = r.https.call("GET", &format!("/webhooks/{id}"), None, Auth::Basic).json;
    assert_eq!((read["name"].as_str(), read["topic"].as_str()), (Some(name.as_str()), Some("order.created")));
    assert_eq!(read["delivery_url"], "https://127.0.0.1:9/woo-tools");

    let listed = tool(&db, "list-webhooks", json!({"search": r.tag, "status": "all"}));
    assert!(listed["items"].as_array().unwrap().iter().any(|w| w["id"] == id), "{listed}");
    assert!(!listed.to_string().contains(&secret));

    refused(
        &db,
        "create-webhook",
        json!({"topic": "customer.restored", "delivery_url": "https://127.0.0.1:9/x"}),
        "topic",
    );
    refused(&db, "delete-webhook", json!({"id": id}), "force");
    let gone = tool(&db, "delete-webhook", json!({"id": id, "force": true}));
    assert_eq!(gone["id"], id);
    assert_eq!(r.https.call("GET", &format!("/webhooks/{id}"), None, Auth::Basic).status, 404);
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_update_payment_gateway_changes_what_the_rest_api_reads_and_is_restored() {
    let r = real();
    let db = connected("store-admin-gateways");
    let before = r.https.call("GET", "/payment_gateways/cheque", None, Auth::Basic).json;
    let (title, description, enabled) =
        (before["title"].clone(), before["description"].clone(), before["enabled"].as_bool().unwrap());
    let new_title = format!("Cheque {}", r.tag);
    let changed = tool(
        &db,
        "update-payment-gateway",
        json!({"id": "cheque", "title": new_title, "description": "Tools test", "enabled": !enabled}),
    );
    assert_eq!(changed["title"], new_title.as_str());
    let read = r.https.call("GET", "/payment_gateways/cheque", None, Auth::Basic).json;
    assert_eq!((read["title"].as_str(), read["enabled"].as_bool()), (Some(new_title.as_str()), Some(!enabled)));
    assert_eq!(read["description"], "Tools test");
    // Put it back as it was.
    tool(
        &db,
        "update-payment-gateway",
        json!({"id": "cheque", "title": title, "description": description, "enabled": enabled}),
    );
    let restored = r.https.call("GET", "/payment_gateways/cheque", None, Auth::Basic).json;
    assert_eq!((restored["title"].clone(), restored["enabled"].as_bool()), (title, Some(enabled)));

    refused(&db, "update-payment-gateway", json!({"id": "cheque"}), "arguments");
    refused(&db, "update-payment-gateway", json!({"id": "cheque", "settings": {"title": "x"}}), "settings");
    let listed = tool(&db, "list-payment-gateways", json!({}));
    assert_eq!(listed["total"].as_u64(), Some(listed["items"].as_array().unwrap().len() as u64));
    assert_eq!((listed["page"].as_u64(), listed["total_pages"].as_u64()), (Some(1), Some(1)));
}

#[test]
#[ignore = "needs WOO_REAL_STORE_ENV (a real store's store.env); .ci/run sets it"]
fn realstore_store_admin_read_tools_answer_what_the_rest_api_answers() {
    let r = real();
    let db = connected("store-admin-reads");
    let read = |path: &str| r.https.call("GET", path, None, Auth::Basic).json;

    let zones = tool(&db, "list-shipping-zones", json!({}));
    let rest_zones = read("/shipping/zones");
    assert_eq!(zones["total"].as_u64(), Some(rest_zones.as_array().unwrap().len() as u64));
    assert!(zones["items"].as_array().unwrap().iter().all(|z| z["locations"].is_array() && z["methods"].is_array()));

    let classes = tool(&db, "list-tax-classes", json!({}));
    assert_eq!(classes["items"], {
        let mut v = read("/taxes/classes");
        v.as_array_mut().unwrap().iter_mut().for_each(|c| {
            c.as_object_mut().unwrap().remove("_links");
        });
        v
    });
    let rates = tool(&db, "list-tax-rates", json!({"class": "standard"}));
    assert!(rates["total"].is_u64());
    assert!(tool(&db, "list-shipping-classes", json!({}))["total"].is_u64());

    let groups = tool(&db, "list-settings", json!({}));
    assert_eq!(groups["total"].as_u64(), Some(read("/settings").as_array().unwrap().len() as u64));
    let general = tool(&db, "get-settings", json!({"group": "general"}));
    let rest_general = read("/settings/general");
    assert_eq!(general.as_array().unwrap().len(), rest_general.as_array().unwrap().len());
    assert!(matches!(
        woo(&["--db", &db, "tool", "get-settings", "--args", r#"{"group":"no-such-group"}"#], &[]).status.code(),
        Some(c) if c != 0 && c != 2
    ));

    let totals = tool(&db, "get-totals-report", json!({"which": "orders"}));
    assert_eq!(totals["items"], read("/reports/orders/totals"));
    let sales = tool(&db, "get-sales-report", json!({"period": "week"}));
    assert_eq!(sales["totals_grouped_by"], "day");
    assert_eq!(sales["totals"].as_object().unwrap().len(), 7);
    let top = tool(&db, "get-top-sellers-report", json!({"period": "year"}));
    assert!(top["items"].is_array());

    let status = tool(&db, "get-system-status", json!({"fields": ["environment"]}));
    assert_eq!(status["environment"]["version"], read("/system_status")["environment"]["version"]);

    let us = tool(&db, "list-countries", json!({"code": "US"}));
    assert_eq!(us["items"][0]["name"], "United States (US)");
    let countries = tool(&db, "list-countries", json!({"fields": ["code"]}));
    assert!(countries["total"].as_u64().unwrap() > 200, "the whole list in one page");
    let current = tool(&db, "list-currencies", json!({"code": "current"}));
    assert_eq!(current["items"][0]["code"], read("/data/currencies/current")["code"]);
}
