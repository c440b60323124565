//! Components that use the component model's async ABI: those that export Spin 4's
//! `wasi:http` 0.3 handler (`wasi:http/handler@0.3.0-rc-2026-03-15`) or import
//! `spin:key-value@3.0.0` (whose functions are all `async func`s). They run on an
//! engine of their own with wasmtime's concurrency support, so every other component
//! keeps the synchronous engine and its call path exactly as before
//! ([`crate::app::runtime`]): which engine a component needs is read from its import
//! and export names before it is compiled ([`needs_async`]).
//!
//! Spin 4.0.2 serves the handler's release candidate `0.3.0-rc-2026-03-15`;
//! wasmtime-wasi-http 48 implements `wasi:http@0.3.0`, whose `types`, `handler` and
//! `client` interfaces are the same types and functions. Its host functions are
//! therefore linked a second time under the candidate's names, and the handler is
//! called by its candidate export name ([`HandlerPre`]). The request runs inside the
//! store's event loop ([`Store::run_concurrent`]), which is kept running until the
//! response body has been read, since the guest may still be writing it after
//! `handle` returned (as Spin's `wasip3` executor does).

use crate::host::{self, ComponentState, key_value3};
use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use tokio::sync::oneshot;
use wasmtime::component::{ComponentExportIndex, InstancePre, Linker, Resource};
use wasmtime::{Engine, Store};
use wasmtime_wasi_http::p2::bindings::http::types::ErrorCode as P2ErrorCode;
use wasmtime_wasi_http::p3::bindings::http::{client, types};
use wasmtime_wasi_http::{FieldMap, WasiBody, WasiHttp, WasiHttpHooks, WasiHttpView};

/// The `wasi:http` release candidate Spin 4.0.2 serves.
const RC: &str = "0.3.0-rc-2026-03-15";

/// The handler a `wasi:http` 0.3 component exports, by Spin 4.0.2's name.
pub const HANDLER: &str = "wasi:http/handler@0.3.0-rc-2026-03-15";

/// The import that needs the async ABI in a component exporting a 0.2 handler.
const KEY_VALUE_3: &str = "spin:key-value/key-value@3.0.0";

/// Whether the component `wasm` needs the async engine: it exports the `wasi:http` 0.3
/// handler, or imports `spin:key-value@3.0.0` or an interface of WASI 0.3. Only the
/// component's own imports and exports are read (not those of the modules inside it).
pub fn needs_async(wasm: &[u8]) -> Result<bool> {
    use wasmparser::{Parser, Payload};
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("not a WebAssembly component")? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports {
                    let name = import?.name.0;
                    if name == KEY_VALUE_3 || name.ends_with(&format!("@{RC}")) {
                        return Ok(true);
                    }
                }
            }
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    if export?.name.0 == HANDLER {
                        return Ok(true);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(false)
}

/// The engine for async components: concurrency support and the async ABI on. It
/// allocates instances on demand (the synchronous engine's pool is sized for the
/// process's capacity; the instance slots bound both engines' instances alike).
pub fn engine() -> Result<Engine> {
    let mut config = crate::app::runtime::component_config();
    config
        .concurrency_support(true)
        .wasm_component_model_async(true);
    Engine::new(&config).map_err(|e| anyhow!("cannot create the async wasm engine: {e}"))
}

/// Everything the synchronous linker has, plus `spin:key-value@3.0.0` and `wasi:http`
/// 0.3's `types` and `client` under Spin 4.0.2's names (outbound requests go through
/// the same checks as 0.2's: the hooks are shared).
pub fn linker(engine: &Engine) -> wasmtime::Result<Linker<ComponentState>> {
    let mut linker = host::linker(engine)?;
    key_value3::add_to_linker(&mut linker)?;
    types::add_to_linker_instance::<_, WasiHttp>(
        &mut linker.instance(&format!("wasi:http/types@{RC}"))?,
        <ComponentState as WasiHttpView>::http,
    )?;
    client::add_to_linker_instance::<_, WasiHttp>(
        &mut linker.instance(&format!("wasi:http/client@{RC}"))?,
        <ComponentState as WasiHttpView>::http,
    )?;
    // `types` uses `duration` from here; the interface has no functions.
    linker.instance(&format!("wasi:clocks/types@{RC}"))?;
    Ok(linker)
}

