//! End-to-end tests of the tools: the built component in wasmtime, connected
//! over HTTPS to the store simulator on loopback. Each test is named after the
//! tool it checks; the simulator's request log proves what reached the store.

use serde_json::{Value, json};
use std::sync::OnceLock;
use woo_host::http_policy::{HttpPolicy, tls_config};
use woo_host::runtime::{self, Limits, Runtime};
use woo_host::sim::{SeedSpec, SimConfig, Simulator};
use woo_host::storage::sqlite::SqliteStorage;
use woo_host::wit;

fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(Limits::default()).expect("runtime"))
}

/// A simulator and a session connected to it over HTTPS.
struct Env {
    sim: Simulator,
    s: runtime::Session,
}

async fn env(customers: u64, orders: u64, products: u64) -> Env {
    let sim =
        Simulator::start(SimConfig { seed: SeedSpec { customers, orders, products, seed: 11 }, ..Default::default() })
            .await
            .expect("simulator");
    let mut policy = HttpPolicy::default();
    policy.allow_store(&sim.https_url);
    policy.tls = Some(tls_config(Some(&sim.ca_cert)).expect("tls"));
    let mut s =
        runtime().session(Box::new(SqliteStorage::memory().unwrap()), "default", policy).await.expect("session");
    let cfg = wit::connection::ConnectConfig {
        store_url: sim.https_url.clone(),
        consumer_key: sim.consumer_key.clone(),
        consumer_secret: sim.consumer_secret.clone(),
        signature_method: None,
        owner_email: None,
    };
    s.begin_call();
    s.bindings.woo_connector_connection().call_connect(&mut s.store, &cfg).await.unwrap().expect("connect");
    Env { sim, s }
}

impl Env {
    /// Agent mode: `call-tool` with a JSON object.
    async fn call(&mut self, name: &str, args: Value) -> Result<Value, wit::types::Error> {
        self.s.begin_call();
        let r = self
            .s
            .bindings
            .woo_connector_tools()
            .call_call_tool(&mut self.s.store, name, &args.to_string())
            .await
            .expect("no trap");
        r.map(|text| serde_json::from_str(&text).expect("tool result is JSON"))
    }

    async fn ok(&mut self, name: &str, args: Value) -> Value {
        match self.call(name, args.clone()).await {
            Ok(v) => v,
            Err(e) => panic!("{name} {args}: {e:?}"),
        }
    }

    /// Requests the simulator has seen so far.
    fn requests(&self) -> usize {
        self.sim.state.seen.lock().unwrap().len()
    }

    fn seen_since(&self, from: usize) -> Vec<String> {
        self.sim.state.seen.lock().unwrap()[from..].iter().map(|r| format!("{} {}", r.method, r.path)).collect()
    }

    async fn state(&mut self) -> wit::connection::ConnectionState {
        self.s.bindings.woo_connector_connection().call_status(&mut self.s.store).await.unwrap().unwrap().state
    }

    fn find(&self, coll: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let d = self.sim.state.data.read().unwrap();
        let list = match coll {
            "orders" => &d.orders,
            "products" => &d.products,
            "customers" => &d.customers,
            _ => panic!("{coll}"),
        };
        list.iter().find(|v| pred(v)).cloned().unwrap_or_else(|| panic!("no such {coll}"))
    }

    fn variable_product(&self) -> (u64, Vec<u64>) {
        let d = self.sim.state.data.read().unwrap();
        let p = d
            .products
            .iter()
            .find(|p| p["type"] == "variable" && d.variations.iter().any(|(pid, _)| Some(*pid) == p["id"].as_u64()))
            .expect("a variable product");
        let id = p["id"].as_u64().unwrap();
        (id, d.variations.iter().filter(|(pid, _)| *pid == id).map(|(_, v)| v["id"].as_u64().unwrap()).collect())
    }
}

/// A direct-mode product with no field set; a test sets the ones it sends.
fn no_product_fields() -> wit::direct::ProductFields {
    wit::direct::ProductFields {
        name: None,
        status: None,
        description: None,
        short_description: None,
        sku: None,
        global_unique_id: None,
        regular_price: None,
        sale_price: None,
        manage_stock: None,
        stock_quantity: None,
        categories: None,
        meta_data: None,
    }
}

