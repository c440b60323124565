//! The owner's check of the write-ahead log before SQLite opens it.
//!
//! SQLite reads a WAL frame by frame and stops at the first frame whose salts or
//! cumulative checksum do not match: everything after it is ignored, and the next
//! checkpoint or write overwrites it. That is right for a torn tail (the frames of a
//! commit the process or the power cut short, never acknowledged), and wrong when the
//! frame in the middle is damaged: the commits after it were acknowledged, and SQLite
//! would silently drop them. So before the first connection opens, [`scan`] reads the
//! WAL itself (format: <https://www.sqlite.org/fileformat2.html#walformat>):
//!
//! - frames after the last valid commit frame with no valid commit after them are a torn
//!   tail: dropped as SQLite drops them, and counted for the log;
//! - a commit frame after the first invalid frame whose salts are the header's and whose
//!   checksum is right when the chain restarts from the previous frame's stored checksum
//!   (it would be valid had the chain not been broken before it) means damage:
//!   [`WalDamage`] names the file and the first damaged frame, and the caller refuses to
//!   open the database, so nothing is checkpointed or overwritten.

use std::fmt;
use std::path::{Path, PathBuf};

const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;

/// What the WAL holds, when SQLite may open it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WalScan {
    /// Frames up to the last valid commit frame (what SQLite will read).
    pub committed_frames: usize,
    /// Frames after it (an interrupted commit), which SQLite drops.
    pub dropped_frames: usize,
}

/// Acknowledged commits SQLite would not read: the WAL must be kept as it is.
#[derive(Debug, PartialEq, Eq)]
pub struct WalDamage {
    pub file: PathBuf,
    /// 1-based number of the first frame that fails its check.
    pub frame: usize,
    /// 1-based number of a valid commit frame after it.
    pub later_commit: usize,
    pub frames: usize,
}

impl fmt::Display for WalDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.frame == 0 {
            write!(
                f,
                "the write-ahead log {} has a damaged header, so none of its {} frames \
                 can be read",
                self.file.display(),
                self.frames
            )?;
        } else {
            write!(
                f,
                "the write-ahead log {} is damaged at frame {} of {}: a valid commit \
                 follows (frame {}), so acknowledged changes would be lost",
                self.file.display(),
                self.frame,
                self.frames,
                self.later_commit
            )?;
        }
        write!(
            f,
            "; refusing to open the database. The files are kept as they are (nothing was \
             checkpointed or overwritten): copy the data dir aside and restore from a \
             backup (docs/operations.md, \"Damaged database files\")"
        )
    }
}

impl std::error::Error for WalDamage {}

