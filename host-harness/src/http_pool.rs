//! Kept connections to stores: a pool shared by every session of one process
//! (an import's pages in flight, `woo serve`'s deliveries, `woo mcp`'s calls,
//! a worker's passes), so a page costs one round trip instead of three (TCP,
//! TLS, request) when the store is far away.
//!
//! HTTP/1.1 connections are kept alive (bounded per store, closed after an
//! idle minute); HTTPS offers HTTP/2 by ALPN and, when the store takes it,
//! every request in flight shares one connection. TLS sessions are resumed
//! through the shared client configuration. The allowlist is checked before a
//! request reaches the pool (`HttpPolicy`), and the link-local rule when a
//! connection is opened, on the addresses actually connected to.

use crate::http_policy::{Unreachable, store_addresses};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use wasmtime_wasi_http::{Error, WasiBody};

/// Idle connections kept per store.
const MAX_IDLE_PER_STORE: usize = 32;
/// How long an idle connection is kept.
const IDLE_EXPIRY: Duration = Duration::from_secs(60);
/// How long opening a connection (resolve, TCP, TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The process's kept connections, one client per trust configuration.
pub struct StorePool {
    clients: Mutex<HashMap<usize, Client<StoreConnector, WasiBody>>>,
    opened: Arc<AtomicU64>,
    max_idle: usize,
}

impl Default for StorePool {
    fn default() -> Self {
        StorePool { clients: Mutex::default(), opened: Arc::default(), max_idle: MAX_IDLE_PER_STORE }
    }
}

impl StorePool {
    /// An empty pool.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A "pool" that keeps nothing: every request opens its own connection,
    /// as `woo` did before it kept connections (the benchmark's baseline).
    pub fn without_reuse() -> Arc<Self> {
        Arc::new(StorePool { max_idle: 0, ..Self::default() })
    }

    /// Connections opened so far (TCP connects), for the benchmark.
    pub fn connections_opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    fn client(&self, tls: &Arc<rustls::ClientConfig>) -> Client<StoreConnector, WasiBody> {
        let key = Arc::as_ptr(tls) as usize;
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients
            .entry(key)
            .or_insert_with(|| {
                let connector = StoreConnector { tls: tls.clone(), opened: self.opened.clone() };
                Client::builder(TokioExecutor::new())
                    .pool_idle_timeout(IDLE_EXPIRY)
                    .pool_max_idle_per_host(self.max_idle)
                    .pool_timer(TokioTimer::new())
                    .timer(TokioTimer::new())
                    .build(connector)
            })
            .clone()
    }

    /// Send `request` (an absolute URI the policy has allowed) on a kept
    /// connection, or a new one; the answer's head must come within `first_byte`.
    pub async fn send(
        &self,
        mut request: http::Request<WasiBody>,
        tls: &Arc<rustls::ClientConfig>,
        first_byte: Duration,
    ) -> Result<http::Response<WasiBody>, Error> {
        // The client writes `Host` from the URI over HTTP/1.1 and `:authority`
        // over HTTP/2, where nginx refuses a request that has both (400).
        request.headers_mut().remove(http::header::HOST);
        let client = self.client(tls);
        let response = tokio::time::timeout(first_byte, client.request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(error_code)?;
        Ok(response.map(|b| b.map_err(Error::from).boxed_unsync()))
    }
}

/// The WASI error for a failed request: the connector's own when opening the
/// connection failed, hyper's otherwise.
fn error_code(e: hyper_util::client::legacy::Error) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(c) = s.downcast_ref::<ConnectFailed>()
            && let Some(e) = c.0.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            return e;
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && h.is_timeout()
        {
            return Error::ConnectionReadTimeout;
        }
        source = s.source();
    }
    if e.is_connect() { Error::ConnectionRefused } else { Error::HttpProtocolError }
}

/// Why a connection could not be opened, as WASI names it. The error sits
/// behind a lock so it can be taken back, owned, out of hyper's error chain.
#[derive(Debug)]
pub struct ConnectFailed(Mutex<Option<Error>>);

impl ConnectFailed {
    fn new(e: Error) -> ConnectFailed {
        ConnectFailed(Mutex::new(Some(e)))
    }
}

impl std::fmt::Display for ConnectFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => write!(f, "opening a connection to the store failed: {e}"),
            None => f.write_str("opening a connection to the store failed"),
        }
    }
}

impl std::error::Error for ConnectFailed {}

/// Opens connections to a store: resolve (refusing link-local addresses),
/// TCP, and TLS with ALPN for `https`.
#[derive(Clone)]
pub struct StoreConnector {
    tls: Arc<rustls::ClientConfig>,
    opened: Arc<AtomicU64>,
}

impl tower_service::Service<http::Uri> for StoreConnector {
    type Response = StoreStream;
    type Error = ConnectFailed;
    type Future = Pin<Box<dyn Future<Output = Result<StoreStream, ConnectFailed>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let tls = self.tls.clone();
        let opened = self.opened.clone();
        Box::pin(async move {
            let https = uri.scheme_str() == Some("https");
            let host = uri.host().ok_or(ConnectFailed::new(Error::HttpRequestUriInvalid))?.to_string();
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            let authority = if host.contains(':') && !host.starts_with('[') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            let tcp = tokio::time::timeout(CONNECT_TIMEOUT, async {
                let addresses = store_addresses(&authority).await.map_err(|u| match u {
                    Unreachable::LinkLocal(_) => Error::DestinationIpProhibited,
                    Unreachable::Resolve(e) => Error::Connect(e),
                })?;
                TcpStream::connect(&addresses[..]).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::ConnectionRefused {
                        Error::ConnectionRefused
                    } else {
                        Error::Connect(e)
                    }
                })
            })
            .await
            .map_err(|_| ConnectFailed::new(Error::ConnectionTimeout))?
            .map_err(ConnectFailed::new)?;
            opened.fetch_add(1, Ordering::Relaxed);
            let _ = tcp.set_nodelay(true);
            if !https {
                return Ok(StoreStream { io: TokioIo::new(Stream::Plain(tcp)), h2: false });
            }
            let name = rustls_pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_string())
                .map_err(|_| ConnectFailed::new(Error::HttpRequestUriInvalid))?;
            let stream =
                tokio::time::timeout(CONNECT_TIMEOUT, tokio_rustls::TlsConnector::from(tls).connect(name, tcp))
                    .await
                    .map_err(|_| ConnectFailed::new(Error::ConnectionTimeout))?
                    .map_err(|e| {
                        ConnectFailed::new(if e.to_string().contains("certificate") {
                            Error::TlsCertificateError
                        } else {
                            Error::Tls(e)
                        })
                    })?;
            let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
            Ok(StoreStream { io: TokioIo::new(Stream::Tls(Box::new(stream))), h2 })
        })
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// One open connection to a store, and whether it speaks HTTP/2.
pub struct StoreStream {
    io: TokioIo<Stream>,
    h2: bool,
}

impl Connection for StoreStream {
    fn connected(&self) -> Connected {
        if self.h2 { Connected::new().negotiated_h2() } else { Connected::new() }
    }
}

impl hyper::rt::Read for StoreStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for StoreStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
