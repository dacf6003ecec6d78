//! The exported `direct` interface (workflow mode): each typed function
//! becomes the JSON arguments of the agent-mode tool of the same name
//! (`tools::direct::args`), so both doors share one validator and one
//! handler. The WIT enums become the names the tools' schemas list.

use super::Component;
use super::call::{to_wit, with_client};
use super::exports::woo::connector::direct as wit_direct;
use super::woo::connector::types as wit;
use crate::client::{Error, Method};
use crate::read;
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

// ---- orders, notes, refunds, products, variations, customers, coupons (CRUD) ----

fn order_status_name(s: wit_direct::OrderStatus) -> &'static str {
    match s {
        wit_direct::OrderStatus::Pending => "pending",
        wit_direct::OrderStatus::Processing => "processing",
        wit_direct::OrderStatus::OnHold => "on-hold",
        wit_direct::OrderStatus::Completed => "completed",
        wit_direct::OrderStatus::Cancelled => "cancelled",
        wit_direct::OrderStatus::Refunded => "refunded",
        wit_direct::OrderStatus::Failed => "failed",
    }
}

/// A coupon-fields record as the coupon tools take it: the discount type as its name.
fn coupon_json(fields: &wit_direct::CouponFields) -> Value {
    let mut v = json_of(fields);
    v["discount_type"] = json!(fields.discount_type.map(|t| match t {
        wit_direct::DiscountType::Percent => "percent",
        wit_direct::DiscountType::FixedCart => "fixed_cart",
        wit_direct::DiscountType::FixedProduct => "fixed_product",
    }));
    v
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

/// A refused item, from a batch answer (`{id, error: {code, message}}`) or a
/// stock push (`{id, code, message}`).
fn item_error(v: &Value) -> wit_direct::ItemError {
    let e = if v["error"].is_object() { &v["error"] } else { v };
    wit_direct::ItemError { id: read::id(&v["id"]), code: read::text(&e["code"]), message: read::text(&e["message"]) }
}

fn errors_of(v: &Value) -> Vec<wit_direct::ItemError> {
    read::list(&v["errors"]).iter().map(item_error).collect()
}

fn stock_push_of(v: Result<Value, wit::Error>) -> Result<wit_direct::StockPush, wit::Error> {
    let v = v?;
    let updated = read::list(&v["updated"])
        .iter()
        .map(|u| wit_direct::StockSet {
            id: read::id(&u["id"]).unwrap_or(0),
            kind: read::text(&u["type"]),
            sku: u["sku"].as_str().filter(|s| !s.is_empty()).map(str::to_string),
            stock_quantity: u["stock_quantity"].as_i64(),
            stock_status: read::text(&u["stock_status"]),
        })
        .collect();
    Ok(wit_direct::StockPush { updated, errors: errors_of(&v) })
}

fn shipment_of(v: Result<Value, wit::Error>) -> Result<wit_direct::Shipment, wit::Error> {
    let v = v?;
    Ok(wit_direct::Shipment {
        order_id: read::id(&v["order_id"]).unwrap_or(0),
        already_sent: v["already_sent"].as_bool().unwrap_or(false),
        marker: read::text(&v["marker"]),
        note_id: read::id(&v["note_id"]),
        status: read::text(&v["status"]),
    })
}

fn contact_push_of(v: Result<Value, wit::Error>) -> Result<wit_direct::ContactPush, wit::Error> {
    let v = v?;
    Ok(wit_direct::ContactPush {
        contact_id: read::text(&v["contact_id"]),
        contact: (!v["contact"].is_null()).then(|| v["contact"].to_string()),
        customer: v["customer"].to_string(),
    })
}

fn batch_of(v: Result<Value, wit::Error>) -> Result<wit_direct::BatchResult, wit::Error> {
    let v = v?;
    Ok(wit_direct::BatchResult {
        updated: Value::Array(read::list(&v["updated"]).to_vec()).to_string(),
        errors: errors_of(&v),
        requests: read::id(&v["requests"]).and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
    })
}

fn text_of(v: Result<Value, wit::Error>) -> Result<String, wit::Error> {
    v.map(|v| v.to_string())
}

// ---- categories, tags, attributes, attribute terms, reviews ----

/// A term-filters record as the term list tools take it: the sort field as its name.
fn term_filters_json(filters: &Option<wit_direct::TermFilters>) -> Value {
    let Some(f) = filters else { return Value::Null };
    let orderby = f.orderby.map(|o| match o {
        wit_direct::TermOrderby::Id => "id",
        wit_direct::TermOrderby::Include => "include",
        wit_direct::TermOrderby::Name => "name",
        wit_direct::TermOrderby::Slug => "slug",
        wit_direct::TermOrderby::TermGroup => "term_group",
        wit_direct::TermOrderby::Description => "description",
        wit_direct::TermOrderby::Count => "count",
    });
    json!({"hide_empty": f.hide_empty, "product": f.product, "slug": f.slug, "exclude": f.exclude, "orderby": orderby})
}

/// A category-fields record as the category tools take it: the display as its name.
fn category_json(fields: &Option<wit_direct::CategoryFields>) -> Value {
    let Some(f) = fields else { return Value::Null };
    let display = f.display.map(|d| match d {
        wit_direct::CategoryDisplay::Default => "default",
        wit_direct::CategoryDisplay::Products => "products",
        wit_direct::CategoryDisplay::Subcategories => "subcategories",
        wit_direct::CategoryDisplay::Both => "both",
    });
    json!({"slug": f.slug, "parent": f.parent, "description": f.description, "display": display, "image": json_of(&f.image)})
}

fn review_status_name(s: wit_direct::ReviewStatus) -> &'static str {
    match s {
        wit_direct::ReviewStatus::Approved => "approved",
        wit_direct::ReviewStatus::Hold => "hold",
        wit_direct::ReviewStatus::Spam => "spam",
        wit_direct::ReviewStatus::Unspam => "unspam",
        wit_direct::ReviewStatus::Trash => "trash",
        wit_direct::ReviewStatus::Untrash => "untrash",
    }
}

