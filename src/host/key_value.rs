//! `fermyon:spin/key-value@2.0.0` backed by the process's [`KeyValueFile`], with Spin's
//! semantics (its `factor-key-value` and default SQLite store):
//!
//! - `open` of a label the component lists in `key_value_stores` gives a store; any
//!   other label is `access-denied`, also in a component that lists no store (it links
//!   all the same). Only the `default` label has a store here, and the manifest refuses
//!   any other label at start, as Spin does without a runtime config; a listed label
//!   without a store would be `no-such-store`.
//! - At most [`STORE_TABLE_CAPACITY`] stores open at once per instance, then
//!   `store-table-full`; a value or key list over [`MAX_RESULT_BYTES`] is `other` with
//!   Spin's text; a storage error is `other` with SQLite's.
//! - `set` and `delete` return once durable (see [`KeyValueFile`]).

use super::ComponentState;
use super::key_value_file::{KeyValueFile, MAX_RESULT_BYTES, too_large};
use super::key_value_wit::{Error, Host, HostStore};
use rusqlite::OptionalExtension;
use wasmtime::component::Resource;

/// Spin's `DEFAULT_STORE_TABLE_CAPACITY`: stores one instance may hold open.
pub const STORE_TABLE_CAPACITY: usize = 256;

/// The label of the one store this host provides.
pub const DEFAULT_LABEL: &str = "default";

/// The `store` resource: the label it was opened with.
pub struct Store {
    label: String,
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

    /// The process's store file, whatever this component may open.
    pub fn file(&self) -> Option<&KeyValueFile> {
        self.file.as_ref()
    }
}

fn other(e: rusqlite::Error) -> Error {
    Error::Other(e.to_string())
}

impl ComponentState {
    /// The label and file behind an open store resource.
    fn store(&self, store: &Resource<Store>) -> wasmtime::Result<(String, KeyValueFile)> {
        let label = self.table.get(store)?.label.clone();
        let file = self
            .key_value
            .file
            .clone()
            .ok_or_else(|| wasmtime::Error::msg("key-value store without a file"))?;
        Ok((label, file))
    }
}

impl Host for ComponentState {}

impl HostStore for ComponentState {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        let access = &mut self.key_value;
        if !access.granted.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        if label != DEFAULT_LABEL || access.file.is_none() {
            return Ok(Err(Error::NoSuchStore));
        }
        if access.open >= STORE_TABLE_CAPACITY {
            return Ok(Err(Error::StoreTableFull));
        }
        access.open += 1;
        Ok(Ok(self.table.push(Store { label })?))
    }

    async fn get(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let (label, file) = self.store(&store)?;
        let value = file
            .with(move |c| {
                c.prepare_cached("SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                    .query_row([&label, &key], |r| r.get::<_, Vec<u8>>(0))
                    .optional()
            })
            .await;
        Ok(match value {
            Ok(Some(v)) if size_of::<Option<Vec<u8>>>() + v.len() > MAX_RESULT_BYTES => {
                Err(Error::Other(too_large()))
            }
            Ok(v) => Ok(v),
            Err(e) => Err(other(e)),
        })
    }

    async fn set(
        &mut self,
        store: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = self.store(&store)?;
        let done = file
            .with(move |c| {
                c.prepare_cached(
                    "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                )?
                .execute(rusqlite::params![label, key, value])
            })
            .await;
        Ok(done.map(drop).map_err(other))
    }

    async fn delete(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = self.store(&store)?;
        let done = file
            .with(move |c| {
                c.prepare_cached("DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                    .execute([&label, &key])
            })
            .await;
        Ok(done.map(drop).map_err(other))
    }

    async fn exists(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let (label, file) = self.store(&store)?;
        let found = file
            .with(move |c| {
                c.prepare_cached("SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2")?
                    .exists([&label, &key])
            })
            .await;
        Ok(found.map_err(other))
    }

    async fn get_keys(
        &mut self,
        store: Resource<Store>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let (label, file) = self.store(&store)?;
        let keys = file
            .with(move |c| {
                let mut stmt =
                    c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?;
                let mut rows = stmt.query([&label])?;
                let mut bytes = size_of::<Vec<String>>();
                let mut keys = Vec::new();
                while let Some(row) = rows.next()? {
                    let key: String = row.get(0)?;
                    bytes += size_of::<String>() + key.len();
                    if bytes > MAX_RESULT_BYTES {
                        return Ok(Err(Error::Other(too_large())));
                    }
                    keys.push(key);
                }
                Ok(Ok(keys))
            })
            .await;
        Ok(keys.unwrap_or_else(|e| Err(other(e))))
    }

    async fn drop(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        self.key_value.open = self.key_value.open.saturating_sub(1);
        Ok(())
    }
}
