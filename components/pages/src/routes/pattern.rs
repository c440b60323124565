//! Path patterns of the route table: literal segments, typed segments (`{number}`,
//! `{slug}`, …) that match only a value that can exist. A typed segment that does not hold
//! makes the pattern not match, so a path with, say, an impossible order number is no
//! route for any method.

use storefront_domain::catalog::valid_sku;
use storefront_domain::checkout::normalize_discount_code;
use storefront_domain::order::valid_slug;
use storefront_domain::order_number;
use storefront_domain::payments::valid_event_id;

/// What a path's segments matched: the typed segments' values in order and an order
/// number in its canonical form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures<'a> {
    /// The request method as routed (`HEAD` is `GET`).
    pub method: &'a str,
    /// The whole path.
    pub path: &'a str,
    /// Each typed segment's text, in order (an order number as sent).
    pub values: Vec<&'a str>,
    /// The `{number}` segment, canonical ([`order_number::normalize`]): whatever spelling
    /// the shopper typed, the writer and the payment provider only ever see one.
    pub number: Option<String>,
}

impl<'a> Captures<'a> {
    /// The `i`-th typed segment.
    pub fn value(&self, i: usize) -> &'a str {
        self.values[i]
    }

    /// The canonical order number.
    pub fn number(&self) -> String {
        self.number.clone().expect("the pattern has a {number}")
    }
}

/// Whether `value` can be what the typed segment `kind` names.
fn holds(kind: &str, value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    match kind {
        // Checked by the handler, which answers its own 404.
        "any" => !value.is_empty(),
        "number" => order_number::normalize(value).is_some(),
        "slug" => valid_slug(value),
        "sku" => valid_sku(value),
        "id" => digits(value),
        // A refund's position among an order's refunds, from 1.
        "seq" => value.parse::<i64>().is_ok_and(|n| n >= 1),
        "event" => valid_event_id(value),
        "code" => normalize_discount_code(value).is_some_and(|n| n.len() == value.len()),
        "method" => {
            (1..=40).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        "country" => value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()),
        _ => panic!("unknown segment kind {{{kind}}}"),
    }
}

/// A pattern's segments after the leading `/` (`"/"` has one empty segment).
pub fn segments(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

/// `path` against `pattern`, every typed segment checked; `None` if it does not match.
pub fn matches<'a>(pattern: &str, path: &'a str, method: &'a str) -> Option<Captures<'a>> {
    let mut captures = Captures {
        method,
        path,
        ..Captures::default()
    };
    walk(pattern, path, |kind, value| {
        if !holds(kind, value) {
            return false;
        }
        if kind == "number" {
            captures.number = order_number::normalize(value);
        }
        captures.values.push(value);
        true
    })
    .then_some(captures)
}

/// Whether `path` has `pattern`'s shape, whatever its typed segments hold: what a body
/// cap is chosen by, before anything is routed.
pub fn has_shape(pattern: &str, path: &str) -> bool {
    walk(pattern, path, |_, _| true)
}

/// Whether `pattern` starts with a literal segment that `path` does not start with: most
/// of the table differs from a path there, told by comparing bytes before any walk.
fn first_literal_differs(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.as_bytes(), path.as_bytes());
    if pattern.get(1) == Some(&b'{') {
        return false;
    }
    let mut i = 1;
    loop {
        match (pattern.get(i), path.get(i)) {
            (None | Some(b'/'), None | Some(b'/')) => return false,
            (a, b) if a == b => i += 1,
            _ => return true,
        }
    }
}

/// Walks `pattern` and `path` side by side, asking `typed(kind, value)` about each typed
/// segment; whether they match. Allocates nothing: every request walks the whole table
/// (its body cap, then its route), and most patterns differ at the first segment.
fn walk<'a>(pattern: &str, path: &'a str, mut typed: impl FnMut(&str, &'a str) -> bool) -> bool {
    if first_literal_differs(pattern, path) {
        return false;
    }
    let mut wanted = pattern.strip_prefix('/').unwrap_or(pattern).split('/');
    let mut got = path.strip_prefix('/').unwrap_or(path).split('/');
    loop {
        match (wanted.next(), got.next()) {
            (None, None) => return true,
            (Some(want), Some(value)) => {
                let holds = match want.strip_prefix('{').and_then(|k| k.strip_suffix('}')) {
                    Some(kind) => typed(kind, value),
                    None => want == value,
                };
                if !holds {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// A sample path for `pattern`, every typed segment filled with a value that holds (for
/// the table's own tests).
#[cfg(test)]
pub fn sample(pattern: &str) -> String {
    let filled: Vec<&str> = segments(pattern)
        .into_iter()
        .map(|s| match s {
            "{any}" | "{slug}" => "kenya",
            "{number}" => "SF-7K3M-Q9TX-2PDA",
            "{sku}" => "KEN-1kg",
            "{id}" => "12",
            "{seq}" => "1",
            "{event}" => "evt_1",
            "{code}" => "WELCOME10",
            "{method}" => "de-standard",
            "{country}" => "de",
            literal => literal,
        })
        .collect();
    format!("/{}", filled.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_segments_hold_or_the_pattern_does_not_match() {
        let m = matches("/orders/{number}/pay", "/orders/sf7k3mq9tx2pda/pay", "GET").unwrap();
        assert_eq!(m.number(), "SF-7K3M-Q9TX-2PDA");
        assert!(matches("/orders/{number}/pay", "/orders/quote/pay", "GET").is_none());
        assert!(matches("/orders/{number}", "/orders/SF-7K3M-Q9TX-2PDA/pay", "GET").is_none());
        assert!(
            matches(
                "/admin/catalog/products/{slug}",
                "/admin/catalog/products/Bad Slug",
                "GET"
            )
            .is_none()
        );
        let retry = "/admin/orders/{number}/refunds/{seq}/retry";
        assert!(
            matches(
                retry,
                "/admin/orders/SF-7K3M-Q9TX-2PDA/refunds/2/retry",
                "POST"
            )
            .is_some()
        );
        assert!(
            matches(
                retry,
                "/admin/orders/SF-7K3M-Q9TX-2PDA/refunds/0/retry",
                "POST"
            )
            .is_none()
        );
        assert!(
            matches(
                "/admin/payments/{event}/review",
                "/admin/payments/a b/review",
                "POST"
            )
            .is_none()
        );
        assert!(matches("/", "/", "GET").is_some());
        assert!(matches("/", "/cart", "GET").is_none());
        assert!(matches("/cart", "/", "GET").is_none());
        assert!(matches("/cart", "/carts", "GET").is_none());
        assert!(matches("/carts", "/cart", "GET").is_none());
        assert!(matches("/cart/add", "/cart/add", "POST").is_some());
        assert!(matches("/{slug}", "/kenya", "GET").is_some());
        assert!(has_shape(
            "/admin/catalog/products/{slug}/images",
            "/admin/catalog/products/Bad Slug/images"
        ));
    }
}
