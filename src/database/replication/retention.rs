//! Retention: what the bucket keeps (`--replicate-retention`, default 7 days).
//!
//! A restore to any time within the window needs the newest snapshot taken at or before
//! its start (the *base*), and everything after it. So, with the cutoff `now - retention`:
//! every generation older than the base's is deleted, and within the base's generation
//! the snapshots before the base and the segments whose commits all precede the base's
//! `from`. Nothing is deleted while no snapshot is as old as the cutoff, and claims are
//! never deleted (they are the fencing tokens, and tiny).

use super::layout::{self, Listed};
use crate::object_bucket::Bucket;
use anyhow::Result;
use std::time::Duration;

/// Deletes what no restore within `retention` needs; how many objects went.
pub async fn run(bucket: &Bucket, retention: Duration) -> Result<usize> {
    let cutoff = super::now_us() - retention.as_micros().min(i64::MAX as u128) as i64;
    let listed: Vec<(String, Listed)> = bucket
        .list(layout::GENERATIONS)
        .await?
        .into_iter()
        .filter_map(|meta| {
            let key = meta.location.to_string();
            let parsed = layout::parse(bucket.name_of(&key))?;
            Some((key, parsed))
        })
        .collect();
    let doomed = doomed(&listed, cutoff);
    for key in &doomed {
        bucket.delete(key).await?;
    }
    Ok(doomed.len())
}

/// The keys that no restore to a time after `cutoff` needs.
fn doomed(listed: &[(String, Listed)], cutoff: i64) -> Vec<String> {
    let base = listed
        .iter()
        .filter_map(|(_, l)| match l {
            Listed::Snapshot(s) if s.time_us <= cutoff => Some(s),
            _ => None,
        })
        .max_by_key(|s| (s.generation, s.time_us));
    let Some(base) = base else {
        return Vec::new();
    };
    listed
        .iter()
        .filter(|(_, l)| match l {
            Listed::Snapshot(s) => {
                s.generation < base.generation
                    || (s.generation == base.generation && s.time_us < base.time_us)
            }
            Listed::Segment(s) => {
                s.generation < base.generation
                    || (s.generation == base.generation && s.last < base.from)
            }
            Listed::Claim(_) => false,
        })
        .map(|(key, _)| key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use layout::{SegmentName, SnapshotName};

    fn snapshot(generation: u64, from: u64, time_us: i64) -> (String, Listed) {
        let s = SnapshotName {
            generation,
            from,
            to: from + 1,
            time_us,
        };
        (s.key(), Listed::Snapshot(s))
    }

    fn segment(generation: u64, segment: u64, first: u64, last: u64) -> (String, Listed) {
        let s = SegmentName {
            generation,
            segment,
            first,
            last,
            first_time_us: 0,
            last_time_us: 0,
        };
        (s.key(), Listed::Segment(s))
    }

    #[test]
    fn only_what_precedes_the_newest_snapshot_before_the_cutoff_goes() {
        let listed = vec![
            snapshot(1, 1, 100),
            segment(1, 1, 1, 10),
            snapshot(2, 1, 200),
            segment(2, 1, 1, 5),
            segment(2, 2, 6, 9),
            snapshot(2, 8, 300),
            segment(2, 3, 10, 12),
            snapshot(2, 11, 500),
        ];
        let mut gone = doomed(&listed, 350);
        gone.sort();
        let mut expected = vec![
            listed[0].0.clone(),
            listed[1].0.clone(),
            listed[2].0.clone(),
            listed[3].0.clone(),
        ];
        expected.sort();
        // Segment 2 (6..=9) holds commits 8 and 9, which the base (from 8) needs.
        assert_eq!(gone, expected);
        assert!(doomed(&listed, 50).is_empty(), "no snapshot is that old");
    }
}
