//! Group-commit mode: a component's transaction statements as savepoints inside the host's batch.
//!
//! The SQLite transaction belongs to the host ([`crate::database::batch`]), so a component's
//! transaction statements are translated into a savepoint of its own inside the batch:
//! `BEGIN …` → `SAVEPOINT`, `COMMIT`/`END` → `RELEASE`, `ROLLBACK` → `ROLLBACK TO` +
//! `RELEASE`; its own `SAVEPOINT`s nest inside (a `SAVEPOINT` outside a transaction starts
//! one, as in SQLite). A writing statement outside any transaction gets a savepoint of its
//! own, so a failing statement undoes only itself; a transaction left open is rolled back
//! to its savepoint when the request lets go. One request's failure or rollback therefore
//! never touches another's work. Should SQLite itself end the batch (an I/O error rolls back
//! the whole transaction), every request in it is answered 503.

use super::read_routing::pragma_unchanged;
use super::{Lease, Shape, SqlError, refused};
use crate::database::Session;
use crate::database::statement::{Changes, Kind, changes};

/// The host's savepoint for a component transaction. Components may not use the prefix.
const TX_BEGIN: &str = "SAVEPOINT storefront_host_tx";
pub(super) const TX_RELEASE: &str = "RELEASE storefront_host_tx";
pub(super) const TX_ROLLBACK: &str = "ROLLBACK TO storefront_host_tx";
/// The host's savepoint around one writing statement outside a transaction.
const STMT_BEGIN: &str = "SAVEPOINT storefront_host_stmt";
const STMT_RELEASE: &str = "RELEASE storefront_host_stmt";
const STMT_ROLLBACK: &str = "ROLLBACK TO storefront_host_stmt";
const RESERVED_PREFIX: &str = "storefront_host_";

