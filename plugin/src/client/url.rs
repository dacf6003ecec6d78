//! The store URL rules: what a user may type as a store's address (http(s),
//! no credentials, query, fragment or dot segments, never a link-local host),
//! its normal form, and the API paths built on it.

use std::net::{IpAddr, Ipv4Addr};

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP: requests are signed with OAuth 1.0a.
    Http,
    /// HTTPS: requests carry Basic authentication.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A validated store URL: `scheme://authority[/base-path]`, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUrl {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host[:port]`, lower-cased host.
    pub authority: String,
    /// `""` or `/subdir` (no trailing slash).
    pub base_path: String,
}

impl StoreUrl {
    /// Validate a store URL typed by a user. The message says what is wrong.
    pub fn parse(input: &str) -> Result<StoreUrl, String> {
        let s = input.trim();
        if s.is_empty() {
            return Err("the store URL is empty".into());
        }
        if s.chars().any(|c| c.is_control() || c == ' ' || c == '\\') {
            return Err("the store URL contains spaces, control characters or backslashes".into());
        }
        let (scheme, rest) = match s.split_once("://") {
            Some((sch, rest)) => match sch.to_ascii_lowercase().as_str() {
                "https" => (Scheme::Https, rest),
                "http" => (Scheme::Http, rest),
                other => return Err(format!("the store URL must start with https:// (or http://), not {other}://")),
            },
            None => return Err("the store URL must start with https:// (for example https://shop.example.com)".into()),
        };
        if rest.contains('?') {
            return Err("the store URL must not have a query string (`?…`)".into());
        }
        if rest.contains('#') {
            return Err("the store URL must not have a fragment (`#…`)".into());
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(
                "the store URL must not contain credentials (`user:pass@`); pass the key and secret separately".into(),
            );
        }
        validate_authority(authority)?;
        let path = path.trim_end_matches('/');
        let pchar = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%/".contains(c);
        if !path.chars().all(pchar) {
            return Err("the store URL path may hold only URL characters (percent-encode anything else)".into());
        }
        if path.split('/').any(|seg| seg == ".." || seg == "." || seg.to_ascii_lowercase().contains("%2e")) {
            return Err("the store URL path must not contain `.` or `..` segments".into());
        }
        if path.contains("//") {
            return Err("the store URL path must not contain empty segments (`//`)".into());
        }
        if path.ends_with("/wp-json/wc/v3") || path.contains("/wp-json") {
            return Err("give the store's home URL, not its API URL: /wp-json/wc/v3 is added automatically".into());
        }
        Ok(StoreUrl { scheme, authority: authority.to_ascii_lowercase(), base_path: path.to_string() })
    }

    /// The normalised URL as text.
    pub fn as_string(&self) -> String {
        format!("{}://{}{}", self.scheme.as_str(), self.authority, self.base_path)
    }

    /// The absolute URL of an API path (`/orders`) without a query.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}{}", self.as_string(), self.api_path(path))
    }

    /// The path part of an API request: base path + `/wp-json/wc/v3` + `path`,
    /// always inside the API root and always a valid URI path: a `path`
    /// without a leading `/` gets one, and any byte a URI path cannot hold
    /// (a space, a control or non-ASCII character, `?`, `#`) is
    /// percent-encoded, so no request is unbuildable and none carries a query
    /// other than the one built from its parameters. Tools refuse such paths
    /// before this (`check_raw_path`); this is the last line.
    pub fn api_path(&self, path: &str) -> String {
        let slash = if path.starts_with('/') || path.is_empty() { "" } else { "/" };
        format!("{}/wp-json/wc/v3{slash}{}", self.base_path, encode_path(path))
    }
}

