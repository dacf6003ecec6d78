//! What a simulated store knows, shared by its connections and the tests
//! that reach in to change it, and the changes a shopper or an admin makes.

use super::seed::Data;
use super::webhooks::deliver_webhooks;
use super::{Faults, auth, customers, orders, products, refunds, variations};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

/// A request the simulator saw (for tests and benchmarks).
#[derive(Debug, Clone)]
pub struct Seen {
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// The status answered.
    pub status: u16,
}

/// Everything the simulator knows; tests reach in to change it.
pub struct SimState {
    /// The store's resources.
    pub data: RwLock<Data>,
    /// The REST API key.
    pub keys: Mutex<auth::Keys>,
    /// The WooCommerce version simulated.
    pub version: String,
    /// The faults injected (changeable while it runs).
    pub faults: Mutex<Faults>,
    /// OAuth nonces already used.
    pub(super) nonces: Mutex<HashSet<String>>,
    /// Requests received.
    pub requests: AtomicU64,
    /// Requests answered with an injected fault (spikes not counted).
    pub faulted: AtomicU64,
    /// Every request answered, in order.
    pub seen: Mutex<Vec<Seen>>,
    /// Webhook deliveries sent (their delivery ids).
    pub deliveries: AtomicU64,
}

/// Whether a product can be bought as it is: simple, published, with a price.
fn purchasable(p: &Value) -> bool {
    p["type"] == "simple" && p["status"] == "publish" && p["price"].as_str().is_some_and(|x| !x.is_empty() && x != "0")
}

impl SimState {
    /// A store holding `data`, answering as WooCommerce `version` with `keys`.
    pub fn new(data: Data, keys: auth::Keys, version: String, faults: Faults) -> SimState {
        SimState {
            data: RwLock::new(data),
            keys: Mutex::new(keys),
            version,
            faults: Mutex::new(faults),
            nonces: Mutex::new(HashSet::new()),
            requests: AtomicU64::new(0),
            faulted: AtomicU64::new(0),
            seen: Mutex::new(vec![]),
            deliveries: AtomicU64::new(0),
        }
    }

    /// Place an order the way a shopper would (for demos and tests); webhooks fire.
    pub fn place_order(self: &Arc<Self>, customer_id: u64, email: &str, paid: bool) -> Value {
        let product =
            self.data.read().ok().and_then(|d| d.products.iter().find(|p| purchasable(p)).map(|p| p["id"].clone()));
        let body = json!({"customer_id": customer_id, "set_paid": paid, "payment_method": "bacs", "billing": {"first_name": "New", "last_name": "Shopper", "email": email}, "line_items": [{"product_id": product, "quantity": 1}]});
        let o = self.data.write().map(|mut d| orders::build_order(&mut d, &body, &self.version)).unwrap_or_default();
        deliver_webhooks(self, "order.created", &o);
        o
    }

    /// Change an order (status, meta …) as the REST API would; webhooks fire.
    pub fn update_order(self: &Arc<Self>, id: u64, body: Value) -> Option<Value> {
        let o = self.data.write().ok().and_then(|mut d| orders::apply_order_update(&mut d, Some(id), &body))?;
        deliver_webhooks(self, "order.updated", &o);
        Some(o)
    }

    /// Change a product as the REST API would; webhooks fire.
    pub fn update_product(self: &Arc<Self>, id: u64, body: Value) -> Option<Value> {
        let p = self.data.write().ok().and_then(|mut d| products::apply_product_update(&mut d, Some(id), &body))?;
        deliver_webhooks(self, "product.updated", &p);
        Some(p)
    }

    /// Register a customer as the REST API would; webhooks fire. `None` when
    /// the e-mail is taken.
    pub fn create_customer(self: &Arc<Self>, email: &str) -> Option<Value> {
        let body = json!({"email": email, "first_name": "New", "last_name": "Customer"});
        let c = self.data.write().ok().and_then(|mut d| customers::build_customer(&mut d, &body).ok())?;
        deliver_webhooks(self, "customer.created", &c);
        Some(c)
    }

    /// Change a customer as the REST API would; `customer.updated` fires.
    pub fn update_customer(self: &Arc<Self>, id: u64, body: Value) -> Option<Value> {
        let c = self.data.write().ok().and_then(|mut d| customers::apply_customer_update(&mut d, Some(id), &body))?;
        deliver_webhooks(self, "customer.updated", &c);
        Some(c)
    }

    /// Delete a customer as `DELETE /customers/<id>?force=true` does;
    /// `customer.deleted` fires with `{"id": N}`.
    pub fn delete_customer(self: &Arc<Self>, id: u64) -> Option<Value> {
        let c = self.data.write().ok().and_then(|mut d| {
            let i = d.customers.iter().position(|c| c["id"].as_u64() == Some(id))?;
            Some(d.customers.remove(i))
        })?;
        deliver_webhooks(self, "customer.deleted", &json!({"id": id}));
        Some(c)
    }

    /// Refund `amount` (a decimal string) of an order as the REST API would
    /// (`api_refund: false`); its `order.updated` fires. The refund.
    pub fn refund_order(self: &Arc<Self>, order: u64, amount: &str) -> Option<Value> {
        let body = json!({"amount": amount, "reason": "Returned"});
        let (r, o) = self.data.write().ok().and_then(|mut d| refunds::add_refund(&mut d, Some(order), &body))?;
        deliver_webhooks(self, "order.updated", &o);
        Some(r)
    }

    /// Change a variation as the REST API would (its product's modification
    /// date moves too); `product.updated` fires with the variation.
    pub fn update_variation(self: &Arc<Self>, parent: u64, id: u64, body: Value) -> Option<Value> {
        let v = self
            .data
            .write()
            .ok()
            .and_then(|mut d| variations::apply_variation_update(&mut d, Some(parent), Some(id), &body))?;
        deliver_webhooks(self, "product.updated", &v);
        Some(v)
    }

    /// The first registered customer (role `customer`): id and e-mail.
    pub fn a_registered_customer(&self) -> Option<(u64, String)> {
        let d = self.data.read().ok()?;
        let c = d.customers.iter().find(|c| c["role"] == "customer")?;
        Some((c["id"].as_u64()?, c["email"].as_str().unwrap_or("").to_string()))
    }

    /// The first order on hold and not paid yet.
    pub fn an_unpaid_order(&self) -> Option<u64> {
        let d = self.data.read().ok()?;
        d.orders
            .iter()
            .find(|o| o["status"] == "on-hold" && o["date_paid_gmt"].is_null())
            .and_then(|o| o["id"].as_u64())
    }

    /// The first product a shopper can buy as it is (simple, published, priced).
    pub fn a_purchasable_product(&self) -> Option<u64> {
        let d = self.data.read().ok()?;
        d.products.iter().find(|p| purchasable(p)).and_then(|p| p["id"].as_u64())
    }
}
