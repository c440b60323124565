//! What a storage error means, and the process's "storage damaged" state.
//!
//! Every SQLite error the owner meets is sorted into one of two classes:
//!
//! - [`Fault::Transient`]: busy or locked, disk full, read-only file system, I/O error,
//!   cannot open a file. Waiting (or the operator freeing room) fixes it: the request is
//!   answered with a retryable `503` + `Retry-After`, and the pages retry it with the
//!   same idempotency key.
//! - [`Fault::Permanent`]: the file is malformed (`SQLITE_CORRUPT`) or not a database
//!   (`SQLITE_NOTADB`). Retrying cannot fix it and writing on may spread it, so the first
//!   one latches the process's [`damaged`] state: from then on the writer takes no more
//!   commands (reads that still work keep working), `/readyz` fails, the log and
//!   `/metrics` (`storage_damaged`) say why, and shoppers get a plain `503` page.
//!
//! The latch is process-wide because a process owns exactly one data dir; it is cleared
//! only by a restart after the files are repaired (docs/operations.md).

use std::sync::OnceLock;

/// The class of a storage error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Transient,
    Permanent,
}

/// The class of `e`, if it is a storage error at all (not, say, a constraint or a
/// syntax error, which are the component's to answer).
pub fn classify(e: &rusqlite::Error) -> Option<Fault> {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code()? {
        DatabaseCorrupt | NotADatabase => Some(Fault::Permanent),
        DatabaseBusy
        | DatabaseLocked
        | DiskFull
        | ReadOnly
        | SystemIoFailure
        | CannotOpen
        | OutOfMemory
        | FileLockingProtocolFailed => Some(Fault::Transient),
        _ => None,
    }
}

static DAMAGED: OnceLock<String> = OnceLock::new();

/// Why the storage is damaged, once a permanent fault was met.
pub fn damaged() -> Option<&'static str> {
    DAMAGED.get().map(String::as_str)
}

/// Latches the damaged state with `reason` (the first reason stays), logs it and shows it
/// in `/metrics`.
pub fn latch(reason: &str) {
    if DAMAGED.set(reason.to_string()).is_ok() {
        tracing::error!(
            "storage damaged, taking no more commands until the files are repaired and the \
             writer restarted: {reason}"
        );
        let metrics = crate::operator::metrics::metrics();
        metrics
            .storage_damaged
            .with_label_values(&[&cause(reason)])
            .set(1);
    }
}

/// Notes a storage error met while serving: counted in `/metrics`, and a permanent one
/// latches the damaged state. Returns its class.
pub fn note(e: &rusqlite::Error, database: &std::path::Path) -> Option<Fault> {
    let fault = classify(e)?;
    let class = match fault {
        Fault::Transient => "transient",
        Fault::Permanent => "permanent",
    };
    crate::operator::metrics::metrics()
        .storage_errors
        .with_label_values(&[class])
        .inc();
    match fault {
        Fault::Permanent => latch(&format!("{}: {e}", database.display())),
        Fault::Transient => tracing::warn!(
            "transient storage error on {} (answered 503, retryable): {e}",
            database.display()
        ),
    }
    Some(fault)
}

/// A short label for `/metrics` (SQLite's wording of the cause, without paths).
fn cause(reason: &str) -> String {
    let lower = reason.to_ascii_lowercase();
    if lower.contains("not a database") {
        "not_a_database".into()
    } else if lower.contains("malformed") || lower.contains("corrupt") {
        "malformed".into()
    } else {
        "damaged".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_is_permanent_and_a_full_disk_transient() {
        let err = |code| {
            rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some("x".into()))
        };
        use rusqlite::ffi::*;
        for (code, fault) in [
            (SQLITE_CORRUPT, Fault::Permanent),
            (SQLITE_NOTADB, Fault::Permanent),
            (SQLITE_FULL, Fault::Transient),
            (SQLITE_IOERR_WRITE, Fault::Transient),
            (SQLITE_BUSY, Fault::Transient),
        ] {
            assert_eq!(classify(&err(code)), Some(fault), "{code}");
        }
        assert_eq!(classify(&err(rusqlite::ffi::SQLITE_CONSTRAINT)), None);
    }
}
