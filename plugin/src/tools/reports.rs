//! Reports: sales, top sellers and totals.

use super::query::utc_date_time;
use super::registry::{Annotations, Store, Tool};
use super::{output, page, schema};
use crate::client::{ApiRequest, Error};
use crate::read;
use serde_json::{Value, json};

/// The reports tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "get-sales-report",
        title: "Get the sales report",
        description: "The store's sales report for a period: gross and net sales, average, orders, items, tax, shipping, refunds, discounts and new customers, with `totals` per day or month. Give `period` (week, month, last_month, year) or a date range (`date_min`/`date_max`, YYYY-MM-DD, in the store's timezone); without either, today. Amounts are decimal strings. WooCommerce computes it from its legacy order records: a store on HPOS without compatibility sync reports zeros.",
        annotations: Annotations::READ,
        schema: period_schema,
        output_schema: Some(output::sales_report),
        handler: sales_report,
    },
    Tool {
        name: "get-top-sellers-report",
        title: "Get the top sellers report",
        description: "The best-selling products of a period, by units sold: {items: [{name, product_id, quantity}]}. Give `period` (week, month, last_month, year) or `date_min`/`date_max` (YYYY-MM-DD); without either, today. Read from WooCommerce's legacy order records, like get-sales-report.",
        annotations: Annotations::READ,
        schema: period_schema,
        output_schema: Some(output::top_sellers_report),
        handler: top_sellers_report,
    },
    Tool {
        name: "get-totals-report",
        title: "Get a totals report",
        description: "Counts by kind, for the whole store: orders per status, products per type, customers paying or not, coupons per discount type, or reviews per rating. Returns {report, items: [{slug, name, total}]}.",
        annotations: Annotations::READ,
        schema: || {
            schema::object(
                lit!({"which": {"type": "string", "enum": ["orders", "products", "customers", "coupons", "reviews"], "description": "What to count: orders (per status), products (per type), customers (paying or not), coupons (per type) or reviews (per rating)."}}),
                &["which"],
            )
        },
        output_schema: Some(output::totals_report),
        handler: totals_report,
    },
];

/// A report's period: a named one, or a range of calendar dates.
fn period_schema() -> Value {
    let date = |what: &str| json!({"type": "string", "minLength": 10, "maxLength": 10, "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": what});
    schema::object(
        {
            let mut m = lit!({
                "period": {"type": "string", "enum": ["week", "month", "last_month", "year"], "description": "A named period: week, month, last_month or year (not together with date_min/date_max)."}
            });
            m["date_min"] = date("First day of the range, YYYY-MM-DD (a real calendar date), e.g. 2025-03-01.");
            m["date_max"] = date("Last day of the range, YYYY-MM-DD, not before date_min (default: today).");
            m
        },
        &[],
    )
}

/// `date` if it is a real calendar date written YYYY-MM-DD: WooCommerce
/// refuses a time with it, and reads an impossible date (2025-13-01) as
/// some other one instead of refusing it.
fn calendar_date(args: &Value, key: &str) -> Result<Option<String>, Error> {
    let Some(s) = args.get(key).and_then(Value::as_str) else { return Ok(None) };
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape || utc_date_time(&format!("{s}T00:00:00")).is_err() {
        return Err(Error::invalid(key, "must be a real calendar date written YYYY-MM-DD, e.g. 2025-03-01"));
    }
    Ok(Some(s.to_string()))
}

/// The report query: `period`, or `date_min`/`date_max`, checked.
fn period_query(args: &Value) -> Result<Vec<(String, String)>, Error> {
    let min = calendar_date(args, "date_min")?;
    let max = calendar_date(args, "date_max")?;
    let mut q = vec![];
    if let Some(p) = args["period"].as_str() {
        if min.is_some() || max.is_some() {
            return Err(Error::invalid(
                "period",
                "give either period or date_min/date_max, not both (WooCommerce would ignore the dates)",
            ));
        }
        q.push(("period".to_string(), p.to_string()));
    }
    if let (Some(a), Some(b)) = (&min, &max)
        && a > b
    {
        return Err(Error::invalid("date_max", "must not be before date_min"));
    }
    q.extend(min.map(|d| ("date_min".to_string(), d)));
    q.extend(max.map(|d| ("date_max".to_string(), d)));
    Ok(q)
}

