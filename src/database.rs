//! The one SQLite connection of a writer process.
//!
//! It is opened only after [`crate::ownership`] holds the data dir, in WAL mode with
//! `locking_mode=EXCLUSIVE`: SQLite then keeps its WAL index in process memory (no
//! `-shm` file) and holds an exclusive lock on the database file for the whole
//! life of the connection, so no other process (a second host, a plain `spin up`,
//! a `sqlite3` shell) can read or write the files meanwhile.
//!
//! Every writer-component request goes through this one connection, one request
//! at a time (see [`crate::host::sqlite`]), so a component's `BEGIN … COMMIT` can
//! never interleave with another request's statements.

use anyhow::{Context, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Mutex;

/// File name real Spin uses for the `default` database inside its state dir.
pub const DEFAULT_DB_FILE: &str = "sqlite_db.db";

/// The shared, exclusively locked connection.
#[derive(Clone)]
pub struct Database {
    path: PathBuf,
    /// `None` once closed at shutdown.
    conn: Arc<Mutex<Option<Connection>>>,
}

/// The connection while one caller holds it; `None` after [`Database::close`].
pub type HeldConnection = tokio::sync::OwnedMutexGuard<Option<Connection>>;

impl Database {
    /// Opens `<data_dir>/sqlite_db.db` and takes SQLite's exclusive lock at once.
    pub fn open_exclusive(data_dir: &Path) -> Result<Database> {
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
        Ok(Database {
            path,
            conn: Arc::new(Mutex::new(Some(conn))),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the connection to be free and holds it until the guard drops.
    pub async fn acquire(&self) -> HeldConnection {
        self.conn.clone().lock_owned().await
    }

    /// Waits for in-flight work, copies the WAL into the database file so the files
    /// on disk are complete on their own, and closes the connection, releasing
    /// SQLite's exclusive lock for whoever takes over next.
    pub async fn close(&self) -> Result<()> {
        let mut guard = self.conn.lock().await;
        let Some(conn) = guard.take() else {
            return Ok(());
        };
        tokio::task::block_in_place(|| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .context("WAL checkpoint failed")?;
            conn.close()
                .map_err(|(_, e)| e)
                .context("closing the database failed")
        })
    }
}
