//! `POST /admin/outbox/sweep`: how long delivered outbox messages are kept, so the file
//! grows with orders, not with the emails and webhooks sent about them. A delivered
//! message (and its copy in the local mailbox) is kept [`DEFAULT_DELIVERED_SECONDS`] (30
//! days; the `outbox_delivered_seconds` variable), then deleted, oldest first, read by the
//! partial index `outbox_delivered_by_finished` (`0024_daily_totals_and_lean_orders.sql`)
//! in batches of [`SWEEP_BATCH`] per short write transaction; the host sweeps every
//! minute, and again at once while a batch came back full. Pending and given-up messages
//! are never swept: they still wait for delivery or for a human. Each sweep records its
//! cutoff in `outbox_swept`: the audit expects an email only for order events since then.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use crate::idempotency::retention::seconds;
use serde::Serialize;
use spin_sdk::http::Response;

/// How long a delivered message is kept: 30 days.
pub const DEFAULT_DELIVERED_SECONDS: i64 = 30 * 24 * 60 * 60;
/// Messages one sweep deletes, at most.
pub const SWEEP_BATCH: i64 = 100;

/// The delivered messages due to go (`?1` the cutoff, `?2` the batch), oldest first (by
/// name the index: the planner would rather take `outbox_due`'s `state` and sort).
const DUE_SQL: &str = "SELECT id FROM outbox INDEXED BY outbox_delivered_by_finished \
     WHERE state = 'delivered' AND finished_at < ?1 ORDER BY finished_at LIMIT ?2";

#[derive(Serialize)]
struct Swept {
    deleted: i64,
    /// A batch came back full: sweep again at once.
    more: bool,
}

/// The time before which delivered messages are due to go (RFC 3339, as `finished_at`);
/// each sweep records the one it used in `outbox_swept`, which the audit reads.
fn cutoff(db: &Db) -> anyhow::Result<String> {
    let keep = seconds("outbox_delivered_seconds", DEFAULT_DELIVERED_SECONDS);
    db.row(
        "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)",
        &[text(format!("-{keep} seconds"))],
    )?
    .ok_or_else(|| anyhow::anyhow!("no time from SQLite"))?
    .text(0)
}

/// `POST /admin/outbox/sweep`.
pub fn sweep(db: &Db) -> Result<Response, ApiError> {
    // Nothing due (the common case): a read, no write at all.
    let due = db.transaction(Mode::Read, |db| {
        Ok::<_, ApiError>(!db.rows(DUE_SQL, &[text(cutoff(db)?), int(1)])?.is_empty())
    })?;
    if !due {
        return json(
            200,
            &Swept {
                deleted: 0,
                more: false,
            },
        );
    }
    let deleted = db.transaction(Mode::Write, |db| {
        let batch = format!("SELECT id FROM ({DUE_SQL})");
        let before = cutoff(db)?;
        // What the audit reads: events before this may have lost their messages.
        db.execute(
            "INSERT INTO outbox_swept (id, before) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET before = max(before, excluded.before)",
            &[text(&before)],
        )?;
        let params = [text(before), int(SWEEP_BATCH)];
        db.execute(
            &format!("DELETE FROM local_mailbox WHERE outbox_id IN ({batch})"),
            &params,
        )?;
        Ok::<_, ApiError>(
            db.rows(
                &format!("DELETE FROM outbox WHERE id IN ({batch}) RETURNING 1"),
                &params,
            )?
            .len() as i64,
        )
    })?;
    json(
        200,
        &Swept {
            deleted,
            more: deleted == SWEEP_BATCH,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// The sweep reads only delivered messages, oldest first, by their index: no scan,
    /// no sort.
    #[test]
    fn the_sweep_reads_only_due_messages_by_index() {
        let schema = query_plan::schema();
        let plan = query_plan::lines(&schema, DUE_SQL);
        assert!(
            plan.iter()
                .any(|l| l.contains("outbox_delivered_by_finished") && l.starts_with("SEARCH")),
            "{plan:#?}"
        );
        assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
    }
}
