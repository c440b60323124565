//! The customers' idempotent command runner: a command's first answer is recorded in
//! `customer_commands` with the command's fingerprint, in the command's own write
//! transaction; the same key with the same command replays it, with another command it is
//! 422 `idempotency_key_reused`. An answer may be a refusal that must stay recorded (a
//! wrong sign-in code counts even though it opens nothing): the handler then answers it
//! as an [`Applied`] with its 4xx status. Recorded answers never hold personal data.

use crate::db::{Db, Mode, int, text};
use crate::http::request::Head;
use crate::http::responses::{ApiError, json_text};
use crate::idempotency::{self, Holder, Journal};
use spin_sdk::http::Response;

/// What an applied command answers.
pub struct Applied {
    pub status: u16,
    /// The answer's JSON text.
    pub response: String,
}

impl Applied {
    pub fn json<T: serde::Serialize>(status: u16, value: &T) -> Result<Applied, ApiError> {
        Ok(Applied {
            status,
            response: serde_json::to_string(value).map_err(anyhow::Error::from)?,
        })
    }
}

/// Runs `apply` (given the unix time) as command `name` with canonical form `canonical`,
/// or replays the answer recorded under the request's key.
pub fn run(
    db: &Db,
    head: &Head,
    name: &str,
    canonical: &str,
    apply: impl FnOnce(&Db, i64) -> Result<Applied, ApiError>,
) -> Result<Response, ApiError> {
    let key = idempotency::key(&head.idempotency_key, "a customer command")?;
    let fingerprint = idempotency::fingerprint(format!("{name}\n{canonical}"));
    db.transaction(Mode::Write, |db| {
        if let Some(recorded) = Journal::CUSTOMERS.recorded(db, &key)? {
            return Journal::CUSTOMERS.replay(recorded, Some(&fingerprint), Holder::Anyone);
        }
        let now = db.unix_seconds()?;
        let applied = apply(db, now)?;
        db.execute(
            "INSERT INTO customer_commands (idempotency_key, fingerprint, status, response, \
             created_at) VALUES (?, ?, ?, ?, ?)",
            &[
                text(&key),
                text(&fingerprint),
                int(i64::from(applied.status)),
                text(&applied.response),
                int(now),
            ],
        )?;
        Ok(json_text(applied.status, applied.response))
    })
}
