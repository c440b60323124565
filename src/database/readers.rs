//! The read connections: a small fixed pool of `query_only` connections to the same file,
//! opened by the process that owns it, for statements that only read committed data.
//!
//! Why: the batch connection is busy for the whole of a batch's COMMIT (its fsync), and
//! so are the statements queued behind it. A request that has so far only read (a
//! catalog page, the writer's per-request settings check) does not need the batch: in
//! WAL mode a second connection reads the last committed state while the batch commits,
//! and SQLite publishes a commit to other connections only after its fsync, so what a
//! read connection sees is always durable and its answer needs no output gate. Which
//! statement goes where is [`super::lease`]'s business.
//!
//! The connections live in the same process as the batch connection and share its lock:
//! the files are opened with SQLite's `unix-excl` VFS, which takes one exclusive OS lock
//! on the database for the whole process and keeps the WAL index in process memory, so
//! connections of this process coordinate in memory while no other process can open
//! the files (see [`super::Database::open_exclusive`]).
//!
//! Not memory-mapped (`PRAGMA mmap_size` stays 0): a commit makes these connections drop
//! their page caches, but the pages they read again come from the kernel's page cache at
//! a microsecond or two each. Mapping the file took the uncached catalog pages of the
//! 100k-product shop from ~50 `pread`s to ~3 (search: ~280 to ~3) without a measurable
//! change in their CPU time or latency (docs/benchmarks.md, "A large shop"), and it would
//! turn a read error or a file cut short under the process into `SIGBUS` instead of an
//! error the writer answers.

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How many read connections a writer process opens unless told otherwise
/// (`--read-connections`): one per core of the machine this was measured on.
pub const DEFAULT_READ_CONNECTIONS: usize = 2;

/// The SQLite VFS both kinds of connection use (see the module doc).
pub const VFS: &str = "unix-excl";

/// Settings every connection of the process has, so that a component that checks its
/// connection's settings (the writer does, on every request) finds the same answer on
/// either kind. The batch connection sets them too.
///
/// `temp_store = MEMORY`: the sub-journals of the host's savepoints (one per request in a
/// batch) and sorts stay in memory. With the default, a batch whose savepoints recorded
/// more than 64 KiB of pages spilled them to a temporary file under /var/tmp, opened,
/// written and deleted once per commit. A batch is bounded (`--batch-max-requests`), so
/// is its sub-journal.
pub const CONNECTION_SETTINGS: &str = "PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 5000;
     PRAGMA synchronous = FULL;
     PRAGMA temp_store = MEMORY;";

/// Gives a connection of the process [`CONNECTION_SETTINGS`], a statement cache of 256,
/// and SQLite's query planner stability guarantee (QPSG). Without QPSG, SQLite lets the
/// values bound to a statement inform its plan and marks such a statement expired when its
/// bindings are cleared, which the statement cache does each time a statement goes back:
/// a third of an order's statements were parsed and planned anew on every run (14% of the
/// writer's CPU under load, found with `perf`). With it, a statement's plan never depends
/// on its values.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(CONNECTION_SETTINGS)?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

/// Another connection of this process to `path`, whose lock the process already holds
/// (`what` it is for names it in the error), with [`configure`]'s settings. Read-write as
/// far as the VFS is concerned: a read-only file handle would take OS locks of its own and
/// could release the process's exclusive lock.
pub fn open_beside(path: &Path, what: &str) -> Result<Connection> {
    let conn = Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
        VFS,
    )
    .with_context(|| format!("cannot open {what} to {}", path.display()))?;
    configure(&conn)?;
    Ok(conn)
}

/// The pool; empty when `--read-connections 0` (every statement then goes to the batch
/// connection, as before the pool existed).
pub struct Readers {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    size: usize,
}

