//! The SQLite connections of a writer process.
//!
//! They are opened only after [`crate::database::ownership`] holds the data dir, in WAL mode with
//! SQLite's `unix-excl` VFS: the process takes one exclusive OS lock on the database
//! file at once and holds it for as long as any of its connections is open, and the
//! WAL index lives in process memory (no `-shm` file), so no other process (a second
//! host, a plain `spin up`, a `sqlite3` shell) can read or write the files meanwhile,
//! while the connections of this process share them.
//!
//! Every write goes through one connection, the *batch connection*, one request at a
//! time ([`Database::take_session`]), so a component's statements never interleave
//! with another request's. How their transactions are committed is [`batch`]'s
//! business (group commit by default), how a request's statements are run inside it is
//! [`lease`]'s. Statements that only read committed data go to a small pool of
//! read connections instead ([`readers`]), so they never wait behind a COMMIT.

pub mod batch;
pub mod checkpoints;
pub mod lease;
pub mod ownership;
pub mod quick_check;
pub mod readers;
pub mod replication;
pub mod scopes;
pub mod statement;
pub mod storage_fault;
pub mod wal_scan;

use anyhow::{Context, Result};
use batch::{Batch, CommitMode, CommitPolicy, Outcome, OutputGate, Stats};
use checkpoints::{Checkpointer, Thresholds};
pub use lease::{Lease, SqlError};
use readers::{ReadStats, Readers};
use rusqlite::{Connection, OpenFlags};
use scopes::{Counters, Scope};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::Mutex;

/// File name real Spin uses for the `default` database inside its state dir.
pub const DEFAULT_DB_FILE: &str = "sqlite_db.db";

/// The process's connections to its exclusively locked database.
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
    readers: Readers,
    read_stats: ReadStats,
    /// One change counter per scope, moved by statements on the batch connection that
    /// changed rows or the schema and again when their transaction ends, before the
    /// committed requests are answered: an answer read while its scope's counter did not
    /// move is still true ([`crate::app::answer_cache`], [`scopes`]).
    counters: Arc<Counters>,
    /// Checkpoints the WAL in the background; `None` once stopped at shutdown. After
    /// `session`, so a dropped database closes its batch connection first.
    checkpointer: std::sync::Mutex<Option<Checkpointer>>,
    /// Ships every commit to an object store, once [`Database::replicate`] started it.
    replication: std::sync::OnceLock<replication::Replication>,
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
    fn commit(
        &mut self,
        stats: &Stats,
        reads: &ReadStats,
        counters: &Counters,
        feed: Option<&Arc<replication::Feed>>,
    ) -> Outcome {
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        let number = feed.map(|f| f.begin());
        let committed = {
            let _window = reads.committing();
            self.conn.execute_batch("COMMIT")
        };
        if let (Some(feed), Some(number)) = (feed, number) {
            feed.end(number);
        }
        if batch.dirty {
            crate::operator::metrics::metrics().committed(
                batch.requests,
                started.elapsed(),
                committed.is_ok(),
            );
        }
        let outcome = match committed {
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
                storage_fault::note(&e, Path::new(self.conn.path().unwrap_or("the database")));
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
        // Before anyone hears of the commit: whoever learns of it reads past it.
        counters.transaction_ended();
        match (feed, number, &outcome) {
            // Sync replication: the held responses leave once the bucket has the commit too
            // (or become 503s); the connection goes on to the next batch meanwhile.
            (Some(feed), Some(number), Ok(()))
                if feed.mode() == replication::Mode::Sync && batch.dirty =>
            {
                let feed = feed.clone();
                let wait = async move { batch.finish(feed.replicated(number).await) };
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => drop(rt.spawn(wait)),
                    Err(_) => futures::executor::block_on(wait),
                }
            }
            _ => batch.finish(outcome.clone()),
        }
        outcome
    }
}

/// Process-wide SQLite settings, applied once before the first connection opens.
///
/// Memory statistics are switched off: with them on, every allocation SQLite makes
/// takes one global mutex, which the batch connection, the read connections and the
/// committing thread then contend for (visible as futex calls in a profile of the order
/// load). Nothing in the host reads those statistics.
pub fn configure_sqlite_library() {
    // SAFETY: called at the start of `main`, before any thread or connection uses SQLite,
    // which is when `sqlite3_config` may be called. It returns SQLITE_MISUSE (and changes
    // nothing) if SQLite was initialised already, which only costs the optimisation.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_config(
            rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
            0 as std::os::raw::c_int,
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        tracing::warn!("SQLite memory statistics stay on (sqlite3_config answered {rc})");
    }
}

impl Database {
    /// Opens `<data_dir>/sqlite_db.db`, takes the process's exclusive lock on it at once,
    /// and opens `read_connections` read connections beside the batch connection. A WAL
    /// whose damage would drop acknowledged commits is refused before SQLite sees it
    /// ([`wal_scan`]).
    pub fn open_exclusive(
        data_dir: &Path,
        policy: CommitPolicy,
        read_connections: usize,
    ) -> Result<Database> {
        Self::open_checked(data_dir, policy, read_connections, false)
    }

