//! Customers: registered shoppers (guests have no customer record), and the
//! write-back of a platform contact to its customer.

use super::registry::{Annotations, Tool};
use super::{output, page, rest, schema};
use crate::client::{ApiRequest, Method};
use serde_json::{Map, Value, json};

/// The customer tools.
pub(super) const TOOLS: &[Tool] = &[
    Tool {
        name: "list-customers",
        title: "List customers",
        description: "List registered customers. WooCommerce lists only role `customer` unless `role` is given (`all` for every role). There is no date filter on customers. Returns {items, page, per_page, total, total_pages}.",
        annotations: Annotations::READ,
        schema: list_schema,
        output_schema: Some(output::listing),
        handler: |store, args| {
            rest::check_slugs(args, "role", false)?;
            page::list(store, "/customers", args)
        },
    },
    Tool {
        name: "get-customer",
        title: "Get a customer",
        description: "Fetch one registered customer by id (guests have no customer record; find them through their orders).",
        annotations: Annotations::READ,
        schema: schema::id,
        output_schema: None,
        handler: |store, args| rest::get(store, format!("/customers/{}", rest::num(args, "id"))),
    },
    Tool {
        name: "create-customer",
        title: "Register a customer",
        description: "Register a customer by email, with optional names and billing/shipping addresses. Fails if the email is already registered.",
        annotations: Annotations::ADD,
        schema: || schema::object(customer_fields(), &["email"]),
        output_schema: None,
        handler: |store, args| rest::write(store, Method::Post, "/customers".into(), args.clone()),
    },
    Tool {
        name: "update-customer",
        title: "Update a customer",
        description: "Change a registered customer: email, names, billing or shipping address. Guests have no customer record and cannot be updated.",
        annotations: Annotations::SET,
        schema: update_schema,
        output_schema: None,
        handler: |store, args| {
            let path = format!("/customers/{}", rest::num(args, "id"));
            rest::write(store, Method::Put, path, rest::without(args, &["id"]))
        },
    },
    Tool {
        name: "delete-customer",
        title: "Delete a customer",
        description: "Delete a registered customer's account, for good: customers are WordPress users and have no trash, so `force` must be true. Their orders stay (as orders of a deleted customer); `reassign` gives the posts they authored to another user. Returns the customer as it was.",
        annotations: Annotations::DESTRUCTIVE,
        schema: delete_schema,
        output_schema: None,
        handler: |store, args| {
            // Users have no trash: `force` is required true by the schema.
            let mut query = vec![("force".to_string(), "true".to_string())];
            if let Some(to) = args["reassign"].as_u64() {
                query.push(("reassign".into(), to.to_string()));
            }
            let path = format!("/customers/{}", rest::num(args, "id"));
            let req = ApiRequest { method: Method::Delete, path, query, body: None, replay_safe: false };
            Ok(store.send(&req)?.body)
        },
    },
    Tool {
        name: "push-contact",
        title: "Update a customer from a contact",
        description: "Update a registered customer from the platform contact (names, email, phone, billing/shipping address fields). Guests (woo:guest:…) have no customer and are refused. The stored contact is updated at once, and the store's echo of the change is not reported as a new change.",
        annotations: Annotations::SET,
        schema: push_contact_schema,
        output_schema: Some(output::push_contact),
        handler: |store, args| {
            store
                .push_contact(args["contact_id"].as_str().unwrap_or(""), args["set"].as_object().unwrap_or(&Map::new()))
        },
    },
];

fn list_schema() -> Value {
    schema::list({
        let mut m = lit!({
            "email": {"type": "string", "maxLength": 320, "description": "Only the customer with this email."},
            "role": {"type": "string", "maxLength": 100, "pattern": "^[a-z0-9_-]+$", "description": "customer (default), subscriber, shop_manager, administrator, editor, author, contributor, a role a plugin adds, or all."},
            "orderby": {"type": "string", "enum": ["id", "include", "name", "registered_date"], "description": "Sort by this field (default name; customers cannot be sorted by date)."},
            "order": {"type": "string", "enum": ["asc", "desc"], "description": "Sort direction: asc (the default for customers) or desc."}
        });
        m["exclude"] = schema::exclude();
        m
    })
}

fn delete_schema() -> Value {
    let mut s = schema::delete("The customer to delete.", schema::Trash::None);
    s["properties"]["reassign"] = lit!({"type": "integer", "minimum": 1, "description": "The user who takes over the posts the customer authored (orders are not reassigned)."});
    s
}

/// The fields of a customer that the create and update tools set.
fn customer_fields() -> Value {
    let mut m = lit!({
        "email": {"type": "string", "format": "email", "minLength": 3, "maxLength": 320, "description": "The customer's email (their login)."},
        "first_name": {"type": "string", "maxLength": 200, "description": "First name."},
        "last_name": {"type": "string", "maxLength": 200, "description": "Last name."},
        "username": {"type": "string", "maxLength": 60, "description": "Login name (WooCommerce derives one from the email when not given)."}
    });
    m["billing"] = schema::address("Billing address; its email and phone are the customer's contact details.");
    m["shipping"] = schema::address("Shipping address.");
    m["meta_data"] = schema::meta_data();
    m
}

fn update_schema() -> Value {
    let mut p = customer_fields();
    p["id"] = lit!({"type": "integer", "minimum": 1, "description": "The customer to change."});
    schema::object(p, &["id"])
}

fn push_contact_schema() -> Value {
    let fields: Map<String, Value> = crate::push::CONTACT_FIELDS
        .iter()
        .map(|f| (f.to_string(), json!({"type": "string", "maxLength": 500, "description": contact_field(f)})))
        .collect();
    schema::object(
        json!({
            "contact_id": {"type": "string", "pattern": "^woo:(customer|guest):", "description": "The platform contact id, e.g. woo:customer:42 (guests cannot be updated)."},
            "set": {"type": "object", "minProperties": 1, "properties": fields, "additionalProperties": false,
                "description": "Fields to change: first_name, last_name, email, phone (the billing phone), billing.<field>, shipping.<field>."}
        }),
        &["contact_id", "set"],
    )
}

/// What a `push-contact` field sets: `billing.city` is the billing address's city.
fn contact_field(field: &str) -> String {
    let (group, key) = match field.split_once('.') {
        Some((group, key)) => (Some(group), key),
        None => (None, field),
    };
    let what = schema::ADDRESS_FIELDS.iter().find(|(k, _)| *k == key).map_or("", |(_, d)| *d);
    match (group, key) {
        (None, "phone") => "Phone number (the billing phone).".into(),
        (None, _) => what.into(),
        (Some("billing"), _) => format!("Billing address: {what}"),
        (Some(_), _) => format!("Shipping address: {what}"),
    }
}