/// A review-filters record as `list-reviews` takes it: enums as their names.
fn review_filters_json(filters: &Option<wit_direct::ReviewFilters>) -> Value {
    let Some(f) = filters else { return Value::Null };
    let status = f.status.map(|s| match s {
        wit_direct::ReviewListStatus::All => "all",
        wit_direct::ReviewListStatus::Approved => "approved",
        wit_direct::ReviewListStatus::Hold => "hold",
        wit_direct::ReviewListStatus::Spam => "spam",
        wit_direct::ReviewListStatus::Trash => "trash",
    });
    let orderby = f.orderby.map(|o| match o {
        wit_direct::ReviewOrderby::Date => "date",
        wit_direct::ReviewOrderby::DateGmt => "date_gmt",
        wit_direct::ReviewOrderby::Id => "id",
        wit_direct::ReviewOrderby::Include => "include",
        wit_direct::ReviewOrderby::Product => "product",
    });
    let mut v = json_of(f);
    v["status"] = json!(status);
    v["orderby"] = json!(orderby);
    v
}

/// A report's period arguments (shipping, tax, payments, settings, reports, system, webhooks, data).
fn report_period_json(
    period: Option<wit_direct::ReportPeriod>,
    date_min: Option<String>,
    date_max: Option<String>,
) -> Value {
    let period = period.map(|p| match p {
        wit_direct::ReportPeriod::Week => "week",
        wit_direct::ReportPeriod::Month => "month",
        wit_direct::ReportPeriod::LastMonth => "last_month",
        wit_direct::ReportPeriod::Year => "year",
    });
    json!({"period": period, "date_min": date_min, "date_max": date_max})
}

