//! What the owner's checkout settings commands (discount codes, shipping methods, tax
//! rates) share: the answer's JSON text and the command's name for its history row.

use crate::http::responses::ApiError;
use crate::idempotency::Command;
use serde::Serialize;

pub fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    Ok(serde_json::to_string(value).map_err(anyhow::Error::from)?)
}

pub fn command<'a>(name: &'static str, target: &'a str, canonical: String) -> Command<'a> {
    Command {
        name,
        target,
        canonical,
    }
}
