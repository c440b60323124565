//! `spin:key-value@3.0.0`, Spin 4's key-value: the same stores, permission, bounds and
//! durability as 2.0 ([`super::key_value`], over [`super::key_value_ops`] and the same
//! file and table, so a value set through one version is read through the other), with
//! every function an `async func` and `get-keys` a `stream<string>` whose closing
//! `future` says how it ended. Async functions need the component model's async ABI,
//! so only components run on the async engine link this
//! ([`crate::app::async_guest`]).

use super::ComponentState;
use super::key_value::Store;
use super::key_value_file::KeyValueFile;
use super::key_value_ops::{self as ops, Refusal};
use wasmtime::component::{Accessor, FutureReader, HasData, Linker, Resource, StreamReader};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "storefront:host/spin-async-imports",
        imports: { default: trappable },
        with: {
            "spin:key-value/key-value.store": crate::host::key_value::Store,
        },
    });
}

use bindings::spin::key_value::key_value::{self as wit, Error};

/// The [`HasData`] through which the 3.0 functions reach the instance's state.
pub struct KeyValue3;

impl HasData for KeyValue3 {
    type Data<'a> = &'a mut ComponentState;
}

/// Adds `spin:key-value/key-value@3.0.0` to `linker`.
pub fn add_to_linker(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    wit::add_to_linker::<ComponentState, KeyValue3>(linker, |s| s)
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

/// The label and file behind `store`, read from the instance's state.
fn store_of<T>(
    accessor: &Accessor<T, KeyValue3>,
    store: &Resource<Store>,
) -> wasmtime::Result<(String, KeyValueFile)> {
    accessor.with(|mut access| access.get().key_value_store(store))
}

impl wit::Host for ComponentState {}

impl wit::HostStore for ComponentState {
    fn drop(&mut self, store: Resource<Store>) -> wasmtime::Result<()> {
        self.close_key_value_store(store)
    }
}

impl<T: Send> wit::HostStoreWithStore<T> for KeyValue3 {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<Store>, Error>> {
        accessor.with(|mut access| {
            Ok(access
                .get()
                .open_key_value_store(label)?
                .map_err(Error::from))
        })
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let (label, file) = store_of(accessor, &store)?;
        Ok(ops::get(&file, label, key).await.map_err(Error::Other))
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = store_of(accessor, &store)?;
        Ok(ops::set(&file, label, key, value)
            .await
            .map_err(Error::Other))
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let (label, file) = store_of(accessor, &store)?;
        Ok(ops::delete(&file, label, key).await.map_err(Error::Other))
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let (label, file) = store_of(accessor, &store)?;
        Ok(ops::exists(&file, label, key).await.map_err(Error::Other))
    }

    /// The keys are read as 2.0 reads them (bounded by the same limit) and then handed
    /// to the stream; a failure is the stream ending empty with `other` in the future.
    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<Store>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), Error>>)> {
        let (label, file) = store_of(accessor, &store)?;
        let (keys, ended) = match ops::keys(&file, label).await {
            Ok(keys) => (keys, Ok(())),
            Err(e) => (Vec::new(), Err(Error::Other(e))),
        };
        accessor.with(|mut access| {
            let keys = StreamReader::new(&mut access, keys)?;
            let ended =
                FutureReader::new(&mut access, async move { Ok::<_, wasmtime::Error>(ended) })?;
            Ok((keys, ended))
        })
    }
}
