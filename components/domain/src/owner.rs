//! The back office's owner account as the pages and the writer exchange it: whether a
//! password is set, the sign-in handshake (the writer hands out the stored hash, the
//! pages verify the password against it and report the outcome), the server-side
//! sessions a sign-in or a new password begins, and the limits on passwords, guessing
//! and sessions.
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
/// Longest `client` key the writer accepts for an attempt or a session.
pub const MAX_CLIENT_KEY: usize = 128;
/// How long a back-office session lasts after its sign-in, however busy the owner is.
pub const SESSION_ABSOLUTE_SECONDS: i64 = 8 * 60 * 60;
/// How long a back-office session lasts without a request.
pub const SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session's "last seen" is written at most this often, so that browsing the back
/// office does not write to the database on every click.
pub const SESSION_TOUCH_SECONDS: i64 = 60;
/// Most sessions kept at once: a new one beyond it ends the least recently seen.
pub const MAX_OWNER_SESSIONS: i64 = 100;
/// Longest user agent kept with a session, in characters (the pages cut it to this).
pub const MAX_USER_AGENT_CHARS: usize = 200;

/// `GET /admin/owner`: whether a password is set, and its generation (0 when none is).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OwnerStatus {
    /// Whether an owner password exists.
    pub password_set: bool,
    /// Bumped by every new password; sessions begun under an older one are over.
    pub generation: i64,
}

/// `PUT /admin/owner/password`: a new password, already hashed (argon2id PHC string).
/// A new password ends every session; `session` is begun under it in the same command
/// (the browser that set it stays signed in).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetPassword {
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Only set it if no password is set yet (the one-time setup link): 409 otherwise.
    #[serde(default)]
    pub only_if_unset: bool,
    /// A session to begin under the new password, for the browser that set it.
    #[serde(default)]
    pub session: Option<NewSession>,
}

/// `POST /admin/owner/sign-ins`: a sign-in attempt begins for this client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInStart {
    /// The pages' pseudonymous client key of whoever signs in.
    pub client: String,
}

/// The writer's answer to [`SignInStart`]: the attempt's id and what to verify against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInChallenge {
    /// The attempt's id, for reporting its outcome.
    pub attempt: i64,
    /// The stored argon2id PHC string to verify the password against.
    pub password_hash: String,
    /// The password generation the hash belongs to.
    pub generation: i64,
}

/// `POST /admin/owner/sign-ins/{attempt}`: how the attempt ended. A right password with
/// a `session` begins it under the password generation the attempt was checked against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInOutcome {
    /// Whether the password was right.
    pub ok: bool,
    /// The session to begin when it was.
    #[serde(default)]
    pub session: Option<NewSession>,
}

/// A back-office session to begin: `id` is the SHA-256 (lower-case hex) of the random
/// secret only the browser's cookie carries, so the writer can recognise the session but
/// a copy of its table cannot be turned into a cookie. `client` is the pages' pseudonymous
/// client key, `user_agent` the browser's, cut to [`MAX_USER_AGENT_CHARS`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 (lower-case hex) of the cookie's secret.
    pub id: String,
    /// The pages' pseudonymous client key.
    pub client: String,
    /// The browser's user agent, cut to [`MAX_USER_AGENT_CHARS`].
    pub user_agent: String,
}

/// An active session as the back office lists it (times are RFC 3339 UTC).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActiveSession {
    /// SHA-256 of the cookie's secret.
    pub id: String,
    /// When it began.
    pub started_at: String,
    /// When it was last used.
    pub last_seen_at: String,
    /// The pseudonymous client key it began from.
    pub client: String,
    /// The browser's user agent.
    pub user_agent: String,
}

/// `GET /admin/owner/sessions`: the active sessions, the most recently seen first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OwnerSessions {
    /// The active sessions.
    pub sessions: Vec<ActiveSession>,
}

/// `POST /admin/owner/sessions/end-all`: ends every session but `keep` (all with `None`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndSessions {
    /// The id of the session to keep (the one asking).
    #[serde(default)]
    pub keep: Option<String>,
}

/// The answer to [`EndSessions`]: how many sessions it ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SessionsEnded {
    /// How many sessions ended.
    pub ended: i64,
}

/// Whether `id` has the shape of a session id: 64 lower-case hex digits.
pub fn valid_session_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `user_agent` as a session keeps it: control characters dropped, at most
/// [`MAX_USER_AGENT_CHARS`] characters.
pub fn session_user_agent(user_agent: &str) -> String {
    user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
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

    #[test]
    fn session_ids_are_sha256_hex() {
        assert!(valid_session_id(&"0a".repeat(32)));
        assert!(!valid_session_id(&"0A".repeat(32)), "lower case only");
        assert!(!valid_session_id(&"0a".repeat(31)));
        assert!(!valid_session_id(&format!("{}/x", "0a".repeat(31))));
    }

    #[test]
    fn user_agents_are_cut_and_cleaned() {
        assert_eq!(session_user_agent(" Firefox\r\n/1.0 "), "Firefox/1.0");
        let long = "ü".repeat(MAX_USER_AGENT_CHARS + 5);
        assert_eq!(
            session_user_agent(&long).chars().count(),
            MAX_USER_AGENT_CHARS
        );
    }
}
