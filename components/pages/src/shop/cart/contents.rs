//! The cart and its signed cookie.
//!
//! The cart lives entirely in the shopper's browser so that browsing and carting never
//! touch the writer. Cookie value: `base64url(payload) "." base64url(HMAC-SHA256(key, payload))`
//! where payload is JSON `{"sid":"<32 hex>","lines":[["sku",qty],…],"exp":<unix seconds>}`.
//! Only SKUs and quantities are stored; prices always come from the writer. Carts from
//! before variants hold product slugs, which are the SKUs of the products' migrated
//! variants, so they keep working unchanged.

use crate::security::signing::{Key, b64, unb64};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use storefront_domain::Quantity;
use storefront_domain::catalog::valid_sku;
use storefront_domain::order::{LineRequest, MAX_LINES};

pub const COOKIE_NAME: &str = "cart";
/// Cart lifetime, refreshed whenever the cart is written.
pub const TTL_SECONDS: u64 = 30 * 24 * 60 * 60;
/// Browsers drop cookies over ~4096 bytes silently; refuse to grow past this instead.
pub const MAX_COOKIE_LEN: usize = 3800;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    /// Random session id (16 bytes, hex); CSRF tokens are bound to it.
    pub sid: String,
    /// `(sku, quantity)` in the order they were added.
    pub lines: Vec<(String, i64)>,
    /// Expiry, unix seconds.
    pub exp: u64,
}

/// What happened to an add request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    /// The line would have exceeded the per-line maximum and was set to it.
    Capped,
    /// A new line would exceed the line limit (or the cookie size); nothing changed.
    Full,
}

/// Why a cookie was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Malformed,
    BadSignature,
    Expired,
}

impl Cart {
    pub fn empty(sid: String, now: u64) -> Cart {
        Cart {
            sid,
            lines: Vec::new(),
            exp: now + TTL_SECONDS,
        }
    }

