//! The connection: URL and credential checks, verification, the stored
//! connection and its states (`connected`, `reconnect_required`,
//! `disconnected`). Only a failed light check of the connection itself
//! moves it to `reconnect_required`.

use crate::client::{ApiRequest, Client, Credentials, Error, Scheme, SignatureMethod, StoreUrl, Transport};
use crate::port::{Batch, Host, Level, Notification, StorageError, bucket};
use serde::{Deserialize, Serialize};

/// `connected`, `reconnect_required` or `disconnected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Credentials work; sync runs.
    Connected,
    /// The store refused the credentials; sync is paused until `connect` again.
    ReconnectRequired,
    /// No store is connected.
    #[default]
    Disconnected,
}

/// What the user gives to connect.
#[derive(Debug, Clone)]
pub struct ConnectConfig {
    /// The store's home URL.
    pub store_url: String,
    /// The REST key's `ck_…`.
    pub consumer_key: String,
    /// The REST key's `cs_…`.
    pub consumer_secret: String,
    /// How requests are signed over plain HTTP.
    pub signature_method: SignatureMethod,
    /// Who is told when the connection needs new credentials.
    pub owner_email: Option<String>,
}

/// The connection's public facts, kept in the `connection` bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Info {
    /// The connection's state.
    pub state: State,
    /// Normalised store URL (no trailing slash); empty when disconnected.
    pub store_url: String,
    /// WooCommerce's version, as the store reported it.
    pub woocommerce_version: Option<String>,
    /// `basic` over HTTPS, `oauth1-hmac-sha256` (or `-sha1`) over plain HTTP.
    pub auth_method: String,
    /// Who is told when the connection needs new credentials.
    pub owner_email: Option<String>,
    /// Things the user should know (plain HTTP …).
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredCredentials {
    consumer_key: String,
    consumer_secret: String,
    signature_method: String,
}

const INFO_KEY: &str = "info";
const CREDENTIALS_KEY: &str = "store";

/// Refuse keys that are empty, too long or carry characters no WooCommerce
/// key has. The message never repeats the value.
fn check_key(field: &str, value: &str, prefix: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    if value.len() > 200 {
        return Err(Error::invalid(field, "is longer than any WooCommerce key"));
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(Error::invalid(
            field,
            "has characters a WooCommerce key never has (spaces, quotes, control characters …)",
        ));
    }
    if !value.starts_with(prefix) {
        return Err(Error::invalid(field, format!("should start with `{prefix}`")));
    }
    Ok(())
}

/// Check the URL and credentials, verify them with one light read, record
/// the store's WooCommerce version and save the connection.
pub fn connect<T: Transport>(
    host: &mut impl Host,
    transport: T,
    cfg: ConnectConfig,
) -> Result<(Info, Client<T>), Error> {
    let url = StoreUrl::parse(&cfg.store_url).map_err(|m| Error::invalid("store_url", m))?;
    check_key("consumer_key", &cfg.consumer_key, "ck_")?;
    check_key("consumer_secret", &cfg.consumer_secret, "cs_")?;
    if let Some(e) = &cfg.owner_email
        && !(e.contains('@') && e.len() < 320 && !e.chars().any(char::is_whitespace))
    {
        return Err(Error::invalid("owner_email", "is not an email address"));
    }
    let credentials = Credentials {
        consumer_key: cfg.consumer_key.clone(),
        consumer_secret: cfg.consumer_secret.clone(),
        signature_method: cfg.signature_method,
    };
    let mut warnings = vec![];
    if url.scheme == Scheme::Http {
        warnings.push(format!(
            "{} is plain HTTP: requests are signed with OAuth 1.0a, but data travels unencrypted",
            url.as_string()
        ));
    }
    let auth_method = credentials.auth_method(&url);
    let mut client = Client::new(url.clone(), credentials, transport);
    let version = verify(&mut client)?;
    if let Some(v) = &version
        && !version_at_least(v, 3, 5)
    {
        return Err(Error::invalid("store_url", format!("WooCommerce {v} is too old: 3.5 or newer is supported")));
    }
    let info = Info {
        state: State::Connected,
        store_url: url.as_string(),
        woocommerce_version: version,
        auth_method,
        owner_email: cfg.owner_email.clone(),
        warnings,
    };
    let stored = StoredCredentials {
        consumer_key: cfg.consumer_key,
        consumer_secret: cfg.consumer_secret,
        signature_method: cfg.signature_method.oauth_name().to_string(),
    };
    let mut batch = Batch::default();
    batch.set_state(bucket::CREDENTIALS, CREDENTIALS_KEY, serde_json::to_vec(&stored).unwrap_or_default());
    batch.set_state(bucket::CONNECTION, INFO_KEY, serde_json::to_vec(&info).unwrap_or_default());
    host.commit(batch).map_err(|e| Error::Storage(format!("could not save the connection: {e}")))?;
    Ok((info, client))
}

