//! Command-line interface of the `storefront` binary.

use crate::app::instance_reuse;
use crate::database::batch::{CommitMode, CommitPolicy};
use crate::database::replication::{Mode as ReplicateMode, Settings as ReplicationSettings};
use crate::server::limits;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "storefront",
    version,
    about = "Runs the storefront Spin app: stateless pages, one writer that owns the SQLite files."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the components and serve the whole app (pages + writer) locally.
    Up(UpArgs),
    /// Production: serve only the writer component, owning the data dir.
    Writer(WriterArgs),
    /// Serve every component except the writer, with no database (what `spin up`
    /// of the pages does in production; `writer_url` points at the standalone writer).
    Pages(PagesArgs),
    /// Build the components with the commands in spin.toml (like `spin build`).
    Build(ManifestArg),
    /// Audit the ledger: integrity, sequences, stock, totals, idempotency records.
    Check(CheckArgs),
    /// Take a consistent snapshot of the database through the writer and verify it;
    /// to a file, or to an S3-compatible store (`--to s3://bucket/prefix`).
    Backup(BackupArgs),
    /// Restore a snapshot (a file, or from an S3-compatible store) into an empty, unowned data dir.
    Restore(RestoreArgs),
    /// List every mismatch between the payment provider and the ledger over a window.
    Reconcile(ReconcileArgs),
    /// The back office's owner account.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Set the back office owner's password, read from standard input (one line, at least
    /// 12 characters); every signed-in back-office session ends.
    SetPassword(SetPasswordArgs),
}

#[derive(Args, Debug)]
pub struct SetPasswordArgs {
    #[command(flatten)]
    pub target: AdminTarget,
}

#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// Window start, unix seconds (default: --days before --to).
    #[arg(long)]
    pub from: Option<i64>,
    /// Window end, unix seconds (default: now).
    #[arg(long)]
    pub to: Option<i64>,
    /// Window length when --from is not given.
    #[arg(long, default_value_t = 7)]
    pub days: i64,
    #[command(flatten)]
    pub target: AdminTarget,
}

#[derive(Args, Debug)]
pub struct PagesArgs {
    #[command(flatten)]
    pub manifest: ManifestArg,
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Serve `/healthz`, `/readyz` and `/metrics` on this separate address.
    #[arg(long, value_name = "ADDR")]
    pub operator_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub limits: ServerLimits,
}

/// The server's limits (defaults and meaning: `server::limits`, docs/limits.md).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Limits")]
pub struct ServerLimits {
    /// Open connections; beyond it new ones wait in the listen backlog.
    #[arg(long, value_name = "N", default_value_t = limits::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Requests running in components at once; more wait in a queue (sizes the instance pool).
    #[arg(long, value_name = "N", default_value_t = limits::MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// Longest wait in that queue before 503 + Retry-After.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub queue_timeout: Duration,
    /// Time to send a request head, from connect or the previous response (also the keep-alive idle timeout).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub header_timeout: Duration,
    /// Largest request head, and a connection's read buffer.
    #[arg(long, value_name = "BYTES", default_value_t = limits::MAX_HEAD_BYTES)]
    pub max_head_bytes: usize,
    /// Largest request body passed to a component; larger is 413.
    #[arg(long, value_name = "BYTES", default_value_t = limits::MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Bodies declared over --max-body-bytes up to this size are read and discarded before the 413.
    #[arg(long, value_name = "BYTES", default_value_t = limits::MAX_DISCARD_BYTES)]
    pub max_discard_bytes: u64,
    /// Base time for a body to arrive once its head is in (plus length / --min-body-rate).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub body_timeout: Duration,
    /// Slowest accepted upload, bytes per second.
    #[arg(long, value_name = "BYTES", default_value_t = limits::MIN_BODY_RATE)]
    pub min_body_rate: u64,
    /// Longest pause within a body.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = duration)]
    pub body_idle_timeout: Duration,
    /// Bytes of request bodies buffered at once in the whole process.
    #[arg(long, value_name = "BYTES", default_value_t = limits::BODY_MEMORY)]
    pub body_memory: usize,
    /// Longest one request runs in its component instance, its response body included (a client that does not read is cut off).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = duration)]
    pub instance_lifetime: Duration,
    /// Requests one component instance serves before it is dropped (1: a fresh instance for each, Spin's default for wasi:http 0.2).
    #[arg(long, value_name = "N", default_value_t = instance_reuse::MAX_INSTANCE_REUSE_COUNT, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_instance_reuse_count: u32,
    /// Longest an instance is kept unused between two requests.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = duration)]
    pub idle_instance_timeout: Duration,
    /// Most instances of one component kept idle between requests.
    #[arg(long, value_name = "N", default_value_t = instance_reuse::MAX_IDLE_INSTANCES)]
    pub max_idle_instances: usize,
    /// How long a stopping server waits for requests running in components.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = duration)]
    pub drain_timeout: Duration,
    /// Threads serving connections, each with its connections' requests [default: one per core].
    #[arg(long, value_name = "N")]
    pub connection_threads: Option<usize>,
}

