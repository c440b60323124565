//! Continuous replication of the owned database to an object store: every committed
//! batch's WAL pages shipped as numbered segments of a *generation*, snapshots at the
//! start of each generation and periodically, retention, and a restore to any commit.
//!
//! Why here: Litestream and LiteFS read the WAL from another process, which the owner's
//! exclusive lock (the point of this host) forbids. The owning process is the one place
//! that sees every commit as it happens, so it ships them itself:
//!
//! - [`Feed`] sits on the commit path. The batch connection's WAL hook, called inside
//!   each COMMIT, hands it the commit's pages ([`capture`]); [`Feed::begin`] and
//!   [`Feed::end`] number every commit the host makes, pages or not.
//! - [`shipper`] uploads what the feed collected as segments ([`segment`], [`layout`]),
//!   takes snapshots ([`snapshot`]), and deletes what retention no longer needs
//!   ([`retention`]). Batch N+1 commits locally while N uploads.
//! - In `sync` mode the output gate also waits for the bucket: a batch's held responses
//!   are released once its segment is stored ([`Feed::replicated`]), and a request that
//!   only read is held until every commit it could have seen is ([`Feed::required`]).
//!   Past [`Settings::timeout`] they become retryable 503s, as after a failed local commit.
//!   In `async` mode responses leave after the local commit, and the segment follows
//!   within [`Settings::max_lag`].
//! - [`generation`] claims the next generation number with a create-once object: a
//!   deposed owner's late segments carry an older generation, which the restore does not
//!   use past its successor's claim, and the deposed owner stops when it sees the claim.
//! - [`restore`] rebuilds a database from a snapshot and the segments after it.

pub mod capture;
pub mod generation;
pub mod layout;
pub mod restore;
pub mod retention;
pub mod segment;
pub mod shipper;
pub mod snapshot;

use anyhow::{Result, bail};
use capture::WalReader;
use segment::Commit;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// When a response may leave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// After the local commit; the segment follows within `--replicate-max-lag`.
    Async,
    /// After the local commit and the segment's upload.
    Sync,
}

/// `--replicate-*`.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `s3://bucket/prefix`.
    pub url: String,
    pub mode: Mode,
    /// Async: a commit is shipped at most this long after it (default 1 s).
    pub max_lag: Duration,
    /// Sync: how long a held response waits for its segment before it becomes a 503
    /// (default 10 s).
    pub timeout: Duration,
    /// A fresh snapshot this often (default 1 hour); one also starts each generation.
    pub snapshot_every: Duration,
    /// Snapshots and segments are kept this long (default 7 days).
    pub retention: Duration,
    /// Commits waiting to be shipped may hold this many bytes (default 256 MiB); past it
    /// they are dropped and a new generation starts with a fresh snapshot.
    pub buffer: usize,
}

/// `/readyz` turns unready when the oldest unshipped commit is this many times
/// `--replicate-max-lag` old (10 s by default), or older than the sync timeout.
pub const UNREADY_LAG_FACTOR: u32 = 10;
/// A segment is cut at this many bytes of pages (before compression).
pub const SEGMENT_BYTES: usize = 16 << 20;

/// What the commit path hands the shipper, in commit order.
#[derive(Debug)]
pub enum Record {
    Commit(Commit),
    /// A numbered commit that wrote no page, or failed.
    Nothing(u64),
    /// Commits were dropped (the buffer was full, or the WAL could not be read): the
    /// shipper must start a new generation.
    Broken(u64),
    /// Upload what is left and stop.
    Stop,
}

/// The shipping's state, shared by the feed, the shipper, `/readyz` and `/metrics`.
pub struct Status {
    /// Every commit numbered up to this is in the bucket (or had nothing to ship).
    replicated: watch::Sender<u64>,
    /// The generation's owner saw a successor's claim: nothing is shipped any more.
    deposed: OnceLock<String>,
    /// µs time of the oldest commit not yet in the bucket (0: none).
    oldest_unshipped_us: AtomicI64,
    /// Why the last upload failed, until one succeeds.
    failing: Mutex<Option<String>>,
    /// The current generation's first snapshot is stored (what comes after it can be
    /// restored).
    restorable: AtomicBool,
    mode: Mode,
    unready_after: Duration,
}

