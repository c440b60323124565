//! `POST /outbox/results` `DeliveryReports` → `ReportAnswers`: a batch of a claim's
//! delivery outcomes (up to `MAX_CLAIM`), every one recorded in ONE write transaction
//! exactly as its single report would be (`record.rs`), so a dispatcher pays one writer
//! call and one commit for many messages instead of one each. A bad batch (no outcomes,
//! too many, a message named twice, a bad dispatcher id) is refused whole and writes
//! nothing; a message another dispatcher holds now (`lease_lost`) or that does not exist
//! (`not_found`) is refused for itself only, the others are recorded.

use crate::db::{Db, Mode};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use crate::outbox::record::Recorder;
use spin_sdk::http::Response;
use storefront_domain::outbox::{DeliveryReports, ReportAnswers};

/// `POST /outbox/results`.
pub fn results(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let reports: DeliveryReports = parse_json(body)?;
    reports.validate().map_err(ApiError::invalid)?;
    let answers = db.transaction(Mode::Write, |db| {
        let recorder = Recorder::new(db)?;
        let results = reports
            .results
            .iter()
            .map(|r| recorder.record(&reports.dispatcher, &r.message_id, &r.outcome))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok::<_, ApiError>(ReportAnswers { results })
    })?;
    json(200, &answers)
}