impl ServerLimits {
    pub fn limits(&self) -> limits::Limits {
        limits::Limits {
            connection_threads: self
                .connection_threads
                .unwrap_or_else(limits::default_connection_threads),
            max_connections: self.max_connections,
            max_in_flight: self.max_in_flight,
            queue_timeout: self.queue_timeout,
            header_timeout: self.header_timeout,
            max_head_bytes: self.max_head_bytes,
            max_body_bytes: self.max_body_bytes,
            max_discard_bytes: self.max_discard_bytes,
            body_timeout: self.body_timeout,
            min_body_rate: self.min_body_rate,
            body_idle_timeout: self.body_idle_timeout,
            body_memory: self.body_memory,
            instance_lifetime: self.instance_lifetime,
            reuse: instance_reuse::Reuse {
                max_requests: self.max_instance_reuse_count,
                idle_timeout: self.idle_instance_timeout,
                max_idle: self.max_idle_instances,
            },
            drain_timeout: self.drain_timeout,
        }
    }
}

/// `250ms`, `10s`, or a plain number of seconds (`1.5`).
fn duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => (s.strip_suffix('s').unwrap_or(s), 1.0),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 10s, 250ms)"))?;
    Duration::try_from_secs_f64(value * unit).map_err(|e| format!("{s:?}: {e}"))
}

/// Which writer an admin command goes through.
#[derive(Args, Debug)]
pub struct AdminTarget {
    /// The spin.toml whose writer component to use offline.
    #[arg(long, default_value = "spin.toml", env = "STOREFRONT_MANIFEST")]
    pub manifest: PathBuf,
    /// Offline: take ownership of this data dir for the duration (refused while a writer runs).
    #[arg(long, default_value = ".spin")]
    pub data_dir: PathBuf,
    /// Online: the running writer (its token comes from SPIN_VARIABLE_WRITER_TOKEN).
    #[arg(long)]
    pub writer_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: AdminTarget,
    /// Re-verify every order from scratch and run SQLite's integrity check, instead of
    /// the routine audit (orders new or changed since the last clean run, plus the
    /// global invariants).
    #[arg(long)]
    pub full: bool,
    /// Orders one call of the audit verifies (each call stays well inside the writer's
    /// 30 s request limit; at most the writer's `AUDIT_PAGE_ORDERS`, 20,000).
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    pub page_orders: u32,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Snapshot file to create (must not exist), or `s3://bucket/prefix` to upload it
    /// (credentials and endpoint from the AWS_* environment variables).
    #[arg(long)]
    pub to: String,
    /// List the snapshots under `--to s3://bucket/prefix` instead of taking one.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub target: AdminTarget,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// `s3://bucket/prefix`: its replicas (`--replicate-to`) when it holds any, else its
    /// newest snapshot; `s3://bucket/prefix/storefront-….db`, or a snapshot file
    /// (`storefront backup --to FILE`).
    #[arg(long)]
    pub from: String,
    /// The data dir to restore into: must hold no database and not be owned.
    #[arg(long)]
    pub data_dir: PathBuf,
    /// Replicas: restore the last commit at or before this RFC 3339 time
    /// (e.g. 2026-12-06T12:17:15Z) instead of the newest.
    #[arg(long, value_name = "TIME", conflicts_with_all = ["generation", "segment"])]
    pub at: Option<String>,
    /// Replicas: restore from this generation (its newest commit, or `--segment`'s end).
    #[arg(long, value_name = "G")]
    pub generation: Option<u64>,
    /// Replicas: restore through the end of this segment of `--generation`.
    #[arg(long, value_name = "N", requires = "generation")]
    pub segment: Option<u64>,
    /// The spin.toml whose writer component audits a restored replica before it is named.
    #[arg(long, default_value = "spin.toml", env = "STOREFRONT_MANIFEST")]
    pub manifest: PathBuf,
}