/// Percent-encode every byte outside RFC 3986 `pchar` and `/` (a `%` is kept).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn validate_authority(authority: &str) -> Result<(), String> {
    if authority.is_empty() {
        return Err("the store URL has no host".into());
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((h, after)) = rest.split_once(']') else {
            return Err("the store URL has an unclosed IPv6 address".into());
        };
        if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(format!("the store URL host `[{h}]` is not a valid IPv6 address"));
        }
        let port = match after {
            "" => None,
            a => Some(a.strip_prefix(':').ok_or_else(|| format!("the store URL has `{a}` after its IPv6 address"))?),
        };
        (h, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the store URL has no host".into());
    }
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_')) {
        return Err(format!("the store URL host `{host}` is not a valid host name"));
    }
    if let Some(p) = port
        && (p.is_empty() || p.parse::<u16>().map(|n| n == 0).unwrap_or(true))
    {
        return Err(format!("the store URL port `{p}` is not a valid port"));
    }
    let ip = if authority.starts_with('[') {
        host.parse::<IpAddr>().ok()
    } else {
        ipv4_as_resolvers_read_it(host).map(IpAddr::V4)
    };
    if let Some(ip) = ip
        && is_link_local(ip)
    {
        return Err(format!(
            "the store URL host `{host}` is a link-local address ({ip}), where cloud metadata services answer, never a store"
        ));
    }
    Ok(())
}

/// Whether a store may never be at `ip`: link-local addresses (169.254.0.0/16,
/// fe80::/10, also inside IPv4-mapped and NAT64 IPv6), where cloud instances
/// reach their metadata service and its credentials (169.254.169.254), and
/// AWS's IPv6 metadata address fd00:ec2::254. The host applies the same rule
/// to what a store's name resolves to.
pub fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded_v4 = v6.to_ipv4_mapped().or_else(|| {
                (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0])
                    .then(|| Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7])))
            });
            (s[0] & 0xffc0) == 0xfe80
                || s == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254]
                || embedded_v4.is_some_and(|v4| v4.is_link_local())
        }
    }
}

