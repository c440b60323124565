//! What a key-value store can do, once for both versions of Spin's interface
//! (`fermyon:spin/key-value@2.0.0` in [`super::key_value`], `spin:key-value@3.0.0` in
//! [`super::key_value3`]): open a label with Spin's permission rules, and read and
//! write one store's rows of the [`KeyValueFile`]. Each answer's error is what both
//! interfaces call `other`: SQLite's text, or Spin's for an answer over
//! [`MAX_RESULT_BYTES`].

use super::key_value_file::{KeyValueFile, MAX_RESULT_BYTES, too_large};
use rusqlite::OptionalExtension;

/// Spin's `DEFAULT_STORE_TABLE_CAPACITY`: stores one instance may hold open.
pub const STORE_TABLE_CAPACITY: usize = 256;

/// The label of the one store this host provides.
pub const DEFAULT_LABEL: &str = "default";

/// Why `open` gave no store (each interface has a variant of its `error` for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The component does not list the label in `key_value_stores`.
    AccessDenied,
    /// The label is listed but the host has no store for it.
    NoSuchStore,
    /// [`STORE_TABLE_CAPACITY`] stores are open already.
    StoreTableFull,
}

/// An error both interfaces answer as `other(text)`.
pub type Other = String;

fn other(e: rusqlite::Error) -> Other {
    e.to_string()
}

/// What one component instance may do with key-value stores during one request.
pub struct KeyValueAccess {
    /// Labels listed in the component's `key_value_stores`.
    granted: Vec<String>,
    /// The process's store file; present whenever `granted` is not empty (the host
    /// refuses to load such a component in a process without the data dir).
    file: Option<KeyValueFile>,
    open: usize,
}

impl KeyValueAccess {
    pub fn new(granted: Vec<String>, file: Option<KeyValueFile>) -> Self {
        KeyValueAccess {
            granted,
            file,
            open: 0,
        }
    }

    /// Whether the guest closed every store it opened: then its instance may serve
    /// another request ([`crate::app::instance_reuse`]).
    pub fn is_closed(&self) -> bool {
        self.open == 0
    }

    /// The process's store file, whatever this component may open.
    pub fn file(&self) -> Option<&KeyValueFile> {
        self.file.as_ref()
    }

    /// Counts one more open store of `label`, as Spin's `open` decides: a label the
    /// component does not list is `access-denied` (also in a component that lists none),
    /// a listed one without a store `no-such-store`, one past the table `store-table-full`.
    pub fn admit(&mut self, label: &str) -> Result<(), Refusal> {
        if !self.granted.iter().any(|g| g == label) {
            return Err(Refusal::AccessDenied);
        }
        if label != DEFAULT_LABEL || self.file.is_none() {
            return Err(Refusal::NoSuchStore);
        }
        if self.open >= STORE_TABLE_CAPACITY {
            return Err(Refusal::StoreTableFull);
        }
        self.open += 1;
        Ok(())
    }

    /// One open store was closed.
    pub fn release(&mut self) {
        self.open = self.open.saturating_sub(1);
    }
}

/// The value of `key` in store `label`.
pub async fn get(
    file: &KeyValueFile,
    label: String,
    key: String,
) -> Result<Option<Vec<u8>>, Other> {
    let value = file
        .with(move |c| {
            c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                .query_row([&label, &key], |r| r.get::<_, Vec<u8>>(0))
                .optional()
        })
        .await
        .map_err(other)?;
    match value {
        Some(v) if size_of::<Option<Vec<u8>>>() + v.len() > MAX_RESULT_BYTES => Err(too_large()),
        v => Ok(v),
    }
}

/// Sets `key` to `value` in store `label`; returns once durable.
pub async fn set(
    file: &KeyValueFile,
    label: String,
    key: String,
    value: Vec<u8>,
) -> Result<(), Other> {
    file.with(move |c| {
        c.prepare_cached(
            "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(rusqlite::params![label, key, value])
    })
    .await
    .map(drop)
    .map_err(other)
}

/// Removes `key` from store `label` (no error when it was not there); returns once durable.
pub async fn delete(file: &KeyValueFile, label: String, key: String) -> Result<(), Other> {
    file.with(move |c| {
        c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .execute([&label, &key])
    })
    .await
    .map(drop)
    .map_err(other)
}

/// Whether `key` has a value in store `label`.
pub async fn exists(file: &KeyValueFile, label: String, key: String) -> Result<bool, Other> {
    file.with(move |c| {
        c.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
            .exists([&label, &key])
    })
    .await
    .map_err(other)
}

/// Every key of store `label`, refused past [`MAX_RESULT_BYTES`] (counted as Spin counts).
pub async fn keys(file: &KeyValueFile, label: String) -> Result<Vec<String>, Other> {
    file.with(move |c| {
        let mut stmt = c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?;
        let mut rows = stmt.query([&label])?;
        let mut bytes = size_of::<Vec<String>>();
        let mut keys = Vec::new();
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            bytes += size_of::<String>() + key.len();
            if bytes > MAX_RESULT_BYTES {
                return Ok(Err(too_large()));
            }
            keys.push(key);
        }
        Ok(Ok(keys))
    })
    .await
    .unwrap_or_else(|e| Err(other(e)))
}
