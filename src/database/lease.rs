//! One request's use of the connection: from its first `open` until it lets go.
//!
//! In group-commit mode the SQLite transaction belongs to the host ([`super::batch`]),
//! so a component's transaction statements are translated into a savepoint of its
//! own inside the batch: `BEGIN …` → `SAVEPOINT`, `COMMIT`/`END` → `RELEASE`,
//! `ROLLBACK` → `ROLLBACK TO` + `RELEASE`; its own `SAVEPOINT`s nest inside (a
//! `SAVEPOINT` outside a transaction starts one, as in SQLite). A writing statement
//! outside any transaction gets a savepoint of its own, so a failing statement undoes
//! only itself; a transaction left open is rolled back to its savepoint when the
//! request lets go. One request's failure or rollback therefore never touches
//! another's work. Should SQLite itself end the batch (an I/O error rolls back the
//! whole transaction), every request in it is answered 503.
//!
//! In per-request mode statements run exactly as written, as under real Spin.
//!
//! In both modes a request starts on the read connections ([`super::readers`]): as long
//! as it has only run statements SQLite calls read-only (and `PRAGMA`s that would not
//! change a setting), outside any transaction, each of them runs on a free read
//! connection and sees the last committed, durable state, as a fresh connection under
//! real Spin would. Its first other statement (a write, `BEGIN`, `SAVEPOINT`, any other
//! `PRAGMA`) makes it wait for the batch connection, where it stays until it lets go,
//! so it always reads its own writes, and a transaction's reads are inside the
//! transaction. A request that read committed data and then writes behaves like a
//! client under real Spin whose read and write are two autocommit statements; a
//! request answered from read connections alone saw nothing that could be undone, so
//! its response is never held.
//!
//! A deferred `BEGIN` (plain `BEGIN` or `BEGIN DEFERRED`) while still on the read
//! connections takes one read connection for the whole transaction, so a snapshot read
//! of several statements (a catalog page) does not wait behind a COMMIT either. Such a
//! transaction may only read: a write inside it is refused, as SQLite refuses a read
//! transaction whose snapshot is no longer the newest (`SQLITE_BUSY_SNAPSHOT`); write
//! transactions start with `BEGIN IMMEDIATE`, as the writer's do, and go to the batch.

use super::batch::{CommitMode, OutputGate};
use super::readers::ReadStats;
use super::statement::{Changes, Kind, changes, classify};
use super::{Database, HeldSession, Session};

/// The host's savepoint for a component transaction. Components may not use the prefix.
const TX_BEGIN: &str = "SAVEPOINT storefront_host_tx";
const TX_RELEASE: &str = "RELEASE storefront_host_tx";
const TX_ROLLBACK: &str = "ROLLBACK TO storefront_host_tx";
/// The host's savepoint around one writing statement outside a transaction.
const STMT_BEGIN: &str = "SAVEPOINT storefront_host_stmt";
const STMT_RELEASE: &str = "RELEASE storefront_host_stmt";
const STMT_ROLLBACK: &str = "ROLLBACK TO storefront_host_stmt";
const RESERVED_PREFIX: &str = "storefront_host_";

