//! Off-site backups: verified snapshots in an S3 or S3-compatible object store
//! (`s3://bucket/prefix`), through the `object_store` crate.
//!
//! - A snapshot is the writer's `VACUUM INTO` file, checked with `PRAGMA integrity_check`
//!   before it leaves the machine (and named only once checked: [`super::snapshot_file`]), uploaded in parts (so memory stays bounded
//!   whatever the database's size) as `<prefix>/storefront-<UTC time>.db`.
//! - `--list` shows the snapshots; the writer's schedule keeps the newest `--backup-keep`.
//! - A restore downloads one (the newest under a prefix, or a named key) into an empty,
//!   unowned data dir, checks it, and only then names it `sqlite_db.db`.
//!
//! The bucket, its credentials and the transfers are [`crate::object_bucket`]'s.

use crate::object_bucket::Bucket;
use crate::storefront::writer_calls::WriterCalls;
use anyhow::{Context, Result, bail};
use std::path::Path;

/// What snapshot keys start with, after the prefix.
const KEY_START: &str = "storefront-";

/// One place snapshots go: a bucket and a prefix in it.
pub struct Store {
    bucket: Bucket,
}

/// A snapshot in the store.
pub struct Snapshot {
    pub key: String,
    pub size: u64,
    pub modified: String,
}

impl Store {
    /// `s3://bucket/prefix` (the prefix may be empty).
    pub fn open(url: &str) -> Result<Store> {
        Ok(Store {
            bucket: Bucket::open(url)?,
        })
    }

    /// Uploads the (already verified) snapshot file; its URL.
    pub async fn upload(&self, file: &Path) -> Result<String> {
        let now = key_time(chrono::Utc::now());
        let key = self.bucket.path(&format!("{KEY_START}{now}.db"));
        self.bucket.upload_file(file, &key).await?;
        Ok(self.bucket.url_of(key.as_ref()))
    }

    /// The snapshots under the prefix, oldest first (their keys sort by time).
    pub async fn list(&self) -> Result<Vec<Snapshot>> {
        let mut out = Vec::new();
        for meta in self.bucket.list("").await? {
            let key = meta.location.to_string();
            let name = key.rsplit('/').next().unwrap_or_default();
            if name.starts_with(KEY_START) && name.ends_with(".db") {
                out.push(Snapshot {
                    key,
                    size: meta.size,
                    modified: meta.last_modified.to_rfc3339(),
                });
            }
        }
        Ok(out)
    }

    /// Deletes all but the newest `keep` snapshots; how many went.
    pub async fn prune(&self, keep: usize) -> Result<usize> {
        let all = self.list().await?;
        let old = all.len().saturating_sub(keep);
        for snapshot in &all[..old] {
            self.bucket.delete(&snapshot.key).await?;
        }
        Ok(old)
    }

    /// Downloads snapshot `key` (or, when `None`, the newest) into `to`; its URL.
    pub async fn download(&self, key: Option<&str>, to: &Path) -> Result<String> {
        let key = match key {
            Some(key) => key.to_string(),
            None => match self.list().await?.pop() {
                Some(newest) => newest.key,
                None => bail!("no snapshot under {}", self.bucket.url()),
            },
        };
        self.bucket.download_file(&key, to).await?;
        Ok(self.bucket.url_of(&key))
    }

    /// Whether `url` names one snapshot (`….db`) rather than a prefix.
    pub fn names_snapshot(url: &str) -> bool {
        url.ends_with(".db")
    }

    /// The key part of a snapshot URL in this store's bucket.
    pub fn key_of(&self, url: &str) -> Option<String> {
        self.bucket.key_of(url)
    }
}

/// The writer's schedule (`--backup-every`, `--backup-to`, `--backup-keep`): every
/// `every`, a snapshot through the writer component, verified, uploaded, and all but the
/// newest `keep` deleted. A failed round is logged and the next one tries again. Runs
/// until the task is aborted.
pub async fn run_forever(
    writer: WriterCalls,
    store: Store,
    every: std::time::Duration,
    keep: usize,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        match round(&writer, &store, keep).await {
            Ok(line) => tracing::info!("{line}"),
            Err(e) => tracing::warn!("scheduled backup failed: {e:#}"),
        }
    }
}

async fn round(writer: &WriterCalls, store: &Store, keep: usize) -> Result<String> {
    let dir = tempfile::tempdir().context("a temporary folder for the snapshot")?;
    let file = dir.path().join("snapshot.db");
    let summary = crate::storefront::snapshot_file::taken(&file, |partial| async move {
        let body = serde_json::json!({ "path": partial.to_string_lossy() });
        let answer = writer
            .call(http::Method::POST, "/admin/backup", Some(body))
            .await?;
        if !answer.status.is_success() {
            bail!(
                "the writer refused ({}): {}",
                answer.status,
                answer.message()
            );
        }
        Ok(())
    })
    .await?;
    let url = store.upload(&file).await?;
    let pruned = store.prune(keep).await?;
    Ok(format!(
        "backup uploaded {url}: {summary}; {pruned} older snapshots deleted (keeping {keep})"
    ))
}

/// UTC time as `YYYYMMDDTHHMMSS.mmmZ`, so keys sort by time.
fn key_time(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y%m%dT%H%M%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_urls() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        assert_eq!(key_time(at("1970-01-01T00:00:00Z")), "19700101T000000.000Z");
        assert_eq!(
            key_time(at("2000-02-29T13:05:09.042Z")),
            "20000229T130509.042Z"
        );
        assert!(Store::names_snapshot("s3://b/p/storefront-1.db"));
        assert!(!Store::names_snapshot("s3://b/p"));
    }
}
