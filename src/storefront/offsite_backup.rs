//! Off-site backups: verified snapshots in an S3 or S3-compatible object store
//! (`s3://bucket/prefix`), through the `object_store` crate.
//!
//! - A snapshot is the writer's `VACUUM INTO` file, checked with `PRAGMA integrity_check`
//!   before it leaves the machine (and named only once checked: [`super::snapshot_file`]), uploaded in [`CHUNK`] parts (so memory stays bounded
//!   whatever the database's size) as `<prefix>/storefront-<UTC time>.db`.
//! - `--list` shows the snapshots; the writer's schedule keeps the newest `--backup-keep`.
//! - A restore downloads one (the newest under a prefix, or a named key) into an empty,
//!   unowned data dir, checks it, and only then names it `sqlite_db.db`.
//!
//! Credentials and the endpoint come from the standard AWS variables (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for an S3-compatible store,
//! `AWS_ALLOW_HTTP=true` for a plain-HTTP one), never from the command line.

use crate::storefront::writer_calls::WriterCalls;
use anyhow::{Context, Result, bail};
use futures::StreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use object_store::{ObjectStore, WriteMultipart};
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Upload part size (S3's minimum is 5 MiB); at most [`PARTS_IN_FLIGHT`] are held.
pub const CHUNK: usize = 8 << 20;
const PARTS_IN_FLIGHT: usize = 2;
/// What snapshot keys start with, after the prefix.
const KEY_START: &str = "storefront-";

/// One place snapshots go: a bucket and a prefix in it.
pub struct Store {
    store: Arc<dyn ObjectStore>,
    bucket: String,
    prefix: String,
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
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!("{url:?} is not an s3:// URL (s3://bucket/prefix)");
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("{url:?} names no bucket");
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .with_context(|| format!("cannot use {url}"))?;
        Ok(Store {
            store: Arc::new(store),
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    fn path(&self, name: &str) -> StorePath {
        if self.prefix.is_empty() {
            StorePath::from(name)
        } else {
            StorePath::from(format!("{}/{name}", self.prefix))
        }
    }

    fn url_of(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// Uploads the (already verified) snapshot file; its URL.
    pub async fn upload(&self, file: &Path) -> Result<String> {
        let now = key_time(chrono::Utc::now());
        let key = self.path(&format!("{KEY_START}{now}.db"));
        let upload =
            self.store.put_multipart(&key).await.with_context(|| {
                format!("cannot start uploading to {}", self.url_of(key.as_ref()))
            })?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, CHUNK);
        let mut input = tokio::fs::File::open(file)
            .await
            .with_context(|| format!("cannot read {}", file.display()))?;
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = input.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
            writer.write(&buffer[..n]);
        }
        writer
            .finish()
            .await
            .with_context(|| format!("uploading {}", self.url_of(key.as_ref())))?;
        Ok(self.url_of(key.as_ref()))
    }

    /// The snapshots under the prefix, oldest first (their keys sort by time).
    pub async fn list(&self) -> Result<Vec<Snapshot>> {
        let prefix = (!self.prefix.is_empty()).then(|| StorePath::from(self.prefix.as_str()));
        let mut stream = self.store.list(prefix.as_ref());
        let mut out = Vec::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.with_context(|| format!("listing s3://{}", self.bucket))?;
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
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// Deletes all but the newest `keep` snapshots; how many went.
    pub async fn prune(&self, keep: usize) -> Result<usize> {
        let all = self.list().await?;
        let old = all.len().saturating_sub(keep);
        for snapshot in &all[..old] {
            self.store
                .delete(&StorePath::from(snapshot.key.as_str()))
                .await
                .with_context(|| format!("deleting {}", self.url_of(&snapshot.key)))?;
        }
        Ok(old)
    }

    /// Downloads snapshot `key` (or, when `None`, the newest) into `to`; its URL.
    pub async fn download(&self, key: Option<&str>, to: &Path) -> Result<String> {
        let key = match key {
            Some(key) => key.to_string(),
            None => match self.list().await?.pop() {
                Some(newest) => newest.key,
                None => bail!("no snapshot under s3://{}/{}", self.bucket, self.prefix),
            },
        };
        let got = self
            .store
            .get(&StorePath::from(key.as_str()))
            .await
            .with_context(|| format!("cannot read {}", self.url_of(&key)))?;
        let mut stream = got.into_stream();
        let mut file = tokio::fs::File::create(to)
            .await
            .with_context(|| format!("cannot write {}", to.display()))?;
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk?).await?;
        }
        file.sync_all().await?;
        Ok(self.url_of(&key))
    }

    /// Whether `url` names one snapshot (`….db`) rather than a prefix.
    pub fn names_snapshot(url: &str) -> bool {
        url.ends_with(".db")
    }

    /// The key part of a snapshot URL in this store's bucket.
    pub fn key_of(&self, url: &str) -> Option<String> {
        url.strip_prefix(&format!("s3://{}/", self.bucket))
            .map(str::to_string)
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
        assert!(Store::open("file:///tmp").is_err());
        assert!(Store::open("s3:///prefix").is_err());
        assert!(Store::names_snapshot("s3://b/p/storefront-1.db"));
        assert!(!Store::names_snapshot("s3://b/p"));
    }
}
