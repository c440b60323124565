//! `POST /outbox/{message_id}/result` `DeliveryReport` → `ReportAnswer`: one delivery's
//! outcome in a transaction of its own, recorded as `record.rs` says. A report from a
//! dispatcher whose lease was taken over is `409 lease_lost`, an unknown message `404`;
//! either changes nothing. The dispatcher reports a claim's outcomes in batches
//! (`results.rs`); this route stays for other callers.

use crate::db::{Db, Mode};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::outbox::record::Recorder;
use spin_sdk::http::Response;
use storefront_domain::outbox::{DeliveryReport, ReportResult};

/// `POST /outbox/{message_id}/result`.
pub fn report(db: &Db, message_id: &str, body: &[u8]) -> Result<Response, ApiError> {
    let report: DeliveryReport = parse_json(body)?;
    report.validate().map_err(ApiError::invalid)?;
    let answer = db.transaction(Mode::Write, |db| {
        match Recorder::new(db)?.record(&report.dispatcher, message_id, &report.outcome)? {
            ReportResult::Recorded(answer) => Ok(answer),
            ReportResult::LeaseLost { .. } => Err(ApiError::new(
                409,
                "lease_lost",
                "another dispatcher holds this message now; its report counts, not this one",
            )),
            ReportResult::NotFound { .. } => {
                Err(ApiError::not_found(format!("no message {message_id}")))
            }
        }
    })?;
    json(200, &answer)
}
