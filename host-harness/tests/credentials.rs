//! Where credentials come from and how they are kept: the wc-auth callback
//! bound to the authorisation that asked for it, and the sealing key that
//! is never lost in silence.

mod common;
use common::woo;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use woo_host::sim::{SimConfig, Simulator};

struct Store {
    rt: tokio::runtime::Runtime,
    sim: Simulator,
}

fn store() -> Store {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
    Store { rt, sim }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn connect(st: &Store, db: &str, env: &[(&str, &str)]) {
    let ca = st.sim.ca_cert.to_str().unwrap();
    let o = woo(
        &[
            "--db",
            db,
            "--ca-cert",
            ca,
            "connect",
            "--store",
            &st.sim.https_url,
            "--key",
            &st.sim.consumer_key,
            "--secret",
            &st.sim.consumer_secret,
            "--import",
            "orders",
        ],
        env,
    );
    assert!(o.status.success(), "{}", text(&o));
}

fn key_file(db: &str) -> PathBuf {
    PathBuf::from(format!("{db}.key"))
}

/// Every command that touches the database, with its arguments.
const COMMANDS: [&[&str]; 7] = [
    &["status"],
    &["sync"],
    &["export"],
    &["connections"],
    &["tool", "list-orders"],
    &["settings"],
    &["import", "--kinds", "orders"],
];

fn serve(db: &str, ca: &Path) -> (Child, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = common::woo_command()
        .args(["--db", db, "--ca-cert", ca.to_str().unwrap(), "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    (child, port)
}

// ---- the sealing key ---------------------------------------------------------

#[test]
fn lost_key_file_fails_every_command_with_exit_3_naming_the_key_file_and_no_new_key_is_made() {
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db").display().to_string();
    connect(&st, &db, &[]);
    std::fs::remove_file(key_file(&db)).unwrap();
    for args in COMMANDS {
        let o = woo(&[&["--db", db.as_str()][..], args].concat(), &[]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {t}");
        assert!(
            t.contains(&key_file(&db).display().to_string())
                && t.contains("WOO_SECRET_KEY")
                && t.contains("disconnect"),
            "{args:?}: {t}"
        );
        assert!(!t.contains("no store is connected"), "{t}");
        assert!(!key_file(&db).exists(), "{args:?} made a new key");
    }
    // `serve` refuses to start rather than answer real deliveries 401.
    let o = woo(&["--db", &db, "serve", "--listen", "127.0.0.1:0"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(!key_file(&db).exists());
}

#[test]
fn wrong_key_is_exit_3_and_disconnect_then_connect_recovers() {
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db").display().to_string();
    connect(&st, &db, &[]);
    let original = std::fs::read(key_file(&db)).unwrap();
    std::fs::write(key_file(&db), rand::random::<[u8; 32]>()).unwrap();
    let o = woo(&["--db", &db, "status"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("not the key they were sealed with"), "{}", text(&o));
    // A WOO_SECRET_KEY that did not seal them is refused the same way.
    let other = woo_host::storage::seal::Sealer::random_base64();
    let o = woo(&["--db", &db, "sync"], &[("WOO_SECRET_KEY", &other)]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("set WOO_SECRET_KEY to the key they were sealed with"), "{}", text(&o));
    // Restoring the key is one way back ...
    std::fs::write(key_file(&db), &original).unwrap();
    assert!(woo(&["--db", &db, "status"], &[]).status.success());
    // ... forgetting the credentials and connecting again the other.
    std::fs::write(key_file(&db), rand::random::<[u8; 32]>()).unwrap();
    let o = woo(&["--db", &db, "disconnect"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    connect(&st, &db, &[]);
    let o = woo(&["--db", &db, "--json", "status"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"connected\""));
}

#[cfg(unix)]
#[test]
fn key_file_readable_by_others_is_refused_with_exit_3() {
    use std::os::unix::fs::PermissionsExt;
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db").display().to_string();
    connect(&st, &db, &[]);
    std::fs::set_permissions(key_file(&db), std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = woo(&["--db", &db, "status"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(text(&o).contains("chmod 600"), "{}", text(&o));
    std::fs::set_permissions(key_file(&db), std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(woo(&["--db", &db, "status"], &[]).status.success());
}

#[test]
fn corrupted_database_fails_every_command_with_a_non_zero_exit() {
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.db").display().to_string();
    connect(&st, &good, &[]);
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 8 * 4096, "a database of several pages");
    let garbage: Vec<u8> = (0..bytes.len()).map(|_| rand::random::<u8>()).collect();
    let page = |n: usize| {
        // One page of records (page 2 is the records table's root) overwritten.
        let mut b = bytes.clone();
        b[(n - 1) * 4096..n * 4096].copy_from_slice(&garbage[..4096]);
        b
    };
    let damaged: [(&str, Vec<u8>); 4] = [
        ("garbage", garbage.clone()),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("records root page", page(2)),
        ("last page", page(bytes.len() / 4096)),
    ];
    for (what, content) in damaged {
        let db = dir.path().join(format!("{}.db", what.replace(' ', "-"))).display().to_string();
        std::fs::write(&db, &content).unwrap();
        std::fs::copy(key_file(&good), key_file(&db)).unwrap();
        for args in COMMANDS.iter().copied().chain([&["disconnect"][..]]) {
            let o = woo(&[&["--db", db.as_str()][..], args].concat(), &[]);
            let code = o.status.code();
            assert!(code.is_some_and(|c| c != 0), "{what}: {args:?} exited {code:?}: {}", text(&o));
        }
        let o = woo(&["--db", &db, "sync"], &[]);
        assert!(
            text(&o).contains(&db) || text(&o).contains("malformed") || text(&o).contains("not a database"),
            "{what}: {}",
            text(&o)
        );
    }
}

/// PostgreSQL: the key file for that server and database (under
/// `$XDG_CONFIG_HOME/woo`) follows the same rules.
#[test]
#[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
fn lost_key_file_on_postgres_fails_with_exit_3_and_no_new_key_is_made() {
    let server = common::world::postgres_server();
    let st = store();
    let config = tempfile::tempdir().unwrap();
    let xdg = config.path().display().to_string();
    let env = [("XDG_CONFIG_HOME", xdg.as_str())];
    let db = woo_host::storage::postgres::scratch_database(&server).unwrap();
    connect(&st, &db, &env);
    let keys = || std::fs::read_dir(config.path().join("woo")).unwrap().map(|e| e.unwrap().path()).collect::<Vec<_>>();
    let [key] = keys().try_into().unwrap();
    std::fs::remove_file(&key).unwrap();
    for args in [&["status"][..], &["sync"], &["connections"]] {
        let o = woo(&[&["--db", db.as_str()][..], args].concat(), &env);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(text(&o).contains(&key.display().to_string()), "{}", text(&o));
        assert!(keys().is_empty(), "no new key");
    }
    let o = woo(&["--db", &db, "disconnect"], &env);
    assert!(o.status.success(), "{}", text(&o));
    connect(&st, &db, &env);
    assert!(woo(&["--db", &db, "status"], &env).status.success());
}

// ---- the wc-auth callback ----------------------------------------------------

/// `authorize-url` for `connection`; returns the callback URL it gave
/// WooCommerce, moved onto the local `serve` (the public host stripped).
fn authorize(st: &Store, db: &str, connection: &str, user: &str, port: u16) -> String {
    let o = woo(
        &[
            "--db",
            db,
            "--connection",
            connection,
            "authorize-url",
            "--store",
            &st.sim.https_url,
            "--return-url",
            "https://platform.example/done",
            "--callback-url",
            "https://platform.example/wc-auth/callback",
            "--user-id",
            user,
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    let url = url::Url::parse(String::from_utf8_lossy(&o.stdout).trim()).unwrap();
    let callback = url.query_pairs().find(|(k, _)| k == "callback_url").unwrap().1.into_owned();
    assert!(
        callback.starts_with(&format!("https://platform.example/wc-auth/callback/{connection}?state=")),
        "{callback}"
    );
    callback.replace("https://platform.example", &format!("http://127.0.0.1:{port}"))
}

fn post(st: &Store, url: &str, body: Value) -> u16 {
    st.rt
        .block_on(woo_host::sim::post_loopback(url, vec![], body.to_string().into_bytes(), "application/json"))
        .unwrap()
}

fn grant(st: &Store, user: Value, permissions: Option<&str>) -> Value {
    let mut v = json!({"key_id": 1, "user_id": user, "consumer_key": st.sim.consumer_key, "consumer_secret": st.sim.consumer_secret});
    if let Some(p) = permissions {
        v["key_permissions"] = json!(p);
    }
    v
}

fn sealed_rows(db: &str) -> Vec<(String, String, Vec<u8>)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c.prepare("SELECT connection, key, value FROM credentials ORDER BY connection, key").unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

fn state(db: &str, connection: &str) -> String {
    let o = woo(&["--db", db, "--connection", connection, "--json", "status"], &[]);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice::<Value>(&o.stdout).unwrap()["state"].as_str().unwrap().to_string()
}

#[test]
fn wc_auth_callback_must_carry_the_pending_state_user_id_and_a_read_write_key_or_changes_nothing() {
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("auth.db").display().to_string();
    let (mut server, port) = serve(&db, &st.sim.ca_cert);
    let callback = authorize(&st, &db, "default", "42", port);
    let (path_only, query) = callback.split_once('?').unwrap();
    let legacy = format!("http://127.0.0.1:{port}/wc-auth/callback");
    let other_state = format!("{path_only}?state={}", woo_host::wc_auth::new_state());
    let refused = [
        ("no state, another user", legacy.as_str(), grant(&st, json!("999"), Some("read_write")), 403),
        ("no state", legacy.as_str(), grant(&st, json!("42"), Some("read_write")), 403),
        ("no state on the connection path", path_only, grant(&st, json!("42"), Some("read_write")), 403),
        ("another state", other_state.as_str(), grant(&st, json!("42"), Some("read_write")), 403),
        ("another user", callback.as_str(), grant(&st, json!("999"), Some("read_write")), 403),
        ("no key_permissions", callback.as_str(), grant(&st, json!("42"), None), 400),
        ("a read key", callback.as_str(), grant(&st, json!("42"), Some("read")), 400),
    ];
    for (what, url, body, status) in refused {
        assert_eq!(post(&st, url, body), status, "{what}");
        assert!(sealed_rows(&db).is_empty(), "{what}: no credentials written");
        assert_eq!(state(&db, "default"), "disconnected", "{what}");
    }
    assert!(query.starts_with("state="));
    assert_eq!(post(&st, &callback, grant(&st, json!("42"), Some("read_write"))), 200);
    assert_eq!(state(&db, "default"), "connected");
    // Consumed: a replay, even of the right callback, finds nothing pending
    // and does not re-seal the credentials.
    let sealed = sealed_rows(&db);
    assert_eq!(post(&st, &callback, grant(&st, json!("42"), Some("read_write"))), 409);
    assert_eq!(sealed_rows(&db), sealed);
    // A new authorisation replaces the one before it.
    let first = authorize(&st, &db, "default", "42", port);
    let second = authorize(&st, &db, "default", "42", port);
    assert_eq!(post(&st, &first, grant(&st, json!("42"), Some("read_write"))), 403);
    assert_eq!(post(&st, &second, grant(&st, json!(42), Some("read_write"))), 200);
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn wc_auth_callback_completes_the_connection_that_asked_for_it() {
    let st = store();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("auth.db").display().to_string();
    let (mut server, port) = serve(&db, &st.sim.ca_cert);
    let shop2 = authorize(&st, &db, "shop-2", "7", port);
    let default = authorize(&st, &db, "default", "7", port);
    // One connection's state does not open another's.
    let crossed = format!("{}?{}", shop2.split_once('?').unwrap().0, default.split_once('?').unwrap().1);
    assert_eq!(post(&st, &crossed, grant(&st, json!("7"), Some("read_write"))), 403);
    assert_eq!(post(&st, &shop2, grant(&st, json!("7"), Some("read_write"))), 200);
    assert_eq!(state(&db, "shop-2"), "connected");
    assert_eq!(state(&db, "default"), "disconnected", "only the connection that asked");
    assert_eq!(
        post(
            &st,
            &format!("http://127.0.0.1:{port}/wc-auth/callback/bad%20name?state=x"),
            grant(&st, json!("7"), Some("read_write"))
        ),
        404
    );
    let _ = server.kill();
    let _ = server.wait();
    let o = woo(&["--db", &db, "--connection", "shop-2", "export", "--kind", "order"], &[]);
    assert!(o.status.success(), "{}", text(&o));
}