/// A client for `cfg` with the checks of [`connect`] (URL, key shapes) but
/// no request and nothing stored: for a host that hands the store and its key
/// to every call (the `tools` world reads them from its configuration).
pub fn client_for<T: Transport>(cfg: &ConnectConfig, transport: T) -> Result<Client<T>, Error> {
    let url = StoreUrl::parse(&cfg.store_url).map_err(|m| Error::invalid("store_url", m))?;
    check_key("consumer_key", &cfg.consumer_key, "ck_")?;
    check_key("consumer_secret", &cfg.consumer_secret, "cs_")?;
    let credentials = Credentials {
        consumer_key: cfg.consumer_key.clone(),
        consumer_secret: cfg.consumer_secret.clone(),
        signature_method: cfg.signature_method,
    };
    Ok(Client::new(url, credentials, transport))
}

/// The connection's own check: one light authenticated read that also tells
/// the WooCommerce version. `rest_no_route` here means the REST API itself is
/// gone (plugin disabled, permalinks broken): `auth`, like a refused key.
fn verify<T: Transport>(client: &mut Client<T>) -> Result<Option<String>, Error> {
    let r = client.send(&ApiRequest::get("/system_status", vec![("_fields".into(), "environment".into())])).map_err(
        |e| match e {
            Error::NotFound(r) if r.code == crate::client::error::NO_ROUTE => Error::Auth(r),
            other => other,
        },
    )?;
    Ok(r.body["environment"]["version"].as_str().map(str::to_string))
}

/// Compare a dotted version with `major.minor`.
pub fn version_at_least(v: &str, major: u64, minor: u64) -> bool {
    let mut parts = v
        .split('.')
        .map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u64>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// The stored connection facts (`disconnected` when there is none, or when
/// what is stored is not readable as facts); an error when the host cannot
/// read its state.
pub fn info(host: &mut impl Host) -> Result<Info, StorageError> {
    Ok(host.get(bucket::CONNECTION, INFO_KEY)?.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default())
}

/// A client for the connected store. Refuses while the connection needs to be
/// reconnected, or when there is none.
pub fn open<T: Transport>(host: &mut impl Host, transport: T) -> Result<Client<T>, Error> {
    let info = info(host)?;
    match info.state {
        State::Disconnected => return Err(Error::NotConnected),
        State::ReconnectRequired => {
            return Err(Error::ReconnectRequired(format!(
                "the store {} refused the saved credentials; run `woo connect` again with a new key",
                info.store_url
            )));
        }
        State::Connected => {}
    }
    let stored: StoredCredentials = host
        .get(bucket::CREDENTIALS, CREDENTIALS_KEY)?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Error::NotConnected)?;
    let url = StoreUrl::parse(&info.store_url).map_err(|m| Error::invalid("store_url", m))?;
    let signature_method =
        if stored.signature_method == "HMAC-SHA1" { SignatureMethod::HmacSha1 } else { SignatureMethod::HmacSha256 };
    Ok(Client::new(
        url,
        Credentials { consumer_key: stored.consumer_key, consumer_secret: stored.consumer_secret, signature_method },
        transport,
    ))
}

