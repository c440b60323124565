//! `allowed_outbound_hosts`: which origins a component may send HTTP requests to, and
//! how an allowed request was allowed. The host enforces it on every outgoing request;
//! the writer reads the `webhook_hosts` entry with it to know which endpoint hosts the
//! operator trusts by name.
//!
//! Entries follow Spin's form `scheme://host[:port]`, where the scheme may be `*`,
//! the host may be `*` or `*.suffix`, and the port may be `*`; a missing port means
//! the scheme's default. Anything not listed is denied.
//!
//! An entry that names the host exactly is the operator's own choice of server (the
//! writer, Stripe, the email API, a receiver on a private network): it is trusted as
//! named. A host matched only by a wildcard is anyone's, so it must be a public address
//! (the host checks what it resolves to). Service chaining (`http://<component>.spin.internal`)
//! is reachable only through an `http` entry that names that host or `*.spin.internal`,
//! never through `*` or any other wildcard, so an owner's webhook pattern can never reach
//! a private component.

/// Host suffix that names a component of this app (Spin's service chaining).
pub const SERVICE_CHAINING_SUFFIX: &str = ".spin.internal";

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

/// How a request is allowed, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// No entry allows it.
    Denied,
    /// An entry names the host exactly (or, for service chaining, `*.spin.internal`).
    Named,
    /// Only a wildcard entry matches: the host must turn out to be public.
    Wildcard,
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

