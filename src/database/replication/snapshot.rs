//! A snapshot for the bucket: the database's pages exactly as they are (SQLite's online
//! backup, which copies page for page, so that the WAL pages of later commits apply on
//! top of it by page number), compressed.
//!
//! It is read on a connection of its own inside one read transaction, opened before the
//! copy starts: the copy is the database as of that moment, whatever commits meanwhile.
//! The commit numbers read just before and just after the transaction opened bound what
//! it holds ([`super::layout::SnapshotName`]). The files go to a private temporary folder
//! in the data dir (the volume sized for the database), removed when done.

use super::Feed;
use super::layout::SnapshotName;
use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use rusqlite::Connection;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Pages copied per backup step (16 MiB with 4 KiB pages): shutdown waits at most one.
const COPY_STEP_PAGES: std::os::raw::c_int = 4096;

/// A compressed snapshot file waiting to be uploaded.
pub struct Taken {
    pub name: SnapshotName,
    pub file: PathBuf,
    /// Keeps the folder until the upload is done.
    pub _dir: tempfile::TempDir,
    pub bytes: u64,
}

/// Copies the database at `db` (owned by this process) for generation `generation`.
/// Blocking: run it off the async workers.
pub fn take(db: &Path, generation: u64, feed: &Feed) -> Result<Taken> {
    let folder = db.parent().unwrap_or(Path::new("."));
    let dir = tempfile::Builder::new()
        .prefix(".replica-snapshot-")
        .tempdir_in(folder)
        .with_context(|| format!("cannot make a temporary folder in {}", folder.display()))?;
    let _copying = feed.copying.lock().unwrap();
    let closing = || feed.closing.load(std::sync::atomic::Ordering::SeqCst);
    anyhow::ensure!(!closing(), "the database is closing");
    let source = crate::database::readers::open_beside(db, "a snapshot's connection")?;
    source.execute_batch("PRAGMA query_only = ON;")?;
    let from = feed.required();
    source.execute_batch("BEGIN; SELECT count(*) FROM sqlite_schema;")?;
    let to = feed.required();
    let time_us = super::now_us();
    let plain = dir.path().join("snapshot.db");
    {
        let mut copy = Connection::open(&plain)
            .with_context(|| format!("cannot create {}", plain.display()))?;
        // Step by step, all inside the read transaction opened above (so the copy is one
        // moment of the database), and stopped between two steps when it closes.
        let backup = rusqlite::backup::Backup::new(&source, &mut copy)?;
        loop {
            anyhow::ensure!(!closing(), "the database closed during the snapshot");
            match backup
                .step(COPY_STEP_PAGES)
                .context("copying the database for a snapshot")?
            {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                other => anyhow::bail!("copying the database for a snapshot: {other:?}"),
            }
        }
    }
    source.execute_batch("COMMIT;")?;
    drop(source);
    drop(_copying);
    let file = dir.path().join("snapshot.db.gz");
    let mut gz = GzEncoder::new(
        BufWriter::new(
            std::fs::File::create(&file)
                .with_context(|| format!("cannot create {}", file.display()))?,
        ),
        Compression::fast(),
    );
    std::io::copy(&mut std::fs::File::open(&plain)?, &mut gz)?;
    gz.finish()?.flush()?;
    std::fs::remove_file(&plain)?;
    let bytes = std::fs::metadata(&file)?.len();
    Ok(Taken {
        name: SnapshotName {
            generation,
            from: from.max(1),
            to,
            time_us,
        },
        file,
        _dir: dir,
        bytes,
    })
}