    /// [`Self::open_exclusive`] for a process about to serve: the database file must also
    /// pass [`quick_check`] first.
    pub fn open_for_serving(
        data_dir: &Path,
        policy: CommitPolicy,
        read_connections: usize,
    ) -> Result<Database> {
        Self::open_checked(data_dir, policy, read_connections, true)
    }

    fn open_checked(
        data_dir: &Path,
        policy: CommitPolicy,
        read_connections: usize,
        check_pages: bool,
    ) -> Result<Database> {
        let path = data_dir.join(DEFAULT_DB_FILE);
        check_wal(&path)?;
        if check_pages {
            quick_check::run(&path)?;
        }
        let mut conn = open_locked(&path)?;
        conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        readers::configure(&conn)?;
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        anyhow::ensure!(
            mode.eq_ignore_ascii_case("wal"),
            "database refused WAL mode (got {mode})"
        );
        let readers = Readers::open(&path, read_connections)?;
        // Instead of SQLite's automatic checkpoint inside COMMIT (see [`checkpoints`]).
        let checkpointer = Checkpointer::start(&path, Thresholds::default())?;
        conn.wal_hook(Some(checkpointer.hook()))?;
        let counters = Arc::new(Counters::default());
        let told = counters.clone();
        conn.update_hook(Some(move |_, _: &str, table: &str, _| {
            told.row_changed(table)
        }))?;
        Ok(Database {
            path,
            shared: Arc::new(Shared {
                session: Arc::new(Mutex::new(Some(Session { conn, batch: None }))),
                waiting: AtomicUsize::new(0),
                policy,
                stats: Stats::default(),
                next_batch: AtomicU64::new(1),
                readers,
                read_stats: ReadStats::default(),
                counters,
                checkpointer: std::sync::Mutex::new(Some(checkpointer)),
                replication: std::sync::OnceLock::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts shipping every commit from now on to `settings.url` ([`replication`]):
    /// claims a generation (a bucket that cannot be used stops the start) and hooks the
    /// feed into the batch connection's commits, before the checkpoint's part of the hook.
    pub async fn replicate(&self, settings: replication::Settings) -> Result<()> {
        anyhow::ensure!(
            settings.mode == replication::Mode::Async
                || self.shared.policy.mode == CommitMode::Group,
            "--replicate-mode sync needs --commit-mode group (the output gate holds a \
             batch's responses until its segment is stored)"
        );
        let started = replication::Replication::start(&self.path, settings).await?;
        let feed = started.feed.clone();
        let mut checkpoint = self
            .shared
            .checkpointer
            .lock()
            .unwrap()
            .as_ref()
            .map(Checkpointer::hook)
            .context("the database is closed")?;
        let mut guard = self.shared.session.lock().await;
        let session = guard.as_mut().context("the database is closed")?;
        session.conn.wal_hook(Some(
            move |wal: &mut rusqlite::hooks::Wal, frames: std::os::raw::c_int| {
                feed.committed(frames as u64);
                checkpoint(wal, frames)
            },
        ))?;
        drop(guard);
        if self.shared.replication.set(started).is_err() {
            anyhow::bail!("replication was started twice");
        }
        Ok(())
    }

    /// The feed, when this database replicates.
    pub(crate) fn replication_feed(&self) -> Option<&Arc<replication::Feed>> {
        self.shared.replication.get().map(|r| &r.feed)
    }

    /// How many times the tables of `scope` may have changed since the process opened it.
    pub fn change_count_of(&self, scope: Scope) -> u64 {
        self.shared.counters.count(scope)
    }

    /// Records that a statement ran on the batch connection: `extra` are the scopes it
    /// changed that the update hook cannot tell, `ended` whether the connection's
    /// transaction is over (committed or rolled back) after it.
    pub(crate) fn statement_done(&self, extra: u8, ended: bool) {
        self.shared.counters.statement_done(extra, ended);
    }

    /// Rows the update hook has reported so far (see [`scopes::Counters::rows_told`]).
    pub(crate) fn rows_told(&self) -> u64 {
        self.shared.counters.rows_told()
    }

    pub fn policy(&self) -> &CommitPolicy {
        &self.shared.policy
    }

    /// A lease for one request: it reads on the read connections until its first write
    /// or transaction, then waits for the batch connection ([`Lease`]). `gate` is the
    /// request's output gate.
    pub fn lease(&self, gate: OutputGate) -> Lease {
        Lease::new(self.clone(), gate)
    }

    /// A lease that takes the batch connection at once, for every statement (tests).
    #[cfg(test)]
    pub async fn acquire(&self, gate: OutputGate) -> Lease {
        let mut lease = self.lease(gate);
        lease.pin_to_batch().await;
        lease
    }

    /// Waits for the batch connection to be free.
    pub(crate) async fn take_session(&self) -> HeldSession {
        let waiter = Waiter::new(self);
        let session = self.shared.session.clone().lock_owned().await;
        waiter.served();
        session
    }

    pub(crate) fn readers(&self) -> &Readers {
        &self.shared.readers
    }

    pub(crate) fn read_stats(&self) -> &ReadStats {
        &self.shared.read_stats
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

    /// Waits for in-flight work, commits the open batch, closes the read connections,
    /// copies the WAL into the database file so the files on disk are complete on their
    /// own, and closes the batch connection, releasing the process's exclusive lock for
    /// whoever takes over next.
    pub async fn close(&self) -> Result<()> {
        let mut guard = self.shared.session.lock().await;
        let Some(mut session) = guard.take() else {
            return Ok(());
        };
        // No read may hold the WAL while it is checkpointed.
        self.shared.readers.close().await;
        tokio::task::block_in_place(|| {
            if let Err(e) = self.shared.commit(&mut session) {
                tracing::error!("the last batch was rolled back at shutdown: {e}");
            }
            if self.shared.policy.mode == CommitMode::Group {
                eprintln!("{}", self.shared.stats.line());
            }
            if self.shared.readers.size() > 0 {
                eprintln!("{}", self.shared.read_stats.line());
            }
            let mut conn = session.conn;
            conn.wal_hook(
                None::<fn(&mut rusqlite::hooks::Wal, std::os::raw::c_int) -> rusqlite::Result<()>>,
            )?;
            // A replica snapshot's connection, too.
            if let Some(replication) = self.shared.replication.get() {
                replication.feed.close_snapshots();
            }
            // Stopped (and its connection closed) before the last checkpoint, which must
            // not find it busy, and before the lock is released.
            if let Some(checkpointer) = self.shared.checkpointer.lock().unwrap().take() {
                eprintln!("{}", checkpointer.stats().line());
            }
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .context("WAL checkpoint failed")?;
            conn.close()
                .map_err(|(_, e)| e)
                .context("closing the database failed")
        })?;
        if let Some(replication) = self.shared.replication.get() {
            replication.finish(REPLICATION_FINISH).await;
        }
        Ok(())
    }
}

/// The first connection of the process to `path`: opened (created if missing) with the
/// process's exclusive lock taken at once. The first lock taken by any connection of the
/// process becomes the process's exclusive OS lock (unix-excl); it is taken before
/// anything else, so that the WAL index is never created as a shared-memory file.
pub(crate) fn open_locked(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
        readers::VFS,
    )
    .with_context(|| format!("cannot open database {}", path.display()))?;
    conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
        .map_err(|e| first_lock_failed(path, e))?;
    Ok(conn)
}

/// Refuses a WAL whose damage would silently drop acknowledged commits
/// ([`wal_scan`]); logs a torn tail, which SQLite drops.
fn check_wal(path: &Path) -> Result<()> {
    let scan = wal_scan::scan(path)
        .with_context(|| format!("cannot read the write-ahead log of {}", path.display()))??;
    if scan.dropped_frames > 0 {
        tracing::warn!(
            "the write-ahead log of {} ends in {} frame(s) of a commit that never finished \
             (a crash or power cut cut it short, so it was never acknowledged): dropped, as \
             SQLite drops them; the {} frame(s) of finished commits before them are kept",
            path.display(),
            scan.dropped_frames,
            scan.committed_frames
        );
    }
    Ok(())
}

/// Why the first lock on the database failed, in words that name the real cause: a
/// damaged header is not a lock problem.
fn first_lock_failed(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(NotADatabase) => anyhow::anyhow!(
            "{} is not a database: its header is damaged or it is another kind of file \
             (SQLite: {e}). Nothing was changed; restore it from a backup \
             (docs/operations.md, \"Damaged database files\")",
            path.display()
        ),
        Some(DatabaseCorrupt) => anyhow::anyhow!(
            "the database {} is damaged (SQLite: {e}). Nothing was changed; restore it from \
             a backup (docs/operations.md, \"Damaged database files\")",
            path.display()
        ),
        Some(DatabaseBusy | DatabaseLocked) => anyhow::anyhow!(
            "cannot take the exclusive SQLite lock on {}: another process is using it ({e})",
            path.display()
        ),
        _ => anyhow::Error::new(e).context(format!("cannot open the database {}", path.display())),
    }
}

/// How long shutdown waits for the last commits to reach the replica bucket.
const REPLICATION_FINISH: std::time::Duration = std::time::Duration::from_secs(30);

impl Shared {
    fn commit(&self, session: &mut Session) -> Outcome {
        session.commit(
            &self.stats,
            &self.read_stats,
            &self.counters,
            self.replication.get().map(|r| &r.feed),
        )
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
