//! `GET /admin/catalog/history`: the owner's recorded commands (the rows
//! [`crate::idempotency::run`] appends), newest first.

use crate::catalog::query::CatalogQuery;
use crate::db::{Db, RowExt as _, int, opt_int};

use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::catalog::{History, HistoryEntry};

/// `GET /admin/catalog/history?limit=&before=`: newest first; `before` is an entry id.
pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(ApiError::invalid)?;
    let rows = db.rows(
        "SELECT id, command, target, actor, changes, created_at FROM catalog_history \
         WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
        &[opt_int(query.before), int(i64::from(query.limit))],
    )?;
    let entries = rows
        .iter()
        .map(|row| {
            Ok(HistoryEntry {
                id: row.int(0)?,
                command: row.text(1)?,
                target: row.text(2)?,
                actor: row.text(3)?,
                changes: serde_json::from_str(&row.text(4)?)?,
                at: row.text(5)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    json(200, &History { entries })
}