impl Status {
    fn new(settings: &Settings) -> Status {
        Status {
            replicated: watch::channel(0).0,
            deposed: OnceLock::new(),
            oldest_unshipped_us: AtomicI64::new(0),
            failing: Mutex::new(None),
            restorable: AtomicBool::new(false),
            mode: settings.mode,
            unready_after: (settings.max_lag * UNREADY_LAG_FACTOR).min(match settings.mode {
                Mode::Sync => settings.timeout,
                Mode::Async => Duration::MAX,
            }),
        }
    }

    /// How far behind the bucket is, now.
    pub fn lag(&self) -> Duration {
        match self.oldest_unshipped_us.load(Ordering::Relaxed) {
            0 => Duration::ZERO,
            oldest => Duration::from_micros((now_us() - oldest).max(0) as u64),
        }
    }

    /// Why this process is not ready as far as replication goes.
    pub fn problem(&self) -> Option<String> {
        if let Some(why) = self.deposed.get() {
            return Some(format!("deposed: {why}"));
        }
        if self.mode == Mode::Sync && !self.restorable.load(Ordering::Relaxed) {
            // Every answer would wait for it: not ready until then.
            return Some(
                "replication: the generation's first snapshot is not in the bucket yet".into(),
            );
        }
        let lag = self.lag();
        if lag > self.unready_after {
            let failing = self.failing.lock().unwrap().clone();
            return Some(format!(
                "replication is {:.1} s behind (limit {:.1} s){}",
                lag.as_secs_f64(),
                self.unready_after.as_secs_f64(),
                failing.map(|f| format!(": {f}")).unwrap_or_default()
            ));
        }
        None
    }
}

static STATUS: OnceLock<Arc<Status>> = OnceLock::new();

/// This process's replication state, if it replicates (for `/readyz` and `/metrics`).
pub fn status() -> Option<&'static Arc<Status>> {
    STATUS.get()
}

/// The commit side of replication (see the module doc).
pub struct Feed {
    mode: Mode,
    timeout: Duration,
    buffer: usize,
    /// The number of the last commit begun.
    started: AtomicU64,
    /// The commit [`Feed::begin`] numbered and the hook has not taken yet, with its time.
    open: Mutex<Option<(u64, i64)>>,
    /// The last commit time handed out (times never go backwards).
    last_time: AtomicI64,
    reader: Mutex<WalReader>,
    /// Bytes of pages handed to the shipper and not yet uploaded.
    pub(crate) unshipped_bytes: AtomicUsize,
    /// Set once commits were dropped, until the shipper starts a new generation.
    broken: AtomicBool,
    records: mpsc::UnboundedSender<Record>,
    pub(crate) status: Arc<Status>,
    /// Held while a snapshot reads the database ([`snapshot::take`]).
    copying: Mutex<()>,
    /// The database is closing: a snapshot stops between two steps, and none starts.
    closing: AtomicBool,
}

impl Feed {
    /// Before the database's last checkpoint and close: stops a snapshot that is reading
    /// it (waiting at most one copy step) and lets none start, so that no connection of
    /// replication's holds the WAL or outlives the owner's.
    pub fn close_snapshots(&self) {
        self.closing.store(true, Ordering::SeqCst);
        drop(self.copying.lock().unwrap());
    }

    /// Numbers the commit about to run (group commit: [`super::Session::commit`]).
    pub fn begin(&self) -> u64 {
        let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        *self.open.lock().unwrap() = Some((number, self.next_time()));
        number
    }

    /// The WAL hook's part, after a commit took the WAL to `frames` frames.
    pub fn committed(&self, frames: u64) {
        let (number, time_us) = match self.open.lock().unwrap().take() {
            Some(open) => open,
            // A commit the host did not begin (per-request mode).
            None => (
                self.started.fetch_add(1, Ordering::SeqCst) + 1,
                self.next_time(),
            ),
        };
        if self.broken.load(Ordering::SeqCst) {
            // Already dropping: the next generation's snapshot will hold it.
            let _ = self.records.send(Record::Nothing(number));
            return;
        }
        let read = self.reader.lock().unwrap().commit(frames, number, time_us);
        let record = match read {
            Ok(commit) => {
                let bytes = commit.bytes();
                let total = self.unshipped_bytes.fetch_add(bytes, Ordering::SeqCst) + bytes;
                if total > self.buffer {
                    tracing::error!(
                        "replication: {total} bytes of commits wait for the bucket, more than \
                         --replicate-buffer ({}): dropping them; a new generation with a \
                         fresh snapshot starts once the bucket takes uploads again",
                        self.buffer
                    );
                    self.break_off(number)
                } else {
                    Record::Commit(commit)
                }
            }
            Err(e) => {
                tracing::error!(
                    "replication: cannot read commit {number} from the WAL ({e:#}); a new \
                     generation with a fresh snapshot starts"
                );
                self.break_off(number)
            }
        };
        let _ = self.records.send(record);
    }

