//! The back office owner's password and sign-in attempts (`owner_credentials`,
//! `owner_sign_ins`):
//! - `GET  /admin/owner` → `OwnerStatus` (cached until the next write);
//! - `PUT  /admin/owner/password` `SetPassword` → `OwnerStatus` (a new generation, which
//!   ends every back-office session and begins the one it carries; with `only_if_unset`,
//!   409 when a password exists);
//! - `POST /admin/owner/sign-ins` `SignInStart` → 201 `SignInChallenge`, or 429 when the
//!   client has [`MAX_FAILED_SIGN_INS`] failed or pending attempts in the window, or 409
//!   when no password is set;
//! - `POST /admin/owner/sign-ins/{attempt}` `SignInOutcome` → 204; a failure is logged, a
//!   success begins the session it carries ([`crate::owner::sessions`]).
//!
//! The writer stores and hands out the hash but never hashes: the pages (or the
//! `storefront admin set-password` command) do the slow argon2id work, off the one
//! connection every order waits for. Every attempt is recorded as `pending` before the
//! hash leaves, so parallel guesses from one client are counted before they are checked.

use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency::actor;
use crate::owner::sessions;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::owner::{
    MAX_CLIENT_KEY, MAX_FAILED_SIGN_INS, OwnerStatus, SIGN_IN_WINDOW_SECONDS, SetPassword,
    SignInChallenge, SignInOutcome, SignInStart,
};

/// Attempts older than this are deleted by the next attempt (log volume stays bounded).
const KEEP_ATTEMPTS_SECONDS: i64 = 24 * 60 * 60;
/// Longest PHC string accepted (argon2id with a 16-byte salt and 32-byte hash is ~100).
const MAX_HASH_LEN: usize = 256;

fn status(db: &Db) -> Result<OwnerStatus, ApiError> {
    let row = db.row("SELECT generation FROM owner_credentials WHERE id = 1", &[])?;
    Ok(match row {
        Some(row) => OwnerStatus {
            password_set: true,
            generation: row.int(0)?,
        },
        None => OwnerStatus {
            password_set: false,
            generation: 0,
        },
    })
}

/// `GET /admin/owner`.
pub fn get(db: &Db) -> Result<Response, ApiError> {
    let status = db.transaction(Mode::Read, status)?;
    json(200, &status)
}

/// Whether `hash` has the shape of an argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
fn valid_hash(hash: &str) -> bool {
    let parts: Vec<&str> = hash.split('$').collect();
    hash.len() <= MAX_HASH_LEN
        && parts.len() == 6
        && parts[0].is_empty()
        && parts[1] == "argon2id"
        && parts[2].starts_with("v=")
        && parts[3].starts_with("m=")
        && parts[4..].iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        })
}

/// `PUT /admin/owner/password`: stores the new hash under the next generation, ends every
/// session and begins the one the command carries. Setting the hash that is already
/// stored changes nothing (a retried command is a no-op).
pub fn set_password(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: SetPassword = parse_json(body)?;
    if !valid_hash(&input.password_hash) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "password_hash",
            "must be an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)",
        )]));
    }
    let actor = actor(&head.actor)?;
    let status = db.transaction(Mode::Write, |db| {
        if input.only_if_unset && status(db)?.password_set {
            return Err(ApiError::new(
                409,
                "password_already_set",
                "an owner password is set already; sign in, or run `storefront admin set-password`",
            ));
        }
        let changed = db.execute(
            &format!(
                "INSERT INTO owner_credentials (id, password_hash, generation, changed_at, changed_by)
                 VALUES (1, ?1, 1, {NOW}, ?2)
                 ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash,
                     generation = generation + 1, changed_at = excluded.changed_at,
                     changed_by = excluded.changed_by
                 WHERE password_hash <> excluded.password_hash
                 RETURNING generation"
            ),
            &[text(&input.password_hash), text(&actor)],
        )?;
        if !changed.rows.is_empty() {
            sessions::end_every(db)?;
        }
        let status = status(db)?;
        if let Some(session) = &input.session {
            sessions::begin(db, session, status.generation)?;
        }
        Ok(status)
    })?;
    eprintln!(
        "owner password set by {actor} (generation {})",
        status.generation
    );
    json(200, &status)
}

