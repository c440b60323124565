//! How long the accounts' short-lived rows are kept, swept with the idempotency records
//! (`POST /admin/idempotency/sweep`, every minute by the host), at most [`SWEEP_BATCH`]
//! rows per table per sweep, oldest first, by index (migration 0028):
//!
//! - sign-in emails ([`customer_sign_ins`]) and wrong codes, [`KEEP_SIGN_INS_SECONDS`]
//!   (a day) after they expired: long past any link's life and the throttling windows;
//! - customer sessions, once expired (a signed-out session is deleted at once already);
//! - the customers' idempotency records (`customer_commands`),
//!   [`DEFAULT_COMMAND_SECONDS`] (7 days; the `customer_command_seconds` variable): a
//!   retry comes within minutes, and a replay after that would only sign in or erase
//!   again.
//!
//! [`customer_sign_ins`]: super::sign_ins

use crate::db::Db;
use crate::db::int;
use crate::idempotency::retention::{SWEEP_BATCH, seconds};
use serde::Serialize;

/// Sign-ins and wrong codes are kept a day past their expiry.
pub const KEEP_SIGN_INS_SECONDS: i64 = 24 * 60 * 60;
/// The customers' idempotency records are kept 7 days.
pub const DEFAULT_COMMAND_SECONDS: i64 = 7 * 24 * 60 * 60;

/// The oldest expired sign-ins (`?1`: cutoff, `?2`: batch).
pub const SIGN_INS_SQL: &str = "DELETE FROM customer_sign_ins WHERE id IN \
     (SELECT id FROM customer_sign_ins WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2) \
     RETURNING 1";
/// The oldest wrong codes.
pub const WRONG_CODES_SQL: &str = "DELETE FROM customer_wrong_codes WHERE id IN \
     (SELECT id FROM customer_wrong_codes WHERE at < ?1 ORDER BY at LIMIT ?2) RETURNING 1";
/// The oldest expired sessions.
pub const SESSIONS_SQL: &str = "DELETE FROM customer_sessions WHERE id IN \
     (SELECT id FROM customer_sessions WHERE expires_at <= ?1 ORDER BY expires_at LIMIT ?2) \
     RETURNING 1";
/// The oldest idempotency records.
pub const COMMANDS_SQL: &str = "DELETE FROM customer_commands WHERE idempotency_key IN \
     (SELECT idempotency_key FROM customer_commands WHERE created_at < ?1 \
      ORDER BY created_at LIMIT ?2) RETURNING 1";

/// What one sweep deleted.
#[derive(Debug, Default, Serialize)]
pub struct Swept {
    pub sign_ins: i64,
    pub wrong_codes: i64,
    pub sessions: i64,
    pub commands: i64,
}

impl Swept {
    /// A batch came back full: sweep again at once.
    pub fn more(&self) -> bool {
        [
            self.sign_ins,
            self.wrong_codes,
            self.sessions,
            self.commands,
        ]
        .iter()
        .any(|n| *n >= SWEEP_BATCH)
    }
}

/// `(sql, cutoff)` of each sweep at unix time `now`.
fn sweeps(now: i64) -> [(&'static str, i64); 4] {
    let commands = seconds("customer_command_seconds", DEFAULT_COMMAND_SECONDS);
    [
        (SIGN_INS_SQL, now - KEEP_SIGN_INS_SECONDS),
        (WRONG_CODES_SQL, now - KEEP_SIGN_INS_SECONDS),
        (SESSIONS_SQL, now),
        (COMMANDS_SQL, now - commands),
    ]
}

/// Whether anything is due (a read: the common case writes nothing).
pub fn due(db: &Db) -> anyhow::Result<bool> {
    let now = db.unix_seconds()?;
    let [sign_ins, wrong_codes, sessions, commands] = sweeps(now).map(|(_, cutoff)| cutoff);
    Ok(db
        .row(
            "SELECT EXISTS (SELECT 1 FROM customer_sign_ins WHERE expires_at < ?1)
                 OR EXISTS (SELECT 1 FROM customer_wrong_codes WHERE at < ?2)
                 OR EXISTS (SELECT 1 FROM customer_sessions WHERE expires_at <= ?3)
                 OR EXISTS (SELECT 1 FROM customer_commands WHERE created_at < ?4)",
            &[
                int(sign_ins),
                int(wrong_codes),
                int(sessions),
                int(commands),
            ],
        )?
        .map(|row| {
            use crate::db::RowExt as _;
            row.int(0)
        })
        .transpose()?
        == Some(1))
}

/// One batch of each sweep, in the caller's write transaction.
pub fn sweep(db: &Db) -> anyhow::Result<Swept> {
    let now = db.unix_seconds()?;
    let mut counts = [0i64; 4];
    for (count, (sql, cutoff)) in counts.iter_mut().zip(sweeps(now)) {
        *count = db.rows(sql, &[int(cutoff), int(SWEEP_BATCH)])?.len() as i64;
    }
    let [sign_ins, wrong_codes, sessions, commands] = counts;
    Ok(Swept {
        sign_ins,
        wrong_codes,
        sessions,
        commands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// Every sweep reads the rows due by index, oldest first, with no sort.
    #[test]
    fn the_sweeps_read_only_due_rows_by_index() {
        let schema = query_plan::schema();
        for (sql, index) in [
            (SIGN_INS_SQL, "customer_sign_ins_by_expiry"),
            (WRONG_CODES_SQL, "customer_wrong_codes_by_at"),
            (SESSIONS_SQL, "customer_sessions_by_expiry"),
            (COMMANDS_SQL, "customer_commands_by_created"),
        ] {
            let plan = query_plan::lines(&schema, sql);
            assert!(
                plan.iter()
                    .any(|l| l.contains(index) && l.starts_with("SEARCH")),
                "{sql}: {plan:#?}"
            );
            assert!(
                query_plan::neither_scans_nor_sorts(&plan),
                "{sql}: {plan:#?}"
            );
        }
    }
}
