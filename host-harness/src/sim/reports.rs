//! `/reports/sales`, `/reports/top_sellers` and `/reports/<which>/totals`,
//! computed from the simulated orders as WooCommerce's legacy reports compute
//! them (paid statuses, by creation day). A real store on HPOS without
//! compatibility sync reads no orders there and answers zeros.

use super::http::{Body, Ctx, now_secs};
use super::rest::{cents, json_response, wc_error};
use super::seed::money;
use crate::dates::{parse_wc_date, wc_date};
use http::Response;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The statuses the legacy reports count as sales.
const SALE_STATUSES: [&str; 4] = ["completed", "processing", "on-hold", "refunded"];
const DAY: u64 = 86_400;

fn bad_date(name: &str) -> Response<Body> {
    json_response(
        400,
        &json!({"code": "rest_invalid_param", "message": format!("Invalid parameter(s): {name}"),
            "data": {"status": 400, "params": {name: "The date you provided is invalid."},
                "details": {name: {"code": "woocommerce_rest_invalid_date", "message": "The date you provided is invalid.", "data": null}}}}),
    )
}

/// Midnight (UTC) of a `YYYY-MM-DD` parameter; `Err` when it is not one
/// (WooCommerce refuses a time with it).
fn day_param(ctx: &Ctx, name: &str) -> Result<Option<u64>, Box<Response<Body>>> {
    let Some(s) = ctx.param(name) else { return Ok(None) };
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match parse_wc_date(&format!("{s}T00:00:00")) {
        Some(t) if shaped => Ok(Some(t)),
        _ => Err(Box::new(bad_date(name))),
    }
}

/// The report's first and last day (midnights) and whether it is grouped by month.
fn range(ctx: &Ctx) -> Result<(u64, u64, bool), Box<Response<Body>>> {
    let today = now_secs() / DAY * DAY;
    let ymd = wc_date(today);
    let (y, m) = (ymd[..4].parse::<u64>().unwrap_or(2026), ymd[5..7].parse::<u64>().unwrap_or(1));
    let first_of = |y: u64, m: u64| parse_wc_date(&format!("{y:04}-{m:02}-01T00:00:00")).unwrap_or(today);
    match ctx.param("period").as_deref() {
        Some("week") => Ok((today - 6 * DAY, today, false)),
        Some("month") => Ok((first_of(y, m), today, false)),
        Some("last_month") => {
            let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
            Ok((first_of(py, pm), first_of(y, m) - DAY, false))
        }
        Some("year") => Ok((first_of(y, 1), today, true)),
        Some(_) => Err(Box::new(super::rest::invalid_param(
            "period",
            "period is not one of week, month, last_month, and year.",
        ))),
        None => {
            let start = day_param(ctx, "date_min")?.unwrap_or(today);
            let end = day_param(ctx, "date_max")?.unwrap_or(today);
            // More than three whole months: by month, as WooCommerce groups it.
            let months = end.saturating_sub(start) / (31 * DAY);
            Ok((start, end.max(start), months > 3))
        }
    }
}

fn key(t: u64, by_month: bool) -> String {
    let d = wc_date(t);
    if by_month { d[..7].to_string() } else { d[..10].to_string() }
}

