//! The request as handlers see it ([`Req`]): a plain value with header, cookie and query
//! helpers, kept free of spin-sdk types so everything above the entry point tests natively.

use crate::security::signing::Key;
use std::cell::OnceCell;

#[derive(Debug, Clone, Default)]
pub struct Req {
    /// Upper-case method name.
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Where the client's pseudonymous key comes from, once the shop's key is loaded
    /// ([`Req::client`]).
    pub client_key: ClientKey,
}

/// The client's pseudonymous key ([`crate::security::client_key::key`]), an HMAC, worked
/// out the first time a handler asks for it: most pages (the catalog, the cart) never do.
#[derive(Clone, Default)]
pub struct ClientKey {
    /// The shop's key and the `client_ip_header` variable; `None` before the
    /// configuration is loaded (the key is then empty).
    from: Option<(&'static Key, &'static str)>,
    value: OnceCell<String>,
}

impl ClientKey {
    pub fn new(key: &'static Key, client_ip_header: &'static str) -> ClientKey {
        ClientKey {
            from: Some((key, client_ip_header)),
            value: OnceCell::new(),
        }
    }
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(..)")
    }
}

impl Req {
    /// The client's pseudonymous key for the writer's per-client limits; empty before the
    /// configuration is loaded.
    pub fn client(&self) -> &str {
        self.client_key
            .value
            .get_or_init(|| match self.client_key.from {
                Some((key, header)) => crate::security::client_key::key(self, key, header),
                None => String::new(),
            })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first cookie called `name`, across all `Cookie` headers.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// Whether the shopper's connection is HTTPS: Spin's `spin-full-url` says so when
    /// Spin terminates TLS, `X-Forwarded-Proto` when a proxy in front of it does.
    pub fn is_https(&self) -> bool {
        let forwarded = self
            .header("x-forwarded-proto")
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        let full_url = self
            .header("spin-full-url")
            .is_some_and(|v| v.len() >= 8 && v[..8].eq_ignore_ascii_case("https://"));
        forwarded || full_url
    }

    /// Test fixture: a request carrying one header (or none).
    #[cfg(test)]
    pub fn with_header(name: &str, value: Option<&str>) -> Req {
        Req {
            headers: value
                .map(|v| vec![(name.to_string(), v.to_string())])
                .unwrap_or_default(),
            ..Req::default()
        }
    }

    /// Whether this request is for a machine rather than a browser: the JSON API, the
    /// provider's webhooks and the owner's JSON API. Errors are answered in JSON.
    pub fn is_json(&self) -> bool {
        ["/api", "/webhooks", "/admin"].iter().any(|prefix| {
            self.path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

/// Splits a request target into path and query. Accepts both origin form (`/a?b`) and
/// absolute form (`http://host:3000/a?b`), since hosts differ in what they pass on.
pub fn split_target(target: &str) -> (String, String) {
    let rest = match target.find("://") {
        Some(i) => {
            let after = &target[i + 3..];
            after.find(['/', '?']).map_or("", |j| &after[j..])
        }
        None => target,
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_in_both_forms() {
        let cases = [
            ("/", ("/", "")),
            ("/cart?notice=added", ("/cart", "notice=added")),
            ("http://127.0.0.1:3000/products/mug", ("/products/mug", "")),
            (
                "http://127.0.0.1:3000/cart?notice=added",
                ("/cart", "notice=added"),
            ),
            ("http://127.0.0.1:3000", ("/", "")),
            ("http://127.0.0.1:3000?x=1", ("/", "x=1")),
        ];
        for (target, (path, query)) in cases {
            assert_eq!(
                split_target(target),
                (path.to_string(), query.to_string()),
                "{target}"
            );
        }
    }

    #[test]
    fn cookies_and_query() {
        let req = Req {
            headers: vec![
                ("cookie".into(), "theme=dark; cart=abc.def".into()),
                ("cookie".into(), "cart=second".into()),
            ],
            query: "notice=added&x=%3Cb%3E".into(),
            ..Req::default()
        };
        assert_eq!(req.cookie("cart"), Some("abc.def"));
        assert_eq!(req.cookie("theme"), Some("dark"));
        assert_eq!(req.cookie("missing"), None);
        assert_eq!(req.query_param("notice").as_deref(), Some("added"));
        assert_eq!(req.query_param("x").as_deref(), Some("<b>"));
    }

    #[test]
    fn json_paths() {
        let at = |p: &str| Req {
            path: p.into(),
            ..Req::default()
        };
        assert!(at("/api/products").is_json());
        assert!(at("/api").is_json());
        assert!(at("/webhooks/stripe").is_json());
        assert!(at("/admin/orders/SF-1/refund").is_json());
        assert!(!at("/apiary").is_json());
        assert!(!at("/administrator").is_json());
        assert!(!at("/cart").is_json());
        assert!(!at("/orders/SF-1/pay").is_json());
    }

    #[test]
    fn https_from_spin_or_a_proxy() {
        let https = |name: &str, value: &str| Req::with_header(name, Some(value)).is_https();
        assert!(https("spin-full-url", "https://shop.example/cart"));
        assert!(https("spin-full-url", "HTTPS://shop.example/"));
        assert!(!https("spin-full-url", "http://127.0.0.1:3000/cart"));
        assert!(https("x-forwarded-proto", "https"));
        assert!(https("x-forwarded-proto", "https, http"));
        assert!(!https("x-forwarded-proto", "http"));
        assert!(!Req::with_header("x", None).is_https());
    }
}