#[derive(Args, Debug)]
pub struct ManifestArg {
    /// The Spin manifest.
    #[arg(long, default_value = "spin.toml", env = "STOREFRONT_MANIFEST")]
    pub manifest: PathBuf,
}

#[derive(Args, Debug)]
pub struct OwnerArgs {
    /// Folder holding the SQLite files (the same path real Spin uses: .spin/sqlite_db.db).
    #[arg(long, default_value = ".spin")]
    pub data_dir: PathBuf,
    /// If another process owns the data dir, wait for it to hand over (for SECONDS, or indefinitely).
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "0")]
    pub wait: Option<u64>,
    /// Cancel orders still unpaid SECONDS after they were placed, once their payment has
    /// started, and return their stock (checked every minute, or every SECONDS/2 if
    /// shorter); an order whose intent may still succeed is cancelled only after the
    /// provider has cancelled the intent. 0 turns expiry off.
    #[arg(long, value_name = "SECONDS", default_value_t = 1800)]
    pub reservation_ttl: u64,
    /// Shorter time for orders that never reached the payment step (nobody is paying
    /// for them, and they hold stock all the same).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub checkout_ttl: u64,
    /// How often the payment courier carries out the provider calls the ledger asks for
    /// (cancel intents, refund money for cancelled orders).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub courier_every: u64,
    /// Deliver the outbox's due emails and webhooks every SECONDS (0 = never: a
    /// scheduler calls `POST /admin/outbox/dispatch` instead).
    #[arg(long, value_name = "SECONDS", default_value_t = 2)]
    pub dispatch_every: u64,
    /// Run the routine (incremental) audit at start and every SECONDS, storing its result
    /// for the dashboard (0 = never: only `storefront check` runs it).
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub audit_every: u64,
    /// Upload a verified snapshot to `--backup-to` every SECONDS (0 = never).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub backup_every: u64,
    /// Where scheduled snapshots go: `s3://bucket/prefix`.
    #[arg(long, value_name = "URL")]
    pub backup_to: Option<String>,
    /// How many scheduled snapshots to keep under `--backup-to` (older ones are deleted).
    #[arg(long, value_name = "N", default_value_t = 14)]
    pub backup_keep: usize,
    /// Ship every commit continuously to `s3://bucket/prefix` (credentials and endpoint
    /// from the AWS_* environment variables), for point-in-time restores
    /// (`storefront restore --from s3://bucket/prefix [--at TIME]`). Empty: off.
    #[arg(long, value_name = "URL", env = "STOREFRONT_REPLICATE_TO")]
    pub replicate_to: Option<String>,
    /// `async`: a response leaves after the local commit, its commit reaches the bucket
    /// within `--replicate-max-lag`; `sync`: a response leaves only once its commit is in
    /// the bucket too.
    #[arg(long, value_enum, default_value_t = ReplicateMode::Async, env = "STOREFRONT_REPLICATE_MODE")]
    pub replicate_mode: ReplicateMode,
    /// Async: the longest a commit waits before it is shipped.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = humantime::parse_duration)]
    pub replicate_max_lag: Duration,
    /// Sync: how long a response waits for the bucket before it becomes a retryable 503.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = humantime::parse_duration)]
    pub replicate_timeout: Duration,
    /// A fresh snapshot in the bucket this often (and one at every start).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = humantime::parse_duration)]
    pub replicate_snapshot_every: Duration,
    /// Keep snapshots and segments this long (what no restore within it needs is deleted).
    #[arg(long, value_name = "DURATION", default_value = "7days", value_parser = humantime::parse_duration)]
    pub replicate_retention: Duration,
    /// Bytes of commits that may wait for the bucket; past it they are dropped and a new
    /// generation with a fresh snapshot starts once the bucket takes uploads again.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub replicate_buffer: usize,
    /// `group`: writer requests share one SQLite transaction and one fsync, and every
    /// response waits for that commit; `per-request`: one commit (one fsync) per
    /// component transaction, as under real Spin.
    #[arg(long, value_enum, default_value_t = CommitMode::Group)]
    pub commit_mode: CommitMode,
    /// Group commit: commit once a batch holds this many requests, even if more wait.
    #[arg(long, value_name = "REQUESTS", default_value_t = 64)]
    pub batch_max_requests: usize,
    /// Group commit: commit once a batch is this old, even if more requests wait.
    #[arg(long, value_name = "MILLISECONDS", default_value_t = 5)]
    pub batch_max_age_ms: u64,
    /// Read-only SQLite connections beside the one that writes: a writer request's
    /// statements run on one of them until its first write or transaction, so reads of
    /// committed data never wait behind a COMMIT's fsync. 0: every statement goes to
    /// the writing connection.
    #[arg(long, value_name = "CONNECTIONS", default_value_t = crate::database::readers::DEFAULT_READ_CONNECTIONS)]
    pub read_connections: usize,
}

