//! Deterministic seeding of a simulated store with realistic WooCommerce JSON:
//! guests, refunds, variable products, drafts, zero prices, custom statuses,
//! unicode names, HTML entities.

use crate::dates::wc_date;
use serde_json::{Value, json};

/// SplitMix64: small, fast and the same on every platform and version.
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Ana", "José", "Zoë", "Mika", "Søren", "Aiko", "Liam", "Olga", "Chloé", "Dmitri", "Fatima", "Jürgen", "Noor",
    "Wei", "Ingrid", "Ravi", "Émile", "Sakura", "Tomás", "Yara",
];
const LAST: &[&str] = &[
    "Silva",
    "Müller",
    "O'Brien",
    "Nakamura",
    "Østergaard",
    "García",
    "Kowalski",
    "Nguyen",
    "Dubois",
    "Smith",
    "Ivanova",
    "Haddad",
    "Chen",
    "Rossi",
    "Andersson",
    "Patel",
    "Łukasz",
    "Öztürk",
    "Kim",
    "Jones",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("San Francisco", "CA", "US"),
    ("Lisboa", "", "PT"),
    ("München", "BY", "DE"),
    ("東京", "", "JP"),
    ("Montréal", "QC", "CA"),
    ("Austin", "TX", "US"),
];
const NOUNS: &[&str] = &[
    "Mug",
    "T-Shirt",
    "Hoodie",
    "Poster",
    "Notebook",
    "Cap",
    "Sticker Pack",
    "Tote Bag",
    "Water Bottle",
    "Café Blend",
];
const ADJ: &[&str] =
    &["Classic", "Organic", "Vintage", "Deluxe", "Minimal", "Retro", "Handmade", "Eco", "Premium", "Tiny"];

/// Seconds since the epoch of 2024-01-01T00:00:00Z.
pub const EPOCH_2024: u64 = 1_704_067_200;

/// A decimal amount of `cents` (`1250` → `"12.50"`).
pub fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn address(rng: &mut Rng, first: &str, last: &str, email: Option<&str>) -> Value {
    let (city, state, country) = *rng.pick(CITIES);
    let mut a = json!({
        "first_name": first, "last_name": last, "company": if rng.chance(20) { "Acme &amp; Sons" } else { "" },
        "address_1": format!("{} Market St", 1 + rng.below(999)), "address_2": "", "city": city,
        "state": state, "postcode": format!("{:05}", rng.below(99_999)), "country": country,
        "phone": format!("+1 555 {:04}", rng.below(9999)),
    });
    if let Some(e) = email {
        a["email"] = json!(e);
    }
    a
}

/// The simulated store's data.
#[derive(Default, Clone)]
pub struct Data {
    /// Users, customers and others (`role`).
    pub customers: Vec<Value>,
    /// Orders, every status.
    pub orders: Vec<Value>,
    /// Refunds, by order id.
    pub refunds: Vec<(u64, Value)>,
    /// Order notes, by order id.
    pub notes: Vec<(u64, Value)>,
    /// Products, every type and status.
    pub products: Vec<Value>,
    /// Variations, by parent product id.
    pub variations: Vec<(u64, Value)>,
    /// Product categories.
    pub categories: Vec<Value>,
    /// Product tags.
    pub tags: Vec<Value>,
    /// Global product attributes (the `pa_*` taxonomies).
    pub attributes: Vec<Value>,
    /// The terms of each global attribute, by attribute id.
    pub attribute_terms: Vec<(u64, Vec<Value>)>,
    /// Product reviews, each with its reviewer's user id (0: a guest).
    pub reviews: Vec<(u64, Value)>,
    /// Reviews in the trash or marked spam, and the status each had before
    /// (`untrash`/`unspam` give it back; WordPress keeps it in comment meta).
    pub review_trash: Vec<(u64, String)>,
    /// The global attributes id sequence.
    pub next_attribute_id: u64,
    /// Coupons.
    pub coupons: Vec<Value>,
    /// Registered webhooks.
    pub webhooks: Vec<Value>,
    /// Shipping, tax, payment gateways and settings (`sim/admin.rs`).
    pub admin: super::admin::Admin,
    /// Posts in the trash (orders, products, coupons) and the status each
    /// had before, which restoring gives back (WordPress keeps it as
    /// `_wp_trash_meta_status`).
    pub trashed: Vec<(u64, String)>,
    /// The posts id sequence shared by orders, products, variations, refunds.
    pub next_post_id: u64,
    /// The users id sequence.
    pub next_user_id: u64,
    /// The terms (categories) id sequence.
    pub next_term_id: u64,
    /// The id sequence of everything else (notes, webhooks).
    pub next_other_id: u64,
    /// What order lists scan instead of every order's JSON (a real store
    /// answers from an index, in time that does not grow with the store).
    pub order_index: OrderIndex,
}

