//! The host's outbound HTTP policy, plugged into wasmtime-wasi-http as a
//! `WasiHttpHooks`: the guest reaches only the connected store (scheme and
//! authority), and HTTPS trusts the public roots plus an optional extra CA.
//! Requests that pass go out on the process's kept connections
//! ([`crate::http_pool`]).

use crate::http_pool::StorePool;
use bytes::Bytes;
use rustls_pki_types::pem::PemObject;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Where the guest may go.
#[derive(Clone, Default)]
pub struct HttpPolicy {
    /// Allowed `(scheme, authority)` pairs, e.g. `("https", "shop.example.com:443")`.
    pub allowed: Vec<(String, String)>,
    /// TLS configuration (public roots + extra CA).
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Requests sent (for reports).
    pub sent: Arc<std::sync::atomic::AtomicU64>,
    /// The kept connections requests go out on; [`crate::runtime::Runtime::session`]
    /// puts the process's one pool here.
    pub pool: Arc<StorePool>,
}

impl HttpPolicy {
    /// Allow exactly the store at `url` (`http[s]://host[:port][/path]`).
    pub fn allow_store(&mut self, url: &str) {
        if let Some((scheme, authority)) = scheme_authority(url) {
            self.allowed = vec![(scheme, authority)];
        } else {
            self.allowed.clear();
        }
    }

    /// Whether a request to `scheme://authority` may be sent.
    pub fn is_allowed(&self, scheme: &str, authority: &str) -> bool {
        let authority = with_default_port(scheme, &authority.to_ascii_lowercase());
        self.allowed.iter().any(|(s, a)| s == scheme && *a == authority)
    }
}

/// `https://Shop.example.com/x` → `("https", "shop.example.com:443")`.
pub fn scheme_authority(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((scheme.clone(), with_default_port(&scheme, &authority)))
}

fn with_default_port(scheme: &str, authority: &str) -> String {
    let has_port = match authority.rfind(':') {
        Some(i) => !authority[i..].contains(']'),
        None => false,
    };
    if has_port { authority.to_string() } else { format!("{authority}:{}", if scheme == "https" { 443 } else { 80 }) }
}

/// Why the store's address is not connected to.
#[derive(Debug)]
pub enum Unreachable {
    /// The name does not resolve.
    Resolve(std::io::Error),
    /// It resolves to a link-local address (cloud metadata, 169.254.169.254).
    LinkLocal(std::net::IpAddr),
}

/// Whether a store may never be at `ip`: link-local addresses (169.254.0.0/16,
/// fe80::/10, also inside IPv4-mapped and NAT64 IPv6), where cloud instances
/// reach their metadata service and its credentials (169.254.169.254), and
/// AWS's IPv6 metadata address fd00:ec2::254.
///
/// The host is where this is enforced: it checks every address it connects
/// to. The component refuses such an address written in a store URL too, to
/// answer `invalid-input` before any request, but a guest is not trusted to.
pub fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let nat64 = (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0])
                .then(|| Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7])));
            let embedded_v4 = v6.to_ipv4_mapped().or(nat64);
            (s[0] & 0xffc0) == 0xfe80
                || s == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254]
                || embedded_v4.is_some_and(|v4| v4.is_link_local())
        }
    }
}

/// The addresses of `authority` (`host:port`), refused if any of them is
/// link-local ([`is_link_local`]): a name that resolves to one, or such an
/// address written in the URL.
pub async fn store_addresses(authority: &str) -> Result<Vec<std::net::SocketAddr>, Unreachable> {
    let addresses: Vec<std::net::SocketAddr> =
        tokio::net::lookup_host(authority).await.map_err(Unreachable::Resolve)?.collect();
    match addresses.iter().map(|a| a.ip()).find(|ip| is_link_local(*ip)) {
        Some(ip) => Err(Unreachable::LinkLocal(ip)),
        None => Ok(addresses),
    }
}

/// Public roots plus the PEM certificates of `extra_ca`.
pub fn tls_config(extra_ca: Option<&std::path::Path>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    match extra_ca {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| anyhow::anyhow!("reading --ca-cert {}: {e}", path.display()))?;
            tls_config_pem(Some((&pem, &format!("--ca-cert {}", path.display()))))
        }
        None => tls_config_pem(None),
    }
}

