//! The per-request state of a component instance (the `T` of `Store<T>`) and the
//! linker that wires every interface a spin-sdk 5.x component imports: WASI 0.2 and
//! `wasi:http` from wasmtime, `fermyon:spin/sqlite`, `fermyon:spin/variables` and
//! `fermyon:spin/key-value` here.

pub mod key_value;
pub mod key_value3;
pub mod key_value_file;
pub mod key_value_ops;
pub mod outbound_http;
pub mod public_connect;
pub mod sqlite;
pub mod variables;

use std::collections::BTreeMap;
use std::sync::Arc;
use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "storefront:host/spin-imports",
        imports: { default: async | trappable },
        with: {
            "fermyon:spin/sqlite.connection": super::sqlite::Connection,
            "fermyon:spin/key-value.store": super::key_value::Store,
        },
    });
}

pub use bindings::fermyon::spin::{
    key_value as key_value_wit, sqlite as sqlite_wit, variables as variables_wit,
};

/// Everything one component instance may touch while it serves one request.
pub struct ComponentState {
    pub wasi: WasiCtx,
    pub http: WasiHttpCtx,
    pub table: ResourceTable,
    pub outbound: outbound_http::OutboundHttp,
    pub sqlite: sqlite::SqliteAccess,
    pub key_value: key_value_ops::KeyValueAccess,
    /// Component variables, already rendered from application variables.
    pub variables: Arc<BTreeMap<String, String>>,
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for ComponentState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.outbound,
        }
    }
}

/// A linker with every import of the Spin HTTP world that this host supports.
pub fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<ComponentState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    sqlite_wit::add_to_linker::<ComponentState, HasSelf<ComponentState>>(&mut linker, |s| s)?;
    variables_wit::add_to_linker::<ComponentState, HasSelf<ComponentState>>(&mut linker, |s| s)?;
    key_value_wit::add_to_linker::<ComponentState, HasSelf<ComponentState>>(&mut linker, |s| s)?;
    Ok(linker)
}