/// `(id, listed)` per order, in `orders` order; `listed` is false for the
/// statuses the default list leaves out. Rebuilt when `orders` grows or
/// after `invalidate`, which code changing an order's status in place calls.
#[derive(Default)]
pub struct OrderIndex {
    cache: std::sync::Mutex<Option<Listed>>,
}

/// `(id, listed)` per order, shared with the requests reading it.
type Listed = std::sync::Arc<Vec<(u64, bool)>>;

impl Clone for OrderIndex {
    fn clone(&self) -> Self {
        OrderIndex::default()
    }
}

impl OrderIndex {
    /// Drop the index: an order's status changed in place.
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.cache.lock() {
            *c = None;
        }
    }

    /// The index of `orders`, built if missing or stale.
    pub fn of(&self, orders: &[Value]) -> Listed {
        let mut c = match self.cache.lock() {
            Ok(c) => c,
            Err(p) => p.into_inner(),
        };
        if let Some(idx) = c.as_ref().filter(|i| i.len() == orders.len()) {
            return idx.clone();
        }
        let built = std::sync::Arc::new(
            orders
                .iter()
                .map(|o| {
                    (o["id"].as_u64().unwrap_or(0), !matches!(o["status"].as_str(), Some("checkout-draft" | "trash")))
                })
                .collect::<Vec<_>>(),
        );
        *c = Some(built.clone());
        built
    }
}

impl Data {
    /// The next id of the posts sequence.
    pub fn post_id(&mut self) -> u64 {
        self.next_post_id += 1;
        self.next_post_id
    }
}

/// Sizes of a seeded store.
#[derive(Debug, Clone, Copy)]
pub struct SeedSpec {
    /// Registered customers.
    pub customers: u64,
    /// Orders (guests' included).
    pub orders: u64,
    /// Products (variable ones with variations).
    pub products: u64,
    /// The random seed: the same seed makes the same store.
    pub seed: u64,
}

/// A registered user as `GET /customers` returns one.
pub fn customer_json(id: u64, first: &str, last: &str, email: &str, role: &str, created: u64, rng: &mut Rng) -> Value {
    json!({
        "id": id, "date_created": wc_date(created), "date_created_gmt": wc_date(created),
        "date_modified": wc_date(created), "date_modified_gmt": wc_date(created),
        "email": email, "first_name": first, "last_name": last, "role": role,
        "username": email.split('@').next().unwrap_or("user"),
        "billing": address(rng, first, last, Some(email)), "shipping": address(rng, first, last, None),
        "is_paying_customer": false, "avatar_url": "https://secure.gravatar.com/avatar/?s=96&d=mm&r=g",
        "meta_data": [],
    })
}

