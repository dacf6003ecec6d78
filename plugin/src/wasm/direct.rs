//! The exported `direct` interface (workflow mode): each typed function
//! becomes the JSON arguments of the agent-mode tool of the same name
//! (`tools::direct::args`), so both doors share one validator and one
//! handler. The WIT enums become the names the tools' schemas list.

use super::Component;
use super::call::{to_wit, with_client};
use super::exports::woo::connector::direct as wit_direct;
use super::woo::connector::types as wit;
use crate::client::{Error, Method};
use crate::tools::{self, direct};
use serde_json::{Value, json};

/// Run tool `name` with the typed arguments merged into its JSON object.
fn run(name: &str, parts: &[Value]) -> Result<Value, wit::Error> {
    let args = direct::args(parts);
    with_client(|c, host| tools::call(c, host, name, &args))
}

fn json_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A paging record as the list tools take it: the sort field and direction
/// as their names.
fn paging_json(paging: &Option<wit_direct::Paging>) -> Value {
    let mut v = json_of(paging);
    if let (Some(p), Value::Object(m)) = (paging, &mut v) {
        m.insert("orderby".into(), json!(p.orderby.map(orderby_name)));
        m.insert("order".into(), json!(p.order.map(sort_order_name)));
    }
    v
}

fn orderby_name(o: wit_direct::Orderby) -> &'static str {
    match o {
        wit_direct::Orderby::Date => "date",
        wit_direct::Orderby::Id => "id",
        wit_direct::Orderby::Include => "include",
        wit_direct::Orderby::Title => "title",
        wit_direct::Orderby::Slug => "slug",
        wit_direct::Orderby::Modified => "modified",
        wit_direct::Orderby::Name => "name",
    }
}

fn sort_order_name(o: wit_direct::SortOrder) -> &'static str {
    match o {
        wit_direct::SortOrder::Asc => "asc",
        wit_direct::SortOrder::Desc => "desc",
    }
}

fn product_type_name(t: wit_direct::ProductType) -> &'static str {
    match t {
        wit_direct::ProductType::Simple => "simple",
        wit_direct::ProductType::Grouped => "grouped",
        wit_direct::ProductType::External => "external",
        wit_direct::ProductType::Variable => "variable",
    }
}

fn http_method(m: wit_direct::HttpMethod) -> Method {
    match m {
        wit_direct::HttpMethod::Get => Method::Get,
        wit_direct::HttpMethod::Post => Method::Post,
        wit_direct::HttpMethod::Put => Method::Put,
        wit_direct::HttpMethod::Patch => Method::Patch,
        wit_direct::HttpMethod::Delete => Method::Delete,
    }
}

fn page_of(v: Result<Value, wit::Error>) -> Result<wit_direct::Page, wit::Error> {
    let l = tools::Listing::from_json(&v?);
    Ok(wit_direct::Page {
        items: Value::Array(l.page.items).to_string(),
        page: l.page.page,
        per_page: l.per_page,
        total: l.page.total,
        total_pages: u32::try_from(l.page.total_pages).unwrap_or(u32::MAX),
        truncated: l.truncated.unwrap_or(false),
    })
}

fn text_of(v: Result<Value, wit::Error>) -> Result<String, wit::Error> {
    v.map(|v| v.to_string())
}

