//! Rebuilding a database from the bucket: a snapshot, then the commits after it, page by
//! page, up to a chosen point.
//!
//! The point is a time (`--at`), a segment (`--generation G --segment N`), or the newest
//! commit. The generation used is the newest one with a snapshot taken by then (or `G`),
//! and it is used only up to its successor's claim: whatever a deposed owner shipped after
//! that is never applied. The snapshot is the newest one of that generation taken by
//! then; it holds every commit below its `from`, so the commits from `from` on are
//! applied (one it holds already is written again with the same pages, which changes
//! nothing), each as its pages written at their places and the file cut to the
//! database's size after it. Segments must follow one another without a gap; a missing
//! or damaged one stops the restore rather than skip commits.

use super::generation;
use super::layout::{self, Listed, SegmentName, SnapshotName};
use super::segment;
use crate::object_bucket::Bucket;
use anyhow::{Context, Result, bail, ensure};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// How far to restore.
#[derive(Debug, Clone, Copy)]
pub enum Point {
    /// The newest commit in the bucket.
    Newest,
    /// The last commit at or before this time (µs since 1970).
    At(i64),
    /// Through the end of this segment of this generation.
    Segment { generation: u64, segment: u64 },
    /// The newest commit of this generation.
    Generation(u64),
}

/// What a restore rebuilt.
#[derive(Debug)]
pub struct Rebuilt {
    pub generation: u64,
    pub snapshot: String,
    pub segments: usize,
    pub commits: usize,
    /// The last commit applied (or the snapshot's, if none was), and its time.
    pub through_commit: u64,
    pub through_time_us: i64,
}

impl std::fmt::Display for Rebuilt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "generation {}, snapshot {}, {} commit(s) from {} segment(s), through commit {} of {}",
            self.generation,
            self.snapshot,
            self.commits,
            self.segments,
            self.through_commit,
            layout::show_time(self.through_time_us)
        )
    }
}

/// Whether the bucket holds replication (a claim).
pub async fn holds_replicas(bucket: &Bucket) -> Result<bool> {
    Ok(!generation::claims(bucket).await?.is_empty())
}