fn invalid_field(e: wit::types::Error) -> String {
    match e {
        wit::types::Error::InvalidInput(i) => i.field,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

/// The tool set (issue 19, §2), grouped by resource in the order `list-tools` gives.
const THE_TOOLS: [&str; 72] = [
    "list-orders",
    "get-order",
    "create-order",
    "update-order",
    "delete-order",
    "batch-update-orders",
    "push-shipment",
    "list-order-notes",
    "add-order-note",
    "delete-order-note",
    "list-order-refunds",
    "create-order-refund",
    "delete-order-refund",
    "list-products",
    "get-product",
    "create-product",
    "update-product",
    "delete-product",
    "batch-update-products",
    "list-product-variations",
    "get-product-variation",
    "create-product-variation",
    "update-product-variation",
    "delete-product-variation",
    "list-categories",
    "create-category",
    "update-category",
    "delete-category",
    "list-tags",
    "create-tag",
    "delete-tag",
    "list-attributes",
    "create-attribute",
    "delete-attribute",
    "list-attribute-terms",
    "create-attribute-term",
    "delete-attribute-term",
    "list-reviews",
    "create-review",
    "update-review",
    "delete-review",
    "list-customers",
    "get-customer",
    "create-customer",
    "update-customer",
    "delete-customer",
    "push-contact",
    "list-coupons",
    "get-coupon",
    "create-coupon",
    "update-coupon",
    "delete-coupon",
    "list-shipping-zones",
    "list-shipping-classes",
    "list-tax-rates",
    "list-tax-classes",
    "list-payment-gateways",
    "update-payment-gateway",
    "list-settings",
    "get-settings",
    "get-sales-report",
    "get-top-sellers-report",
    "get-totals-report",
    "get-system-status",
    "list-webhooks",
    "create-webhook",
    "delete-webhook",
    "list-countries",
    "list-currencies",
    "update-stock",
    "push-stock",
    "raw-api-request",
];

/// The tool names of the README's tool table (its first column).
fn readme_tools() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme.split("\n## Tools").nth(1).unwrap().split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

/// The functions the built component exports in `woo:connector/direct`.
fn direct_functions() -> Vec<String> {
    let rt = runtime();
    let component = rt.component();
    let ty = component.component_type();
    let (_, direct) = ty
        .exports(rt.engine())
        .find(|(name, _)| name.starts_with("woo:connector/direct"))
        .expect("the component exports woo:connector/direct");
    let wasmtime::component::types::ComponentItem::ComponentInstance(direct) = direct.ty else {
        panic!("direct is an instance")
    };
    direct
        .exports(rt.engine())
        .filter(|(_, item)| matches!(item.ty, wasmtime::component::types::ComponentItem::ComponentFunc(_)))
        .map(|(name, _)| name.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_tools_mcp_the_readme_and_direct_mode_name_the_same_72_tools() {
    let mut e = env(1, 1, 1).await;
    let listed: Vec<String> =
        e.s.bindings
            .woo_connector_tools()
            .call_list_tools(&mut e.s.store)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
    let mut readme = readme_tools();
    readme.sort();
    let mut wanted: Vec<String> = THE_TOOLS.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    assert_eq!(readme, wanted, "the README's tool table names every tool once");
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, wanted, "list-tools names the 72 tools");
    let mut direct = direct_functions();
    direct.sort();
    assert_eq!(direct, wanted, "every tool has its typed function in direct mode, and nothing else is there");
    // MCP lists what list-tools lists (woo mcp as a child process).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&e.sim, db);
    let (child, mut stdin, out) = mcp_session(db);
    let mcp = raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let mcp: Vec<&str> =
        mcp["result"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(mcp, listed, "woo mcp lists the same tools in the same order");
    finish(child, stdin);
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_every_tool_is_listed_with_a_valid_draft_2020_12_schema() {
    let mut e = env(1, 1, 1).await;
    let tools: Vec<wit::tools::ToolInfo> =
        e.s.bindings.woo_connector_tools().call_list_tools(&mut e.s.store).await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    let mut wanted = THE_TOOLS.to_vec();
    wanted.sort();
    assert_eq!(sorted, wanted, "list-tools names the 72 tools of the issue");
    for t in &tools {
        let schema: Value = serde_json::from_str(&t.input_schema).unwrap();
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", t.name);
        assert!(jsonschema::draft202012::meta::is_valid(&schema), "{} schema is not valid draft 2020-12", t.name);
        assert!(t.description.len() > 60, "{} needs a description an agent can use", t.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_every_output_schema_is_a_valid_draft_2020_12_object_schema() {
    let mut e = env(1, 1, 1).await;
    let tools = e.s.bindings.woo_connector_tools().call_list_tools(&mut e.s.store).await.unwrap();
    let with_output: Vec<&str> = tools.iter().filter(|t| t.output_schema.is_some()).map(|t| t.name.as_str()).collect();
    for name in ["list-orders", "list-products", "push-stock", "push-shipment", "push-contact"] {
        assert!(with_output.contains(&name), "{name} has an output schema: {with_output:?}");
    }
    for t in &tools {
        assert!(!t.title.is_empty(), "{} has a title", t.name);
        let Some(output) = &t.output_schema else { continue };
        let schema: Value = serde_json::from_str(output).unwrap();
        assert_eq!(schema["type"], "object", "{}: MCP output schemas are objects", t.name);
        assert!(
            jsonschema::draft202012::meta::is_valid(&schema),
            "{} output schema is not valid draft 2020-12",
            t.name
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_orders_filters_by_status_and_reports_totals() {
    let mut e = env(10, 60, 10).await;
    let r = e.ok("list-orders", json!({"status": "processing", "per_page": 5})).await;
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 5);
    assert!(items.iter().all(|o| o["status"] == "processing"));
    let expected = e.sim.state.data.write().unwrap().orders.iter().filter(|o| o["status"] == "processing").count();
    assert_eq!(r["total"].as_u64().unwrap() as usize, expected);
    assert_eq!(r["total_pages"].as_u64().unwrap() as usize, expected.div_ceil(5));
    assert_eq!(r["page"], 1);
    // per_page above 100 is refused before any request.
    let before = e.requests();
    assert_eq!(invalid_field(e.call("list-orders", json!({"per_page": 500})).await.unwrap_err()), "per_page");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_orders_all_pages_returns_250_orders_in_3_requests() {
    let mut e = env(5, 0, 5).await;
    for i in 0..250 {
        e.sim.state.place_order(0, &format!("buyer{i}@example.test"), i % 2 == 0);
    }
    let before = e.requests();
    let r = e.ok("list-orders", json!({"all_pages": true})).await;
    assert_eq!(r["items"].as_array().unwrap().len(), 250);
    assert_eq!(r["total"], 250);
    let seen = e.seen_since(before);
    assert_eq!(seen.len(), 3, "{seen:?}");
    // The max-items guard stops early and says so.
    let r = e.ok("list-orders", json!({"all_pages": true, "max_items": 120})).await;
    assert_eq!(r["items"].as_array().unwrap().len(), 120);
    assert_eq!(r["truncated"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn get_order_returns_the_order_and_a_missing_one_is_not_found_without_touching_the_connection() {
    let mut e = env(5, 20, 5).await;
    let id = e.find("orders", |o| o["status"] != "checkout-draft")["id"].as_u64().unwrap();
    let o = e.ok("get-order", json!({"id": id})).await;
    assert_eq!(o["id"], id);
    assert!(o["line_items"].is_array());
    match e.call("get-order", json!({"id": 987654})).await.unwrap_err() {
        wit::types::Error::NotFound(r) => assert_eq!(r.status, 404),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, wit::connection::ConnectionState::Connected);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_order_changes_status_note_and_meta_marker() {
    let mut e = env(5, 20, 5).await;
    let id = e.find("orders", |o| o["status"] == "processing")["id"].as_u64().unwrap();
    let o = e.ok("update-order", json!({"id": id, "status": "completed", "customer_note": "Left at the door", "meta_data": [{"key": "_platform_sync", "value": "run-42"}]})).await;
    assert_eq!(o["status"], "completed");
    let stored = e.find("orders", |o| o["id"] == id);
    assert_eq!(stored["status"], "completed");
    assert_eq!(stored["customer_note"], "Left at the door");
    assert!(
        stored["meta_data"].as_array().unwrap().iter().any(|m| m["key"] == "_platform_sync" && m["value"] == "run-42")
    );
    // An unknown argument is refused, naming it, before any request.
    let before = e.requests();
    assert_eq!(invalid_field(e.call("update-order", json!({"id": id, "total": "0.00"})).await.unwrap_err()), "total");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_products_filters_by_type_and_sku() {
    let mut e = env(1, 1, 40).await;
    let r = e.ok("list-products", json!({"type": "variable", "per_page": 100})).await;
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|p| p["type"] == "variable"));
    let sku = e.find("products", |p| p["type"] == "simple" && p["sku"].as_str().is_some_and(|s| !s.is_empty()))["sku"]
        .as_str()
        .unwrap()
        .to_string();
    let r = e.ok("list-products", json!({"sku": sku})).await;
    assert_eq!(r["items"][0]["sku"], sku.as_str());
}

#[tokio::test(flavor = "multi_thread")]
async fn get_product_of_a_variable_product_includes_its_variations() {
    let mut e = env(1, 1, 40).await;
    let (id, variations) = e.variable_product();
    let p = e.ok("get-product", json!({"id": id})).await;
    assert_eq!(p["type"], "variable");
    let detail: Vec<u64> =
        p["variations_detail"].as_array().unwrap().iter().map(|v| v["id"].as_u64().unwrap()).collect();
    assert_eq!(detail.len(), variations.len());
    assert!(variations.iter().all(|v| detail.contains(v)));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_product_simple_and_variable_with_attributes_and_variations() {
    let mut e = env(1, 1, 3).await;
    let simple = e
        .ok("create-product", json!({"name": "Enamel Mug", "regular_price": "14.00", "sku": "MUG-1", "categories": []}))
        .await;
    assert_eq!(simple["type"], "simple");
    assert_eq!(simple["regular_price"], "14.00");
    let v = e
        .ok(
            "create-product",
            json!({
                "name": "Linen Shirt", "type": "variable",
                "attributes": [{"name": "Size", "options": ["S", "M"]}],
                "variations": [
                    {"regular_price": "40.00", "sku": "SHIRT-S", "attributes": [{"name": "Size", "option": "S"}]},
                    {"regular_price": "42.00", "sku": "SHIRT-M", "attributes": [{"name": "Size", "option": "M"}]}
                ]
            }),
        )
        .await;
    assert_eq!(v["type"], "variable");
    assert_eq!(v["variations_detail"].as_array().unwrap().len(), 2);
    let id = v["id"].as_u64().unwrap();
    let p = e.ok("get-product", json!({"id": id})).await;
    let skus: Vec<&str> = p["variations_detail"].as_array().unwrap().iter().filter_map(|v| v["sku"].as_str()).collect();
    assert!(skus.contains(&"SHIRT-S") && skus.contains(&"SHIRT-M"), "{skus:?}");
    // A variable product without attributes is refused before any request.
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("create-product", json!({"name": "X", "type": "variable"})).await.unwrap_err()),
        "attributes"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_product_sets_a_decimal_price_and_refuses_a_float() {
    let mut e = env(1, 1, 10).await;
    let id = e.find("products", |p| p["type"] == "simple")["id"].as_u64().unwrap();
    let p = e.ok("update-product", json!({"id": id, "regular_price": "12.50", "name": "Renamed"})).await;
    assert_eq!(p["regular_price"], "12.50");
    assert_eq!(e.find("products", |p| p["id"] == id)["name"], "Renamed");
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("update-product", json!({"id": id, "regular_price": 12.5})).await.unwrap_err()),
        "regular_price"
    );
    assert_eq!(
        invalid_field(e.call("update-product", json!({"id": id, "regular_price": "12,50"})).await.unwrap_err()),
        "regular_price"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_customers_lists_role_customer() {
    let mut e = env(12, 1, 1).await;
    let r = e.ok("list-customers", json!({"per_page": 100})).await;
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|c| c["role"] == "customer"));
}

#[tokio::test(flavor = "multi_thread")]
async fn get_customer_returns_the_customer() {
    let mut e = env(5, 1, 1).await;
    let c = e.find("customers", |c| c["role"] == "customer");
    let got = e.ok("get-customer", json!({"id": c["id"]})).await;
    assert_eq!(got["email"], c["email"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_customer_registers_and_a_duplicate_email_is_the_stores_error() {
    let mut e = env(1, 1, 1).await;
    let c = e.ok("create-customer", json!({"email": "new.buyer@example.test", "first_name": "Nia", "billing": {"city": "Leeds", "country": "GB"}})).await;
    assert_eq!(c["email"], "new.buyer@example.test");
    assert_eq!(c["billing"]["city"], "Leeds");
    match e.call("create-customer", json!({"email": "new.buyer@example.test"})).await.unwrap_err() {
        wit::types::Error::Remote(r) => assert_eq!(r.code, "registration-error-email-exists"),
        other => panic!("{other:?}"),
    }
    let before = e.requests();
    assert_eq!(invalid_field(e.call("create-customer", json!({"email": "not an email"})).await.unwrap_err()), "email");
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn update_customer_changes_the_address() {
    let mut e = env(5, 1, 1).await;
    let id = e.find("customers", |c| c["role"] == "customer")["id"].as_u64().unwrap();
    let c = e.ok("update-customer", json!({"id": id, "last_name": "Okafor", "shipping": {"city": "Lagos"}})).await;
    assert_eq!(c["last_name"], "Okafor");
    assert_eq!(e.find("customers", |c| c["id"] == id)["shipping"]["city"], "Lagos");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_coupons_returns_codes() {
    let mut e = env(1, 1, 1).await;
    let r = e.ok("list-coupons", json!({})).await;
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|c| c["code"].is_string() && c["amount"].is_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_categories_returns_the_categories() {
    let mut e = env(1, 1, 10).await;
    let r = e.ok("list-categories", json!({"per_page": 100})).await;
    let n = e.sim.state.data.write().unwrap().categories.len();
    assert_eq!(r["items"].as_array().unwrap().len(), n);
    assert_eq!(r["total"].as_u64().unwrap() as usize, n);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_product_variations_lists_one_products_variations() {
    let mut e = env(1, 1, 40).await;
    let (id, variations) = e.variable_product();
    let r = e.ok("list-product-variations", json!({"product_id": id, "per_page": 100})).await;
    assert_eq!(r["items"].as_array().unwrap().len(), variations.len());
    assert!(r["items"].as_array().unwrap().iter().all(|v| v["parent_id"] == id));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_product_variation_sets_its_price() {
    let mut e = env(1, 1, 40).await;
    let (id, variations) = e.variable_product();
    let v = e
        .ok(
            "update-product-variation",
            json!({"product_id": id, "id": variations[0], "regular_price": "33.00", "sku": "VAR-NEW"}),
        )
        .await;
    assert_eq!(v["regular_price"], "33.00");
    let listed = e.ok("list-product-variations", json!({"product_id": id, "per_page": 100})).await;
    assert!(listed["items"].as_array().unwrap().iter().any(|x| x["id"] == variations[0] && x["sku"] == "VAR-NEW"));
}

#[tokio::test(flavor = "multi_thread")]
async fn list_order_refunds_lists_one_orders_refunds() {
    let mut e = env(5, 80, 5).await;
    let order = e.sim.state.data.write().unwrap().refunds[0].0;
    let expected = e.sim.state.data.write().unwrap().refunds.iter().filter(|(o, _)| *o == order).count();
    let r = e.ok("list-order-refunds", json!({"order_id": order})).await;
    assert_eq!(r["items"].as_array().unwrap().len(), expected);
    assert!(r["items"][0]["amount"].is_string());
}

#[tokio::test(flavor = "multi_thread")]
async fn create_order_refund_records_the_amount_without_the_gateway() {
    let mut e = env(5, 30, 5).await;
    let id = e.find("orders", |o| o["status"] == "completed" && o["refunds"].as_array().is_some_and(|r| r.is_empty()))
        ["id"]
        .as_u64()
        .unwrap();
    let r = e.ok("create-order-refund", json!({"order_id": id, "amount": "1.50", "reason": "Scuffed box"})).await;
    assert_eq!(r["amount"], "1.50");
    assert_eq!(r["reason"], "Scuffed box");
    let listed = e.ok("list-order-refunds", json!({"order_id": id})).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("create-order-refund", json!({"order_id": id, "amount": "-3"})).await.unwrap_err()),
        "amount"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn add_order_note_adds_a_customer_visible_note() {
    let mut e = env(5, 10, 5).await;
    let id = e.find("orders", |o| o["status"] != "checkout-draft")["id"].as_u64().unwrap();
    let n = e
        .ok(
            "add-order-note",
            json!({"order_id": id, "note": "Shipped with DHL 00340434161094042557", "customer_note": true}),
        )
        .await;
    assert_eq!(n["customer_note"], true);
    let notes = e.ok("raw-api-request", json!({"method": "GET", "path": format!("/orders/{id}/notes")})).await;
    assert!(notes["body"].as_array().unwrap().iter().any(|x| x["note"].as_str().unwrap_or("").contains("DHL")));
}

#[tokio::test(flavor = "multi_thread")]
async fn update_stock_by_product_variation_and_sku() {
    let mut e = env(1, 1, 40).await;
    let simple = e.find("products", |p| p["type"] == "simple" && p["sku"].as_str().is_some_and(|s| !s.is_empty()));
    let id = simple["id"].as_u64().unwrap();
    let p = e.ok("update-stock", json!({"product_id": id, "quantity": 7})).await;
    assert_eq!((p["stock_quantity"].as_i64(), p["manage_stock"].as_bool()), (Some(7), Some(true)));
    let (pid, variations) = e.variable_product();
    let v = e.ok("update-stock", json!({"product_id": pid, "variation_id": variations[0], "quantity": 3})).await;
    assert_eq!(v["stock_quantity"], 3);
    let by_sku = e.ok("update-stock", json!({"sku": simple["sku"], "quantity": 11})).await;
    assert_eq!((by_sku["id"].as_u64(), by_sku["stock_quantity"].as_i64()), (Some(id), Some(11)));
    match e.call("update-stock", json!({"sku": "NO-SUCH-SKU-9", "quantity": 1})).await.unwrap_err() {
        wit::types::Error::NotFound(_) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, wit::connection::ConnectionState::Connected);
    let before = e.requests();
    assert_eq!(
        invalid_field(e.call("update-stock", json!({"variation_id": 5, "quantity": 1})).await.unwrap_err()),
        "variation_id"
    );
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn batch_update_products_splits_250_items_into_3_requests_of_at_most_100() {
    let mut e = env(1, 1, 260).await;
    let ids: Vec<u64> =
        e.sim.state.data.write().unwrap().products.iter().take(250).map(|p| p["id"].as_u64().unwrap()).collect();
    let update: Vec<Value> = ids.iter().map(|id| json!({"id": id, "sale_price": "1.00"})).collect();
    let before = e.requests();
    let r = e.ok("batch-update-products", json!({"update": update})).await;
    let seen = e.seen_since(before);
    assert_eq!(seen, vec!["POST /wp-json/wc/v3/products/batch"; 3]);
    assert_eq!(r["updated"].as_array().unwrap().len(), 250);
    assert!(r["errors"].as_array().unwrap().is_empty());
    assert!(ids.iter().all(|id| e.find("products", |p| p["id"] == *id)["sale_price"] == "1.00"));
    // A per-item failure is reported, the rest still applied.
    let r = e
        .ok(
            "batch-update-products",
            json!({"update": [{"id": ids[0], "name": "Kept"}, {"id": 999999, "name": "Ghost"}]}),
        )
        .await;
    assert_eq!((r["updated"].as_array().unwrap().len(), r["errors"].as_array().unwrap().len()), (1, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_calls_a_path_relative_to_the_api_root() {
    let mut e = env(1, 5, 1).await;
    let before = e.requests();
    let r = e.ok("raw-api-request", json!({"method": "GET", "path": "/orders", "query": {"per_page": 2}})).await;
    assert_eq!((r["status"].as_u64(), r["body"].as_array().map(Vec::len)), (Some(200), Some(2)));
    let listed = e.sim.state.data.write().unwrap().orders.iter().filter(|o| o["status"] != "checkout-draft").count();
    assert_eq!(r["total"].as_u64(), Some(listed as u64));
    assert_eq!(e.seen_since(before), vec!["GET /wp-json/wc/v3/orders"]);
}

/// Each refused path: an `invalid-input` on `path` and nothing reaches the store.
async fn refused(path: &str) {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    let err = e.call("raw-api-request", json!({"method": "GET", "path": path})).await.unwrap_err();
    assert_eq!(invalid_field(err), "path", "{path}");
    assert_eq!(e.requests(), before, "{path} reached the simulator");
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_an_absolute_url() {
    refused("https://evil.example/wp-json/wc/v3/orders").await;
    refused("http://127.0.0.1:1/orders").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_a_scheme_relative_host() {
    refused("//evil.example/orders").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_dot_dot_segments() {
    refused("/orders/../../../wp/v2/users").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_encoded_dot_dot_segments() {
    refused("/orders/%2e%2e/%2E%2E/wp/v2/users").await;
    refused("/orders/%2e./x").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_backslashes() {
    refused("/orders\\..\\users").await;
    refused("/orders/%5c..").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_another_api_root() {
    refused("/wp-json/wp/v2/users").await;
    refused("/wp/v2/users").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_cr_lf() {
    refused("/orders\r\nX-Injected: 1").await;
    refused("/orders%0d%0aX-Injected:%201").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_routing_method_envelope_and_auth_query_parameters() {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    let keys = [
        "rest_route",
        "Rest_Route",
        "REST_ROUTE",
        "rest_route[]",
        "rest%5Froute",
        "rest.route",
        "rest route",
        "rest[route",
        "_method",
        "_envelope",
        "_jsonp",
        "_embed",
        "_wpnonce",
        "oauth_consumer_key",
        "OAuth_Signature",
        "consumer_key",
        "consumer_secret",
        "x&rest_route",
        "x=1",
        "x#y",
    ];
    for k in keys {
        let err = e
            .call(
                "raw-api-request",
                json!({"method": "GET", "path": "/orders", "query": {k: "/wp/v2/users", "context": "edit"}}),
            )
            .await
            .unwrap_err();
        assert!(invalid_field(err).starts_with("query."), "{k}");
    }
    assert_eq!(e.requests(), before, "a refused query reached the simulator");
    // A value cannot add a parameter: it is percent-encoded whole.
    e.ok(
        "raw-api-request",
        json!({"method": "GET", "path": "/orders", "query": {"search": "x&rest_route=/wp/v2/users"}}),
    )
    .await;
    let seen = e.sim.state.seen.lock().unwrap().last().map(|r| r.query.clone()).unwrap();
    assert!(!seen.split('&').any(|p| p.starts_with("rest_route")), "{seen}");
}

#[tokio::test(flavor = "multi_thread")]
async fn raw_api_request_refuses_a_path_with_a_space_or_line_separator_at_once_without_retrying() {
    let mut e = env(1, 1, 1).await;
    let before = e.requests();
    for path in ["/orders/1 2", "/orders\u{2028}", "/orders/caf\u{e9}", "/orders?rest_route=/wp/v2/users", "/orders#x"]
    {
        let started = std::time::Instant::now();
        let err = e.call("raw-api-request", json!({"method": "GET", "path": path})).await.unwrap_err();
        assert_eq!(invalid_field(err), "path", "{path:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{path:?} took {:?}", started.elapsed());
    }
    assert_eq!(e.requests(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_tools_refuse_a_non_date_before_any_request_and_send_offsets_as_plain_utc() {
    let mut e = env(1, 5, 1).await;
    let before = e.requests();
    for (tool, field, value) in [
        ("list-orders", "after", "garbage"),
        ("list-orders", "before", "2025-03-01"),
        ("list-products", "modified_after", "2025-02-30T00:00:00"),
        ("list-orders", "modified_before", "1 day ago"),
    ] {
        let err = e.call(tool, json!({field: value})).await.unwrap_err();
        assert_eq!(invalid_field(err), field, "{tool} {field}={value}");
    }
    let err = e.call("get-order", json!({"id": 0})).await.unwrap_err();
    assert_eq!(invalid_field(err), "id");
    assert_eq!(e.requests(), before, "bad input reached the simulator");
    e.ok("list-orders", json!({"after": "2025-03-01T10:00:00+01:00"})).await;
    let seen = e.sim.state.seen.lock().unwrap().last().map(|r| r.query.clone()).unwrap();
    assert!(seen.contains("after=2025-03-01T09%3A00%3A00") && seen.contains("dates_are_gmt=true"), "{seen}");
}

#[test]
fn woo_tool_reads_args_files_up_to_1_mib_and_refuses_routing_parameters_with_exit_2() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 1, orders: 3, products: 1, seed: 3 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("args.db");
    let db = db.to_str().unwrap();
    let woo = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
            .args(["--db", db, "--ca-cert", sim.ca_cert.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let connect = woo(&[
        "connect",
        "--import",
        "none",
        "--store",
        &sim.https_url,
        "--key",
        &sim.consumer_key,
        "--secret",
        &sim.consumer_secret,
    ]);
    assert!(connect.status.success(), "{}", String::from_utf8_lossy(&connect.stderr));
    let before = sim.state.seen.lock().unwrap().len();
    // An endless file: refused at the cap, at once.
    let started = std::time::Instant::now();
    let out = woo(&["tool", "list-orders", "--args", "@/dev/zero"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 MiB"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    // A file just under the cap is read.
    let file = dir.path().join("args.json");
    let padded = format!("{{\"per_page\": 2{}}}", " ".repeat((1 << 20) - 20));
    std::fs::write(&file, &padded).unwrap();
    let out = woo(&["tool", "list-orders", "--args", &format!("@{}", file.display())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The WordPress-users escape: exit 2 naming the field, nothing sent.
    let sent = sim.state.seen.lock().unwrap().len();
    let out = woo(&[
        "tool",
        "raw-api-request",
        "--args",
        r#"{"method":"GET","path":"/orders","query":{"rest_route":"/wp/v2/users","context":"edit"}}"#,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("query.rest_route"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = woo(&["tool", "list-orders", "--args", r#"{"after":"garbage"}"#]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sim.state.seen.lock().unwrap().len(), sent);
    assert!(before <= sent);
}

#[tokio::test(flavor = "multi_thread")]
async fn auth_failure_from_a_tool_moves_the_connection_to_reconnect_required() {
    let mut e = env(1, 5, 1).await;
    e.sim.state.keys.lock().unwrap().consumer_secret = "cs_rotated_by_the_owner".into();
    match e.call("list-orders", json!({})).await.unwrap_err() {
        wit::types::Error::Auth(r) => assert_eq!(r.status, 401),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, wit::connection::ConnectionState::ReconnectRequired);
}

/// Only a failed light check of the connection itself may
/// change its state. A tool's own error is that tool's error, typed.
#[tokio::test(flavor = "multi_thread")]
async fn only_a_failed_connection_check_changes_the_connection_state() {
    let mut e = env(2, 5, 2).await;
    let connected = wit::connection::ConnectionState::Connected;
    // A mistyped route: 404 rest_no_route is not-found for that call.
    match e.call("raw-api-request", json!({"method": "GET", "path": "/ordres"})).await.unwrap_err() {
        wit::types::Error::NotFound(r) => assert_eq!((r.status, r.code.as_str()), (404, "rest_no_route")),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, connected);
    // A permission: a read-only key that writes gets WooCommerce 11's 401.
    e.sim.state.faults.lock().unwrap().read_only = true;
    let order = e.find("orders", |o| o["status"] == "processing")["id"].as_u64().unwrap();
    match e.call("update-order", json!({"id": order, "customer_note": "x"})).await.unwrap_err() {
        wit::types::Error::Forbidden(r) => {
            assert_eq!((r.status, r.code.as_str()), (401, "woocommerce_rest_authentication_error"));
            assert!(r.message.contains("write permissions"), "{}", r.message);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, connected);
    e.sim.state.faults.lock().unwrap().read_only = false;
    // A 400 from the store.
    match e
        .call("raw-api-request", json!({"method": "GET", "path": "/orders", "query": {"per_page": "0"}}))
        .await
        .unwrap_err()
    {
        wit::types::Error::Remote(r) => assert_eq!((r.status, r.code.as_str()), (400, "rest_invalid_param")),
        other => panic!("{other:?}"),
    }
    assert_eq!(e.state().await, connected);
    // A 5xx (a POST is not resent after it, so this is quick).
    e.sim.state.faults.lock().unwrap().every_500 = 1;
    let r = e
        .call("raw-api-request", json!({"method": "POST", "path": "/products", "body": {"name": "x"}}))
        .await
        .unwrap_err();
    assert!(!matches!(r, wit::types::Error::Auth(_) | wit::types::Error::ReconnectRequired(_)), "{r:?}");
    assert_eq!(e.state().await, connected);
    e.sim.state.faults.lock().unwrap().every_500 = 0;
    // Every later call and session still works.
    e.ok("list-orders", json!({})).await;
    // A truly revoked key fails the check: reconnect_required.
    e.sim.state.faults.lock().unwrap().revoked = true;
    assert!(matches!(e.call("list-orders", json!({})).await.unwrap_err(), wit::types::Error::Auth(_)));
    assert_eq!(e.state().await, wit::connection::ConnectionState::ReconnectRequired);
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_mode_typed_functions_run_the_same_tools() {
    let mut e = env(5, 40, 40).await;
    let d = || wit::direct::Paging {
        page: None,
        per_page: Some(3),
        all_pages: None,
        max_items: None,
        search: None,
        include: None,
        orderby: None,
        order: None,
        fields: None,
    };
    e.s.begin_call();
    let page =
        e.s.bindings
            .woo_connector_direct()
            .call_list_orders(&mut e.s.store, Some(&d()), None, Some("processing"), None, None)
            .await
            .unwrap()
            .expect("list-orders");
    let items: Vec<Value> = serde_json::from_str(&page.items).unwrap();
    assert!(items.len() <= 3 && items.iter().all(|o| o["status"] == "processing"));
    assert_eq!((page.page, page.per_page), (1, 3));
    assert!(page.total >= items.len() as u64);

    let (pid, variations) = e.variable_product();
    e.s.begin_call();
    let p =
        e.s.bindings.woo_connector_direct().call_get_product(&mut e.s.store, pid).await.unwrap().expect("get-product");
    let p: Value = serde_json::from_str(&p).unwrap();
    assert_eq!(p["variations_detail"].as_array().unwrap().len(), variations.len());

    let fields = wit::direct::ProductFields {
        name: Some("Direct Tee".into()),
        sku: Some("DIRECT-TEE".into()),
        regular_price: Some("19.99".into()),
        ..no_product_fields()
    };
    e.s.begin_call();
    let made =
        e.s.bindings
            .woo_connector_direct()
            .call_create_product(&mut e.s.store, &fields, None, None, None)
            .await
            .unwrap()
            .expect("create-product");
    let made: Value = serde_json::from_str(&made).unwrap();
    assert_eq!((made["name"].as_str(), made["regular_price"].as_str()), (Some("Direct Tee"), Some("19.99")));

    e.s.begin_call();
    let stock =
        e.s.bindings
            .woo_connector_direct()
            .call_update_stock(&mut e.s.store, &wit::direct::StockTarget::Sku("DIRECT-TEE".into()), 4)
            .await
            .unwrap()
            .expect("update-stock");
    assert_eq!(serde_json::from_str::<Value>(&stock).unwrap()["stock_quantity"], 4);

    // Typed arguments go through the same validation: a bad price names its field, nothing is sent.
    let before = e.requests();
    let bad = wit::direct::ProductFields { regular_price: Some("nineteen".into()), ..fields.clone() };
    e.s.begin_call();
    let err =
        e.s.bindings.woo_connector_direct().call_update_product(&mut e.s.store, 1, &bad).await.unwrap().unwrap_err();
    assert_eq!(invalid_field(err), "regular_price");
    e.s.begin_call();
    let err =
        e.s.bindings
            .woo_connector_direct()
            .call_raw_api_request(&mut e.s.store, wit::direct::HttpMethod::Get, "//evil.example/x", &[], None)
            .await
            .unwrap()
            .unwrap_err();
    assert_eq!(invalid_field(err), "path");
    assert_eq!(e.requests(), before);
}

/// One JSON-RPC line to the child, and the answer with the same id.
fn rpc(stdin: &mut std::process::ChildStdin, out: &mut impl std::io::BufRead, msg: Value) -> Value {
    use std::io::Write;
    writeln!(stdin, "{msg}").unwrap();
    stdin.flush().unwrap();
    let Some(id) = msg.get("id") else { return Value::Null };
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "woo mcp closed stdout");
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout must carry only JSON-RPC ({e}): {line}"));
        if v.get("id") == Some(id) {
            return v;
        }
    }
}

#[test]
fn woo_mcp_initializes_lists_tools_and_calls_list_orders_as_a_child_process() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 5, orders: 30, products: 5, seed: 2 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    let connect = std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
        .args([
            "--db",
            db,
            "--ca-cert",
            sim.ca_cert.to_str().unwrap(),
            "connect",
            "--store",
            &sim.https_url,
            "--key",
            &sim.consumer_key,
            "--secret",
            &sim.consumer_secret,
        ])
        .output()
        .unwrap();
    assert!(connect.status.success(), "{}", String::from_utf8_lossy(&connect.stderr));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
        .args(["--db", db, "mcp"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let init = rpc(
        &mut stdin,
        &mut out,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "woo-tests", "version": "1"}}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "woo-connector", "{init}");
    assert!(init["result"]["capabilities"]["tools"].is_object());
    rpc(&mut stdin, &mut out, json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    let listed = rpc(&mut stdin, &mut out, json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let tools = listed["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), THE_TOOLS.len(), "{listed}");
    let lo = tools.iter().find(|t| t["name"] == "list-orders").unwrap();
    assert_eq!(lo["inputSchema"]["properties"]["per_page"]["maximum"], 100);

    let before = sim.state.seen.lock().unwrap().len();
    let called = rpc(
        &mut stdin,
        &mut out,
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list-orders", "arguments": {"per_page": 4}}}),
    );
    assert_ne!(called["result"]["isError"], true, "{called}");
    let text = called["result"]["content"][0]["text"].as_str().unwrap();
    let page: Value = serde_json::from_str(text).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 4);
    assert!(sim.state.seen.lock().unwrap()[before..].iter().any(|r| r.path == "/wp-json/wc/v3/orders"));

    // A bad argument is a tool error naming the field, not a protocol failure.
    let bad = rpc(
        &mut stdin,
        &mut out,
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get-order", "arguments": {"id": "seven"}}}),
    );
    assert_eq!(bad["result"]["isError"], true, "{bad}");
    assert!(bad["result"]["content"][0]["text"].as_str().unwrap().contains("`id`"));

    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "woo mcp should exit cleanly when the client closes stdin");
}

// ---- MCP JSON-RPC conformance ----

/// A database connected (no import) to `sim`, for a `woo mcp` child.
fn connected_db(sim: &Simulator, db: &str) {
    let connect = std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
        .args(["--db", db, "--ca-cert", sim.ca_cert.to_str().unwrap(), "connect", "--import", "none"])
        .args(["--store", &sim.https_url, "--key", &sim.consumer_key, "--secret", &sim.consumer_secret])
        .output()
        .unwrap();
    assert!(connect.status.success(), "{}", String::from_utf8_lossy(&connect.stderr));
}

/// `woo mcp` on `db`, initialised, with its stdout lines on a channel (so a
/// missing answer fails the test instead of hanging it).
fn mcp_session(db: &str) -> (std::process::Child, std::process::ChildStdin, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_woo"))
        .args(["--db", db, "mcp"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let (tx, out) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let init = raw_line(
        &mut stdin,
        &out,
        &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "woo-tests", "version": "1"}}})
        .to_string(),
    );
    assert!(init["result"].is_object(), "{init}");
    send_line(&mut stdin, &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
    (child, stdin, out)
}

fn send_line(stdin: &mut std::process::ChildStdin, line: &str) {
    use std::io::Write;
    writeln!(stdin, "{line}").unwrap();
    stdin.flush().unwrap();
}

/// Send one raw line; the next line `woo mcp` writes (within 20 s).
fn raw_line(stdin: &mut std::process::ChildStdin, out: &std::sync::mpsc::Receiver<String>, line: &str) -> Value {
    send_line(stdin, line);
    let answer = out
        .recv_timeout(std::time::Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("woo mcp did not answer {line}"));
    serde_json::from_str(&answer).unwrap_or_else(|e| panic!("stdout must carry only JSON-RPC ({e}): {answer}"))
}

fn assert_error(answer: &Value, id: Value, code: i64) {
    assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
    assert_eq!(answer.get("id"), Some(&id), "the answer must carry `id` ({id}): {answer}");
    assert_eq!(answer["error"]["code"], code, "{answer}");
    assert!(answer.get("result").is_none(), "{answer}");
}

fn finish(mut child: std::process::Child, stdin: std::process::ChildStdin) {
    drop(stdin);
    assert!(child.wait().unwrap().success(), "woo mcp should exit cleanly when the client closes stdin");
}

#[test]
fn mcp_malformed_line_is_answered_parse_error_32700_with_null_id() {
    let dir = tempfile::tempdir().unwrap();
    let (child, mut stdin, out) = mcp_session(dir.path().join("m.db").to_str().unwrap());
    for line in ["{not json", r#"{"jsonrpc":"2.0","id":5,"method":"ping""#, "\u{1}"] {
        assert_error(&raw_line(&mut stdin, &out, line), Value::Null, -32700);
    }
    // The session goes on.
    let pong = raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":6,"method":"ping"}"#);
    assert_eq!((pong["id"].as_i64(), pong["result"].is_object()), (Some(6), true), "{pong}");
    finish(child, stdin);
}

#[test]
fn mcp_request_without_method_is_invalid_request_32600_with_its_id_or_null() {
    let dir = tempfile::tempdir().unwrap();
    let (child, mut stdin, out) = mcp_session(dir.path().join("m.db").to_str().unwrap());
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":7}"#), json!(7), -32600);
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":"seven","params":{}}"#), json!("seven"), -32600);
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":8,"method":42}"#), json!(8), -32600);
    // No id that can be read: null.
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0"}"#), Value::Null, -32600);
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#), Value::Null, -32600);
    assert_error(&raw_line(&mut stdin, &out, "[]"), Value::Null, -32600);
    assert_error(&raw_line(&mut stdin, &out, "42"), Value::Null, -32600);
    finish(child, stdin);
}

#[test]
fn mcp_tools_call_without_name_or_with_array_arguments_is_invalid_params_32602() {
    let dir = tempfile::tempdir().unwrap();
    let (child, mut stdin, out) = mcp_session(dir.path().join("m.db").to_str().unwrap());
    for (id, params) in [
        (9, json!({"arguments": {}})),
        (10, json!({"name": "list-orders", "arguments": [1, 2]})),
        (11, json!({"name": 5})),
        (12, json!([])),
    ] {
        let line = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params}).to_string();
        assert_error(&raw_line(&mut stdin, &out, &line), json!(id), -32602);
    }
    // A notification is never answered, even a bad one: the next answer is the ping's.
    let pong = raw_line(
        &mut stdin,
        &out,
        &format!(
            "{}\n{}",
            json!({"jsonrpc": "2.0", "method": "tools/call", "params": {"arguments": []}}),
            json!({"jsonrpc": "2.0", "id": 13, "method": "ping"})
        ),
    );
    assert_eq!(pong["id"], 13, "{pong}");
    // An unknown method stays -32601.
    assert_error(&raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":14,"method":"no/such"}"#), json!(14), -32601);
    finish(child, stdin);
}

#[test]
fn mcp_integer_argument_accepts_a_whole_number_written_2_0() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 5, orders: 30, products: 5, seed: 2 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&sim, db);
    let (child, mut stdin, out) = mcp_session(db);
    // JSON Schema counts 2.0 an integer; the store is asked for per_page=2.
    let called = raw_line(&mut stdin, &out, &json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "list-orders", "arguments": {"per_page": 2.0}}}).to_string());
    assert_ne!(called["result"]["isError"], true, "{called}");
    let page: Value = serde_json::from_str(called["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!((page["items"].as_array().unwrap().len(), page["per_page"].as_u64()), (2, Some(2)), "{page}");
    let id = page["items"][0]["id"].as_u64().unwrap();
    let got = raw_line(&mut stdin, &out, &json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "get-order", "arguments": {"id": id as f64}}}).to_string());
    let order: Value = serde_json::from_str(got["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(order["id"].as_u64(), Some(id), "{got}");
    // A fraction is still refused, naming the field.
    let bad = raw_line(&mut stdin, &out, &json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "list-orders", "arguments": {"per_page": 2.5}}}).to_string());
    assert_eq!(bad["result"]["isError"], true, "{bad}");
    assert!(bad["result"]["content"][0]["text"].as_str().unwrap().contains("per_page"), "{bad}");
    finish(child, stdin);
}

/// `woo mcp` keeps its instance between calls, but a `woo connect` to another
/// store while it runs is followed: the next call goes to the new store, never
/// to the old one and never refused by the old allowlist.
#[test]
fn mcp_kept_session_follows_a_reconnect_to_another_store() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let start = |seed| {
        rt.block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 3, orders: 5, products: 3, seed },
            ..Default::default()
        }))
        .unwrap()
    };
    let (first, second) = (start(3), start(4));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&first, db);
    let (mut child, mut stdin, out) = mcp_session(db);
    let call = |stdin: &mut std::process::ChildStdin, id: u64| {
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "list-orders", "arguments": {"per_page": 1}}});
        raw_line(stdin, &out, &msg.to_string())
    };
    assert_ne!(call(&mut stdin, 1)["result"]["isError"], true);
    let seen = |sim: &Simulator| sim.state.seen.lock().unwrap().iter().filter(|r| r.path.ends_with("/orders")).count();
    connected_db(&second, db);
    let (first_before, second_before) = (seen(&first), seen(&second));
    let answer = call(&mut stdin, 2);
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert_eq!(seen(&first), first_before, "the old store must not be asked after the reconnect");
    assert_eq!(seen(&second), second_before + 1, "the call goes to the store connected now");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

// ---- MCP-native: titles, annotations, output schemas, structured content ----

#[test]
fn mcp_tools_list_carries_titles_annotations_and_output_schemas() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&sim, db);
    let (child, mut stdin, out) = mcp_session(db);
    let listed = raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let tools = listed["result"]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), THE_TOOLS.len(), "{listed}");
    let tool = |name: &str| tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("{name} is listed"));

    let lo = tool("list-orders");
    assert_eq!(lo["title"], "List orders");
    assert_eq!(
        lo["annotations"],
        json!({"readOnlyHint": true, "destructiveHint": false, "idempotentHint": true, "openWorldHint": true})
    );
    let out_schema = &lo["outputSchema"];
    assert_eq!(out_schema["type"], "object", "{lo}");
    assert!(jsonschema::draft202012::meta::is_valid(out_schema), "list-orders outputSchema is valid draft 2020-12");
    for k in ["items", "page", "per_page", "total", "total_pages"] {
        assert!(out_schema["required"].as_array().unwrap().contains(&json!(k)), "{k} is required");
    }

    let go = tool("get-order");
    assert_eq!(go["title"], "Get an order");
    assert_eq!(go["annotations"]["readOnlyHint"], true);
    assert!(go.get("outputSchema").is_none(), "an order is WooCommerce's own shape: {go}");

    let raw = tool("raw-api-request");
    assert_eq!(
        (raw["annotations"]["readOnlyHint"].clone(), raw["annotations"]["destructiveHint"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(tool("update-stock")["annotations"]["idempotentHint"], true);
    for t in tools {
        assert!(t["title"].as_str().is_some_and(|s| !s.is_empty()), "{t}");
        assert_eq!(t["annotations"]["openWorldHint"], true, "{t}");
    }
    finish(child, stdin);
}

#[test]
fn mcp_list_orders_returns_structured_content_that_fits_its_output_schema() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 5, orders: 12, products: 5, seed: 3 },
            ..Default::default()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&sim, db);
    let (child, mut stdin, out) = mcp_session(db);
    let listed = raw_line(&mut stdin, &out, r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#);
    let schema_of = |name: &str| {
        listed["result"]["tools"].as_array().unwrap().iter().find(|t| t["name"] == name).unwrap()["outputSchema"]
            .clone()
    };
    let validator = jsonschema::validator_for(&schema_of("list-orders")).unwrap();

    for (id, args) in [(3, json!({"per_page": 5})), (4, json!({"all_pages": true, "max_items": 7}))] {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "list-orders", "arguments": args}});
        let called = raw_line(&mut stdin, &out, &call.to_string());
        assert_ne!(called["result"]["isError"], true, "{called}");
        let structured = &called["result"]["structuredContent"];
        let errors: Vec<String> = validator.iter_errors(structured).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "structuredContent must fit the outputSchema: {errors:?}\n{structured}");
        // The text carries the same result, for clients that read only text.
        let text: Value = serde_json::from_str(called["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(&text, structured);
        let (total, listed) = (structured["total"].as_u64().unwrap(), structured["items"].as_array().unwrap().len());
        assert!(listed > 0 && total >= listed as u64, "{structured}");
    }

    // A tool without an output schema answers with text only.
    let got = raw_line(
        &mut stdin,
        &out,
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list-coupons","arguments":{}}}"#,
    );
    assert!(got["result"]["structuredContent"].is_object(), "list-coupons is a list: {got}");
    let raw = json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "raw-api-request", "arguments": {"method": "GET", "path": "/orders"}}});
    let raw = raw_line(&mut stdin, &out, &raw.to_string());
    assert_ne!(raw["result"]["isError"], true, "{raw}");
    assert!(raw["result"].get("structuredContent").is_none(), "{raw}");
    finish(child, stdin);
}

/// A client nobody here wrote: the official MCP Python SDK (PyPI `mcp`),
/// installed by `tests/mcp_sdk/setup.sh` into a venv under target/, starts
/// `woo mcp` over stdio, lists the tools (titles, annotations, output
/// schemas) and calls list-orders, whose structuredContent the SDK checks
/// against the outputSchema itself (`tests/mcp_sdk/client.py`).
#[test]
#[cfg_attr(
    not(woo_python),
    ignore = "needs Python 3.10 or newer (python3 on PATH, or WOO_TEST_PYTHON) for the MCP SDK"
)]
fn mcp_python_sdk_lists_tools_and_calls_list_orders_over_stdio() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp_sdk");
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-sdk-venv");
    let python = option_env!("WOO_TEST_PYTHON").unwrap_or("python3");
    let setup = std::process::Command::new("bash")
        .arg(format!("{dir}/setup.sh"))
        .args([python, venv.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(setup.status.success(), "installing the MCP SDK failed: {}", String::from_utf8_lossy(&setup.stderr));
    let venv_python = String::from_utf8(setup.stdout).unwrap().trim().to_string();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(Simulator::start(SimConfig {
            seed: SeedSpec { customers: 5, orders: 8, products: 5, seed: 4 },
            ..Default::default()
        }))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("mcp.db");
    let db = db.to_str().unwrap();
    connected_db(&sim, db);
    let before = sim.state.seen.lock().unwrap().len();
    let run = std::process::Command::new(venv_python)
        .args([format!("{dir}/client.py").as_str(), env!("CARGO_BIN_EXE_woo"), db])
        .output()
        .unwrap();
    assert!(run.status.success(), "the SDK client failed: {}", String::from_utf8_lossy(&run.stderr));
    let summary: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(
        (summary["tools"].as_u64(), summary["listed"].as_u64()),
        (Some(THE_TOOLS.len() as u64), Some(3)),
        "{summary}"
    );
    assert!(sim.state.seen.lock().unwrap()[before..].iter().any(|r| r.path == "/wp-json/wc/v3/orders"));
}

#[path = "tools/crud.rs"]
mod crud;

#[path = "tools/catalog.rs"]
mod catalog;

#[path = "tools/store_admin.rs"]
mod store_admin;

// ---- The defects found in the tool servers people use, each absent here ----

#[tokio::test(flavor = "multi_thread")]
async fn peer_defect_list_results_carry_totals_on_one_page_and_on_every_page() {
    let mut e = env(3, 30, 3).await;
    let one = e.ok("list-orders", json!({"per_page": 5})).await;
    let all = e.ok("list-orders", json!({"all_pages": true})).await;
    let stored = e.sim.state.data.read().unwrap().orders.iter().filter(|o| o["status"] != "checkout-draft").count();
    assert_eq!(one["total"].as_u64(), Some(stored as u64), "{one}");
    assert_eq!(one["total_pages"].as_u64(), Some(stored.div_ceil(5) as u64));
    assert_eq!(all["total"].as_u64(), Some(stored as u64));
    assert_eq!(all["items"].as_array().unwrap().len(), stored);
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_defect_an_unknown_filter_is_refused_not_silently_dropped() {
    let mut e = env(1, 5, 1).await;
    let before = e.requests();
    let err = e.call("list-orders", json!({"statuss": "completed"})).await.unwrap_err();
    assert_eq!(invalid_field(err), "statuss");
    let err = e.call("list-orders", json!({"status": "Completed!"})).await.unwrap_err();
    assert_eq!(invalid_field(err), "status");
    assert_eq!(e.requests(), before, "nothing reached the store");
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_defect_backslashes_quotes_and_unicode_survive_a_round_trip() {
    let mut e = env(1, 1, 1).await;
    let name = r#"Mug C:\mugs\"Ölkanne" 😀 — ½ price"#;
    let description = "line 1\\nstill line 1\nline 2 \u{2028} \\\\ end";
    let created =
        e.ok("create-product", json!({"name": name, "regular_price": "9.50", "description": description})).await;
    let id = created["id"].as_u64().unwrap();
    let read = e.ok("get-product", json!({"id": id})).await;
    assert_eq!(read["name"], name, "{read}");
    assert_eq!(read["description"], description);
    let listed = e.ok("list-products", json!({"include": [id], "fields": ["id", "name"]})).await;
    assert_eq!(listed["items"][0], json!({"id": id, "name": name}), "only the fields asked for, _links left out");
}

#[tokio::test(flavor = "multi_thread")]
async fn peer_defect_a_refund_moves_no_money_unless_asked() {
    let mut e = env(5, 30, 5).await;
    let id = e.find("orders", |o| o["status"] == "completed" && o["refunds"].as_array().is_some_and(|r| r.is_empty()))
        ["id"]
        .as_u64()
        .unwrap();
    // WooCommerce's own default is to refund through the gateway; ours is not.
    let r = e.ok("create-order-refund", json!({"order_id": id, "amount": "1.00"})).await;
    assert_eq!(r["refunded_payment"], false, "{r}");
    let r = e.ok("create-order-refund", json!({"order_id": id, "amount": "1.00", "api_refund": true})).await;
    assert_eq!(r["refunded_payment"], true, "{r}");
}

#[tokio::test(flavor = "multi_thread")]
async fn direct_mode_push_and_batch_results_are_typed() {
    use wit::direct::{ProductFields, ProductUpdate, StockLine, StockRef};
    let mut e = env(1, 5, 40).await;
    let simple = e.find("products", |p| p["type"] == "simple" && p["sku"].as_str().is_some_and(|s| !s.is_empty()));
    let (id, sku) = (simple["id"].as_u64().unwrap(), simple["sku"].as_str().unwrap().to_string());
    e.s.begin_call();
    let pushed =
        e.s.bindings
            .woo_connector_direct()
            .call_push_stock(&mut e.s.store, &[StockLine { target: StockRef::Sku(sku.clone()), quantity: 7 }])
            .await
            .unwrap()
            .unwrap();
    assert_eq!(pushed.updated.len(), 1);
    let set = &pushed.updated[0];
    assert_eq!(
        (set.id, set.kind.as_str(), set.sku.as_deref(), set.stock_quantity),
        (id, "simple", Some(&*sku), Some(7))
    );
    assert!(pushed.errors.is_empty());
    let fields = |price: &str| ProductFields { regular_price: Some(price.to_string()), ..no_product_fields() };
    e.s.begin_call();
    let batch =
        e.s.bindings
            .woo_connector_direct()
            .call_batch_update_products(
                &mut e.s.store,
                &[ProductUpdate { id, fields: fields("12.00") }, ProductUpdate { id: 987_654, fields: fields("1.00") }],
            )
            .await
            .unwrap()
            .unwrap();
    let updated: Vec<Value> = serde_json::from_str(&batch.updated).unwrap();
    assert_eq!((updated.len(), updated[0]["regular_price"].as_str()), (1, Some("12.00")));
    assert_eq!(batch.errors.len(), 1);
    assert_eq!(batch.errors[0].id, Some(987_654));
    assert!(!batch.errors[0].code.is_empty() && !batch.errors[0].message.is_empty(), "{:?}", batch.errors[0]);
    assert_eq!(batch.requests, 1);
}