/// Scans `<database>-wal`; a missing or empty WAL holds nothing.
pub fn scan(database: &Path) -> std::io::Result<Result<WalScan, WalDamage>> {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    let file = PathBuf::from(name);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(WalScan::default())),
        Err(e) => return Err(e),
    };
    Ok(
        scan_bytes(&bytes).map_err(|(frame, later_commit, frames)| WalDamage {
            file,
            frame,
            later_commit,
            frames,
        }),
    )
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// SQLite's WAL checksum of `data` (a multiple of 8 bytes), continuing from `seed`.
fn checksum(big_endian: bool, seed: (u32, u32), data: &[u8]) -> (u32, u32) {
    let (mut s0, mut s1) = seed;
    for pair in data.chunks_exact(8) {
        let word = |b: &[u8]| {
            let b = [b[0], b[1], b[2], b[3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s0 = s0.wrapping_add(word(&pair[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&pair[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

/// The scan of a WAL's bytes; `Err((first bad frame, later valid commit, frames))`.
fn scan_bytes(bytes: &[u8]) -> Result<WalScan, (usize, usize, usize)> {
    if bytes.len() < HEADER {
        return Ok(WalScan::default());
    }
    let magic = be32(&bytes[0..]);
    let page_size = be32(&bytes[8..]) as usize;
    let big_endian = magic == MAGIC_BE;
    let header_sum = checksum(big_endian, (0, 0), &bytes[..24]);
    let header_ok = (magic == MAGIC_LE || magic == MAGIC_BE)
        && (512..=65536).contains(&page_size)
        && page_size.is_power_of_two()
        && header_sum == (be32(&bytes[24..]), be32(&bytes[28..]));
    let frame_size = FRAME_HEADER + page_size;
    if !header_ok {
        // SQLite ignores a WAL whose header fails; frames could not be told apart.
        let frames = bytes.len().saturating_sub(HEADER) / frame_size.max(FRAME_HEADER + 512);
        return if frames == 0 {
            Ok(WalScan::default())
        } else {
            Err((0, 0, frames))
        };
    }
    let salts = &bytes[16..24];
    let frames: Vec<&[u8]> = bytes[HEADER..].chunks(frame_size).collect();
    let total = frames.len();
    // The frame's own checksum, continuing from `seed`, if it is whole and its salts match.
    let valid = |frame: &[u8], seed: (u32, u32)| -> bool {
        frame.len() == frame_size && be32(frame) != 0 && &frame[8..16] == salts && {
            let sum = checksum(big_endian, seed, &frame[..8]);
            let sum = checksum(big_endian, sum, &frame[FRAME_HEADER..]);
            sum == (be32(&frame[16..]), be32(&frame[20..]))
        }
    };
    let is_commit = |frame: &[u8]| be32(&frame[4..]) != 0;
    let mut seed = header_sum;
    let mut last_commit = 0;
    let mut first_bad = None;
    for (i, frame) in frames.iter().enumerate() {
        if !valid(frame, seed) {
            first_bad = Some(i);
            break;
        }
        seed = (be32(&frame[16..]), be32(&frame[20..]));
        if is_commit(frame) {
            last_commit = i + 1;
        }
    }
    if let Some(bad) = first_bad {
        for j in bad + 1..total {
            let previous = frames[j - 1];
            if previous.len() < FRAME_HEADER {
                break;
            }
            let restarted = (be32(&previous[16..]), be32(&previous[20..]));
            if frames[j].len() == frame_size && is_commit(frames[j]) && valid(frames[j], restarted)
            {
                return Err((bad + 1, j + 1, total));
            }
        }
    }
    Ok(WalScan {
        committed_frames: last_commit,
        dropped_frames: total - last_commit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// A WAL with `commits` commits of a few pages each, as a crashed writer leaves it.
    fn wal_of(commits: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (v BLOB);",
        )
        .unwrap();
        for _ in 0..commits {
            conn.execute_batch("INSERT INTO t VALUES (randomblob(6000))")
                .unwrap();
        }
        let wal = std::fs::read(dir.path().join("db-wal")).unwrap();
        drop(conn);
        wal
    }

    fn frame_offset(wal: &[u8], frame: usize) -> usize {
        HEADER + (frame - 1) * (FRAME_HEADER + be32(&wal[8..]) as usize)
    }

    #[test]
    fn an_intact_wal_has_nothing_to_drop() {
        let wal = wal_of(10);
        let scan = scan_bytes(&wal).unwrap();
        assert_eq!(scan.dropped_frames, 0);
        assert!(scan.committed_frames > 10, "{scan:?}");
    }

    #[test]
    fn a_flipped_bit_in_the_middle_is_damage_at_that_frame() {
        let mut wal = wal_of(10);
        let at = frame_offset(&wal, 5) + FRAME_HEADER + 100;
        wal[at] ^= 0x04;
        let (frame, later, _) = scan_bytes(&wal).unwrap_err();
        assert_eq!(frame, 5);
        assert!(later > 5);
    }

    #[test]
    fn a_damaged_checksum_field_is_damage_too() {
        let mut wal = wal_of(10);
        let at = frame_offset(&wal, 4) + 17;
        wal[at] ^= 0x80;
        assert_eq!(scan_bytes(&wal).unwrap_err().0, 4);
    }

    #[test]
    fn a_torn_tail_is_dropped_and_counted() {
        let wal = wal_of(10);
        let whole = scan_bytes(&wal).unwrap().committed_frames;
        // The last commit cut short half way through its last frame.
        let cut = frame_offset(&wal, whole) + 1000;
        let scan = scan_bytes(&wal[..cut]).unwrap();
        assert!(scan.committed_frames < whole);
        assert_eq!(scan.dropped_frames, whole - scan.committed_frames);
        // Or garbled: the last frames overwritten with noise.
        let mut garbled = wal.clone();
        let from = frame_offset(&wal, whole - 1);
        for b in &mut garbled[from..] {
            *b = b.wrapping_mul(31).wrapping_add(7);
        }
        let scan = scan_bytes(&garbled).unwrap();
        assert!(
            scan.committed_frames < whole && scan.dropped_frames >= 2,
            "{scan:?}"
        );
    }
}