impl HostPattern {
    fn parse(entry: &str) -> Result<HostPattern, String> {
        let Some((scheme, rest)) = entry.split_once("://") else {
            return Err(format!(
                "allowed_outbound_hosts entry {entry:?} needs a scheme, like \"https://example.com\""
            ));
        };
        let rest = rest.trim_end_matches('/');
        if rest.contains('/') {
            return Err(format!(
                "allowed_outbound_hosts entry {entry:?} must not contain a path"
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let port = match port {
            Some("*") => None,
            Some(p) => Some(p.parse::<u16>().map_err(|_| {
                format!("allowed_outbound_hosts entry {entry:?} has an invalid port")
            })?),
            None if scheme == "*" => None,
            None => match default_port(scheme) {
                Some(p) => Some(p),
                None => {
                    return Err(format!(
                        "allowed_outbound_hosts entry {entry:?}: unsupported scheme"
                    ));
                }
            },
        };
        let host = match host {
            "" => {
                return Err(format!(
                    "allowed_outbound_hosts entry {entry:?} has no host"
                ));
            }
            "*" => HostMatch::Any,
            h if h.starts_with("*.") => HostMatch::Suffix(h[1..].to_ascii_lowercase()),
            h => HostMatch::Exact(h.to_ascii_lowercase()),
        };
        Ok(HostPattern {
            scheme: (scheme != "*").then(|| scheme.to_string()),
            host,
            port,
        })
    }

    fn matches_origin(&self, scheme: &str, port: u16) -> bool {
        self.scheme.as_deref().is_none_or(|s| s == scheme) && self.port.is_none_or(|p| p == port)
    }

    /// How this entry reaches `host` (lowercase), on a matching scheme and port.
    fn reach(&self, host: &str) -> Reach {
        match &self.host {
            HostMatch::Exact(h) if h == host => Reach::Named,
            HostMatch::Suffix(s) if host.ends_with(s.as_str()) => Reach::Wildcard,
            HostMatch::Any => Reach::Wildcard,
            _ => Reach::Denied,
        }
    }

    /// Whether this entry opens service chaining to `host` (a `*.spin.internal` name):
    /// only an `http` entry naming it, or naming `*.spin.internal` itself.
    fn chains_to(&self, host: &str) -> bool {
        self.scheme.as_deref() == Some("http")
            && match &self.host {
                HostMatch::Exact(h) => h == host,
                HostMatch::Suffix(s) => s == SERVICE_CHAINING_SUFFIX,
                HostMatch::Any => false,
            }
    }
}

impl AllowedHosts {
    /// Parses already-rendered entries (templates expanded).
    pub fn parse(entries: &[String]) -> Result<AllowedHosts, String> {
        let patterns = entries
            .iter()
            .map(|entry| HostPattern::parse(entry))
            .collect::<Result<_, _>>()?;
        Ok(AllowedHosts { patterns })
    }

    /// How a request to `scheme://host:port` is allowed (`port` None = scheme default).
    /// `host` is as a URI carries it: a name, an IPv4 address, or `[IPv6]`.
    pub fn reach(&self, scheme: &str, host: &str, port: Option<u16>) -> Reach {
        let host = host.to_ascii_lowercase();
        let Some(port) = port.or_else(|| default_port(scheme)) else {
            return Reach::Denied;
        };
        let mut patterns = self
            .patterns
            .iter()
            .filter(|p| p.matches_origin(scheme, port));
        if host.ends_with(SERVICE_CHAINING_SUFFIX) {
            return if scheme == "http" && patterns.any(|p| p.chains_to(&host)) {
                Reach::Named
            } else {
                Reach::Denied
            };
        }
        patterns.fold(Reach::Denied, |best, p| match (best, p.reach(&host)) {
            (Reach::Named, _) | (_, Reach::Named) => Reach::Named,
            (Reach::Wildcard, _) | (_, Reach::Wildcard) => Reach::Wildcard,
            _ => Reach::Denied,
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
        assert_eq!(h.reach("http", "writer.spin.internal", None), Reach::Named);
        assert_eq!(
            h.reach("http", "writer.spin.internal", Some(80)),
            Reach::Named
        );
        assert_eq!(
            h.reach("http", "writer.spin.internal", Some(8080)),
            Reach::Denied
        );
        assert_eq!(
            h.reach("https", "writer.spin.internal", None),
            Reach::Denied
        );
        assert_eq!(h.reach("https", "API.stripe.com", None), Reach::Named);
        assert_eq!(h.reach("https", "evil.com", None), Reach::Denied);
    }

    #[test]
    fn wildcards_reach_only_as_wildcards() {
        let h = hosts(&["https://*:*", "*://127.0.0.1:*", "https://*.example.com"]);
        assert_eq!(
            h.reach("https", "hooks.example.org", Some(8443)),
            Reach::Wildcard
        );
        assert_eq!(h.reach("https", "a.example.com", None), Reach::Wildcard);
        assert_eq!(h.reach("https", "127.0.0.1", Some(9999)), Reach::Named);
        assert_eq!(h.reach("http", "127.0.0.1", Some(9999)), Reach::Named);
        assert_eq!(h.reach("http", "hooks.example.org", None), Reach::Denied);
        let suffix = hosts(&["https://*.example.com"]);
        assert_eq!(
            suffix.reach("https", "example.com.evil.org", None),
            Reach::Denied
        );
        assert_eq!(
            AllowedHosts::default().reach("http", "x", None),
            Reach::Denied
        );
    }

    #[test]
    fn service_chaining_only_through_an_http_entry_that_names_it() {
        let host = "writer.spin.internal";
        for wildcard in [
            "https://*:*",
            "*://*:*",
            "http://*:*",
            "http://*",
            "http://*.internal",
            "*://*.spin.internal:*",
            "https://writer.spin.internal",
        ] {
            let h = hosts(&[wildcard]);
            assert_eq!(h.reach("http", host, None), Reach::Denied, "{wildcard}");
            assert_eq!(h.reach("https", host, None), Reach::Denied, "{wildcard}");
        }
        assert_eq!(
            hosts(&["http://*.spin.internal"]).reach("http", host, None),
            Reach::Named
        );
        let named = hosts(&["http://writer.spin.internal", "https://*:*"]);
        assert_eq!(named.reach("http", host, None), Reach::Named);
        assert_eq!(named.reach("https", host, None), Reach::Denied);
        assert_eq!(
            named.reach("http", "pages.spin.internal", None),
            Reach::Denied
        );
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
