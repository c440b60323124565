//! The file behind Spin's `default` key-value store: `sqlite_key_value.db` in the owned
//! data dir, beside the shop's `sqlite_db.db` and never inside it, with the table Spin's
//! own default store uses (`spin_key_value (store, key, value)`), so a store file moves
//! between this host and `spin up` unchanged.
//!
//! Opened once per process (by the process holding `storefront.lock`, and only when a
//! loaded component lists a store), as one connection in WAL mode with
//! `synchronous=FULL` and `locking_mode=EXCLUSIVE`: a `set` or `delete` returns to the
//! component only once it is on disk, so nothing a response acknowledges is lost, and no
//! other process reads the file meanwhile. Operations are serialised on that connection
//! and run off the async workers.
//!
//! Backups carry the store inside the shop's snapshot file (the same table, copied in
//! right after the snapshot is written, before it is checked and named) and a restore
//! takes it out again into its own file ([`copy_into_snapshot`](KeyValueFile::copy_into_snapshot),
//! [`restore_from_snapshot`]).

use super::sqlite_wit::Value as SqlValue;
use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The store's file name in the data dir (Spin's default store file name).
pub const KEY_VALUE_FILE: &str = "sqlite_key_value.db";

/// The table, as Spin's default store has it.
pub const TABLE: &str = "spin_key_value";

/// Largest answer one call may buffer in the host (a value, or all keys of a store):
/// Spin's `MAX_HOST_BUFFERED_BYTES`, 128 MiB.
pub const MAX_RESULT_BYTES: usize = 128 << 20;

const CREATE: &str = "CREATE TABLE IF NOT EXISTS spin_key_value (
    store TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (store, key)
)";

/// The process's one connection to the key-value file.
#[derive(Clone)]
pub struct KeyValueFile {
    conn: Arc<Mutex<Connection>>,
    path: Arc<PathBuf>,
}

/// Spin's text for an answer over [`MAX_RESULT_BYTES`].
pub fn too_large() -> String {
    format!("query result exceeds limit of {MAX_RESULT_BYTES} bytes")
}

impl KeyValueFile {
    /// Opens (creating if needed) the store file in `data_dir`, which the caller owns.
    pub fn open(data_dir: &Path) -> Result<KeyValueFile> {
        let path = data_dir.join(KEY_VALUE_FILE);
        let conn = Connection::open(&path)
            .with_context(|| format!("cannot open the key-value store {}", path.display()))?;
        // A process that restarts in place (`up --watch` on a manifest change) may still
        // be closing its previous connection.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        anyhow::ensure!(
            mode.eq_ignore_ascii_case("wal"),
            "the key-value store {} cannot use WAL (journal_mode is {mode})",
            path.display()
        );
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute(CREATE, [])
            .with_context(|| format!("cannot prepare the key-value store {}", path.display()))?;
        Ok(KeyValueFile {
            conn: Arc::new(Mutex::new(conn)),
            path: Arc::new(path),
        })
    }

    /// Runs `f` on the connection on a blocking thread.
    pub async fn with<T, F>(&self, f: F) -> rusqlite::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || f(&conn.lock().unwrap_or_else(|e| e.into_inner())))
            .await
            .unwrap_or_else(|e| {
                Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                    Some(format!("key-value task: {e}")),
                ))
            })
    }

    /// [`Self::copy_into_snapshot`] on a blocking thread.
    pub async fn copy_into_snapshot_async(&self, snapshot: PathBuf) -> Result<usize> {
        let file = self.clone();
        tokio::task::spawn_blocking(move || file.copy_into_snapshot(&snapshot))
            .await
            .context("key-value snapshot task")?
    }

    /// Copies every store's rows into the snapshot file at `snapshot` (a SQLite file just
    /// written by `VACUUM INTO`), as table [`TABLE`]; how many rows.
    pub fn copy_into_snapshot(&self, snapshot: &Path) -> Result<usize> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let copy = || -> rusqlite::Result<usize> {
            conn.execute(
                "ATTACH DATABASE ?1 AS snapshot",
                [snapshot.to_string_lossy()],
            )?;
            let copied = (|| {
                conn.execute(&CREATE.replace(TABLE, &format!("snapshot.{TABLE}")), [])?;
                conn.execute(
                    &format!(
                        "INSERT INTO snapshot.{TABLE} SELECT store, key, value FROM main.{TABLE}"
                    ),
                    [],
                )
            })();
            conn.execute("DETACH DATABASE snapshot", [])?;
            copied
        };
        copy().with_context(|| {
            format!(
                "cannot copy the key-value store {} into the snapshot {}",
                self.path.display(),
                snapshot.display()
            )
        })
    }
}

/// The file a statement snapshots the database into (`VACUUM INTO ?` with the path
/// bound, or `VACUUM INTO 'path'`), if it is such a statement.
pub fn snapshot_target(statement: &str, params: &[SqlValue]) -> Option<PathBuf> {
    if !crate::database::statement::is_vacuum_into(statement) {
        return None;
    }
    if let Some(SqlValue::Text(path)) = params.first() {
        return Some(PathBuf::from(path));
    }
    let (start, end) = (statement.find('\'')?, statement.rfind('\'')?);
    (end > start + 1).then(|| PathBuf::from(statement[start + 1..end].replace("''", "'")))
}

