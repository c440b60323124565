//! The back office's owner account as the pages and the writer exchange it: whether a
//! password is set, the sign-in handshake (the writer hands out the stored hash, the
//! pages verify the password against it and report the outcome), and the limits on
//! passwords and guessing.
//!
//! Verifying in the pages keeps the deliberately slow password hash (argon2id, tens of
//! milliseconds) off the writer, whose one connection every order waits for.

use serde::{Deserialize, Serialize};

/// Shortest owner password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest owner password, in bytes: hashing cost grows with it.
pub const MAX_PASSWORD_BYTES: usize = 256;
/// Failed (or still pending) sign-ins one client may have within
/// [`SIGN_IN_WINDOW_SECONDS`] before the next attempt is refused with 429.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// The window the failed sign-ins are counted in.
pub const SIGN_IN_WINDOW_SECONDS: i64 = 15 * 60;
/// Longest `client` key the writer accepts for an attempt.
pub const MAX_CLIENT_KEY: usize = 128;

/// `GET /admin/owner`: whether a password is set, and its generation (0 when none is).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OwnerStatus {
    pub password_set: bool,
    pub generation: i64,
}

/// `PUT /admin/owner/password`: a new password, already hashed (argon2id PHC string).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetPassword {
    pub password_hash: String,
    /// Only set it if no password is set yet (the one-time setup link): 409 otherwise.
    #[serde(default)]
    pub only_if_unset: bool,
}

/// `POST /admin/owner/sign-ins`: a sign-in attempt begins for this client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInStart {
    pub client: String,
}

/// The writer's answer to [`SignInStart`]: the attempt's id and what to verify against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInChallenge {
    pub attempt: i64,
    pub password_hash: String,
    pub generation: i64,
}

/// `POST /admin/owner/sign-ins/{attempt}`: how the attempt ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInOutcome {
    pub ok: bool,
}

/// Whether `password` may become the owner's password; the reason if not.
pub fn password_problem(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters long"
        ))
    } else if password.len() > MAX_PASSWORD_BYTES {
        Some(format!("must be at most {MAX_PASSWORD_BYTES} bytes long"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules() {
        assert!(password_problem("short").is_some());
        assert!(password_problem("correct horse battery").is_none());
        assert!(password_problem(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_some());
    }
}
