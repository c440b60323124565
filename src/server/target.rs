//! What a component is told about the request: the URI it sees (`spin-full-url`)
//! and the `spin-*` headers Spin sets.
//!
//! The URI is built from parts, never by pasting strings: the path and query are the
//! request line's, and the authority is the `Host` header as sent (as Spin does),
//! validated as a host and port. A `Host` such as
//! `x/admin/orders/N/cancel?` is refused, so it can never change the path a component
//! routes on while the log shows another.

use crate::app::router::Matched;
use http::request::Parts;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderName, HeaderValue, Uri};
use std::net::SocketAddr;

/// The authority used when an HTTP/1.0 client sends no `Host`.
const DEFAULT_AUTHORITY: &str = "localhost";

/// The request's authority is not a host with an optional port, or the request has no
/// single `Host` that agrees with its target.
#[derive(Debug, PartialEq)]
pub struct BadHost;

/// `http://{authority}{path and query}`, as the component sees it. The authority is the
/// `Host` header as sent (Spin's rule: `spin-full-url` and the URI repeat it, case and
/// port included). Refused: a `Host` that is not well formed (see `authority_of`), more
/// than one `Host`, none in HTTP/1.1 (RFC 9112 §3.2), and an absolute-form target whose
/// authority is not the `Host` (Spin refuses that too).
pub fn component_uri(parts: &Parts) -> Result<Uri, BadHost> {
    let mut hosts = parts.headers.get_all(http::header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (Some(host), None) => Some(authority_of(host.to_str().map_err(|_| BadHost)?)?),
        (None, _) => None,
        (Some(_), Some(_)) => return Err(BadHost),
    };
    let authority = match (host, parts.uri.authority()) {
        (Some(host), None) => host,
        // Absolute form (`POST http://shop.example/x HTTP/1.1`): the target and `Host`
        // must name the same authority (compared without case); the `Host` is used.
        (Some(host), Some(target)) if host == *target => host,
        (Some(_), Some(_)) => return Err(BadHost),
        (None, Some(target)) if parts.version <= http::Version::HTTP_10 => {
            authority_of(target.as_str())?
        }
        (None, None) if parts.version <= http::Version::HTTP_10 => {
            Authority::from_static(DEFAULT_AUTHORITY)
        }
        (None, _) => return Err(BadHost),
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    Uri::builder()
        .scheme(Scheme::HTTP)
        .authority(authority)
        .path_and_query(path_and_query)
        .build()
        .map_err(|_| BadHost)
}

/// `host` as an authority, if it is well formed as RFC 9110's `Host` (`uri-host [ ":"
/// port ]`): a non-empty name (letters, digits, `-._~`, `!$&'()*+,;=`), IPv4 address or
/// bracketed IPv6 / IPvFuture literal, then optionally `:` and digits (any number of
/// them, none included, as the grammar allows and Spin accepts). Malformed: user info
/// (`@`), a path, query or fragment (`/?#`), spaces, control or non-ASCII bytes, `%`
/// outside an IPv6 zone, an empty host, a port that is not digits.
fn authority_of(host: &str) -> Result<Authority, BadHost> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b".-_~:[]%!$&'()*+,;=".contains(&b);
    if host.is_empty() || !host.bytes().all(allowed) {
        return Err(BadHost);
    }
    let authority: Authority = host.parse().map_err(|_| BadHost)?;
    let port = &host[authority.host().len()..];
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()));
    if authority.host().is_empty() || !port_ok {
        return Err(BadHost);
    }
    Ok(authority)
}