/// Whether the snapshot at `snapshot` carries a key-value store; its row count if so.
pub fn rows_in_snapshot(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let has: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [TABLE],
            |r| r.get(0),
        )
        .optional()?;
    match has {
        Some(_) => conn
            .query_row(&format!("SELECT count(*) FROM {TABLE}"), [], |r| r.get(0))
            .map(Some),
        None => Ok(None),
    }
}

/// A restore's key-value half: when the snapshot being restored (`snapshot`, still under
/// its partial name) carries a store, its rows go into a new file produced under a
/// partial name beside `to`, checked with `integrity_check` and only then named `to`, and
/// the table leaves the snapshot. A `to` already there is replaced: the restore runs only
/// on a data dir without a database, where such a file is what an interrupted restore
/// left. The rows restored, or `None` when the snapshot has no store.
pub fn restore_into(snapshot: &Path, to: &Path) -> Result<Option<i64>> {
    crate::atomic_file::remove_stale_partials(to)
        .with_context(|| format!("cannot clear interrupted restores of {}", to.display()))?;
    let partial = crate::atomic_file::partial_path(to);
    let result = (|| {
        let Some(rows) = restore_from_snapshot(snapshot, &partial)? else {
            return Ok(None);
        };
        let check: String =
            Connection::open(&partial)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        anyhow::ensure!(
            check == "ok",
            "the restored key-value store failed integrity_check: {check}"
        );
        crate::atomic_file::promote(&partial, to, crate::atomic_file::Existing::Replace)
            .with_context(|| format!("cannot name the key-value store {}", to.display()))?;
        Ok(Some(rows))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Moves the key-value rows a snapshot carries out of `snapshot` (the shop database being
/// restored, still under its partial name) into `kv_partial`, a new store file, and drops
/// the table from the snapshot, so the shop's database stays one file of its own. Returns
/// the rows moved, or `None` (and writes nothing) when the snapshot has no store.
fn restore_from_snapshot(snapshot: &Path, kv_partial: &Path) -> Result<Option<i64>> {
    let conn = Connection::open(snapshot)
        .with_context(|| format!("cannot open snapshot {}", snapshot.display()))?;
    let Some(rows) = rows_in_snapshot(&conn)? else {
        return Ok(None);
    };
    {
        let kv = Connection::open(kv_partial)
            .with_context(|| format!("cannot create {}", kv_partial.display()))?;
        kv.pragma_update(None, "synchronous", "FULL")?;
        kv.execute(CREATE, [])?;
        kv.execute(
            "ATTACH DATABASE ?1 AS snapshot",
            [snapshot.to_string_lossy()],
        )?;
        kv.execute(
            &format!("INSERT INTO main.{TABLE} SELECT store, key, value FROM snapshot.{TABLE}"),
            [],
        )?;
        kv.execute("DETACH DATABASE snapshot", [])?;
    }
    conn.execute(&format!("DROP TABLE {TABLE}"), [])?;
    Ok(Some(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_statement_names_its_file() {
        let bound = [SqlValue::Text("/b/snap.db".into())];
        assert_eq!(
            snapshot_target("VACUUM INTO ?", &bound),
            Some(PathBuf::from("/b/snap.db"))
        );
        assert_eq!(
            snapshot_target("vacuum  into 'it''s.db'", &[]),
            Some(PathBuf::from("it's.db"))
        );
        assert_eq!(snapshot_target("VACUUM", &[]), None);
        assert_eq!(snapshot_target("SELECT 'VACUUM INTO x'", &[]), None);
    }

    #[test]
    fn a_snapshot_carries_the_store_and_a_restore_takes_it_out() {
        let dir = tempfile::tempdir().unwrap();
        let file = KeyValueFile::open(dir.path()).unwrap();
        file.conn
            .lock()
            .unwrap()
            .execute(
                "INSERT INTO spin_key_value VALUES ('default', 'k', x'00ff')",
                [],
            )
            .unwrap();
        let snapshot = dir.path().join("snap.db");
        Connection::open(&snapshot)
            .unwrap()
            .execute("CREATE TABLE orders (id INTEGER)", [])
            .unwrap();
        assert_eq!(file.copy_into_snapshot(&snapshot).unwrap(), 1);
        let restored = dir.path().join("restored").join(KEY_VALUE_FILE);
        std::fs::create_dir(restored.parent().unwrap()).unwrap();
        assert_eq!(restore_into(&snapshot, &restored).unwrap(), Some(1));
        let shop = Connection::open(&snapshot).unwrap();
        assert_eq!(rows_in_snapshot(&shop).unwrap(), None);
        let value: Vec<u8> = Connection::open(&restored)
            .unwrap()
            .query_row(
                "SELECT value FROM spin_key_value WHERE key = 'k'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(value, [0, 255]);
        // A snapshot without a store restores none and writes no file.
        let other = dir.path().join("other").join(KEY_VALUE_FILE);
        std::fs::create_dir(other.parent().unwrap()).unwrap();
        assert_eq!(restore_into(&snapshot, &other).unwrap(), None);
        assert!(!other.exists());
    }
}
