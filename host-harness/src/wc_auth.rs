//! The wc-auth handshake, host side: `woo authorize-url` records one pending
//! authorisation per connection, and WooCommerce's callback completes it only
//! if it carries that authorisation's state, its user id and a `read_write`
//! key before it expires.
//!
//! WooCommerce POSTs the new key as JSON to the `callback_url` it was given,
//! unchanged except for one extra `urldecode` (`WC_Auth::get_formatted_url`),
//! so the state is hex: nothing in it changes when decoded again. The callback
//! URL gets the connection as a last path segment (`…/callback/<connection>`)
//! and the state as a `state` query parameter.

use crate::session::HOST_BUCKET;
use crate::storage::Storage;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Where a connection's pending authorisation is kept (host bucket).
pub const PENDING_KEY: &str = "pending_auth";

/// How long an authorisation URL stays good for.
pub const PENDING_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// What `authorize-url` recorded. Only a digest of the state is stored, so
/// reading the database does not give what a forged callback would need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// SHA-256 of the state, hex.
    pub state_sha256: String,
    /// The WordPress user id the key must be for.
    pub user_id: String,
    /// The store being authorised.
    pub store_url: String,
    /// On the storage's clock (the database's, for PostgreSQL).
    pub expires_ms: i64,
}

/// A fresh state: 32 bytes from the thread's CSPRNG, as hex.
pub fn new_state() -> String {
    hex(&rand::random::<[u8; 32]>())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest(state: &str) -> String {
    hex(&Sha256::digest(state.as_bytes()))
}

/// Equal strings, compared in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A connection name `woo serve` routes (`/webhooks/<name>`,
/// `/wc-auth/callback/<name>`): letters, digits, `-`, `_`, `.`, at most 64.
pub fn is_routable_connection(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The URL WooCommerce is asked to post the key to: `callback_url` with
/// `/<connection>` appended to its path and `state` added to its query.
pub fn callback_url_for(callback_url: &str, connection: &str, state: &str) -> Result<String, String> {
    if !is_routable_connection(connection) {
        return Err(format!(
            "the connection name `{connection}` cannot be part of a callback URL (letters, digits, -, _, . only, at most 64)"
        ));
    }
    let mut url =
        url::Url::parse(callback_url.trim()).map_err(|_| "--callback-url is not an absolute URL".to_string())?;
    if url.fragment().is_some() {
        return Err("--callback-url must not have a #fragment".into());
    }
    {
        let mut path = url.path_segments_mut().map_err(|_| "--callback-url is not an http(s) URL".to_string())?;
        path.pop_if_empty().push(connection);
    }
    url.query_pairs_mut().append_pair("state", state);
    Ok(url.to_string())
}

/// Record the pending authorisation of `connection`, replacing any earlier one.
pub fn save_pending(
    storage: &mut dyn Storage,
    connection: &str,
    state: &str,
    user_id: &str,
    store_url: &str,
) -> Result<()> {
    let pending = Pending {
        state_sha256: digest(state),
        user_id: user_id.trim().to_string(),
        store_url: store_url.trim().trim_end_matches('/').to_string(),
        expires_ms: storage.now_ms()?.saturating_add(crate::storage::millis(PENDING_LIFETIME)),
    };
    storage.kv_set(connection, HOST_BUCKET, PENDING_KEY, &serde_json::to_vec(&pending)?)
}

/// Why a callback was turned away; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No `authorize-url` is waiting for this connection.
    NoPending,
    /// It was, but more than [`PENDING_LIFETIME`] ago (it is now forgotten).
    Expired,
    /// The `state` is missing or is not the pending one.
    BadState,
    /// The key was granted for another user id than the one asked for.
    WrongUser,
    /// The key is not `read_write`.
    NotReadWrite,
    /// Not the JSON WooCommerce sends.
    Malformed(&'static str),
}

impl Refusal {
    /// The HTTP status `woo serve` answers with.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::NoPending => 409,
            Refusal::Expired => 410,
            Refusal::BadState | Refusal::WrongUser => 403,
            Refusal::NotReadWrite | Refusal::Malformed(_) => 400,
        }
    }

    /// What the caller is told (never a key or the state).
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::NoPending => "no authorisation is pending for this connection: run `woo authorize-url` first",
            Refusal::Expired => "the authorisation has expired: run `woo authorize-url` again",
            Refusal::BadState => "the callback does not carry the state of the pending authorisation",
            Refusal::WrongUser => "the key was granted for another user than the authorisation asked for",
            Refusal::NotReadWrite => "the key must have read_write permissions",
            Refusal::Malformed(m) => m,
        }
    }
}