/// Build the store.
pub fn seed(spec: SeedSpec) -> Data {
    let mut rng = Rng::new(spec.seed);
    let mut d = Data { next_post_id: 10, next_user_id: 1, next_term_id: 15, next_other_id: 0, ..Default::default() };
    d.admin = super::admin::seed();
    // Categories: "Uncategorized" (15) plus a tree of a few more.
    d.categories.push(json!({"id": 15, "name": "Uncategorized", "slug": "uncategorized", "parent": 0, "description": "", "display": "default", "image": null, "menu_order": 0, "count": 0}));
    let n_categories = 4 + spec.products / 25;
    for i in 0..n_categories {
        d.next_term_id += 1;
        let id = d.next_term_id;
        let parent = if i > 3 && rng.chance(30) { 16 + rng.below(3) } else { 0 };
        let name = format!("{} {}", ADJ[(i % ADJ.len() as u64) as usize], NOUNS[(i / 3 % NOUNS.len() as u64) as usize]);
        let name = if i == 1 { "Home &amp; Garden".to_string() } else { format!("{name}s {i}") };
        d.categories.push(json!({"id": id, "name": name, "slug": format!("cat-{id}"), "parent": parent, "description": "", "display": "default", "image": null, "menu_order": 0, "count": 0}));
    }
    // Users: 1 is the admin; then customers, a few subscribers and staff.
    d.customers.push(customer_json(1, "Store", "Admin", "admin@example.test", "administrator", EPOCH_2024, &mut rng));
    for i in 0..spec.customers {
        d.next_user_id += 1;
        let id = d.next_user_id;
        let id = id.max(2);
        d.next_user_id = id;
        let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
        let email = format!(
            "{}.{}{}@example.test",
            first.to_lowercase().replace(['é', 'ë', 'ø', 'ü', 'ó', 'á'], "e"),
            id,
            i % 7
        )
        .replace(' ', "");
        let email: String = email.chars().filter(|c| c.is_ascii()).collect();
        let role = match rng.below(100) {
            0..=84 => "customer",
            85..=94 => "subscriber",
            95..=97 => "shop_manager",
            _ => "editor",
        };
        let created = EPOCH_2024 + i * 3_000 + rng.below(2_000);
        d.customers.push(customer_json(id, first, last, &email, role, created, &mut rng));
    }
    // Products.
    for i in 0..spec.products {
        let id = d.post_id();
        let created = EPOCH_2024 + i * 600;
        let ptype = match rng.below(100) {
            0..=64 => "simple",
            65..=89 => "variable",
            90..=94 => "grouped",
            _ => "external",
        };
        let status = if rng.chance(8) {
            "draft"
        } else if rng.chance(2) {
            "private"
        } else {
            "publish"
        };
        let price_cents = if rng.chance(5) { 0 } else { 300 + rng.below(9_000) };
        let name = format!("{} {} {}", rng.pick(ADJ), rng.pick(NOUNS), i + 1);
        let cat_id = if rng.chance(10) { 15 } else { 16 + rng.below(n_categories) };
        let cat = d.categories.iter().find(|c| c["id"] == cat_id).cloned().unwrap_or(json!({}));
        let sku = format!("SKU-{:05}", i + 1);
        let mut variation_ids = vec![];
        let mut attributes = json!([]);
        let mut price = if price_cents == 0 {
            if rng.chance(50) { "".to_string() } else { "0".to_string() }
        } else {
            money(price_cents)
        };
        if ptype == "variable" {
            let options = ["S", "M", "L", "XL"];
            attributes = json!([{"id": 0, "name": "Size", "slug": "size", "position": 0, "visible": true, "variation": true, "options": options}]);
            let unpriced = rng.chance(5);
            let mut low = u64::MAX;
            for (k, opt) in options.iter().enumerate() {
                let vid = d.post_id();
                variation_ids.push(vid);
                let vcents = if unpriced { 0 } else { price_cents.max(500) + 100 * k as u64 };
                low = low.min(vcents);
                d.variations.push((
                    id,
                    variation_json(
                        vid,
                        id,
                        &format!("{sku}-{opt}"),
                        if unpriced { String::new() } else { money(vcents) },
                        opt,
                        created,
                    ),
                ));
            }
            price = if unpriced { String::new() } else { money(low) };
        }
        d.products.push(json!({
            "id": id, "name": if i % 17 == 3 { format!("{name} &#8211; Édition spéciale") } else { name.clone() },
            "slug": format!("product-{id}"), "permalink": format!("https://store.example.test/product/product-{id}/"),
            "date_created": wc_date(created), "date_created_gmt": wc_date(created),
            "date_modified": wc_date(created), "date_modified_gmt": wc_date(created),
            "type": ptype, "status": status, "featured": false, "catalog_visibility": "visible",
            "description": format!("<p>{name}, made with care.</p>"), "short_description": "",
            "sku": sku, "global_unique_id": if rng.chance(40) { format!("{:013}", 4_000_000_000_000u64 + id) } else { String::new() },
            "price": price.clone(), "regular_price": if ptype == "variable" { String::new() } else { price.clone() }, "sale_price": "",
            "date_on_sale_from": null, "date_on_sale_from_gmt": null, "date_on_sale_to": null, "date_on_sale_to_gmt": null,
            "on_sale": false, "purchasable": !price.is_empty(), "total_sales": 0, "virtual": false, "downloadable": false,
            "downloads": [], "download_limit": -1, "download_expiry": -1, "external_url": if ptype == "external" { "https://example.test/buy" } else { "" },
            "button_text": "", "tax_status": "taxable", "tax_class": "", "manage_stock": ptype == "simple",
            "stock_quantity": if ptype == "simple" { json!(rng.below(200)) } else { Value::Null }, "backorders": "no",
            "backorders_allowed": false, "backordered": false, "low_stock_amount": null, "sold_individually": false,
            "weight": "", "dimensions": {"length": "", "width": "", "height": ""}, "shipping_required": true,
            "shipping_taxable": true, "shipping_class": "", "shipping_class_id": 0, "reviews_allowed": true,
            "average_rating": "0", "rating_count": 0, "upsell_ids": [], "cross_sell_ids": [], "parent_id": 0,
            "purchase_note": "", "categories": [{"id": cat_id, "name": cat["name"], "slug": cat["slug"]}], "tags": [],
            "images": if rng.chance(70) { json!([{"id": id + 100_000, "src": format!("https://store.example.test/wp-content/uploads/{id}.jpg"), "name": "", "alt": ""}]) } else { json!([]) },
            "attributes": attributes, "default_attributes": [], "variations": variation_ids, "grouped_products": [],
            "menu_order": 0, "price_html": "", "related_ids": [], "meta_data": [], "stock_status": "instock",
            "has_options": ptype == "variable", "post_password": "", "brands": [],
        }));
    }
    // Orders.
    let statuses = [
        "completed",
        "completed",
        "completed",
        "processing",
        "processing",
        "on-hold",
        "pending",
        "cancelled",
        "failed",
        "refunded",
        "checkout-draft",
        "shipped",
    ];
    let sellable: Vec<(u64, String, String, u64)> = d
        .products
        .iter()
        .filter(|p| p["type"] == "simple" && p["price"].as_str().is_some_and(|s| !s.is_empty() && s != "0"))
        .map(|p| {
            (
                p["id"].as_u64().unwrap_or(0),
                p["name"].as_str().unwrap_or("").to_string(),
                p["sku"].as_str().unwrap_or("").to_string(),
                (p["price"].as_str().unwrap_or("0").replace('.', "").parse::<u64>().unwrap_or(0)),
            )
        })
        .collect();
    let buyers: Vec<Value> = d.customers.iter().filter(|c| c["role"] != "administrator").cloned().collect();
    for i in 0..spec.orders {
        let id = d.post_id();
        let created = EPOCH_2024 + 86_400 + i * 900 + rng.below(600);
        let status = *rng.pick(&statuses);
        let guest = buyers.is_empty() || rng.chance(30);
        let (customer_id, billing) = if guest {
            let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
            let n = rng.below(spec.orders / 3 + 2);
            let email = format!("Guest{n}@Example.test");
            (0, address(&mut rng, first, last, Some(&email)))
        } else {
            let c = rng.pick(&buyers);
            (c["id"].as_u64().unwrap_or(0), c["billing"].clone())
        };
        let mut lines = vec![];
        let mut total = 0u64;
        for k in 0..(1 + rng.below(3)) {
            let (pid, name, sku, cents) = if sellable.is_empty() {
                (0, "Custom item".to_string(), String::new(), 1000)
            } else {
                rng.pick(&sellable).clone()
            };
            let qty = 1 + rng.below(3);
            let line_total = cents * qty;
            total += line_total;
            lines.push(json!({"id": id * 10 + k, "name": name, "product_id": pid, "variation_id": 0, "quantity": qty, "tax_class": "", "subtotal": money(line_total), "subtotal_tax": "0.00", "total": money(line_total), "total_tax": "0.00", "taxes": [], "meta_data": [], "sku": sku, "global_unique_id": "", "price": cents as f64 / 100.0, "image": {"id": "", "src": ""}, "parent_name": null}));
        }
        let shipping = if rng.chance(50) { 500 } else { 0 };
        total += shipping;
        let paid = matches!(status, "completed" | "processing" | "shipped") || (status == "on-hold" && rng.chance(20));
        let date_paid = paid.then(|| wc_date(created + 60));
        let modified = created + rng.below(86_400);
        let mut refunds_summary = vec![];
        if status == "refunded" || (status == "completed" && rng.chance(10)) {
            let rid = d.post_id();
            let amount = if status == "refunded" { total } else { total / 2 };
            refunds_summary.push(json!({"id": rid, "reason": if rng.chance(50) { "Damaged in transit" } else { "" }, "total": format!("-{}", money(amount))}));
            d.refunds.push((id, json!({"id": rid, "date_created": wc_date(modified), "date_created_gmt": wc_date(modified), "amount": money(amount), "reason": refunds_summary[0]["reason"], "refunded_by": 1, "refunded_payment": false, "meta_data": [], "line_items": [], "shipping_lines": [], "tax_lines": [], "fee_lines": []})));
        }
        d.orders.push(json!({
            "id": id, "parent_id": 0, "status": status, "currency": "USD", "version": "11.0.1",
            "prices_include_tax": false, "date_created": wc_date(created), "date_modified": wc_date(modified),
            "discount_total": "0.00", "discount_tax": "0.00", "shipping_total": money(shipping), "shipping_tax": "0.00",
            "cart_tax": "0.00", "total": money(total), "total_tax": "0.00", "customer_id": customer_id,
            "order_key": format!("wc_order_{:012x}", rng.next_u64() & 0xFFFF_FFFF_FFFF), "billing": billing.clone(), "shipping": billing,
            "payment_method": if paid { "bacs" } else { "cod" }, "payment_method_title": if paid { "Direct bank transfer" } else { "Cash on delivery" },
            "transaction_id": "", "customer_ip_address": "127.0.0.1", "customer_user_agent": "", "created_via": if guest { "checkout" } else { "admin" },
            "customer_note": "", "date_completed": if status == "completed" { json!(wc_date(modified)) } else { Value::Null },
            "date_paid": date_paid, "cart_hash": "", "number": id.to_string(), "meta_data": [], "line_items": lines,
            "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [], "refunds": refunds_summary,
            "payment_url": format!("https://store.example.test/checkout/order-pay/{id}/"), "is_editable": status == "pending",
            "needs_payment": !paid, "needs_processing": true, "date_created_gmt": wc_date(created), "date_modified_gmt": wc_date(modified),
            "date_completed_gmt": if status == "completed" { json!(wc_date(modified)) } else { Value::Null },
            "date_paid_gmt": paid.then(|| wc_date(created + 60)), "currency_symbol": "$",
        }));
    }
    for i in 0..5u64 {
        d.next_other_id += 1;
        let id = d.post_id();
        d.coupons.push(json!({"id": id, "code": format!("save{}", 5 * (i + 1)), "amount": format!("{}.00", 5 * (i + 1)), "status": "publish", "date_created": wc_date(EPOCH_2024), "date_created_gmt": wc_date(EPOCH_2024), "date_modified": wc_date(EPOCH_2024), "date_modified_gmt": wc_date(EPOCH_2024), "discount_type": if i % 2 == 0 { "percent" } else { "fixed_cart" }, "description": "", "date_expires": null, "date_expires_gmt": null, "usage_count": i, "individual_use": false, "product_ids": [], "excluded_product_ids": [], "usage_limit": null, "usage_limit_per_user": null, "limit_usage_to_x_items": null, "free_shipping": false, "product_categories": [], "excluded_product_categories": [], "exclude_sale_items": false, "minimum_amount": "0.00", "maximum_amount": "0.00", "email_restrictions": [], "used_by": [], "meta_data": []}));
    }
    super::terms::seed(&mut d, spec.seed);
    d
}

