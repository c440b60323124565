//! `allowed_outbound_hosts`: which origins a component may send HTTP requests to.
//!
//! Entries follow Spin's form `scheme://host[:port]`, where the scheme may be `*`,
//! the host may be `*` or `*.suffix`, and the port may be `*`; a missing port means
//! the scheme's default. Anything not listed is denied.

use anyhow::{Result, bail};

#[derive(Debug, Clone, PartialEq)]
struct HostPattern {
    scheme: Option<String>,
    host: HostMatch,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq)]
enum HostMatch {
    Any,
    Exact(String),
    Suffix(String),
}

/// The parsed allow-list of one component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllowedHosts {
    patterns: Vec<HostPattern>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

impl AllowedHosts {
    /// Parses already-rendered entries (templates expanded).
    pub fn parse(entries: &[String]) -> Result<AllowedHosts> {
        let mut patterns = Vec::new();
        for entry in entries {
            let Some((scheme, rest)) = entry.split_once("://") else {
                bail!(
                    "allowed_outbound_hosts entry {entry:?} needs a scheme, like \"https://example.com\""
                );
            };
            let rest = rest.trim_end_matches('/');
            if rest.contains('/') {
                bail!("allowed_outbound_hosts entry {entry:?} must not contain a path");
            }
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            };
            let port = match port {
                Some("*") => None,
                Some(p) => Some(p.parse::<u16>().map_err(|_| {
                    anyhow::anyhow!("allowed_outbound_hosts entry {entry:?} has an invalid port")
                })?),
                None if scheme == "*" => None,
                None => match default_port(scheme) {
                    Some(p) => Some(p),
                    None => bail!("allowed_outbound_hosts entry {entry:?}: unsupported scheme"),
                },
            };
            let host = match host {
                "" => bail!("allowed_outbound_hosts entry {entry:?} has no host"),
                "*" => HostMatch::Any,
                h if h.starts_with("*.") => HostMatch::Suffix(h[1..].to_ascii_lowercase()),
                h => HostMatch::Exact(h.to_ascii_lowercase()),
            };
            patterns.push(HostPattern {
                scheme: (scheme != "*").then(|| scheme.to_string()),
                host,
                port,
            });
        }
        Ok(AllowedHosts { patterns })
    }

    /// Whether a request to `scheme://host:port` is allowed (`port` None = scheme default).
    pub fn allows(&self, scheme: &str, host: &str, port: Option<u16>) -> bool {
        let host = host.to_ascii_lowercase();
        let Some(port) = port.or_else(|| default_port(scheme)) else {
            return false;
        };
        self.patterns.iter().any(|p| {
            p.scheme.as_deref().is_none_or(|s| s == scheme)
                && p.port.is_none_or(|pp| pp == port)
                && match &p.host {
                    HostMatch::Any => true,
                    HostMatch::Exact(h) => *h == host,
                    HostMatch::Suffix(s) => host.ends_with(s.as_str()),
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(entries: &[&str]) -> AllowedHosts {
        AllowedHosts::parse(&entries.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn exact_and_default_ports() {
        let h = hosts(&["http://writer.spin.internal", "https://api.stripe.com"]);
        assert!(h.allows("http", "writer.spin.internal", None));
        assert!(h.allows("http", "writer.spin.internal", Some(80)));
        assert!(!h.allows("http", "writer.spin.internal", Some(8080)));
        assert!(!h.allows("https", "writer.spin.internal", None));
        assert!(h.allows("https", "API.stripe.com", None));
        assert!(!h.allows("https", "evil.com", None));
    }

    #[test]
    fn wildcards() {
        let h = hosts(&["http://*.spin.internal", "*://127.0.0.1:*"]);
        assert!(h.allows("http", "pages.spin.internal", None));
        assert!(!h.allows("http", "spin.internal.evil.com", None));
        assert!(h.allows("https", "127.0.0.1", Some(9999)));
        assert!(!AllowedHosts::default().allows("http", "x", None));
    }

    #[test]
    fn rejects_malformed_entries() {
        for bad in [
            "example.com",
            "http://",
            "http://a:notaport",
            "http://a/path",
            "ftp://a",
        ] {
            assert!(AllowedHosts::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }
}
