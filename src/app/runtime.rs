//! The loaded application: one wasmtime [`Engine`] on the pooling allocator, each
//! component compiled once and pre-instantiated ([`ProxyPre`]), and the guest call
//! that serves one HTTP request with an instance kept from an earlier request
//! ([`instance_reuse`]) or a fresh one (microseconds on the pool).
//! Components that need the component model's async ABI (a `wasi:http` 0.3 handler,
//! `spin:key-value@3.0.0`) run on a second engine ([`async_guest`]), made only when
//! one is loaded.
//! The pool is sized from the process's [`Capacity`], and every instantiation holds
//! an [`InstanceSlot`](crate::app::instance_slots::Slot) of it, so the pool never runs out.

use crate::app::answer_cache::{AnswerCache, Head, Leader};
use crate::app::async_guest::{self, HandlerPre};
use crate::app::compile_cache;
use crate::app::instance_reuse::{self, IdleInstances};
use crate::app::instance_slots::{CHAINED_WAIT, Capacity, InstanceSlots, Slot};
use crate::app::manifest::Manifest;
use crate::app::variables::AppVariables;
use crate::database::Database;
use crate::database::batch::{OutputGate, commit_failed_response};
use crate::database::storage_fault::{self, Fault};
use crate::host::key_value_file::{KEY_VALUE_FILE, KeyValueFile};
use crate::host::key_value_ops::KeyValueAccess;
use crate::host::outbound_http::OutboundHttp;
use crate::host::sqlite::SqliteAccess;
use crate::host::{self, ComponentState};
use crate::operator::metrics::metrics;
use anyhow::{Context, Result, anyhow, bail};
use prometheus::IntCounter;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;
use storefront_domain::allowed_hosts::AllowedHosts;
use wasmtime::component::Resource;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi_http::p2::bindings::http::types::{
    ErrorCode, IncomingRequest, ResponseOutparam, Scheme,
};
use wasmtime_wasi_http::p2::bindings::{Proxy, ProxyPre};
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpView};

