//! Schema migrations: the `migrations/*.sql` files embedded at build time (see `build.rs`),
//! applied in order on first use and recorded in `schema_migrations` with each file's SHA-256.
//!
//! An applied migration whose file changed since, or an applied version this build does not
//! know (an older writer on a newer database), stops the writer with a 500 rather than let
//! the schema drift silently; the host calls `GET /health` at startup so this stops the start.

use crate::db::sql_split::split_statements;
use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::http::responses::ApiError;

/// One embedded migration file.
pub struct Migration {
    /// The file name's `NNNN` prefix.
    pub version: i64,
    /// File name, e.g. `0001_catalog.sql`.
    pub name: &'static str,
    pub sql: &'static str,
    /// Hex SHA-256 of the file's bytes (computed by `build.rs`).
    pub checksum: &'static str,
}

/// Every migration file, sorted by name.
pub const MIGRATIONS: &[Migration] = &include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// An applied migration as recorded.
struct Applied {
    version: i64,
    name: String,
    checksum: String,
}

/// How much of the recorded migrations [`run`] checks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Every recorded migration against the embedded files (`GET /health`, which the host
    /// calls at start, so that an edited migration stops the start).
    Full,
    /// Trusts `schema_digest` when it names exactly this build's migrations (every other
    /// request): the list was checked in full when that row was written.
    Digest,
}

/// Checks the recorded migrations against the embedded files and applies the pending ones,
/// each in its own transaction, then records their digest in `schema_digest`. Returns the
/// schema version (highest applied migration).
pub fn run(db: &Db, check: Check) -> Result<i64, ApiError> {
    let version = MIGRATIONS.last().map_or(0, |m| m.version);
    // The common case, on every request: `schema_digest` names exactly the embedded
    // migrations, so the full check below would find nothing to do.
    if check == Check::Digest && db.migrations_current() {
        return Ok(version);
    }
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
        &[],
    )?;
    let applied = applied(db)?;
    verify(&applied)?;
    for migration in MIGRATIONS {
        if !applied.iter().any(|a| a.version == migration.version) {
            apply(db, migration)?;
        }
    }
    // Every applied version is embedded (verified) and every embedded one is now applied:
    // from now on one row tells the requests so. Not rewritten when it already says so, so
    // that a health check writes nothing.
    if !db.migrations_current() {
        db.execute(
            "INSERT INTO schema_digest (id, digest) VALUES (1, ?) \
             ON CONFLICT (id) DO UPDATE SET digest = excluded.digest",
            &[text(EMBEDDED_DIGEST)],
        )?;
    }
    Ok(version)
}

/// The hex SHA-256 of `version:checksum,…` of every embedded migration, in version order
/// (computed by `build.rs`): what `schema_digest` holds once all of them are applied and
/// verified. `Db::open` compares that row with it.
pub const EMBEDDED_DIGEST: &str = include!(concat!(env!("OUT_DIR"), "/migrations_digest.rs"));

fn applied(db: &Db) -> anyhow::Result<Vec<Applied>> {
    db.rows(
        "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
        &[],
    )?
    .iter()
    .map(|row| {
        Ok(Applied {
            version: row.int(0)?,
            name: row.text(1)?,
            checksum: row.text(2)?,
        })
    })
    .collect()
}

/// Every applied migration must be embedded in this build, byte for byte.
fn verify(applied: &[Applied]) -> Result<(), ApiError> {
    for a in applied {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == a.version) else {
            return Err(ApiError::new(
                500,
                "unknown_migration",
                format!(
                    "the database has migration {} applied, which this writer does not include; \
                     it was written by a newer writer, so run that one (or newer) instead",
                    a.name
                ),
            ));
        };
        let file_checksum = m.checksum;
        if file_checksum != a.checksum {
            return Err(ApiError::new(
                500,
                "migration_checksum_mismatch",
                format!(
                    "migration {} was changed after it was applied (applied checksum {}, file \
                     checksum {file_checksum}); restore the original file and add a new \
                     migration instead",
                    m.name, a.checksum
                ),
            ));
        }
    }
    Ok(())
}

/// Applies one migration and records it, all in one transaction.
fn apply(db: &Db, m: &Migration) -> Result<(), ApiError> {
    db.transaction(Mode::Write, |db| {
        // Another request may have applied it while this one waited for the write lock.
        if db
            .row(
                "SELECT 1 FROM schema_migrations WHERE version = ?",
                &[int(m.version)],
            )?
            .is_some()
        {
            return Ok(());
        }
        for (i, statement) in split_statements(m.sql).into_iter().enumerate() {
            db.execute(statement, &[]).map_err(|e| {
                ApiError::new(
                    500,
                    "migration_failed",
                    format!("migration {} failed at statement {}: {e:#}", m.name, i + 1),
                )
            })?;
        }
        db.execute(
            &format!(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
                 VALUES (?, ?, ?, {NOW})"
            ),
            &[int(m.version), text(m.name), text(m.checksum)],
        )?;
        eprintln!("writer: applied migration {}", m.name);
        Ok(())
    })
}
