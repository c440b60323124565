//! One segment: the commits the shipper uploads in one object, and its file format.
//!
//! A commit is what one COMMIT added to the write-ahead log, as page images: for each
//! page it wrote, the page's number and its new content, plus the database's size in
//! pages after the commit (the WAL's commit frame says so). Applied in order onto a copy
//! of the database that is no newer than the first of them (see [`super::restore`]),
//! they give the database as it was after the last one. Nothing in them depends on the
//! WAL file they came from, so a checkpoint that starts the WAL over changes nothing
//! here: the commits keep their numbers, and segments keep theirs.
//!
//! The object: gzip of
//!
//! ```text
//! "SFSEG001" | u32 header length | header (JSON: generation, segment, page size,
//!            first/last commit, first/last commit time)
//! per commit: u64 number | i64 time (µs since 1970) | u32 pages after it | u32 count
//!             | count × (u32 page number | page)
//! SHA-256 of everything above
//! ```
//!
//! all integers little-endian. A segment whose checksum or shape is wrong is refused as a
//! whole, never applied in part.

use anyhow::{Context, Result, bail, ensure};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

const MAGIC: &[u8; 8] = b"SFSEG001";
/// A decompressed segment larger than this is refused (the shipper cuts at
/// [`super::SEGMENT_BYTES`], far below).
const MAX_DECOMPRESSED: u64 = 1 << 30;

/// One commit's pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    /// Numbered from 1 in each generation, without gaps among those with pages.
    pub number: u64,
    /// When it was committed, µs since 1970 (never earlier than the one before).
    pub time_us: i64,
    /// The database's size in pages after it.
    pub db_pages: u32,
    pub pages: Vec<(u32, Box<[u8]>)>,
}

impl Commit {
    pub fn bytes(&self) -> usize {
        self.pages.iter().map(|(_, p)| p.len() + 4).sum::<usize>() + 24
    }
}

/// What a segment says of itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub generation: u64,
    pub segment: u64,
    pub page_size: u32,
    pub first_commit: u64,
    pub last_commit: u64,
    pub first_time_us: i64,
    pub last_time_us: i64,
}

/// A segment's bytes as stored (compressed, checksummed).
pub fn encode(
    generation: u64,
    segment: u64,
    page_size: u32,
    commits: &[Commit],
) -> Result<Vec<u8>> {
    ensure!(!commits.is_empty(), "a segment holds at least one commit");
    let header = Header {
        generation,
        segment,
        page_size,
        first_commit: commits[0].number,
        last_commit: commits[commits.len() - 1].number,
        first_time_us: commits[0].time_us,
        last_time_us: commits[commits.len() - 1].time_us,
    };
    let header = serde_json::to_vec(&header)?;
    let mut raw = Vec::with_capacity(commits.iter().map(Commit::bytes).sum::<usize>() + 64);
    raw.extend_from_slice(MAGIC);
    raw.extend_from_slice(&(header.len() as u32).to_le_bytes());
    raw.extend_from_slice(&header);
    for c in commits {
        raw.extend_from_slice(&c.number.to_le_bytes());
        raw.extend_from_slice(&c.time_us.to_le_bytes());
        raw.extend_from_slice(&c.db_pages.to_le_bytes());
        raw.extend_from_slice(&(c.pages.len() as u32).to_le_bytes());
        for (number, page) in &c.pages {
            ensure!(
                page.len() == page_size as usize,
                "page {number} has {} bytes, not {page_size}",
                page.len()
            );
            raw.extend_from_slice(&number.to_le_bytes());
            raw.extend_from_slice(page);
        }
    }
    let sum = Sha256::digest(&raw);
    raw.extend_from_slice(&sum);
    let mut gz = GzEncoder::new(Vec::with_capacity(raw.len() / 3), Compression::fast());
    gz.write_all(&raw)?;
    Ok(gz.finish()?)
}

/// A stored segment's header and commits; `Err` if it is damaged in any way.
pub fn decode(stored: &[u8]) -> Result<(Header, Vec<Commit>)> {
    let mut raw = Vec::new();
    GzDecoder::new(stored)
        .take(MAX_DECOMPRESSED)
        .read_to_end(&mut raw)
        .context("the segment does not decompress")?;
    ensure!(
        raw.len() >= MAGIC.len() + 4 + 32,
        "the segment is truncated"
    );
    let (body, sum) = raw.split_at(raw.len() - 32);
    ensure!(
        Sha256::digest(body).as_slice() == sum,
        "the segment's checksum does not match its content"
    );
    let mut r = Reader(body);
    ensure!(r.take(8)? == MAGIC, "not a storefront WAL segment");
    let len = r.u32()? as usize;
    let header: Header = serde_json::from_slice(r.take(len)?).context("the segment's header")?;
    let mut commits = Vec::new();
    while !r.0.is_empty() {
        let number = r.u64()?;
        let time_us = r.u64()? as i64;
        let db_pages = r.u32()?;
        let count = r.u32()? as usize;
        let mut pages = Vec::with_capacity(count.min(r.0.len() / (header.page_size as usize + 4)));
        for _ in 0..count {
            let page_number = r.u32()?;
            pages.push((page_number, Box::from(r.take(header.page_size as usize)?)));
        }
        commits.push(Commit {
            number,
            time_us,
            db_pages,
            pages,
        });
    }
    match (commits.first(), commits.last()) {
        (Some(first), Some(last))
            if first.number == header.first_commit && last.number == header.last_commit => {}
        _ => bail!("the segment's commits do not match its header"),
    }
    Ok((header, commits))
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        ensure!(self.0.len() >= n, "the segment is truncated");
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(number: u64, fill: u8) -> Commit {
        Commit {
            number,
            time_us: 1_000 + number as i64,
            db_pages: 3,
            pages: vec![(1, vec![fill; 512].into()), (3, vec![fill + 1; 512].into())],
        }
    }

    #[test]
    fn a_segment_reads_back_as_written() {
        let commits = vec![commit(7, 1), commit(8, 2)];
        let stored = encode(4, 9, 512, &commits).unwrap();
        let (header, back) = decode(&stored).unwrap();
        assert_eq!(back, commits);
        assert_eq!((header.generation, header.segment), (4, 9));
        assert_eq!((header.first_commit, header.last_commit), (7, 8));
        assert_eq!((header.first_time_us, header.last_time_us), (1_007, 1_008));
    }

    #[test]
    fn a_damaged_segment_is_refused_whole() {
        let stored = encode(1, 1, 512, &[commit(1, 5)]).unwrap();
        let mut raw = Vec::new();
        GzDecoder::new(&stored[..]).read_to_end(&mut raw).unwrap();
        raw[100] ^= 1;
        let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&raw).unwrap();
        let err = decode(&gz.finish().unwrap()).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
        assert!(decode(&stored[..stored.len() / 2]).is_err());
    }
}
