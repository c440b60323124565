//! Command-line interface of the `storefront` binary.

use crate::database::batch::{CommitMode, CommitPolicy};
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
    /// Take a consistent snapshot of the database through the writer and verify it.
    Backup(BackupArgs),
    /// List every mismatch between the payment provider and the ledger over a window.
    Reconcile(ReconcileArgs),
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
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Snapshot file to create (must not exist).
    #[arg(long)]
    pub to: PathBuf,
    #[command(flatten)]
    pub target: AdminTarget,
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
}

impl OwnerArgs {
    pub fn commit_policy(&self) -> CommitPolicy {
        CommitPolicy {
            mode: self.commit_mode,
            max_requests: self.batch_max_requests.max(1),
            max_age: Duration::from_millis(self.batch_max_age_ms),
        }
    }

    pub fn wait(&self) -> crate::ownership::Wait {
        match self.wait {
            None => crate::ownership::Wait::No,
            Some(0) => crate::ownership::Wait::For(Duration::from_secs(u64::from(u32::MAX))),
            Some(s) => crate::ownership::Wait::For(Duration::from_secs(s)),
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
}

#[derive(Args, Debug)]
pub struct WriterArgs {
    #[command(flatten)]
    pub manifest: ManifestArg,
    /// Private address the pages reach the writer on (their `writer_url`).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub owner: OwnerArgs,
}
