//! End-to-end tests of the shipping, tax, payment gateways, settings, reports, system status, webhooks, countries and currencies tools against the simulator.

use super::*;

/// The secret-looking values the simulator's Stripe-like gateway and settings hold.
const SEEDED_SECRETS: [&str; 6] = [
    "pk_live_51HxSimPublishable0001",
    "sk_live_51HxSimSecret0001",
    "whsec_SimWebhookSecret0001",
    "pk_test_51HxSimPublishable0001",
    "sk_test_51HxSimSecret0001",
    "SimMaxMindLicense0001",
];

fn assert_no_seeded_secret(v: &Value) {
    let text = v.to_string();
    for s in SEEDED_SECRETS {
        assert!(!text.contains(s), "{s} reached the agent: {text}");
    }
}

/// Whether `v` is a whole list answered as one page.
fn assert_one_page(v: &Value, n: usize) {
    assert_eq!(v["items"].as_array().unwrap().len(), n, "{v}");
    assert_eq!(
        (v["page"].as_u64(), v["per_page"].as_u64(), v["total"].as_u64()),
        (Some(1), Some(n as u64), Some(n as u64))
    );
    assert_eq!(v["total_pages"], u64::from(n > 0));
}

/// A gateway as the simulator stores it (secrets included).
fn stored_gateway(e: &Env, id: &str) -> Value {
    e.sim.state.data.read().unwrap().admin.gateways.iter().find(|g| g["id"] == id).cloned().unwrap()
}

/// The query strings of the requests since `from`.
fn queries_since(e: &Env, from: usize) -> Vec<String> {
    e.sim.state.seen.lock().unwrap()[from..].iter().map(|r| r.query.clone()).collect()
}

