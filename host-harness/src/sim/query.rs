//! Query strings (and form bodies) read as PHP reads them into `$_GET` and
//! `$_POST`, which is what WordPress, WooCommerce's REST controllers and its
//! OAuth 1.0a check all see: a repeated key keeps its last value, `a[]=1&a[]=2`
//! is a list, `a[b]=1` a keyed array, `+` is a space, `.` and ` ` in a name
//! become `_`. Checked against PHP 8.2's `parse_str`, which shares its parser
//! with `$_GET`.

/// One PHP value read from a query: a string or an array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhpValue {
    /// `a=1`.
    Str(String),
    /// `a[]=1` or `a[k]=1`.
    Array(PhpArray),
}

/// A PHP array: ordered keys (each once; a repeated key keeps its first
/// position and its last value) and the next index that `[]` appends at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhpArray {
    entries: Vec<(String, PhpValue)>,
    /// `None` once an index reached `i64::MAX`: PHP then drops `[]` appends.
    next_index: Option<i64>,
}

impl Default for PhpArray {
    fn default() -> Self {
        PhpArray { entries: vec![], next_index: Some(0) }
    }
}

/// `max_input_nesting_level`: a name nested deeper is dropped.
const MAX_NESTING: usize = 64;
/// `max_input_vars`: PHP reads no more variables than this from one source.
const MAX_VARS: usize = 1000;

impl PhpArray {
    /// The entries, in PHP's order.
    pub fn entries(&self) -> &[(String, PhpValue)] {
        &self.entries
    }

    /// The value under `key` (keys are compared as PHP compares `"5"` and `5`: as the same string).
    pub fn get(&self, key: &str) -> Option<&PhpValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The string under `key`, if it is one.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            PhpValue::Str(s) => Some(s),
            PhpValue::Array(_) => None,
        }
    }

    /// Set `key` to `value` (a new key goes last; an existing one keeps its place).
    pub fn set(&mut self, key: String, value: PhpValue) {
        let _ = self.slot(Some(key), value.clone()).map(|slot| *slot = value);
    }

    /// Append at the next free integer index (PHP's `$a[] = value`).
    pub fn push(&mut self, value: PhpValue) {
        let _ = self.slot(None, value);
    }

    /// PHP's `array_merge($self, $other)`: string keys of `other` overwrite,
    /// integer keys of both are renumbered from 0.
    pub fn merged(&self, other: &PhpArray) -> PhpArray {
        let mut out = PhpArray::default();
        for (k, v) in self.entries.iter().chain(&other.entries) {
            if integer_key(k).is_some() {
                out.push(v.clone());
            } else {
                out.set(k.clone(), v.clone());
            }
        }
        out
    }

    /// The entry under `key` (`None`: the next index), made from `make` when absent.
    fn slot(&mut self, key: Option<String>, make: PhpValue) -> Option<&mut PhpValue> {
        let key = match key {
            Some(k) => k,
            None => self.next_index?.to_string(),
        };
        let at = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                if let Some(i) = integer_key(&key) {
                    self.next_index = match (self.next_index, i.checked_add(1)) {
                        (Some(next), Some(after)) => Some(next.max(after)),
                        _ => None,
                    };
                }
                self.entries.push((key, make));
                self.entries.len() - 1
            }
        };
        self.entries.get_mut(at).map(|(_, v)| v)
    }
}

/// A key PHP stores as an integer: a canonical decimal (`0`, `-3`, `12`; not
/// `01` or `-0`) within `i64`.
fn integer_key(k: &str) -> Option<i64> {
    let digits = k.strip_prefix('-').unwrap_or(k);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" && k == "0" || !digits.starts_with('0'));
    if canonical { k.parse().ok() } else { None }
}

/// PHP's `urldecode`: `+` is a space, `%XX` a byte; a `%` not followed by two
/// hex digits stays as it is.
pub fn url_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// PHP's `rawurlencode`: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`.
pub fn raw_url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// PHP's `rawurldecode`: `%XX` is a byte, `+` stays a `+`.
pub fn raw_url_decode(s: &str) -> String {
    String::from_utf8_lossy(&url_decode(&s.replace('+', "%2B"))).into_owned()
}