/// The orders counted in the range, by their creation day.
fn sales_in(ctx: &Ctx, start: u64, end: u64) -> Vec<Value> {
    ctx.state
        .data
        .read()
        .map(|d| {
            d.orders
                .iter()
                .filter(|o| SALE_STATUSES.contains(&o["status"].as_str().unwrap_or("")))
                .filter(|o| {
                    let t = o["date_created_gmt"].as_str().and_then(parse_wc_date).unwrap_or(0) / DAY * DAY;
                    t >= start && t <= end
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn items_of(o: &Value) -> u64 {
    o["line_items"].as_array().map_or(0, |l| l.iter().map(|i| i["quantity"].as_u64().unwrap_or(0)).sum())
}

pub(super) fn sales(ctx: &Ctx) -> Response<Body> {
    let (start, end, by_month) = match range(ctx) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let orders = sales_in(ctx, start, end);
    let mut totals: BTreeMap<String, Value> = BTreeMap::new();
    let mut t = start;
    while t <= end {
        totals.entry(key(t, by_month)).or_insert_with(|| json!({"sales": "0.00", "orders": 0, "items": 0, "tax": "0.00", "shipping": "0.00", "discount": "0.00", "customers": 0, "refunds": "0.00"}));
        t += DAY;
    }
    let c = |o: &Value, k: &str| cents(o[k].as_str().unwrap_or("0"));
    let (mut sales, mut tax, mut shipping, mut discount, mut items) = (0, 0, 0, 0, 0);
    let mut per: BTreeMap<String, (u64, u64, u64, u64, u64, u64)> = BTreeMap::new();
    for o in &orders {
        let k = key(o["date_created_gmt"].as_str().and_then(parse_wc_date).unwrap_or(0), by_month);
        let e = per.entry(k).or_default();
        e.0 += c(o, "total");
        e.1 += 1;
        e.2 += items_of(o);
        e.3 += c(o, "total_tax");
        e.4 += c(o, "shipping_total");
        e.5 += c(o, "discount_total");
        sales += c(o, "total");
        tax += c(o, "total_tax");
        shipping += c(o, "shipping_total");
        discount += c(o, "discount_total");
        items += items_of(o);
    }
    for (k, (s, n, i, tx, sh, di)) in per {
        totals.insert(k, json!({"sales": money(s), "orders": n, "items": i, "tax": money(tx), "shipping": money(sh), "discount": money(di), "customers": 0, "refunds": "0.00"}));
    }
    let net = sales.saturating_sub(tax + shipping);
    let buckets = totals.len().max(1) as u64;
    let report = json!({
        "total_sales": money(sales), "net_sales": money(net), "average_sales": money(net / buckets),
        "total_orders": orders.len(), "total_items": items, "total_tax": money(tax), "total_shipping": money(shipping),
        "total_refunds": 0, "total_discount": money(discount), "totals_grouped_by": if by_month { "month" } else { "day" },
        "totals": totals, "total_customers": 0,
        "_links": {"about": [{"href": format!("{}://{}/wp-json/wc/v3/reports", ctx.scheme, ctx.host)}]}
    });
    json_response(200, &json!([report]))
}

pub(super) fn top_sellers(ctx: &Ctx) -> Response<Body> {
    let (start, end, _) = match range(ctx) {
        Ok(r) => r,
        Err(e) => return *e,
    };
    let mut by_product: BTreeMap<u64, (String, u64)> = BTreeMap::new();
    for o in sales_in(ctx, start, end) {
        for l in o["line_items"].as_array().into_iter().flatten() {
            let e = by_product
                .entry(l["product_id"].as_u64().unwrap_or(0))
                .or_insert_with(|| (l["name"].as_str().unwrap_or("").to_string(), 0));
            e.1 += l["quantity"].as_u64().unwrap_or(0);
        }
    }
    let mut sellers: Vec<(u64, String, u64)> = by_product.into_iter().map(|(id, (n, q))| (id, n, q)).collect();
    sellers.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let base = format!("{}://{}/wp-json/wc/v3", ctx.scheme, ctx.host);
    let items: Vec<Value> = sellers
        .into_iter()
        .map(|(id, name, q)| json!({"name": name, "product_id": id, "quantity": q, "_links": {"about": [{"href": format!("{base}/reports")}], "product": [{"href": format!("{base}/products/{id}")}]}}))
        .collect();
    json_response(200, &Value::Array(items))
}

pub(super) fn totals(ctx: &Ctx, which: &str) -> Response<Body> {
    let Ok(d) = ctx.state.data.read() else { return wc_error(500, "internal", "lock") };
    let count = |list: &[Value], field: &str, value: &str| list.iter().filter(|v| v[field] == value).count();
    let kinds: Vec<(&str, &str, usize)> = match which {
        "orders" => [
            ("pending", "Pending payment"),
            ("processing", "Processing"),
            ("on-hold", "On hold"),
            ("completed", "Completed"),
            ("cancelled", "Cancelled"),
            ("refunded", "Refunded"),
            ("failed", "Failed"),
            ("checkout-draft", "Draft"),
        ]
        .iter()
        .map(|(s, n)| (*s, *n, count(&d.orders, "status", s)))
        .collect(),
        "products" => {
            let live: Vec<Value> = d.products.iter().filter(|p| p["status"] != "trash").cloned().collect();
            [
                ("external", "External/Affiliate product"),
                ("grouped", "Grouped product"),
                ("simple", "Simple product"),
                ("variable", "Variable product"),
            ]
            .iter()
            .map(|(s, n)| (*s, *n, count(&live, "type", s)))
            .collect()
        }
        "customers" => {
            let customers: Vec<&Value> = d.customers.iter().filter(|c| c["role"] == "customer").collect();
            let paying = customers.iter().filter(|c| c["is_paying_customer"] == true).count();
            vec![("paying", "Paying customer", paying), ("non_paying", "Non-paying customer", customers.len() - paying)]
        }
        "coupons" => {
            let live: Vec<Value> = d.coupons.iter().filter(|c| c["status"] != "trash").cloned().collect();
            [
                ("percent", "Percentage discount"),
                ("fixed_cart", "Fixed cart discount"),
                ("fixed_product", "Fixed product discount"),
            ]
            .iter()
            .map(|(s, n)| (*s, *n, count(&live, "discount_type", s)))
            .collect()
        }
        // Approved reviews by their rating.
        "reviews" => [
            ("rated_1_out_of_5", "Rated 1 out of 5"),
            ("rated_2_out_of_5", "Rated 2 out of 5"),
            ("rated_3_out_of_5", "Rated 3 out of 5"),
            ("rated_4_out_of_5", "Rated 4 out of 5"),
            ("rated_5_out_of_5", "Rated 5 out of 5"),
        ]
        .iter()
        .zip(1i64..)
        .map(|((s, n), rating)| {
            let total = d.reviews.iter().filter(|(_, r)| r["status"] == "approved" && r["rating"] == rating).count();
            (*s, *n, total)
        })
        .collect(),
        _ => return super::rest::no_route(),
    };
    let items: Vec<Value> =
        kinds.into_iter().map(|(slug, name, total)| json!({"slug": slug, "name": name, "total": total})).collect();
    json_response(200, &Value::Array(items))
}