/// The report's records, without `_links`.
fn report(store: &mut dyn Store, path: &str, query: Vec<(String, String)>) -> Result<Vec<Value>, Error> {
    let body = store.send(&ApiRequest::get(path, query))?.body;
    let Value::Array(mut items) = body else {
        return Err(Error::Transport(format!(
            "the store answered {path} with {}, not a list",
            read::json_type_name(&body)
        )));
    };
    items.iter_mut().for_each(page::without_links);
    Ok(items)
}

/// WooCommerce answers a one-element list; the tool returns that element.
fn sales_report(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let q = period_query(args)?;
    report(store, "/reports/sales", q)?
        .into_iter()
        .next()
        .filter(Value::is_object)
        .ok_or_else(|| Error::Transport("the store answered /reports/sales without a report".into()))
}

fn top_sellers_report(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    let q = period_query(args)?;
    Ok(json!({"items": report(store, "/reports/top_sellers", q)?}))
}

fn totals_report(store: &mut dyn Store, args: &Value) -> Result<Value, Error> {
    // The schema's enum has already limited `which` to the five reports.
    let which = read::text(&args["which"]);
    let items = report(store, &format!("/reports/{which}/totals"), vec![])?;
    Ok(json!({"report": which, "items": items}))
}

#[cfg(test)]
mod tests {
    use super::super::{find, validate};
    use super::*;

    #[test]
    fn report_dates_are_real_calendar_dates_checked_before_any_request() {
        let q = period_query(&json!({"date_min": "2024-02-29", "date_max": "2024-03-31"})).unwrap();
        assert_eq!(q, [("date_min".to_string(), "2024-02-29".to_string()), ("date_max".into(), "2024-03-31".into())]);
        for (args, field) in [
            (json!({"date_min": "2025-02-29"}), "date_min"),
            (json!({"date_min": "2025-13-01"}), "date_min"),
            (json!({"date_max": "2025-03-01T00:00:00"}), "date_max"),
            (json!({"date_max": "2025-3-1"}), "date_max"),
            (json!({"date_min": "2025-03-02", "date_max": "2025-03-01"}), "date_max"),
            (json!({"period": "month", "date_max": "2025-03-01"}), "period"),
        ] {
            assert!(matches!(period_query(&args), Err(Error::InvalidInput { field: f, .. }) if f == field), "{args}");
        }
        assert_eq!(
            period_query(&json!({"period": "last_month"})).unwrap(),
            [("period".to_string(), "last_month".to_string())]
        );
        let schema = (find("get-sales-report").unwrap().schema)();
        assert!(validate(&schema, &json!({"period": "decade"})).is_err());
    }

    #[test]
    fn reports_as_the_real_store_answers_them_fit_their_output_schemas() {
        let sales = json!({"total_sales": "120.50", "net_sales": "100.00", "average_sales": "14.29", "total_orders": 3, "total_items": 5,
            "total_tax": "15.50", "total_shipping": "5.00", "total_refunds": 0, "total_discount": "0.00", "totals_grouped_by": "day",
            "totals": {"2026-12-05": {"sales": "120.50", "orders": 3, "items": 5, "tax": "15.50", "shipping": "5.00", "discount": "0.00", "customers": 0, "refunds": "0.00"}},
            "total_customers": 0});
        validate(&output::sales_report(), &sales).unwrap();
        let top = json!({"items": [{"name": "Classic Mug 1", "product_id": 11, "quantity": 4}]});
        validate(&output::top_sellers_report(), &top).unwrap();
        let totals = json!({"report": "orders", "items": [{"slug": "pending", "name": "Pending payment", "total": 5}]});
        validate(&output::totals_report(), &totals).unwrap();
        assert!(validate(&output::totals_report(), &json!({"items": []})).is_err(), "report is always named");
    }
}
