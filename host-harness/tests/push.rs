//! Write-back: stock, shipments and contact changes sent from the
//! platform to WooCommerce, through the component's tools and `woo push`;
//! product linking by SKU and GTIN. One test per case, named after it.

use serde_json::{Value, json};
use woo_host::wit;

mod common;
use common::world::{ALL, World};

async fn tool(w: &mut World, name: &str, args: Value) -> Result<Value, wit::types::Error> {
    w.s.begin_call();
    let r = w.s.bindings.woo_connector_tools().call_call_tool(&mut w.s.store, name, &args.to_string()).await.unwrap();
    r.map(|s| serde_json::from_str(&s).unwrap())
}

/// (product id, sku) of published simple products with a SKU.
fn simple_skus(w: &World) -> Vec<(u64, String)> {
    w.data()
        .products
        .iter()
        .filter(|p| p["type"] == "simple" && !p["sku"].as_str().unwrap_or("").is_empty())
        .map(|p| (p["id"].as_u64().unwrap(), p["sku"].as_str().unwrap().to_string()))
        .collect()
}

fn stock_of(w: &World, id: u64) -> Option<i64> {
    let d = w.data();
    d.products
        .iter()
        .chain(d.variations.iter().map(|(_, v)| v))
        .find(|p| p["id"].as_u64() == Some(id))
        .and_then(|p| p["stock_quantity"].as_i64())
}

