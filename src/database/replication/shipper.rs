//! The shipper: one task that uploads the feed's commits as segments, in order, and keeps
//! the generation's snapshots and retention going beside them.
//!
//! It takes every commit that arrived, uploads them as the next segment, and meanwhile
//! the commits after them collect (pipelining: batch N+1 commits locally while N
//! uploads). In `sync` mode a segment goes as soon as there is one; in `async` mode once
//! its oldest commit is half of `--replicate-max-lag` old or it holds [`SEGMENT_BYTES`].
//! A failed upload is retried (backing off to 5 s) until it succeeds: a later segment is
//! never stored before an earlier one, so the bucket never has a gap. While it retries,
//! commits wait in memory up to `--replicate-buffer`; past that they are dropped and a new
//! generation starts with a fresh snapshot, which holds them.
//!
//! What is in the bucket is published as [`super::Status`]'s watermark: every commit up to
//! it is restorable, which needs the generation's first snapshot too.

use super::generation;
use super::layout::{SegmentName, SnapshotName};
use super::segment::{self, Commit};
use super::{Feed, Mode, Record, SEGMENT_BYTES, Settings, retention, snapshot};
use crate::object_bucket::Bucket;
use anyhow::{Context, Result};
use object_store::PutPayload;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub struct Shipper {
    bucket: Bucket,
    settings: Settings,
    db: PathBuf,
    feed: Arc<Feed>,
    received: UnboundedReceiver<Record>,
    generation: u64,
    next_segment: u64,
    page_size: u32,
    pending: VecDeque<Commit>,
    pending_bytes: usize,
    /// The highest commit number received.
    received_through: u64,
    /// Set once the generation's first snapshot is stored: commits below its `from`.
    snapshot_covers: Option<u64>,
    /// A new generation is needed (commits were dropped).
    broken: bool,
    /// Since when commits exist that no stored snapshot and segments restore (µs time):
    /// from the start of a generation until its first snapshot is stored.
    unrestorable_since: Option<i64>,
    next_snapshot: Instant,
    snapshotting: Option<JoinHandle<Result<SnapshotName>>>,
    stopping: bool,
}

impl Shipper {
    /// Claims the first generation; a bucket that cannot be used stops the start.
    pub async fn start(
        bucket: Bucket,
        settings: Settings,
        db: PathBuf,
        feed: Arc<Feed>,
        received: UnboundedReceiver<Record>,
    ) -> Result<Shipper> {
        let claim = generation::claim_next(&bucket)
            .await
            .with_context(|| format!("--replicate-to {}", settings.url))?;
        tracing::info!(
            "replicating to {} ({:?}), generation {}",
            settings.url,
            settings.mode,
            claim.generation
        );
        crate::operator::metrics::metrics()
            .replication_generation
            .set(claim.generation as i64);
        Ok(Shipper {
            bucket,
            settings,
            db,
            feed,
            received,
            generation: claim.generation,
            next_segment: 1,
            page_size: 0,
            pending: VecDeque::new(),
            pending_bytes: 0,
            received_through: 0,
            snapshot_covers: None,
            broken: false,
            unrestorable_since: Some(super::now_us()),
            next_snapshot: Instant::now(),
            snapshotting: None,
            stopping: false,
        })
    }

