//! The store's administration data and its routes: shipping zones and
//! classes, tax rates and classes, payment gateways, settings, reports,
//! countries and currencies. Seeded like a small real shop (a Stripe-like
//! gateway carries secret-looking settings, so redaction has something to
//! hide). Their routes take slugs (`bacs`, `general`, `us`), not only numeric
//! ids, so they are answered here before `routes.rs`'s id rule.

use super::http::{Body, Ctx};
use super::rest::{fields, json_response, links};
use super::{data, gateways, reports, shipping};
use http::{Method, Response};
use serde_json::{Value, json};

/// What the admin routes read and change.
#[derive(Default, Clone)]
pub struct Admin {
    /// Shipping zones with their `locations` and `methods` (left out of the
    /// zone list, answered by the zone's own routes).
    pub zones: Vec<Value>,
    /// Shipping classes (product terms).
    pub shipping_classes: Vec<Value>,
    /// Tax rates.
    pub tax_rates: Vec<Value>,
    /// Tax classes (`slug`, `name`).
    pub tax_classes: Vec<Value>,
    /// Payment gateways, with their settings (secrets included: the REST API
    /// answers them as stored, and the connector must redact them).
    pub gateways: Vec<Value>,
    /// Settings groups, each with its `options` (left out of the group list).
    pub settings: Vec<Value>,
}

/// A setting as WooCommerce's REST API shapes one.
fn setting(id: &str, label: &str, kind: &str, value: &str) -> Value {
    json!({"id": id, "label": label, "description": "", "type": kind, "value": value, "default": "", "tip": "", "placeholder": ""})
}

/// A gateway's settings map, keyed by setting id.
fn settings_map(list: &[Value]) -> Value {
    Value::Object(list.iter().map(|s| (s["id"].as_str().unwrap_or("").to_string(), s.clone())).collect())
}

fn gateway(id: &str, title: &str, description: &str, enabled: bool, method_title: &str, extra: &[Value]) -> Value {
    let mut settings = vec![setting("title", "Title", "safe_text", title)];
    settings.extend(extra.iter().cloned());
    json!({
        "id": id, "title": title, "description": description, "order": "", "enabled": enabled,
        "method_title": method_title, "method_description": format!("Take payments with {method_title}."),
        "method_supports": ["products"], "settings": settings_map(&settings), "needs_setup": false,
        "post_install_scripts": [], "settings_url": format!("https://store.example.test/wp-admin/admin.php?page=wc-settings&tab=checkout&section={id}"),
        "connection_url": null, "setup_help_text": null, "required_settings_keys": []
    })
}

fn option(id: &str, label: &str, kind: &str, value: Value, default: Value) -> Value {
    json!({"id": id, "label": label, "description": "", "type": kind, "default": default, "tip": "", "value": value})
}

fn group(id: &str, label: &str, sub_groups: &[&str], options: Vec<Value>) -> Value {
    json!({"id": id, "label": label, "description": "", "parent_id": "", "sub_groups": sub_groups, "options": options})
}

fn method(instance_id: u64, order: u64, method_id: &str, title: &str, enabled: bool, cost: &str) -> Value {
    let mut settings = vec![
        setting("title", "Name", "text", title),
        json!({"id": "tax_status", "label": "Tax status", "description": "", "type": "select", "value": "taxable", "default": "taxable", "tip": "", "placeholder": "", "options": {"taxable": "Taxable", "none": "None"}}),
    ];
    if !cost.is_empty() {
        settings.push(setting("cost", "Cost", "text", cost));
    }
    json!({
        "id": instance_id, "instance_id": instance_id, "title": title, "order": order, "enabled": enabled,
        "method_id": method_id, "method_title": match method_id { "flat_rate" => "Flat rate", "free_shipping" => "Free shipping", _ => "Local pickup" },
        "method_description": "", "settings": settings_map(&settings)
    })
}

