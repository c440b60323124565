//! The customer's session as the browser holds it, and the secrets of a sign-in email.
//!
//! The session cookie (`sf_customer`) carries a random 256-bit secret, `HttpOnly`,
//! `SameSite=Lax`, `Secure` over HTTPS, for the whole shop (the order pages read it too).
//! The writer keeps the session under the secret's SHA-256 and decides on every request
//! whether it is still valid; signing out deletes its record, so a copy of the cookie
//! stops working with it.
//!
//! A sign-in email's link secret and code are derived from a random nonce with the
//! cookie secret ([`SignInSecrets`]): the writer stores the nonce in the outbox and only
//! hashes of the two, so neither it nor a copy of its database can produce a working
//! link or code; the dispatcher, which has the same secret, derives them again to write
//! the email.

use crate::security::session_secret::SessionSecret;
use crate::security::signing::{Key, b64, random_hex};
use sha2::{Digest, Sha256};
use storefront_domain::customer::{CODE_DIGITS, CUSTOMER_SESSION_SECONDS, normalize_email};

/// The session cookie's name.
pub const COOKIE: &str = "sf_customer";
/// The customer's session: its cookie's secret and the writer's name for it.
pub type CustomerSession = SessionSecret;

/// How long the browser keeps the session's cookie.
pub const COOKIE_SECONDS: u64 = CUSTOMER_SESSION_SECONDS as u64;

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The secrets of one sign-in email, derived from its nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInSecrets {
    pub nonce: String,
    /// The link's secret (`/login/link?token=…`).
    pub token: String,
    /// The code the shopper may type instead.
    pub code: String,
}

impl SignInSecrets {
    /// Fresh secrets for a new sign-in email.
    pub fn fresh(key: &Key) -> SignInSecrets {
        SignInSecrets::of(key, &random_hex(16))
    }

    /// The secrets of the email with `nonce`.
    pub fn of(key: &Key, nonce: &str) -> SignInSecrets {
        let token = b64(&key.sign(format!("customer-link:{nonce}").as_bytes()));
        let mac = key.sign(format!("customer-code:{nonce}").as_bytes());
        let n =
            u32::from_be_bytes([mac[0], mac[1], mac[2], mac[3]]) % 10u32.pow(CODE_DIGITS as u32);
        SignInSecrets {
            nonce: nonce.to_string(),
            token,
            code: format!("{n:0width$}", width = CODE_DIGITS),
        }
    }
}

/// What the writer stores of a link's secret.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.trim())
}

/// What the writer stores of a code for `email`: keyed, so a copy of the database cannot
/// be searched for the code.
pub fn code_hash(key: &Key, email: &str, code: &str) -> String {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    hex::encode(
        key.sign(format!("customer-code-hash:{}:{code}", normalize_email(email)).as_bytes()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn an_emails_secrets_follow_from_its_nonce_and_the_key() {
        let a = SignInSecrets::of(&key(), &"0".repeat(32));
        assert_eq!(a, SignInSecrets::of(&key(), &"0".repeat(32)));
        assert_ne!(a.token, SignInSecrets::of(&key(), &"1".repeat(32)).token);
        assert_eq!(a.code.len(), CODE_DIGITS);
        assert!(a.code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            code_hash(&key(), " Ada@Example.org", &a.code),
            code_hash(&key(), "ada@example.org", &format!(" {} ", a.code))
        );
        assert_eq!(token_hash(&a.token).len(), 64);
    }
}
