//! `POST /admin/idempotency/sweep`: how long placing an order's idempotency records are
//! kept, so the file grows with orders, not with answers. The full answer (the order as
//! placed, a few KB) is kept [`DEFAULT_RESPONSE_SECONDS`] (7 days; the
//! `idempotency_response_seconds` variable); then the record is compacted to its
//! fingerprint (key, request hash, status, order), which still stops a retry from placing
//! a second order (it is answered 409 `order_already_placed`, naming the order); the
//! fingerprint goes after [`DEFAULT_FINGERPRINT_SECONDS`] (90 days; the
//! `idempotency_fingerprint_seconds` variable). The host sweeps every minute, in batches
//! of [`SWEEP_BATCH`] rows per short write transaction, read by index
//! (`0023_owner_lists_and_background.sql`), and again at once while a batch came back full.
//! The same sweep deletes the customer accounts' expired rows
//! (`customers::retention`), answered under `accounts`.

use crate::db::{Db, Mode, int, text};
use crate::http::responses::{ApiError, json};
use serde::Serialize;
use spin_sdk::http::Response;

/// How long the full answer to placing an order is kept: 7 days.
pub const DEFAULT_RESPONSE_SECONDS: i64 = 7 * 24 * 60 * 60;
/// How long the compact fingerprint is kept: 90 days.
pub const DEFAULT_FINGERPRINT_SECONDS: i64 = 90 * 24 * 60 * 60;
/// Records one sweep compacts, and records it deletes, at most.
pub const SWEEP_BATCH: i64 = 100;

/// Compacts the oldest full answers older than `?1` (the batch: `?2`), read by the
/// partial index of records still holding their answer.
pub const COMPACT_SQL: &str = "UPDATE idempotency_keys SET response = '' \
     WHERE rowid IN (SELECT rowid FROM idempotency_keys \
                     WHERE response <> '' AND created_at < ?1 ORDER BY created_at LIMIT ?2) \
     RETURNING 1";

/// Deletes the oldest fingerprints older than `?1` (the batch: `?2`).
pub const FORGET_SQL: &str = "DELETE FROM idempotency_keys \
     WHERE rowid IN (SELECT rowid FROM idempotency_keys \
                     WHERE created_at < ?1 ORDER BY created_at LIMIT ?2) \
     RETURNING 1";

/// Whether any full answer is older than `?1`.
const DUE_ANSWER_SQL: &str =
    "SELECT 1 FROM idempotency_keys WHERE response <> '' AND created_at < ?1 LIMIT 1";
/// Whether any fingerprint is older than `?1`.
const DUE_FINGERPRINT_SQL: &str = "SELECT 1 FROM idempotency_keys WHERE created_at < ?1 LIMIT 1";

#[derive(Serialize)]
struct Swept {
    compacted: i64,
    forgotten: i64,
    /// The customer accounts' rows deleted.
    accounts: crate::customers::retention::Swept,
    /// A batch came back full: sweep again at once.
    more: bool,
}

/// A retention in seconds from the variable `name`, or `default`.
pub fn seconds(name: &str, default: i64) -> i64 {
    spin_sdk::variables::get(name)
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// `POST /admin/idempotency/sweep`.
pub fn sweep(db: &Db) -> Result<Response, ApiError> {
    let response_seconds = seconds("idempotency_response_seconds", DEFAULT_RESPONSE_SECONDS);
    let fingerprint_seconds = seconds(
        "idempotency_fingerprint_seconds",
        DEFAULT_FINGERPRINT_SECONDS,
    )
    .max(response_seconds);
    let cutoff = |db: &Db, seconds: i64| -> anyhow::Result<String> {
        use crate::db::RowExt as _;
        db.row(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)",
            &[text(format!("-{seconds} seconds"))],
        )?
        .ok_or_else(|| anyhow::anyhow!("no time from SQLite"))?
        .text(0)
    };
    // Nothing due (the common case): a read, no write at all.
    let due = db.transaction(Mode::Read, |db| {
        let answers = db.row(DUE_ANSWER_SQL, &[text(cutoff(db, response_seconds)?)])?;
        let fingerprints = db.row(
            DUE_FINGERPRINT_SQL,
            &[text(cutoff(db, fingerprint_seconds)?)],
        )?;
        Ok::<_, ApiError>(
            answers.is_some() || fingerprints.is_some() || crate::customers::retention::due(db)?,
        )
    })?;
    if !due {
        return json(
            200,
            &Swept {
                compacted: 0,
                forgotten: 0,
                accounts: Default::default(),
                more: false,
            },
        );
    }
    let swept = db.transaction(Mode::Write, |db| {
        let cutoff = |seconds: i64| cutoff(db, seconds);
        let compacted = db
            .rows(
                COMPACT_SQL,
                &[text(cutoff(response_seconds)?), int(SWEEP_BATCH)],
            )?
            .len() as i64;
        let forgotten = db
            .rows(
                FORGET_SQL,
                &[text(cutoff(fingerprint_seconds)?), int(SWEEP_BATCH)],
            )?
            .len() as i64;
        let accounts = crate::customers::retention::sweep(db)?;
        Ok::<_, ApiError>(Swept {
            compacted,
            forgotten,
            more: compacted == SWEEP_BATCH || forgotten == SWEEP_BATCH || accounts.more(),
            accounts,
        })
    })?;
    json(200, &swept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// Both sweeps read the records due by index, oldest first, with no sort.
    #[test]
    fn the_sweeps_read_only_due_records_by_index() {
        let schema = query_plan::schema();
        for (sql, index) in [
            (COMPACT_SQL, "idempotency_keys_answer_by_created"),
            (FORGET_SQL, "idempotency_keys_by_created"),
        ] {
            let plan = query_plan::lines(&schema, sql);
            assert!(
                plan.iter()
                    .any(|l| l.contains(index) && l.starts_with("SEARCH")),
                "{plan:#?}"
            );
            assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
        }
    }
}
