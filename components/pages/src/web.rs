//! Plain request and response values that handlers work with, with header, cookie and
//! query helpers.
//!
//! Kept free of spin-sdk types so everything above the entry point tests natively. A
//! response is a list of headers rather than a map because a page may need to set more
//! than one cookie.

use maud::Markup;
use serde::Serialize;
use storefront_domain::catalog::MAX_IMAGE_BYTES;
use storefront_domain::{ErrorBody, FieldError};

/// Largest request body read from shoppers and admins; larger ones get 413 without being
/// read to the end.
pub const MAX_BODY: usize = 64 * 1024;
/// Largest payment-provider event read at `/webhooks/stripe`. The provider's events can
/// be large (an object with long metadata), and one refused for its size would be
/// retried for days and never recorded. The pages forward the raw event as a JSON
/// string with its parsed fields; escaping at most doubles it (quotes and backslashes),
/// and the fields are a few KiB, so an event of this size always fits the 1 MiB the
/// writer (and the host in front of it) accepts: whatever the pages take, the writer
/// records.
pub const MAX_EVENT_BODY: usize = 500 * 1024;

/// Largest body at an image upload path: an image, plus room for the back office's
/// `multipart/form-data` wrapping (part headers, the CSRF token, key and alt text).
/// The writer still refuses an image over [`MAX_IMAGE_BYTES`].
pub const MAX_IMAGE_UPLOAD: usize = MAX_IMAGE_BYTES + 16 * 1024;

/// The body cap for a request to `path`: an image upload
/// (`/admin/catalog/products/{slug}/images`) may be as large as an image may be.
pub fn body_cap(path: &str) -> usize {
    let segments: Vec<&str> = path.split('/').collect();
    if path == "/webhooks/stripe" {
        MAX_EVENT_BODY
    } else if let ["", "admin", "catalog", "products", _, "images"] = segments.as_slice() {
        MAX_IMAGE_UPLOAD
    } else {
        MAX_BODY
    }
}

#[derive(Debug, Clone, Default)]
pub struct Req {
    /// Upper-case method name.
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's pseudonymous key ([`crate::client::key`]), set once the shop's key
    /// is loaded; empty before.
    pub client: String,
}

impl Req {
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
    /// provider's webhooks and the admin routes. Errors are answered in JSON.
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

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    #[cfg(test)]
    pub fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A short plain-text answer that no cache keeps (image errors, the health probe).
    pub fn plain(status: u16, text: &str) -> Resp {
        let mut resp = Resp::new(status)
            .header("content-type", "text/plain; charset=utf-8")
            .header("x-content-type-options", "nosniff")
            .header("cache-control", "no-store");
        resp.body = text.as_bytes().to_vec();
        resp
    }

    /// Sets a header, replacing any value it had.
    pub fn replace_header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.header(name, value)
    }

    /// An HTML page. Every page shows per-shopper state (the header's cart count and
    /// pending order, CSRF tokens, flashes), so none may be kept: `no-store` also keeps
    /// the page out of the back-forward cache, so Back re-fetches it and never shows a
    /// pay button for an order already paid. A checkout re-fetched by Back gets a new
    /// idempotency key; submitting it again for the same cart is answered with the
    /// shopper's pending order instead of a second one (`shop::checkout`). The CSP allows
    /// our one inline stylesheet and nothing else.
    pub fn html(status: u16, page: Markup) -> Resp {
        let mut r = Resp::new(status)
            .header("content-type", "text/html; charset=utf-8")
            .header("cache-control", "no-store")
            .header("x-content-type-options", "nosniff")
            .header("referrer-policy", "same-origin")
            .header(
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
                 form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            );
        r.body = page.into_string().into_bytes();
        r
    }

    /// A JSON answer. Orders, payments and the owner's lists carry personal data and
    /// secrets (an order's access token, a payment's client secret), so no JSON answer
    /// is kept by any cache, as no page is.
    pub fn json<T: Serialize>(status: u16, value: &T) -> Resp {
        Resp::json_text(
            status,
            serde_json::to_vec(value).expect("API values always serialise"),
        )
    }

    /// A body that is JSON text already (a writer answer passed on unchanged).
    pub fn json_text(status: u16, body: Vec<u8>) -> Resp {
        let mut r = Resp::new(status)
            .header("content-type", "application/json")
            .header("cache-control", "no-store");
        r.body = body;
        r
    }

    pub fn json_error(status: u16, code: &str, message: &str) -> Resp {
        Resp::json(status, &ErrorBody::new(code, message))
    }

    /// 422 `invalid_request` naming every bad field.
    pub fn json_invalid(message: &str, fields: Vec<FieldError>) -> Resp {
        Resp::json(
            422,
            &ErrorBody::new("invalid_request", message).with_fields(fields),
        )
    }

    /// 303 See Other: after a POST the browser follows with a GET (POST-redirect-GET).
    pub fn redirect(location: &str) -> Resp {
        Resp::new(303).header("location", location)
    }
}

/// A `Set-Cookie` value with the attributes every shop cookie uses. `Secure` is added
/// when the request came over HTTPS (see [`Req::is_https`]); local `storefront up`
/// serves plain HTTP, where a `Secure` cookie would never come back.
pub fn set_cookie(name: &str, value: &str, max_age: u64, secure: bool) -> String {
    set_cookie_at(name, value, "/", max_age, secure)
}

/// [`set_cookie`] for the pages under `path` only.
pub fn set_cookie_at(name: &str, value: &str, path: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Lax; Path={path}; Max-Age={max_age}{secure}")
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
    fn cookie_attributes() {
        assert_eq!(
            set_cookie("cart", "v", 2592000, false),
            "cart=v; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000"
        );
        assert_eq!(
            set_cookie("cart", "v", 60, true),
            "cart=v; HttpOnly; SameSite=Lax; Path=/; Max-Age=60; Secure"
        );
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
