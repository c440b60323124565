//! Reads what one COMMIT added to the write-ahead log, right after it, on the committing
//! thread (from the batch connection's WAL hook, before any later write can touch the WAL).
//!
//! The hook is told how many frames the WAL holds now; the frames from the last one read
//! up to there are the commit's (format: <https://www.sqlite.org/fileformat2.html#walformat>).
//! When SQLite starts the WAL over after a checkpoint, it writes a new header with new
//! salts and the frames begin again at the first: the salts tell, and reading begins
//! again from there. Every frame read must carry the header's salts, and the last one
//! must be a commit frame (it carries the database's size); anything else means the WAL
//! is not what this process wrote, and shipping stops loudly rather than ship it.

use super::segment::Commit;
use anyhow::{Context, Result, ensure};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const HEADER: u64 = 32;
const FRAME_HEADER: u64 = 24;

/// The position in the WAL of the last commit read.
pub struct WalReader {
    path: PathBuf,
    file: Option<File>,
    page_size: u32,
    salts: [u8; 8],
    /// Frames read in the WAL's current run.
    next: u64,
}

impl WalReader {
    /// For the database file `db` (its WAL is `<db>-wal`).
    pub fn new(db: &Path) -> WalReader {
        let mut path = db.as_os_str().to_owned();
        path.push("-wal");
        WalReader {
            path: PathBuf::from(path),
            file: None,
            page_size: 0,
            salts: [0; 8],
            next: 0,
        }
    }

    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The pages of the commit that took the WAL to `frames` frames.
    pub fn commit(&mut self, frames: u64, number: u64, time_us: i64) -> Result<Commit> {
        if self.file.is_none() {
            self.file = Some(
                File::open(&self.path)
                    .with_context(|| format!("cannot read {}", self.path.display()))?,
            );
        }
        let file = self.file.as_ref().expect("opened above");
        let mut header = [0u8; HEADER as usize];
        file.read_exact_at(&mut header, 0)
            .with_context(|| format!("cannot read the header of {}", self.path.display()))?;
        let page_size = u32::from_be_bytes(header[8..12].try_into()?);
        let page_size = if page_size == 1 { 65536 } else { page_size };
        let salts: [u8; 8] = header[16..24].try_into()?;
        if salts != self.salts || page_size != self.page_size || frames < self.next {
            // The WAL started over (or this is the first commit seen).
            self.salts = salts;
            self.page_size = page_size;
            self.next = 0;
        }
        ensure!(
            frames > self.next,
            "the WAL holds {frames} frames, {} of them already read",
            self.next
        );
        let frame_size = FRAME_HEADER + u64::from(page_size);
        let count = (frames - self.next) as usize;
        let mut buffer = vec![0u8; count * frame_size as usize];
        file.read_exact_at(&mut buffer, HEADER + self.next * frame_size)
            .with_context(|| format!("cannot read the frames of {}", self.path.display()))?;
        let mut pages = Vec::with_capacity(count);
        let mut db_pages = 0;
        for frame in buffer.chunks_exact(frame_size as usize) {
            ensure!(
                frame[8..16] == self.salts,
                "a frame of {} carries other salts than its header",
                self.path.display()
            );
            let page = u32::from_be_bytes(frame[0..4].try_into()?);
            db_pages = u32::from_be_bytes(frame[4..8].try_into()?);
            pages.push((page, Box::from(&frame[FRAME_HEADER as usize..])));
        }
        ensure!(
            db_pages > 0,
            "the last frame of a commit in {} is not a commit frame",
            self.path.display()
        );
        self.next = frames;
        Ok(Commit {
            number,
            time_us,
            db_pages,
            pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::database::checkpoints::{Checkpointer, Thresholds};
    use crate::database::readers;
    use rusqlite::{Connection, OpenFlags};
    use std::sync::{Arc, Mutex};

    fn content(conn: &Connection) -> Vec<(i64, Vec<u8>)> {
        let mut stmt = conn.prepare("SELECT id, v FROM t ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn commits_read_from_the_wal_rebuild_the_database_across_wal_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut conn = Connection::open_with_flags_and_vfs(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            readers::VFS,
        )
        .unwrap();
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT; PRAGMA journal_mode = WAL;")
            .unwrap();
        readers::configure(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
        // The copy the commits apply to: the database file once the WAL is empty.
        let base = dir.path().join("base.sqlite");
        std::fs::copy(&path, &base).unwrap();

        let checkpointer = Checkpointer::start(
            &path,
            Thresholds {
                background_every: 40,
                catch_up: 160,
            },
        )
        .unwrap();
        let captured = Arc::new(Mutex::new(Vec::new()));
        let mut reader = WalReader::new(&path);
        let mut checkpoint = checkpointer.hook();
        let sink = captured.clone();
        let mut number = 0;
        conn.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, frames| {
            number += 1;
            sink.lock()
                .unwrap()
                .push(reader.commit(frames as u64, number, number as i64).unwrap());
            checkpoint(wal, frames)
        }))
        .unwrap();
        for i in 0..400 {
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE;
                 INSERT INTO t (v) VALUES (randomblob(3000)), (randomblob(100));
                 UPDATE t SET v = randomblob(2000) WHERE id = {};
                 DELETE FROM t WHERE id = {};
                 COMMIT;",
                i / 2 + 1,
                i / 3 + 1
            ))
            .unwrap();
        }
        conn.wal_hook(
            None::<fn(&mut rusqlite::hooks::Wal, std::os::raw::c_int) -> rusqlite::Result<()>>,
        )
        .unwrap();
        let stats = checkpointer.stats();
        assert!(
            stats.catch_up.load(std::sync::atomic::Ordering::Relaxed) > 0,
            "the WAL started over: {}",
            stats.line()
        );
        drop(checkpointer);
        let live = content(&conn);

        let commits = captured.lock().unwrap();
        assert_eq!(commits.len(), 400);
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&base)
            .unwrap();
        for commit in commits.iter() {
            super::super::restore::apply(&file, 4096, commit).unwrap();
        }
        drop(file);
        let rebuilt = Connection::open(&base).unwrap();
        let check: String = rebuilt
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        assert_eq!(content(&rebuilt), live);
    }
}
