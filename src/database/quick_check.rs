//! The owner's check of the database file before it serves.
//!
//! `PRAGMA quick_check(N)` reads every page of the file once and verifies the b-tree
//! structure (not the indexes' contents, which the full `integrity_check` in
//! `storefront check` does): linear in the file's size, a fraction of a second for a
//! shop, and it stops after [`MAX_PROBLEMS`] problems. A damaged page is then found at
//! start, not by the first order that touches it, and the writer refuses to start with
//! the damaged tables and indexes named. It runs on the process's first connection,
//! closed without a checkpoint before the serving connections open, so a damaged file
//! is left exactly as it was found.

use anyhow::Result;
use rusqlite::Connection;
use rusqlite::config::DbConfig;
use std::path::Path;
use storefront_domain::storage_damage::{self, OBJECTS_BY_ROOT_PAGE, SchemaObject};

/// Problems `quick_check` reports at most (`PRAGMA quick_check(N)`).
pub const MAX_PROBLEMS: usize = 20;

/// Damage `quick_check` found, described for the operator.
#[derive(Debug)]
pub struct Damage {
    pub file: String,
    pub lines: Vec<String>,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the database {} is damaged (quick_check: {}); refusing to serve it. The files \
             are kept as they are: run `storefront check --data-dir …` for the full report, \
             then restore from a backup (docs/operations.md, \"Damaged database files\")",
            self.file,
            self.lines.join("; ")
        )
    }
}

impl std::error::Error for Damage {}

/// Runs `quick_check` on `path` (whose lock this process holds; see
/// [`super::readers`] for the VFS); `Err` names the damaged tables and indexes.
pub fn run(path: &Path) -> Result<()> {
    let conn = super::open_locked(path)?;
    // Closing it must not checkpoint: a damaged database stays exactly as it was found.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    let lines = {
        let mut stmt = conn.prepare(&format!("PRAGMA quick_check({MAX_PROBLEMS})"))?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()
    };
    let lines = match lines {
        Ok(lines) if lines.iter().all(|l| l == "ok") => return Ok(()),
        Ok(lines) => {
            let objects = schema_objects(&conn).unwrap_or_default();
            lines
                .iter()
                .map(|line| storage_damage::described(line, &objects))
                .collect()
        }
        // SQLite stopped at the first damaged page: check the tables one by one to
        // name them.
        Err(e) => table_by_table(&conn).unwrap_or_else(|_| vec![e.to_string()]),
    };
    Err(Damage {
        file: path.display().to_string(),
        lines,
    }
    .into())
}

/// `quick_check` of each table on its own: the damaged ones, each with what SQLite said.
fn table_by_table(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let tables = {
        let mut stmt = conn.prepare(storage_damage::TABLES)?;
        stmt.query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut damaged = Vec::new();
    for table in tables {
        let sql = storage_damage::check_of_table("quick_check", &table);
        let lines = conn.prepare(&sql).and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        });
        match lines {
            Ok(lines) => damaged.extend(
                lines
                    .iter()
                    .filter(|l| *l != "ok")
                    .map(|l| storage_damage::damaged_table(&table, l)),
            ),
            Err(e) => damaged.push(storage_damage::damaged_table(&table, &e.to_string())),
        }
        if damaged.len() >= MAX_PROBLEMS {
            break;
        }
    }
    Ok(damaged)
}

fn schema_objects(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    let mut stmt = conn.prepare(OBJECTS_BY_ROOT_PAGE)?;
    stmt.query_map([], |r| {
        Ok(SchemaObject {
            root_page: r.get(0)?,
            kind: r.get(1)?,
            name: r.get(2)?,
            table: r.get(3)?,
        })
    })?
    .collect()
}