    fn break_off(&self, number: u64) -> Record {
        self.broken.store(true, Ordering::SeqCst);
        Record::Broken(number)
    }

    /// After the COMMIT of `number` returned: a commit whose hook did not run (no page
    /// written, or the COMMIT failed) still moves the numbering on.
    pub fn end(&self, number: u64) {
        let mut open = self.open.lock().unwrap();
        if open.is_some_and(|(n, _)| n == number) {
            *open = None;
            let _ = self.records.send(Record::Nothing(number));
        }
    }

    /// The number of the last commit begun: a read now can have seen nothing later.
    pub fn required(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Waits until commit `number` and every one before it are in the bucket; `Err` when
    /// that does not happen within the timeout, or never will (deposed).
    pub async fn replicated(&self, number: u64) -> std::result::Result<(), Arc<str>> {
        let mut seen = self.status.replicated.subscribe();
        let deposed = &self.status.deposed;
        let wait = seen.wait_for(|through| *through >= number || deposed.get().is_some());
        match tokio::time::timeout(self.timeout, wait).await {
            Ok(Ok(_)) if self.status.deposed.get().is_none() => Ok(()),
            _ if self.status.deposed.get().is_some() => Err(Arc::from(format!(
                "this writer was deposed and ships nothing more: {}",
                self.status
                    .deposed
                    .get()
                    .map(String::as_str)
                    .unwrap_or_default()
            ))),
            _ => Err(Arc::from(format!(
                "the commit was not stored in the replica bucket within {:?}",
                self.timeout
            ))),
        }
    }

    fn next_time(&self) -> i64 {
        let now = now_us();
        let previous = self.last_time.fetch_max(now, Ordering::SeqCst);
        previous.max(now)
    }

    /// The shipper started a new generation: commits are collected again.
    pub(crate) fn mend(&self) {
        self.broken.store(false, Ordering::SeqCst);
    }
}

/// Replication of one database: the feed on its commit path and the shipper's task.
pub struct Replication {
    pub feed: Arc<Feed>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Replication {
    /// Checks the settings and the bucket, claims a generation and starts shipping the
    /// commits of the database at `db` (whose owner this process is).
    pub async fn start(db: &Path, settings: Settings) -> Result<Replication> {
        if settings.max_lag.is_zero() || settings.timeout.is_zero() {
            bail!("--replicate-max-lag and --replicate-timeout must be more than 0");
        }
        let bucket = crate::object_bucket::Bucket::open_quick(&settings.url)?;
        let status = Arc::new(Status::new(&settings));
        let (records, received) = mpsc::unbounded_channel();
        let feed = Arc::new(Feed {
            mode: settings.mode,
            timeout: settings.timeout,
            buffer: settings.buffer,
            started: AtomicU64::new(0),
            open: Mutex::new(None),
            last_time: AtomicI64::new(0),
            reader: Mutex::new(WalReader::new(db)),
            unshipped_bytes: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
            records,
            status: status.clone(),
            copying: Mutex::new(()),
            closing: AtomicBool::new(false),
        });
        let shipper =
            shipper::Shipper::start(bucket, settings, db.to_path_buf(), feed.clone(), received)
                .await?;
        let _ = STATUS.set(status);
        let task = tokio::spawn(shipper.run());
        Ok(Replication {
            feed,
            task: Mutex::new(Some(task)),
        })
    }

    /// After the last commit: uploads what is left, waiting at most `within`.
    pub async fn finish(&self, within: Duration) {
        let _ = self.feed.records.send(Record::Stop);
        let task = self.task.lock().unwrap().take();
        if let Some(task) = task
            && tokio::time::timeout(within, task).await.is_err()
        {
            tracing::error!(
                "replication: the last commits were not all shipped within {within:?}; the \
                 files on disk hold them (restore from the bucket would miss them)"
            );
        }
    }
}

pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}
