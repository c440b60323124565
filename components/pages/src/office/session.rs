//! The owner's back-office session: a signed cookie, `HttpOnly`, `SameSite=Strict`,
//! scoped to `/admin`, that expires after [`SESSION_SECONDS`].
//!
//! The value is `base64url(generation.expires.nonce).base64url(HMAC)`. `generation` is
//! the owner password's generation when the owner signed in: a new password makes
//! every older session invalid. The CSRF token of every back-office form is
//! `base64url(HMAC("owner-csrf:" + nonce))`, bound to this session.

use crate::signing::{Key, b64, random_hex, unb64};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "sf_owner";
/// How long a sign-in lasts.
pub const SESSION_SECONDS: u64 = 8 * 60 * 60;
/// Name of the hidden CSRF field in every back-office form.
pub const CSRF_FIELD: &str = "csrf";

/// A valid, unexpired session as read from its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSession {
    pub generation: i64,
    pub expires: u64,
    nonce: String,
}

impl OwnerSession {
    /// A new session for the password generation signed in with.
    pub fn start(generation: i64, now: u64) -> OwnerSession {
        OwnerSession {
            generation,
            expires: now + SESSION_SECONDS,
            nonce: random_hex(16),
        }
    }

    /// The cookie's value.
    pub fn encode(&self, key: &Key) -> String {
        let payload = format!("{}.{}.{}", self.generation, self.expires, self.nonce);
        let tag = key.sign(format!("owner:{payload}").as_bytes());
        format!("{}.{}", b64(payload.as_bytes()), b64(&tag))
    }

    /// The session in `value` if its signature holds and it has not expired.
    pub fn decode(value: &str, key: &Key, now: u64) -> Option<OwnerSession> {
        let (payload, tag) = value.split_once('.')?;
        let payload = String::from_utf8(unb64(payload)?).ok()?;
        if !key.verify(format!("owner:{payload}").as_bytes(), &unb64(tag)?) {
            return None;
        }
        let mut parts = payload.splitn(3, '.');
        let generation = parts.next()?.parse().ok()?;
        let expires: u64 = parts.next()?.parse().ok()?;
        let nonce = parts.next()?.to_string();
        (expires > now).then_some(OwnerSession {
            generation,
            expires,
            nonce,
        })
    }

    pub fn csrf_token(&self, key: &Key) -> String {
        b64(&key.sign(format!("owner-csrf:{}", self.nonce).as_bytes()))
    }

    /// Constant-time check of a submitted CSRF token.
    pub fn csrf_ok(&self, key: &Key, submitted: Option<&str>) -> bool {
        let expected = self.csrf_token(key);
        submitted.is_some_and(|s| bool::from(expected.as_bytes().ct_eq(s.as_bytes())))
    }
}

/// The `Set-Cookie` value that stores `session`.
pub fn set_cookie(session: &OwnerSession, key: &Key, secure: bool) -> String {
    cookie(&session.encode(key), SESSION_SECONDS, secure)
}

/// The `Set-Cookie` value that ends the session.
pub fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trip_and_expiry() {
        let s = OwnerSession::start(3, 1000);
        let v = s.encode(&key());
        assert_eq!(OwnerSession::decode(&v, &key(), 1001), Some(s.clone()));
        assert_eq!(
            OwnerSession::decode(&v, &key(), 1000 + SESSION_SECONDS),
            None
        );
        let other = Key::new("another-key-another-key-another-key!").unwrap();
        assert_eq!(OwnerSession::decode(&v, &other, 1001), None);
        assert_eq!(OwnerSession::decode("x.y", &key(), 1001), None);
        // A payload with a later expiry but the old signature is refused.
        let (_, tag) = v.split_once('.').unwrap();
        let forged = format!(
            "{}.{tag}",
            b64(format!("3.{}.{}", u64::MAX, "00").as_bytes())
        );
        assert_eq!(OwnerSession::decode(&forged, &key(), 1001), None);
    }

    #[test]
    fn csrf_is_bound_to_the_session() {
        let a = OwnerSession::start(1, 0);
        let b = OwnerSession::start(1, 0);
        let token = a.csrf_token(&key());
        assert!(a.csrf_ok(&key(), Some(&token)));
        assert!(!b.csrf_ok(&key(), Some(&token)));
        assert!(!a.csrf_ok(&key(), None));
    }
}
