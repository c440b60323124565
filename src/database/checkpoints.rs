//! WAL checkpoints off the commit path.
//!
//! SQLite's automatic checkpoint runs inside the COMMIT that takes the WAL past 1,000
//! pages: that batch's held responses then also wait for every page of the WAL to be
//! copied into the database file and for the database file's fsync (the tail of the
//! order latency, and a tenth of the order load's CPU in the copies alone).
//!
//! Here the batch connection's automatic checkpoint is replaced by a WAL hook
//! ([`Checkpointer::hook`]) that SQLite calls after every commit with the WAL's size:
//!
//! - each time the WAL grows by [`Thresholds::background_every`] pages, a thread of our
//!   own runs a `PASSIVE` checkpoint on a connection of its own. A passive checkpoint
//!   never blocks the batch connection or a read connection: it copies what no reader
//!   still needs from the WAL, while commits go on appending to it;
//! - SQLite starts the WAL file over from its beginning when a batch begins after a
//!   checkpoint copied all of it. Under a sustained load a new batch always begins before
//!   the background checkpoint has caught up, so once the WAL reaches
//!   [`Thresholds::catch_up`] pages the commit's hook copies what is left itself (the
//!   frames since the last background checkpoint, not the whole WAL), and the next batch
//!   starts the WAL over. The WAL file therefore stays near `catch_up` pages.
//!
//! Durability is unchanged: a commit is durable once its WAL frames are synced, which
//! happens in COMMIT as before; checkpoints only move durable pages into the main file.

use anyhow::{Context, Result};
use rusqlite::Connection;
use rusqlite::hooks::Wal;
use std::os::raw::c_int;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// When checkpoints run, in WAL pages (frames).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    /// A background checkpoint each time the WAL grows by this many pages (SQLite's own
    /// automatic checkpoint size).
    pub background_every: c_int,
    /// The committing connection copies the rest itself from this size on, so that the
    /// WAL can start over (4,000 pages: 16 MiB with 4 KiB pages).
    pub catch_up: c_int,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            background_every: 1000,
            catch_up: 4000,
        }
    }
}

/// How many checkpoints ran where (for the shutdown line and tests).
#[derive(Debug, Default)]
pub struct CheckpointStats {
    pub background: AtomicU64,
    pub catch_up: AtomicU64,
}

impl CheckpointStats {
    pub fn line(&self) -> String {
        format!(
            "checkpoints: {} in the background, {} caught up after a commit",
            self.background.load(Ordering::Relaxed),
            self.catch_up.load(Ordering::Relaxed)
        )
    }
}

enum Message {
    Checkpoint,
    Stop,
}

/// The background checkpoint thread and its connection.
pub struct Checkpointer {
    wake: SyncSender<Message>,
    thread: Option<JoinHandle<()>>,
    thresholds: Thresholds,
    stats: Arc<CheckpointStats>,
}

impl Checkpointer {
    /// Opens the checkpoint connection to `path` (whose lock this process already holds,
    /// see [`super::readers`] for why it is opened read-write with the same VFS) and
    /// starts its thread.
    pub fn start(path: &Path, thresholds: Thresholds) -> Result<Checkpointer> {
        let conn = super::readers::open_beside(path, "the checkpoint connection")?;
        // One waiting wake-up is enough: checkpoints asked for while one runs are one.
        let (wake, asked) = sync_channel(1);
        let stats = Arc::new(CheckpointStats::default());
        let counted = stats.clone();
        let thread = std::thread::Builder::new()
            .name("storefront-checkpoint".into())
            .spawn(move || run(conn, asked, &counted))
            .context("cannot start the checkpoint thread")?;
        Ok(Checkpointer {
            wake,
            thread: Some(thread),
            thresholds,
            stats,
        })
    }

    pub fn stats(&self) -> &CheckpointStats {
        &self.stats
    }

    /// The WAL hook for the batch connection (`Connection::wal_hook`), replacing
    /// SQLite's automatic checkpoint. It never fails the commit that called it.
    pub fn hook(&self) -> impl FnMut(&mut Wal, c_int) -> rusqlite::Result<()> + Send + 'static {
        let wake = self.wake.clone();
        let thresholds = self.thresholds;
        let stats = self.stats.clone();
        let mut asked_at = 0;
        move |wal, pages| {
            if pages < asked_at {
                // The WAL started over.
                asked_at = 0;
            }
            if pages >= thresholds.catch_up {
                match wal.checkpoint() {
                    Ok(()) => {
                        stats.catch_up.fetch_add(1, Ordering::Relaxed);
                    }
                    // The background checkpoint is running: the next commit tries again.
                    Err(e) if is_busy(&e) => {}
                    Err(e) => tracing::warn!("WAL checkpoint after a commit failed: {e}"),
                }
            } else if pages - asked_at >= thresholds.background_every {
                asked_at = pages;
                // Full: one is asked for already. Disconnected: shutting down.
                let _ = wake.try_send(Message::Checkpoint);
            }
            Ok(())
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
        || e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseLocked)
}

fn run(conn: Connection, asked: Receiver<Message>, stats: &CheckpointStats) {
    while let Ok(Message::Checkpoint) = asked.recv() {
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            Ok(()) => {
                stats.background.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) if is_busy(&e) => {}
            Err(e) => tracing::warn!("background WAL checkpoint failed: {e}"),
        }
    }
    drop(conn);
}

impl Drop for Checkpointer {
    /// Stops the thread and closes its connection before returning: the process's
    /// exclusive lock on the files lasts as long as any of its connections is open.
    fn drop(&mut self) {
        let _ = self.wake.send(Message::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OpenFlags;

    fn wal_pages(dir: &Path) -> u64 {
        let len = std::fs::metadata(dir.join("db.sqlite-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
        len / 4096
    }

    #[test]
    fn the_wal_starts_over_under_a_sustained_load_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut conn = Connection::open_with_flags_and_vfs(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            super::super::readers::VFS,
        )
        .unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT; PRAGMA journal_mode = WAL;")
            .unwrap();
        super::super::readers::configure(&conn).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
            .unwrap();
        let thresholds = Thresholds {
            background_every: 40,
            catch_up: 160,
        };
        let checkpointer = Checkpointer::start(&path, thresholds).unwrap();
        conn.wal_hook(Some(checkpointer.hook())).unwrap();
        let mut largest = 0;
        for i in 0..600 {
            // Two pages of new rows per commit, and an update of an old one.
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE;
                 INSERT INTO t (v) VALUES (randomblob(3000)), (randomblob(3000));
                 UPDATE t SET v = randomblob(3000) WHERE id = {};
                 COMMIT;",
                i / 2 + 1
            ))
            .unwrap();
            largest = largest.max(wal_pages(dir.path()));
        }
        let stats = checkpointer.stats();
        assert!(
            stats.background.load(Ordering::Relaxed) > 0,
            "{}",
            stats.line()
        );
        assert!(
            stats.catch_up.load(Ordering::Relaxed) > 0,
            "{}",
            stats.line()
        );
        // Without the catch-up the WAL would hold every one of the ~3,000 frames written.
        assert!(
            largest < 2 * thresholds.catch_up as u64,
            "the WAL grew to {largest} pages"
        );
        conn.wal_hook(None::<fn(&mut Wal, c_int) -> rusqlite::Result<()>>)
            .unwrap();
        drop(checkpointer);
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1200);
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
