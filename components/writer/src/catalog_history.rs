//! The owner's catalog commands as one shape: an `Idempotency-Key`, an actor (the
//! `storefront-actor` header), one write transaction, and one append-only
//! `catalog_history` row per applied command holding what changed and the answer given.
//! The same key with the same command replays that answer (`idempotent-replayed: true`);
//! with another command it is 422 `idempotency_key_reused`. A refused command rolls back
//! and records nothing. Also `GET /admin/catalog/history`, newest first.

use crate::catalog_query::CatalogQuery;
use crate::db::{Db, Mode, RowExt as _, int, opt_int, text};
use crate::request::{Header, idempotency_key};
use crate::responses::{ApiError, json, json_text};
use sha2::{Digest, Sha256};
use spin_sdk::http::Response;
use storefront_domain::IDEMPOTENT_REPLAYED;
use storefront_domain::catalog::{History, HistoryEntry};

/// The actor recorded when a command names none.
pub const DEFAULT_ACTOR: &str = "admin-token";
/// Longest actor name, in bytes.
pub const MAX_ACTOR: usize = 100;

/// Who and what: the command's name, its target and its canonical form (for the
/// fingerprint), as read from the request.
pub struct Command<'a> {
    pub name: &'static str,
    pub target: &'a str,
    /// The command's arguments in a canonical form (re-serialised JSON, or the image's
    /// hash with its query), so the same command typed differently is the same command.
    pub canonical: String,
}

/// What an applied command answers and records.
pub struct Applied {
    pub status: u16,
    /// The answer's JSON text.
    pub response: String,
    /// What changed, for the history.
    pub changes: serde_json::Value,
}

/// The `storefront-actor` header: visible ASCII and spaces, 1..=[`MAX_ACTOR`] bytes.
pub fn actor(header: &Header) -> Result<String, ApiError> {
    match header {
        Header::Missing => Ok(DEFAULT_ACTOR.to_string()),
        Header::One(v)
            if (1..=MAX_ACTOR).contains(&v.len())
                && v.iter().all(|b| b.is_ascii_graphic() || *b == b' ') =>
        {
            Ok(String::from_utf8_lossy(v).trim().to_string())
        }
        _ => Err(ApiError::new(
            400,
            "invalid_actor",
            format!(
                "the storefront-actor header must be one value of 1 to {MAX_ACTOR} visible \
                 ASCII characters"
            ),
        )),
    }
}

/// Runs `apply` as the command `command` in one write transaction, or replays the answer
/// recorded under the same key.
pub fn run(
    db: &Db,
    key: &Header,
    actor_header: &Header,
    command: Command,
    apply: impl FnOnce(&Db, &str) -> Result<Applied, ApiError>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(key, "a catalog command")?;
    let actor = actor(actor_header)?;
    let fingerprint = hex::encode(Sha256::digest(format!(
        "{}\n{}\n{}",
        command.name, command.target, command.canonical
    )));
    db.transaction(Mode::Write, |db| {
        if let Some(row) = db.row(
            "SELECT fingerprint, status, response FROM catalog_history WHERE idempotency_key = ?",
            &[text(&key)],
        )? {
            if row.text(0)? != fingerprint {
                return Err(ApiError::new(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for another catalog command; \
                     use a new key for a new command",
                ));
            }
            let status = u16::try_from(row.int(1)?).map_err(anyhow::Error::from)?;
            let mut response = json_text(status, row.text(2)?);
            response.set_header(IDEMPOTENT_REPLAYED, "true");
            return Ok(response);
        }
        let now = db.now()?;
        let applied = apply(db, &now)?;
        db.execute(
            "INSERT INTO catalog_history (idempotency_key, fingerprint, command, target, actor, \
             changes, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                text(&key),
                text(&fingerprint),
                text(command.name),
                text(command.target),
                text(&actor),
                text(applied.changes.to_string()),
                int(i64::from(applied.status)),
                text(&applied.response),
                text(&now),
            ],
        )?;
        Ok(json_text(applied.status, applied.response))
    })
}

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
