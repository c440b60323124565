//! Hashing a new owner password in the pages (argon2id, OWASP's parameters: the `argon2`
//! crate's defaults), so the writer only ever stores a PHC string and never does the
//! slow work on the connection every order waits for.

use crate::writer_client::{WriterClient, WriterError};
use argon2::password_hash::{PasswordHasher, SaltString};
use spin_sdk::http::Method;
use storefront_domain::owner::{OwnerStatus, SetPassword};

/// The PHC string of `password` with a fresh random salt.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the host provides wasi:random");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password within the length limit")
        .to_string()
}

impl WriterClient {
    /// Stores a new password hash; the answer carries its new generation.
    pub async fn set_owner_password(&self, set: &SetPassword) -> Result<OwnerStatus, WriterError> {
        let body = serde_json::to_vec(set).expect("serialises");
        Ok(self
            .call(Method::Put, "/admin/owner/password", Some(body), &[])
            .await?
            .value)
    }
}

#[cfg(test)]
mod tests {
    use argon2::{Argon2, PasswordHash, PasswordVerifier};

    #[test]
    fn hashes_verify_and_differ() {
        let a = super::hash("correct horse battery");
        let b = super::hash("correct horse battery");
        assert_ne!(a, b, "a fresh salt each time");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let parsed = PasswordHash::new(&a).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );
    }
}
