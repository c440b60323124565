//! The shared-token check between pages and writer: every request must carry
//! `Authorization: Bearer <writer_token>`, also in one process where the writer is
//! reachable only by service chaining (`storefront up` generates a local token), so no
//! component can run a writer command without the secret. An empty token is a broken
//! deployment: every request is refused rather than served unchecked.

use crate::http::request::Header;
use crate::http::responses::ApiError;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

/// Checks the request's `Authorization` header against the `writer_token` variable.
pub fn check(authorization: &Header) -> Result<(), ApiError> {
    // A variable that cannot be read is a broken deployment: refuse rather than run open.
    let token = spin_sdk::variables::get("writer_token").map_err(|e| {
        anyhow::anyhow!("reading the writer_token variable: {e:?}; refusing every request")
    })?;
    if token.is_empty() {
        eprintln!("writer: writer_token is empty; refusing every request");
        return Err(ApiError::new(
            500,
            "writer_token_not_set",
            "writer_token is not set: the writer refuses every request until it is",
        ));
    }
    if authorized(&token, authorization) {
        Ok(())
    } else {
        Err(ApiError::new(
            401,
            "unauthorized",
            "missing or wrong writer token (Authorization: Bearer <writer_token>)",
        )
        .with_header("www-authenticate", "Bearer"))
    }
}

/// Whether `authorization` is exactly one `Bearer <token>` header. Compares SHA-256 digests in
/// constant time, so neither the token's bytes nor its length leak through timing.
fn authorized(token: &str, authorization: &Header) -> bool {
    let Header::One(value) = authorization else {
        return false;
    };
    let Some(presented) = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
        .map(|_| &value[7..])
    else {
        return false;
    };
    let expected = Sha256::digest(token.as_bytes());
    let presented = Sha256::digest(presented);
    expected.ct_eq(&presented).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(v: &str) -> Header {
        Header::One(v.as_bytes().to_vec())
    }

    #[test]
    fn accepts_only_the_exact_bearer_token() {
        assert!(authorized("s3cret", &one("Bearer s3cret")));
        assert!(authorized("s3cret", &one("bearer s3cret")));
        assert!(!authorized("s3cret", &one("Bearer s3cret ")));
        assert!(!authorized("s3cret", &one("Bearer s3cre")));
        assert!(!authorized("s3cret", &one("Basic s3cret")));
        assert!(!authorized("s3cret", &one("s3cret")));
        assert!(!authorized("s3cret", &one("")));
        assert!(!authorized("s3cret", &Header::Missing));
        assert!(!authorized("s3cret", &Header::Repeated));
    }
}
