//! One delivery's outcome recorded inside the caller's write transaction, the same for a
//! single report (`report.rs`) and a batch (`results.rs`): delivered, or failed and
//! retried on the schedule of `storefront_domain::outbox` (given up after `MAX_ATTEMPTS`,
//! or at once when the failure is permanent). A message already finished answers its
//! recorded state and changes nothing; only the dispatcher holding the lease may report,
//! so a late report from one whose lease was taken over is `lease_lost` and changes
//! nothing; an unknown message is `not_found`. The usual report, a delivery by the
//! lease's holder, is one `UPDATE … RETURNING` (and the local mail, if any); every other
//! outcome reads the message first to tell which answer it gets.

use crate::db::{Db, NOW, RowExt as _, int, text};
use crate::http::responses::ApiError;
use anyhow::anyhow;
use storefront_domain::outbox::{
    FIRST_RETRY_SECONDS, LocalMail, MAX_ATTEMPTS, MAX_ERROR_LEN, Outcome, RETRY_JITTER_PERCENT,
    ReportAnswer, ReportResult, retry_delay,
};

/// The first retry's wait: the `outbox_first_retry_seconds` variable, or the default.
fn first_retry_seconds() -> i64 {
    spin_sdk::variables::get("outbox_first_retry_seconds")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(FIRST_RETRY_SECONDS)
}

/// Records outcomes in one open write transaction, all at the same time.
pub struct Recorder<'a> {
    db: &'a Db,
    /// The transaction's time (unix seconds).
    now: i64,
    /// The first retry's wait, read at the transaction's first failure.
    first_retry: std::cell::OnceCell<i64>,
}

impl<'a> Recorder<'a> {
    /// For the write transaction `db` is in.
    pub fn new(db: &'a Db) -> Result<Self, ApiError> {
        Ok(Recorder {
            db,
            now: db.unix_seconds()?,
            first_retry: std::cell::OnceCell::new(),
        })
    }

    /// Records that `dispatcher` delivered `message_id` with `outcome`; a refusal
    /// ([`ReportResult::LeaseLost`], [`ReportResult::NotFound`]) wrote nothing.
    pub fn record(
        &self,
        dispatcher: &str,
        message_id: &str,
        outcome: &Outcome,
    ) -> Result<ReportResult, ApiError> {
        // The usual report, a delivery of a message the reporter holds, is one statement
        // (and the local mail); anything else reads the message first.
        if let Outcome::Delivered { local } = outcome
            && let Some(recorded) = self.delivered(dispatcher, message_id, local.as_ref())?
        {
            return Ok(recorded);
        }
        let db = self.db;
        let Some(row) = db.row(
            "SELECT id, state, attempts, lease_owner FROM outbox WHERE message_id = ?",
            &[text(message_id)],
        )?
        else {
            return Ok(ReportResult::NotFound {
                message_id: message_id.to_string(),
            });
        };
        let (id, state, attempts) = (row.int(0)?, row.text(1)?, row.int(2)?);
        let holder = row.opt_text(3)?;
        let answer =
            |state: &str, next_attempt_at| recorded(message_id, state, attempts, next_attempt_at);
        if state != "pending" {
            // A repeated report of what is already recorded changes nothing.
            return Ok(answer(&state, None));
        }
        // The lease is the reporter's while nobody else took the message over.
        if holder.as_deref() != Some(dispatcher) {
            return Ok(ReportResult::LeaseLost {
                message_id: message_id.to_string(),
            });
        }
        match outcome {
            // A pending message the reporter holds was recorded by `delivered` above.
            Outcome::Delivered { .. } => Err(anyhow!(
                "message {message_id} is pending and leased to {dispatcher}, yet its delivery \
                 was not recorded"
            )
            .into()),
            Outcome::Failed { error, permanent } => {
                let error: String = error.chars().take(MAX_ERROR_LEN).collect();
                if *permanent || attempts >= MAX_ATTEMPTS {
                    db.execute(
                        &format!(
                            "UPDATE outbox SET state = 'given_up', finished_at = {NOW}, \
                             lease_owner = NULL, last_error = ? WHERE id = ?"
                        ),
                        &[text(&error), int(id)],
                    )?;
                    eprintln!("outbox: gave up {message_id} after {attempts} attempts: {error}");
                    return Ok(answer("given_up", None));
                }
                let delay =
                    retry_delay(*self.first_retry.get_or_init(first_retry_seconds), attempts);
                let spread = delay * RETRY_JITTER_PERCENT / 100;
                let next = db
                    .row(
                        "UPDATE outbox SET next_attempt_at = ?1 + ?2 - ?3 + abs(random()) % (2 * ?3 + 1), \
                         lease_owner = NULL, last_error = ?4 WHERE id = ?5 RETURNING next_attempt_at",
                        &[int(self.now), int(delay), int(spread), text(&error), int(id)],
                    )?
                    .ok_or_else(|| anyhow!("outbox row vanished"))?
                    .int(0)?;
                Ok(answer("pending", Some(next)))
            }
        }
    }

    /// Records the delivery of `message_id` if it is pending and leased to `dispatcher`
    /// (with its local mail, if any); `None`, having written nothing, if it is not.
    fn delivered(
        &self,
        dispatcher: &str,
        message_id: &str,
        local: Option<&LocalMail>,
    ) -> Result<Option<ReportResult>, ApiError> {
        let db = self.db;
        let Some(row) = db.row(
            &format!(
                "UPDATE outbox SET state = 'delivered', finished_at = {NOW}, \
                 lease_owner = NULL, last_error = NULL \
                 WHERE message_id = ?1 AND state = 'pending' AND lease_owner = ?2 \
                 RETURNING id, attempts, recipient"
            ),
            &[text(message_id), text(dispatcher)],
        )?
        else {
            return Ok(None);
        };
        if let Some(mail) = local {
            db.execute(
                &format!(
                    "INSERT INTO local_mailbox (outbox_id, recipient, subject, \
                     text_body, html_body, delivered_at) VALUES (?, ?, ?, ?, ?, {NOW}) \
                     ON CONFLICT (outbox_id) DO NOTHING"
                ),
                &[
                    int(row.int(0)?),
                    text(row.text(2)?),
                    text(&mail.subject),
                    text(&mail.text),
                    text(&mail.html),
                ],
            )?;
        }
        Ok(Some(recorded(message_id, "delivered", row.int(1)?, None)))
    }
}

/// The recorded state of `message_id` as a report's answer.
fn recorded(
    message_id: &str,
    state: &str,
    attempts: i64,
    next_attempt_at: Option<i64>,
) -> ReportResult {
    ReportResult::Recorded(ReportAnswer {
        message_id: message_id.to_string(),
        state: state.to_string(),
        attempts,
        next_attempt_at,
    })
}
