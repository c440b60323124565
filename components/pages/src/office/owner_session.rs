//! The owner's back-office session as the browser holds it: a cookie carrying a random
//! 256-bit secret, `HttpOnly`, `SameSite=Strict`, scoped to `/admin`, `Secure` over
//! HTTPS. The writer keeps the session's record (`owner_sessions`) under the secret's
//! SHA-256, its id, and decides on every back-office request whether it is still valid:
//! signing out, a new password or the owner's "End" on the Sessions page deletes the
//! record, so a copy of the cookie stops working with it. The CSRF token of every
//! back-office form is `base64url(HMAC("owner-csrf:" + secret))`, bound to this session.

use crate::http::Req;
use crate::security::session_secret::SessionSecret;
use crate::security::signing::{Key, b64};
use storefront_domain::owner::{NewSession, SESSION_ABSOLUTE_SECONDS, session_user_agent};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "sf_owner";
/// Name of the hidden CSRF field in every back-office form.
pub const CSRF_FIELD: &str = "csrf";
/// The owner's session: its cookie's secret and the writer's name for it, with the
/// back office's CSRF token bound to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerSession(SessionSecret);

impl std::ops::Deref for OwnerSession {
    type Target = SessionSecret;

    fn deref(&self) -> &SessionSecret {
        &self.0
    }
}

impl OwnerSession {
    /// A new session with a fresh secret.
    pub fn start() -> OwnerSession {
        OwnerSession(SessionSecret::start())
    }

    /// The session a cookie's value names, if it has the shape of one.
    pub fn from_cookie(value: &str) -> Option<OwnerSession> {
        SessionSecret::from_cookie(value).map(OwnerSession)
    }

    /// What the writer records when this session begins for the client that sent `req`.
    pub fn record(&self, req: &Req) -> NewSession {
        NewSession {
            id: self.id.clone(),
            client: req.client().to_string(),
            user_agent: session_user_agent(req.header("user-agent").unwrap_or_default()),
        }
    }

    pub fn csrf_token(&self, key: &Key) -> String {
        b64(&key.sign(format!("owner-csrf:{}", self.secret()).as_bytes()))
    }

    /// Constant-time check of a submitted CSRF token.
    pub fn csrf_ok(&self, key: &Key, submitted: Option<&str>) -> bool {
        let expected = self.csrf_token(key);
        submitted.is_some_and(|s| bool::from(expected.as_bytes().ct_eq(s.as_bytes())))
    }
}

/// The `Set-Cookie` value that stores `session`; the browser forgets it when the
/// session's absolute lifetime is over.
pub fn set_cookie(session: &OwnerSession, secure: bool) -> String {
    cookie(session.secret(), SESSION_ABSOLUTE_SECONDS, secure)
}

/// The `Set-Cookie` value that removes the session's cookie.
pub fn clear_cookie(secure: bool) -> String {
    cookie("", 0, secure)
}

fn cookie(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn the_cookie_carries_the_secret_and_the_id_is_its_hash() {
        let s = OwnerSession::start();
        let cookie = set_cookie(&s, false);
        let value = cookie
            .strip_prefix("sf_owner=")
            .and_then(|rest| rest.split(';').next())
            .unwrap();
        assert_eq!(OwnerSession::from_cookie(value), Some(s.clone()));
        assert_eq!(s.id, hex::encode(Sha256::digest(value.as_bytes())));
        assert!(!s.id.contains(value));
        assert_ne!(OwnerSession::start().id, s.id);
        assert!(cookie.contains("HttpOnly; SameSite=Strict; Path=/admin; Max-Age=28800"));
        assert!(set_cookie(&s, true).ends_with("; Secure"));
    }

    #[test]
    fn csrf_is_bound_to_the_session() {
        let a = OwnerSession::start();
        let b = OwnerSession::start();
        let token = a.csrf_token(&key());
        assert!(a.csrf_ok(&key(), Some(&token)));
        assert!(!b.csrf_ok(&key(), Some(&token)));
        assert!(!a.csrf_ok(&key(), None));
    }
}