/// A variation of `parent` as the REST API returns one.
pub fn variation_json(id: u64, parent: u64, sku: &str, price: String, option: &str, created: u64) -> Value {
    json!({
        "id": id, "type": "variation", "date_created": wc_date(created), "date_created_gmt": wc_date(created),
        "date_modified": wc_date(created), "date_modified_gmt": wc_date(created), "description": "",
        "permalink": format!("https://store.example.test/product/product-{parent}/?attribute_size={option}"),
        "sku": sku, "global_unique_id": "", "price": price.clone(), "regular_price": price, "sale_price": "",
        "date_on_sale_from": null, "date_on_sale_from_gmt": null, "date_on_sale_to": null, "date_on_sale_to_gmt": null,
        "on_sale": false, "status": "publish", "purchasable": true, "virtual": false, "downloadable": false, "downloads": [],
        "download_limit": -1, "download_expiry": -1, "tax_status": "taxable", "tax_class": "", "manage_stock": true,
        "stock_quantity": 10, "stock_status": "instock", "backorders": "no", "backorders_allowed": false, "backordered": false,
        "low_stock_amount": null, "weight": "", "dimensions": {"length": "", "width": "", "height": ""}, "shipping_class": "",
        "shipping_class_id": 0, "image": null, "attributes": [{"id": 0, "name": "Size", "slug": "size", "option": option}],
        "menu_order": 0, "meta_data": [], "name": "", "parent_id": parent, "gallery_image_ids": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_deterministic() {
        let spec = SeedSpec { customers: 20, orders: 50, products: 20, seed: 7 };
        let (a, b) = (seed(spec), seed(spec));
        assert_eq!(a.orders, b.orders);
        assert_eq!(a.products, b.products);
        assert_eq!(a.orders.len(), 50);
    }
}
