//! A place in an S3 or S3-compatible object store, `s3://bucket/prefix`, through the
//! `object_store` crate: what the off-site backups
//! ([`crate::storefront::offsite_backup`]) and the continuous WAL shipping
//! ([`crate::database::replication`]) both stand on.
//!
//! Credentials and the endpoint come from the standard AWS variables (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for an S3-compatible store,
//! `AWS_ALLOW_HTTP=true` for a plain-HTTP one), never from the command line. Conditional
//! creation (`If-None-Match: *`) is switched on, so a key that must be written once (a
//! replication generation's claim) can be.
//!
//! Files go up in [`CHUNK`] parts with at most [`PARTS_IN_FLIGHT`] held, and come down
//! as a stream to disk, so memory stays bounded whatever their size.

use anyhow::{Context, Result, bail};
use futures::StreamExt as _;
use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
use object_store::path::Path as StorePath;
use object_store::{ObjectMeta, ObjectStore, RetryConfig, WriteMultipart};
use std::path::Path;
use std::sync::Arc;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Upload part size (S3's minimum is 5 MiB).
pub const CHUNK: usize = 8 << 20;
/// Parts uploading at once for one file.
const PARTS_IN_FLIGHT: usize = 2;
/// [`Bucket::open_quick`]: retries of one request, and the time they may take.
pub const QUICK_RETRIES: usize = 2;
pub const QUICK_RETRY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// A bucket and a prefix in it.
#[derive(Clone)]
pub struct Bucket {
    pub store: Arc<dyn ObjectStore>,
    bucket: String,
    prefix: String,
}

impl Bucket {
    /// `s3://bucket/prefix` (the prefix may be empty), with `object_store`'s own retries
    /// (up to 10 over 3 minutes): for a transfer that nothing waits on.
    pub fn open(url: &str) -> Result<Bucket> {
        Self::open_with(url, RetryConfig::default())
    }

    /// As [`Bucket::open`], but a request gives up after [`QUICK_RETRIES`] retries within
    /// [`QUICK_RETRY_TIMEOUT`]: for a caller that retries on its own and must notice (and
    /// report) a store that stopped answering.
    pub fn open_quick(url: &str) -> Result<Bucket> {
        Self::open_with(
            url,
            RetryConfig {
                max_retries: QUICK_RETRIES,
                retry_timeout: QUICK_RETRY_TIMEOUT,
                ..RetryConfig::default()
            },
        )
    }

    fn open_with(url: &str, retry: RetryConfig) -> Result<Bucket> {
        let Some(rest) = url.strip_prefix("s3://") else {
            bail!("{url:?} is not an s3:// URL (s3://bucket/prefix)");
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            bail!("{url:?} names no bucket");
        }
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            .with_retry(retry)
            .build()
            .with_context(|| format!("cannot use {url}"))?;
        Ok(Bucket {
            store: Arc::new(store),
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// The key of `name` under the prefix.
    pub fn path(&self, name: &str) -> StorePath {
        if self.prefix.is_empty() {
            StorePath::from(name)
        } else {
            StorePath::from(format!("{}/{name}", self.prefix))
        }
    }

    /// `name` relative to the prefix, for a key listed under it.
    pub fn name_of<'a>(&self, key: &'a str) -> &'a str {
        if self.prefix.is_empty() {
            key
        } else {
            key.strip_prefix(self.prefix.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .unwrap_or(key)
        }
    }

    pub fn url_of(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        self.url_of(&self.prefix)
    }

    /// The key part of a URL in this bucket.
    pub fn key_of(&self, url: &str) -> Option<String> {
        url.strip_prefix(&format!("s3://{}/", self.bucket))
            .map(str::to_string)
    }

    /// Every object under `name` (a folder under the prefix; `""` for the whole prefix),
    /// in key order.
    pub async fn list(&self, name: &str) -> Result<Vec<ObjectMeta>> {
        let folder = if name.is_empty() {
            (!self.prefix.is_empty()).then(|| StorePath::from(self.prefix.as_str()))
        } else {
            Some(self.path(name))
        };
        let mut stream = self.store.list(folder.as_ref());
        let mut out = Vec::new();
        while let Some(meta) = stream.next().await {
            out.push(meta.with_context(|| format!("listing {}", self.url()))?);
        }
        out.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(out)
    }

    /// Uploads `file` to `key` in parts.
    pub async fn upload_file(&self, file: &Path, key: &StorePath) -> Result<()> {
        let upload =
            self.store.put_multipart(key).await.with_context(|| {
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
        Ok(())
    }

    /// Downloads `key` into the new file `to`, synced before it returns.
    pub async fn download_file(&self, key: &str, to: &Path) -> Result<()> {
        let got = self
            .store
            .get(&StorePath::from(key))
            .await
            .with_context(|| format!("cannot read {}", self.url_of(key)))?;
        let mut stream = got.into_stream();
        let mut file = tokio::fs::File::create(to)
            .await
            .with_context(|| format!("cannot write {}", to.display()))?;
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk.with_context(|| format!("reading {}", self.url_of(key)))?)
                .await?;
        }
        file.sync_all().await?;
        Ok(())
    }

    /// The whole object `key`, for small ones.
    pub async fn get(&self, key: &str) -> Result<bytes::Bytes> {
        let got = self
            .store
            .get(&StorePath::from(key))
            .await
            .with_context(|| format!("cannot read {}", self.url_of(key)))?;
        got.bytes()
            .await
            .with_context(|| format!("cannot read {}", self.url_of(key)))
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        self.store
            .delete(&StorePath::from(key))
            .await
            .with_context(|| format!("deleting {}", self.url_of(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_bucket_and_a_prefix() {
        assert!(Bucket::open("file:///tmp").is_err());
        assert!(Bucket::open("s3:///prefix").is_err());
        let b = Bucket::open("s3://shop/backups/eu/").unwrap();
        assert_eq!(b.path("a/b").as_ref(), "backups/eu/a/b");
        assert_eq!(b.name_of("backups/eu/a/b"), "a/b");
        assert_eq!(b.url(), "s3://shop/backups/eu");
        let bare = Bucket::open("s3://shop").unwrap();
        assert_eq!(bare.path("a").as_ref(), "a");
        assert_eq!(bare.name_of("a/b"), "a/b");
    }
}