/// Longest a guest may take to produce its response.
const GUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest the host waits for its own long calls ([`Runtime::handle_patiently`]: the
/// audit, whose full run reads every order and page of a large shop), answer and
/// instance lifetime alike.
pub const PATIENT_CALL_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A component ready to serve.
struct LoadedComponent {
    /// Swapped whole by [`App::reload`] (`storefront up --watch`); a request clones the
    /// current one, so an instance runs the code it started with.
    pre: RwLock<Prepared>,
    allowed: Arc<AllowedHosts>,
    variables: Arc<BTreeMap<String, String>>,
    sqlite_databases: Vec<String>,
    key_value_stores: Vec<String>,
    /// Its instances kept between requests ([`instance_reuse`]).
    idle: Arc<IdleInstances>,
    /// Its `instances_total` counters (fresh, kept), looked up once here rather than by
    /// label on every request.
    started: IntCounter,
    reused: IntCounter,
}

/// A component compiled for its engine and pre-instantiated.
#[derive(Clone)]
struct Prepared {
    engine: Engine,
    guest: Guest,
}

/// The handler a component exports.
#[derive(Clone)]
enum Guest {
    /// `wasi:http/incoming-handler@0.2.x` (what spin-sdk 5 builds).
    P2(ProxyPre<ComponentState>),
    /// `wasi:http/handler@0.3.0-rc-2026-03-15` (Spin 4's async handler).
    P3(HandlerPre),
}

/// The process's engines: the synchronous one every spin-sdk 5 component runs on, and
/// the async one, made when the first component that needs it is loaded.
struct Engines {
    sync: Engine,
    concurrent: OnceLock<Engine>,
}

impl Engines {
    fn concurrent(&self) -> Result<&Engine> {
        if let Some(engine) = self.concurrent.get() {
            return Ok(engine);
        }
        let engine = async_guest::engine()?;
        Ok(self.concurrent.get_or_init(|| engine))
    }
}

/// The running application (shared by every request).
pub struct App {
    engines: Engines,
    components: BTreeMap<String, LoadedComponent>,
    database: Option<Database>,
    /// The key-value store file beside the database, open when a component here lists a
    /// store or the data dir already has one (so a backup carries it).
    key_value: Option<KeyValueFile>,
    /// Answers of the database's owners kept until the database changes.
    answers: Option<AnswerCache>,
    slots: InstanceSlots,
    /// See [`Capacity::lifetime`].
    lifetime: Duration,
    /// Instances started and requests served by kept ones.
    instances: instance_reuse::Counts,
    /// The task that drops instances idle past their timeout, started with the first
    /// request (it needs the runtime) when instances are kept at all.
    sweeper: OnceLock<()>,
    /// See [`Capacity::reuse`].
    reuse: instance_reuse::Reuse,
    /// The process's work-stealing runtime, where components with a database run
    /// (see `crate::server::threads`); `None` outside one.
    shared_runtime: Option<tokio::runtime::Handle>,
}

/// Core wasm instances, tables and memories a component instance may use (a
/// spin-sdk component is a handful of core modules: the program, the WASI adapter,
/// shims). The pool reserves this many per component instance, and a component
/// that needs more is refused when it is loaded, so these pools can never run out
/// before the instance slots do.
const CORE_INSTANCES_PER_COMPONENT: u32 = 8;
const TABLES_PER_COMPONENT: u32 = 8;
const MEMORIES_PER_COMPONENT: u32 = 2;
/// Largest linear memory of one instance (virtual reservation; only touched pages
/// cost memory).
const MAX_MEMORY_BYTES: usize = 256 << 20;

/// Compiles (or loads from the compile cache) the component at `source` for the engine
/// it needs and links it against what the host provides there.
fn prepare(engines: &Engines, id: &str, source: &std::path::Path) -> Result<Prepared> {
    let wasm = compile_cache::read_component(source)?;
    let concurrent = async_guest::needs_async(&wasm)
        .with_context(|| format!("component {id:?} ({})", source.display()))?;
    let (engine, linker) = if concurrent {
        let engine = engines.concurrent()?;
        (engine, async_guest::linker(engine))
    } else {
        (&engines.sync, host::linker(&engines.sync))
    };
    let linker = linker.map_err(|e| anyhow!("{e}"))?;
    let component = compile_cache::load_component(engine, &wasm, source)?;
    let instance_pre = linker.instantiate_pre(&component).map_err(|e| {
        anyhow!("component {id:?} imports something this host does not provide: {e}")
    })?;
    let guest = match concurrent
        .then(|| HandlerPre::new(instance_pre.clone()))
        .flatten()
    {
        Some(handler) => Guest::P3(handler),
        None => Guest::P2(ProxyPre::new(instance_pre).map_err(|e| {
            anyhow!(
                "component {id:?} exports neither wasi:http/incoming-handler@0.2 nor {}: {e}",
                async_guest::HANDLER
            )
        })?),
    };
    Ok(Prepared {
        engine: engine.clone(),
        guest,
    })
}

/// What both engines' configurations start from: the component model, and with
/// `STOREFRONT_PERF_MAP=1` the components' compiled functions named in
/// /tmp/perf-PID.map, so `perf report` attributes guest time to guest functions
/// (docs/performance-profile.md).
pub fn component_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    if std::env::var_os("STOREFRONT_PERF_MAP").is_some_and(|v| v == "1") {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    config
}

/// An engine whose instance pool holds exactly what `capacity` can use at once for
/// `components` components: the running instances (one fiber stack each: each runs in
/// its own store) and the idle ones kept between requests (which need no stack).
fn engine(capacity: Capacity, components: usize) -> Result<Engine> {
    let running = u32::try_from(capacity.instances())
        .map_err(|_| anyhow!("--max-in-flight {} is too large", capacity.requests))?;
    let idle = u32::try_from(capacity.reuse.idle_per_component() * components).map_err(|_| {
        anyhow!(
            "--max-idle-instances {} is too large",
            capacity.reuse.max_idle
        )
    })?;
    let instances = running
        .checked_add(idle)
        .ok_or_else(|| anyhow!("--max-in-flight and --max-idle-instances are too large"))?;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(instances)
        .total_core_instances(instances * CORE_INSTANCES_PER_COMPONENT)
        .total_memories(instances * MEMORIES_PER_COMPONENT)
        .total_tables(instances * TABLES_PER_COMPONENT)
        .total_stacks(running)
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .max_tables_per_component(TABLES_PER_COMPONENT)
        .max_memory_size(MAX_MEMORY_BYTES)
        // Reset a slot by restoring its touched pages in place (found with Linux's
        // PAGEMAP_SCAN where available) instead of unmapping them: no page faults next time.
        .linear_memory_keep_resident(4 << 20)
        .table_keep_resident(64 << 10)
        .pagemap_scan(wasmtime::Enabled::Auto);
    let mut config = component_config();
    config
        // The async ABI and its event loop are for the async engine only: here every
        // call stays the plain `call_async` it was.
        .concurrency_support(false)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config).map_err(|e| anyhow!("cannot create the wasm engine: {e}"))
}