/// `POST /admin/owner/sign-ins`: records a pending attempt and hands out the hash, unless
/// the client has used up its attempts.
pub fn start(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let input: SignInStart = parse_json(body)?;
    let client = input.client.trim();
    if client.is_empty()
        || client.len() > MAX_CLIENT_KEY
        || !client.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ApiError::invalid(vec![FieldError::new(
            "client",
            format!("must be 1 to {MAX_CLIENT_KEY} visible ASCII characters"),
        )]));
    }
    let challenge = db.transaction(Mode::Write, |db| {
        let now = db.unix_seconds()?;
        db.execute(
            "DELETE FROM owner_sign_ins WHERE started_at < ?1",
            &[int(now - KEEP_ATTEMPTS_SECONDS)],
        )?;
        let Some(row) = db.row(
            "SELECT password_hash, generation FROM owner_credentials WHERE id = 1",
            &[],
        )?
        else {
            return Err(ApiError::new(
                409,
                "no_password",
                "no owner password is set yet: use the setup link `storefront up` printed, or run `storefront admin set-password`",
            ));
        };
        let (used, oldest) = {
            let row = db
                .row(
                    "SELECT count(*), min(started_at) FROM owner_sign_ins
                     WHERE client = ?1 AND started_at >= ?2 AND outcome <> 'ok'",
                    &[text(client), int(now - SIGN_IN_WINDOW_SECONDS)],
                )?
                .ok_or_else(|| anyhow::anyhow!("count returned no row"))?;
            (row.int(0)?, row.opt_int(1)?.unwrap_or(now))
        };
        if used >= MAX_FAILED_SIGN_INS {
            let retry_after = (oldest + SIGN_IN_WINDOW_SECONDS - now).max(1);
            eprintln!("owner sign-in refused: client {client} has {used} failed attempts");
            return Err(ApiError::new(
                429,
                "too_many_sign_ins",
                format!(
                    "too many failed sign-ins from this client; try again in {} minutes",
                    (retry_after + 59) / 60
                ),
            )
            .with_header("retry-after", retry_after.to_string()));
        }
        let attempt = db
            .row(
                "INSERT INTO owner_sign_ins (client, started_at, generation) VALUES (?1, ?2, ?3)
                 RETURNING id",
                &[text(client), int(now), int(row.int(1)?)],
            )?
            .ok_or_else(|| anyhow::anyhow!("INSERT … RETURNING returned no row"))?
            .int(0)?;
        Ok(SignInChallenge {
            attempt,
            password_hash: row.text(0)?,
            generation: row.int(1)?,
        })
    })?;
    json(201, &challenge)
}

/// `POST /admin/owner/sign-ins/{attempt}`: the outcome of a pending attempt, and for a
/// right password the session it begins, under the generation whose hash the attempt was
/// handed. Only a pending attempt changes, so a replayed report changes nothing and
/// begins no other session.
pub fn finish(db: &Db, attempt: &str, body: &[u8]) -> Result<Response, ApiError> {
    let id: i64 = attempt
        .parse()
        .map_err(|_| ApiError::not_found("no such sign-in attempt"))?;
    let input: SignInOutcome = parse_json(body)?;
    let outcome = if input.ok { "ok" } else { "failed" };
    let client = db.transaction(Mode::Write, |db| {
        let Some(row) = db.row(
            "UPDATE owner_sign_ins SET outcome = ?2 WHERE id = ?1 AND outcome = 'pending'
             RETURNING client, generation",
            &[int(id), text(outcome)],
        )?
        else {
            return Ok(None);
        };
        if let (true, Some(session), Some(generation)) = (input.ok, &input.session, row.opt_int(1)?)
        {
            sessions::begin(db, session, generation)?;
        }
        Ok::<_, ApiError>(Some(row.text(0)?))
    })?;
    match client {
        Some(client) if !input.ok => {
            eprintln!("owner sign-in failed: wrong password from client {client}")
        }
        Some(client) => eprintln!("owner signed in from client {client}"),
        None => {}
    }
    Ok(Response::builder().status(204).build())
}

#[cfg(test)]
mod tests {
    use super::valid_hash;

    #[test]
    fn only_argon2id_phc_strings() {
        assert!(valid_hash(
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
        ));
        assert!(!valid_hash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"));
        assert!(!valid_hash("hunter2"));
        assert!(!valid_hash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"));
        assert!(!valid_hash("$argon2id$v=19$m=19456,t=2,p=1$c2F'sdA$aGFzaA"));
    }
}
