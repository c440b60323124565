//! Who may use the owner's JSON API (`/admin/…` with `Authorization: Bearer
//! {admin_token}`). With an empty `admin_token` the API does not exist (404), so a
//! deployment that never set one exposes nothing. Both tokens are hashed before the
//! constant-time comparison, so neither the content nor the length of the real token
//! shows in response timing.

use crate::http::Req;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The actor the writer records for a command sent through the owner's JSON API.
pub const ACTOR: &str = "admin-token";

/// Whether the owner's JSON API exists: `admin_token` is set.
pub fn enabled(admin_token: &str) -> bool {
    !admin_token.is_empty()
}

/// Whether the request carries the admin token. Always false when admin is disabled.
pub fn authorized(req: &Req, admin_token: &str) -> bool {
    if !enabled(admin_token) {
        return false;
    }
    let Some(presented) = req.header("authorization").and_then(bearer) else {
        return false;
    };
    let presented = Sha256::digest(presented.as_bytes());
    let expected = Sha256::digest(admin_token.as_bytes());
    presented.ct_eq(&expected).into()
}

/// The token of a `Bearer` credential (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(auth: Option<&str>) -> Req {
        Req::with_header("authorization", auth)
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let token = "admin-secret-0123456789";
        assert!(authorized(
            &with(Some("Bearer admin-secret-0123456789")),
            token
        ));
        assert!(authorized(
            &with(Some("bearer  admin-secret-0123456789 ")),
            token
        ));
        for bad in [
            None,
            Some(""),
            Some("Bearer"),
            Some("Bearer "),
            Some("Basic admin-secret-0123456789"),
            Some("admin-secret-0123456789"),
            Some("Bearer admin-secret-012345678"),
            Some("Bearer admin-secret-01234567890"),
        ] {
            assert!(!authorized(&with(bad), token), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_token_disables_the_owner_api() {
        assert!(!enabled(""));
        assert!(!authorized(&with(Some("Bearer ")), ""));
        assert!(!authorized(&with(Some("Bearer x")), ""));
    }
}