/// Sets the `spin-*` headers Spin gives a component (replacing any a client sent),
/// including one `spin-path-match-<name>` per named route parameter.
pub fn set_spin_headers(parts: &mut Parts, matched: &Matched, client: SocketAddr) {
    let full_url = parts.uri.to_string();
    let values = [
        ("spin-full-url", full_url.as_str()),
        ("spin-path-info", matched.path_info.as_str()),
        ("spin-matched-route", matched.matched_route.as_str()),
        ("spin-raw-component-route", matched.raw_route.as_str()),
        ("spin-component-route", matched.component_route.as_str()),
        ("spin-base-path", "/"),
    ];
    let path_matches = matched
        .path_matches
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    let headers = &mut parts.headers;
    for (name, value) in values.into_iter().chain(path_matches) {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        match HeaderValue::from_str(value) {
            Ok(v) => {
                headers.insert(name, v);
            }
            Err(_) => {
                headers.remove(name);
            }
        }
    }
    if let Ok(v) = HeaderValue::from_str(&client.to_string()) {
        headers.insert("spin-client-addr", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, hosts: &[&str], version: http::Version) -> Result<String, BadHost> {
        let mut request = http::Request::builder()
            .method("POST")
            .uri(target)
            .version(version);
        for host in hosts {
            request = request.header("host", *host);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        component_uri(&parts).map(|u| u.to_string())
    }

    fn uri_for(target: &str, host: Option<&str>) -> Result<String, BadHost> {
        request(target, host.as_slice(), http::Version::HTTP_11)
    }

    #[test]
    fn the_authority_is_the_host_as_sent() {
        for (host, uri) in [
            ("shop.example:8080", "http://shop.example:8080/api/orders"),
            ("[::1]:3000", "http://[::1]:3000/api/orders"),
            ("[::1]", "http://[::1]/api/orders"),
            ("127.0.0.1", "http://127.0.0.1/api/orders"),
            ("SHOP.Example:80", "http://SHOP.Example:80/api/orders"),
            ("shop.example:", "http://shop.example:/api/orders"),
            ("shop.example:0080", "http://shop.example:0080/api/orders"),
            ("shop.example:99999", "http://shop.example:99999/api/orders"),
            ("exa_mple.com.", "http://exa_mple.com./api/orders"),
            ("[fe80::1%25eth0]", "http://[fe80::1%25eth0]/api/orders"),
        ] {
            assert_eq!(uri_for("/api/orders", Some(host)).unwrap(), uri, "{host}");
        }
        assert_eq!(
            uri_for("/api/orders?x=1", Some("[::1]:3000")).unwrap(),
            "http://[::1]:3000/api/orders?x=1"
        );
    }

    #[test]
    fn an_absolute_target_must_name_the_host() {
        assert_eq!(
            uri_for("http://shop.example/a?b", Some("SHOP.example")).unwrap(),
            "http://SHOP.example/a?b"
        );
        assert_eq!(
            uri_for("http://shop.example/a?b", Some("other")),
            Err(BadHost)
        );
    }

    #[test]
    fn only_http_1_0_may_leave_out_the_host() {
        let v10 = http::Version::HTTP_10;
        assert_eq!(request("/a", &[], v10).unwrap(), "http://localhost/a");
        assert_eq!(
            request("http://shop.example/a", &[], v10).unwrap(),
            "http://shop.example/a"
        );
        assert_eq!(uri_for("/a", None), Err(BadHost));
        assert_eq!(
            request("/a", &["a", "a"], http::Version::HTTP_11),
            Err(BadHost)
        );
    }

    #[test]
    fn a_host_that_is_not_an_authority_is_refused() {
        for host in [
            "x/admin/orders/N/cancel?",
            "x?y",
            "x#y",
            "user@shop.example",
            "shop example",
            "shop.example\t",
            "",
            ":8080",
            "shop.example:port",
            "shop.example:-1",
            "[::1",
            "h:1:2",
            "a%20b",
            "a|b",
        ] {
            assert_eq!(uri_for("/api/orders", Some(host)), Err(BadHost), "{host:?}");
        }
        assert_eq!(
            request("http://user@shop/a", &[], http::Version::HTTP_10),
            Err(BadHost)
        );
    }
}