    pub async fn run(mut self) {
        self.snapshot_soon();
        loop {
            if self.feed.status.deposed.get().is_some() {
                return;
            }
            if self.stopping && (self.pending.is_empty() || self.broken) {
                // A snapshot on its way up finishes (one still copying stopped when the
                // database closed): a generation's first makes its segments restorable.
                if self.snapshotting.is_some() {
                    let done = wait_for(&mut self.snapshotting).await;
                    self.snapshotting = None;
                    self.snapshot_done(done).await;
                }
                return;
            }
            let wait = self.until_upload();
            let snapshot_in = self.until_snapshot();
            tokio::select! {
                biased;
                record = self.received.recv() => match record {
                    Some(record) => self.take(record),
                    None => self.stopping = true,
                },
                done = wait_for(&mut self.snapshotting), if self.snapshotting.is_some() => {
                    self.snapshotting = None;
                    self.snapshot_done(done).await;
                },
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(3600))), if wait.is_some() => {
                    self.ship().await;
                },
                _ = tokio::time::sleep(snapshot_in) => self.snapshot_soon(),
            }
            // Everything that arrived meanwhile joins the segment.
            while let Ok(record) = self.received.try_recv() {
                self.take(record);
            }
            self.publish();
        }
    }

    fn take(&mut self, record: Record) {
        match record {
            Record::Commit(commit) => {
                self.received_through = commit.number;
                if self.broken {
                    self.feed
                        .unshipped_bytes
                        .fetch_sub(commit.bytes(), Ordering::SeqCst);
                    return;
                }
                self.pending_bytes += commit.bytes();
                self.pending.push_back(commit);
            }
            Record::Nothing(number) => self.received_through = number,
            Record::Broken(number) => {
                self.received_through = number;
                let dropped: usize = self.pending.drain(..).map(|c| c.bytes()).sum();
                self.feed
                    .unshipped_bytes
                    .fetch_sub(dropped, Ordering::SeqCst);
                self.pending_bytes = 0;
                self.broken = true;
                self.unrestorable_since.get_or_insert(super::now_us());
                self.snapshot_covers = None;
                self.feed.status.restorable.store(false, Ordering::Relaxed);
                if let Some(task) = self.snapshotting.take() {
                    task.abort();
                }
            }
            Record::Stop => self.stopping = true,
        }
    }

    /// How long until the pending commits are due for upload (`None`: nothing pending).
    fn until_upload(&self) -> Option<Duration> {
        if self.broken {
            return Some(Duration::ZERO);
        }
        let oldest = self.pending.front()?;
        if self.stopping || self.settings.mode == Mode::Sync || self.pending_bytes >= SEGMENT_BYTES
        {
            return Some(Duration::ZERO);
        }
        let due = oldest.time_us + (self.settings.max_lag / 2).as_micros() as i64;
        Some(Duration::from_micros((due - super::now_us()).max(0) as u64))
    }

    fn until_snapshot(&self) -> Duration {
        if self.snapshotting.is_some() {
            return Duration::from_secs(3600);
        }
        self.next_snapshot.saturating_duration_since(Instant::now())
    }

    /// Starts a snapshot (and, if commits were dropped, a new generation first).
    fn snapshot_soon(&mut self) {
        if self.snapshotting.is_some() {
            return;
        }
        self.next_snapshot = Instant::now() + self.settings.snapshot_every;
        let bucket = self.bucket.clone();
        let db = self.db.clone();
        let feed = self.feed.clone();
        let generation = self.generation;
        let retention = self.settings.retention;
        self.snapshotting = Some(tokio::spawn(async move {
            let taken = {
                let feed = feed.clone();
                tokio::task::spawn_blocking(move || snapshot::take(&db, generation, &feed))
                    .await
                    .context("snapshot task")??
            };
            let key = bucket.path(&taken.name.key());
            bucket.upload_file(&taken.file, &key).await?;
            let metrics = crate::operator::metrics::metrics();
            metrics.replication_snapshots.inc();
            metrics.replication_bytes.inc_by(taken.bytes);
            tracing::info!(
                "replication: snapshot {} stored ({} bytes)",
                bucket.url_of(key.as_ref()),
                taken.bytes
            );
            match retention::run(&bucket, retention).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("replication: retention deleted {n} objects"),
                Err(e) => tracing::warn!("replication: retention failed: {e:#}"),
            }
            Ok(taken.name)
        }));
    }

    async fn snapshot_done(&mut self, done: Result<SnapshotName>) {
        match done {
            Ok(name) if name.generation == self.generation => {
                let covers = name.from - 1;
                self.snapshot_covers = Some(self.snapshot_covers.unwrap_or(0).max(covers));
                self.unrestorable_since = None;
                self.feed.status.restorable.store(true, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("replication: snapshot failed, trying again: {e:#}");
                self.note_failure(&e);
                self.next_snapshot = Instant::now() + MAX_BACKOFF.min(self.settings.snapshot_every);
            }
        }
    }

    /// Uploads the pending commits as the next segment (retrying until stored).
    async fn ship(&mut self) {
        if self.broken && !self.new_generation().await {
            return;
        }
        if self.pending.is_empty() {
            return;
        }
        if self.page_size == 0 {
            self.page_size = self.feed.reader.lock().unwrap().page_size();
        }
        let mut count = 0;
        let mut bytes = 0;
        for commit in &self.pending {
            if count > 0 && bytes + commit.bytes() > SEGMENT_BYTES {
                break;
            }
            count += 1;
            bytes += commit.bytes();
        }
        let commits = &self.pending.make_contiguous()[..count];
        let name = SegmentName {
            generation: self.generation,
            segment: self.next_segment,
            first: commits[0].number,
            last: commits[count - 1].number,
            first_time_us: commits[0].time_us,
            last_time_us: commits[count - 1].time_us,
        };
        let stored =
            match segment::encode(self.generation, self.next_segment, self.page_size, commits) {
                Ok(stored) => stored,
                Err(e) => {
                    tracing::error!("replication: cannot encode segment: {e:#}");
                    return;
                }
            };
        let size = stored.len() as u64;
        let payload = PutPayload::from(stored);
        let key = self.bucket.path(&name.key());
        let mut backoff = Duration::from_millis(100);
        loop {
            let put = self.bucket.store.put(&key, payload.clone());
            let fence = generation::succeeded(&self.bucket, self.generation);
            let (put, fence) = tokio::join!(put, fence);
            // Stored counts only once the fence is known to stand: a successor's claim
            // that could not be read is a failed attempt, like a failed upload.
            let attempt = match (fence, put) {
                (Ok(true), _) => {
                    self.deposed().await;
                    return;
                }
                (Ok(false), Ok(_)) => Ok(()),
                (Err(e), _) => Err(e),
                (Ok(false), Err(e)) => Err(anyhow::Error::from(e)
                    .context(format!("uploading {}", self.bucket.url_of(key.as_ref())))),
            };
            match attempt {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!("replication: {e:#}; retrying in {backoff:?}");
                    self.note_failure(&e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        *self.feed.status.failing.lock().unwrap() = None;
        self.next_segment += 1;
        self.pending.drain(..count);
        self.pending_bytes -= bytes;
        self.feed.unshipped_bytes.fetch_sub(bytes, Ordering::SeqCst);
        let metrics = crate::operator::metrics::metrics();
        metrics.replication_segments.inc();
        metrics.replication_bytes.inc_by(size);
    }

    /// After commits were dropped: claims the next generation and starts its snapshot.
    /// `false` while the bucket cannot be reached.
    async fn new_generation(&mut self) -> bool {
        match generation::claim_next(&self.bucket).await {
            Ok(claim) => {
                tracing::warn!(
                    "replication: generation {} starts (commits were dropped from {})",
                    claim.generation,
                    self.generation
                );
                self.generation = claim.generation;
                crate::operator::metrics::metrics()
                    .replication_generation
                    .set(claim.generation as i64);
                self.next_segment = 1;
                self.broken = false;
                self.feed.mend();
                self.snapshot_soon();
                true
            }
            Err(e) => {
                self.note_failure(&e);
                tokio::time::sleep(MAX_BACKOFF).await;
                false
            }
        }
    }

    async fn deposed(&mut self) {
        let why = format!(
            "generation {} of {} was claimed by another writer",
            self.generation + 1,
            self.bucket.url()
        );
        tracing::error!("replication: {why}; this writer ships nothing more");
        let _ = self.feed.status.deposed.set(why.clone());
        crate::database::storage_fault::latch(&format!("deposed: {why}"));
        // Wakes the held responses, which now fail.
        self.feed.status.replicated.send_modify(|_| {});
    }

    fn note_failure(&self, e: &anyhow::Error) {
        *self.feed.status.failing.lock().unwrap() = Some(format!("{e:#}"));
        crate::operator::metrics::metrics()
            .replication_failures
            .inc();
    }

    /// Publishes what is restorable from the bucket, and the lag.
    fn publish(&self) {
        let status = &self.feed.status;
        let oldest = [
            self.unrestorable_since,
            self.pending.front().map(|c| c.time_us),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(0);
        status.oldest_unshipped_us.store(oldest, Ordering::Relaxed);
        let Some(covers) = self.snapshot_covers else {
            return;
        };
        if self.broken {
            return;
        }
        let through = match self.pending.front() {
            Some(first) => first.number - 1,
            None => self.received_through,
        };
        let through = through.max(covers);
        status.replicated.send_if_modified(|now| {
            let moved = through > *now;
            *now = (*now).max(through);
            moved
        });
    }
}

async fn wait_for(task: &mut Option<JoinHandle<Result<SnapshotName>>>) -> Result<SnapshotName> {
    match task.as_mut() {
        Some(task) => task.await.context("snapshot task")?,
        None => std::future::pending().await,
    }
}
