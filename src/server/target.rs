//! What a component is told about the request: the URI it sees (`spin-full-url`)
//! and the `spin-*` headers Spin sets.
//!
//! The URI is built from parts, never by pasting strings: the path and query are the
//! request line's, and the authority is the `Host` header (or the request target's,
//! in absolute form), validated as a host and port. A `Host` such as
//! `x/admin/orders/N/cancel?` is refused, so it can never change the path a component
//! routes on while the log shows another.

use crate::app::router::Matched;
use http::request::Parts;
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderValue, Uri};
use std::net::SocketAddr;

/// The authority used when an HTTP/1.0 client sends no `Host`.
const DEFAULT_AUTHORITY: &str = "localhost";

/// The request's authority is not a host with an optional port.
#[derive(Debug, PartialEq)]
pub struct BadHost;

/// `http://{authority}{path and query}`, as the component sees it.
pub fn component_uri(parts: &Parts) -> Result<Uri, BadHost> {
    let authority = match parts.uri.authority() {
        // Absolute form (`POST http://shop.example/x HTTP/1.1`): RFC 9112 §3.2.2 says
        // the target's authority wins over `Host`.
        Some(authority) => authority_of(authority.as_str())?,
        None => {
            let mut hosts = parts.headers.get_all(http::header::HOST).iter();
            match (hosts.next(), hosts.next()) {
                (None, _) => Authority::from_static(DEFAULT_AUTHORITY),
                (Some(host), None) => authority_of(host.to_str().map_err(|_| BadHost)?)?,
                (Some(_), Some(_)) => return Err(BadHost),
            }
        }
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

/// `host` as an authority, if it is only a host (name, IPv4, or `[IPv6]`) and an
/// optional port: no user info, path, query, fragment, spaces or control bytes.
fn authority_of(host: &str) -> Result<Authority, BadHost> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b".-_~:[]%!$&'()*+,;=".contains(&b);
    if host.is_empty() || !host.bytes().all(allowed) {
        return Err(BadHost);
    }
    let authority: Authority = host.parse().map_err(|_| BadHost)?;
    let has_port = host.len() > authority.host().len();
    if authority.host().is_empty() || (has_port && authority.port_u16().is_none()) {
        return Err(BadHost);
    }
    Ok(authority)
}

/// Sets the `spin-*` headers Spin gives a component (replacing any a client sent).
pub fn set_spin_headers(parts: &mut Parts, matched: &Matched, client: SocketAddr) {
    let full_url = parts.uri.to_string();
    let values = [
        ("spin-full-url", full_url.as_str()),
        ("spin-path-info", matched.path_info.as_str()),
        ("spin-matched-route", matched.raw_route.as_str()),
        ("spin-raw-component-route", matched.raw_route.as_str()),
        ("spin-component-route", matched.base.as_str()),
        ("spin-base-path", "/"),
    ];
    let headers = &mut parts.headers;
    for (name, value) in values {
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

    fn uri_for(target: &str, host: Option<&str>) -> Result<String, BadHost> {
        let mut request = http::Request::builder().method("POST").uri(target);
        if let Some(host) = host {
            request = request.header("host", host);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        component_uri(&parts).map(|u| u.to_string())
    }

    #[test]
    fn the_path_is_the_request_lines_whatever_the_host_says() {
        assert_eq!(
            uri_for("/api/orders", Some("shop.example:8080")).unwrap(),
            "http://shop.example:8080/api/orders"
        );
        assert_eq!(
            uri_for("/api/orders?x=1", Some("[::1]:3000")).unwrap(),
            "http://[::1]:3000/api/orders?x=1"
        );
        assert_eq!(
            uri_for("/", Some("127.0.0.1")).unwrap(),
            "http://127.0.0.1/"
        );
        assert_eq!(uri_for("/a", None).unwrap(), "http://localhost/a");
        assert_eq!(
            uri_for("http://shop.example/a?b", Some("other")).unwrap(),
            "http://shop.example/a?b"
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
            "[::1",
        ] {
            assert_eq!(uri_for("/api/orders", Some(host)), Err(BadHost), "{host:?}");
        }
        assert_eq!(uri_for("http://user@shop/a", None), Err(BadHost));
    }
}