/// One read connection, lent for one statement.
pub struct Reader<'a> {
    pool: &'a Readers,
    conn: Option<Connection>,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    /// Opens `size` read connections to `path`, whose lock this process already holds.
    pub fn open(path: &Path, size: usize) -> Result<Readers> {
        let mut idle = Vec::with_capacity(size);
        for _ in 0..size {
            let conn = open_beside(path, "a read connection")?;
            // `query_only` makes SQLite refuse every write on it.
            conn.execute_batch("PRAGMA query_only = ON;")?;
            idle.push(conn);
        }
        Ok(Readers {
            idle: Mutex::new(idle),
            permits: Semaphore::new(size),
            size,
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Waits for a free read connection; `None` if there are none (pool of 0, or closed).
    pub async fn get(&self) -> Option<Reader<'_>> {
        if self.size == 0 {
            return None;
        }
        let permit = self.permits.acquire().await.ok()?;
        let conn = self.idle.lock().unwrap().pop();
        Some(Reader {
            pool: self,
            conn: Some(conn.expect("a permit means an idle connection")),
            _permit: permit,
        })
    }

    /// Takes a read connection for a whole read transaction (a component's deferred
    /// `BEGIN` … `COMMIT`); `None` if there are none. Hand it back with
    /// [`Readers::give_back`].
    pub async fn take(&self) -> Option<Connection> {
        if self.size == 0 {
            return None;
        }
        self.permits.acquire().await.ok()?.forget();
        self.idle.lock().unwrap().pop()
    }

    /// Returns a connection from [`Readers::take`] to the pool.
    pub fn give_back(&self, conn: Connection) {
        self.idle.lock().unwrap().push(conn);
        self.permits.add_permits(1);
    }

    /// Waits for every connection to be given back and closes them all.
    pub async fn close(&self) {
        if self.size == 0 {
            return;
        }
        let Ok(all) = self.permits.acquire_many(self.size as u32).await else {
            return;
        };
        self.permits.close();
        all.forget();
        for conn in self.idle.lock().unwrap().drain(..) {
            if let Err((_, e)) = conn.close() {
                tracing::warn!("closing a read connection failed: {e}");
            }
        }
    }
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("held until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.idle.lock().unwrap().push(conn);
        }
    }
}

/// What the read connections did, printed at shutdown (`reads: …`) and checked by the
/// tests: how many statements they ran, how many of those ran from start to end while
/// the batch connection was inside a COMMIT (so did not wait for its fsync), and how
/// many requests were answered from them alone (never gated).
#[derive(Default)]
pub struct ReadStats {
    /// Odd while a COMMIT is in progress on the batch connection: bumped when one
    /// starts and when it ends (commits never overlap: one batch connection).
    commit_epoch: AtomicU64,
    statements: AtomicU64,
    during_commit: AtomicU64,
    requests: AtomicU64,
}

/// Marks a COMMIT in progress until dropped.
pub struct CommitWindow<'a>(&'a ReadStats);

impl Drop for CommitWindow<'_> {
    fn drop(&mut self) {
        self.0.commit_epoch.fetch_add(1, Ordering::SeqCst);
    }
}

impl ReadStats {
    pub fn committing(&self) -> CommitWindow<'_> {
        self.commit_epoch.fetch_add(1, Ordering::SeqCst);
        CommitWindow(self)
    }

    /// Call before a read statement; hand the result to [`ReadStats::read_done`].
    pub fn read_started(&self) -> u64 {
        self.commit_epoch.load(Ordering::SeqCst)
    }

    pub fn read_done(&self, started: u64) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if started % 2 == 1 && self.commit_epoch.load(Ordering::SeqCst) == started {
            self.during_commit.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A request let go having run statements on read connections only.
    pub fn request_answered(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn line(&self) -> String {
        format!(
            "reads: {} statements on read connections ({} while a commit ran), {} requests answered from them alone",
            self.statements.load(Ordering::Relaxed),
            self.during_commit.load(Ordering::Relaxed),
            self.requests.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::configure;
    use rusqlite::{Connection, StatementStatus};

    /// How many times running `sql` three times with different bindings re-prepared it.
    fn reprepared(conn: &Connection, sql: &str) -> i32 {
        conn.execute_batch(
            "CREATE TABLE answers (key TEXT PRIMARY KEY, answer TEXT NOT NULL) STRICT;
             INSERT INTO answers VALUES ('a', 'first'), ('b', 'second');",
        )
        .unwrap();
        // As the host runs a component's statement: from the cache, back to it after.
        for key in ["a", "b", "c"] {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let rows: Vec<Option<String>> = stmt
                .query_map([key], |r| r.get(1))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(rows.len(), 1, "{key}");
        }
        conn.prepare_cached(sql)
            .unwrap()
            .get_status(StatementStatus::RePrepare)
    }

    /// The shape of the writer's first statement of every order: the time, and an earlier
    /// answer to the command's key if there is one.
    const STARTED: &str = "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), k.answer \
                           FROM (SELECT 1) LEFT JOIN answers k ON k.key = ?";

    #[test]
    fn a_statement_is_planned_once_whatever_is_bound_to_it() {
        let plain = Connection::open_in_memory().unwrap();
        assert!(
            reprepared(&plain, STARTED) > 0,
            "without QPSG SQLite re-plans on every new binding (what this guards against)"
        );
        let configured = Connection::open_in_memory().unwrap();
        configure(&configured).unwrap();
        assert_eq!(reprepared(&configured, STARTED), 0);
    }
}