/// A callback that matches its pending authorisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// The store the key is for.
    pub store_url: String,
    /// The new key's consumer key.
    pub consumer_key: String,
    /// The new key's consumer secret.
    pub consumer_secret: String,
    /// To consume exactly this authorisation once the key works.
    pub state_sha256: String,
}

/// Check a callback (`query` of its URL, JSON `body`) against the pending
/// authorisation of `connection`. Changes nothing, except forgetting an
/// expired authorisation.
pub fn check(
    storage: &mut dyn Storage,
    connection: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Result<Accepted, Refusal>> {
    let Some(raw) = storage.kv_get(connection, HOST_BUCKET, PENDING_KEY)? else { return Ok(Err(Refusal::NoPending)) };
    let Ok(pending) = serde_json::from_slice::<Pending>(&raw) else { return Ok(Err(Refusal::NoPending)) };
    let state = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "state").map(|(_, v)| v.into_owned())
    });
    let Some(state) = state else { return Ok(Err(Refusal::BadState)) };
    if !constant_time_eq(digest(&state).as_bytes(), pending.state_sha256.as_bytes()) {
        return Ok(Err(Refusal::BadState));
    }
    if storage.now_ms()? >= pending.expires_ms {
        storage.kv_delete(connection, HOST_BUCKET, PENDING_KEY)?;
        return Ok(Err(Refusal::Expired));
    }
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Ok(Err(Refusal::Malformed("expected the JSON WooCommerce sends")));
    };
    let user_id = match &v["user_id"] {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if user_id != pending.user_id {
        return Ok(Err(Refusal::WrongUser));
    }
    if v["key_permissions"].as_str() != Some("read_write") {
        return Ok(Err(Refusal::NotReadWrite));
    }
    let (Some(key), Some(secret)) = (v["consumer_key"].as_str(), v["consumer_secret"].as_str()) else {
        return Ok(Err(Refusal::Malformed("consumer_key and consumer_secret are required")));
    };
    Ok(Ok(Accepted {
        store_url: pending.store_url,
        consumer_key: key.into(),
        consumer_secret: secret.into(),
        state_sha256: pending.state_sha256,
    }))
}

