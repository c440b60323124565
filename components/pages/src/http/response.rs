//! The answer as handlers build it ([`Resp`]): status, a list of headers (a page may set
//! more than one cookie) and the body, with the HTML and JSON answers' headers, and the
//! attributes of every cookie the shop sets. A body too large to hold is a `stream`
//! ([`Streamed`]) written after the head instead.

use super::stream::Streamed;
use maud::Markup;
use serde::Serialize;
use storefront_domain::{ErrorBody, FieldError};

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Written after the head in place of `body`, when set.
    pub stream: Option<Streamed>,
}

impl Resp {
    pub fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            stream: None,
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
}
