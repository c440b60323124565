//! The shop's return window: `GET /admin/settings/returns` and `PUT
//! /admin/settings/returns` (`Idempotency-Key`, `ReturnSettings`), recorded in the shop's
//! command history like every setting. 0 days: the shop takes no returns.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency::{self, Applied, Command};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::returns::{MAX_RETURN_WINDOW_DAYS, ReturnSettings};

fn load(db: &Db) -> Result<ReturnSettings, ApiError> {
    let days = db
        .row(
            "SELECT return_window_days FROM shop_settings WHERE id = 1",
            &[],
        )?
        .ok_or_else(|| anyhow::anyhow!("the shop_settings row is missing"))?
        .int(0)?;
    Ok(ReturnSettings {
        return_window_days: days,
    })
}

/// `GET /admin/settings/returns`.
pub fn get(db: &Db) -> Result<Response, ApiError> {
    json(200, &db.transaction(Mode::Read, load)?)
}

/// `PUT /admin/settings/returns`.
pub fn put(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: ReturnSettings = parse_json(body)?;
    if !(0..=MAX_RETURN_WINDOW_DAYS).contains(&input.return_window_days) {
        return Err(ApiError::invalid(vec![FieldError::new(
            "return_window_days",
            format!("must be 0 (no returns) to {MAX_RETURN_WINDOW_DAYS} days"),
        )]));
    }
    let canonical = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("update_return_window", "settings", canonical.clone()),
        |db, now| {
            let before = load(db)?;
            db.execute(
                "UPDATE shop_settings SET return_window_days = ?, updated_at = ? WHERE id = 1",
                &[int(input.return_window_days), text(now)],
            )?;
            Ok(Applied {
                status: 200,
                response: canonical,
                changes: serde_json::json!({ "before": before, "after": input }),
            })
        },
    )
}