/// Runs one of the host's own statements (cached: they run on every request).
fn host(conn: &rusqlite::Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Whether `PRAGMA name = value` would leave the setting as it is. Then the host skips
/// it: setting `foreign_keys`, even to its current value, expires every prepared
/// statement, and the writer sets it on every open (all its statements would be
/// parsed again on every request).
fn pragma_unchanged(
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
fn undo(conn: &rusqlite::Connection, rollback: &str, release: &str) -> rusqlite::Result<()> {
    host(conn, rollback)?;
    host(conn, release)
}

/// Why a statement did not run.
#[derive(Debug)]
pub enum SqlError {
    Sqlite(rusqlite::Error),
    /// Refused by the host, with SQLite's wording where SQLite has one.
    Refused(String),
    ShuttingDown,
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        SqlError::Sqlite(e)
    }
}

/// A component transaction in progress (group mode).
struct Tx {
    /// Started by `SAVEPOINT` rather than `BEGIN`: releasing the last one ends it.
    by_savepoint: bool,
    /// The component's own savepoints, innermost last.
    names: Vec<String>,
}

/// One request's use of the connections. Dropping it lets go (see the module doc).
pub struct Lease {
    db: Database,
    /// The batch connection, once the request needs it (then until it lets go).
    held: Option<HeldSession>,
    /// Still on the read connections: nothing but reads so far.
    reading: bool,
    /// Statements run on read connections.
    reads: u64,
    gate: OutputGate,
    mode: CommitMode,
    tx: Option<Tx>,
    /// The batch this request already holds a ticket for.
    ticketed: Option<u64>,
    /// The read connection of an open read transaction (a deferred `BEGIN`).
    read_tx: Option<rusqlite::Connection>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Lease {
    pub(super) fn new(db: Database, gate: OutputGate) -> Lease {
        gate.hold_connection();
        Lease {
            mode: db.policy().mode,
            reading: db.readers().size() > 0,
            reads: 0,
            db,
            held: None,
            gate,
            tx: None,
            ticketed: None,
            read_tx: None,
        }
    }

    /// Waits for the batch connection and keeps every later statement on it.
    pub(super) async fn pin_to_batch(&mut self) {
        self.reading = false;
        if self.held.is_none() {
            self.held = Some(self.db.take_session().await);
        }
    }

    /// Whether the request is on the batch connection (tests).
    #[cfg(test)]
    pub fn on_batch(&self) -> bool {
        self.held.is_some()
    }

    /// Runs one statement; `run` binds and steps the prepared statement. `Ok(None)`: the
    /// statement was a transaction statement the host carried out itself (no rows, no
    /// columns).
    pub async fn execute<R>(
        &mut self,
        sql: &str,
        run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R> + Send,
    ) -> Result<Option<R>, SqlError> {
        let mut run = Some(run);
        if self.read_tx.is_some() {
            return self.in_read_tx(sql, run.take().expect("run once"));
        }
        if self.reading
            && classify(sql) == (Kind::Begin { deferred: true })
            && let Some(conn) = self.db.readers().take().await
        {
            if let Err(e) = conn.execute_batch("BEGIN") {
                self.db.readers().give_back(conn);
                return Err(e.into());
            }
            self.read_tx = Some(conn);
            return Ok(None);
        }
        if self.reading
            && let Some(done) = self.on_reader(sql, &mut run).await?
        {
            return Ok(done);
        }
        self.pin_to_batch().await;
        let run = run.expect("not run on a read connection");
        let mut held = self
            .held
            .take()
            .expect("a lease on the batch holds the session");
        let result = match held.as_mut() {
            None => Err(SqlError::ShuttingDown),
            Some(session) => match self.mode {
                CommitMode::PerRequest => as_written(&session.conn, sql, run, self.db.read_stats()),
                CommitMode::Group => {
                    let result = self.grouped(session, sql, run);
                    self.after_statement(session);
                    result
                }
            },
        };
        self.db.changed();
        self.held = Some(held);
        result
    }

    /// Runs `sql` inside the open read transaction: reads, savepoints and its end; a
    /// write is refused (see the module doc).
    fn in_read_tx<R>(
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
    async fn on_reader<R>(
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

    fn grouped<R>(
        &mut self,
        session: &mut Session,
        sql: &str,
        run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<R>, SqlError> {
        let conn = &session.conn;
        match classify(sql) {
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
                if conn.prepare_cached(sql)?.readonly() {
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
    fn savepoint(&self, name: &str) -> Option<usize> {
        self.tx
            .as_ref()?
            .names
            .iter()
            .rposition(|n| n.eq_ignore_ascii_case(name))
    }

    fn ensure_batch(&self, session: &mut Session) -> Result<(), SqlError> {
        if session.batch.is_none() {
            host(&session.conn, "BEGIN IMMEDIATE")?;
            session.batch = Some(self.db.new_batch());
        }
        Ok(())
    }

    fn begin_tx(&mut self, session: &mut Session, by_savepoint: bool) -> Result<(), SqlError> {
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
    fn after_statement(&mut self, session: &mut Session) {
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

    /// Lets go of the connection: rolls back what the component left open and commits
    /// the batch if nobody else is waiting for it (or it is full or old enough).
    fn release(&mut self) {
        if let Some(conn) = self.read_tx.take() {
            tracing::warn!("component left a read transaction open; rolling it back");
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::error!("rollback of abandoned read transaction failed: {e}");
            }
            self.db.readers().give_back(conn);
        }
        let Some(mut held) = self.held.take() else {
            if self.reads > 0 {
                self.db.read_stats().request_answered();
            }
            self.gate.release_connection();
            return;
        };
        let Some(session) = held.as_mut() else {
            self.gate.release_connection();
            return;
        };
        match self.mode {
            CommitMode::PerRequest => {
                if !session.conn.is_autocommit() {
                    tracing::warn!("component left a transaction open; rolling it back");
                    if let Err(e) = session.conn.execute_batch("ROLLBACK") {
                        tracing::error!("rollback of abandoned transaction failed: {e}");
                    }
                }
                self.gate.release_connection();
            }
            CommitMode::Group => {
                if self.tx.take().is_some() {
                    tracing::warn!("component left a transaction open; rolling it back");
                    if let Err(e) = undo(&session.conn, TX_ROLLBACK, TX_RELEASE) {
                        tracing::error!("rollback of abandoned transaction failed: {e}");
                        // Nothing half-done may be committed: give up the whole batch.
                        if !session.conn.is_autocommit() {
                            let _ = session.conn.execute_batch("ROLLBACK");
                        }
                    }
                }
                self.after_statement(session);
                self.gate.release_connection();
                let waiting = self.db.waiting();
                match session.batch.as_ref() {
                    Some(batch) if batch.dirty && batch.due(self.db.policy(), waiting) => {
                        self.db.commit_and_release(held);
                    }
                    Some(batch) if !batch.dirty && waiting == 0 => {
                        // Nothing to make durable: no fsync, done in place.
                        let _ = self.db.commit_now(session);
                    }
                    _ => {}
                }
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.release();
    }
}

/// Per-request mode: the statement exactly as the component wrote it.
fn as_written<R>(
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

fn refused<T>(message: &str) -> Result<T, SqlError> {
    Err(SqlError::Refused(message.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{Lease, SqlError};
    use crate::database::Database;
    use crate::database::batch::{CommitMode, CommitPolicy, OutputGate};
    use rusqlite::types::Value;
    use std::time::Duration;

    type Rows = Vec<Vec<Value>>;

    /// Runs one statement from synchronous test code (on a multi-thread runtime).
    fn exec(lease: &mut Lease, sql: &str) -> Result<Rows, SqlError> {
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(exec_async(lease, sql))
        })
    }

    async fn exec_async(lease: &mut Lease, sql: &str) -> Result<Rows, SqlError> {
        lease
            .execute(sql, |stmt| {
                let n = stmt.column_count();
                let mut out = Vec::new();
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    out.push((0..n).map(|i| row.get(i)).collect::<Result<_, _>>()?);
                }
                Ok(out)
            })
            .await
            .map(Option::unwrap_or_default)
    }

    fn ok(lease: &mut Lease, sql: &str) -> Rows {
        exec(lease, sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
    }

    /// What the writer runs on every open.
    fn writer_pragmas(lease: &mut Lease) {
        for p in [
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
            "PRAGMA synchronous = FULL",
            "PRAGMA journal_mode = WAL",
        ] {
            ok(lease, p);
        }
    }

    fn open(dir: &std::path::Path, mode: CommitMode) -> Database {
        Database::open_exclusive(
            dir,
            CommitPolicy {
                mode,
                ..CommitPolicy::default()
            },
            2,
        )
        .unwrap()
    }

    /// A fresh database in a temporary directory, in `mode`, with the table `t`.
    async fn with_table(mode: CommitMode) -> (tempfile::TempDir, Database) {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path(), mode);
        setup(&db).await;
        (dir, db)
    }

    async fn setup(db: &Database) {
        let gate = OutputGate::default();
        let mut l = db.acquire(gate.clone()).await;
        ok(&mut l, "CREATE TABLE t (x TEXT NOT NULL UNIQUE)");
        drop(l);
        gate.durable().await.unwrap();
    }

    /// Runs `a` then `b` in one batch: `b` waits for the connection while `a` holds it,
    /// so `a`'s release leaves the batch open for it. Returns both gates.
    async fn in_one_batch(
        db: &Database,
        a: impl FnOnce(&mut Lease),
        b: impl FnOnce(&mut Lease),
    ) -> (OutputGate, OutputGate) {
        let (ga, gb) = (OutputGate::default(), OutputGate::default());
        let mut la = db.acquire(ga.clone()).await;
        let waiter = {
            let (db, gb) = (db.clone(), gb.clone());
            tokio::spawn(async move { db.acquire(gb).await })
        };
        while db.waiting() == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        writer_pragmas(&mut la);
        a(&mut la);
        drop(la);
        let mut lb = waiter.await.unwrap();
        writer_pragmas(&mut lb);
        b(&mut lb);
        drop(lb);
        (ga, gb)
    }

    async fn contents(db: &Database) -> Vec<String> {
        let mut l = db.acquire(OutputGate::default()).await;
        texts(ok(&mut l, "SELECT x FROM t ORDER BY x"))
    }

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

    /// What the writer reads on every request (components/writer/src/db.rs).
    const WRITER_SETTINGS: &str = "SELECT (SELECT foreign_keys FROM pragma_foreign_keys), \
        (SELECT timeout FROM pragma_busy_timeout), (SELECT synchronous FROM pragma_synchronous), \
        (SELECT journal_mode FROM pragma_journal_mode)";

    fn texts(rows: Rows) -> Vec<String> {
        rows.into_iter()
            .map(|r| match &r[0] {
                Value::Text(s) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

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
