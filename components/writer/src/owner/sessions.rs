//! The back office's server-side sessions (`owner_sessions`):
//! - `POST /admin/owner/sessions/{id}/check` → `ActiveSession` while the session is valid
//!   (signed in under the current password, within [`SESSION_ABSOLUTE_SECONDS`] of its
//!   sign-in and [`SESSION_IDLE_SECONDS`] of its last request), 404 `no_session`
//!   otherwise; its "last seen" is written at most every [`SESSION_TOUCH_SECONDS`];
//! - `GET  /admin/owner/sessions` → `OwnerSessions`, the valid ones, most recently seen
//!   first;
//! - `POST /admin/owner/sessions/{id}/end` → 204, also when there is no such session (a
//!   repeated sign-out);
//! - `POST /admin/owner/sessions/end-all` `EndSessions` → `SessionsEnded`.
//!
//! A session begins only inside a command that proved the password, in its transaction:
//! a right sign-in or a new password ([`crate::owner::sign_in`], through [`begin`]). A new
//! password ends every session ([`end_every`]). `id` is the SHA-256 of the secret only
//! the browser's cookie carries; the writer never sees the secret.

use crate::db::{Db, Mode, RowExt as _, int, opt_text, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use spin_sdk::sqlite::RowResult;
use storefront_domain::FieldError;
use storefront_domain::owner::{
    ActiveSession, EndSessions, MAX_CLIENT_KEY, MAX_OWNER_SESSIONS, MAX_USER_AGENT_CHARS,
    NewSession, OwnerSessions, SESSION_ABSOLUTE_SECONDS, SESSION_IDLE_SECONDS,
    SESSION_TOUCH_SECONDS, SessionsEnded, valid_session_id,
};

/// The columns of an [`ActiveSession`], times as RFC 3339 UTC, then `last_seen_at` as
/// unix seconds.
const COLUMNS: &str = "id, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, 'unixepoch'),
     strftime('%Y-%m-%dT%H:%M:%SZ', last_seen_at, 'unixepoch'), client, user_agent,
     last_seen_at";

/// The condition on a valid session, with the current unix time as `?1`.
fn valid() -> String {
    format!(
        "generation = (SELECT generation FROM owner_credentials WHERE id = 1)
         AND expires_at > ?1 AND last_seen_at > ?1 - {SESSION_IDLE_SECONDS}"
    )
}

fn no_session() -> ApiError {
    ApiError::new(
        404,
        "no_session",
        "no such back-office session, or it has ended",
    )
}

fn active(row: &RowResult) -> anyhow::Result<ActiveSession> {
    Ok(ActiveSession {
        id: row.text(0)?,
        started_at: row.text(1)?,
        last_seen_at: row.text(2)?,
        client: row.text(3)?,
        user_agent: row.text(4)?,
    })
}

/// Why `session` cannot begin, field by field.
fn problems(session: &NewSession) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !valid_session_id(&session.id) {
        problems.push(FieldError::new(
            "session.id",
            "must be a SHA-256 in lower-case hex",
        ));
    }
    let client = &session.client;
    if client.is_empty()
        || client.len() > MAX_CLIENT_KEY
        || !client.bytes().all(|b| b.is_ascii_graphic())
    {
        problems.push(FieldError::new(
            "session.client",
            format!("must be 1 to {MAX_CLIENT_KEY} visible ASCII characters"),
        ));
    }
    let agent = &session.user_agent;
    if agent.chars().count() > MAX_USER_AGENT_CHARS || agent.chars().any(char::is_control) {
        problems.push(FieldError::new(
            "session.user_agent",
            format!(
                "must be at most {MAX_USER_AGENT_CHARS} characters, none of them control characters"
            ),
        ));
    }
    problems
}

