//! Where replication puts things in the bucket, and how their names read back.
//!
//! Under the prefix:
//!
//! ```text
//! claims/0000000003.json                          written once by the owner of generation 3
//! generations/0000000003/snapshots/<from>-<to>-<time>.db.gz
//! generations/0000000003/segments/<segment>-<first>-<last>-<first time>-<last time>.seg.gz
//! ```
//!
//! Numbers are zero-padded so that a listing gives the total order: generations by
//! number, a generation's segments by number, its snapshots by the commit they start
//! from. Times are µs since 1970. A snapshot holds every commit numbered below `from`
//! and none above `to` (commits in between may or may not be in it: replaying them is
//! harmless, see [`super::restore`]); it was taken at `time`. A segment holds the commits
//! `first..=last` that had pages, committed between its two times.
//!
//! The generation is the owner's fencing token: each writer process that replicates
//! claims the next number ([`super::generation`]), so a deposed owner's late uploads
//! carry an older number than its successor's, and the restore never mixes them.

use anyhow::{Context, Result, bail};

pub const CLAIMS: &str = "claims";
pub const GENERATIONS: &str = "generations";

pub fn claim(generation: u64) -> String {
    format!("{CLAIMS}/{generation:010}.json")
}

pub fn generation_folder(generation: u64) -> String {
    format!("{GENERATIONS}/{generation:010}")
}

/// A snapshot's name (under the prefix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SnapshotName {
    pub generation: u64,
    pub from: u64,
    pub to: u64,
    pub time_us: i64,
}

impl SnapshotName {
    pub fn key(&self) -> String {
        format!(
            "{}/snapshots/{:012}-{:012}-{:016}.db.gz",
            generation_folder(self.generation),
            self.from,
            self.to,
            self.time_us
        )
    }
}

/// A segment's name (under the prefix).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SegmentName {
    pub generation: u64,
    pub segment: u64,
    pub first: u64,
    pub last: u64,
    pub first_time_us: i64,
    pub last_time_us: i64,
}

impl SegmentName {
    pub fn key(&self) -> String {
        format!(
            "{}/segments/{:012}-{:012}-{:012}-{:016}-{:016}.seg.gz",
            generation_folder(self.generation),
            self.segment,
            self.first,
            self.last,
            self.first_time_us,
            self.last_time_us
        )
    }
}

/// What a listed name is.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    Claim(u64),
    Snapshot(SnapshotName),
    Segment(SegmentName),
}

/// Reads a name relative to the prefix; `None` for anything else.
pub fn parse(name: &str) -> Option<Listed> {
    let parts: Vec<&str> = name.split('/').collect();
    match parts.as_slice() {
        [CLAIMS, file] => Some(Listed::Claim(file.strip_suffix(".json")?.parse().ok()?)),
        [GENERATIONS, generation, "snapshots", file] => {
            let n = numbers(file.strip_suffix(".db.gz")?, 3)?;
            Some(Listed::Snapshot(SnapshotName {
                generation: generation.parse().ok()?,
                from: n[0],
                to: n[1],
                time_us: n[2] as i64,
            }))
        }
        [GENERATIONS, generation, "segments", file] => {
            let n = numbers(file.strip_suffix(".seg.gz")?, 5)?;
            Some(Listed::Segment(SegmentName {
                generation: generation.parse().ok()?,
                segment: n[0],
                first: n[1],
                last: n[2],
                first_time_us: n[3] as i64,
                last_time_us: n[4] as i64,
            }))
        }
        _ => None,
    }
}

fn numbers(text: &str, count: usize) -> Option<Vec<u64>> {
    let n: Vec<u64> = text
        .split('-')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    (n.len() == count).then_some(n)
}

/// RFC 3339 (`2026-12-06T12:17:15Z`, fractions allowed) as µs since 1970.
pub fn parse_time(text: &str) -> Result<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .with_context(|| format!("{text:?} is not an RFC 3339 time (e.g. 2026-12-06T12:17:15Z)"))?;
    Ok(at.timestamp_micros())
}

/// µs since 1970 as RFC 3339 UTC with µs.
pub fn show_time(time_us: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(time_us) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        None => format!("{time_us} µs"),
    }
}

/// Refuses a generation number that would not fit the key's ten digits.
pub fn check_generation(generation: u64) -> Result<()> {
    if generation >= 10_000_000_000 {
        bail!("generation {generation} is past the last one keys can name");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_sort_in_order() {
        let s = SegmentName {
            generation: 3,
            segment: 12,
            first: 100,
            last: 140,
            first_time_us: 1_765_000_000_000_000,
            last_time_us: 1_765_000_000_500_000,
        };
        assert_eq!(parse(&s.key()), Some(Listed::Segment(s.clone())));
        let next = SegmentName {
            segment: 13,
            ..s.clone()
        };
        assert!(s.key() < next.key());
        let snap = SnapshotName {
            generation: 3,
            from: 7,
            to: 9,
            time_us: 1_765_000_000_000_000,
        };
        assert_eq!(parse(&snap.key()), Some(Listed::Snapshot(snap)));
        assert_eq!(parse(&claim(3)), Some(Listed::Claim(3)));
        assert!(claim(9) < claim(10));
        assert_eq!(parse("storefront-20261206T000000.000Z.db"), None);
        assert_eq!(parse("generations/x/segments/1-2.seg.gz"), None);
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(parse_time("1970-01-01T00:00:01Z").unwrap(), 1_000_000);
        assert_eq!(
            parse_time("1970-01-01T01:00:01.5+01:00").unwrap(),
            1_500_000
        );
        assert!(parse_time("yesterday").is_err());
        assert_eq!(show_time(1_500_000), "1970-01-01T00:00:01.500000Z");
    }
}