/// Public roots plus the certificates of `extra_ca`: PEM text and what to
/// call it in an error (the user's file, never a copy of it).
///
/// The same trust gives the same configuration for the life of the process,
/// so kept connections and TLS sessions are shared by every session that
/// trusts it (the pool keeps one client per configuration). HTTPS offers
/// HTTP/2 and HTTP/1.1 by ALPN.
pub fn tls_config_pem(extra_ca: Option<(&[u8], &str)>) -> anyhow::Result<Arc<rustls::ClientConfig>> {
    static CONFIGS: OnceLock<Mutex<HashMap<Vec<u8>, Arc<rustls::ClientConfig>>>> = OnceLock::new();
    let key = extra_ca.map(|(pem, _)| pem.to_vec()).unwrap_or_default();
    let configs = CONFIGS.get_or_init(Default::default);
    if let Some(config) = configs.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(config.clone());
    }
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.into() };
    if let Some((pem, source)) = extra_ca {
        let mut added = 0;
        for cert in rustls_pki_types::CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| anyhow::anyhow!("{source}: not a PEM certificate ({e})"))?;
            roots.add(cert).map_err(|e| anyhow::anyhow!("{source}: the certificate is not usable ({e})"))?;
            added += 1;
        }
        anyhow::ensure!(added > 0, "{source} holds no PEM certificate");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut config = config;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let config = Arc::new(config);
    configs.lock().unwrap_or_else(|p| p.into_inner()).insert(key, config.clone());
    Ok(config)
}

type SendFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>>
        + Send,
>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> SendFuture {
        let scheme = request.uri().scheme_str().unwrap_or("").to_string();
        let authority = request.uri().authority().map(|a| a.to_string()).unwrap_or_default();
        if !self.is_allowed(&scheme, &authority) {
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tls = self.tls.clone();
        let pool = self.pool.clone();
        let first_byte = options.and_then(|o| o.first_byte_timeout).unwrap_or(Duration::from_secs(120));
        Box::new(async move {
            let tls = match tls {
                Some(c) => c,
                None => tls_config(None).map_err(|_| Error::TlsProtocolError)?,
            };
            let resp = pool.send(request, &tls, first_byte).await?;
            Ok((resp, Box::new(async { Ok(()) }) as Box<dyn Future<Output = Result<(), Error>> + Send>))
        })
    }
}

/// Bodies the simulator and tests build.
pub fn full_body(bytes: impl Into<Bytes>) -> http_body_util::Full<Bytes> {
    http_body_util::Full::new(bytes.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_admits_only_the_connected_store() {
        let mut p = HttpPolicy::default();
        p.allow_store("https://Shop.Example.com/store");
        assert!(p.is_allowed("https", "shop.example.com"));
        assert!(p.is_allowed("https", "shop.example.com:443"));
        assert!(!p.is_allowed("http", "shop.example.com"));
        assert!(!p.is_allowed("https", "evil.example.com"));
        assert!(!p.is_allowed("https", "shop.example.com:8443"));
        assert!(!p.is_allowed("https", "169.254.169.254"));
    }

    #[test]
    fn link_local_addresses_include_mapped_nat64_and_aws_ipv6_metadata() {
        for ip in ["169.254.169.254", "fe80::1", "febf::1", "::ffff:169.254.1.1", "64:ff9b::a9fe:a9fe", "fd00:ec2::254"]
        {
            assert!(is_link_local(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["127.0.0.1", "10.0.0.1", "::1", "fec0::1", "64:ff9b::a00:1", "fd00:ec2::253"] {
            assert!(!is_link_local(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn link_local_store_addresses_are_refused_at_connect_time() {
        for authority in ["169.254.169.254:80", "[fe80::1]:443", "[::ffff:169.254.169.254]:80", "2852039166:80"] {
            assert!(matches!(store_addresses(authority).await, Err(Unreachable::LinkLocal(_))), "{authority}");
        }
        assert!(store_addresses("127.0.0.1:8080").await.is_ok());
        assert!(store_addresses("localhost:8080").await.is_ok());
    }

    #[test]
    fn allowlist_is_empty_for_a_bad_url() {
        let mut p = HttpPolicy::default();
        p.allow_store("ftp://x");
        assert!(p.allowed.is_empty());
        p.allow_store("https://user:pw@x");
        assert!(p.allowed.is_empty());
    }
}