/// The seeded administration data of a small shop.
pub fn seed() -> Admin {
    let zones = vec![
        json!({"id": 0, "name": "Locations not covered by your other zones", "order": 0, "locations": [], "methods": [method(9, 1, "flat_rate", "International", true, "25.00")]}),
        json!({"id": 1, "name": "United States (US)", "order": 0,
            "locations": [{"code": "US", "type": "country"}],
            "methods": [method(1, 1, "flat_rate", "Flat rate", true, "5.00"), method(2, 2, "free_shipping", "Free shipping", true, "")]}),
        json!({"id": 2, "name": "Europe", "order": 1,
            "locations": [{"code": "EU", "type": "continent"}, {"code": "GB", "type": "country"}],
            "methods": [method(3, 1, "flat_rate", "Standard (3–5 days)", true, "9.50")]}),
        json!({"id": 3, "name": "Lisboa local", "order": 2,
            "locations": [{"code": "PT", "type": "country"}, {"code": "1000...1999", "type": "postcode"}],
            "methods": [method(4, 1, "local_pickup", "Pick up at the shop", false, "")]}),
    ];
    let shipping_classes = vec![
        json!({"id": 40, "name": "Bulky", "slug": "bulky", "description": "Posters in tubes, large boxes.", "count": 3}),
        json!({"id": 41, "name": "Fragile", "slug": "fragile", "description": "Mugs and bottles.", "count": 5}),
        json!({"id": 42, "name": "Letter &amp; small parcel", "slug": "letter", "description": "", "count": 0}),
    ];
    let rate =
        |id: u64, country: &str, state: &str, rate: &str, name: &str, class: &str, order: u64, postcodes: &[&str]| {
            json!({"id": id, "country": country, "state": state, "postcode": postcodes.join(";"), "city": "",
            "postcodes": postcodes, "cities": [], "rate": rate, "name": name, "priority": 1, "compound": false,
            "shipping": class == "standard", "order": order, "class": class})
        };
    let tax_rates = vec![
        rate(1, "US", "CA", "7.2500", "CA State Tax", "standard", 0, &["90001", "94016"]),
        rate(2, "US", "TX", "6.2500", "TX State Tax", "standard", 1, &[]),
        rate(3, "DE", "", "19.0000", "MwSt.", "standard", 2, &[]),
        rate(4, "DE", "", "7.0000", "MwSt. ermäßigt", "reduced-rate", 3, &[]),
        rate(5, "PT", "", "23.0000", "IVA", "standard", 4, &[]),
        rate(6, "PT", "", "6.0000", "IVA reduzido", "reduced-rate", 5, &[]),
        rate(7, "GB", "", "0.0000", "Zero rated", "zero-rate", 6, &[]),
    ];
    let tax_classes = vec![
        json!({"slug": "standard", "name": "Standard rate"}),
        json!({"slug": "reduced-rate", "name": "Reduced rate"}),
        json!({"slug": "zero-rate", "name": "Zero rate"}),
    ];
    let gateways = vec![
        gateway(
            "bacs",
            "Direct bank transfer",
            "Make your payment directly into our bank account.",
            true,
            "Direct bank transfer",
            &[setting("instructions", "Instructions", "textarea", "")],
        ),
        gateway(
            "cheque",
            "Check payments",
            "Please send a check to Store Name, Store Street, Store Town, Store State / County, Store Postcode.",
            false,
            "Check payments",
            &[setting("instructions", "Instructions", "textarea", "")],
        ),
        gateway(
            "cod",
            "Cash on delivery",
            "Pay with cash upon delivery.",
            true,
            "Cash on delivery",
            &[
                setting("instructions", "Instructions", "textarea", "Pay with cash upon delivery."),
                setting("enable_for_virtual", "Accept for virtual orders", "checkbox", "yes"),
            ],
        ),
        gateway(
            "stripe",
            "Credit card (Stripe)",
            "Pay with your credit card via Stripe.",
            true,
            "Stripe",
            &[
                setting("testmode", "Test mode", "checkbox", "no"),
                setting("publishable_key", "Live publishable key", "text", "pk_live_51HxSimPublishable0001"),
                setting("secret_key", "Live secret key", "password", "sk_live_51HxSimSecret0001"),
                setting("webhook_secret", "Webhook secret", "password", "whsec_SimWebhookSecret0001"),
                setting("test_publishable_key", "Test publishable key", "text", "pk_test_51HxSimPublishable0001"),
                setting("test_secret_key", "Test secret key", "password", "sk_test_51HxSimSecret0001"),
                setting("statement_descriptor", "Statement descriptor", "text", "ACME STORE"),
                json!({"id": "capture", "label": "Capture", "description": "", "type": "checkbox", "value": "yes", "default": "yes", "tip": "", "placeholder": ""}),
            ],
        ),
    ];
    let settings = vec![
        group(
            "general",
            "General",
            &[],
            vec![
                option("woocommerce_store_address", "Address line 1", "text", json!("1 Loopback Way"), json!("")),
                option("woocommerce_store_city", "City", "text", json!("Lisboa"), json!("")),
                option("woocommerce_default_country", "Country / State", "select", json!("PT"), json!("US:CA")),
                option("woocommerce_allowed_countries", "Selling location(s)", "select", json!("all"), json!("all")),
                option("woocommerce_currency", "Currency", "select", json!("USD"), json!("USD")),
                option("woocommerce_price_num_decimals", "Number of decimals", "number", json!("2"), json!("2")),
            ],
        ),
        group(
            "products",
            "Products",
            &[],
            vec![
                option("woocommerce_weight_unit", "Weight unit", "select", json!("kg"), json!("kg")),
                option("woocommerce_manage_stock", "Manage stock", "checkbox", json!("yes"), json!("yes")),
            ],
        ),
        group(
            "tax",
            "Tax",
            &[],
            vec![
                option("woocommerce_prices_include_tax", "Prices entered with tax", "radio", json!("no"), json!("no")),
                option(
                    "woocommerce_tax_classes",
                    "Additional tax classes",
                    "textarea",
                    json!("Reduced rate\nZero rate"),
                    json!(""),
                ),
            ],
        ),
        group("checkout", "Payments", &[], vec![]),
        group(
            "account",
            "Accounts &amp; Privacy",
            &[],
            vec![option(
                "woocommerce_registration_generate_password",
                "Send password setup link",
                "checkbox",
                json!("yes"),
                json!("yes"),
            )],
        ),
        group(
            "integration",
            "Integration",
            &[],
            vec![option(
                "woocommerce_maxmind_geolocation_license_key",
                "MaxMind License Key",
                "password",
                json!("SimMaxMindLicense0001"),
                json!(""),
            )],
        ),
        group(
            "advanced",
            "Advanced",
            &[],
            vec![option(
                "woocommerce_myaccount_lost_password_endpoint",
                "Lost password",
                "text",
                json!("lost-password"),
                json!("lost-password"),
            )],
        ),
        group(
            "email",
            "Emails",
            &["email_new_order"],
            vec![option("woocommerce_email_from_name", "\"From\" name", "text", json!("Acme Store"), json!(""))],
        ),
        group(
            "email_new_order",
            "New order",
            &[],
            vec![
                option("enabled", "Enable/Disable", "checkbox", json!("yes"), json!("yes")),
                option("recipient", "Recipient(s)", "text", json!("orders@example.test"), json!("")),
            ],
        ),
    ];
    Admin { zones, shipping_classes, tax_rates, tax_classes, gateways, settings }
}