/// Rebuilds the database at `point` into the new file `into`.
pub async fn rebuild(bucket: &Bucket, point: Point, into: &Path) -> Result<Rebuilt> {
    let mut snapshots = Vec::new();
    let mut segments = Vec::new();
    for meta in bucket.list(layout::GENERATIONS).await? {
        match layout::parse(bucket.name_of(meta.location.as_ref())) {
            Some(Listed::Snapshot(s)) => snapshots.push(s),
            Some(Listed::Segment(s)) => segments.push(s),
            _ => {}
        }
    }
    snapshots.sort();
    segments.sort();
    let claims = generation::claims(bucket).await?;
    // The generation, and the time it is used up to (its successor's claim).
    let taken_by = match point {
        Point::At(t) => t,
        _ => i64::MAX,
    };
    let generation = match point {
        Point::Segment { generation, .. } | Point::Generation(generation) => generation,
        Point::Newest | Point::At(_) => snapshots
            .iter()
            .filter(|s| s.time_us <= taken_by)
            .map(|s| s.generation)
            .max()
            .with_context(|| match point {
                Point::At(t) => format!(
                    "no snapshot in {} was taken by {}",
                    bucket.url(),
                    layout::show_time(t)
                ),
                _ => format!("no snapshot in {}", bucket.url()),
            })?,
    };
    let fence = match claims.iter().find(|&&c| c > generation) {
        Some(&successor) => generation::read(bucket, successor).await?.claimed_at_us,
        None => i64::MAX,
    };
    let until_time = taken_by.min(fence.saturating_sub(1));
    let ours: Vec<&SegmentName> = segments
        .iter()
        .filter(|s| s.generation == generation)
        .collect();
    let last_commit = match point {
        Point::Segment { segment, .. } => {
            let chosen = ours
                .iter()
                .find(|s| s.segment == segment)
                .with_context(|| {
                    format!(
                        "generation {generation} has no segment {segment} in {}",
                        bucket.url()
                    )
                })?;
            chosen.last
        }
        _ => u64::MAX,
    };
    let snapshot = snapshots
        .iter()
        .rfind(|s| s.generation == generation && s.time_us <= until_time && s.to <= last_commit)
        .with_context(|| {
            format!("generation {generation} has no snapshot to start from before that point")
        })?;
    let needed: Vec<&SegmentName> = ours
        .into_iter()
        .filter(|s| {
            s.last >= snapshot.from && s.first <= last_commit && s.first_time_us <= until_time
        })
        .collect();
    for pair in needed.windows(2) {
        ensure!(
            pair[1].segment == pair[0].segment + 1,
            "segment {} of generation {generation} is missing from {}: refusing to skip its commits",
            pair[0].segment + 1,
            bucket.url()
        );
    }
    download_snapshot(bucket, snapshot, into).await?;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(into)
        .with_context(|| format!("cannot open {}", into.display()))?;
    let page_size = page_size_of(&file)?;
    let mut rebuilt = Rebuilt {
        generation,
        snapshot: bucket.url_of(bucket.path(&snapshot.key()).as_ref()),
        segments: 0,
        commits: 0,
        through_commit: snapshot.from.saturating_sub(1),
        through_time_us: snapshot.time_us,
    };
    'segments: for name in needed {
        let key = bucket.path(&name.key());
        let stored = bucket.get(key.as_ref()).await?;
        let (header, commits) = segment::decode(&stored)
            .with_context(|| format!("segment {} is damaged", bucket.url_of(key.as_ref())))?;
        ensure!(
            header.generation == generation && header.segment == name.segment,
            "{} holds segment {} of generation {}, not what its name says",
            bucket.url_of(key.as_ref()),
            header.segment,
            header.generation
        );
        ensure!(
            header.page_size == page_size,
            "segment {} has {}-byte pages, the snapshot {page_size}",
            name.segment,
            header.page_size
        );
        rebuilt.segments += 1;
        for commit in commits {
            if commit.number < snapshot.from {
                continue;
            }
            if commit.number > last_commit || commit.time_us > until_time {
                break 'segments;
            }
            apply(&file, page_size, &commit)?;
            rebuilt.commits += 1;
            rebuilt.through_commit = commit.number;
            rebuilt.through_time_us = commit.time_us;
        }
    }
    file.sync_all()?;
    Ok(rebuilt)
}

/// Writes one commit's pages at their places in the database file and cuts the file to
/// the database's size after it.
pub fn apply(file: &std::fs::File, page_size: u32, commit: &segment::Commit) -> Result<()> {
    for (number, page) in &commit.pages {
        ensure!(*number > 0, "a commit names page 0");
        file.write_all_at(page, u64::from(*number - 1) * u64::from(page_size))?;
    }
    file.set_len(u64::from(commit.db_pages) * u64::from(page_size))?;
    Ok(())
}

async fn download_snapshot(bucket: &Bucket, snapshot: &SnapshotName, into: &Path) -> Result<()> {
    let key = bucket.path(&snapshot.key());
    let compressed = into.with_extension("gz-download");
    bucket.download_file(key.as_ref(), &compressed).await?;
    let result = (|| -> Result<()> {
        let mut input = flate2::read::GzDecoder::new(std::fs::File::open(&compressed)?);
        let mut out = std::fs::File::create_new(into)
            .with_context(|| format!("cannot create {}", into.display()))?;
        std::io::copy(&mut input, &mut out)
            .with_context(|| format!("{} does not decompress", bucket.url_of(key.as_ref())))?;
        out.flush()?;
        Ok(())
    })();
    let _ = std::fs::remove_file(&compressed);
    result
}

/// The page size a database file's header gives.
fn page_size_of(file: &std::fs::File) -> Result<u32> {
    let mut header = [0u8; 100];
    file.read_exact_at(&mut header, 0)
        .context("the snapshot is shorter than a database header")?;
    if &header[..16] != b"SQLite format 3\0" {
        bail!("the snapshot is not an SQLite database");
    }
    Ok(match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u32::from(n),
    })
}
