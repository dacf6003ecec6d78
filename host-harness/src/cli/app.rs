//! What every command shares: the runtime, the database, the connection and
//! the global flags, and the component calls several commands make.

use super::exit::{describe, invalid};
use crate::runtime::{Runtime, Session};
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;
use crate::wit::connection::{ConnectConfig, SignatureMethod, StoreInfo};
use crate::wit::sync::{Report, Settings};
use crate::wit::types::Kind;
use crate::wit::{ALL_KINDS, kind_from_name};
use anyhow::{Result, bail};
use serde_json::Value;
use std::path::PathBuf;

/// The database a command uses when `--db` is not given.
pub const DEFAULT_DB: &str = "woo.db";

/// A command's context.
pub struct App {
    /// The engine and the compiled component.
    pub runtime: Runtime,
    /// `--db`; `None` only for `woo demo`, whose records live in memory.
    pub db: Option<String>,
    /// `--connection`.
    pub connection: String,
    /// `--ca-cert`.
    pub ca_cert: Option<PathBuf>,
    /// `--json`.
    pub json: bool,
}

impl App {
    /// The database path or URL of the commands that always have one
    /// (`--db`, or [`DEFAULT_DB`]).
    pub fn db_path(&self) -> String {
        self.db.clone().unwrap_or_else(|| DEFAULT_DB.to_string())
    }

    /// The database, checked whole (in memory for `woo demo`).
    pub fn storage(&self) -> Result<Box<dyn Storage>> {
        Ok(match &self.db {
            Some(db) => crate::storage::open_checked(db)?,
            None => Box::new(SqliteStorage::memory()?),
        })
    }

    /// A session allowed to reach `store_url` (or the saved store).
    pub async fn session(&self, store_url: Option<&str>) -> Result<Session> {
        self.session_on(self.storage()?, store_url).await
    }

    /// As `session`, on the given storage; an import's progress is drawn on stderr.
    pub async fn session_on(&self, storage: Box<dyn Storage>, store_url: Option<&str>) -> Result<Session> {
        let mut session =
            crate::session::open(&self.runtime, storage, &self.connection, store_url, self.ca_cert.as_deref()).await?;
        session.state().progress = Some(crate::output::progress_bar());
        Ok(session)
    }

    /// Verify and save a connection to `store`; the session stays open on it.
    pub async fn connect(
        &self,
        store: &str,
        key: &str,
        secret: &str,
        owner: Option<String>,
        sig: &str,
    ) -> Result<(Session, StoreInfo)> {
        let signature_method = match sig {
            "hmac-sha256" => SignatureMethod::HmacSha256,
            "hmac-sha1" => SignatureMethod::HmacSha1,
            other => bail!(invalid(format!("--signature-method: `{other}` is not hmac-sha256 or hmac-sha1"))),
        };
        // Before any request: a store name that resolves to a link-local
        // address (cloud metadata) is bad input (the host refuses it anyway).
        if let Some((_, authority)) = crate::http_policy::scheme_authority(store.trim())
            && let Err(crate::http_policy::Unreachable::LinkLocal(ip)) =
                crate::http_policy::store_addresses(&authority).await
        {
            bail!(invalid(format!(
                "invalid store_url: its host is or resolves to the link-local address {ip}, where cloud metadata services answer, never a store"
            )));
        }
        let mut s = self.session(Some(store)).await?;
        s.state().redact = vec![key.to_string(), secret.to_string()];
        let cfg = ConnectConfig {
            store_url: store.to_string(),
            consumer_key: key.to_string(),
            consumer_secret: secret.to_string(),
            signature_method: Some(signature_method),
            owner_email: owner,
        };
        s.begin_call();
        let info = s.bindings.woo_connector_connection().call_connect(&mut s.store, &cfg).await?;
        let info = info.map_err(|e| describe(&e))?;
        for w in &info.warnings {
            eprintln!("warning: {w}");
        }
        Ok((s, info))
    }

    /// The first import of `kinds` (resumes an interrupted one).
    pub async fn import(&self, s: &mut Session, kinds: &[Kind]) -> Result<Report> {
        s.begin_call();
        let r = s.bindings.woo_connector_sync().call_import(&mut s.store, kinds).await;
        crate::output::end_progress();
        Ok(r?.map_err(|e| describe(&e))?)
    }

    /// One incremental pass over `kinds` (default: what the settings enable).
    pub async fn sync_pass(&self, s: &mut Session, kinds: Option<&[Kind]>) -> Result<Report> {
        s.begin_call();
        let r = s.bindings.woo_connector_sync().call_sync_pass(&mut s.store, kinds).await?;
        Ok(r.map_err(|e| describe(&e))?)
    }

    /// The ongoing-sync settings.
    pub async fn settings(&self, s: &mut Session) -> Result<Settings> {
        s.begin_call();
        Ok(s.bindings.woo_connector_sync().call_get_settings(&mut s.store).await?.map_err(|e| describe(&e))?)
    }

    /// Change the ongoing-sync settings (the component checks them).
    pub async fn set_settings(&self, s: &mut Session, settings: &Settings) -> Result<()> {
        s.begin_call();
        s.bindings.woo_connector_sync().call_set_settings(&mut s.store, *settings).await?.map_err(|e| describe(&e))?;
        Ok(())
    }

    /// A pass's report on stdout, as `--json` asks.
    pub fn print_report(&self, r: &Report, elapsed: f64, extra: Value) {
        crate::output::print_report(r, elapsed, self.json, extra);
    }
}

/// The kinds `list` names: `all`, `none` or a comma list; `flag` names the
/// option in an error (exit 2).
pub fn parse_kinds(list: &str, flag: &str) -> Result<Vec<Kind>> {
    match list.trim() {
        "all" => return Ok(ALL_KINDS.to_vec()),
        "none" | "" => return Ok(vec![]),
        _ => {}
    }
    let mut out = vec![];
    for item in list.split(',').map(str::trim) {
        let Some(k) = kind_from_name(item) else {
            bail!(invalid(format!(
                "{flag}: unknown kind `{item}` (use all, none, or contacts,orders,transactions,products,collections,checkouts)"
            )))
        };
        if !out.contains(&k) {
            out.push(k);
        }
    }
    Ok(out)
}
