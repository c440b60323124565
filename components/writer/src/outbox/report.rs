//! `POST /outbox/{message_id}/result` `DeliveryReport` → `ReportAnswer`: delivered, or
//! failed and retried on the schedule of `storefront_domain::outbox` (given up after
//! `MAX_ATTEMPTS`, or at once when the failure is permanent). Only the dispatcher holding
//! the lease may report; a late report from one whose lease was taken over is `409
//! lease_lost` and changes nothing.

use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::outbox::claim::valid_dispatcher;
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::outbox::{
    DeliveryReport, FIRST_RETRY_SECONDS, MAX_ATTEMPTS, MAX_ERROR_LEN, Outcome,
    RETRY_JITTER_PERCENT, ReportAnswer, retry_delay,
};

/// The first retry's wait: the `outbox_first_retry_seconds` variable, or the default.
fn first_retry_seconds() -> i64 {
    spin_sdk::variables::get("outbox_first_retry_seconds")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(FIRST_RETRY_SECONDS)
}

/// `POST /outbox/{message_id}/result`.
pub fn report(db: &Db, message_id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let report: DeliveryReport = parse_json(body)?;
    if !valid_dispatcher(&report.dispatcher) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "dispatcher",
            "must be 1 to 64 letters, digits, '-' or '_'",
        )]));
    }
    let answer = db.transaction(Mode::Write, |db| {
        let now = db.unix_seconds()?;
        let Some(row) = db.row(
            "SELECT id, state, attempts, lease_owner, channel, recipient \
             FROM outbox WHERE message_id = ?",
            &[text(message_id)],
        )?
        else {
            return Err(ApiError::not_found(format!("no message {message_id}")));
        };
        let (id, state, attempts) = (row.int(0)?, row.text(1)?, row.int(2)?);
        let holder = row.opt_text(3)?;
        if state != "pending" {
            // A repeated report of what is already recorded changes nothing.
            return Ok(ReportAnswer {
                message_id: message_id.to_string(),
                state,
                attempts,
                next_attempt_at: None,
            });
        }
        // The lease is the reporter's while nobody else took the message over.
        if holder.as_deref() != Some(report.dispatcher.as_str()) {
            return Err(ApiError::new(
                409,
                "lease_lost",
                "another dispatcher holds this message now; its report counts, not this one",
            ));
        }
        match &report.outcome {
            Outcome::Delivered { local } => {
                db.execute(
                    &format!(
                        "UPDATE outbox SET state = 'delivered', finished_at = {NOW}, \
                         lease_owner = NULL, last_error = NULL WHERE id = ?"
                    ),
                    &[int(id)],
                )?;
                if let Some(mail) = local {
                    db.execute(
                        &format!(
                            "INSERT INTO local_mailbox (outbox_id, recipient, subject, \
                             text_body, html_body, delivered_at) VALUES (?, ?, ?, ?, ?, {NOW}) \
                             ON CONFLICT (outbox_id) DO NOTHING"
                        ),
                        &[
                            int(id),
                            text(row.text(5)?),
                            text(&mail.subject),
                            text(&mail.text),
                            text(&mail.html),
                        ],
                    )?;
                }
                Ok(ReportAnswer {
                    message_id: message_id.to_string(),
                    state: "delivered".into(),
                    attempts,
                    next_attempt_at: None,
                })
            }
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
                    eprintln!(
                        "outbox: gave up {message_id} after {attempts} attempts: {error}"
                    );
                    return Ok(ReportAnswer {
                        message_id: message_id.to_string(),
                        state: "given_up".into(),
                        attempts,
                        next_attempt_at: None,
                    });
                }
                let delay = retry_delay(first_retry_seconds(), attempts);
                let spread = delay * RETRY_JITTER_PERCENT / 100;
                let next = db
                    .row(
                        "UPDATE outbox SET next_attempt_at = ?1 + ?2 - ?3 + abs(random()) % (2 * ?3 + 1), \
                         lease_owner = NULL, last_error = ?4 WHERE id = ?5 RETURNING next_attempt_at",
                        &[int(now), int(delay), int(spread), text(&error), int(id)],
                    )?
                    .ok_or_else(|| anyhow!("outbox row vanished"))?
                    .int(0)?;
                Ok(ReportAnswer {
                    message_id: message_id.to_string(),
                    state: "pending".into(),
                    attempts,
                    next_attempt_at: Some(next),
                })
            }
        }
    })?;
    json(200, &answer)
}
