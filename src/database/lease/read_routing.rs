//! Read routing: which statements of a request run on a read connection, and which need
//! the batch connection.
//!
//! A request starts on the read connections ([`crate::database::readers`]): as long as it
//! has only run statements SQLite calls read-only (and `PRAGMA`s that would not change a
//! setting), outside any transaction, each of them runs on a free read connection and sees
//! the last committed, durable state, as a fresh connection under real Spin would. Its first
//! other statement (a write, `BEGIN`, `SAVEPOINT`, any other `PRAGMA`) makes it wait for the
//! batch connection, where it stays until it lets go, so it always reads its own writes, and
//! a transaction's reads are inside the transaction. A request that read committed data and
//! then writes behaves like a client under real Spin whose read and write are two autocommit
//! statements; a request answered from read connections alone saw nothing that could be
//! undone, so its response is never held.
//!
//! A deferred `BEGIN` (plain `BEGIN` or `BEGIN DEFERRED`) while still on the read
//! connections takes one read connection for the whole transaction, so a snapshot read of
//! several statements (a catalog page) does not wait behind a COMMIT either. Such a
//! transaction may only read: a write inside it is refused, as SQLite refuses a read
//! transaction whose snapshot is no longer the newest (`SQLITE_BUSY_SNAPSHOT`); write
//! transactions start with `BEGIN IMMEDIATE`, as the writer's do, and go to the batch.

use super::{Lease, SqlError, refused};
use crate::database::statement::{Kind, classify};

/// Whether `PRAGMA name = value` would leave the setting as it is. Then the host skips
/// it: setting `foreign_keys`, even to its current value, expires every prepared
/// statement, and the writer sets it on every open (all its statements would be
/// parsed again on every request).
pub(super) fn pragma_unchanged(
    conn: &rusqlite::Connection,
    name: &str,
    value: &str,
) -> rusqlite::Result<bool> {
    let wanted = match value {
        "OFF" | "FALSE" | "NO" | "0" => 0,
        "NORMAL" | "1" => 1,
        "ON" | "TRUE" | "YES" if name == "FOREIGN_KEYS" => 1,
        "FULL" | "2" => 2,
        "EXTRA" | "3" => 3,
        _ => return Ok(false),
    };
    let current: i64 = conn
        .prepare_cached(&format!("PRAGMA {name}"))?
        .query_row([], |r| r.get(0))?;
    Ok(current == wanted)
}

