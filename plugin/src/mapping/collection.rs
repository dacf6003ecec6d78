//! Collections: product categories.

use super::ids::category_id;
use crate::port::{Record, RecordKind};
use crate::read::{self, name, text};
use serde_json::{Value, json};

/// A collection from a product category.
pub fn collection_record(c: &Value) -> Option<Record> {
    let id = read::id(&c["id"])?;
    Some(Record::new(
        RecordKind::Collection,
        category_id(id),
        json!({
            "name": name(&c["name"]),
            "slug": text(&c["slug"]),
            "parent_id": read::id(&c["parent"]).map(category_id),
            "description": text(&c["description"]),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_category_is_a_collection_linked_to_its_parent() {
        let c: Value = serde_json::from_str(include_str!("../../tests/fixtures/category.json")).unwrap();
        let r = collection_record(&c).unwrap();
        assert_eq!(r.id, category_id(read::id(&c["id"]).unwrap()));
        assert_eq!(r.body["parent_id"], category_id(read::id(&c["parent"]).unwrap()));
        assert_eq!(r.body["name"], name(&c["name"]));
    }
}