/// Runs one of the host's own statements (cached: they run on every request).
fn host(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Changes so far, as far as `sql` lets the host tell: rows (triggers included) and,
/// for DDL, the schema; `None` when it cannot tell (then the statement counts as a
/// change). A statement SQLite does not call read-only may still change nothing
/// (`CREATE TABLE IF NOT EXISTS`, which the writer runs on every request, or an
/// `UPDATE` that matches no row); only a real change makes the batch dirty, so that
/// readers after it are held.
fn change_mark(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<Option<(u64, i64)>> {
    let schema: i64 = match changes(sql) {
        Changes::Rows => 0,
        Changes::Schema => conn
            .prepare_cached("PRAGMA schema_version")?
            .query_row([], |r| r.get(0))?,
        Changes::Unknown => return Ok(None),
    };
    Ok(Some((conn.total_changes(), schema)))
}

fn mark_dirty(session: &mut Session) {
    if let Some(batch) = session.batch.as_mut() {
        batch.dirty = true;
    }
}

/// Undoes and ends a savepoint (`ROLLBACK TO` alone keeps it open).
pub(super) fn undo(
    conn: &rusqlite::Connection,
    rollback: &str,
    release: &str,
) -> rusqlite::Result<()> {
    host(conn, rollback)?;
    host(conn, release)
}

/// A component transaction in progress (group mode).
pub(super) struct Tx {
    /// Started by `SAVEPOINT` rather than `BEGIN`: releasing the last one ends it.
    by_savepoint: bool,
    /// The component's own savepoints, innermost last.
    names: Vec<String>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Lease {
    pub(super) fn grouped<R>(
        &mut self,
        session: &mut Session,
        sql: &str,
        shape: Shape,
        run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<R>, SqlError> {
        let conn = &session.conn;
        match shape.kind {
            Kind::Begin { .. } => {
                if self.tx.is_some() {
                    return refused("cannot start a transaction within a transaction");
                }
                self.begin_tx(session, false)?;
                Ok(None)
            }
            Kind::Commit => {
                if self.tx.is_none() {
                    return refused("cannot commit - no transaction is active");
                }
                host(conn, TX_RELEASE)?;
                self.tx = None;
                Ok(None)
            }
            Kind::Rollback => {
                if self.tx.is_none() {
                    return refused("cannot rollback - no transaction is active");
                }
                undo(conn, TX_ROLLBACK, TX_RELEASE)?;
                self.tx = None;
                Ok(None)
            }
            Kind::Savepoint(name) => {
                if name.to_ascii_lowercase().starts_with(RESERVED_PREFIX) {
                    return refused(&format!(
                        "savepoint names starting with {RESERVED_PREFIX} are reserved by the host"
                    ));
                }
                let started = self.tx.is_none();
                if started {
                    self.begin_tx(session, true)?;
                }
                let conn = &session.conn;
                if let Err(e) = conn.execute_batch(&format!("SAVEPOINT {}", quoted(&name))) {
                    if started {
                        undo(conn, TX_ROLLBACK, TX_RELEASE)?;
                        self.tx = None;
                    }
                    return Err(e.into());
                }
                if let Some(tx) = self.tx.as_mut() {
                    tx.names.push(name);
                }
                Ok(None)
            }
            Kind::Release(name) => {
                let Some(at) = self.savepoint(&name) else {
                    return refused(&format!("no such savepoint: {name}"));
                };
                conn.execute_batch(&format!("RELEASE {}", quoted(&name)))?;
                let tx = self.tx.as_mut().expect("savepoint found");
                tx.names.truncate(at);
                if tx.names.is_empty() && tx.by_savepoint {
                    host(conn, TX_RELEASE)?;
                    self.tx = None;
                }
                Ok(None)
            }
            Kind::RollbackTo(name) => {
                let Some(at) = self.savepoint(&name) else {
                    return refused(&format!("no such savepoint: {name}"));
                };
                conn.execute_batch(&format!("ROLLBACK TO {}", quoted(&name)))?;
                if let Some(tx) = self.tx.as_mut() {
                    tx.names.truncate(at + 1);
                }
                Ok(None)
            }
            Kind::SetPragma { name, value } => {
                if pragma_unchanged(conn, &name, &value)? {
                    return Ok(None);
                }
                if name == "SYNCHRONOUS" {
                    // SQLite refuses it inside a transaction anyway; the host keeps FULL.
                    return refused("the host keeps synchronous=FULL: it cannot be changed");
                }
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(Some(run(&mut stmt)?))
            }
            Kind::Alone => {
                if self.tx.is_some() {
                    return refused("cannot run this statement within a transaction");
                }
                // Runs alone: the batch so far is committed first (durable, answered).
                if let Err(e) = self.db.commit_now(session) {
                    return refused(&format!("committing before this statement failed: {e}"));
                }
                let mut stmt = session.conn.prepare(sql)?;
                Ok(Some(run(&mut stmt)?))
            }
            Kind::Pragma => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(Some(run(&mut stmt)?))
            }
            Kind::Other => {
                if !shape.writes {
                    let mut stmt = conn.prepare_cached(sql)?;
                    return Ok(Some(run(&mut stmt)?));
                }
                if self.tx.is_some() {
                    let before = change_mark(conn, sql)?;
                    let result = {
                        let mut stmt = conn.prepare_cached(sql)?;
                        run(&mut stmt)
                    };
                    // A failed statement may have left partial changes (OR FAIL): dirty.
                    if result.is_err() || before.is_none() || change_mark(conn, sql)? != before {
                        mark_dirty(session);
                    }
                    return Ok(Some(result?));
                }
                self.ensure_batch(session)?;
                let conn = &session.conn;
                let before = change_mark(conn, sql)?;
                host(conn, STMT_BEGIN)?;
                let result = {
                    let mut stmt = conn.prepare_cached(sql)?;
                    run(&mut stmt)
                };
                match result {
                    Ok(rows) => {
                        host(conn, STMT_RELEASE)?;
                        if before.is_none() || change_mark(conn, sql)? != before {
                            mark_dirty(session);
                        }
                        Ok(Some(rows))
                    }
                    Err(e) => {
                        if !conn.is_autocommit() {
                            undo(conn, STMT_ROLLBACK, STMT_RELEASE)?;
                        }
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// Where `name` is among the component's open savepoints (the innermost of that name).
    pub(super) fn savepoint(&self, name: &str) -> Option<usize> {
        self.tx
            .as_ref()?
            .names
            .iter()
            .rposition(|n| n.eq_ignore_ascii_case(name))
    }

    pub(super) fn ensure_batch(&self, session: &mut Session) -> Result<(), SqlError> {
        if session.batch.is_none() {
            host(&session.conn, "BEGIN IMMEDIATE")?;
            session.batch = Some(self.db.new_batch());
        }
        Ok(())
    }

    pub(super) fn begin_tx(
        &mut self,
        session: &mut Session,
        by_savepoint: bool,
    ) -> Result<(), SqlError> {
        self.ensure_batch(session)?;
        host(&session.conn, TX_BEGIN)?;
        self.tx = Some(Tx {
            by_savepoint,
            names: Vec::new(),
        });
        Ok(())
    }

    /// Notices a batch that SQLite ended behind the host's back, and gates this request
    /// on the batch once it has seen uncommitted writes in it.
    pub(super) fn after_statement(&mut self, session: &mut Session) {
        if session.batch.is_some() && session.conn.is_autocommit() {
            let batch = session.batch.take().expect("checked");
            tracing::error!("SQLite ended the open batch (rolled back); its requests get 503");
            self.gate.add(batch.ticket());
            self.tx = None;
            self.db
                .stats()
                .failed
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            batch.finish(Err("the batch was rolled back by an error".into()));
            return;
        }
        if let Some(batch) = session.batch.as_mut()
            && batch.dirty
            && self.ticketed != Some(batch.id)
        {
            self.ticketed = Some(batch.id);
            batch.requests += 1;
            self.gate.add(batch.ticket());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::SqlError;
    use super::super::test_support::*;
    use crate::database::batch::{CommitMode, OutputGate};

    #[tokio::test(flavor = "multi_thread")]
    async fn a_component_rollback_leaves_the_neighbours_work_in_the_batch() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let (ga, gb) = in_one_batch(
            &db,
            |l| {
                ok(l, "BEGIN IMMEDIATE");
                ok(l, "INSERT INTO t VALUES ('a')");
                ok(l, "COMMIT");
            },
            |l| {
                ok(l, " -- a comment\n begin immediate transaction;");
                ok(l, "INSERT INTO t VALUES ('b')");
                assert!(matches!(exec(l, "BEGIN"), Err(SqlError::Refused(_))));
                ok(l, "ROLLBACK TRANSACTION");
                assert!(matches!(exec(l, "COMMIT"), Err(SqlError::Refused(_))));
                // A statement outside a transaction that fails undoes only itself.
                ok(l, "INSERT INTO t VALUES ('c')");
                assert!(exec(l, "INSERT INTO t VALUES ('d'), ('a')").is_err());
            },
        )
        .await;
        assert_eq!(ga.tickets(), 1, "the writer is held for its batch");
        assert_eq!(
            gb.tickets(),
            1,
            "so is the request that read its uncommitted work"
        );
        ga.durable().await.unwrap();
        gb.durable().await.unwrap();
        assert_eq!(contents(&db).await, ["a", "c"]);
        assert_eq!(
            db.stats().line(),
            "batches: 2 commits for 3 requests (0 failed)"
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_transaction_left_open_is_rolled_back_to_its_savepoint() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let (ga, gb) = in_one_batch(
            &db,
            |l| {
                ok(l, "INSERT INTO t VALUES ('a')");
            },
            |l| {
                // The component's own savepoints still work inside the batch.
                ok(l, "BEGIN");
                ok(l, "SAVEPOINT s1");
                ok(l, "INSERT INTO t VALUES ('x')");
                ok(l, "ROLLBACK TRANSACTION TO SAVEPOINT s1");
                ok(l, "INSERT INTO t VALUES ('b')");
                ok(l, "RELEASE s1");
                assert!(matches!(
                    exec(l, "ROLLBACK TO s1"),
                    Err(SqlError::Refused(_))
                ));
                assert!(matches!(
                    exec(l, "SAVEPOINT storefront_host_tx"),
                    Err(SqlError::Refused(_))
                ));
                // Left open: never committed.
            },
        )
        .await;
        ga.durable().await.unwrap();
        gb.durable().await.unwrap();
        assert_eq!(contents(&db).await, ["a"]);

        // A SAVEPOINT outside a transaction starts one; releasing it ends it.
        let mut l = db.acquire(OutputGate::default()).await;
        ok(&mut l, "SAVEPOINT outer");
        ok(&mut l, "INSERT INTO t VALUES ('c')");
        ok(&mut l, "RELEASE outer");
        assert!(matches!(exec(&mut l, "COMMIT"), Err(SqlError::Refused(_))));
        drop(l);
        assert_eq!(contents(&db).await, ["a", "c"]);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn clean_reads_are_not_held_and_the_host_keeps_synchronous_full() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let gate = OutputGate::default();
        let mut l = db.acquire(gate.clone()).await;
        writer_pragmas(&mut l);
        ok(
            &mut l,
            "CREATE TABLE IF NOT EXISTS t (x TEXT NOT NULL UNIQUE)",
        );
        ok(&mut l, "BEGIN");
        ok(&mut l, "SELECT * FROM t");
        ok(&mut l, "UPDATE t SET x = 'z' WHERE x = 'nothing'");
        assert!(matches!(
            exec(&mut l, "PRAGMA synchronous = OFF"),
            Err(SqlError::Refused(_))
        ));
        ok(&mut l, "COMMIT");
        drop(l);
        assert_eq!(gate.tickets(), 0);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn sqlite_ending_the_batch_fails_every_request_in_it() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        let (ga, gb) = in_one_batch(
            &db,
            |l| {
                ok(l, "INSERT INTO t VALUES ('a')");
            },
            |l| {
                // OR ROLLBACK ends the whole transaction, the host's batch included.
                assert!(exec(l, "INSERT OR ROLLBACK INTO t VALUES ('a')").is_err());
                ok(l, "INSERT INTO t VALUES ('b')");
            },
        )
        .await;
        assert!(ga.durable().await.is_err());
        assert!(gb.durable().await.is_err());
        assert_eq!(contents(&db).await, ["b"]);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_failed_commit_rolls_back_the_batch_and_fails_every_held_response() {
        let (_dir, db) = with_table(CommitMode::Group).await;
        {
            let mut l = db.acquire(OutputGate::default()).await;
            ok(
                &mut l,
                "CREATE TABLE child (p TEXT REFERENCES t (x) DEFERRABLE INITIALLY DEFERRED)",
            );
        }
        let (ga, gb) = in_one_batch(
            &db,
            |l| {
                ok(l, "INSERT INTO t VALUES ('a')");
            },
            |l| {
                // Deferred: checked only by the batch's COMMIT, which then fails.
                ok(l, "BEGIN");
                ok(l, "INSERT INTO child VALUES ('missing')");
                ok(l, "COMMIT");
            },
        )
        .await;
        let reason = ga.durable().await.unwrap_err();
        assert!(reason.contains("FOREIGN KEY"), "{reason}");
        assert!(gb.durable().await.is_err());
        assert!(contents(&db).await.is_empty());
        assert!(
            db.stats().line().ends_with("(1 failed)"),
            "{}",
            db.stats().line()
        );

        let response = crate::database::batch::commit_failed_response(&reason);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
        assert_eq!(response.headers()["content-type"], "application/json");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_backup_commits_the_batch_first_and_runs_alone() {
        let (dir, db) = with_table(CommitMode::Group).await;
        let copy = dir.path().join("copy.db");
        let sql = format!("VACUUM INTO '{}'", copy.display());
        let (ga, _) = in_one_batch(
            &db,
            |l| {
                ok(l, "INSERT INTO t VALUES ('a')");
            },
            |l| {
                ok(l, "BEGIN");
                assert!(matches!(exec(l, &sql), Err(SqlError::Refused(_))));
                ok(l, "COMMIT");
                ok(l, &sql);
                ok(l, "PRAGMA wal_checkpoint(TRUNCATE)");
            },
        )
        .await;
        ga.durable().await.unwrap();
        let backup = rusqlite::Connection::open(&copy).unwrap();
        let n: i64 = backup
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
