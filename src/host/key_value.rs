//! `fermyon:spin/key-value@2.0.0` backed by the process's
//! [`KeyValueFile`](super::key_value_file::KeyValueFile), with Spin's semantics (its
//! `factor-key-value` and default SQLite store); what it shares with 3.0 (permission,
//! the store table's bound, every row operation and its bounds) is in
//! [`super::key_value_ops`]:
//!
//! - `open` of a label the component lists in `key_value_stores` gives a store; any
//!   other label is `access-denied`, also in a component that lists no store (it links
//!   all the same). Only the `default` label has a store here, and the manifest refuses
//!   any other label at start, as Spin does without a runtime config; a listed label
//!   without a store would be `no-such-store`.
//! - `set` and `delete` return once durable.

use super::ComponentState;
use super::key_value_file::KeyValueFile;
use super::key_value_ops::{self as ops, Refusal};
use super::key_value_wit::{Error, Host, HostStore};
use wasmtime::component::Resource;

/// The `store` resource of both interface versions: the label it was opened with.
pub struct Store {
    label: String,
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        match r {
            Refusal::AccessDenied => Error::AccessDenied,
            Refusal::NoSuchStore => Error::NoSuchStore,
            Refusal::StoreTableFull => Error::StoreTableFull,
        }
    }
}

impl ComponentState {
    /// The label and file behind an open store resource (of either version).
    pub(super) fn key_value_store(
        &self,
        store: &Resource<Store>,
    ) -> wasmtime::Result<(String, KeyValueFile)> {
        let label = self.table.get(store)?.label.clone();
        let file = self
            .key_value
            .file()
            .cloned()
            .ok_or_else(|| wasmtime::Error::msg("key-value store without a file"))?;
        Ok((label, file))
    }

    /// Opens `label` for the component, as [`ops::KeyValueAccess::admit`] decides.
    pub(super) fn open_key_value_store(
        &mut self,
        label: String,
    ) -> wasmtime::Result<Result<Resource<Store>, Refusal>> {
        if let Err(refusal) = self.key_value.admit(&label) {
            return Ok(Err(refusal));
        }
        Ok(Ok(self.table.push(Store { label })?))
    }

    /// Closes an open store resource (of either version).
    pub(super) fn close_key_value_store(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        self.key_value.release();
        Ok(())
    }
}

impl Host for ComponentState {}

impl HostStore for ComponentState {
    async fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        Ok(self.open_key_value_store(label)?.map_err(Error::from))
    }

    async fn get(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let (label, file) = self.key_value_store(&store)?;
        Ok(ops::get(&file, label, key).await.map_err(Error::Other))
    }

    async fn set(
        &mut self,
        store: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = self.key_value_store(&store)?;
        Ok(ops::set(&file, label, key, value)
            .await
            .map_err(Error::Other))
    }

    async fn delete(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = self.key_value_store(&store)?;
        Ok(ops::delete(&file, label, key).await.map_err(Error::Other))
    }

    async fn exists(
        &mut self,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let (label, file) = self.key_value_store(&store)?;
        Ok(ops::exists(&file, label, key).await.map_err(Error::Other))
    }

    async fn get_keys(
        &mut self,
        store: Resource<Store>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let (label, file) = self.key_value_store(&store)?;
        Ok(ops::keys(&file, label).await.map_err(Error::Other))
    }

    async fn drop(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.close_key_value_store(store)
    }
}