fn writes(w: &World) -> Vec<String> {
    w.sim
        .state
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.method != "GET")
        .map(|s| format!("{} {}", s.method, s.path))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn push_stock_by_sku_sets_that_product_and_by_variation_id_finds_its_product() {
    let mut w = World::new(5, 5, 30).await;
    let (pid, sku) = simple_skus(&w)[0].clone();
    let (parent, vid) = w.data().variations.iter().map(|(p, v)| (*p, v["id"].as_u64().unwrap())).next().unwrap();
    let others: Vec<(u64, Option<i64>)> =
        simple_skus(&w).iter().skip(1).map(|(id, _)| (*id, stock_of(&w, *id))).collect();
    let r = tool(
        &mut w,
        "push-stock",
        json!({"items": [{"sku": sku.to_lowercase(), "quantity": 17}, {"variation_id": vid, "quantity": 4}]}),
    )
    .await
    .unwrap();
    assert_eq!(r["updated"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["errors"], json!([]));
    assert_eq!(stock_of(&w, pid), Some(17));
    assert_eq!(stock_of(&w, vid), Some(4));
    let mut sent = writes(&w);
    sent.sort();
    assert_eq!(
        sent,
        [
            format!("POST /wp-json/wc/v3/products/{parent}/variations/batch"),
            "POST /wp-json/wc/v3/products/batch".to_string()
        ],
        "one batch each, sent together"
    );
    for (id, before) in others {
        assert_eq!(stock_of(&w, id), before, "product {id} untouched");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn push_stock_sku_matching_nothing_is_not_found_and_changes_nothing() {
    let mut w = World::new(5, 5, 20).await;
    let (pid, sku) = simple_skus(&w)[0].clone();
    let before = stock_of(&w, pid);
    let e = tool(
        &mut w,
        "push-stock",
        json!({"items": [{"sku": sku, "quantity": 3}, {"sku": "NO-SUCH-SKU", "quantity": 1}]}),
    )
    .await
    .unwrap_err();
    let wit::types::Error::NotFound(r) = &e else { panic!("{e:?}") };
    assert!(r.message.contains("NO-SUCH-SKU") && r.message.contains("nothing was changed"), "{}", r.message);
    assert_eq!(stock_of(&w, pid), before, "the good line was not applied either");
    assert!(writes(&w).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn push_stock_ambiguous_sku_is_refused_naming_both_records_and_changes_nothing() {
    let mut w = World::new(5, 5, 20).await;
    let skus = simple_skus(&w);
    let (a, sku) = skus[0].clone();
    let b = skus[1].0;
    w.sim.state.update_product(b, json!({"sku": sku.to_uppercase()}));
    let e = tool(&mut w, "push-stock", json!({"items": [{"sku": sku, "quantity": 9}]})).await.unwrap_err();
    let wit::types::Error::InvalidInput(i) = &e else { panic!("{e:?}") };
    assert_eq!(i.field, "items");
    assert!(
        i.message.contains(&format!("woo:product:{a}")) && i.message.contains(&format!("woo:product:{b}")),
        "{}",
        i.message
    );
    assert!(writes(&w).iter().all(|p| !p.contains("batch")), "nothing written: {:?}", writes(&w));
}

#[tokio::test(flavor = "multi_thread")]
async fn push_stock_the_same_record_twice_is_refused() {
    let mut w = World::new(5, 5, 20).await;
    let (pid, sku) = simple_skus(&w)[0].clone();
    let e =
        tool(&mut w, "push-stock", json!({"items": [{"sku": sku, "quantity": 1}, {"product_id": pid, "quantity": 2}]}))
            .await
            .unwrap_err();
    assert!(matches!(&e, wit::types::Error::InvalidInput(i) if i.message.contains("same record")), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn push_stock_many_lines_go_100_per_batch_request() {
    let mut w = World::new(5, 5, 300).await;
    let skus = simple_skus(&w);
    assert!(skus.len() > 100, "{}", skus.len());
    let items: Vec<Value> = skus.iter().enumerate().map(|(i, (_, s))| json!({"sku": s, "quantity": i})).collect();
    let r = tool(&mut w, "push-stock", json!({"items": items})).await.unwrap();
    assert_eq!(r["updated"].as_array().unwrap().len(), skus.len());
    assert_eq!(writes(&w).len(), skus.len().div_ceil(100), "{:?}", writes(&w));
    assert_eq!(stock_of(&w, skus[skus.len() - 1].0), Some(skus.len() as i64 - 1));
}

fn notes_of(w: &World, order: u64) -> Vec<Value> {
    w.data().notes.iter().filter(|(o, _)| *o == order).map(|(_, n)| n.clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn push_shipment_adds_one_customer_note_completes_the_order_and_run_twice_adds_no_second_note() {
    let mut w = World::new(5, 20, 5).await;
    let order = w.data().orders.iter().find(|o| o["status"] == "processing").unwrap()["id"].as_u64().unwrap();
    let args = json!({"order_id": order, "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784"});
    let first = tool(&mut w, "push-shipment", args.clone()).await.unwrap();
    assert_eq!((first["already_sent"].as_bool(), first["status"].as_str()), (Some(false), Some("completed")));
    let notes = notes_of(&w, order);
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["customer_note"], true);
    assert!(notes[0]["note"].as_str().unwrap().contains("1Z999AA10123456784"));
    let o = w.data().orders.iter().find(|o| o["id"].as_u64() == Some(order)).cloned().unwrap();
    assert_eq!(o["status"], "completed");
    assert!(o["meta_data"].as_array().unwrap().iter().any(|m| m["key"] == first["marker"]));
    let second = tool(&mut w, "push-shipment", args).await.unwrap();
    assert_eq!(second["already_sent"], true);
    assert_eq!(second["note_id"], first["note_id"]);
    assert_eq!(notes_of(&w, order).len(), 1, "no second note");
}

#[tokio::test(flavor = "multi_thread")]
async fn push_shipment_cut_after_its_note_finds_the_note_instead_of_adding_another() {
    let mut w = World::new(5, 20, 5).await;
    let order = w.data().orders.iter().find(|o| o["status"] == "processing").unwrap()["id"].as_u64().unwrap();
    // A run that stopped after the note: the note exists, the marker does not.
    let note = "Your order has shipped with DHL. Tracking number: JD014600006281230701.";
    tool(&mut w, "add-order-note", json!({"order_id": order, "note": note, "customer_note": true})).await.unwrap();
    let r = tool(
        &mut w,
        "push-shipment",
        json!({"order_id": order, "carrier": "DHL", "tracking_number": "JD014600006281230701"}),
    )
    .await
    .unwrap();
    assert_eq!(r["already_sent"], false);
    assert_eq!(notes_of(&w, order).len(), 1, "the existing note was reused");
}

#[tokio::test(flavor = "multi_thread")]
async fn push_shipment_missing_order_is_not_found_and_a_script_url_is_refused() {
    let mut w = World::new(5, 5, 5).await;
    let e = tool(&mut w, "push-shipment", json!({"order_id": 99999999, "carrier": "UPS", "tracking_number": "1"}))
        .await
        .unwrap_err();
    assert!(matches!(e, wit::types::Error::NotFound(_)), "{e:?}");
    let order = w.data().orders[0]["id"].as_u64().unwrap();
    let e = tool(
        &mut w,
        "push-shipment",
        json!({"order_id": order, "carrier": "UPS", "tracking_number": "1", "tracking_url": "javascript:alert(1)"}),
    )
    .await
    .unwrap_err();
    assert!(matches!(&e, wit::types::Error::InvalidInput(i) if i.field == "tracking_url"), "{e:?}");
    assert!(writes(&w).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn push_contact_updates_a_registered_customer_and_its_webhook_echo_is_not_a_change() {
    let mut w = World::new(20, 20, 5).await;
    w.import(&ALL).await.unwrap();
    w.s.begin_call();
    w.s.bindings
        .woo_connector_webhook()
        .call_register(&mut w.s.store, "https://hooks.example.test/woo")
        .await
        .unwrap()
        .unwrap();
    let id = w.data().customers.iter().find(|c| c["role"] == "customer").unwrap()["id"].as_u64().unwrap();
    let contact_id = format!("woo:customer:{id}");
    let r = tool(&mut w, "push-contact", json!({"contact_id": contact_id, "set": {"last_name": "Okafor", "phone": "+44 20 7946 0958", "shipping.city": "Leeds"}})).await.unwrap();
    assert_eq!(r["contact"]["last_name"], "Okafor");
    let c = w.data().customers.iter().find(|c| c["id"].as_u64() == Some(id)).cloned().unwrap();
    assert_eq!(
        (c["last_name"].as_str(), c["billing"]["phone"].as_str(), c["shipping"]["city"].as_str()),
        (Some("Okafor"), Some("+44 20 7946 0958"), Some("Leeds"))
    );
    assert_eq!(w.records("contact")[&contact_id]["last_name"], "Okafor", "the platform record is updated at once");
    // The store echoes the change as a signed customer.updated delivery.
    let secret = w.data().webhooks[0]["secret"].as_str().unwrap().to_string();
    let body = serde_json::to_vec(&c).unwrap();
    let sig = {
        use base64::Engine;
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(&body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    let headers = vec![
        ("X-WC-Webhook-Topic".to_string(), "customer.updated".to_string()),
        ("X-WC-Webhook-Signature".to_string(), sig),
    ];
    w.s.begin_call();
    let outcome =
        w.s.bindings
            .woo_connector_webhook()
            .call_handle_delivery(&mut w.s.store, &headers, &body)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(format!("{outcome:?}"), "DeliveryOutcome::Duplicate", "the echo of our own write is not a new change");
}

#[tokio::test(flavor = "multi_thread")]
async fn push_contact_of_a_guest_or_an_unknown_field_is_refused_before_any_request() {
    let mut w = World::new(5, 5, 5).await;
    let before = w.requests();
    let e = tool(
        &mut w,
        "push-contact",
        json!({"contact_id": "woo:guest:walk.in@example.test", "set": {"first_name": "X"}}),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, wit::types::Error::InvalidInput(i) if i.field == "contact_id" && i.message.contains("guest")),
        "{e:?}"
    );
    let e = tool(&mut w, "push-contact", json!({"contact_id": "woo:customer:1", "set": {"role": "administrator"}}))
        .await
        .unwrap_err();
    assert!(matches!(e, wit::types::Error::InvalidInput(_)), "{e:?}");
    assert_eq!(w.requests(), before);
    let e = tool(&mut w, "push-contact", json!({"contact_id": "woo:customer:99999", "set": {"first_name": "X"}}))
        .await
        .unwrap_err();
    assert!(matches!(e, wit::types::Error::NotFound(_)), "{e:?}");
}

// ---- `woo push` and `woo export --sku/--gtin`, as a user runs them ----

fn woo(args: &[&str]) -> std::process::Output {
    common::woo(args, &[])
}

#[test]
fn cli_push_stock_shipment_contact_and_export_by_sku_and_gtin_with_duplicate_skus_reported() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt
        .block_on(woo_host::sim::Simulator::start(woo_host::sim::SimConfig {
            seed: woo_host::sim::SeedSpec { customers: 10, orders: 20, products: 30, seed: 3 },
            ..Default::default()
        }))
        .unwrap();
    let (dup_a, dup_b, sku) = {
        let d = sim.state.data.read().unwrap();
        let simple: Vec<&Value> = d
            .products
            .iter()
            .filter(|p| {
                p["type"] == "simple"
                    && p["status"] == "publish"
                    && !p["sku"].as_str().unwrap().is_empty()
                    && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")
            })
            .collect();
        (
            simple[0]["id"].as_u64().unwrap(),
            simple[1]["id"].as_u64().unwrap(),
            simple[0]["sku"].as_str().unwrap().to_string(),
        )
    };
    {
        let _rt = rt.enter();
        sim.state.update_product(dup_b, json!({"sku": sku}));
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let db = db.to_str().unwrap();
    let ca = sim.ca_cert.to_str().unwrap();
    let out = woo(&[
        "--db",
        db,
        "--ca-cert",
        ca,
        "connect",
        "--store",
        &sim.https_url,
        "--key",
        &sim.consumer_key,
        "--secret",
        &sim.consumer_secret,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("SKU {sku:?} is on both woo:product:{dup_a} and woo:product:{dup_b}")),
        "duplicate SKUs are reported: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let by_sku = lines(&woo(&["--db", db, "export", "--kind", "product", "--sku", &sku.to_lowercase()]));
    assert_eq!(
        by_sku.iter().map(|p| p["id"].as_str().unwrap().to_string()).collect::<Vec<_>>(),
        [format!("woo:product:{dup_a}"), format!("woo:product:{dup_b}")],
        "two records, not merged"
    );
    let gtin_product = lines(&woo(&["--db", db, "export", "--kind", "product"]))
        .into_iter()
        .find(|p| p["gtin"].is_string())
        .expect("a product with a GTIN");
    let by_gtin = lines(&woo(&["--db", db, "export", "--gtin", gtin_product["gtin"].as_str().unwrap()]));
    assert_eq!(by_gtin, [gtin_product]);

    // Stock: the ambiguous SKU is refused (exit 2), a missing one is not found (exit 4).
    let out = woo(&["--db", db, "push", "stock", "--sku", &sku, "--quantity", "5"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(woo(&["--db", db, "push", "stock", "--sku", "NOPE-1", "--quantity", "5"]).status.code(), Some(4));
    let file = dir.path().join("stock.csv");
    std::fs::write(&file, format!("sku,quantity\n# from the warehouse\nproduct:{dup_a},11\nproduct:{dup_b},-2\n"))
        .unwrap();
    let out = woo(&["--db", db, "push", "stock", "--file", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["updated"].as_array().unwrap().len(), 2);

    // Shipment twice: one note.
    let order = sim.state.data.write().unwrap().orders.iter().find(|o| o["status"] == "processing").unwrap()["id"]
        .as_u64()
        .unwrap()
        .to_string();
    for expect in [false, true] {
        let out = woo(&[
            "--db",
            db,
            "push",
            "shipment",
            "--order",
            &order,
            "--carrier",
            "La Poste",
            "--tracking-number",
            "6A12345678901",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["already_sent"], expect);
    }
    assert_eq!(
        woo(&["--db", db, "push", "shipment", "--order", "99999999", "--carrier", "UPS", "--tracking-number", "1"])
            .status
            .code(),
        Some(4)
    );

    // Contact.
    let customer = sim.state.data.write().unwrap().customers.iter().find(|c| c["role"] == "customer").unwrap()["id"]
        .as_u64()
        .unwrap();
    let out = woo(&[
        "--db",
        db,
        "push",
        "contact",
        "--id",
        &format!("woo:customer:{customer}"),
        "--set",
        "first_name=Zoë",
        "--set",
        "billing.city=Nantes",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported = lines(&woo(&["--db", db, "export", "--kind", "contact"]));
    let c = exported.iter().find(|c| c["id"] == format!("woo:customer:{customer}")).unwrap();
    assert_eq!((c["first_name"].as_str(), c["address"]["city"].as_str()), (Some("Zoë"), Some("Nantes")));
    assert_eq!(
        woo(&["--db", db, "push", "contact", "--id", "woo:guest:a@b.test", "--set", "first_name=X"]).status.code(),
        Some(2)
    );
    assert_eq!(
        woo(&["--db", db, "push", "contact", "--id", "woo:customer:1", "--set", "nonsense"]).status.code(),
        Some(2)
    );
}
