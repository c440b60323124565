//! A server-side session's secret as the browser's cookie carries it: 256 random bits in
//! base64url, and the writer's name for the session, the secret's SHA-256 in lower-case
//! hex. The writer keeps only that name, so neither it nor a copy of its database can
//! produce a working cookie; whether the session is still valid is the writer's answer on
//! every request. The owner's and the customer's sessions are each one of these.

use crate::security::signing::{b64, unb64};
use sha2::{Digest, Sha256};

/// Bytes of randomness in a session's secret.
pub const SECRET_BYTES: usize = 32;

/// A session as this request's cookie names it (or as a sign-in begins it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSecret {
    /// base64url of [`SECRET_BYTES`] random bytes; only the cookie carries it.
    secret: String,
    /// The SHA-256 of the secret in lower-case hex: the writer's name for the session.
    pub id: String,
}

impl SessionSecret {
    /// A new session with a fresh secret.
    pub fn start() -> SessionSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).expect("the host provides wasi:random");
        SessionSecret::from_secret(b64(&bytes))
    }

    /// The session a cookie's value names, if it has the shape of one (the writer decides
    /// whether it is valid).
    pub fn from_cookie(value: &str) -> Option<SessionSecret> {
        let bytes = unb64(value)?;
        (bytes.len() == SECRET_BYTES).then(|| SessionSecret::from_secret(value.to_string()))
    }

    /// The cookie's value.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    fn from_secret(secret: String) -> SessionSecret {
        let id = hex::encode(Sha256::digest(secret.as_bytes()));
        SessionSecret { secret, id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_carries_the_secret_and_the_id_is_its_hash() {
        let s = SessionSecret::start();
        assert_eq!(SessionSecret::from_cookie(s.secret()), Some(s.clone()));
        assert_eq!(s.id, hex::encode(Sha256::digest(s.secret().as_bytes())));
        assert!(!s.id.contains(s.secret()));
        assert_ne!(SessionSecret::start().id, s.id);
    }

    #[test]
    fn only_secrets_of_the_right_shape_name_a_session() {
        assert_eq!(SessionSecret::from_cookie(""), None);
        assert_eq!(SessionSecret::from_cookie("x.y"), None);
        assert_eq!(SessionSecret::from_cookie(&b64(&[7u8; 31])), None);
        assert!(SessionSecret::from_cookie(&b64(&[7u8; 32])).is_some());
    }
}
