//! Which answer scopes one statement on the batch connection changed beyond what SQLite's
//! update hook tells ([`crate::database::scopes`]): schema changes (DDL moves no row
//! counter), statements the host cannot read (`VACUUM`, anything not `INSERT`, `UPDATE`,
//! `DELETE`, `REPLACE`, `WITH`, `CREATE`, `DROP`, `ALTER` that SQLite does not call
//! read-only) and row changes the hook is not told of (`WITHOUT ROWID` tables). Read-only
//! statements, transaction statements and writes that matched no row change nothing.

use crate::database::scopes::EVERY;
use crate::database::statement::{Changes, changes};

/// What was true before the statement ran.
pub(super) struct Watch {
    total: u64,
    told: u64,
    schema: Option<i64>,
    unknown: bool,
}

impl Watch {
    /// Notes the connection's change counters before `sql` runs (`told`: rows the hook has
    /// reported so far; `writing`: whether the statement may write, [`super::Shape`]).
    pub(super) fn before(
        conn: &rusqlite::Connection,
        sql: &str,
        told: u64,
        writing: bool,
    ) -> Watch {
        let (schema, unknown) = match (writing, changes(sql)) {
            (false, _) | (true, Changes::Rows) => (None, false),
            (true, Changes::Schema) => (schema_version(conn), false),
            (true, Changes::Unknown) => (None, true),
        };
        Watch {
            total: conn.total_changes(),
            told,
            schema,
            unknown,
        }
    }

    /// The scope bits the statement changed that the hook did not tell.
    pub(super) fn after(&self, conn: &rusqlite::Connection, told: u64) -> u8 {
        let rows = conn.total_changes().saturating_sub(self.total);
        let untold = rows > told.saturating_sub(self.told);
        let schema = self.schema.is_some() && schema_version(conn) != self.schema;
        if self.unknown || untold || schema {
            EVERY
        } else {
            0
        }
    }
}

/// The schema cookie (`None` if it cannot be read: then a change is assumed).
fn schema_version(conn: &rusqlite::Connection) -> Option<i64> {
    conn.prepare_cached("PRAGMA schema_version")
        .and_then(|mut s| s.query_row([], |r| r.get(0)))
        .ok()
}
