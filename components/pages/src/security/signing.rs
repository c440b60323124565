//! The shop's secret key: HMAC-SHA256 signatures over cookie payloads and CSRF tokens,
//! the base64url encoding they travel in, and random identifiers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted `cookie_secret`: HMAC-SHA256 keys shorter than the hash give away
/// strength, and a short secret is more likely a placeholder than a real key.
pub const MIN_KEY_LEN: usize = 32;

/// The HMAC key from the `cookie_secret` variable.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl Key {
    pub fn new(secret: &str) -> Result<Key, String> {
        if secret.len() < MIN_KEY_LEN {
            return Err(format!(
                "cookie_secret must be at least {MIN_KEY_LEN} bytes long (it is {})",
                secret.len()
            ));
        }
        Ok(Key(secret.as_bytes().to_vec()))
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.0).expect("HMAC accepts keys of any length")
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// Constant-time check of `tag` against the signature of `message`.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        let mut mac = self.mac();
        mac.update(message);
        mac.verify_slice(tag).is_ok()
    }
}

/// Unpadded base64url: only characters that are safe in cookie values and form fields.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// `n` random bytes as lower-case hex (session ids, idempotency keys).
///
/// Panics if the host has no randomness source: there is no safe fallback for a
/// session id, and the resulting trap becomes a 500.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the host provides wasi:random");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(Key::new("too short").is_err());
        assert!(Key::new(&"x".repeat(31)).is_err());
        assert!(Key::new(&"x".repeat(32)).is_ok());
    }

    #[test]
    fn signatures_verify_only_for_the_same_message_and_key() {
        let tag = key().sign(b"hello");
        assert!(key().verify(b"hello", &tag));
        assert!(!key().verify(b"hellO", &tag));
        assert!(!key().verify(b"hello", &tag[..31]));
        let other = Key::new("fedcba9876543210fedcba9876543210").unwrap();
        assert!(!other.verify(b"hello", &tag));
    }

    #[test]
    fn base64url_round_trips_without_padding() {
        let encoded = b64(&[0xfb, 0xff, 0x00]);
        assert!(!encoded.contains(['=', '+', '/']));
        assert_eq!(unb64(&encoded).unwrap(), vec![0xfb, 0xff, 0x00]);
        assert!(unb64("not base64!").is_none());
    }

    #[test]
    fn random_hex_has_the_requested_length() {
        let a = random_hex(16);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(16));
    }
}
