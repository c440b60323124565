//! The shopper's session for one HTML request: the cart from the cookie (or a fresh
//! one), whether the cookie must be (re)written, and the CSRF token bound to it.

use crate::http;
use crate::security::csrf;
use crate::security::signing::Key;
use crate::shop::cart::contents::{self, Cart};

#[derive(Debug, Clone)]
pub struct Session {
    pub cart: Cart,
    /// The cookie is missing, untrustworthy or the cart changed: the response sets it.
    pub dirty: bool,
    /// A cookie was present but rejected; the page tells the shopper.
    pub restore_failed: bool,
    now: u64,
}

impl Session {
    /// `new_sid` is only called when a fresh session is needed.
    pub fn load(
        cookie: Option<&str>,
        key: &Key,
        now: u64,
        new_sid: impl FnOnce() -> String,
    ) -> Session {
        let (cart, restore_failed) = match cookie.map(|c| Cart::decode(c, key, now)) {
            Some(Ok(cart)) => {
                return Session {
                    cart,
                    dirty: false,
                    restore_failed: false,
                    now,
                };
            }
            Some(Err(_)) => (Cart::empty(new_sid(), now), true),
            None => (Cart::empty(new_sid(), now), false),
        };
        Session {
            cart,
            dirty: true,
            restore_failed,
            now,
        }
    }

    /// Call after changing the cart: re-issues the cookie with a fresh 30-day expiry.
    pub fn touch(&mut self) {
        self.cart.exp = self.now + contents::TTL_SECONDS;
        self.dirty = true;
    }

    /// Empties the cart but keeps the session id, so forms open in other tabs stay valid.
    pub fn clear(&mut self) {
        self.cart.lines.clear();
        self.touch();
    }

    pub fn csrf_token(&self, key: &Key) -> String {
        csrf::token(key, &self.cart.sid)
    }

    pub fn csrf_ok(&self, key: &Key, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|t| csrf::verify(key, &self.cart.sid, t))
    }

    /// The `Set-Cookie` value to send, if the cookie must change.
    pub fn set_cookie(&self, key: &Key, secure: bool) -> Option<String> {
        self.dirty.then(|| {
            http::set_cookie(
                contents::COOKIE_NAME,
                &self.cart.encode(key),
                contents::TTL_SECONDS,
                secure,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::Quantity;

    const NOW: u64 = 1_700_000_000;
    const SID: &str = "00112233445566778899aabbccddeeff";
    const FRESH: &str = "ffeeddccbbaa99887766554433221100";

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn fresh() -> String {
        FRESH.to_string()
    }

    #[test]
    fn no_cookie_starts_a_fresh_session_that_is_set() {
        let s = Session::load(None, &key(), NOW, fresh);
        assert_eq!(s.cart.sid, FRESH);
        assert!(s.dirty && !s.restore_failed);
        let header = s.set_cookie(&key(), false).unwrap();
        assert!(header.starts_with("cart="));
        assert!(header.ends_with("; HttpOnly; SameSite=Lax; Path=/; Max-Age=2592000"));
    }

    #[test]
    fn valid_cookie_is_kept_and_not_rewritten() {
        let mut cart = Cart::empty(SID.into(), NOW);
        cart.add(&key(), "mug", Quantity::new(2).unwrap());
        let s = Session::load(Some(&cart.encode(&key())), &key(), NOW + 10, fresh);
        assert_eq!(s.cart, cart);
        assert!(!s.dirty && !s.restore_failed);
        assert!(s.set_cookie(&key(), false).is_none());
    }

    #[test]
    fn bad_cookie_becomes_an_empty_cart_with_a_notice_and_is_replaced() {
        for bad in ["garbage", "a.b", ""] {
            let s = Session::load(Some(bad), &key(), NOW, fresh);
            assert!(s.cart.is_empty());
            assert!(s.restore_failed && s.dirty, "{bad:?}");
        }
        let expired = Cart::empty(SID.into(), NOW - contents::TTL_SECONDS - 1).encode(&key());
        let s = Session::load(Some(&expired), &key(), NOW, fresh);
        assert!(s.restore_failed);
        assert_eq!(s.cart.sid, FRESH);
    }

    #[test]
    fn csrf_is_bound_to_the_session() {
        let s = Session::load(None, &key(), NOW, fresh);
        let token = s.csrf_token(&key());
        assert!(s.csrf_ok(&key(), Some(&token)));
        assert!(!s.csrf_ok(&key(), None));
        let other = Session::load(None, &key(), NOW, || SID.to_string());
        assert!(!other.csrf_ok(&key(), Some(&token)));
    }

    #[test]
    fn clear_keeps_the_sid_and_refreshes_expiry() {
        let mut cart = Cart::empty(SID.into(), NOW - 100);
        cart.add(&key(), "mug", Quantity::new(1).unwrap());
        let mut s = Session::load(Some(&cart.encode(&key())), &key(), NOW, fresh);
        s.clear();
        assert!(s.cart.is_empty() && s.dirty);
        assert_eq!(s.cart.sid, SID);
        assert_eq!(s.cart.exp, NOW + contents::TTL_SECONDS);
    }
}