fn webhook_status_name(s: wit_direct::WebhookStatus) -> &'static str {
    match s {
        wit_direct::WebhookStatus::Active => "active",
        wit_direct::WebhookStatus::Paused => "paused",
        wit_direct::WebhookStatus::Disabled => "disabled",
    }
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
    fn list_coupons(
        paging: Option<wit_direct::Paging>,
        dates: Option<wit_direct::Dates>,
        code: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-coupons", &[paging_json(&paging), json_of(&dates), json!({"code": code})]))
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
    fn push_stock(items: Vec<wit_direct::StockLine>) -> Result<wit_direct::StockPush, wit::Error> {
        let items: Vec<Value> = items
            .into_iter()
            .map(|l| match l.target {
                wit_direct::StockRef::Sku(sku) => json!({"sku": sku, "quantity": l.quantity}),
                wit_direct::StockRef::Product(id) => json!({"product_id": id, "quantity": l.quantity}),
                wit_direct::StockRef::Variation(id) => json!({"variation_id": id, "quantity": l.quantity}),
            })
            .collect();
        stock_push_of(run("push-stock", &[json!({"items": items})]))
    }
    fn push_shipment(
        order_id: u64,
        carrier: String,
        tracking_number: String,
        tracking_url: Option<String>,
    ) -> Result<wit_direct::Shipment, wit::Error> {
        shipment_of(run(
            "push-shipment",
            &[
                json!({"order_id": order_id, "carrier": carrier, "tracking_number": tracking_number, "tracking_url": tracking_url}),
            ],
        ))
    }
    fn push_contact(contact_id: String, set: Vec<(String, String)>) -> Result<wit_direct::ContactPush, wit::Error> {
        let set: serde_json::Map<String, Value> = set.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        contact_push_of(run("push-contact", &[json!({"contact_id": contact_id, "set": set})]))
    }
    fn update_stock(target: wit_direct::StockTarget, quantity: i64) -> Result<String, wit::Error> {
        let t = match target {
            wit_direct::StockTarget::Product(id) => json!({"product_id": id}),
            wit_direct::StockTarget::Variation((p, v)) => json!({"product_id": p, "variation_id": v}),
            wit_direct::StockTarget::Sku(sku) => json!({"sku": sku}),
        };
        text_of(run("update-stock", &[t, json!({"quantity": quantity})]))
    }
    fn batch_update_products(update: Vec<wit_direct::ProductUpdate>) -> Result<wit_direct::BatchResult, wit::Error> {
        batch_of(run("batch-update-products", &[json!({"update": json_of(&update)})]))
    }
    // ---- orders, notes, refunds, products, variations, customers, coupons (CRUD) ----
    fn create_order(
        fields: wit_direct::OrderFields,
        line_items: Vec<wit_direct::OrderLine>,
        shipping_lines: Option<Vec<wit_direct::ShippingLine>>,
        fee_lines: Option<Vec<wit_direct::FeeLine>>,
        coupon_codes: Option<Vec<String>>,
        set_paid: Option<bool>,
    ) -> Result<String, wit::Error> {
        let lines: Vec<Value> = line_items
            .into_iter()
            .map(|l| match l.product {
                wit_direct::LineProduct::Product(id) => json!({"product_id": id, "quantity": l.quantity}),
                wit_direct::LineProduct::Variation((p, v)) => {
                    json!({"product_id": p, "variation_id": v, "quantity": l.quantity})
                }
                wit_direct::LineProduct::Sku(sku) => json!({"sku": sku, "quantity": l.quantity}),
            })
            .collect();
        let coupons = coupon_codes.map(|c| c.into_iter().map(|code| json!({"code": code})).collect::<Vec<_>>());
        let mut fields_json = json_of(&fields);
        fields_json["status"] = json!(fields.status.map(order_status_name));
        text_of(run(
            "create-order",
            &[
                fields_json,
                json!({"line_items": lines, "shipping_lines": json_of(&shipping_lines), "fee_lines": json_of(&fee_lines),
                    "coupon_lines": coupons, "set_paid": set_paid}),
            ],
        ))
    }
    fn delete_order(id: u64, force: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("delete-order", &[json!({"id": id, "force": force})]))
    }
    fn batch_update_orders(update: Vec<wit_direct::OrderUpdate>) -> Result<wit_direct::BatchResult, wit::Error> {
        batch_of(run("batch-update-orders", &[json!({"update": json_of(&update)})]))
    }
    fn list_order_notes(
        order_id: u64,
        note_type: Option<wit_direct::NoteType>,
        fields: Option<Vec<String>>,
    ) -> Result<wit_direct::Page, wit::Error> {
        let note_type = note_type.map(|t| match t {
            wit_direct::NoteType::Any => "any",
            wit_direct::NoteType::Customer => "customer",
            wit_direct::NoteType::Internal => "internal",
        });
        page_of(run("list-order-notes", &[json!({"order_id": order_id, "type": note_type, "fields": fields})]))
    }
    fn delete_order_note(order_id: u64, id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-order-note", &[json!({"order_id": order_id, "id": id, "force": true})]))
    }
    fn delete_order_refund(order_id: u64, id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-order-refund", &[json!({"order_id": order_id, "id": id, "force": true})]))
    }
    fn delete_product(id: u64, force: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("delete-product", &[json!({"id": id, "force": force})]))
    }
    fn get_product_variation(product_id: u64, id: u64) -> Result<String, wit::Error> {
        text_of(run("get-product-variation", &[json!({"product_id": product_id, "id": id})]))
    }
    fn create_product_variation(
        product_id: u64,
        attributes: Vec<wit_direct::VariationAttribute>,
        fields: wit_direct::VariationFields,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-product-variation",
            &[json!({"product_id": product_id, "attributes": json_of(&attributes)}), json_of(&fields)],
        ))
    }
    fn delete_product_variation(product_id: u64, id: u64, force: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("delete-product-variation", &[json!({"product_id": product_id, "id": id, "force": force})]))
    }
    fn delete_customer(id: u64, reassign: Option<u64>) -> Result<String, wit::Error> {
        text_of(run("delete-customer", &[json!({"id": id, "force": true, "reassign": reassign})]))
    }
    fn get_coupon(id: u64) -> Result<String, wit::Error> {
        text_of(run("get-coupon", &[json!({"id": id})]))
    }
    fn create_coupon(fields: wit_direct::CouponFields) -> Result<String, wit::Error> {
        text_of(run("create-coupon", &[coupon_json(&fields)]))
    }
    fn update_coupon(id: u64, fields: wit_direct::CouponFields) -> Result<String, wit::Error> {
        text_of(run("update-coupon", &[json!({"id": id}), coupon_json(&fields)]))
    }
    fn delete_coupon(id: u64, force: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("delete-coupon", &[json!({"id": id, "force": force})]))
    }

    // ---- categories, tags, attributes, attribute terms, reviews ----
    fn list_categories(
        paging: Option<wit_direct::Paging>,
        filters: Option<wit_direct::TermFilters>,
        parent: Option<u64>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-categories", &[paging_json(&paging), term_filters_json(&filters), json!({"parent": parent})]))
    }
    fn create_category(name: String, fields: Option<wit_direct::CategoryFields>) -> Result<String, wit::Error> {
        text_of(run("create-category", &[json!({"name": name}), category_json(&fields)]))
    }
    fn update_category(
        id: u64,
        name: Option<String>,
        fields: Option<wit_direct::CategoryFields>,
    ) -> Result<String, wit::Error> {
        text_of(run("update-category", &[json!({"id": id, "name": name}), category_json(&fields)]))
    }
    fn delete_category(id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-category", &[json!({"id": id, "force": true})]))
    }
    fn list_tags(
        paging: Option<wit_direct::Paging>,
        filters: Option<wit_direct::TermFilters>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-tags", &[paging_json(&paging), term_filters_json(&filters)]))
    }
    fn create_tag(name: String, slug: Option<String>, description: Option<String>) -> Result<String, wit::Error> {
        text_of(run("create-tag", &[json!({"name": name, "slug": slug, "description": description})]))
    }
    fn delete_tag(id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-tag", &[json!({"id": id, "force": true})]))
    }
    fn list_attributes(fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-attributes", &[json!({"fields": fields})]))
    }
    fn create_attribute(
        name: String,
        slug: Option<String>,
        order_by: Option<wit_direct::AttributeOrderBy>,
        has_archives: Option<bool>,
    ) -> Result<String, wit::Error> {
        let order_by = order_by.map(|o| match o {
            wit_direct::AttributeOrderBy::MenuOrder => "menu_order",
            wit_direct::AttributeOrderBy::Name => "name",
            wit_direct::AttributeOrderBy::NameNum => "name_num",
            wit_direct::AttributeOrderBy::Id => "id",
        });
        text_of(run(
            "create-attribute",
            &[json!({"name": name, "slug": slug, "order_by": order_by, "has_archives": has_archives})],
        ))
    }
    fn delete_attribute(id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-attribute", &[json!({"id": id, "force": true})]))
    }
    fn list_attribute_terms(
        attribute_id: u64,
        paging: Option<wit_direct::Paging>,
        filters: Option<wit_direct::TermFilters>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run(
            "list-attribute-terms",
            &[json!({"attribute_id": attribute_id}), paging_json(&paging), term_filters_json(&filters)],
        ))
    }
    fn create_attribute_term(
        attribute_id: u64,
        name: String,
        slug: Option<String>,
        description: Option<String>,
        menu_order: Option<i32>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-attribute-term",
            &[
                json!({"attribute_id": attribute_id, "name": name, "slug": slug, "description": description, "menu_order": menu_order}),
            ],
        ))
    }
    fn delete_attribute_term(attribute_id: u64, id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-attribute-term", &[json!({"attribute_id": attribute_id, "id": id, "force": true})]))
    }
    fn list_reviews(
        paging: Option<wit_direct::Paging>,
        filters: Option<wit_direct::ReviewFilters>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-reviews", &[paging_json(&paging), review_filters_json(&filters)]))
    }
    fn create_review(
        product_id: u64,
        review: String,
        reviewer: String,
        reviewer_email: String,
        rating: Option<u8>,
        status: Option<wit_direct::ReviewStatus>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-review",
            &[
                json!({"product_id": product_id, "review": review, "reviewer": reviewer, "reviewer_email": reviewer_email,
                "rating": rating, "status": status.map(review_status_name)}),
            ],
        ))
    }
    fn update_review(id: u64, fields: wit_direct::ReviewFields) -> Result<String, wit::Error> {
        let mut f = json_of(&fields);
        f["status"] = json!(fields.status.map(review_status_name));
        text_of(run("update-review", &[json!({"id": id}), f]))
    }
    fn delete_review(id: u64, force: Option<bool>) -> Result<String, wit::Error> {
        text_of(run("delete-review", &[json!({"id": id, "force": force})]))
    }

    // ---- shipping, tax, payments, settings, reports, system, webhooks, data ----
    fn list_shipping_zones(fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-shipping-zones", &[json!({"fields": fields})]))
    }
    fn list_shipping_classes(
        paging: Option<wit_direct::Paging>,
        hide_empty: Option<bool>,
        product: Option<u64>,
        slug: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run(
            "list-shipping-classes",
            &[paging_json(&paging), json!({"hide_empty": hide_empty, "product": product, "slug": slug})],
        ))
    }
    fn list_tax_rates(
        paging: Option<wit_direct::Paging>,
        tax_class: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-tax-rates", &[paging_json(&paging), json!({"class": tax_class})]))
    }
    fn list_tax_classes(fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-tax-classes", &[json!({"fields": fields})]))
    }
    fn list_payment_gateways(fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-payment-gateways", &[json!({"fields": fields})]))
    }
    fn update_payment_gateway(
        id: String,
        enabled: Option<bool>,
        title: Option<String>,
        description: Option<String>,
        order: Option<u32>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "update-payment-gateway",
            &[json!({"id": id, "enabled": enabled, "title": title, "description": description, "order": order})],
        ))
    }
    fn list_settings(fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-settings", &[json!({"fields": fields})]))
    }
    fn get_settings(group: String, fields: Option<Vec<String>>) -> Result<String, wit::Error> {
        text_of(run("get-settings", &[json!({"group": group, "fields": fields})]))
    }
    fn get_sales_report(
        period: Option<wit_direct::ReportPeriod>,
        date_min: Option<String>,
        date_max: Option<String>,
    ) -> Result<wit_direct::SalesReport, wit::Error> {
        let r = run("get-sales-report", &[report_period_json(period, date_min, date_max)])?;
        let count = |k: &str| crate::read::id(&r[k]).unwrap_or(0);
        let text = |k: &str| crate::read::text(&r[k]);
        Ok(wit_direct::SalesReport {
            total_sales: text("total_sales"),
            net_sales: text("net_sales"),
            average_sales: text("average_sales"),
            total_orders: count("total_orders"),
            total_items: count("total_items"),
            total_tax: text("total_tax"),
            total_shipping: text("total_shipping"),
            total_refunds: crate::read::money(&r["total_refunds"]).unwrap_or_else(|| text("total_refunds")),
            total_discount: text("total_discount"),
            totals_grouped_by: text("totals_grouped_by"),
            totals: r["totals"].to_string(),
            total_customers: count("total_customers"),
        })
    }
    fn get_top_sellers_report(
        period: Option<wit_direct::ReportPeriod>,
        date_min: Option<String>,
        date_max: Option<String>,
    ) -> Result<Vec<wit_direct::TopSeller>, wit::Error> {
        let r = run("get-top-sellers-report", &[report_period_json(period, date_min, date_max)])?;
        Ok(crate::read::list(&r["items"])
            .iter()
            .map(|s| wit_direct::TopSeller {
                name: crate::read::name(&s["name"]),
                product_id: crate::read::id(&s["product_id"]).unwrap_or(0),
                quantity: s["quantity"].as_i64().unwrap_or(0),
            })
            .collect())
    }
    fn get_totals_report(which: wit_direct::TotalsReport) -> Result<Vec<wit_direct::ReportTotal>, wit::Error> {
        let which = match which {
            wit_direct::TotalsReport::Orders => "orders",
            wit_direct::TotalsReport::Products => "products",
            wit_direct::TotalsReport::Customers => "customers",
            wit_direct::TotalsReport::Coupons => "coupons",
            wit_direct::TotalsReport::Reviews => "reviews",
        };
        let r = run("get-totals-report", &[json!({"which": which})])?;
        Ok(crate::read::list(&r["items"])
            .iter()
            .map(|t| wit_direct::ReportTotal {
                slug: crate::read::text(&t["slug"]),
                name: crate::read::name(&t["name"]),
                total: crate::read::id(&t["total"]).unwrap_or(0),
            })
            .collect())
    }
    fn get_system_status(fields: Option<Vec<String>>) -> Result<String, wit::Error> {
        text_of(run("get-system-status", &[json!({"fields": fields})]))
    }
    fn list_webhooks(
        paging: Option<wit_direct::Paging>,
        status: Option<wit_direct::WebhookStatus>,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<wit_direct::Page, wit::Error> {
        page_of(run(
            "list-webhooks",
            &[
                paging_json(&paging),
                json!({"status": status.map(webhook_status_name), "after": after, "before": before}),
            ],
        ))
    }
    fn create_webhook(
        topic: String,
        delivery_url: String,
        name: Option<String>,
        secret: Option<String>,
    ) -> Result<String, wit::Error> {
        text_of(run(
            "create-webhook",
            &[json!({"topic": topic, "delivery_url": delivery_url, "name": name, "secret": secret})],
        ))
    }
    fn delete_webhook(id: u64) -> Result<String, wit::Error> {
        text_of(run("delete-webhook", &[json!({"id": id, "force": true})]))
    }
    fn list_countries(code: Option<String>, fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-countries", &[json!({"code": code, "fields": fields})]))
    }
    fn list_currencies(code: Option<String>, fields: Option<Vec<String>>) -> Result<wit_direct::Page, wit::Error> {
        page_of(run("list-currencies", &[json!({"code": code, "fields": fields})]))
    }

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
