//! Per-request mode: a component's statements run exactly as written, as under real Spin.
//!
//! Every component transaction is its own SQLite transaction on the batch connection; the
//! host only skips a `PRAGMA` that would leave its setting as it is.

use super::SqlError;
use super::read_routing::pragma_unchanged;
use crate::database::readers::ReadStats;
use crate::database::statement::{Kind, classify};

/// Per-request mode: the statement exactly as the component wrote it.
pub(super) fn as_written<R>(
    conn: &rusqlite::Connection,
    sql: &str,
    run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>,
    reads: &ReadStats,
) -> Result<Option<R>, SqlError> {
    let kind = classify(sql);
    if let Kind::SetPragma { name, value } = &kind
        && pragma_unchanged(conn, name, value)?
    {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(sql)?;
    let _window = (kind == Kind::Commit).then(|| reads.committing());
    Ok(Some(run(&mut stmt)?))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::database::batch::{CommitMode, OutputGate};

    #[tokio::test(flavor = "multi_thread")]
    async fn per_request_mode_runs_statements_as_written() {
        let (_dir, db) = with_table(CommitMode::PerRequest).await;
        let gate = OutputGate::default();
        let mut l = db.acquire(gate.clone()).await;
        writer_pragmas(&mut l);
        ok(&mut l, "BEGIN IMMEDIATE");
        ok(&mut l, "INSERT INTO t VALUES ('a')");
        ok(&mut l, "COMMIT");
        ok(&mut l, "BEGIN");
        ok(&mut l, "INSERT INTO t VALUES ('b')");
        drop(l);
        assert_eq!(gate.tickets(), 0);
        assert_eq!(contents(&db).await, ["a"]);
        db.close().await.unwrap();
    }
}
