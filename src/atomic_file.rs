//! Files the host writes appear under their final name only when complete: the bytes go
//! to a temporary name in the same folder (`.<name>.partial-<pid>-<n>`), are flushed to
//! the disk (`fsync`), renamed over the final name, and the folder is flushed so the
//! rename itself survives a power cut. A crash or a full disk at any point leaves either
//! the old file or the new one, never a torn one; at worst a partial file under the
//! temporary name, which [`remove_stale_partials`] clears once its process is gone.
//!
//! [`promote`] does the second half for a file someone else produced at a partial name
//! (SQLite's `VACUUM INTO` for a backup, a download for a restore).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What a promotion does when the final name already exists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Existing {
    /// Replace it (one atomic rename): secrets, records, caches.
    Replace,
    /// Refuse (`AlreadyExists`) and keep it: a backup never overwrites a backup.
    Keep,
}

/// What a temporary name starts with for `path`'s file name.
fn partial_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.partial-")
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A fresh temporary name for `path` in its folder, unique within and across processes.
pub fn partial_path(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    folder_of(path).join(format!(
        "{}{}-{n}",
        partial_prefix(path),
        std::process::id()
    ))
}

/// Flushes a folder's entries (a rename or unlink in it) to the disk.
pub fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

/// Writes `bytes` as the whole new content of `path` (created with `mode`), atomically.
pub fn write(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let partial = partial_path(path);
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        promote(&partial, path, Existing::Replace)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// Gives the complete file at `partial` its final name `path`: flushes the file, renames
/// it (never over an existing file with [`Existing::Keep`]), flushes the folder.
pub fn promote(partial: &Path, path: &Path, existing: Existing) -> io::Result<()> {
    File::open(partial)?.sync_all()?;
    match existing {
        Existing::Replace => std::fs::rename(partial, path)?,
        // A hard link fails when the name exists, so nothing can slip in between a check
        // and the rename; a filesystem without hard links falls back to check-and-rename.
        Existing::Keep => match std::fs::hard_link(partial, path) {
            Ok(()) => std::fs::remove_file(partial)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
            Err(_) if path.exists() => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} already exists", path.display()),
                ));
            }
            Err(_) => std::fs::rename(partial, path)?,
        },
    }
    sync_folder(folder_of(path))
}

/// Deletes the temporary files left for `path` by processes that no longer run (killed
/// mid-write); the ones a live process is still writing stay. The names removed.
pub fn remove_stale_partials(path: &Path) -> io::Result<Vec<PathBuf>> {
    let prefix = partial_prefix(path);
    let folder = folder_of(path);
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            std::fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    if !removed.is_empty() {
        sync_folder(folder)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A pid that no process has: above the kernel's `pid_max` limit (2^22).
    const GONE: u32 = 4_999_999;

    fn names(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        all.sort();
        all
    }

    #[test]
    fn a_write_replaces_the_whole_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        write(&path, b"old and longer", 0o600).unwrap();
        write(&path, b"new", 0o600).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(names(dir.path()), ["secrets.json"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_its_partial() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        write(&path, b"old", 0o600).unwrap();
        // The final name is now a folder: the rename fails after the bytes were written.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), b"x").unwrap();
        assert!(write(&blocked, b"new", 0o600).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["blocked", "secrets.json"]);
    }

    #[test]
    fn partial_names_are_unique_hidden_and_beside_the_final_name() {
        let path = Path::new("/backups/shop.db");
        let (a, b) = (partial_path(path), partial_path(path));
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("/backups")));
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(&format!(".shop.db.partial-{}-", std::process::id())),
            "{name}"
        );
        assert_eq!(folder_of(Path::new("shop.db")), Path::new("."));
    }

    #[test]
    fn promote_keep_never_overwrites_a_complete_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.db");
        let first = partial_path(&path);
        std::fs::write(&first, b"first").unwrap();
        promote(&first, &path, Existing::Keep).unwrap();
        let second = partial_path(&path);
        std::fs::write(&second, b"second").unwrap();
        let err = promote(&second, &path, Existing::Keep).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert!(
            second.exists(),
            "the refused partial is the caller's to remove"
        );
        promote(&second, &path, Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(names(dir.path()), ["backup.db"]);
    }

    #[test]
    fn stale_partials_of_dead_processes_go_live_ones_and_other_names_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.db");
        let stale = dir.path().join(format!(".backup.db.partial-{GONE}-0"));
        let mine = partial_path(&path);
        let other = dir.path().join(format!(".other.db.partial-{GONE}-0"));
        for p in [&stale, &mine, &other] {
            std::fs::write(p, b"half").unwrap();
        }
        assert_eq!(
            remove_stale_partials(&path).unwrap(),
            std::slice::from_ref(&stale)
        );
        assert!(!stale.exists() && mine.exists() && other.exists());
        assert!(
            remove_stale_partials(&dir.path().join("missing/x"))
                .unwrap()
                .is_empty()
        );
    }
}
