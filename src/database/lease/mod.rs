//! One request's use of the database connections, from its first `open` until it lets go.
//!
//! A [`Lease`] starts on the read connections ([`super::readers`]) and moves to the batch
//! connection at its first statement that is not a plain read ([`read_routing`]); there its
//! statements run as the component wrote them ([`per_request`]) or, in group-commit mode,
//! with its transaction statements translated into savepoints inside the host's batch
//! ([`batch_statements`]). Dropping the lease lets go: what the component left open is
//! rolled back, and the batch is committed when nobody else is waiting for it. Once the
//! storage is damaged ([`super::storage_fault`]) no statement that writes runs: reads
//! that still work go on, commands are refused.

mod batch_statements;
mod change_watch;
mod per_request;
mod read_routing;
#[cfg(test)]
mod test_support;

use super::batch::{CommitMode, OutputGate};
use super::statement::{Kind, classify};
use super::{Database, HeldSession, Session};
use batch_statements::{TX_RELEASE, TX_ROLLBACK, Tx, undo};
use per_request::as_written;

/// Why a statement did not run.
#[derive(Debug)]
pub enum SqlError {
    Sqlite(rusqlite::Error),
    /// Refused by the host, with SQLite's wording where SQLite has one.
    Refused(String),
    ShuttingDown,
    /// The storage is damaged ([`super::storage_fault`]): no more commands; the reason.
    Damaged(&'static str),
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        SqlError::Sqlite(e)
    }
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
            Some(session) => {
                let shape = Shape::of(&session.conn, sql);
                match shape.refused_when_damaged() {
                    Some(reason) => Err(SqlError::Damaged(reason)),
                    None => self.run_on_batch(session, sql, shape, run),
                }
            }
        };
        self.held = Some(held);
        result
    }

    /// Runs `sql` (of `shape`) on the batch connection with the change watch around it,
    /// as written or translated for the group commit.
    fn run_on_batch<R>(
        &mut self,
        session: &mut Session,
        sql: &str,
        shape: Shape,
        run: impl FnOnce(&mut rusqlite::Statement<'_>) -> rusqlite::Result<R>,
    ) -> Result<Option<R>, SqlError> {
        let watch =
            change_watch::Watch::before(&session.conn, sql, self.db.rows_told(), shape.writes);
        let result = match self.mode {
            CommitMode::PerRequest => as_written(&session.conn, sql, run, self.db.read_stats()),
            CommitMode::Group => {
                let result = self.grouped(session, sql, shape, run);
                self.after_statement(session);
                result
            }
        };
        let extra = watch.after(&session.conn, self.db.rows_told());
        self.db.statement_done(extra, session.conn.is_autocommit());
        result
    }

    /// Lets go of the connection: rolls back what the component left open and commits
    /// the batch if nobody else is waiting for it (or it is full or old enough).
    fn release(&mut self) {
        // Sync replication: what this request read may be a commit still on its way to
        // the bucket; its response waits for every commit it could have seen.
        if (self.reads > 0 || self.held.is_some())
            && let Some(feed) = self.db.replication_feed()
            && feed.mode() == super::replication::Mode::Sync
        {
            self.gate.require_replicated(feed.clone(), feed.required());
        }
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
                    self.db.statement_done(0, true);
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

/// What the host needs to know of one statement on the batch connection, worked out once
/// for it: its kind, and whether it may write. The change watch and the group-commit
/// translation both ask; each asking again cost another pass over the SQL text and
/// another round trip through the statement cache (a hash of the whole text, SQLite's
/// reset of the statement), a dozen times per order.
pub(super) struct Shape {
    kind: Kind,
    /// `VACUUM`-like statements, and any other statement SQLite does not call read-only
    /// (one that cannot be prepared writes nothing: it fails when run).
    writes: bool,
}

impl Shape {
    fn of(conn: &rusqlite::Connection, sql: &str) -> Shape {
        let kind = classify(sql);
        let writes = match kind {
            Kind::Alone => true,
            Kind::Other => super::statement::prepared_writes(conn, sql),
            _ => false,
        };
        Shape { kind, writes }
    }

    /// Why the statement may not run once the storage is damaged
    /// ([`super::storage_fault`]): it would write (a command's `BEGIN IMMEDIATE`, or a
    /// statement that is not read-only). Reads still run, so that whatever still reads can
    /// be served and checked.
    fn refused_when_damaged(&self) -> Option<&'static str> {
        let reason = super::storage_fault::damaged()?;
        let writes = match self.kind {
            Kind::Begin { deferred } => !deferred,
            Kind::Other => self.writes,
            _ => false,
        };
        writes.then_some(reason)
    }
}

fn refused<T>(message: &str) -> Result<T, SqlError> {
    Err(SqlError::Refused(message.to_string()))
}