/// Read a query string (or an `application/x-www-form-urlencoded` body) as
/// PHP fills `$_GET` (or `$_POST`).
pub fn parse(query: &str) -> PhpArray {
    let mut top = PhpArray::default();
    for (n, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        if n >= MAX_VARS {
            break;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let mut name = url_decode(name);
        // A name is a C string to PHP: it ends at the first NUL.
        if let Some(nul) = name.iter().position(|&b| b == 0) {
            name.truncate(nul);
        }
        let name = String::from_utf8_lossy(&name);
        let value = String::from_utf8_lossy(&url_decode(value)).into_owned();
        if let Some((base, path)) = split_name(&name) {
            assign(&mut top, base, &path, value);
        }
    }
    top
}

/// A variable name as PHP registers it: the top-level name (leading spaces
/// dropped, `.` and ` ` turned into `_`) and the bracketed indexes after it
/// (`None` for `[]`). `None` when PHP drops the variable.
fn split_name(name: &str) -> Option<(String, Vec<Option<String>>)> {
    let name = name.trim_start_matches(' ');
    let open = name.find('[');
    let base = name[..open.unwrap_or(name.len())].replace([' ', '.'], "_");
    if base.is_empty() {
        return None;
    }
    let Some(open) = open else { return Some((base, vec![])) };
    let mut path = vec![];
    let mut rest = &name[open + 1..];
    loop {
        if path.len() >= MAX_NESTING {
            return None;
        }
        if let Some(after) = rest.strip_prefix(']') {
            path.push(None);
            rest = after;
        } else {
            let Some(close) = rest.find(']') else {
                if path.is_empty() {
                    // Not an index: the `[` and what follows are part of the name.
                    return Some((format!("{base}_{}", rest.replace([' ', '.', '['], "_")), vec![]));
                }
                // A later unclosed `[` ends the name where it is.
                return Some((base, path));
            };
            path.push(Some(rest[..close].to_string()));
            rest = &rest[close + 1..];
        }
        // Whatever follows a `]` other than another `[` is ignored.
        match rest.strip_prefix('[') {
            Some(after) => rest = after,
            None => return Some((base, path)),
        }
    }
}

/// Store `value` under `key` and the indexes `path`, making arrays on the
/// way (a string met on the way is replaced by an array).
fn assign(arr: &mut PhpArray, key: String, path: &[Option<String>], value: String) {
    assign_at(arr, Some(key), path, value);
}

fn assign_at(arr: &mut PhpArray, key: Option<String>, path: &[Option<String>], value: String) {
    let Some((next, deeper)) = path.split_first() else {
        let _ = arr.slot(key, PhpValue::Str(value.clone())).map(|slot| *slot = PhpValue::Str(value));
        return;
    };
    let Some(slot) = arr.slot(key, PhpValue::Array(PhpArray::default())) else { return };
    if !matches!(slot, PhpValue::Array(_)) {
        *slot = PhpValue::Array(PhpArray::default());
    }
    if let PhpValue::Array(inner) = slot {
        assign_at(inner, next.clone(), deeper, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parsed query as JSON, the way `json_encode(parse_str(...))` prints
    /// it (lists as objects too: order and keys are what matter).
    fn php(query: &str) -> String {
        fn show(v: &PhpValue) -> String {
            match v {
                PhpValue::Str(s) => serde_json::Value::String(s.clone()).to_string(),
                PhpValue::Array(a) => obj(a),
            }
        }
        fn obj(a: &PhpArray) -> String {
            let inner: Vec<String> = a
                .entries()
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::String(k.clone()), show(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        obj(&parse(query))
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_at_its_first_place() {
        assert_eq!(php("a=1&a=2"), r#"{"a":"2"}"#);
        assert_eq!(php("b=1&a=2&b=3"), r#"{"b":"3","a":"2"}"#);
    }

    #[test]
    fn empty_brackets_make_a_list() {
        assert_eq!(php("a[]=1&a[]=2"), r#"{"a":{"0":"1","1":"2"}}"#);
        assert_eq!(php("a%5B%5D=1&a%5B%5D=2"), r#"{"a":{"0":"1","1":"2"}}"#, "decoded before it is read");
    }

    #[test]
    fn named_brackets_make_a_keyed_array_nested_as_deep_as_written() {
        assert_eq!(php("a[b]=1&a[c]=2"), r#"{"a":{"b":"1","c":"2"}}"#);
        assert_eq!(php("a[x][y]=1"), r#"{"a":{"x":{"y":"1"}}}"#);
        assert_eq!(php("a[][b]=1&a[][b]=2"), r#"{"a":{"0":{"b":"1"},"1":{"b":"2"}}}"#);
    }

    #[test]
    fn empty_brackets_append_after_the_highest_integer_key() {
        assert_eq!(php("a[5]=x&a[]=y"), r#"{"a":{"5":"x","6":"y"}}"#);
        assert_eq!(php("a[1]=x&a[b]=y&a[]=z"), r#"{"a":{"1":"x","b":"y","2":"z"}}"#);
        assert_eq!(php("a[-1]=x&a[]=y"), r#"{"a":{"-1":"x","0":"y"}}"#);
        assert_eq!(php("a[0]=1&a[01]=2&a[]=3"), r#"{"a":{"0":"1","01":"2","1":"3"}}"#, "01 is a string key");
        assert_eq!(php("a[9223372036854775807]=1&a[]=2"), r#"{"a":{"9223372036854775807":"1"}}"#);
    }

    #[test]
    fn a_later_plain_value_or_array_replaces_the_earlier_one() {
        assert_eq!(php("a=1&a[]=2"), r#"{"a":{"0":"2"}}"#);
        assert_eq!(php("a[]=1&a=2"), r#"{"a":"2"}"#);
        assert_eq!(php("a[x]=1&a[x][y]=2"), r#"{"a":{"x":{"y":"2"}}}"#);
        assert_eq!(php("a[]=1&a[0]=override"), r#"{"a":{"0":"override"}}"#);
    }

    #[test]
    fn plus_is_a_space_and_percent_escapes_are_decoded() {
        assert_eq!(php("q=a+b%20c"), r#"{"q":"a b c"}"#);
        assert_eq!(php("k=%C3%A9"), r#"{"k":"é"}"#);
        assert_eq!(php("a==b"), r#"{"a":"=b"}"#, "the first = splits");
    }

    #[test]
    fn a_bad_percent_escape_stays_as_written() {
        assert_eq!(php("x=%zz%4"), r#"{"x":"%zz%4"}"#);
        assert_eq!(php("x=100%"), r#"{"x":"100%"}"#);
    }

    #[test]
    fn dots_and_spaces_in_a_name_become_underscores_but_not_inside_brackets() {
        assert_eq!(php("a.b=1&c+d=2"), r#"{"a_b":"1","c_d":"2"}"#);
        assert_eq!(php("a%2Eb=1"), r#"{"a_b":"1"}"#);
        assert_eq!(php("a[+b.c]=1"), r#"{"a":{" b.c":"1"}}"#);
    }

    #[test]
    fn leading_spaces_of_a_name_are_dropped_and_an_empty_name_is_ignored() {
        assert_eq!(php("+lead=1"), r#"{"lead":"1"}"#);
        assert_eq!(php("=x&[x]=1&+=2"), "{}");
    }

    #[test]
    fn an_unclosed_bracket_is_part_of_the_name() {
        assert_eq!(php("a[b=1"), r#"{"a_b":"1"}"#);
        assert_eq!(php("a[b.c=1"), r#"{"a_b_c":"1"}"#);
        assert_eq!(php("a]b=1"), r#"{"a]b":"1"}"#);
        assert_eq!(php("a[x][y=1"), r#"{"a":{"x":"1"}}"#, "a later unclosed [ ends the name");
        assert_eq!(php("a[b[c]=1"), r#"{"a":{"b[c":"1"}}"#);
    }

    #[test]
    fn what_follows_a_closing_bracket_is_ignored() {
        assert_eq!(php("a[b]c=1"), r#"{"a":{"b":"1"}}"#);
        assert_eq!(php("a[]]=1"), r#"{"a":{"0":"1"}}"#);
    }

    #[test]
    fn a_name_without_a_value_is_an_empty_string_and_empty_pairs_are_skipped() {
        assert_eq!(php("flag&&b=2"), r#"{"flag":"","b":"2"}"#);
    }

    #[test]
    fn a_name_ends_at_a_nul_byte() {
        assert_eq!(php("a%00b=1"), r#"{"a":"1"}"#);
    }

    #[test]
    fn names_nested_deeper_than_64_levels_are_dropped() {
        let deep = |n: usize| format!("a{}=1", "[x]".repeat(n));
        assert!(php(&deep(64)).starts_with(r#"{"a":"#));
        assert_eq!(php(&deep(65)), "{}");
    }

    #[test]
    fn no_more_than_1000_variables_are_read() {
        let q: Vec<String> = (0..1001).map(|i| format!("v{i}=1")).collect();
        let parsed = parse(&q.join("&"));
        assert_eq!(parsed.entries().len(), 1000);
        assert!(parsed.get("v1000").is_none());
    }

    #[test]
    fn array_merge_overwrites_string_keys_and_renumbers_integer_keys() {
        let merged = parse("a=1&5=x&b=2").merged(&parse("a=3&7=y"));
        assert_eq!(
            merged.entries().iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["a", "0", "b", "1"],
            "{merged:?}"
        );
        assert_eq!(merged.get_str("a"), Some("3"));
    }

    #[test]
    fn rawurlencode_leaves_only_unreserved_characters() {
        assert_eq!(raw_url_encode("a b+c~d.e_f-g/é"), "a%20b%2Bc~d.e_f-g%2F%C3%A9");
        assert_eq!(raw_url_decode("a+b%2Fc"), "a+b/c");
    }
}