/// Forget the authorisation `accepted` matched, unless a newer
/// `authorize-url` has replaced it meanwhile.
pub fn consume(storage: &mut dyn Storage, connection: &str, accepted: &Accepted) -> Result<()> {
    let current = storage
        .kv_get(connection, HOST_BUCKET, PENDING_KEY)?
        .and_then(|raw| serde_json::from_slice::<Pending>(&raw).ok());
    if current.is_some_and(|p| p.state_sha256 == accepted.state_sha256) {
        storage.kv_delete(connection, HOST_BUCKET, PENDING_KEY)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteStorage;
    use crate::storage::{LeaseScheduler, RecordStore};
    use serde_json::json;

    fn body(user: Value, permissions: Option<&str>) -> Vec<u8> {
        let mut v = json!({"key_id": 3, "user_id": user, "consumer_key": "ck_abc", "consumer_secret": "cs_def"});
        if let Some(p) = permissions {
            v["key_permissions"] = json!(p);
        }
        v.to_string().into_bytes()
    }

    fn pending(storage: &mut SqliteStorage, connection: &str) -> String {
        let state = new_state();
        save_pending(storage, connection, &state, "42", "https://shop.example/").unwrap();
        state
    }

    #[test]
    fn callback_url_carries_the_connection_and_a_state_that_survives_a_second_urldecode() {
        let state = new_state();
        assert_eq!(state.len(), 64);
        assert!(state.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(state, new_state());
        let u = callback_url_for("https://p.example/wc-auth/callback/", "shop-2", &state).unwrap();
        assert_eq!(u, format!("https://p.example/wc-auth/callback/shop-2?state={state}"));
        let u = callback_url_for("https://p.example/cb?tenant=9", "default", "ab").unwrap();
        assert_eq!(u, "https://p.example/cb/default?tenant=9&state=ab");
        assert!(callback_url_for("https://p.example/cb", "a/b", "ab").is_err());
        assert!(callback_url_for("https://p.example/cb", &"x".repeat(65), "ab").is_err());
    }

    #[test]
    fn wc_auth_callback_must_carry_the_pending_state() {
        let mut s = SqliteStorage::memory().unwrap();
        let state = pending(&mut s, "default");
        let ok = body(json!("42"), Some("read_write"));
        assert_eq!(check(&mut s, "default", None, &ok).unwrap(), Err(Refusal::BadState));
        assert_eq!(check(&mut s, "default", Some("state="), &ok).unwrap(), Err(Refusal::BadState));
        assert_eq!(
            check(&mut s, "default", Some(&format!("state={}", new_state())), &ok).unwrap(),
            Err(Refusal::BadState)
        );
        assert_eq!(
            check(&mut s, "other", Some(&format!("state={state}")), &ok).unwrap(),
            Err(Refusal::NoPending),
            "bound to its connection"
        );
        let a = check(&mut s, "default", Some(&format!("state={state}")), &ok).unwrap().unwrap();
        assert_eq!((a.store_url.as_str(), a.consumer_key.as_str()), ("https://shop.example", "ck_abc"));
    }

    #[test]
    fn wc_auth_callback_must_be_for_the_user_id_asked_for() {
        let mut s = SqliteStorage::memory().unwrap();
        let q = format!("state={}", pending(&mut s, "default"));
        for user in [json!("999"), json!(999), json!(null), json!("")] {
            assert_eq!(
                check(&mut s, "default", Some(&q), &body(user, Some("read_write"))).unwrap(),
                Err(Refusal::WrongUser)
            );
        }
        assert!(
            check(&mut s, "default", Some(&q), &body(json!(42), Some("read_write"))).unwrap().is_ok(),
            "a number is the same id"
        );
    }

    #[test]
    fn wc_auth_callback_needs_a_read_write_key() {
        let mut s = SqliteStorage::memory().unwrap();
        let q = format!("state={}", pending(&mut s, "default"));
        for p in [None, Some("read"), Some("write"), Some("READ_WRITE")] {
            assert_eq!(
                check(&mut s, "default", Some(&q), &body(json!("42"), p)).unwrap(),
                Err(Refusal::NotReadWrite),
                "{p:?}"
            );
        }
    }

    #[test]
    fn wc_auth_pending_authorisation_expires_and_is_replaced_by_a_new_one() {
        let mut s = SqliteStorage::memory().unwrap();
        let old = pending(&mut s, "default");
        let new = pending(&mut s, "default");
        let ok = body(json!("42"), Some("read_write"));
        assert_eq!(
            check(&mut s, "default", Some(&format!("state={old}")), &ok).unwrap(),
            Err(Refusal::BadState),
            "replaced"
        );
        let mut p: Pending =
            serde_json::from_slice(&s.kv_get("default", HOST_BUCKET, PENDING_KEY).unwrap().unwrap()).unwrap();
        p.expires_ms = s.now_ms().unwrap() - 1;
        s.kv_set("default", HOST_BUCKET, PENDING_KEY, &serde_json::to_vec(&p).unwrap()).unwrap();
        assert_eq!(check(&mut s, "default", Some(&format!("state={new}")), &ok).unwrap(), Err(Refusal::Expired));
        assert_eq!(
            check(&mut s, "default", Some(&format!("state={new}")), &ok).unwrap(),
            Err(Refusal::NoPending),
            "forgotten"
        );
    }

    #[test]
    fn wc_auth_pending_authorisation_is_consumed_once_and_keeps_a_newer_one() {
        let mut s = SqliteStorage::memory().unwrap();
        let q = format!("state={}", pending(&mut s, "default"));
        let a = check(&mut s, "default", Some(&q), &body(json!("42"), Some("read_write"))).unwrap().unwrap();
        consume(&mut s, "default", &a).unwrap();
        assert_eq!(
            check(&mut s, "default", Some(&q), &body(json!("42"), Some("read_write"))).unwrap(),
            Err(Refusal::NoPending)
        );
        let q = format!("state={}", pending(&mut s, "default"));
        let a = check(&mut s, "default", Some(&q), &body(json!("42"), Some("read_write"))).unwrap().unwrap();
        let newer = pending(&mut s, "default");
        consume(&mut s, "default", &a).unwrap();
        assert!(
            check(&mut s, "default", Some(&format!("state={newer}")), &body(json!("42"), Some("read_write")))
                .unwrap()
                .is_ok()
        );
    }

    #[test]
    fn wc_auth_state_is_stored_only_as_a_digest() {
        let mut s = SqliteStorage::memory().unwrap();
        let state = pending(&mut s, "default");
        let raw = s.kv_get("default", HOST_BUCKET, PENDING_KEY).unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains(&state));
    }
}
