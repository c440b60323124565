//! Refused discount codes per client (`discount_attempts`): the limit on guessing and
//! the owner's log of refusals (see `storefront_domain::discount_attempts`).
//!
//! The pages name the client in the `storefront-client` header; a command without it
//! (an operator's script holding the writer token) is neither limited nor logged. A
//! refusal is recorded in the same write transaction that checked the limit, so a burst
//! of parallel guesses is counted exactly. The same code with the same email again
//! within the window is the same guess, recorded once: a shopper whose page shows a
//! refused code again (another shipping method, back from the cart) is not counted twice.
//! Emails are stored only as a hash, to tell guesses apart.

use crate::checkout::discounts::Refused;
use crate::db::{Db, RowExt as _, int, opt_int, text};
use crate::http::responses::ApiError;
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use storefront_domain::FieldError;
use storefront_domain::checkout::MAX_LISTED_REFUSALS;
use storefront_domain::discount_attempts::{
    ATTEMPT_WINDOW_SECONDS, KEEP_REFUSED_SECONDS, MAX_REFUSED_ATTEMPTS, Refusal, RefusedAttempt,
    TOO_MANY_ATTEMPTS, too_many_attempts,
};

/// Longest typed code kept (a code is at most 32 characters; longer input is kept cut).
const MAX_TYPED_CHARS: usize = 40;
/// Characters of the client key the owner's log shows.
const CLIENT_SHOWN_CHARS: usize = 8;

/// Seconds until `client` may try a code again, if it has used up its guesses.
pub fn blocked_for(db: &Db, client: &str) -> anyhow::Result<Option<i64>> {
    let now = db.unix_seconds()?;
    let row = db
        .row(
            "SELECT count(*), min(attempted_at) FROM discount_attempts \
             WHERE client = ?1 AND attempted_at > ?2",
            &[text(client), int(now - ATTEMPT_WINDOW_SECONDS)],
        )?
        .context("count returned no row")?;
    let (refused, oldest) = (row.int(0)?, row.opt_int(1)?.unwrap_or(now));
    if refused < MAX_REFUSED_ATTEMPTS {
        return Ok(None);
    }
    eprintln!("discount code refused: client {client} has {refused} refused guesses");
    Ok(Some((oldest + ATTEMPT_WINDOW_SECONDS - now).max(1)))
}

/// `429 too_many_attempts` at `discount_code`, with `Retry-After`.
pub fn too_many(retry_after: i64) -> ApiError {
    let message = too_many_attempts(retry_after);
    ApiError::new(429, TOO_MANY_ATTEMPTS, message.clone())
        .with_fields(vec![FieldError::new("discount_code", message)])
        .retry_after(retry_after)
}

/// Records that `client` had `typed` refused (checked for `email`, empty on a quote),
/// unless the same guess is already in the window; prunes what is older than the log
/// keeps.
pub fn record(
    db: &Db,
    client: &str,
    typed: &str,
    email: &str,
    refused: &Refused,
) -> anyhow::Result<()> {
    let now = db.unix_seconds()?;
    db.execute(
        "DELETE FROM discount_attempts WHERE attempted_at <= ?1",
        &[int(now - KEEP_REFUSED_SECONDS)],
    )?;
    let typed = typed.trim();
    let typed = storefront_domain::checkout::normalize_discount_code(typed)
        .unwrap_or_else(|| typed.chars().take(MAX_TYPED_CHARS).collect());
    let email = email.trim().to_lowercase();
    let email_sha256 = if email.is_empty() {
        String::new()
    } else {
        hex::encode(Sha256::digest(email.as_bytes()))
    };
    db.execute(
        "INSERT INTO discount_attempts \
             (client, typed, email_sha256, code_id, reason, attempted_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS \
             (SELECT 1 FROM discount_attempts WHERE client = ?1 AND typed = ?2 \
              AND email_sha256 = ?3 AND attempted_at > ?7)",
        &[
            text(client),
            text(&typed),
            text(email_sha256),
            opt_int(refused.code_id),
            text(refused.reason.as_str()),
            int(now),
            int(now - ATTEMPT_WINDOW_SECONDS),
        ],
    )?;
    eprintln!(
        "discount code refused ({}) for client {client}",
        refused.reason.as_str()
    );
    Ok(())
}

/// The window the owner's figures cover: refusals after this Unix time.
pub fn kept_since(db: &Db) -> anyhow::Result<i64> {
    Ok(db.unix_seconds()? - KEEP_REFUSED_SECONDS)
}

/// The latest refusals the log keeps, newest first, for the owner.
pub fn latest(db: &Db) -> anyhow::Result<Vec<RefusedAttempt>> {
    db.rows(
        "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', attempted_at, 'unixepoch'), typed, reason, \
                client \
         FROM discount_attempts WHERE attempted_at > ?1 ORDER BY id DESC LIMIT ?2",
        &[int(kept_since(db)?), int(MAX_LISTED_REFUSALS)],
    )?
    .iter()
    .map(|row| {
        let reason = row.text(2)?;
        Ok(RefusedAttempt {
            at: row.text(0)?,
            code: row.text(1)?,
            reason: Refusal::parse(&reason)
                .with_context(|| format!("unknown refusal {reason:?} in the database"))?,
            client: row.text(3)?.chars().take(CLIENT_SHOWN_CHARS).collect(),
        })
    })
    .collect()
}
