//! A snapshot file on its way to its final name (`storefront backup --to FILE`, the
//! off-site snapshot before upload, `storefront restore` into `sqlite_db.db`): produced
//! under a partial name beside the final one (`.<name>.partial-<pid>-<n>`), checked with
//! `PRAGMA integrity_check`, and only then renamed to the final name, never over an
//! existing file ([`atomic_file::promote`]). A run killed halfway therefore leaves no file
//! under the final name, and a retry to the same name works: it removes the partial files
//! of runs whose process is gone before it starts.

use crate::atomic_file::{self, Existing};
use crate::storefront::admin_commands::verify_snapshot;
use anyhow::{Context, Result};
use std::future::Future;
use std::path::{Path, PathBuf};

/// Runs `take` to write the snapshot at the partial name it is given, verifies it and
/// names it `to`; the verification's summary line. On any failure the partial file is
/// removed and `to` is untouched.
pub async fn taken<F, Fut>(to: &Path, take: F) -> Result<String>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    for stale in atomic_file::remove_stale_partials(to)
        .with_context(|| format!("cannot clear interrupted snapshots of {}", to.display()))?
    {
        tracing::info!("removed {} (left by an interrupted run)", stale.display());
    }
    let partial = atomic_file::partial_path(to);
    let result = async {
        take(partial.clone()).await?;
        // integrity_check reads the whole file: off the async workers (the writer's
        // schedule runs beside shopper traffic).
        let (checked, named) = (partial.clone(), to.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let summary = verify_snapshot(&checked)?;
            atomic_file::promote(&checked, &named, Existing::Keep)
                .with_context(|| format!("cannot name the snapshot {}", named.display()))?;
            Ok(summary)
        })
        .await
        .context("snapshot check task")?
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}
