//! Products: which store products the online store sells, and the product
//! record with its variations as variants.

use super::ids::{category_id, product_id, variation_id};
use crate::port::{Record, RecordKind};
use crate::read::{self, date, list, money, name, text};
use serde_json::{Value, json};

/// Why a store product is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductSkip {
    /// Not `simple` or `variable` (the type is kept for the log).
    Type(String),
    /// Not published, and never imported before.
    NotPublished,
    /// No price (or no usable id).
    NoPrice,
    /// A variable product none of whose variations has a price.
    NoPricedVariation,
}

/// Only `simple` and `variable` products are imported.
pub fn is_importable_product_type(t: &str) -> bool {
    matches!(t, "simple" | "variable")
}

/// The price a product or variation sells at, or none when it is empty or
/// zero: such a product is not imported, such a variation is not a variant.
fn selling_price(p: &Value) -> Option<String> {
    money(&p["price"]).filter(|m| !read::is_zero(m))
}

/// The product record, or why it is skipped. `variations` are the product's
/// variations (only read for variable products). `previously_imported` keeps
/// an unpublished product's record with "include in online store" off.
pub fn product_record(p: &Value, variations: &[Value], previously_imported: bool) -> Result<Record, ProductSkip> {
    let id = read::id(&p["id"]).ok_or(ProductSkip::NoPrice)?;
    let ptype = text(&p["type"]);
    if !is_importable_product_type(&ptype) {
        return Err(ProductSkip::Type(ptype));
    }
    let published = text(&p["status"]) == "publish";
    if !published && !previously_imported {
        return Err(ProductSkip::NotPublished);
    }
    let variants: Vec<Value> = variations
        .iter()
        .filter_map(|v| {
            let vid = read::id(&v["id"])?;
            // A variation without a price is not a variant: it cannot be sold.
            let price = selling_price(v)?;
            Some(json!({
                "id": variation_id(vid),
                "sku": text(&v["sku"]),
                "gtin": v.get("global_unique_id").map(text).filter(|s| !s.is_empty()),
                "price": price,
                "attributes": list(&v["attributes"]).iter().map(|a| json!({"name": name(&a["name"]), "option": name(&a["option"])})).collect::<Vec<_>>(),
                "stock_quantity": v["stock_quantity"].as_i64(),
                "stock_status": text(&v["stock_status"]),
            }))
        })
        .collect();
    let price = selling_price(p);
    if ptype == "simple" && price.is_none() {
        return Err(ProductSkip::NoPrice);
    }
    if ptype == "variable" && variants.is_empty() {
        return Err(ProductSkip::NoPricedVariation);
    }
    let categories: Vec<Value> = product_category_ids(p).into_iter().map(|c| json!(category_id(c))).collect();
    let images: Vec<Value> = list(&p["images"]).iter().map(|i| json!(text(&i["src"]))).collect();
    Ok(Record::new(
        RecordKind::Product,
        product_id(id),
        json!({
            "name": name(&p["name"]),
            "type": ptype,
            "sku": text(&p["sku"]),
            "gtin": p.get("global_unique_id").map(text).filter(|s| !s.is_empty()),
            "description": text(&p["description"]),
            "price": price,
            "regular_price": money(&p["regular_price"]),
            "sale_price": money(&p["sale_price"]),
            "woo_status": text(&p["status"]),
            "include_in_online_store": published,
            "collection_ids": categories,
            "images": images,
            "stock_quantity": p["stock_quantity"].as_i64(),
            "variants": variants,
            "modified_at": date(&p["date_modified_gmt"]).or_else(|| date(&p["date_modified"])),
        }),
    ))
}