/// A `wasi:http` 0.3 component ready to instantiate, with its handler's export found.
#[derive(Clone)]
pub struct HandlerPre {
    pre: InstancePre<ComponentState>,
    handle: ComponentExportIndex,
}

type Handle = wasmtime::component::TypedFunc<
    (Resource<types::Request>,),
    (Result<Resource<types::Response>, types::ErrorCode>,),
>;

impl HandlerPre {
    /// `None` when the component does not export [`HANDLER`].
    pub fn new(pre: InstancePre<ComponentState>) -> Option<HandlerPre> {
        let component = pre.component();
        let interface = component.get_export_index(None, HANDLER)?;
        let handle = component.get_export_index(Some(&interface), "handle")?;
        Some(HandlerPre { pre, handle })
    }

    /// Serves `request` with a fresh instance in `store`: the response head goes to
    /// `sender` as soon as `handle` returns it; returns once the guest is done and the
    /// response body has been read or dropped.
    pub async fn serve(
        &self,
        store: &mut Store<ComponentState>,
        request: http::Request<WasiBody>,
        sender: oneshot::Sender<Result<http::Response<WasiBody>, P2ErrorCode>>,
    ) -> wasmtime::Result<()> {
        let instance = self.pre.instantiate_async(&mut *store).await?;
        let handle: Handle = instance.get_typed_func(&mut *store, self.handle)?;
        store
            .run_concurrent(async move |accessor| -> wasmtime::Result<()> {
                let (parts, body) = request.into_parts();
                let uri = parts.uri.into_parts();
                let (request, io) = accessor.with(|mut access| {
                    let http = access.data_mut().http();
                    // As Spin 4.0.2 hands them to a 0.3 handler: every header the client
                    // sent, `host` and hop-by-hop ones included.
                    let headers = FieldMap::new_immutable(&mut KeepEveryHeader, parts.headers);
                    let (request, io) = wasmtime_wasi_http::p3::Request::new(
                        parts.method,
                        uri.scheme,
                        uri.authority,
                        uri.path_and_query,
                        headers,
                        None,
                        body,
                    );
                    let request = http.table.push(request).map_err(wasmtime::Error::from)?;
                    Ok::<_, wasmtime::Error>((request, io))
                })?;
                let (answer,) = handle.call_concurrent(accessor, (request,)).await?;
                let response = match answer {
                    Ok(response) => response,
                    Err(code) => {
                        _ = sender.send(Err(P2ErrorCode::InternalError(Some(format!("{code:?}")))));
                        return Ok(());
                    }
                };
                let response = accessor.with(|mut access| {
                    let response = access.data_mut().table.delete(response)?;
                    response.into_http(&mut access, io)
                })?;
                let (read, reading) = oneshot::channel();
                let response =
                    response.map(|body| HeldUntilRead { body, _read: read }.boxed_unsync());
                if sender.send(Ok(response)).is_ok() {
                    // Dropped by the body once read (or abandoned): only then may the
                    // event loop that feeds it stop.
                    _ = reading.await;
                }
                Ok(())
            })
            .await?
    }
}

/// Hooks that forbid no header: for the headers of an incoming request only (outgoing
/// requests keep the instance's own hooks and their rules).
struct KeepEveryHeader;

impl WasiHttpHooks for KeepEveryHeader {
    fn is_forbidden_header(&mut self, _: &http::HeaderName) -> bool {
        false
    }
}

/// A response body that tells the event loop feeding it when it is gone.
struct HeldUntilRead {
    body: WasiBody,
    _read: oneshot::Sender<()>,
}

impl Body for HeldUntilRead {
    type Data = Bytes;
    type Error = wasmtime_wasi_http::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