    /// Total number of items (the header's cart count).
    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|(_, q)| q).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn quantity_of(&self, sku: &str) -> Option<i64> {
        self.lines.iter().find(|(s, _)| s == sku).map(|(_, q)| *q)
    }

    /// Adds `quantity` of the variant `sku`, capping the line at [`Quantity::MAX`].
    pub fn add(&mut self, key: &Key, sku: &str, quantity: Quantity) -> AddOutcome {
        if let Some(line) = self.lines.iter_mut().find(|(s, _)| s == sku) {
            let wanted = line.1 + quantity.get();
            line.1 = wanted.min(Quantity::MAX);
            return if wanted > Quantity::MAX {
                AddOutcome::Capped
            } else {
                AddOutcome::Added
            };
        }
        if self.lines.len() >= MAX_LINES {
            return AddOutcome::Full;
        }
        self.lines.push((sku.to_string(), quantity.get()));
        if self.encode(key).len() > MAX_COOKIE_LEN {
            self.lines.pop();
            return AddOutcome::Full;
        }
        AddOutcome::Added
    }

    /// Sets a line's quantity; `None` removes it. Returns false if the sku is not in the cart.
    pub fn set(&mut self, sku: &str, quantity: Option<Quantity>) -> bool {
        let Some(index) = self.lines.iter().position(|(s, _)| s == sku) else {
            return false;
        };
        match quantity {
            Some(q) => self.lines[index].1 = q.get(),
            None => {
                self.lines.remove(index);
            }
        }
        true
    }

    pub fn remove(&mut self, sku: &str) -> bool {
        self.set(sku, None)
    }

    /// Keeps only the lines whose sku passes `keep`; returns how many were dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) -> usize {
        let before = self.lines.len();
        self.lines.retain(|(sku, _)| keep(sku));
        before - self.lines.len()
    }

    /// The lines as the writer's request shape.
    pub fn line_requests(&self) -> Vec<LineRequest> {
        self.lines
            .iter()
            .map(|(sku, quantity)| LineRequest {
                sku: sku.clone(),
                slug: String::new(),
                quantity: *quantity,
            })
            .collect()
    }

    /// The cookie value (see the module doc for the format).
    pub fn encode(&self, key: &Key) -> String {
        let payload = serde_json::to_vec(self).expect("a cart always serialises");
        format!("{}.{}", b64(&payload), b64(&key.sign(&payload)))
    }

    /// Parses and verifies a cookie value. Anything not signed by `key`, not well formed,
    /// or past its expiry is rejected as a whole: a cart is never partially trusted.
    pub fn decode(value: &str, key: &Key, now: u64) -> Result<Cart, Rejected> {
        let (payload, tag) = value.split_once('.').ok_or(Rejected::Malformed)?;
        let payload = unb64(payload).ok_or(Rejected::Malformed)?;
        let tag = unb64(tag).ok_or(Rejected::Malformed)?;
        // Signature first, so that nothing an attacker wrote is even parsed.
        if !key.verify(&payload, &tag) {
            return Err(Rejected::BadSignature);
        }
        let cart: Cart = serde_json::from_slice(&payload).map_err(|_| Rejected::Malformed)?;
        if !cart.is_well_formed() {
            return Err(Rejected::Malformed);
        }
        if cart.exp <= now {
            return Err(Rejected::Expired);
        }
        Ok(cart)
    }

    /// The invariants `add`/`set` keep; checked again on decode as defence in depth
    /// (e.g. against a cookie signed by an older version with other bounds).
    fn is_well_formed(&self) -> bool {
        let mut seen = BTreeSet::new();
        self.sid.len() == 32
            && self.sid.bytes().all(|b| b.is_ascii_hexdigit())
            && self.lines.len() <= MAX_LINES
            && self.lines.iter().all(|(sku, quantity)| {
                valid_sku(sku) && Quantity::new(*quantity).is_ok() && seen.insert(sku.as_str())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;
    const SID: &str = "00112233445566778899aabbccddeeff";

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn q(n: i64) -> Quantity {
        Quantity::new(n).unwrap()
    }

    fn cart_with(lines: &[(&str, i64)]) -> Cart {
        let mut cart = Cart::empty(SID.into(), NOW);
        cart.lines = lines.iter().map(|(s, n)| (s.to_string(), *n)).collect();
        cart
    }

    #[test]
    fn cookie_round_trips() {
        let cart = cart_with(&[("espresso-cup", 2), ("mug", 1)]);
        let value = cart.encode(&key());
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
        assert_eq!(Cart::decode(&value, &key(), NOW), Ok(cart));
    }

    #[test]
    fn payload_has_the_documented_shape() {
        let value = cart_with(&[("mug", 3)]).encode(&key());
        let payload = unb64(value.split_once('.').unwrap().0).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"sid": SID, "lines": [["mug", 3]], "exp": NOW + TTL_SECONDS})
        );
    }

    #[test]
    fn tampering_is_detected() {
        let value = cart_with(&[("mug", 1)]).encode(&key());
        let (_, tag) = value.split_once('.').unwrap();
        // Same signature, different payload: a shopper trying to change a quantity.
        let forged = cart_with(&[("mug", 99)]).encode(&key());
        let forged = format!("{}.{tag}", forged.split_once('.').unwrap().0);
        assert_eq!(
            Cart::decode(&forged, &key(), NOW),
            Err(Rejected::BadSignature)
        );
        let other_key = Key::new("ffffffffffffffffffffffffffffffff").unwrap();
        assert_eq!(
            Cart::decode(&value, &other_key, NOW),
            Err(Rejected::BadSignature)
        );
    }

    #[test]
    fn garbage_and_expired_cookies_are_rejected() {
        for bad in ["", "abc", "abc.def", "!!!.???", "."] {
            assert!(Cart::decode(bad, &key(), NOW).is_err(), "{bad:?}");
        }
        let value = cart_with(&[]).encode(&key());
        assert_eq!(
            Cart::decode(&value, &key(), NOW + TTL_SECONDS),
            Err(Rejected::Expired)
        );
    }

    #[test]
    fn signed_but_out_of_bounds_payloads_are_rejected() {
        let bad_payloads = [
            r#"{"sid":"short","lines":[],"exp":9999999999}"#.to_string(),
            format!(r#"{{"sid":"{SID}","lines":[["mug",0]],"exp":9999999999}}"#),
            format!(r#"{{"sid":"{SID}","lines":[["Bad Sku",1]],"exp":9999999999}}"#),
            format!(r#"{{"sid":"{SID}","lines":[["mug",1],["mug",1]],"exp":9999999999}}"#),
        ];
        for payload in bad_payloads {
            let value = format!(
                "{}.{}",
                b64(payload.as_bytes()),
                b64(&key().sign(payload.as_bytes()))
            );
            assert_eq!(
                Cart::decode(&value, &key(), NOW),
                Err(Rejected::Malformed),
                "{payload}"
            );
        }
    }

    #[test]
    fn adding_merges_lines_and_caps_at_99() {
        let mut cart = cart_with(&[]);
        assert_eq!(cart.add(&key(), "mug", q(60)), AddOutcome::Added);
        assert_eq!(cart.add(&key(), "mug", q(39)), AddOutcome::Added);
        assert_eq!(cart.quantity_of("mug"), Some(99));
        assert_eq!(cart.add(&key(), "mug", q(1)), AddOutcome::Capped);
        assert_eq!(cart.quantity_of("mug"), Some(99));
        assert_eq!(cart.lines.len(), 1);
        assert_eq!(cart.item_count(), 99);
    }

    #[test]
    fn at_most_50_lines() {
        let mut cart = cart_with(&[]);
        for i in 0..MAX_LINES {
            assert_eq!(cart.add(&key(), &format!("p{i}"), q(1)), AddOutcome::Added);
        }
        assert_eq!(cart.add(&key(), "one-more", q(1)), AddOutcome::Full);
        assert_eq!(cart.lines.len(), MAX_LINES);
        // Existing lines can still grow.
        assert_eq!(cart.add(&key(), "p0", q(1)), AddOutcome::Added);
    }

    #[test]
    fn cookie_size_is_bounded() {
        let mut cart = cart_with(&[]);
        let long = "x".repeat(64);
        let mut last = AddOutcome::Added;
        for i in 0..MAX_LINES {
            last = cart.add(&key(), &format!("{i:02}{}", &long[2..]), q(99));
            if last == AddOutcome::Full {
                break;
            }
        }
        assert_eq!(last, AddOutcome::Full);
        assert!(cart.encode(&key()).len() <= MAX_COOKIE_LEN);
    }

    #[test]
    fn set_and_remove() {
        let mut cart = cart_with(&[("mug", 2), ("cup", 1)]);
        assert!(cart.set("mug", Some(q(5))));
        assert_eq!(cart.quantity_of("mug"), Some(5));
        assert!(cart.set("mug", None));
        assert_eq!(cart.quantity_of("mug"), None);
        assert!(!cart.remove("mug"));
        assert!(cart.remove("cup"));
        assert!(cart.is_empty());
    }

    #[test]
    fn retain_reports_dropped_lines() {
        let mut cart = cart_with(&[("a", 1), ("b", 1), ("c", 1)]);
        assert_eq!(cart.retain(|s| s != "b"), 1);
        assert_eq!(cart.line_requests().len(), 2);
    }
}
