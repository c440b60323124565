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
