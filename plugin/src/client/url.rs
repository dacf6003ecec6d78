//! The store URL rules (SPEC §4).

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
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
            return Err("the store URL must not contain credentials (`user:pass@`); pass the key and secret separately".into());
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

    /// The path part of an API request: base path + `/wp-json/wc/v3` + `path`.
    pub fn api_path(&self, path: &str) -> String {
        format!("{}/wp-json/wc/v3{}", self.base_path, path)
    }
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
    Ok(())
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
    fn url_rule_http_is_accepted_as_plain_http() {
        assert_eq!(StoreUrl::parse("http://127.0.0.1:8080").unwrap().scheme, Scheme::Http);
    }
}