/// Begins `session` for the password generation `generation` was proven against, inside
/// the caller's write transaction. Sessions that are no longer valid are pruned first;
/// beyond [`MAX_OWNER_SESSIONS`] the least recently seen ones end. A generation that is
/// no longer the password's (the sign-in raced a password change) begins nothing, and a
/// session that exists already (a replayed command) is left as it is.
pub fn begin(db: &Db, session: &NewSession, generation: i64) -> Result<(), ApiError> {
    let problems = problems(session);
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let now = db.unix_seconds()?;
    db.execute(
        &format!("DELETE FROM owner_sessions WHERE NOT ({})", valid()),
        &[int(now)],
    )?;
    db.execute(
        &format!(
            "INSERT INTO owner_sessions
                 (id, generation, client, user_agent, created_at, last_seen_at, expires_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?5, ?5 + {SESSION_ABSOLUTE_SECONDS}
             FROM owner_credentials WHERE id = 1 AND generation = ?2
             ON CONFLICT (id) DO NOTHING"
        ),
        &[
            text(&session.id),
            int(generation),
            text(&session.client),
            text(&session.user_agent),
            int(now),
        ],
    )?;
    db.execute(
        "DELETE FROM owner_sessions WHERE id IN (
             SELECT id FROM owner_sessions ORDER BY last_seen_at DESC, created_at DESC
             LIMIT -1 OFFSET ?1)",
        &[int(MAX_OWNER_SESSIONS)],
    )?;
    Ok(())
}

/// Ends every session, inside the caller's write transaction (a new password).
pub fn end_every(db: &Db) -> anyhow::Result<()> {
    db.execute("DELETE FROM owner_sessions", &[]).map(drop)
}

/// `POST /admin/owner/sessions/{id}/check`.
pub fn check(db: &Db, id: &str) -> Result<Response, ApiError> {
    if !valid_session_id(id) {
        return Err(no_session());
    }
    let now = db.unix_seconds()?;
    let row = db
        .row(
            &format!(
                "SELECT {COLUMNS} FROM owner_sessions WHERE id = ?2 AND {}",
                valid()
            ),
            &[int(now), text(id)],
        )?
        .ok_or_else(no_session)?;
    if now - row.int(5)? >= SESSION_TOUCH_SECONDS {
        db.transaction(Mode::Write, |db| {
            db.execute(
                "UPDATE owner_sessions SET last_seen_at = ?1 WHERE id = ?2 AND last_seen_at < ?1",
                &[int(now), text(id)],
            )
        })?;
    }
    json(200, &active(&row)?)
}

/// `GET /admin/owner/sessions`.
pub fn list(db: &Db) -> Result<Response, ApiError> {
    let now = db.unix_seconds()?;
    let rows = db.rows(
        &format!(
            "SELECT {COLUMNS} FROM owner_sessions WHERE {}
             ORDER BY last_seen_at DESC, created_at DESC",
            valid()
        ),
        &[int(now)],
    )?;
    let sessions = rows.iter().map(active).collect::<anyhow::Result<_>>()?;
    json(200, &OwnerSessions { sessions })
}

/// `POST /admin/owner/sessions/{id}/end`.
pub fn end(db: &Db, id: &str) -> Result<Response, ApiError> {
    if !valid_session_id(id) {
        return Err(no_session());
    }
    let ended = db.transaction(Mode::Write, |db| {
        db.row(
            "DELETE FROM owner_sessions WHERE id = ?1 RETURNING client",
            &[text(id)],
        )
    })?;
    if let Some(row) = ended {
        eprintln!("back-office session ended (client {})", row.text(0)?);
    }
    Ok(Response::builder().status(204).build())
}

/// `POST /admin/owner/sessions/end-all`.
pub fn end_all(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let input: EndSessions = parse_json(body)?;
    if input
        .keep
        .as_deref()
        .is_some_and(|id| !valid_session_id(id))
    {
        return Err(ApiError::invalid(vec![FieldError::new(
            "keep",
            "must be a session id (a SHA-256 in lower-case hex)",
        )]));
    }
    let ended = db.transaction(Mode::Write, |db| {
        db.rows(
            "DELETE FROM owner_sessions WHERE id IS NOT ?1 RETURNING id",
            &[opt_text(input.keep.as_deref())],
        )
    })?;
    let ended = i64::try_from(ended.len()).map_err(anyhow::Error::from)?;
    eprintln!("{ended} back-office sessions ended by the owner");
    json(200, &SessionsEnded { ended })
}
