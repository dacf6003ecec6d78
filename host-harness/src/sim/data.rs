//! `/taxes` and `/taxes/classes`, and `/data/countries` and
//! `/data/currencies` (a few of each, shaped as WooCommerce 11 answers them;
//! these two send no totals headers and ignore paging).

use super::admin::{any_links, whole};
use super::http::{Body, Ctx};
use super::rest::{fields, invalid_param, json_response, list, wc_error};
use http::Response;
use serde_json::{Value, json};

/// `/taxes`: by `order` ascending unless asked otherwise; `class` must be
/// one of the store's tax classes.
pub(super) fn list_tax_rates(ctx: &Ctx) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let mut items = d.admin.tax_rates.clone();
    if let Some(class) = ctx.param("class") {
        let slugs: Vec<&str> = d.admin.tax_classes.iter().filter_map(|c| c["slug"].as_str()).collect();
        if !slugs.contains(&class.as_str()) {
            return invalid_param("class", &format!("class is not one of {}.", slugs.join(", ")));
        }
        items.retain(|r| r["class"] == class.as_str());
    }
    drop(d);
    if let Some(by) = ctx.param("orderby")
        && !matches!(by.as_str(), "id" | "order" | "priority")
    {
        return invalid_param("orderby", "orderby is not one of id, order, and priority.");
    }
    // Seeded in `order` order, which is also id order.
    list(ctx, items, "id", "asc", false)
}

pub(super) fn list_tax_classes(ctx: &Ctx) -> Response<Body> {
    let items = ctx.state.data.read().map(|d| d.admin.tax_classes.clone()).unwrap_or_default();
    let base = format!("{}://{}/wp-json/wc/v3/taxes/classes", ctx.scheme, ctx.host);
    let items = items.into_iter().map(|mut c| {
        c["_links"] = json!({"collection": [{"href": base}]});
        c
    });
    whole(ctx, "/taxes/classes", items.collect())
}

fn country(code: &str, name: &str, states: &[(&str, &str)]) -> Value {
    let states: Vec<Value> = states.iter().map(|(c, n)| json!({"code": c, "name": n})).collect();
    json!({"code": code, "name": name, "states": states})
}

/// A few of the ~250 countries WooCommerce knows.
fn countries() -> Vec<Value> {
    vec![
        country("AX", "Åland Islands", &[]),
        country("CA", "Canada", &[("AB", "Alberta"), ("BC", "British Columbia"), ("QC", "Quebec"), ("ON", "Ontario")]),
        country("DE", "Germany", &[("DE-BW", "Baden-Württemberg"), ("DE-BY", "Bavaria"), ("DE-BE", "Berlin")]),
        country("JP", "Japan", &[("JP13", "Tokyo"), ("JP27", "Osaka")]),
        country("PT", "Portugal", &[("PT-11", "Lisboa"), ("PT-13", "Porto")]),
        country("GB", "United Kingdom (UK)", &[]),
        country(
            "US",
            "United States (US)",
            &[("AL", "Alabama"), ("CA", "California"), ("NY", "New York"), ("TX", "Texas")],
        ),
    ]
}

/// A few of the currencies, symbols as the HTML entities the store sends.
fn currencies() -> Vec<Value> {
    [
        ("CAD", "Canadian dollar", "&#36;"),
        ("EUR", "Euro", "&euro;"),
        ("GBP", "Pound sterling", "&pound;"),
        ("JPY", "Japanese yen", "&yen;"),
        ("USD", "United States (US) dollar", "&#36;"),
    ]
    .iter()
    .map(|(c, n, s)| json!({"code": c, "name": n, "symbol": s}))
    .collect()
}

/// An answer without totals headers: WooCommerce sends none on these.
fn answer_whole(ctx: &Ctx, collection: &str, items: Vec<Value>) -> Response<Body> {
    let items: Vec<Value> = items.into_iter().map(|v| fields(ctx, any_links(ctx, collection, v))).collect();
    json_response(200, &Value::Array(items))
}

pub(super) fn list_countries(ctx: &Ctx) -> Response<Body> {
    answer_whole(ctx, "/data/countries", countries())
}

/// `/data/countries/<code>`, in any letter case.
pub(super) fn get_country(ctx: &Ctx, code: &str) -> Response<Body> {
    match countries().into_iter().find(|c| c["code"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(code))) {
        Some(c) => json_response(200, &fields(ctx, any_links(ctx, "/data/countries", c))),
        None => {
            wc_error(404, "woocommerce_rest_data_invalid_location", "There are no locations matching these parameters.")
        }
    }
}

pub(super) fn list_currencies(ctx: &Ctx) -> Response<Body> {
    answer_whole(ctx, "/data/currencies", currencies())
}

/// `/data/currencies/<code>` in any letter case, or `current`: the store's.
pub(super) fn get_currency(ctx: &Ctx, code: &str) -> Response<Body> {
    let code = if code == "current" { "USD" } else { code };
    match currencies().into_iter().find(|c| c["code"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(code))) {
        Some(c) => json_response(200, &fields(ctx, any_links(ctx, "/data/currencies", c))),
        None => wc_error(
            404,
            "woocommerce_rest_data_invalid_currency",
            "There are no currencies matching these parameters.",
        ),
    }
}