impl Lease {
    /// Runs `sql` inside the open read transaction: reads, savepoints and its end; a
    /// write is refused (see the module doc).
    pub(super) fn in_read_tx<R>(
        &mut self,
        sql: &str,
        run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<R>, SqlError> {
        let conn = self.read_tx.as_ref().expect("in a read transaction");
        match classify(sql) {
            Kind::Commit | Kind::Rollback => {
                let result = conn.execute_batch(sql);
                if conn.is_autocommit() {
                    let conn = self.read_tx.take().expect("in a read transaction");
                    self.db.readers().give_back(conn);
                }
                result?;
                Ok(None)
            }
            Kind::Begin { .. } => refused("cannot start a transaction within a transaction"),
            Kind::SetPragma { name, value } if pragma_unchanged(conn, &name, &value)? => Ok(None),
            _ => {
                let mut stmt = conn.prepare_cached(sql)?;
                if !stmt.readonly() {
                    return refused(
                        "database is locked: a read transaction (deferred BEGIN) cannot \
                         write; start a write transaction with BEGIN IMMEDIATE",
                    );
                }
                let stats = self.db.read_stats();
                let started = stats.read_started();
                let result = run(&mut stmt);
                stats.read_done(started);
                self.reads += 1;
                Ok(Some(result?))
            }
        }
    }

    /// Runs `sql` on a read connection if it only reads: `Ok(Some(result))` when it ran
    /// there (or had nothing to do), `Ok(None)` when it needs the batch connection (then
    /// `run` is left in place).
    pub(super) async fn on_reader<R>(
        &mut self,
        sql: &str,
        run: &mut Option<impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>>,
    ) -> Result<Option<Option<R>>, SqlError> {
        let kind = classify(sql);
        if !matches!(kind, Kind::Other | Kind::SetPragma { .. }) {
            return Ok(None);
        }
        let db = self.db.clone();
        let Some(reader) = db.readers().get().await else {
            return Err(SqlError::ShuttingDown);
        };
        match kind {
            Kind::Other => {
                // One it cannot prepare (a table created in the open batch, a syntax
                // error) goes to the batch connection, which runs it or says why not.
                let Ok(mut stmt) = reader.prepare_cached(sql) else {
                    return Ok(None);
                };
                if !stmt.readonly() {
                    return Ok(None);
                }
                let run = run.take().expect("run once");
                let stats = db.read_stats();
                let started = stats.read_started();
                let result = run(&mut stmt);
                stats.read_done(started);
                self.reads += 1;
                Ok(Some(Some(result?)))
            }
            // The read connections have the batch connection's settings.
            Kind::SetPragma { name, value } if pragma_unchanged(&reader, &name, &value)? => {
                Ok(Some(None))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SqlError;
    use super::super::test_support::*;
    use crate::database::Database;
    use crate::database::batch::{CommitMode, CommitPolicy, OutputGate};
    use rusqlite::types::Value;
    use std::time::Duration;

    /// What the writer reads on every request (components/writer/src/db/connection.rs).
    const WRITER_SETTINGS: &str = "SELECT (SELECT foreign_keys FROM pragma_foreign_keys), \
        (SELECT timeout FROM pragma_busy_timeout), (SELECT synchronous FROM pragma_synchronous), \
        (SELECT journal_mode FROM pragma_journal_mode)";

    #[tokio::test(flavor = "multi_thread")]
    async fn reads_run_on_a_read_connection_until_the_first_write() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let gate = OutputGate::default();
        let mut l = db.lease(gate.clone());
        // The read connections answer the writer's settings check as the batch
        // connection would, so the writer sets nothing.
        assert_eq!(
            ok(&mut l, WRITER_SETTINGS),
            [vec![
                Value::Integer(1),
                Value::Integer(5000),
                Value::Integer(2),
                Value::Text("wal".into())
            ]]
        );
        ok(&mut l, "PRAGMA foreign_keys = ON");
        ok(&mut l, "SELECT x FROM t");
        assert!(
            !l.on_batch(),
            "reads and unchanged settings stay on a reader"
        );
        ok(&mut l, "INSERT INTO t VALUES ('a')");
        assert!(
            l.on_batch(),
            "the first write moves the request to the batch"
        );
        // From then on it reads on the batch connection: its own write is visible.
        assert_eq!(texts(ok(&mut l, "SELECT x FROM t")), ["a"]);
        assert!(l.on_batch());
        drop(l);
        assert_eq!(gate.tickets(), 1);
        gate.durable().await.unwrap();

        // A request that only reads is never held.
        let gate = OutputGate::default();
        let mut l = db.lease(gate.clone());
        assert_eq!(texts(ok(&mut l, "SELECT x FROM t")), ["a"]);
        drop(l);
        assert_eq!(gate.tickets(), 0);
        assert!(
            db.read_stats()
                .line()
                .ends_with("1 requests answered from them alone"),
            "{}",
            db.read_stats().line()
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn transactions_and_setting_changes_go_to_the_batch_connection() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        for first in [
            "BEGIN EXCLUSIVE",
            "begin immediate",
            "SAVEPOINT s",
            "PRAGMA foreign_keys = OFF",
            "PRAGMA integrity_check",
            "CREATE TABLE IF NOT EXISTS t (x TEXT NOT NULL UNIQUE)",
            "UPDATE t SET x = 'z' WHERE 0",
        ] {
            let mut l = db.lease(OutputGate::default());
            ok(&mut l, first);
            assert!(l.on_batch(), "{first}");
            ok(&mut l, "SELECT x FROM t");
            assert!(l.on_batch(), "a read after {first} stays on the batch");
        }
        // A read connection refuses writes outright, should one ever reach it.
        let reader = db.readers().get().await.unwrap();
        let err = reader
            .execute("INSERT INTO t VALUES ('r')", [])
            .unwrap_err();
        assert!(err.to_string().contains("readonly"), "{err}");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_deferred_transaction_reads_on_a_read_connection_and_may_not_write() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        // Another request holds the batch connection with uncommitted work.
        let mut writer = db.lease(OutputGate::default());
        ok(&mut writer, "INSERT INTO t VALUES ('uncommitted')");
        assert!(writer.on_batch());

        let gate = OutputGate::default();
        let mut l = db.lease(gate.clone());
        ok(&mut l, "BEGIN");
        assert!(
            texts(ok(&mut l, "SELECT x FROM t")).is_empty(),
            "committed data only"
        );
        ok(&mut l, "SAVEPOINT inner");
        ok(&mut l, "RELEASE inner");
        let err = exec(&mut l, "INSERT INTO t VALUES ('w')").unwrap_err();
        assert!(matches!(&err, SqlError::Refused(m) if m.contains("BEGIN IMMEDIATE")));
        ok(&mut l, "COMMIT");
        assert!(!l.on_batch(), "the read transaction never needed the batch");
        drop(l);
        assert_eq!(gate.tickets(), 0, "a read transaction is never held");
        drop(writer);

        // Left open, it is rolled back and its connection returns to the pool.
        let mut l = db.lease(OutputGate::default());
        ok(&mut l, "BEGIN DEFERRED");
        drop(l);
        for _ in 0..db.readers().size() {
            let mut l = db.lease(OutputGate::default());
            ok(&mut l, "BEGIN");
            ok(&mut l, "COMMIT");
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_read_is_answered_while_the_batch_commits() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let gate = OutputGate::default();
        let mut l = db.lease(gate.clone());
        ok(&mut l, "INSERT INTO t VALUES ('committed')");
        drop(l);
        gate.durable().await.unwrap();
        // A writer's uncommitted work in the batch, and the batch connection held as a
        // COMMIT holds it for as long as its fsync takes.
        let writer = OutputGate::default();
        let mut w = db.acquire(writer.clone()).await;
        ok(&mut w, "INSERT INTO t VALUES ('uncommitted')");
        let commit = db.read_stats().committing();

        // A read goes ahead, sees only committed data, and is not held.
        let gate = OutputGate::default();
        let mut r = db.lease(gate.clone());
        assert_eq!(texts(ok(&mut r, "SELECT x FROM t")), ["committed"]);
        drop(r);
        assert_eq!(gate.tickets(), 0);
        gate.durable().await.unwrap();
        assert!(
            db.read_stats().line().contains("(1 while a commit ran)"),
            "{}",
            db.read_stats().line()
        );

        // A request that read and then writes waits for the batch connection, and its
        // write lands in the batch after the work it did not see (as two autocommit
        // statements would under real Spin).
        let gate = OutputGate::default();
        let late = {
            let (db, gate) = (db.clone(), gate.clone());
            tokio::spawn(async move {
                let mut l = db.lease(gate);
                let seen = texts(exec_async(&mut l, "SELECT x FROM t").await.unwrap());
                exec_async(&mut l, "INSERT INTO t VALUES ('late')")
                    .await
                    .unwrap();
                let after = texts(
                    exec_async(&mut l, "SELECT x FROM t ORDER BY x")
                        .await
                        .unwrap(),
                );
                (seen, after)
            })
        };
        while db.waiting() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        drop(commit);
        drop(w);
        let (seen, after) = late.await.unwrap();
        assert_eq!(seen, ["committed"]);
        assert_eq!(after, ["committed", "late", "uncommitted"]);
        assert_eq!(gate.tickets(), 1, "its write is held for the batch");
        writer.durable().await.unwrap();
        gate.durable().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn without_read_connections_every_statement_takes_the_batch_connection() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open_exclusive(dir.path(), CommitPolicy::default(), 0).unwrap();
        setup(&db).await;
        let mut l = db.lease(OutputGate::default());
        ok(&mut l, "SELECT x FROM t");
        assert!(l.on_batch());
        drop(l);
        db.close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn per_request_mode_reads_on_a_read_connection_too() {
        let (_dir, db) = with_table(CommitMode::PerRequest).await;
        let mut w = db.acquire(OutputGate::default()).await;
        ok(&mut w, "BEGIN IMMEDIATE");
        ok(&mut w, "INSERT INTO t VALUES ('a')");
        let mut r = db.lease(OutputGate::default());
        assert!(texts(ok(&mut r, "SELECT x FROM t")).is_empty());
        assert!(!r.on_batch());
        ok(&mut w, "COMMIT");
        assert_eq!(texts(ok(&mut r, "SELECT x FROM t")), ["a"]);
        drop((r, w));
        db.close().await.unwrap();
    }
}
