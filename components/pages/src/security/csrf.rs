//! CSRF tokens: `base64url(HMAC(key, "csrf:" + sid))`, bound to the cart's session id.
//!
//! Another site can make the browser POST with the shopper's cookie but cannot read the
//! cookie or our pages, so it cannot know the token. The `csrf:` prefix keeps these
//! signatures apart from cookie signatures (cart payloads are JSON and start with `{`).

use crate::security::signing::{Key, b64};
use subtle::ConstantTimeEq;

/// Name of the hidden form field.
pub const FIELD: &str = "csrf";

pub fn token(key: &Key, sid: &str) -> String {
    b64(&key.sign(format!("csrf:{sid}").as_bytes()))
}

/// Constant-time comparison, so response timing leaks nothing about the right token.
pub fn verify(key: &Key, sid: &str, submitted: &str) -> bool {
    let expected = token(key, sid);
    expected.as_bytes().ct_eq(submitted.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn token_verifies_for_its_session_only() {
        let t = token(&key(), "aaaa");
        assert!(verify(&key(), "aaaa", &t));
        assert!(!verify(&key(), "bbbb", &t));
        assert!(!verify(&key(), "aaaa", ""));
        assert!(!verify(&key(), "aaaa", &t[1..]));
        let other = Key::new("ffffffffffffffffffffffffffffffff").unwrap();
        assert!(!verify(&other, "aaaa", &t));
    }

    #[test]
    fn token_is_form_safe() {
        let t = token(&key(), "aaaa");
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
