//! `POST /admin/backup {"path": "/absolute/new-file.db"}`: a consistent snapshot of the
//! live database written by SQLite's `VACUUM INTO` through the writer's own connection,
//! so it sees exactly the committed state between two commands. The caller (the
//! `storefront backup` command, the host's backup schedule) passes a partial name beside
//! the final one, verifies the file with `integrity_check` and only then renames it, so
//! a snapshot cut short never carries the name the operator asked for.

use crate::db::{Db, text};
use crate::http::request::parse_json;
use crate::http::responses::{ApiError, json};
use serde::Deserialize;
use spin_sdk::http::Response;
use storefront_domain::FieldError;

#[derive(Deserialize)]
struct BackupRequest {
    path: String,
}

pub fn backup(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let BackupRequest { path } = parse_json(body)?;
    if !path.starts_with('/') || path.contains('\0') || path.contains('?') || path.contains('#') {
        return Err(ApiError::invalid(vec![FieldError::new(
            "path",
            "must be an absolute file path on the writer's machine",
        )]));
    }
    // VACUUM INTO refuses to overwrite a non-empty file, so an existing file is never clobbered.
    db.execute("VACUUM INTO ?", &[text(path.clone())])
        .map_err(|e| ApiError::new(422, "backup_failed", format!("{e:#}")))?;
    json(200, &serde_json::json!({ "path": path }))
}