impl wit_direct::Guest for Component {
    fn list_orders(
        paging: Option<wit_direct::Paging>,
        dates: Option<wit_direct::Dates>,
        status: Option<String>,
        customer: Option<u64>,
        product: Option<u64>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run(
            "list-orders",
            &[
                paging_json(&paging),
                json_of(&dates),
                json!({"status": status, "customer": customer, "product": product}),
            ],
        ))
    }
    fn get_order(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-order", &[json!({"id": id})]))
    }
    fn update_order(
        id: u64,
        status: Option<String>,
        customer_note: Option<String>,
        meta_data: Option<Vec<wit_direct::Meta>>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "update-order",
            &[json!({"id": id, "status": status, "customer_note": customer_note, "meta_data": json_of(&meta_data)})],
        ))
    }
    fn list_products(
        paging: Option<wit_direct::Paging>,
        dates: Option<wit_direct::Dates>,
        status: Option<String>,
        product_type: Option<wit_direct::ProductType>,
        category: Option<u64>,
        sku: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run(
            "list-products",
            &[
                paging_json(&paging),
                json_of(&dates),
                json!({"status": status, "type": product_type.map(product_type_name), "category": category, "sku": sku}),
            ],
        ))
    }
    fn get_product(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-product", &[json!({"id": id})]))
    }
    fn create_product(
        fields: wit_direct::ProductFields,
        product_type: Option<wit_direct::ProductType>,
        attributes: Option<Vec<wit_direct::Attribute>>,
        variations: Option<Vec<wit_direct::NewVariation>>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-product",
            &[
                json_of(&fields),
                json!({"type": product_type.map(product_type_name), "attributes": json_of(&attributes), "variations": json_of(&variations)}),
            ],
        ))
    }
    fn update_product(id: u64, fields: wit_direct::ProductFields) -> Result<String, wit::Error> {
        text_of(run("update-product", &[json!({"id": id}), json_of(&fields)]))
    }
    fn list_customers(
        paging: Option<wit_direct::Paging>,
        email: Option<String>,
        role: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-customers", &[paging_json(&paging), json!({"email": email, "role": role})]))
    }
    fn get_customer(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-customer", &[json!({"id": id})]))
    }
    fn create_customer(fields: wit_direct::CustomerFields) -> Result<String, wit::Error> {
        text_of(run("create-customer", &[json_of(&fields)]))
    }
    fn update_customer(id: u64, fields: wit_direct::CustomerFields) -> Result<String, wit::Error> {
        text_of(run("update-customer", &[json!({"id": id}), json_of(&fields)]))
    }
    fn list_coupons(paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-coupons", &[paging_json(&paging)]))
    }
    fn list_categories(paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-categories", &[paging_json(&paging)]))
    }
    fn list_product_variations(
        product_id: u64,
        paging: Option<wit_direct::Paging>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-product-variations", &[json!({"product_id": product_id}), paging_json(&paging)]))
    }
    fn update_product_variation(
        product_id: u64,
        id: u64,
        fields: wit_direct::VariationFields,
    ) -> Result<String, wit::Error> {
        text_of(run("update-product-variation", &[json!({"product_id": product_id, "id": id}), json_of(&fields)]))
    }
    fn list_order_refunds(order_id: u64, paging: Option<wit_direct::Paging>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-order-refunds", &[json!({"order_id": order_id}), paging_json(&paging)]))
    }
    fn create_order_refund(
        order_id: u64,
        amount: String,
        reason: Option<String>,
        api_refund: Option<bool>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-order-refund",
            &[json!({"order_id": order_id, "amount": amount, "reason": reason, "api_refund": api_refund})],
        ))
    }
    fn add_order_note(order_id: u64, note: String, customer_note: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("add-order-note", &[json!({"order_id": order_id, "note": note, "customer_note": customer_note})]))
    }
    fn push_stock(items: Vec<wit_direct::StockLine>) -> Result<String, wit::Error> {
        let items: Vec<Value> = items
            .into_iter()
            .map(|l| match l.target {
                wit_direct::StockRef::Sku(sku) => json!({"sku": sku, "quantity": l.quantity}),
                wit_direct::StockRef::Product(id) => json!({"product_id": id, "quantity": l.quantity}),
                wit_direct::StockRef::Variation(id) => json!({"variation_id": id, "quantity": l.quantity}),
            })
            .collect();
        text_of(run("push-stock", &[json!({"items": items})]))
    }
    fn push_shipment(
        order_id: u64,
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "push-shipment",
            &[
                json!({"order_id": order_id, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url}),
            ],
        ))
    }
    fn push_contact(contact_id: String, set: Vec<(String, String)>) -> Result<String, wit::Error> {
        let set: serde_json::Map<String, Value> = set.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        text_of(run("push-contact", &[json!({"contact_id": contact_id, "set": set})]))
    }
    fn update_stock(target: wit_direct::StockTarget, quantity: i64) -> Result<String, wit::Error> {
        let t = match target {
            wit_direct::StockTarget::Product(id) => json!({"product_id": id}),
            wit_direct::StockTarget::Variation((p, v)) => json!({"product_id": p, "variation_id": v}),
            wit_direct::StockTarget::Sku(sku) => json!({"sku": sku}),
        };
        text_of(run("update-stock", &[t, json!({"quantity": quantity})]))
    }
    fn batch_update_products(update: Vec<wit_direct::ProductUpdate>) -> Result<String, wit::Error> {
        text_of(run("batch-update-products", &[json!({"update": json_of(&update)})]))
    }
    // ---- orders, notes, refunds, products, variations, customers, coupons (CRUD) ----

    // ---- categories, tags, attributes, attribute terms, reviews ----

    // ---- shipping, tax, payments, settings, reports, system, webhooks, data ----

    fn raw_api_request(
        method: wit_direct::HttpMethod,
        path: String,
        query: Vec<(String, String)>,
        body: Option<String>,
    ) -> Result<String, wit::Error> {
        let body = match body {
            Some(b) => Some(
                serde_json::from_str::<Value>(&b)
                    .map_err(|e| to_wit(Error::invalid("body", format!("is not JSON: {e}"))))?,
            ),
            None => None,
        };
        let query: serde_json::Map<String, Value> = query.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        text_of(run(
            "raw-api-request",
            &[json!({"method": http_method(method).as_str(), "path": path, "query": query, "body": body})],
        ))
    }
}