impl OwnerArgs {
    /// The replication settings, when `--replicate-to` is given.
    pub fn replication(&self) -> Option<ReplicationSettings> {
        let url = self.replicate_to.clone().filter(|url| !url.is_empty())?;
        Some(ReplicationSettings {
            url,
            mode: self.replicate_mode,
            max_lag: self.replicate_max_lag,
            timeout: self.replicate_timeout,
            snapshot_every: self.replicate_snapshot_every,
            retention: self.replicate_retention,
            buffer: self.replicate_buffer,
        })
    }

    pub fn commit_policy(&self) -> CommitPolicy {
        CommitPolicy {
            mode: self.commit_mode,
            max_requests: self.batch_max_requests.max(1),
            max_age: Duration::from_millis(self.batch_max_age_ms),
        }
    }

    pub fn wait(&self) -> crate::database::ownership::Wait {
        match self.wait {
            None => crate::database::ownership::Wait::No,
            Some(0) => {
                crate::database::ownership::Wait::For(Duration::from_secs(u64::from(u32::MAX)))
            }
            Some(s) => crate::database::ownership::Wait::For(Duration::from_secs(s)),
        }
    }
}

#[derive(Args, Debug)]
pub struct UpArgs {
    #[command(flatten)]
    pub manifest: ManifestArg,
    /// Address to serve on (port 0 picks a free port; the URL is printed when ready).
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub owner: OwnerArgs,
    /// Use the already built components.
    #[arg(long)]
    pub no_build: bool,
    /// Serve `/healthz`, `/readyz` and `/metrics` on this separate address.
    #[arg(long, value_name = "ADDR")]
    pub operator_listen: Option<SocketAddr>,
    /// Rebuild a component when a file its manifest's `watch` globs match changes, and
    /// swap it in without restarting (the data dir stays owned), like `spin watch`.
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub limits: ServerLimits,
}

#[derive(Args, Debug)]
pub struct WriterArgs {
    #[command(flatten)]
    pub manifest: ManifestArg,
    /// Private address the pages reach the writer on (their `writer_url`).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    /// Serve `/healthz`, `/readyz` and `/metrics` on this separate address.
    #[arg(long, value_name = "ADDR")]
    pub operator_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub owner: OwnerArgs,
    #[command(flatten)]
    pub limits: ServerLimits,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_flags_default_to_the_named_constants() {
        for command in ["up", "writer", "pages"] {
            let cli = Cli::try_parse_from(["storefront", command]).unwrap();
            let limits = match cli.command {
                Command::Up(a) => a.limits,
                Command::Writer(a) => a.limits,
                Command::Pages(a) => a.limits,
                _ => unreachable!(),
            };
            assert_eq!(limits.limits(), limits::Limits::default(), "{command}");
        }
    }

    #[test]
    fn durations_take_seconds_or_milliseconds() {
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(duration("soon").is_err());
        assert!(duration("-1s").is_err());
    }
}
