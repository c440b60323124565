//! Who may read an order: whoever presents its access token
//! ([`storefront_domain::order_access`]). Every shopper-facing order route (the order and
//! payment pages, `GET /api/orders/{n}`, `POST /api/orders/{n}/payment`) reads the order
//! through [`open`], which answers `None` both for an order that does not exist and for
//! one whose token was not presented, so the two cannot be told apart.
//!
//! The owner reads orders by number through the back office and the admin API, which
//! have their own authentication and never come here.

use crate::http::{Req, set_cookie_at};
use crate::writer::{WriterClient, WriterError};
use storefront_domain::OrderView;
use storefront_domain::order_access::{self, COOKIE, COOKIE_SECONDS, HEADER, QUERY_KEY};

/// The token the request presents: an email link's `?key=`, a JSON client's
/// `Order-Token` header, or the cookie the browser got for this order (scoped to the
/// order's path, so a request under another order's path never carries it).
pub fn presented(req: &Req) -> Option<String> {
    req.query_param(QUERY_KEY)
        .or_else(|| req.header(HEADER).map(|v| v.trim().to_string()))
        .or_else(|| req.cookie(COOKIE).map(str::to_string))
}

/// Whether the token came in the URL (an email's link): the page then stores it in the
/// cookie and sends the browser to the bare URL, so the token leaves the address bar,
/// the history and any `Referer` at once.
pub fn in_url(req: &Req) -> bool {
    req.query_param(QUERY_KEY).is_some()
}

/// Order `number` if `presented` opens it; `None` if there is no such order or the token
/// is missing or wrong.
pub async fn open(
    writer: &WriterClient,
    number: &str,
    presented: Option<&str>,
) -> Result<Option<OrderView>, WriterError> {
    // A malformed token cannot open anything: no need to ask the writer.
    if !presented.is_some_and(order_access::well_formed) {
        return Ok(None);
    }
    Ok(writer
        .order(number)
        .await?
        .filter(|order| order_access::opens(&order.access_token, presented)))
}

/// The `Set-Cookie` value that lets this browser open order `number` again.
pub fn cookie(number: &str, token: &str, secure: bool) -> String {
    set_cookie_at(
        COOKIE,
        token,
        &format!("/orders/{number}"),
        COOKIE_SECONDS,
        secure,
    )
}

/// The request's path and query without the token: where an email's link is sent on.
pub fn without_key(req: &Req) -> String {
    let rest: Vec<(String, String)> = form_urlencoded::parse(req.query.as_bytes())
        .filter(|(name, _)| name != QUERY_KEY)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    if rest.is_empty() {
        return req.path.clone();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(rest)
        .finish();
    format!("{}?{query}", req.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_taken_from_the_link_the_header_or_the_cookie() {
        let with = |name: &str, value: &str| Req::with_header(name, Some(value));
        assert_eq!(
            presented(&with("order-token", " abc ")).as_deref(),
            Some("abc")
        );
        assert_eq!(
            presented(&with("cookie", "cart=x; order_key=def")).as_deref(),
            Some("def")
        );
        let linked = Req {
            query: "key=ghi".into(),
            ..with("cookie", "order_key=def")
        };
        assert_eq!(presented(&linked).as_deref(), Some("ghi"));
        assert!(in_url(&linked));
        assert_eq!(presented(&Req::default()), None);
    }

    #[test]
    fn the_link_is_sent_on_without_its_key() {
        let req = |query: &str| Req {
            path: "/orders/SF-7K3M-Q9TX-2PDA".into(),
            query: query.into(),
            ..Req::default()
        };
        assert_eq!(without_key(&req("key=abc")), "/orders/SF-7K3M-Q9TX-2PDA");
        assert_eq!(
            without_key(&req("key=abc&notice=payment-submitted")),
            "/orders/SF-7K3M-Q9TX-2PDA?notice=payment-submitted"
        );
    }

    #[test]
    fn the_cookie_is_scoped_to_the_order() {
        let c = cookie("SF-7K3M-Q9TX-2PDA", "abc", true);
        assert!(c.starts_with("order_key=abc; "), "{c}");
        assert!(c.contains("Path=/orders/SF-7K3M-Q9TX-2PDA;"), "{c}");
        assert!(c.contains("HttpOnly"), "{c}");
        assert!(c.ends_with("; Secure"), "{c}");
    }
}
