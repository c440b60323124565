//! Exclusive ownership of a data directory by one process.
//!
//! Before any SQLite file is opened, the process takes an OS lock (`flock`) on
//! `<data-dir>/storefront.lock` and writes who it is into `storefront.owner` beside it
//! (atomically, so a reader never sees half a record). The lock is held
//! for the life of the process and released by the kernel if the process dies, so a
//! crashed writer never blocks its successor. A second writer either fails at once
//! with a message naming the owner, or waits for the handover.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const LOCK_FILE: &str = "storefront.lock";
/// The owner's record; not the lock file itself, since an atomic write replaces the
/// file and a lock belongs to the file it was taken on.
pub const OWNER_FILE: &str = "storefront.owner";

/// Who holds a data dir; written into [`OWNER_FILE`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Owner {
    pub pid: u32,
    pub host: String,
    /// Unix seconds.
    pub started_at: u64,
    pub version: String,
    pub role: String,
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on {} ({} of storefront {}, started at unix time {})",
            self.pid, self.host, self.role, self.version, self.started_at
        )
    }
}

/// Held ownership; dropping it (or the process ending) releases the data dir.
pub struct Ownership {
    file: File,
}

/// How long to wait for a current owner to let go.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    No,
    For(Duration),
}

fn read_owner(data_dir: &Path) -> Option<Owner> {
    let text = std::fs::read_to_string(data_dir.join(OWNER_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Reads who currently owns `data_dir`, if anyone has ever recorded it.
#[cfg(test)]
pub fn current_owner(data_dir: &Path) -> Option<Owner> {
    read_owner(data_dir)
}

impl Ownership {
    /// Takes exclusive ownership of `data_dir` (created if missing).
    pub fn acquire(data_dir: &Path, role: &str, wait: Wait) -> Result<Ownership> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        let deadline = match wait {
            Wait::No => None,
            Wait::For(d) => Some(Instant::now() + d),
        };
        let mut announced = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let owner = read_owner(data_dir)
                        .map(|o| o.to_string())
                        .unwrap_or_else(|| "another process".to_string());
                    match deadline {
                        Some(d) if Instant::now() < d => {
                            if !announced {
                                tracing::info!(
                                    "{} is owned by {owner}; waiting for it to hand over",
                                    data_dir.display()
                                );
                                announced = true;
                            }
                            std::thread::sleep(Duration::from_millis(50));
                        }
                        Some(_) => bail!(
                            "{} is still owned by {owner} after waiting; giving up",
                            data_dir.display()
                        ),
                        None => bail!(
                            "{} is owned by {owner}; stop it first, or pass --wait to take over when it exits",
                            data_dir.display()
                        ),
                    }
                }
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
        let owner = Owner {
            pid: std::process::id(),
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            started_at: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            version: env!("CARGO_PKG_VERSION").to_string(),
            role: role.to_string(),
        };
        let record = data_dir.join(OWNER_FILE);
        let _ = crate::atomic_file::remove_stale_partials(&record);
        crate::atomic_file::write(&record, serde_json::to_string(&owner)?.as_bytes(), 0o644)
            .with_context(|| format!("cannot write {}", record.display()))?;
        Ok(Ownership { file })
    }
}

impl Drop for Ownership {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_owner_is_refused_then_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let first = Ownership::acquire(dir.path(), "test", Wait::No).unwrap();
        let owner = current_owner(dir.path()).unwrap();
        assert_eq!(owner.pid, std::process::id());
        let err = Ownership::acquire(dir.path(), "test", Wait::No)
            .err()
            .unwrap();
        assert!(
            err.to_string().contains(&format!("pid {}", owner.pid)),
            "{err}"
        );
        drop(first);
        Ownership::acquire(dir.path(), "test", Wait::For(Duration::from_secs(1))).unwrap();
    }
}
