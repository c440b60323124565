//! Small signed, expiring cookie values besides the cart: the shopper's pending order
//! ([`crate::shop::pending`]) and the checkout details kept across a cart fix
//! ([`crate::http::forms::Checkout`]).
//!
//! Value: `base64url(payload) "." base64url(HMAC-SHA256(key, purpose ":" payload))`,
//! payload JSON `{"v": …, "exp": <unix seconds>}`. The purpose is part of the signed
//! message, so a value signed for one cookie is never accepted as another (nor as a cart
//! or a CSRF token, whose messages start with `{` and `csrf:`).

use crate::security::signing::{Key, b64, unb64};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Browsers drop cookies over ~4096 bytes silently; a value longer than this is not set.
pub const MAX_VALUE_LEN: usize = 3800;

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    v: T,
    exp: u64,
}

fn message(purpose: &str, payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(purpose.len() + 1 + payload.len());
    m.extend_from_slice(purpose.as_bytes());
    m.push(b':');
    m.extend_from_slice(payload);
    m
}

/// The cookie value for `value`, valid until `exp`; `None` if it would be too long.
pub fn seal<T: Serialize>(key: &Key, purpose: &str, value: &T, exp: u64) -> Option<String> {
    let payload = serde_json::to_vec(&Envelope { v: value, exp }).ok()?;
    let sealed = format!(
        "{}.{}",
        b64(&payload),
        b64(&key.sign(&message(purpose, &payload)))
    );
    (sealed.len() <= MAX_VALUE_LEN).then_some(sealed)
}

/// The value, if `sealed` was made by [`seal`] with this key and purpose and has not
/// expired at `now`.
pub fn open<T: DeserializeOwned>(key: &Key, purpose: &str, sealed: &str, now: u64) -> Option<T> {
    let (payload, tag) = sealed.split_once('.')?;
    let payload = unb64(payload)?;
    let tag = unb64(tag)?;
    if !key.verify(&message(purpose, &payload), &tag) {
        return None;
    }
    let envelope: Envelope<T> = serde_json::from_slice(&payload).ok()?;
    (envelope.exp > now).then_some(envelope.v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trips_until_it_expires() {
        let sealed = seal(&key(), "order", &"SF-1".to_string(), 100).unwrap();
        assert_eq!(
            open::<String>(&key(), "order", &sealed, 99).as_deref(),
            Some("SF-1")
        );
        assert_eq!(open::<String>(&key(), "order", &sealed, 100), None);
    }

    #[test]
    fn another_purpose_key_or_payload_is_refused() {
        let sealed = seal(&key(), "order", &"SF-1".to_string(), 100).unwrap();
        assert_eq!(open::<String>(&key(), "checkout", &sealed, 1), None);
        let other = Key::new("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(open::<String>(&other, "order", &sealed, 1), None);
        let forged = seal(&key(), "order", &"SF-2".to_string(), 100).unwrap();
        let forged = format!(
            "{}.{}",
            forged.split_once('.').unwrap().0,
            sealed.split_once('.').unwrap().1
        );
        assert_eq!(open::<String>(&key(), "order", &forged, 1), None);
        assert_eq!(open::<String>(&key(), "order", "garbage", 1), None);
    }

    #[test]
    fn too_long_values_are_not_sealed() {
        assert!(seal(&key(), "x", &"a".repeat(4000), 1).is_none());
    }
}