/// The process's key-value store file: opened in the owned data dir (the database's
/// folder) when a component in `ids` lists a store or the file is there already; a
/// component that lists one in a process without the data dir is refused.
fn open_key_value(
    manifest: &Manifest,
    ids: &[&str],
    database: Option<&Database>,
) -> Result<Option<KeyValueFile>> {
    let listing = ids
        .iter()
        .map(|id| manifest.component(id))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .find(|c| !c.key_value_stores.is_empty());
    let Some(dir) = database.and_then(|d| d.path().parent()) else {
        if let Some(c) = listing {
            bail!(
                "component {:?} lists key_value_stores, whose file lives in the owned data dir; \
                 this process has none (run it under `storefront up` or `storefront writer`)",
                c.id
            );
        }
        return Ok(None);
    };
    if listing.is_none() && !dir.join(KEY_VALUE_FILE).exists() {
        return Ok(None);
    }
    KeyValueFile::open(dir).map(Some)
}

impl App {
    /// Compiles and pre-instantiates the components named in `ids`. `database` is the
    /// process's owned database, handed to components that list it in `sqlite_databases`.
    /// `capacity` sizes the instance pool.
    pub fn load(
        manifest: &Manifest,
        ids: &[&str],
        vars: &AppVariables,
        database: Option<Database>,
        capacity: Capacity,
    ) -> Result<Arc<App>> {
        let engines = Engines {
            sync: engine(capacity, ids.len())?,
            concurrent: OnceLock::new(),
        };
        let mut components = BTreeMap::new();
        for id in ids {
            let decl = manifest.component(id)?;
            let pre = prepare(&engines, id, &decl.source)?;
            let allowed = decl
                .allowed_outbound_hosts
                .iter()
                .map(|h| vars.render(h))
                .collect::<Result<Vec<_>>>()
                .with_context(|| format!("component {id:?}: allowed_outbound_hosts"))?;
            let allowed = AllowedHosts::parse(&allowed)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("component {id:?}: allowed_outbound_hosts"))?;
            let variables = decl
                .variables
                .iter()
                .map(|(k, t)| Ok((k.clone(), vars.render(t)?)))
                .collect::<Result<BTreeMap<_, _>>>()
                .with_context(|| format!("component {id:?}: variables"))?;
            components.insert(
                id.to_string(),
                LoadedComponent {
                    pre: RwLock::new(pre),
                    allowed: Arc::new(allowed),
                    variables: Arc::new(variables),
                    sqlite_databases: decl.sqlite_databases.clone(),
                    key_value_stores: decl.key_value_stores.clone(),
                    idle: Arc::new(IdleInstances::new(capacity.reuse)),
                    started: metrics().instances.with_label_values(&[id, "started"]),
                    reused: metrics().instances.with_label_values(&[id, "reused"]),
                },
            );
        }
        let key_value = open_key_value(manifest, ids, database.as_ref())?;
        Ok(Arc::new(App {
            engines,
            components,
            key_value,
            answers: database.clone().map(AnswerCache::new),
            database,
            slots: InstanceSlots::new(capacity),
            lifetime: capacity.lifetime,
            instances: instance_reuse::Counts::default(),
            sweeper: OnceLock::new(),
            reuse: capacity.reuse,
            shared_runtime: tokio::runtime::Handle::try_current().ok(),
        }))
    }

    /// Waits for a slot for a client request (FIFO; the server bounds the wait).
    pub async fn request_slot(&self) -> Slot {
        self.slots.request().await
    }

    /// Compiles component `id` again from its `source` and swaps it in: requests that
    /// start afterwards run the new code, those running finish on the old. Kept answers
    /// of the old code are forgotten. On error the old code keeps serving.
    pub fn reload(&self, manifest: &Manifest, id: &str) -> Result<()> {
        let component = self
            .components
            .get(id)
            .with_context(|| format!("no component {id:?} in this process"))?;
        let pre = prepare(&self.engines, id, &manifest.component(id)?.source)?;
        *component.pre.write().expect("component lock") = pre;
        component.idle.forget_all();
        if let Some(answers) = &self.answers {
            answers.forget_all();
        }
        Ok(())
    }

    pub fn has_component(&self, id: &str) -> bool {
        self.components.contains_key(id)
    }

    /// The cache a request to component `id` may be answered from, and its key: only
    /// `GET`s to a component with a database, in the process that owns it.
    fn answer_key(
        &self,
        id: &str,
        head: Head<'_>,
    ) -> Option<(&AnswerCache, crate::app::answer_cache::Key)> {
        let cache = self.answers.as_ref()?;
        let component = self.components.get(id)?;
        // A key-value store changes without the database noticing: never kept.
        if component.sqlite_databases.is_empty() || !component.key_value_stores.is_empty() {
            return None;
        }
        Some((cache, AnswerCache::key(id, head)?))
    }

    /// `instances: S started, R requests served by a kept instance`, for the shutdown log.
    pub fn instances_line(&self) -> String {
        self.instances.line()
    }

    /// Spawns `task` on the process's work-stealing runtime (`crate::server::threads`), or
    /// on the current one outside it.
    fn spawn_shared<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.shared_runtime {
            Some(shared) => shared.spawn(task),
            None => tokio::spawn(task),
        }
    }

    /// Starts (once) the task that drops instances kept idle past their timeout, so an
    /// idle process gives their memory back.
    fn start_sweeper(self: &Arc<Self>) {
        self.sweeper.get_or_init(|| {
            let app = Arc::downgrade(self);
            let every = self.reuse.idle_timeout.max(Duration::from_millis(100));
            // On the shared runtime, not the thread of the connection that came first.
            drop(self.spawn_shared(async move {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    let Some(app) = app.upgrade() else { break };
                    for component in app.components.values() {
                        component.idle.sweep();
                    }
                }
            }));
        });
    }

    /// The answer cache's counters, if this process owns a database.
    pub fn answer_cache_line(&self) -> Option<String> {
        self.answers.as_ref().map(AnswerCache::line)
    }

    /// The kept answer to `request` for component `id`, if there is a current one
    /// ([`crate::app::answer_cache`]): then no instance (and no slot) is needed. Waits
    /// first while another request for the same answer runs the component. `Err`: run
    /// it, holding the leader (if any) until the answer is kept.
    pub async fn cached(
        &self,
        id: &str,
        head: Head<'_>,
    ) -> Result<http::Response<WasiBody>, Option<Leader<'_>>> {
        let Some((cache, key)) = self.answer_key(id, head) else {
            return Err(None);
        };
        cache
            .lookup(&key, head.headers.get(http::header::IF_NONE_MATCH))
            .await
    }

    /// The host's own call to component `id` (writer health, expiry, admin commands):
    /// waits for one of the host's reserved slots.
    pub async fn handle(
        self: &Arc<Self>,
        id: &str,
        request: http::Request<WasiBody>,
    ) -> Result<http::Response<WasiBody>> {
        let slot = self.slots.host().await;
        self.serve(id, request, slot).await
    }

    /// [`Self::handle`] for a call that may rightly take minutes (the audit of a large
    /// shop): it has [`PATIENT_CALL_TIMEOUT`] to answer and to finish, not the
    /// 30 s and instance lifetime every request has.
    pub async fn handle_patiently(
        self: &Arc<Self>,
        id: &str,
        request: http::Request<WasiBody>,
    ) -> Result<http::Response<WasiBody>> {
        let slot = self.slots.host().await;
        let within = PATIENT_CALL_TIMEOUT;
        self.serve_within(id, request, slot, within, within.max(self.lifetime))
            .await
    }

    /// Serves one request with a kept or fresh instance of component `id`, in `slot`.
    pub async fn serve(
        self: &Arc<Self>,
        id: &str,
        request: http::Request<WasiBody>,
        slot: Slot,
    ) -> Result<http::Response<WasiBody>> {
        self.serve_within(id, request, slot, GUEST_TIMEOUT, self.lifetime)
            .await
    }

    /// [`Self::serve`] with its answer due `within` and the instance stopped after
    /// `lifetime`.
    async fn serve_within(
        self: &Arc<Self>,
        id: &str,
        request: http::Request<WasiBody>,
        slot: Slot,
        within: Duration,
        lifetime: Duration,
    ) -> Result<http::Response<WasiBody>> {
        let component = self
            .components
            .get(id)
            .with_context(|| format!("no component {id:?} in this process"))?;
        let pending = self
            .answer_key(id, (&request).into())
            .map(|(cache, key)| (cache, cache.pending(key)));
        let gate = OutputGate::default();
        let request_id = request.headers().get(crate::server::REQUEST_ID).cloned();
        // Read before the code: an instance made from code replaced meanwhile is then
        // marked with the older generation and not kept.
        let generation = component.idle.generation();
        let prepared = component.pre.read().expect("component lock").clone();
        let kept = match prepared.guest {
            Guest::P2(_) => component.idle.take(),
            Guest::P3(_) => None,
        };
        let (mut store, reused) = match kept {
            Some(idle) => {
                self.instances.reused.fetch_add(1, Ordering::Relaxed);
                component.reused.inc();
                let mut store = idle.store;
                let state = store.data_mut();
                state.outbound.request_id = request_id;
                state.sqlite.next_request(gate.clone());
                (store, Some((idle.proxy, idle.served, idle.generation)))
            }
            None => {
                self.instances.started.fetch_add(1, Ordering::Relaxed);
                component.started.inc();
                let state = ComponentState {
                    wasi: WasiCtx::builder().inherit_stdout().inherit_stderr().build(),
                    http: WasiHttpCtx::new(),
                    table: wasmtime::component::ResourceTable::new(),
                    outbound: OutboundHttp {
                        component: id.to_string(),
                        allowed: component.allowed.clone(),
                        app: Arc::downgrade(self),
                        request_id,
                    },
                    sqlite: SqliteAccess::new(
                        component.sqlite_databases.clone(),
                        self.database.clone(),
                        gate.clone(),
                    ),
                    key_value: KeyValueAccess::new(
                        component.key_value_stores.clone(),
                        self.key_value.clone(),
                    ),
                    variables: component.variables.clone(),
                };
                (Store::new(&prepared.engine, state), None)
            }
        };
        if self.reuse.idle_per_component() > 0 {
            self.start_sweeper();
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let call = match prepared.guest {
            Guest::P2(pre) => {
                let req = store
                    .data_mut()
                    .http()
                    .new_incoming_request(Scheme::Http, request)
                    .map_err(|e| anyhow!("{e}"))?;
                let out = store
                    .data_mut()
                    .http()
                    .new_response_outparam(sender)
                    .map_err(|e| anyhow!("{e}"))?;
                Call::P2 {
                    pre,
                    req,
                    out,
                    reused,
                }
            }
            Guest::P3(pre) => Call::P3 {
                pre,
                request: Box::new(request),
                sender,
            },
        };
        // The guest runs in its own task so it may keep streaming the body after
        // the response head is handed back: on the connection's thread, or for a
        // component with a database on the shared runtime (`crate::server::threads`).
        // The slot is given back only after the store (and so the instance) is gone or
        // kept idle, however the task ends.
        let instance = Instance { store, _slot: slot };
        let name = id.to_string();
        let idle = component.idle.clone();
        let guest = async move {
            let mut instance = instance;
            let store = &mut instance.store;
            let run = async {
                match call {
                    Call::P2 {
                        pre,
                        req,
                        out,
                        reused,
                    } => {
                        let (proxy, served, generation) = match reused {
                            Some(kept) => kept,
                            None => (pre.instantiate_async(&mut *store).await?, 0, generation),
                        };
                        proxy
                            .wasi_http_incoming_handler()
                            .call_handle(&mut *store, req, out)
                            .await?;
                        Ok(Some((proxy, served + 1, generation)))
                    }
                    Call::P3 {
                        pre,
                        request,
                        sender,
                    } => pre.serve(store, *request, sender).await.map(|()| None),
                }
            };
            match tokio::time::timeout(lifetime, run).await {
                Ok(Ok(Some((proxy, served, generation)))) => {
                    let Instance { store, _slot } = instance;
                    let state = store.data();
                    if state.sqlite.is_closed() && state.key_value.is_closed() {
                        idle.put(store, proxy, served, generation);
                    }
                    Ok(())
                }
                Ok(Ok(None)) => Ok(()),
                Ok(Err(e)) => Err(e),
                Err(_) => {
                    tracing::warn!("component {name:?} stopped after its lifetime of {lifetime:?}");
                    Err(wasmtime::format_err!(
                        "stopped after its lifetime of {lifetime:?}"
                    ))
                }
            }
        };
        let task = match component.sqlite_databases.is_empty() {
            true => tokio::spawn(guest),
            false => self.spawn_shared(guest),
        };
        match tokio::time::timeout(within, receiver).await {
            // Durability before output: held until the batch with this request's work
            // (or the uncommitted work it read) is committed.
            Ok(Ok(Ok(response))) => match gate.durable().await {
                // A component that failed on a storage error: the error's meaning, not
                // its "internal error" (see `crate::database::storage_fault`).
                Ok(()) if response.status().is_server_error() && gate.fault().is_some() => {
                    Ok(storage_fault_response(gate.fault()))
                }
                Ok(()) => match pending {
                    Some((cache, pending)) => Ok(cache.keep(pending, response).await),
                    None => Ok(response),
                },
                Err(_) if storage_fault::damaged().is_some() => {
                    Ok(crate::server::responses::storage_damaged())
                }
                Err(reason) => Ok(commit_failed_response(&reason)),
            },
            Ok(Ok(Err(code))) => Err(anyhow!("component {id:?} answered with error {code:?}")),
            Ok(Err(_)) => match task.await {
                Ok(Ok(())) => Err(anyhow!("component {id:?} returned without a response")),
                Ok(Err(e)) => Err(anyhow!("component {id:?} trapped: {e:?}")),
                Err(e) => Err(anyhow!("component {id:?} task failed: {e}")),
            },
            Err(_) => {
                task.abort();
                Err(anyhow!("component {id:?} did not answer within {within:?}"))
            }
        }
    }

    /// Serves a service-chained request (`http://<id>.spin.internal/...`).
    pub async fn handle_chained(
        self: &Arc<Self>,
        id: &str,
        request: http::Request<WasiBody>,
    ) -> Result<http::Response<WasiBody>> {
        let _leader = match self.cached(id, (&request).into()).await {
            Ok(response) => return Ok(response),
            Err(leader) => leader,
        };
        let slot = self.slots.chained().await.ok_or_else(|| {
            anyhow!("no instance free for a chained call within {CHAINED_WAIT:?}")
        })?;
        // Boxed: a chained call runs a guest that may chain again.
        Box::pin(self.serve(id, request, slot)).await
    }
}

/// One request's call into its guest, ready to run.
enum Call {
    P2 {
        pre: ProxyPre<ComponentState>,
        req: Resource<IncomingRequest>,
        out: Resource<ResponseOutparam>,
        /// A kept instance's handler, requests answered and code generation.
        reused: Option<(Proxy, u32, u64)>,
    },
    P3 {
        pre: HandlerPre,
        request: Box<http::Request<WasiBody>>,
        sender: tokio::sync::oneshot::Sender<Result<http::Response<WasiBody>, ErrorCode>>,
    },
}

/// A store and the slot it occupies. Fields drop in declaration order: the
/// instance returns to the pool before the slot is released.
struct Instance {
    store: Store<ComponentState>,
    _slot: Slot,
}

/// The answer for a request whose component failed after a storage error.
fn storage_fault_response(fault: Option<Fault>) -> http::Response<WasiBody> {
    match fault {
        Some(Fault::Permanent) => crate::server::responses::storage_damaged(),
        _ => crate::server::responses::storage_unavailable(),
    }
}
