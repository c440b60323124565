//! The floor's database: created from the repository's `migrations/*.sql` in order, stock
//! raised like the storefront side's, and every connection opened with the pragmas the
//! host's connections use (`src/database/readers.rs`' `CONNECTION_SETTINGS`, WAL, the query
//! planner stability guarantee) and the library configured as the host's (no memory statistics).

use std::path::{Path, PathBuf};

/// The pragmas of every host connection (`src/database/readers.rs`), and WAL with
/// checkpoints left to [`checkpoint_forever`] as the host leaves them to its background.
const CONNECTION_SETTINGS: &str = "PRAGMA foreign_keys = ON;
     PRAGMA busy_timeout = 5000;
     PRAGMA synchronous = FULL;
     PRAGMA temp_store = MEMORY;
     PRAGMA journal_mode = WAL;
     PRAGMA wal_autocheckpoint = 0;";

/// The database file in `data_dir`.
pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("floor.db")
}

/// Applies every migration of the repository in version order to a fresh file and raises
/// every variant's stock so that orders never run out.
pub fn create(data_dir: &Path) -> rusqlite::Result<()> {
    let conn = open(data_dir)?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .map(|e| e.expect("a migration").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for path in files {
        let sql = std::fs::read_to_string(&path).expect("a readable migration");
        conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))?;
    }
    conn.execute("UPDATE variants SET stock = 100000000", [])?;
    Ok(())
}

/// SQLite's memory statistics off before the first connection, as the host configures
/// the library (their global mutex is taken on every allocation otherwise).
fn configure_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: called once, before any connection of this process is opened.
        unsafe {
            rusqlite::ffi::sqlite3_config(
                rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS,
                0 as std::os::raw::c_int,
            );
        }
    });
}

/// A connection with the host's settings, the query planner stability guarantee included
/// (without it a statement whose plan may depend on its values is parsed again on every run).
pub fn open(data_dir: &Path) -> rusqlite::Result<rusqlite::Connection> {
    configure_library();
    let conn = rusqlite::Connection::open(file(data_dir))?;
    conn.execute_batch(CONNECTION_SETTINGS)?;
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Copies the WAL into the database file once a second off the commit path, as the host's
/// background checkpoints do (`src/database/checkpoints.rs`).
pub fn checkpoint_forever(data_dir: PathBuf) {
    std::thread::spawn(move || {
        let conn = open(&data_dir).expect("a checkpoint connection");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
    });
}
