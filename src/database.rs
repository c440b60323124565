//! The one SQLite connection of a writer process.
//!
//! It is opened only after [`crate::ownership`] holds the data dir, in WAL mode with
//! `locking_mode=EXCLUSIVE`: SQLite then keeps its WAL index in process memory (no
//! `-shm` file) and holds an exclusive lock on the database file for the whole
//! life of the connection, so no other process (a second host, a plain `spin up`,
//! a `sqlite3` shell) can read or write the files meanwhile.
//!
//! Every writer-component request goes through this one connection, one request
//! at a time ([`Database::acquire`] hands out a [`Lease`]), so a component's
//! statements never interleave with another request's. How their transactions are
//! committed is [`batch`]'s business (group commit by default), how a request's
//! statements are run inside it is [`lease`]'s.

pub mod batch;
pub mod lease;
pub mod statement;

use anyhow::{Context, Result};
use batch::{Batch, CommitMode, CommitPolicy, Outcome, OutputGate, Stats};
pub use lease::{Lease, SqlError};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::Mutex;

/// File name real Spin uses for the `default` database inside its state dir.
pub const DEFAULT_DB_FILE: &str = "sqlite_db.db";

/// The shared, exclusively locked connection.
#[derive(Clone)]
pub struct Database {
    path: PathBuf,
    shared: Arc<Shared>,
}

struct Shared {
    /// `None` once closed at shutdown.
    session: Arc<Mutex<Option<Session>>>,
    /// Requests waiting in [`Database::acquire`]: while there are some, a batch stays
    /// open for them (up to the policy's limits).
    waiting: AtomicUsize,
    policy: CommitPolicy,
    stats: Stats,
    next_batch: AtomicU64,
}

/// The connection and the host transaction open on it, if any.
pub(crate) struct Session {
    pub conn: Connection,
    pub batch: Option<Batch>,
}

/// The session while one request holds it.
pub(crate) type HeldSession = tokio::sync::OwnedMutexGuard<Option<Session>>;

impl Session {
    /// Commits the open batch (one fsync for every request in it) and tells their
    /// held responses; on failure everything in it is rolled back.
    fn commit(&mut self, stats: &Stats) -> Outcome {
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        let outcome = match self.conn.execute_batch("COMMIT") {
            Ok(()) => Ok(()),
            Err(e) => {
                if !self.conn.is_autocommit()
                    && let Err(r) = self.conn.execute_batch("ROLLBACK")
                {
                    tracing::error!("rollback after a failed commit failed: {r}");
                }
                tracing::error!(
                    "group commit failed, {} held responses become 503: {e}",
                    batch.requests
                );
                Err(Arc::from(e.to_string()))
            }
        };
        if batch.dirty {
            match &outcome {
                Ok(()) => {
                    stats.commits.fetch_add(1, Ordering::Relaxed);
                    stats
                        .requests
                        .fetch_add(batch.requests as u64, Ordering::Relaxed);
                }
                Err(_) => {
                    stats.failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        batch.finish(outcome.clone());
        outcome
    }
}

impl Database {
    /// Opens `<data_dir>/sqlite_db.db` and takes SQLite's exclusive lock at once.
    pub fn open_exclusive(data_dir: &Path, policy: CommitPolicy) -> Result<Database> {
        let path = data_dir.join(DEFAULT_DB_FILE);
        let conn = Connection::open(&path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        // Order matters: exclusive locking mode must be set before WAL is entered so
        // that SQLite never creates the shared-memory index.
        conn.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             BEGIN EXCLUSIVE; COMMIT;",
        )
        .with_context(|| {
            format!(
                "cannot take the exclusive SQLite lock on {} (is another process using it?)",
                path.display()
            )
        })?;
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        anyhow::ensure!(
            mode.eq_ignore_ascii_case("wal"),
            "database refused WAL mode (got {mode})"
        );
        conn.set_prepared_statement_cache_capacity(256);
        Ok(Database {
            path,
            shared: Arc::new(Shared {
                session: Arc::new(Mutex::new(Some(Session { conn, batch: None }))),
                waiting: AtomicUsize::new(0),
                policy,
                stats: Stats::default(),
                next_batch: AtomicU64::new(1),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn policy(&self) -> &CommitPolicy {
        &self.shared.policy
    }

    /// Waits for the connection to be free and lends it to one request until the
    /// [`Lease`] drops. `gate` is the request's output gate.
    pub async fn acquire(&self, gate: OutputGate) -> Lease {
        let waiter = Waiter::new(self);
        let session = self.shared.session.clone().lock_owned().await;
        waiter.served();
        Lease::new(self.clone(), session, gate)
    }

    pub(crate) fn waiting(&self) -> usize {
        self.shared.waiting.load(Ordering::SeqCst)
    }

    pub(crate) fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    pub(crate) fn new_batch(&self) -> Batch {
        Batch::new(self.shared.next_batch.fetch_add(1, Ordering::Relaxed))
    }

    /// Commits the session's batch, in place.
    pub(crate) fn commit_now(&self, session: &mut Session) -> Outcome {
        self.shared.commit(session)
    }

    /// Commits the held session's batch on a blocking thread (the fsync must not stall
    /// an async worker) and lets go of the connection when done.
    pub(crate) fn commit_and_release(&self, mut held: HeldSession) {
        let shared = self.shared.clone();
        let commit = move || {
            if let Some(session) = held.as_mut() {
                let _ = shared.commit(session);
            }
            drop(held);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(commit)),
            Err(_) => commit(),
        }
    }

    /// Commits a batch left open for waiters that then gave up (cancelled requests).
    fn flush_abandoned(&self) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let db = self.clone();
        rt.spawn(async move {
            let held = db.shared.session.clone().lock_owned().await;
            if db.waiting() == 0 && held.as_ref().is_some_and(|s| s.batch.is_some()) {
                db.commit_and_release(held);
            }
        });
    }

    /// Waits for in-flight work, commits the open batch, copies the WAL into the
    /// database file so the files on disk are complete on their own, and closes the
    /// connection, releasing SQLite's exclusive lock for whoever takes over next.
    pub async fn close(&self) -> Result<()> {
        let mut guard = self.shared.session.lock().await;
        let Some(mut session) = guard.take() else {
            return Ok(());
        };
        tokio::task::block_in_place(|| {
            if let Err(e) = self.shared.commit(&mut session) {
                tracing::error!("the last batch was rolled back at shutdown: {e}");
            }
            if self.shared.policy.mode == CommitMode::Group {
                eprintln!("{}", self.shared.stats.line());
            }
            let conn = session.conn;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .context("WAL checkpoint failed")?;
            conn.close()
                .map_err(|(_, e)| e)
                .context("closing the database failed")
        })
    }
}

impl Shared {
    fn commit(&self, session: &mut Session) -> Outcome {
        session.commit(&self.stats)
    }
}

/// Counts a request in [`Shared::waiting`] while it waits for the connection.
struct Waiter<'a> {
    db: &'a Database,
    served: bool,
}

impl<'a> Waiter<'a> {
    fn new(db: &'a Database) -> Self {
        db.shared.waiting.fetch_add(1, Ordering::SeqCst);
        Waiter { db, served: false }
    }

    fn served(mut self) {
        self.served = true;
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        let left = self.db.shared.waiting.fetch_sub(1, Ordering::SeqCst) - 1;
        if !self.served && left == 0 {
            // The request holding the connection may have left the batch open for us.
            self.db.flush_abandoned();
        }
    }
}
