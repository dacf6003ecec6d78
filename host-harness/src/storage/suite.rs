//! One storage suite, run against every backend: SQLite always, PostgreSQL
//! when `WOO_TEST_POSTGRES` names a server (a fresh database per test).

use super::postgres::{PostgresStorage, scratch_database};
use super::seal::Sealer;
use super::sqlite::SqliteStorage;
use super::*;
use std::time::Duration;

/// Declares a test once per backend, as the module `$test` with the tests
/// `sqlite` and `postgres`; the body gets `$s`, a fresh storage, and `$name`,
/// the backend's name. The PostgreSQL one is ignored, with the reason, unless
/// `WOO_TEST_POSTGRES` named a server when the tests were built.
macro_rules! on_each_backend {
    ($(#[doc = $doc:expr])* fn $test:ident($name:ident, $s:ident) $body:block) => {
        $(#[doc = $doc])*
        mod $test {
            use super::*;
            #[test]
            fn sqlite() {
                let ($name, mut $s): (&str, Box<dyn Storage>) = ("sqlite", Box::new(SqliteStorage::memory().unwrap()));
                $body
            }
            #[test]
            #[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
            fn postgres() {
                let url = scratch_database(&postgres_server()).unwrap();
                let ($name, mut $s): (&str, Box<dyn Storage>) = ("postgres", Box::new(PostgresStorage::open_with(&url, Sealer::ephemeral()).unwrap()));
                $body
            }
        }
    };
}

/// The PostgreSQL server the tests create their databases on.
fn postgres_server() -> String {
    std::env::var("WOO_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("WOO_TEST_POSTGRES names a PostgreSQL server")
}

/// A batch of records only.
fn batch(records: Vec<PlatformRecord>) -> Batch {
    Batch { records, triggers: vec![], notifications: vec![], state: vec![] }
}

fn order(body: &str) -> PlatformRecord {
    PlatformRecord { kind: RecordKind::Order, id: "woo:order:1".into(), body: body.into() }
}

type Opener = Box<dyn Fn() -> Result<Box<dyn Storage>>>;

/// Seal a credential with one key, then open the database with another.
fn open_with_another_key(name: &str, with_key: Opener, with_another_key: Opener) {
    let mut s = with_key().unwrap();
    s.kv_set("default", CREDENTIALS_BUCKET, "store", b"secret").unwrap();
    drop(s);
    let e = with_another_key().err().unwrap_or_else(|| panic!("{name}: opened"));
    assert!(is_key_error(&e), "{name}: {e:#}");
    assert!(e.to_string().contains("disconnect"), "{name}: {e}");
}

/// Sealed credentials that the key cannot open fail the open itself (not a
/// later read that would look like "no credentials"), with a `KeyError`.
mod sealed_credentials_another_key_cannot_open_fail_the_open_with_a_key_error {
    use super::*;

    #[test]
    fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let other = path.clone();
        open_with_another_key(
            "sqlite",
            Box::new(move || Ok(Box::new(SqliteStorage::open(&path)?) as Box<dyn Storage>)),
            Box::new(move || {
                std::fs::write(seal::key_path(&other), rand::random::<[u8; 32]>())?;
                Ok(Box::new(SqliteStorage::open(&other)?) as Box<dyn Storage>)
            }),
        );
    }

    #[test]
    #[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
    fn postgres() {
        let url = scratch_database(&postgres_server()).unwrap();
        let key = Sealer::random_base64();
        let u = url.clone();
        open_with_another_key(
            "postgres",
            Box::new(move || {
                Ok(Box::new(PostgresStorage::open_with(&u, Sealer::from_base64(&key)?)?) as Box<dyn Storage>)
            }),
            Box::new(move || Ok(Box::new(PostgresStorage::open_with(&url, Sealer::ephemeral())?) as Box<dyn Storage>)),
        );
    }
}

on_each_backend! {
    fn records_upsert_by_kind_and_id_and_triggers_fire_once(name, s) {
        let trig = TriggerEvent { name: "order_submitted".into(), subject_id: "woo:order:1".into(), key: String::new(), contact_id: None, data: "{}".into(), time: "t1".into() };
        let b = Batch { triggers: vec![trig.clone()], ..batch(vec![order("{\"v\":1}")]) };
        assert_eq!(s.commit("default", &b).unwrap(), [true], "{name}: new");
        let mut trig2 = trig;
        trig2.time = "t2".into();
        let b = Batch { triggers: vec![trig2], ..batch(vec![order("{\"v\":2}")]) };
        assert_eq!(s.commit("default", &b).unwrap(), [false], "{name}: updated in place");
        let all = s.records("default", None).unwrap();
        assert_eq!(all.len(), 2, "{name}");
        assert_eq!(all[0].body, "{\"v\":2}", "{name}");
        assert!(all[1].body.contains("\"t1\""), "{name}: the first firing is kept");
        assert_eq!(s.counts("default").unwrap(), [("order".to_string(), 1), ("trigger".to_string(), 1)], "{name}");
        assert!(s.records("other", None).unwrap().is_empty(), "{name}: connections are apart");
    }
}

on_each_backend! {
    fn trigger_records_keep_the_first_two_shapes_and_key_the_new_ones_once(name, s) {
        let event = |n: &str, subject: &str, key: &str, data: &str, time: &str| TriggerEvent {
            name: n.into(), subject_id: subject.into(), key: key.into(), contact_id: Some("woo:customer:3".into()), data: data.into(), time: time.into(),
        };
        let b = Batch { triggers: vec![
            event("payment_received", "woo:order:7", "", "{}", "t1"),
            event("order_status_changed", "woo:order:7", "pending:processing:2025-03-01T10:00:00", r#"{"from":"pending","to":"processing","trigger":"forged"}"#, "t1"),
            event("order_refunded", "woo:order:7", "9", r#"{"amount":"4.00"}"#, "t1"),
            event("product_out_of_stock", "woo:variation:31", "2025-03-01T10:00:00", r#"{"product_id":"woo:product:30"}"#, "t1"),
        ], ..batch(vec![]) };
        s.commit("default", &b).unwrap();
        let again = Batch { triggers: vec![event("order_refunded", "woo:order:7", "9", r#"{"amount":"5.00"}"#, "t2")], ..batch(vec![]) };
        s.commit("default", &again).unwrap();
        let got: std::collections::BTreeMap<String, serde_json::Value> = s.records("default", Some("trigger")).unwrap().into_iter().map(|r| (r.id, serde_json::from_str(&r.body).unwrap())).collect();
        assert_eq!(got["woo:trigger:payment_received:7"], serde_json::json!({"kind": "trigger", "id": "woo:trigger:payment_received:7", "trigger": "payment_received", "order_id": "woo:order:7", "contact_id": "woo:customer:3", "time": "t1"}), "{name}");
        let changed = &got["woo:trigger:order_status_changed:7:pending:processing:2025-03-01T10:00:00"];
        assert_eq!((changed["trigger"].as_str(), changed["from"].as_str(), changed["to"].as_str()), (Some("order_status_changed"), Some("pending"), Some("processing")), "{name}: data never replaces a field");
        assert_eq!(got["woo:trigger:order_refunded:7:9"]["amount"], "4.00", "{name}: the first firing is kept");
        let stock = &got["woo:trigger:product_out_of_stock:31:2025-03-01T10:00:00"];
        assert_eq!((stock["subject_id"].as_str(), stock["product_id"].as_str(), stock.get("order_id")), (Some("woo:variation:31"), Some("woo:product:30"), None), "{name}");
    }
}

on_each_backend! {
    fn a_batch_is_all_or_nothing(name, s) {
        let mut lease_batch = Batch { state: vec![("cursors".into(), "k".into(), b"v".to_vec())], ..batch(vec![order("{}")]) };
        // A fence on a lease never claimed: the whole batch is refused.
        s.fence(Some(Lease { connection: "default".into(), worker: "w".into(), token: "nope".into() }));
        let e = s.commit("default", &lease_batch).unwrap_err();
        assert!(e.to_string().contains(LEASE_LOST), "{name}: {e}");
        s.fence(None);
        assert!(s.records("default", None).unwrap().is_empty(), "{name}: no record");
        assert_eq!(s.kv_get("default", "cursors", "k").unwrap(), None, "{name}: no state");
        lease_batch.state.clear();
        s.commit("default", &lease_batch).unwrap();
    }
}

on_each_backend! {
    fn credentials_bucket_is_sealed_and_kept_apart_from_state(name, s) {
        s.kv_set("default", CREDENTIALS_BUCKET, "store", b"secret").unwrap();
        s.kv_set("default", "cursors", "x", b"1").unwrap();
        s.kv_set("default", "cursors", "X", b"2").unwrap();
        assert_eq!(s.kv_get("default", CREDENTIALS_BUCKET, "store").unwrap().unwrap(), b"secret", "{name}");
        assert_eq!(s.kv_keys("default", "cursors").unwrap(), ["X", "x"], "{name}: byte order");
        assert_eq!(s.kv_keys("default", CREDENTIALS_BUCKET).unwrap(), ["store"], "{name}");
        s.kv_delete("default", CREDENTIALS_BUCKET, "store").unwrap();
        s.kv_delete("default", "cursors", "x").unwrap();
        assert_eq!(s.kv_get("default", CREDENTIALS_BUCKET, "store").unwrap(), None, "{name}");
        assert_eq!(s.kv_keys("default", "cursors").unwrap(), ["X"], "{name}");
    }
}

on_each_backend! {
    fn get_many_answers_each_key_in_its_place_absent_ones_none_credentials_opened(name, s) {
        s.kv_set("default", "emails", "a@example.com", b"woo:customer:7").unwrap();
        s.kv_set("default", "orders", "5", b"paid").unwrap();
        s.kv_set("other", "orders", "5", b"another connection's").unwrap();
        s.kv_set("default", CREDENTIALS_BUCKET, "store", b"secret").unwrap();
        let keys: Vec<(String, String)> = [
            ("orders", "5"),
            ("emails", "nobody@example.com"),
            (CREDENTIALS_BUCKET, "store"),
            ("emails", "a@example.com"),
            ("orders", "5"),
        ]
        .iter()
        .map(|(b, k)| (b.to_string(), k.to_string()))
        .collect();
        let got = s.kv_get_many("default", &keys).unwrap();
        let want: Vec<Option<&[u8]>> = vec![Some(b"paid"), None, Some(b"secret"), Some(b"woo:customer:7"), Some(b"paid")];
        assert_eq!(got.iter().map(|v| v.as_deref()).collect::<Vec<_>>(), want, "{name}");
        assert!(s.kv_get_many("default", &[]).unwrap().is_empty(), "{name}");
    }
}

on_each_backend! {
    fn notifications_get_sequential_ids(name, s) {
        let n = Notification { topic: "reconnect_required".into(), recipient: "o@x".into(), subject: "s".into(), body: "b".into() };
        s.commit("default", &Batch { notifications: vec![n.clone()], ..batch(vec![]) }).unwrap();
        s.commit("default", &Batch { notifications: vec![n], ..batch(vec![]) }).unwrap();
        let ids: Vec<String> = s.records("default", Some("notification")).unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["woo:notification:1", "woo:notification:2"], "{name}");
    }
}

on_each_backend! {
    fn lease_one_holder_at_a_time_renewed_released_and_due_again_later(name, s) {
        s.schedule("a", false).unwrap();
        s.schedule("b", false).unwrap();
        let lease = Duration::from_secs(30);
        let first = s.claim("w1", None, lease).unwrap().expect("a is due");
        let second = s.claim("w2", None, lease).unwrap().expect("b is due");
        assert_ne!(first.connection, second.connection, "{name}: one holder per connection");
        assert_eq!(s.claim("w3", None, lease).unwrap(), None, "{name}: both held");
        assert!(s.renew(&first, lease).unwrap(), "{name}");
        let held: Vec<Option<String>> = s.connections().unwrap().into_iter().map(|r| r.held_by).collect();
        assert_eq!(held, [Some("w1".to_string()), Some("w2".to_string())], "{name}");
        s.release(&first, Some(Duration::from_secs(3600)), None).unwrap();
        assert!(!s.renew(&first, lease).unwrap(), "{name}: a released lease is gone");
        assert_eq!(s.claim("w3", None, lease).unwrap(), None, "{name}: a is not due for an hour");
        let now = s.now_ms().unwrap();
        assert_eq!(s.due_count(now).unwrap(), 1, "{name}: b, held, is still due");
        s.release(&second, None, Some("boom")).unwrap();
        let again = s.claim("w3", None, lease).unwrap().expect("b kept its due time");
        assert_eq!(again.connection, second.connection, "{name}");
        let rows = s.connections().unwrap();
        assert_eq!(rows[1].last_error.as_deref(), Some("boom"), "{name}");
        let events: Vec<(String, String)> = s.lease_log().unwrap().into_iter().map(|e| (e.worker, e.event)).collect();
        assert_eq!(events.len(), 6, "{name}: {events:?}");
        s.unschedule("a").unwrap();
        assert_eq!(s.connections().unwrap().len(), 1, "{name}");
    }
}

on_each_backend! {
    fn expired_lease_can_be_taken_and_the_old_holder_can_neither_renew_nor_commit(name, s) {
        s.schedule("default", false).unwrap();
        let old = s.claim("w1", None, Duration::from_millis(50)).unwrap().unwrap();
        s.fence(Some(old.clone()));
        s.commit("default", &batch(vec![order("{\"by\":1}")])).unwrap();
        std::thread::sleep(Duration::from_millis(120));
        let new = s.claim("w2", None, Duration::from_secs(30)).unwrap().expect("expired lease is free");
        assert_ne!(new.token, old.token, "{name}");
        assert!(!s.renew(&old, Duration::from_secs(30)).unwrap(), "{name}: lost");
        let e = s.commit("default", &batch(vec![order("{\"by\":1,\"late\":true}")])).unwrap_err();
        assert!(e.to_string().contains(LEASE_LOST), "{name}: {e}");
        s.release(&old, Some(Duration::from_secs(1)), None).unwrap();
        assert_eq!(s.connections().unwrap()[0].held_by.as_deref(), Some("w2"), "{name}: the old holder's release is ignored");
        s.fence(Some(new));
        s.commit("default", &batch(vec![order("{\"by\":2}")])).unwrap();
        assert_eq!(s.records("default", Some("order")).unwrap()[0].body, "{\"by\":2}", "{name}");
    }
}

on_each_backend! {
    fn once_cutoff_leaves_connections_rescheduled_after_it(name, s) {
        s.schedule("a", false).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let cutoff = s.now_ms().unwrap();
        let l = s.claim("w", Some(cutoff), Duration::from_secs(30)).unwrap().unwrap();
        std::thread::sleep(Duration::from_millis(5));
        s.release(&l, Some(Duration::ZERO), None).unwrap();
        assert_eq!(s.claim("w", Some(cutoff), Duration::from_secs(30)).unwrap(), None, "{name}: done for this run");
        assert_eq!(s.due_count(cutoff).unwrap(), 0, "{name}");
        assert!(s.claim("w", None, Duration::from_secs(30)).unwrap().is_some(), "{name}: due now");
    }
}

on_each_backend! {
    fn sync_every_commit_makes_each_commit_durable_before_it_returns(name, s) {
        s.sync_every_commit().unwrap();
        let setting = s.commit_durability().unwrap();
        let durable = if name == "sqlite" { setting == "synchronous=FULL" } else { setting.starts_with("synchronous_commit=on") };
        assert!(durable, "{name}: {setting}");
        assert_eq!(s.commit("default", &batch(vec![order("{}")])).unwrap(), [true], "{name}");
    }
}
