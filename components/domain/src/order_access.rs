//! An order's access token: the secret that opens an order's personal data to a shopper.
//!
//! The order number identifies an order (it is in emails, URLs, the provider's metadata and
//! the request log); the token is what proves the right to read it. The writer draws 128
//! random bits for every order when it is placed and keeps them on the order row, so the
//! token survives a backup and a restore. A shopper presents it in one of three ways:
//! - the link in every email: `/orders/{number}?key={token}` (the pages set the cookie
//!   below and redirect to the bare URL, so the token leaves the address bar at once);
//! - the browser that placed the order: an `HttpOnly` cookie scoped to the order's own
//!   path, `/orders/{number}`, so no other page ever receives it;
//! - a JSON client: the `Order-Token` header, with the token from the `201` of
//!   `POST /api/orders`.
//!
//! Without it the order's pages answer `404`, as for an order that does not exist.

use subtle::ConstantTimeEq as _;

/// Random bytes in a token (128 bits).
pub const TOKEN_BYTES: usize = 16;
/// Length of a token: lower-case hex of [`TOKEN_BYTES`].
pub const TOKEN_LEN: usize = TOKEN_BYTES * 2;
/// The query parameter of an email's order link.
pub const QUERY_KEY: &str = "key";
/// The header a JSON client presents the token in.
pub const HEADER: &str = "order-token";
/// The cookie that remembers the token in the browser, scoped to the order's path.
pub const COOKIE: &str = "order_key";
/// How long a browser remembers an order's token: long enough to come back to the
/// order page until the parcel arrives.
pub const COOKIE_SECONDS: u64 = 90 * 24 * 60 * 60;

/// A token from random bytes.
pub fn token_from(bytes: [u8; TOKEN_BYTES]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` has the shape the writer draws (so a malformed value is refused before
/// any lookup, and the audit can tell a damaged one).
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `presented` opens an order whose token is `expected`: constant time, and never
/// for an empty expected token.
pub fn opens(expected: &str, presented: Option<&str>) -> bool {
    let Some(presented) = presented else {
        return false;
    };
    well_formed(expected) && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// The order's page as an email links to it: absolute, with the token.
pub fn link(shop_url: &str, number: &str, token: &str) -> String {
    format!(
        "{}/orders/{number}?{QUERY_KEY}={token}",
        shop_url.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_hex() {
        let t = token_from([0xab; TOKEN_BYTES]);
        assert_eq!(t.len(), 32);
        assert!(well_formed(&t));
        assert!(!well_formed(&t.to_uppercase()));
        assert!(!well_formed(&t[1..]));
        assert!(!well_formed(""));
    }

    #[test]
    fn only_the_exact_token_opens() {
        let t = token_from([7; TOKEN_BYTES]);
        assert!(opens(&t, Some(&t)));
        assert!(!opens(&t, None));
        assert!(!opens(&t, Some("")));
        assert!(!opens(&t, Some(&t[..31])));
        assert!(!opens(&t, Some(&token_from([8; TOKEN_BYTES]))));
        // An order without a token (a damaged row) opens for nobody.
        assert!(!opens("", Some("")));
    }

    #[test]
    fn email_links_carry_the_token() {
        assert_eq!(
            link("https://shop.example/", "SF-7K3M-Q9TX-2PDA", "ab"),
            "https://shop.example/orders/SF-7K3M-Q9TX-2PDA?key=ab"
        );
    }
}
