//! Helpers shared by the end-to-end suites: a plain REST client (independent
//! of the component) and the `woo` binary.

#![allow(dead_code)]

/// Declares a test once per storage backend, as the module `$name` with the
/// tests `sqlite` and `postgres`. The body gets the backend as `$b`. The
/// PostgreSQL one shows as ignored, with the reason, unless
/// `WOO_TEST_POSTGRES` named a server when the tests were built.
#[allow(unused_macros)]
macro_rules! on_each_backend {
    ($(#[doc = $doc:expr])* async fn $name:ident($b:ident) $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                let $b = common::world::Backend::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread")]
            #[cfg_attr(not(woo_pg), ignore = "needs PostgreSQL: eval \"export $(scripts/postgres.sh start)\" first")]
            async fn postgres() {
                let $b = common::world::Backend::postgres();
                $body
            }
        }
    };
}

use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::collections::HashMap;
use std::process::{Command, Output};

/// Run the built `woo` with `args` and extra environment.
pub fn woo(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = woo_command();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run woo")
}

/// The built `woo`, with none of the caller's `WOO_*` settings.
pub fn woo_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_woo"));
    for k in ["WOO_DB", "WOO_STORE_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "WOO_CONNECTION", "WOO_SECRET_KEY"]
    {
        c.env_remove(k);
    }
    c
}

/// A response: status, lower-cased headers, parsed JSON (or `Value::String` of the raw text).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub json: Value,
}

/// A REST client that speaks to a store over HTTPS with Basic auth (or none,
/// or query keys), trusting `ca`. Plain HTTP is used for unauthenticated checks.
pub struct Rest {
    pub base: String,
    pub ca: Option<std::path::PathBuf>,
    pub key: String,
    pub secret: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    Basic,
    None,
    QueryKeys,
}

impl Rest {
    pub fn call(&self, method: &str, path_and_query: &str, body: Option<&Value>, auth: Auth) -> Answer {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(self.call_async(method, path_and_query, body, auth))
    }

    async fn call_async(&self, method: &str, path_and_query: &str, body: Option<&Value>, auth: Auth) -> Answer {
        let (scheme, authority) = self.base.split_once("://").unwrap();
        let authority = authority.trim_end_matches('/').to_string();
        let mut pq = format!("/wp-json/wc/v3{path_and_query}");
        if auth == Auth::QueryKeys {
            pq.push(if pq.contains('?') { '&' } else { '?' });
            pq.push_str(&format!("consumer_key={}&consumer_secret={}", self.key, self.secret));
        }
        let mut req = http::Request::builder()
            .method(method)
            .uri(pq)
            .header("host", &authority)
            .header("user-agent", "woo-tests/1")
            .header("accept", "application/json");
        if auth == Auth::Basic {
            use base64::Engine;
            let b = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.key, self.secret));
            req = req.header("authorization", format!("Basic {b}"));
        }
        let bytes = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                serde_json::to_vec(b).unwrap()
            }
            None => vec![],
        };
        let req = req.body(Full::new(bytes::Bytes::from(bytes))).unwrap();
        let tcp = tokio::net::TcpStream::connect(&authority).await.expect("connect to store");
        let resp = if scheme == "https" {
            // This raw client speaks HTTP/1.1 only: offer no HTTP/2 by ALPN.
            let mut cfg = (*woo_host::http_policy::tls_config(self.ca.as_deref()).unwrap()).clone();
            cfg.alpn_protocols.clear();
            let cfg = std::sync::Arc::new(cfg);
            let host = authority.rsplit_once(':').map(|(h, _)| h).unwrap_or(&authority).to_string();
            let name = rustls_pki_types::ServerName::try_from(host).unwrap();
            let tls = tokio_rustls::TlsConnector::from(cfg).connect(name, tcp).await.expect("tls");
            let (mut s, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await.unwrap();
            tokio::spawn(conn);
            s.send_request(req).await.expect("send")
        } else {
            let (mut s, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.unwrap();
            tokio::spawn(conn);
            s.send_request(req).await.expect("send")
        };
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let raw = resp.into_body().collect().await.unwrap().to_bytes();
        let json =
            serde_json::from_slice(&raw).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into_owned()));
        Answer { status, headers, json }
    }
}

/// Read a `store.env` (KEY=VALUE lines).
pub fn read_env(path: &str) -> HashMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading WOO_REAL_STORE_ENV={path}: {e}"));
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().trim_start_matches("export ").to_string(),
                v.trim().trim_matches('"').trim_matches('\'').to_string(),
            )
        })
        .collect()
}

pub mod world;
