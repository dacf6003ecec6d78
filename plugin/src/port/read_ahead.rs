//! Values read ahead: a page's state reads as one host call.
//!
//! An import maps a page of 100 records on the guest's one thread; each
//! record reads a key or two of state (its buyer's e-mail, the version
//! applied before …). One host call per read made those reads 87,693 calls
//! for a 50,000-order store. Before mapping a page, the import names the
//! keys it is about to read ([`Host::read_ahead`](super::Host::read_ahead));
//! a host that can read many keys at once (`wasi:keyvalue/batch`
//! `get-many`) reads them in one call and keeps them here, and the reads
//! that follow are answered from here.
//!
//! The rules that keep this invisible: what the call itself writes (a `set`,
//! a `delete`, a commit's state) replaces the value kept; a key not read
//! ahead is read from the host as before; the next read-ahead replaces the
//! whole set, so it never holds more than one page's keys; and a host drops
//! it when the export call returns, since between calls others may write.

use std::collections::HashMap;

/// The values of the keys last read ahead, by (bucket, key): `None` for a
/// key the host does not have.
#[derive(Default)]
pub struct ReadAhead {
    values: HashMap<(String, String), Option<Vec<u8>>>,
}

impl ReadAhead {
    /// Keep `values` (one per key of `keys`, in order) in place of what was kept.
    pub fn replace(&mut self, keys: &[(&str, String)], values: Vec<Option<Vec<u8>>>) {
        self.values.clear();
        for ((b, k), v) in keys.iter().zip(values) {
            self.values.insert((b.to_string(), k.clone()), v);
        }
    }

    /// The value read ahead for this key: `Some(None)` when the host has no
    /// such key, `None` when the key was not read ahead.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Option<Vec<u8>>> {
        // A borrowed pair cannot look up an owned one; a page is small.
        self.values.get(&(bucket.to_string(), key.to_string())).cloned()
    }

    /// The call wrote this key: keep what it wrote (`None`: deleted).
    pub fn wrote(&mut self, bucket: &str, key: &str, value: Option<&[u8]>) {
        if let Some(kept) = self.values.get_mut(&(bucket.to_string(), key.to_string())) {
            *kept = value.map(<[u8]>::to_vec);
        }
    }

    /// Forget everything (the export call returns).
    pub fn clear(&mut self) {
        self.values.clear();
    }

    /// How many keys are kept.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The keys of `keys` once each, in their first order.
pub fn distinct<'a>(keys: impl IntoIterator<Item = (&'a str, String)>) -> Vec<(&'a str, String)> {
    let mut seen = std::collections::HashSet::new();
    keys.into_iter().filter(|(b, k)| seen.insert((*b, k.clone()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_read_ahead_answers_absent_or_present_and_the_calls_own_writes_replace_it() {
        let mut r = ReadAhead::default();
        let keys = [("emails", "a@b.c".to_string()), ("orders", "7".to_string())];
        r.replace(&keys, vec![Some(b"contact-1".to_vec()), None]);
        assert_eq!(r.get("emails", "a@b.c"), Some(Some(b"contact-1".to_vec())));
        assert_eq!(r.get("orders", "7"), Some(None), "absent at the host");
        assert_eq!(r.get("orders", "8"), None, "not read ahead");
        r.wrote("orders", "7", Some(b"paid"));
        r.wrote("emails", "a@b.c", None);
        r.wrote("orders", "9", Some(b"x"));
        assert_eq!(r.get("orders", "7"), Some(Some(b"paid".to_vec())));
        assert_eq!(r.get("emails", "a@b.c"), Some(None));
        assert_eq!(r.get("orders", "9"), None, "a write does not add a key that was not read ahead");
        r.replace(&keys[..1], vec![None]);
        assert_eq!((r.len(), r.get("orders", "7")), (1, None), "the next page replaces the set");
    }

    #[test]
    fn distinct_keeps_the_first_of_each_key() {
        let keys =
            distinct([("e", "a".to_string()), ("e", "b".to_string()), ("e", "a".to_string()), ("o", "a".to_string())]);
        assert_eq!(keys, [("e", "a".to_string()), ("e", "b".to_string()), ("o", "a".to_string())]);
    }
}