/// Category ids linked to an imported product.
pub fn product_category_ids(p: &Value) -> Vec<u64> {
    list(&p["categories"]).iter().filter_map(|c| read::id(&c["id"])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(ptype: &str, status: &str, price: Value) -> Value {
        json!({"id": 93, "name": "Caf&eacute; Mug", "type": ptype, "status": status, "price": price, "regular_price": price, "sale_price": "", "sku": "MUG", "categories": [{"id": 15, "name": "Uncategorized"}], "images": false})
    }

    #[test]
    fn rule_only_simple_and_variable_products() {
        assert!(matches!(
            product_record(&product("grouped", "publish", json!("5")), &[], false),
            Err(ProductSkip::Type(_))
        ));
        assert!(matches!(
            product_record(&product("external", "publish", json!("5")), &[], false),
            Err(ProductSkip::Type(_))
        ));
        assert!(product_record(&product("simple", "publish", json!("5")), &[], false).is_ok());
    }

    #[test]
    fn rule_only_published_products_and_unpublished_keep_record_with_store_off() {
        assert_eq!(product_record(&product("simple", "draft", json!("5")), &[], false), Err(ProductSkip::NotPublished));
        let r = product_record(&product("simple", "draft", json!("5")), &[], true).unwrap();
        assert_eq!(r.body["include_in_online_store"], false);
        let r = product_record(&product("simple", "publish", json!("5")), &[], false).unwrap();
        assert_eq!(r.body["include_in_online_store"], true);
        assert_eq!(r.body["images"], json!([]));
    }

    #[test]
    fn rule_no_zero_or_empty_price_products() {
        assert_eq!(product_record(&product("simple", "publish", json!("0")), &[], false), Err(ProductSkip::NoPrice));
        assert_eq!(product_record(&product("simple", "publish", json!("")), &[], false), Err(ProductSkip::NoPrice));
        assert_eq!(product_record(&product("simple", "publish", json!(null)), &[], false), Err(ProductSkip::NoPrice));
    }

    #[test]
    fn rule_variable_product_needs_a_priced_variation() {
        let p = product("variable", "publish", json!(""));
        let unpriced = [json!({"id": 94, "price": "", "attributes": []})];
        assert_eq!(product_record(&p, &unpriced, false), Err(ProductSkip::NoPricedVariation));
        let priced =
            [json!({"id": 94, "price": "12", "sku": "MUG-R", "attributes": [{"name": "Color", "option": "Red"}]})];
        let r = product_record(&p, &priced, false).unwrap();
        assert_eq!(r.body["variants"][0]["id"], "woo:variation:94");
        assert_eq!(r.body["variants"][0]["price"], "12.00");
    }

    #[test]
    fn rule_variable_product_variants_are_only_its_priced_variations() {
        let p = product("variable", "publish", json!("12"));
        let variations = [
            json!({"id": 94, "price": "12", "sku": "MUG-R", "attributes": [{"name": "Color", "option": "Red"}]}),
            json!({"id": 95, "price": "", "sku": "MUG-B", "attributes": [{"name": "Color", "option": "Blue"}]}),
            json!({"id": 96, "price": "0", "sku": "MUG-G", "attributes": [{"name": "Color", "option": "Green"}]}),
            json!({"id": 97, "sku": "MUG-Y", "attributes": [{"name": "Color", "option": "Yellow"}]}),
        ];
        let r = product_record(&p, &variations, false).unwrap();
        let ids: Vec<&str> = r.body["variants"].as_array().unwrap().iter().filter_map(|v| v["id"].as_str()).collect();
        assert_eq!(ids, ["woo:variation:94"]);
        assert!(r.body["variants"].as_array().unwrap().iter().all(|v| !v["price"].is_null()));
    }

    #[test]
    fn a_real_simple_product_keeps_its_price_sku_and_categories() {
        let p: Value = serde_json::from_str(include_str!("../../tests/fixtures/product-simple.json")).unwrap();
        let r = product_record(&p, &[], false).unwrap();
        assert_eq!(r.id, product_id(read::id(&p["id"]).unwrap()));
        assert_eq!(r.body["price"], money(&p["price"]).unwrap());
        assert_eq!(r.body["sku"], text(&p["sku"]));
        assert_eq!(r.body["collection_ids"].as_array().unwrap().len(), list(&p["categories"]).len());
    }

    #[test]
    fn a_real_variable_product_has_its_variations_as_variants() {
        let p: Value = serde_json::from_str(include_str!("../../tests/fixtures/product-variable.json")).unwrap();
        let variations: Value = serde_json::from_str(include_str!("../../tests/fixtures/variations.json")).unwrap();
        let r = product_record(&p, list(&variations), false).unwrap();
        assert_eq!(r.body["name"], name(&p["name"]), "entities decoded");
        let variants = r.body["variants"].as_array().unwrap();
        assert_eq!(variants.len(), list(&variations).len());
        assert!(variants.iter().all(|v| v["attributes"].as_array().is_some_and(|a| !a.is_empty())));
    }
}