/// `_links` on a record whose key is an id, a string id (`bacs`) or a code (`US`).
pub(super) fn any_links(ctx: &Ctx, collection: &str, mut v: Value) -> Value {
    if v["id"].is_u64() {
        return links(ctx, collection, v);
    }
    let key = v["id"].as_str().or(v["code"].as_str()).or(v["slug"].as_str()).map(str::to_string);
    if let Some(key) = key
        && v.get("_links").is_none()
    {
        let base = format!("{}://{}/wp-json/wc/v3{collection}", ctx.scheme, ctx.host);
        v["_links"] = json!({"self": [{"href": format!("{base}/{key}")}], "collection": [{"href": base}]});
    }
    v
}

/// A list that does not page, answered whole (with the totals headers the
/// store sends on some of them).
pub(super) fn whole(ctx: &Ctx, collection: &str, items: Vec<Value>) -> Response<Body> {
    let n = items.len();
    let items: Vec<Value> = items.into_iter().map(|v| fields(ctx, any_links(ctx, collection, v))).collect();
    let mut r = json_response(200, &Value::Array(items));
    let h = r.headers_mut();
    h.insert("x-wp-total", n.to_string().parse().expect("number"));
    h.insert("x-wp-totalpages", usize::from(n > 0).to_string().parse().expect("number"));
    r
}

/// Answer the admin routes; `None` for any other path.
pub(super) fn dispatch(ctx: &Ctx, segs: &[&str]) -> Option<Response<Body>> {
    let get = *ctx.method == Method::GET;
    let put = matches!(*ctx.method, Method::PUT | Method::PATCH | Method::POST);
    let r = match (segs, get, put) {
        (["shipping", "zones"], true, _) => shipping::list_zones(ctx),
        (["shipping", "zones", id, part @ ("locations" | "methods")], true, _) => shipping::zone_part(ctx, id, part),
        (["products", "shipping_classes"], true, _) => shipping::list_classes(ctx),
        (["taxes"], true, _) => data::list_tax_rates(ctx),
        (["taxes", "classes"], true, _) => data::list_tax_classes(ctx),
        (["payment_gateways"], true, _) => gateways::list_gateways(ctx),
        (["payment_gateways", id], true, _) => gateways::get_gateway(ctx, id),
        (["payment_gateways", id], _, true) => gateways::update_gateway(ctx, id),
        (["settings"], true, _) => gateways::list_groups(ctx),
        (["settings", group], true, _) => gateways::group_options(ctx, group),
        (["reports", "sales"], true, _) => reports::sales(ctx),
        (["reports", "top_sellers"], true, _) => reports::top_sellers(ctx),
        (["reports", which, "totals"], true, _) => reports::totals(ctx, which),
        (["data", "countries"], true, _) => data::list_countries(ctx),
        (["data", "countries", code], true, _) => data::get_country(ctx, code),
        (["data", "currencies"], true, _) => data::list_currencies(ctx),
        (["data", "currencies", code], true, _) => data::get_currency(ctx, code),
        _ => return None,
    };
    Some(r)
}
