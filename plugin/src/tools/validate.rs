//! The JSON-Schema validator for tool arguments: the subset the tool schemas
//! use, with errors that name the offending field (`items[3].sku`), so a
//! refused call says what to fix.

use super::query::utc_date_time;
use crate::client::Error;
use crate::read;
use serde_json::Value;

/// Validate `args` against a tool's schema (the subset our schemas use):
/// object type, required, additionalProperties, min/maxProperties, property
/// types, enum, minimum/maximum, minLength/maxLength, min/maxItems, items, and
/// the formats `decimal`, `email` and `date-time` (see `utc_date_time`).
pub fn validate(schema: &Value, args: &Value) -> Result<(), Error> {
    validate_at("", schema, args)
}

fn validate_at(path: &str, schema: &Value, v: &Value) -> Result<(), Error> {
    let field = if path.is_empty() { "arguments".to_string() } else { path.to_string() };
    let fail = |m: String| Err(Error::invalid(field.clone(), m));
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => whole_number(v).is_some(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            return fail(format!("must be {}, got {}", types.join(" or "), read::json_type_name(v)));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(v)
    {
        let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        return fail(format!("must be one of {}", list.join(", ")));
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return fail(format!("must be at least {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return fail(format!("must be at most {max}"));
        }
    }
    if let Some(s) = v.as_str() {
        match schema.get("format").and_then(Value::as_str) {
            Some("decimal") if read::normalize_decimal(s).is_none() || s.starts_with('-') => {
                return fail("must be a decimal string such as \"19.99\"".into());
            }
            Some("email") if !s.contains('@') || s.chars().any(char::is_whitespace) => {
                return fail("must be an email address".into());
            }
            Some("field-name")
                if s.is_empty()
                    || s.len() > 100
                    || !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) =>
            {
                return fail("must be a field name: letters, digits, `_`, `.`, `-` (at most 100 characters)".into());
            }
            Some("date-time") => {
                if let Err(m) = utc_date_time(s) {
                    return fail(m);
                }
            }
            _ => {}
        }
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            return fail(format!("must have at least {min} characters"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            return fail(format!("must have at most {max} characters"));
        }
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            match super::pattern::is_match(p, s) {
                Ok(true) => {}
                Ok(false) => return fail(format!("must match the pattern {p}")),
                Err(e) => return fail(format!("cannot be checked: the schema's pattern {p} is unreadable ({})", e.0)),
            }
        }
    }
    if let Some(a) = v.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (a.len() as u64) < min
        {
            return fail(format!("must have at least {min} items"));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && a.len() as u64 > max
        {
            return fail(format!("must have at most {max} items"));
        }
        if let Some(items) = schema.get("items") {
            for (i, item) in a.iter().enumerate() {
                validate_at(&format!("{field}[{i}]"), items, item)?;
            }
        }
    }
    if let Some(obj) = v.as_object() {
        if let Some(min) = schema.get("minProperties").and_then(Value::as_u64)
            && (obj.len() as u64) < min
        {
            return fail(format!("must have at least {min} entries"));
        }
        if let Some(max) = schema.get("maxProperties").and_then(Value::as_u64)
            && obj.len() as u64 > max
        {
            return fail(format!("must have at most {max} entries"));
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(name) = req.as_str()
                && !obj.contains_key(name)
            {
                return Err(Error::invalid(join(path, name), "is required"));
            }
        }
        for (k, val) in obj {
            let sub = join(path, k);
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate_at(&sub, s, val)?,
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => return Err(Error::invalid(sub, "is not a known argument")),
                    Some(s @ Value::Object(_)) => validate_at(&sub, s, val)?,
                    _ => {}
                },
            }
        }
    }
    Ok(())
}

/// `v` as a JSON integer if it is one: JSON Schema counts a number with a
/// zero fractional part (`2.0`) as an integer, so one is accepted and used as
/// that integer (beyond the 64-bit range it is not).
fn whole_number(v: &Value) -> Option<Value> {
    if v.is_i64() || v.is_u64() {
        return Some(v.clone());
    }
    let f = v.as_f64().filter(|f| f.fract() == 0.0)?;
    // 2^64 and -2^63 are exact in f64; inside them the casts are exact too.
    if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
        Some(Value::from(f as u64))
    } else if (-9_223_372_036_854_775_808.0..0.0).contains(&f) {
        Some(Value::from(f as i64))
    } else {
        None
    }
}

/// `args` with every whole number where the schema wants an integer written
/// as an integer (`2.0` → `2`), so that tools read it as one.
pub(super) fn whole_numbers_as_integers(schema: &Value, v: &Value) -> Value {
    let wants_integer = match schema.get("type") {
        Some(Value::String(t)) => t == "integer",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
        _ => false,
    };
    match v {
        Value::Number(_) if wants_integer => whole_number(v).unwrap_or_else(|| v.clone()),
        Value::Array(items) => match schema.get("items") {
            Some(item_schema) => {
                Value::Array(items.iter().map(|i| whole_numbers_as_integers(item_schema, i)).collect())
            }
            None => v.clone(),
        },
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, val)| {
                    let sub = schema
                        .get("properties")
                        .and_then(|p| p.get(k))
                        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()));
                    (k.clone(), sub.map_or_else(|| val.clone(), |s| whole_numbers_as_integers(s, val)))
                })
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// The field name of `k` inside the object at `path`.
fn join(path: &str, k: &str) -> String {
    if path.is_empty() { k.to_string() } else { format!("{path}.{k}") }
}

#[cfg(test)]
mod tests {
    use super::super::{orders, schema};
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_are_validated_naming_the_field() {
        let s = orders::list_schema();
        assert!(
            matches!(validate(&s, &json!({"per_page": 101})), Err(Error::InvalidInput { field, .. }) if field == "per_page")
        );
        assert!(
            matches!(validate(&s, &json!({"bogus": 1})), Err(Error::InvalidInput { field, .. }) if field == "bogus")
        );
        assert!(matches!(validate(&schema::id(), &json!({})), Err(Error::InvalidInput { field, .. }) if field == "id"));
        assert!(
            matches!(validate(&schema::id(), &json!({"id": "7"})), Err(Error::InvalidInput { field, .. }) if field == "id")
        );
        assert!(validate(&s, &json!({"status": "processing", "per_page": 100})).is_ok());
    }

    #[test]
    fn integer_arguments_accept_whole_numbers_written_with_a_fraction() {
        // JSON Schema: "an integer is a number with a zero fractional part".
        let s = orders::list_schema();
        assert!(validate(&s, &json!({"per_page": 2.0})).is_ok());
        assert!(
            matches!(validate(&s, &json!({"per_page": 2.5})), Err(Error::InvalidInput { field, .. }) if field == "per_page")
        );
        assert!(
            matches!(validate(&s, &json!({"per_page": 101.0})), Err(Error::InvalidInput { field, .. }) if field == "per_page")
        );
        assert!(
            matches!(validate(&schema::id(), &json!({"id": 1e20})), Err(Error::InvalidInput { field, .. }) if field == "id")
        );
        // And they are used as integers: `id: 7.0` is order 7, not 0.
        let args = whole_numbers_as_integers(&s, &json!({"per_page": 2.0, "include": [3.0, 4], "status": "any"}));
        assert_eq!(args, json!({"per_page": 2, "include": [3, 4], "status": "any"}));
        assert_eq!(whole_numbers_as_integers(&schema::id(), &json!({"id": 7.0}))["id"].as_u64(), Some(7));
        assert_eq!(whole_numbers_as_integers(&schema::id(), &json!({"id": -0.0}))["id"], json!(0));
    }
}