/// After an error from the store. Only a failed light check of the
/// connection itself changes its state: a 401/403 or a `rest_no_route` from
/// one request (a mistyped raw path, an endpoint no plugin registered, a
/// read-only key that writes, a query that broke the signature) may as well
/// be that request's own fault, so the check is run: if it is refused too
/// (or the REST API is gone), the connection moves to `reconnect_required`
/// and one notification is queued for the owner; otherwise the state stays
/// and the request's error is returned typed (`forbidden` for a refused
/// request, `not-found` for a missing route). Nothing synced is deleted.
pub fn note_failure<T: Transport>(host: &mut impl Host, client: &mut Client<T>, err: Error) -> Error {
    if !err.may_mean_broken_connection() {
        return err;
    }
    match verify(client) {
        Ok(_) => match err {
            Error::Auth(e) => Error::Forbidden(e),
            other => other,
        },
        Err(check) if check.is_auth() => {
            mark_reconnect_required(host, &check);
            check
        }
        // The check could not tell (store down, rate limited): no change.
        Err(_) => err,
    }
}

/// Move a connected connection to `reconnect_required` with one
/// notification for the owner. When the host cannot read the connection's
/// state, nothing changes (the failure is logged): the caller's error is
/// what the user sees either way.
fn mark_reconnect_required(host: &mut impl Host, err: &Error) {
    let mut info = match info(host) {
        Ok(info) => info,
        Err(e) => {
            host.log(Level::Error, &format!("could not read the connection to record reconnect_required: {e}"));
            return;
        }
    };
    if info.state != State::Connected {
        return;
    }
    info.state = State::ReconnectRequired;
    let mut batch = Batch::default();
    batch.set_state(bucket::CONNECTION, INFO_KEY, serde_json::to_vec(&info).unwrap_or_default());
    if let Some(owner) = info.owner_email.clone() {
        batch.notifications.push(Notification {
            topic: "reconnect_required".into(),
            recipient: owner,
            subject: "Your WooCommerce store needs to be reconnected".into(),
            body: format!(
                "The store {} refused our credentials ({err}). Syncing is paused and nothing was deleted.\n\
                 To resume: in WordPress go to WooCommerce → Settings → Advanced → REST API, create a key with \
                 Read/Write permissions, then reconnect (`woo connect --store {} --key ck_… --secret cs_…`).",
                info.store_url, info.store_url
            ),
        });
    }
    if let Err(e) = host.commit(batch) {
        host.log(Level::Error, &format!("could not record reconnect_required: {e}"));
    }
    host.log(Level::Warn, &format!("connection moved to reconnect_required: {err}"));
}

/// The WooCommerce app-authorisation URL for this store (scope read_write).
pub fn authorize_url(
    store_url: &str,
    app_name: &str,
    user_id: &str,
    return_url: &str,
    callback_url: &str,
) -> Result<String, Error> {
    let url = StoreUrl::parse(store_url).map_err(|m| Error::invalid("store_url", m))?;
    for (field, v) in [("return_url", return_url), ("callback_url", callback_url)] {
        if !(v.starts_with("https://") || v.starts_with("http://"))
            || v.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::invalid(field, "must be an absolute http(s) URL"));
        }
    }
    if !callback_url.starts_with("https://") {
        return Err(Error::invalid("callback_url", "WooCommerce only posts keys to an https:// callback"));
    }
    if app_name.trim().is_empty() || user_id.trim().is_empty() {
        return Err(Error::invalid(if app_name.trim().is_empty() { "app_name" } else { "user_id" }, "is empty"));
    }
    let enc = crate::client::oauth::percent_encode;
    Ok(format!(
        "{}/wc-auth/v1/authorize?app_name={}&scope=read_write&user_id={}&return_url={}&callback_url={}",
        url.as_string(),
        enc(app_name),
        enc(user_id),
        enc(return_url),
        enc(callback_url)
    ))
}