/// `host` as the system resolver reads an IPv4 literal (`inet_aton`): one to
/// four dot-separated parts in decimal, octal (`0…`) or hex (`0x…`), the last
/// filling the remaining bytes, so `2852039166`, `0xa9fea9fe` and
/// `169.254.43518` are all 169.254.169.254. `None` for a host name.
fn ipv4_as_resolvers_read_it(host: &str) -> Option<Ipv4Addr> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let parts: Vec<u64> = host
        .split('.')
        .map(|p| {
            let (digits, radix) = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
                (h, 16)
            } else if p.len() > 1 && p.starts_with('0') {
                (&p[1..], 8)
            } else {
                (p, 10)
            };
            if digits.is_empty() && radix == 16 {
                return Some(0);
            }
            u64::from_str_radix(digits, radix).ok().filter(|_| !digits.starts_with('+'))
        })
        .collect::<Option<_>>()?;
    let (last, head) = parts.split_last()?;
    if head.len() > 3 || head.iter().any(|p| *p > 255) || *last >= 1u64 << (8 * (4 - head.len())) {
        return None;
    }
    let value = head.iter().enumerate().fold(*last, |acc, (i, p)| acc | (p << (8 * (3 - i))));
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_rule_ipv6_host_then_only_a_port_and_path_only_url_characters() {
        // Both found by the store_url fuzz target.
        assert!(StoreUrl::parse("https://[::1]x8443").is_err());
        assert!(StoreUrl::parse("https://[zz]").is_err());
        assert_eq!(StoreUrl::parse("https://[::1]:8443/shop").unwrap().as_string(), "https://[::1]:8443/shop");
        assert!(StoreUrl::parse("https://shop.example.com/st\u{fffd}re").is_err());
        assert!(StoreUrl::parse("https://shop.example.com/a@b").is_ok(), "`@` in a path is not credentials");
    }

    #[test]
    fn url_rule_trailing_slash_removed() {
        let u = StoreUrl::parse("https://Shop.Example.com/store/").unwrap();
        assert_eq!(u.as_string(), "https://shop.example.com/store");
        assert_eq!(StoreUrl::parse("https://shop.example.com/").unwrap().as_string(), "https://shop.example.com");
    }

    #[test]
    fn url_rule_api_base_path_appended() {
        let u = StoreUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(u.api_url("/orders"), "http://127.0.0.1:8080/wp-json/wc/v3/orders");
    }

    #[test]
    fn url_rule_api_path_stays_in_the_api_root_and_is_always_a_valid_uri_path() {
        let u = StoreUrl::parse("https://shop.example.com/shop").unwrap();
        assert_eq!(u.api_path("/orders/1 2\u{2028}é"), "/shop/wp-json/wc/v3/orders/1%202%E2%80%A8%C3%A9");
        assert_eq!(
            u.api_path("/orders?rest_route=/wp/v2/users#x"),
            "/shop/wp-json/wc/v3/orders%3Frest_route=/wp/v2/users%23x"
        );
        assert_eq!(u.api_path("orders"), "/shop/wp-json/wc/v3/orders");
        assert_eq!(u.api_path(""), "/shop/wp-json/wc/v3");
        assert_eq!(u.api_path("/orders/42/notes"), "/shop/wp-json/wc/v3/orders/42/notes");
    }

    #[test]
    fn url_rule_credentials_refused() {
        let e = StoreUrl::parse("https://ck:cs@shop.example.com").unwrap_err();
        assert!(e.contains("credentials"), "{e}");
    }

    #[test]
    fn url_rule_query_refused() {
        assert!(StoreUrl::parse("https://shop.example.com/?consumer_key=x").unwrap_err().contains("query"));
    }

    #[test]
    fn url_rule_fragment_refused() {
        assert!(StoreUrl::parse("https://shop.example.com/#top").unwrap_err().contains("fragment"));
    }

    #[test]
    fn url_rule_other_schemes_refused() {
        for u in ["ftp://shop.example.com", "file:///etc/passwd", "javascript://x", "shop.example.com"] {
            let e = StoreUrl::parse(u).unwrap_err();
            assert!(e.contains("https://"), "{u}: {e}");
        }
    }

    #[test]
    fn url_rule_dot_segments_and_bad_ports_refused() {
        assert!(StoreUrl::parse("https://shop.example.com/a/../b").is_err());
        assert!(StoreUrl::parse("https://shop.example.com:99999").is_err());
        assert!(StoreUrl::parse("https://shop.example.com:0").is_err());
        assert!(StoreUrl::parse("https://").is_err());
    }

    #[test]
    fn url_rule_link_local_hosts_refused() {
        for u in [
            "http://169.254.169.254",
            "https://169.254.169.254:443/latest",
            "http://169.254.1.1:8080",
            "http://2852039166",
            "http://0xa9fea9fe",
            "http://0251.0376.0251.0376",
            "http://169.254.43518",
            "http://169.254.169.254.",
            "http://[fe80::1]",
            "http://[FEBF::a9fe:a9fe]:8080",
            "http://[::ffff:169.254.169.254]",
            "http://[::ffff:a9fe:a9fe]",
            "http://[64:ff9b::169.254.169.254]",
            "http://[fd00:ec2::254]",
        ] {
            let e = StoreUrl::parse(u).unwrap_err();
            assert!(e.contains("link-local"), "{u}: {e}");
        }
        for u in [
            "http://127.0.0.1:8080",
            "https://[::1]:8443",
            "https://169.255.0.1",
            "https://[fec0::1]",
            "https://shop.example.com",
            "https://1shop.example",
            "https://0x.example",
        ] {
            assert!(StoreUrl::parse(u).is_ok(), "{u}");
        }
    }

    #[test]
    fn url_rule_http_is_accepted_as_plain_http() {
        assert_eq!(StoreUrl::parse("http://127.0.0.1:8080").unwrap().scheme, Scheme::Http);
    }
}