fn no_links(v: &Value) {
    assert!(v["items"].as_array().unwrap().iter().all(|i| i.get("_links").is_none()), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shipping_zones_brings_each_zones_locations_and_methods_concurrently() {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    let zones = e.ok("list-shipping-zones", json!({})).await;
    let seen = e.seen_since(before);
    assert_one_page(&zones, 4);
    no_links(&zones);
    // One request for the zones, then two per zone.
    assert_eq!(seen.len(), 1 + 2 * 4, "{seen:?}");
    assert!(seen.iter().any(|s| s.starts_with("GET /wp-json/wc/v3/shipping/zones/2/locations")), "{seen:?}");
    let us = zones["items"].as_array().unwrap().iter().find(|z| z["id"] == 1).unwrap();
    assert_eq!(us["locations"], json!([{"code": "US", "type": "country"}]));
    let methods: Vec<&str> =
        us["methods"].as_array().unwrap().iter().map(|m| m["method_id"].as_str().unwrap()).collect();
    assert_eq!(methods, ["flat_rate", "free_shipping"]);
    assert!(us["methods"][0].get("_links").is_none());
    let rest = zones["items"].as_array().unwrap().iter().find(|z| z["id"] == 0).unwrap();
    assert_eq!(rest["locations"], json!([]), "zone 0 covers what the others do not: no locations");

    // `fields` trims the zones; their id is still fetched to reach their parts, then left out.
    let before = e.requests();
    let named = e.ok("list-shipping-zones", json!({"fields": ["name"]})).await;
    let q = queries_since(&e, before)[0].clone();
    assert!(q.starts_with("_fields=name") && q.contains("id"), "{q}");
    let first = &named["items"][0];
    assert!(first.get("id").is_none() && first["name"].is_string() && first["methods"].is_array(), "{first}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shipping_classes_filters_sorts_and_pages() {
    let mut e = env(1, 1, 1).await;
    let all = e.ok("list-shipping-classes", json!({"per_page": 2})).await;
    assert_eq!((all["total"].as_u64(), all["total_pages"].as_u64()), (Some(3), Some(2)));
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(names, ["bulky", "fragile"], "by name, ascending, as WooCommerce sorts terms");
    let used = e.ok("list-shipping-classes", json!({"hide_empty": true})).await;
    assert_eq!(used["total"], 2);
    let one = e.ok("list-shipping-classes", json!({"slug": "fragile"})).await;
    assert_eq!(one["items"][0]["name"], "Fragile");
    let before = e.requests();
    let err = e.call("list-shipping-classes", json!({"orderby": "date"})).await.unwrap_err();
    assert_eq!(invalid_field(err), "orderby");
    assert_eq!(e.requests(), before, "refused before any request");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_tax_rates_filters_by_class_and_refuses_what_woocommerce_would_drop() {
    let mut e = env(1, 1, 1).await;
    let all = e.ok("list-tax-rates", json!({"per_page": 100})).await;
    assert_eq!(all["total"], 7);
    assert_eq!(all["items"][0]["rate"], "7.2500", "rates stay decimal strings");
    let reduced = e.ok("list-tax-rates", json!({"class": "reduced-rate"})).await;
    assert_eq!(reduced["total"], 2);
    assert!(reduced["items"].as_array().unwrap().iter().all(|r| r["class"] == "reduced-rate"));
    let by_priority = e.ok("list-tax-rates", json!({"orderby": "priority", "order": "desc"})).await;
    assert_eq!(by_priority["total"], 7);
    let before = e.requests();
    // `/taxes` has no search: a filter the store would silently drop is refused.
    assert_eq!(invalid_field(e.call("list-tax-rates", json!({"search": "CA"})).await.unwrap_err()), "search");
    assert_eq!(invalid_field(e.call("list-tax-rates", json!({"class": "../orders"})).await.unwrap_err()), "class");
    assert_eq!(e.requests(), before);
    // A class the store does not have is its own 400.
    assert!(matches!(e.call("list-tax-rates", json!({"class": "luxury"})).await, Err(wit::types::Error::Remote(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_tax_classes_is_the_whole_list_as_one_page() {
    let mut e = env(1, 1, 1).await;
    let classes = e.ok("list-tax-classes", json!({})).await;
    assert_one_page(&classes, 3);
    no_links(&classes);
    assert_eq!(classes["items"][1], json!({"slug": "reduced-rate", "name": "Reduced rate"}));
    let before = e.requests();
    let slugs = e.ok("list-tax-classes", json!({"fields": ["slug"]})).await;
    assert!(queries_since(&e, before)[0].contains("_fields=slug"));
    assert_eq!(slugs["items"][0], json!({"slug": "standard"}));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_payment_gateways_redacts_keys_secrets_passwords_and_tokens() {
    let mut e = env(1, 1, 1).await;
    let gateways = e.ok("list-payment-gateways", json!({})).await;
    assert_one_page(&gateways, 4);
    no_links(&gateways);
    assert_no_seeded_secret(&gateways);
    let stripe = gateways["items"].as_array().unwrap().iter().find(|g| g["id"] == "stripe").unwrap();
    for k in ["publishable_key", "secret_key", "webhook_secret", "test_publishable_key", "test_secret_key"] {
        assert_eq!(stripe["settings"][k]["value"], "[redacted]", "{k}");
    }
    assert_eq!(stripe["settings"]["statement_descriptor"]["value"], "ACME STORE");
    assert_eq!(stripe["settings"]["capture"]["value"], "yes");
    assert_eq!(stripe["title"], "Credit card (Stripe)");
    // The simulator still holds them: the tool, not the store, hid them.
    let stored = stored_gateway(&e, "stripe");
    assert_eq!(stored["settings"]["secret_key"]["value"], "sk_live_51HxSimSecret0001");
    // raw-api-request goes through the same rule.
    let raw = e.ok("raw-api-request", json!({"method": "GET", "path": "/payment_gateways/stripe"})).await;
    assert_no_seeded_secret(&raw);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_payment_gateway_changes_only_enabled_title_description_order() {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    let g =
        e.ok("update-payment-gateway", json!({"id": "stripe", "enabled": false, "title": "Card", "order": 2})).await;
    let seen = e.seen_since(before);
    assert_eq!(seen, ["PUT /wp-json/wc/v3/payment_gateways/stripe"]);
    assert_eq!(
        (g["enabled"].as_bool(), g["title"].as_str(), g["order"].as_u64()),
        (Some(false), Some("Card"), Some(2))
    );
    assert_no_seeded_secret(&g);
    assert_eq!(g["settings"]["secret_key"]["value"], "[redacted]");
    let stored = stored_gateway(&e, "stripe");
    assert_eq!((stored["enabled"].as_bool(), stored["title"].as_str()), (Some(false), Some("Card")));

    let before = e.requests();
    // Settings (keys, accounts) are not this tool's to change.
    let err = e.call("update-payment-gateway", json!({"id": "stripe", "settings": {"secret_key": "sk_x"}})).await;
    assert_eq!(invalid_field(err.unwrap_err()), "settings");
    assert_eq!(
        invalid_field(e.call("update-payment-gateway", json!({"id": "stripe"})).await.unwrap_err()),
        "arguments"
    );
    let err = e.call("update-payment-gateway", json!({"id": "../orders/1", "enabled": true})).await;
    assert_eq!(invalid_field(err.unwrap_err()), "id");
    assert_eq!(e.requests(), before, "nothing refused reached the store");
    let missing = e.call("update-payment-gateway", json!({"id": "nope", "enabled": true})).await;
    assert!(matches!(missing, Err(wit::types::Error::NotFound(_))), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_settings_lists_the_groups_as_one_page() {
    let mut e = env(1, 1, 1).await;
    let groups = e.ok("list-settings", json!({})).await;
    let n = e.sim.state.data.read().unwrap().admin.settings.len();
    assert_one_page(&groups, n);
    no_links(&groups);
    let ids: Vec<&str> = groups["items"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"general") && ids.contains(&"email_new_order"), "{ids:?}");
    assert!(groups["items"][0].get("options").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn get_settings_reads_one_group_and_redacts_its_credentials() {
    let mut e = env(1, 1, 1).await;
    let general = e.ok("get-settings", json!({"group": "general"})).await;
    let address = general.as_array().unwrap().iter().find(|o| o["id"] == "woocommerce_store_address").unwrap();
    assert_eq!(address["value"], "1 Loopback Way");
    assert!(address.get("_links").is_none());
    let integration = e.ok("get-settings", json!({"group": "integration"})).await;
    assert_eq!(integration[0]["value"], "[redacted]");
    // A password *option* that is a checkbox is not a secret.
    let account = e.ok("get-settings", json!({"group": "account"})).await;
    assert_eq!(account[0]["value"], "yes");
    // Asking for the values only still fetches id and type, so the rule can see a secret.
    let before = e.requests();
    let values = e.ok("get-settings", json!({"group": "integration", "fields": ["value"]})).await;
    assert!(queries_since(&e, before)[0].contains("_fields=value"), "{:?}", queries_since(&e, before));
    assert_no_seeded_secret(&values);
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("get-settings", json!({"group": "general/../../orders"})).await.unwrap_err()),
        "group"
    );
    assert_eq!(invalid_field(e.call("get-settings", json!({})).await.unwrap_err()), "group");
    assert_eq!(e.requests(), before);
    assert!(matches!(e.call("get-settings", json!({"group": "nope"})).await, Err(wit::types::Error::NotFound(_))));
}

/// Orders the legacy sales report counts, as the simulator holds them.
fn counted_orders(e: &Env) -> usize {
    let d = e.sim.state.data.read().unwrap();
    d.orders
        .iter()
        .filter(|o| ["completed", "processing", "on-hold", "refunded"].contains(&o["status"].as_str().unwrap()))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sales_report_returns_the_report_object_for_a_period_or_a_range() {
    let mut e = env(5, 60, 10).await;
    let week = e.ok("get-sales-report", json!({"period": "week"})).await;
    assert_eq!(week["totals_grouped_by"], "day");
    assert_eq!(week["totals"].as_object().unwrap().len(), 7);
    assert!(week.get("_links").is_none());
    let before = e.requests();
    let all = e.ok("get-sales-report", json!({"date_min": "2023-01-01", "date_max": "2030-12-31"})).await;
    assert!(queries_since(&e, before)[0].contains("date_min=2023-01-01"), "{:?}", queries_since(&e, before));
    assert_eq!(all["totals_grouped_by"], "month");
    assert_eq!(all["total_orders"].as_u64(), Some(counted_orders(&e) as u64));
    assert!(all["total_sales"].as_str().unwrap().contains('.'), "amounts are decimal strings");

    let before = e.requests();
    for (args, field) in [
        (json!({"date_min": "2025-13-01"}), "date_min"),
        (json!({"date_min": "2025-03-01T00:00:00"}), "date_min"),
        (json!({"date_max": "yesterday"}), "date_max"),
        (json!({"date_min": "2025-03-02", "date_max": "2025-03-01"}), "date_max"),
        (json!({"period": "week", "date_min": "2025-03-01"}), "period"),
        (json!({"period": "decade"}), "period"),
    ] {
        assert_eq!(invalid_field(e.call("get-sales-report", args.clone()).await.unwrap_err()), field, "{args}");
    }
    assert_eq!(e.requests(), before, "every bad period was refused before a request");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_top_sellers_report_lists_products_by_units_sold() {
    let mut e = env(5, 60, 10).await;
    let top = e.ok("get-top-sellers-report", json!({"date_min": "2023-01-01", "date_max": "2030-12-31"})).await;
    let items = top["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let q: Vec<u64> = items.iter().map(|i| i["quantity"].as_u64().unwrap()).collect();
    assert!(q.windows(2).all(|w| w[0] >= w[1]), "most sold first: {q:?}");
    assert!(items.iter().all(|i| i["product_id"].as_u64().is_some() && i.get("_links").is_none()));
    assert_eq!(
        invalid_field(e.call("get-top-sellers-report", json!({"period": "today"})).await.unwrap_err()),
        "period"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_totals_report_counts_by_status_type_or_rating() {
    let mut e = env(5, 60, 10).await;
    let orders = e.ok("get-totals-report", json!({"which": "orders"})).await;
    assert_eq!(orders["report"], "orders");
    let completed = orders["items"].as_array().unwrap().iter().find(|i| i["slug"] == "completed").unwrap();
    let (completed_orders, products) = {
        let d = e.sim.state.data.read().unwrap();
        (d.orders.iter().filter(|o| o["status"] == "completed").count() as u64, d.products.len() as u64)
    };
    assert_eq!(completed["total"].as_u64(), Some(completed_orders));
    let by_type = e.ok("get-totals-report", json!({"which": "products"})).await;
    assert_eq!(
        by_type["items"].as_array().unwrap().iter().map(|i| i["total"].as_u64().unwrap()).sum::<u64>(),
        products
    );
    let reviews = e.ok("get-totals-report", json!({"which": "reviews"})).await;
    assert_eq!(reviews["items"].as_array().unwrap().len(), 5);
    let approved = e.sim.state.data.read().unwrap().reviews.iter().filter(|(_, r)| r["status"] == "approved").count();
    assert_eq!(
        reviews["items"].as_array().unwrap().iter().map(|i| i["total"].as_u64().unwrap()).sum::<u64>(),
        approved as u64
    );
    let before = e.requests();
    assert_eq!(invalid_field(e.call("get-totals-report", json!({"which": "refunds"})).await.unwrap_err()), "which");
    assert_eq!(invalid_field(e.call("get-totals-report", json!({})).await.unwrap_err()), "which");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_system_status_returns_the_report_or_the_sections_asked_for() {
    let mut e = env(1, 1, 1).await;
    let status = e.ok("get-system-status", json!({})).await;
    assert_eq!(status["environment"]["version"], woo_host::sim::DEFAULT_VERSION);
    let only = e.ok("get-system-status", json!({"fields": ["environment"]})).await;
    assert_eq!(only.as_object().unwrap().keys().collect::<Vec<_>>(), ["environment"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_webhooks_filters_by_status_and_never_shows_a_secret() {
    let mut e = env(1, 1, 1).await;
    for topic in ["order.created", "product.updated"] {
        e.ok(
            "create-webhook",
            json!({"topic": topic, "delivery_url": "http://127.0.0.1:9/hook", "secret": "hush-1234"}),
        )
        .await;
    }
    // Created webhooks are active; the store's admin pauses one.
    e.sim.state.data.write().unwrap().webhooks[1]["status"] = json!("paused");
    let all = e.ok("list-webhooks", json!({})).await;
    assert_eq!(all["total"], 2);
    no_links(&all);
    assert!(!all.to_string().contains("hush-1234"));
    let paused = e.ok("list-webhooks", json!({"status": "paused"})).await;
    assert_eq!(paused["total"], 1);
    assert_eq!(paused["items"][0]["topic"], "product.updated");
    assert_eq!(invalid_field(e.call("list-webhooks", json!({"status": "on"})).await.unwrap_err()), "status");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_webhook_checks_topic_and_url_and_never_echoes_the_secret() {
    let mut e = env(1, 1, 1).await;
    let w = e
        .ok("create-webhook", json!({"name": "ERP", "topic": "order.updated", "delivery_url": "http://127.0.0.1:9/erp", "secret": "s3cr3t-value"}))
        .await;
    assert_eq!((w["topic"].as_str(), w["status"].as_str()), (Some("order.updated"), Some("active")));
    assert!(!w.to_string().contains("s3cr3t-value"));
    let stored = e.sim.state.data.read().unwrap().webhooks[0]["secret"].clone();
    assert_eq!(stored, "s3cr3t-value", "the store got the secret");
    let action =
        e.ok("create-webhook", json!({"topic": "action.wc_probe", "delivery_url": "https://127.0.0.1:9/a"})).await;
    assert_eq!(action["topic"], "action.wc_probe");

    let before = e.requests();
    for (args, field) in [
        (json!({"topic": "customer.restored", "delivery_url": "https://example.com/h"}), "topic"),
        (json!({"topic": "order.shipped", "delivery_url": "https://example.com/h"}), "topic"),
        (json!({"topic": "action.save_post", "delivery_url": "https://example.com/h"}), "topic"),
        (json!({"topic": "order.created", "delivery_url": "ftp://example.com/h"}), "delivery_url"),
        (json!({"topic": "order.created", "delivery_url": "https://user:pw@example.com/h"}), "delivery_url"),
        (json!({"topic": "order.created"}), "delivery_url"),
        (json!({"topic": "order.created", "delivery_url": "https://example.com/h", "status": "paused"}), "status"),
    ] {
        assert_eq!(invalid_field(e.call("create-webhook", args.clone()).await.unwrap_err()), field, "{args}");
    }
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_webhook_requires_force_because_webhooks_have_no_trash() {
    let mut e = env(1, 1, 1).await;
    let w = e
        .ok(
            "create-webhook",
            json!({"topic": "coupon.created", "delivery_url": "http://127.0.0.1:9/c", "secret": "abc12345"}),
        )
        .await;
    let id = w["id"].as_u64().unwrap();
    let before = e.requests();
    assert_eq!(invalid_field(e.call("delete-webhook", json!({"id": id})).await.unwrap_err()), "force");
    assert_eq!(invalid_field(e.call("delete-webhook", json!({"id": id, "force": false})).await.unwrap_err()), "force");
    assert_eq!(e.requests(), before);
    let gone = e.ok("delete-webhook", json!({"id": id, "force": true})).await;
    assert_eq!(gone["id"], id);
    assert!(!gone.to_string().contains("abc12345"));
    assert!(e.sim.state.data.read().unwrap().webhooks.is_empty());
    assert!(matches!(
        e.call("delete-webhook", json!({"id": id, "force": true})).await,
        Err(wit::types::Error::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_countries_is_one_page_or_one_country_by_code() {
    let mut e = env(1, 1, 1).await;
    let all = e.ok("list-countries", json!({"fields": ["code", "name"]})).await;
    let n = all["items"].as_array().unwrap().len();
    assert_one_page(&all, n);
    assert!(all["items"][0].get("states").is_none(), "fields trimmed the states");
    let before = e.requests();
    let de = e.ok("list-countries", json!({"code": "de"})).await;
    assert_eq!(e.seen_since(before), ["GET /wp-json/wc/v3/data/countries/de"]);
    assert_one_page(&de, 1);
    assert_eq!(de["items"][0]["states"][0], json!({"code": "DE-BW", "name": "Baden-Württemberg"}));
    assert!(matches!(e.call("list-countries", json!({"code": "ZZ"})).await, Err(wit::types::Error::NotFound(_))));
    assert_eq!(invalid_field(e.call("list-countries", json!({"code": "USA"})).await.unwrap_err()), "code");
    assert_eq!(invalid_field(e.call("list-countries", json!({"code": "u/"})).await.unwrap_err()), "code");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_currencies_is_one_page_or_one_currency_or_the_stores_own() {
    let mut e = env(1, 1, 1).await;
    let all = e.ok("list-currencies", json!({})).await;
    let n = all["items"].as_array().unwrap().len();
    assert_one_page(&all, n);
    no_links(&all);
    let eur = e.ok("list-currencies", json!({"code": "eur"})).await;
    assert_eq!(eur["items"][0], json!({"code": "EUR", "name": "Euro", "symbol": "&euro;"}));
    let current = e.ok("list-currencies", json!({"code": "current"})).await;
    assert_eq!(current["items"][0]["code"], "USD");
    assert_eq!(invalid_field(e.call("list-currencies", json!({"code": "EURO"})).await.unwrap_err()), "code");
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_mode_store_admin_functions_are_typed() {
    let mut e = env(5, 60, 10).await;
    e.s.begin_call();
    let totals =
        e.s.bindings
            .woo_connector_direct()
            .call_get_totals_report(&mut e.s.store, wit::direct::TotalsReport::Orders)
            .await
            .unwrap()
            .expect("get-totals-report");
    assert_eq!(totals.len(), 8);
    assert_eq!(totals[3].slug, "completed");
    e.s.begin_call();
    let sales =
        e.s.bindings
            .woo_connector_direct()
            .call_get_sales_report(&mut e.s.store, None, Some("2023-01-01"), Some("2030-12-31"))
            .await
            .unwrap()
            .expect("get-sales-report");
    assert_eq!(sales.total_orders, counted_orders(&e) as u64);
    assert_eq!(sales.totals_grouped_by, "month");
    assert_eq!(sales.total_refunds, "0.00");
    e.s.begin_call();
    let gateways =
        e.s.bindings
            .woo_connector_direct()
            .call_list_payment_gateways(&mut e.s.store, None)
            .await
            .unwrap()
            .expect("list-payment-gateways");
    assert_eq!((gateways.total, gateways.page, gateways.total_pages), (4, 1, 1));
    assert_no_seeded_secret(&serde_json::from_str(&gateways.items).unwrap());
    e.s.begin_call();
    let bad =
        e.s.bindings
            .woo_connector_direct()
            .call_get_sales_report(&mut e.s.store, Some(wit::direct::ReportPeriod::Week), Some("2025-01-01"), None)
            .await
            .unwrap();
    assert_eq!(invalid_field(bad.unwrap_err()), "period");
}
