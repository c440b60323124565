//! The shopper's order that awaits payment, remembered in a signed cookie (`order`) so
//! that leaving the payment step never loses it: the header and the cart link to it,
//! and submitting the checkout again for the same cart offers it instead of placing a
//! second order.
//!
//! The cart itself is kept until the order is paid (the order page empties it when it
//! sees the order paid); the cookie holds the order number and a fingerprint of the
//! cart lines it was placed for.

use crate::security::sealed;
use crate::security::signing::Key;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "order";
const PURPOSE: &str = "pending-order";
/// How long the cookie remembers an unpaid order: longer than the writer keeps an unpaid
/// reservation (`--reservation-ttl`, 30 min by default), so the link outlives the order
/// and the order page then says it was cancelled.
pub const TTL_SECONDS: u64 = 2 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOrder {
    /// The canonical order number.
    pub number: String,
    /// [`fingerprint`] of the cart lines the order was placed for.
    pub cart: String,
}

/// A short digest of the cart's lines (order and quantities included).
pub fn fingerprint(lines: &[(String, i64)]) -> String {
    let json = serde_json::to_vec(lines).expect("cart lines always serialise");
    hex::encode(&Sha256::digest(&json)[..12])
}

impl PendingOrder {
    pub fn open(value: &str, key: &Key, now: u64) -> Option<PendingOrder> {
        sealed::open(key, PURPOSE, value, now).filter(|p: &PendingOrder| {
            storefront_domain::order_number::normalize(&p.number).is_some()
        })
    }

    pub fn seal(&self, key: &Key, now: u64) -> Option<String> {
        sealed::seal(key, PURPOSE, self, now + TTL_SECONDS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_follow_the_lines() {
        let a = vec![("mug".to_string(), 1)];
        let b = vec![("mug".to_string(), 2)];
        assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        assert_ne!(fingerprint(&a), fingerprint(&b));
        assert_eq!(fingerprint(&a).len(), 24);
    }

    #[test]
    fn only_order_numbers_are_accepted() {
        let key = Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let good = PendingOrder {
            number: "SF-7K3M-Q9TX-2PDA".into(),
            cart: "x".into(),
        };
        let sealed = good.seal(&key, 0).unwrap();
        assert_eq!(PendingOrder::open(&sealed, &key, 1), Some(good));
        let bad = PendingOrder {
            number: "../admin".into(),
            cart: "x".into(),
        };
        assert_eq!(
            PendingOrder::open(&bad.seal(&key, 0).unwrap(), &key, 1),
            None
        );
    }
}