/// Forget credentials and cursors; records stay.
pub fn disconnect(host: &mut impl Host) -> Result<(), Error> {
    for b in [bucket::CREDENTIALS, bucket::CONNECTION, bucket::CURSORS] {
        for k in host.keys(b)? {
            host.delete(b, &k)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::fake::{FakeTransport, json};
    use crate::port::memory::MemoryHost;

    fn cfg(url: &str) -> ConnectConfig {
        ConnectConfig {
            store_url: url.into(),
            consumer_key: "ck_0123456789abcdef".into(),
            consumer_secret: "cs_0123456789abcdef".into(),
            signature_method: SignatureMethod::HmacSha256,
            owner_email: Some("owner@example.com".into()),
        }
    }

    #[test]
    fn connect_records_version_and_keeps_secret_out_of_public_state() {
        let mut host = MemoryHost::default();
        let mut t = FakeTransport::default();
        t.answers.push_back(Ok(json(200, r#"{"environment":{"version":"11.0.1"}}"#, &[])));
        let (info, _) = connect(&mut host, t, cfg("https://shop.example.com/")).unwrap();
        assert_eq!(info.woocommerce_version.as_deref(), Some("11.0.1"));
        assert_eq!(info.store_url, "https://shop.example.com");
        let public = String::from_utf8(host.get(bucket::CONNECTION, INFO_KEY).unwrap().unwrap()).unwrap();
        assert!(!public.contains("cs_0123456789abcdef") && !public.contains("ck_0123456789abcdef"));
    }

    #[test]
    fn connect_wrong_key_is_typed_auth_error_and_saves_nothing() {
        let mut host = MemoryHost::default();
        let mut t = FakeTransport::default();
        t.answers.push_back(Ok(json(401, r#"{"code":"woocommerce_rest_authentication_error","message":"Consumer key is invalid.","data":{"status":401}}"#, &[])));
        let e = connect(&mut host, t, cfg("https://shop.example.com")).err().unwrap();
        assert!(e.is_auth());
        assert_eq!(info(&mut host).unwrap().state, State::Disconnected);
    }

    #[test]
    fn connect_bad_key_shape_is_refused_without_echoing_it() {
        let mut host = MemoryHost::default();
        let mut c = cfg("https://shop.example.com");
        c.consumer_secret = "cs_has space".into();
        let e = connect(&mut host, FakeTransport::default(), c).err().unwrap();
        assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "consumer_secret"));
        assert!(!e.to_string().contains("has space"));
    }

    #[test]
    fn client_for_checks_like_connect_but_sends_and_stores_nothing() {
        let c = client_for(&cfg("https://shop.example.com/"), FakeTransport::default()).unwrap();
        assert!(c.transport.sent.is_empty());
        let mut bad = cfg("https://shop.example.com");
        bad.consumer_key = "cs_swapped".into();
        let e = client_for(&bad, FakeTransport::default()).err().unwrap();
        assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "consumer_key"));
        let e = client_for(&cfg("ftp://shop.example.com"), FakeTransport::default()).err().unwrap();
        assert!(matches!(&e, Error::InvalidInput { field, .. } if field == "store_url"));
    }

    const REVOKED: &str = r#"{"code":"woocommerce_rest_authentication_error","message":"Consumer key is invalid.","data":{"status":401}}"#;
    const READ_ONLY_WRITE: &str = r#"{"code":"woocommerce_rest_authentication_error","message":"The API key provided does not have write permissions.","data":{"status":401}}"#;
    const NO_ROUTE: &str = r#"{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}"#;
    const CHECK_OK: &str = r#"{"environment":{"version":"11.0.1"}}"#;

    fn connected() -> (MemoryHost, Client<FakeTransport>) {
        let mut host = MemoryHost::default();
        let mut t = FakeTransport::default();
        t.answers.push_back(Ok(json(200, r#"{"environment":{"version":"9.8.0"}}"#, &[])));
        let (_, c) = connect(&mut host, t, cfg("https://shop.example.com")).unwrap();
        (host, c)
    }

    #[test]
    fn a_failed_connection_check_moves_to_reconnect_required_with_one_notification() {
        let (mut host, mut c) = connected();
        for _ in 0..2 {
            c.transport.answers.push_back(Ok(json(401, REVOKED, &[])));
            let err = crate::client::error::from_response(401, REVOKED.as_bytes());
            assert!(note_failure(&mut host, &mut c, err).is_auth());
        }
        assert!(c.transport.sent.last().unwrap().path_and_query.contains("/system_status"));
        assert_eq!(info(&mut host).unwrap().state, State::ReconnectRequired);
        assert_eq!(host.notifications.len(), 1);
        assert!(matches!(open(&mut host, FakeTransport::default()), Err(Error::ReconnectRequired(_))));
    }

    #[test]
    fn a_missing_route_from_a_tool_is_not_found_and_keeps_the_connection() {
        let (mut host, mut c) = connected();
        c.transport.answers.push_back(Ok(json(200, CHECK_OK, &[])));
        let err = note_failure(&mut host, &mut c, crate::client::error::from_response(404, NO_ROUTE.as_bytes()));
        assert!(matches!(&err, Error::NotFound(r) if r.code == "rest_no_route"));
        assert_eq!(info(&mut host).unwrap().state, State::Connected);
        assert!(host.notifications.is_empty());
    }

    #[test]
    fn a_refused_request_with_a_passing_check_is_forbidden_and_keeps_the_connection() {
        let (mut host, mut c) = connected();
        c.transport.answers.push_back(Ok(json(200, CHECK_OK, &[])));
        let err = note_failure(&mut host, &mut c, crate::client::error::from_response(401, READ_ONLY_WRITE.as_bytes()));
        assert!(matches!(&err, Error::Forbidden(r) if r.message.contains("write permissions")));
        assert_eq!(info(&mut host).unwrap().state, State::Connected);
        assert!(host.notifications.is_empty());
    }

    #[test]
    fn other_store_errors_change_no_state_and_cost_no_check() {
        let (mut host, mut c) = connected();
        let sent = c.transport.sent.len();
        for (status, body) in [
            (400, r#"{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page"}"#),
            (500, "<html>"),
            (503, ""),
        ] {
            note_failure(&mut host, &mut c, crate::client::error::from_response(status, body.as_bytes()));
        }
        assert_eq!(c.transport.sent.len(), sent);
        assert_eq!(info(&mut host).unwrap().state, State::Connected);
    }

    #[test]
    fn a_connection_check_that_cannot_tell_changes_nothing() {
        let (mut host, mut c) = connected();
        c.transport.answers.push_back(Ok(json(400, r#"{"code":"rest_invalid_param","message":"x"}"#, &[])));
        let err = note_failure(&mut host, &mut c, crate::client::error::from_response(401, READ_ONLY_WRITE.as_bytes()));
        assert!(err.is_auth());
        assert_eq!(info(&mut host).unwrap().state, State::Connected);
    }

    #[test]
    fn a_gone_rest_api_fails_the_connection_check() {
        let (mut host, mut c) = connected();
        c.transport.answers.push_back(Ok(json(404, NO_ROUTE, &[])));
        let err = note_failure(&mut host, &mut c, crate::client::error::from_response(404, NO_ROUTE.as_bytes()));
        assert!(matches!(&err, Error::Auth(r) if r.code == "rest_no_route"));
        assert_eq!(info(&mut host).unwrap().state, State::ReconnectRequired);
    }

    #[test]
    fn authorize_url_asks_for_read_write_and_needs_an_https_callback() {
        let u = authorize_url(
            "https://shop.example.com/",
            "My Platform",
            "42",
            "https://p.example/done",
            "https://p.example/wc-auth/callback",
        )
        .unwrap();
        assert_eq!(
            u,
            "https://shop.example.com/wc-auth/v1/authorize?app_name=My%20Platform&scope=read_write&user_id=42&return_url=https%3A%2F%2Fp.example%2Fdone&callback_url=https%3A%2F%2Fp.example%2Fwc-auth%2Fcallback"
        );
        assert!(authorize_url("https://shop.example.com", "a", "1", "https://x/", "http://x/cb").is_err());
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("11.0.1", 3, 5));
        assert!(version_at_least("3.5.0", 3, 5));
        assert!(!version_at_least("3.4.9", 3, 5));
        assert!(version_at_least("10.3", 10, 3));
    }
}
