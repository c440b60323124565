//! `storefront up` and `storefront writer`: take ownership of the data dir, open the
//! database, load the components, check the writer is healthy (migrations applied),
//! serve, and on SIGINT/SIGTERM drain, checkpoint, release and exit 0. Also
//! `storefront pages`, the stateless components alone.

use crate::app::build_components;
use crate::app::instance_slots::Capacity;
use crate::app::manifest::Manifest;
use crate::app::router::Router;
use crate::app::runtime::App;
use crate::app::variables::AppVariables;
use crate::cli::{OwnerArgs, PagesArgs, ServerLimits, UpArgs, WriterArgs};
use crate::database::Database;
use crate::database::ownership::Ownership;
use crate::operator;
use crate::server;
use crate::storefront::app_profile::{self, Storefront};
use crate::storefront::first_run;
use crate::storefront::offsite_backup;
use crate::storefront::writer_calls::WriterCalls;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

/// What this process runs. The manifest decides which components are which
/// ([`Manifest::owner_side`]); no component id is special.
enum Role {
    /// Everything in the manifest (local development).
    AllInOne,
    /// The components with `sqlite_databases` or `key_value_stores` (and the private
    /// components that chain to them), owning the data dir (production).
    WriterOnly,
}

pub async fn up(args: UpArgs) -> Result<()> {
    let path = &args.manifest.manifest;
    let mut manifest = Manifest::load(path)?;
    if !args.no_build {
        build_components::build_all(&manifest)?;
    }
    let watch = match args.watch {
        true => Some(Watch {
            manifest_path: path
                .canonicalize()
                .with_context(|| format!("cannot resolve {}", path.display()))?,
            build: !args.no_build,
        }),
        false => None,
    };
    let mut listen = args.listen;
    loop {
        let extras = Extras {
            watch: watch.clone(),
            operator_listen: args.operator_listen,
        };
        match run(
            manifest,
            Role::AllInOne,
            listen,
            &args.owner,
            &args.limits,
            extras,
        )
        .await?
        {
            Ended::Stopped => return Ok(()),
            // Built already by the watcher, which checked that it loads; on the address
            // it had (an ephemeral port stays the same).
            Ended::ManifestChanged { listened } => {
                listen = listened;
                manifest = Manifest::load(path)?;
            }
        }
    }
}

/// What `up` and `writer` may add around serving.
struct Extras {
    watch: Option<Watch>,
    operator_listen: Option<SocketAddr>,
}

/// `up --watch`: the manifest to watch, and whether its components are built on a change.
#[derive(Clone)]
struct Watch {
    manifest_path: std::path::PathBuf,
    build: bool,
}

/// Why [`run`] returned.
enum Ended {
    /// SIGTERM or SIGINT.
    Stopped,
    /// `up --watch` saw the manifest change: start again from it on the same address.
    ManifestChanged { listened: SocketAddr },
}

pub async fn writer(args: WriterArgs) -> Result<()> {
    let manifest = Manifest::load(&args.manifest.manifest)?;
    run(
        manifest,
        Role::WriterOnly,
        args.listen,
        &args.owner,
        &args.limits,
        Extras {
            watch: None,
            operator_listen: args.operator_listen,
        },
    )
    .await
    .map(drop)
}

/// The stateless part alone: no data dir, no database, any number of copies.
pub async fn pages(args: PagesArgs) -> Result<()> {
    let started = Instant::now();
    let manifest = Manifest::load(&args.manifest.manifest)?;
    let ids = manifest.stateless_side();
    if ids.is_empty() {
        bail!(
            "{} has no component without a database: `storefront pages` has nothing to run",
            manifest.name
        );
    }
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let vars = AppVariables::resolve(&manifest, env.clone(), &BTreeMap::new());
    let storefront = Storefront::of(&manifest)?.is_some();
    if storefront {
        app_profile::production_checks(&vars, &env, false)?;
    }
    let limits = args.limits.limits();
    limits.validate()?;
    let app = App::load(&manifest, &ids, &vars, None, capacity(&limits))?;
    let listener = server::bind(args.listen).await?;
    let _operator = operator::start(
        args.operator_listen,
        operator::Readiness::Pages {
            writer_url: storefront
                .then(|| vars.get("writer_url").map(str::to_string))
                .flatten(),
            token: vars.get("writer_token").unwrap_or_default().to_string(),
        },
    )
    .await?;
    let shutdown = shutdown_signal()?;
    println!(
        "storefront pages serving http://{} (app {}, writer: {}, ready in {} ms)",
        listener.local_addr()?,
        manifest.name,
        vars.get("writer_url").unwrap_or("?"),
        started.elapsed().as_millis()
    );
    server::run(
        listener,
        app,
        router_for(&manifest, &ids)?,
        limits,
        shutdown,
    )
    .await
}

async fn run(
    manifest: Manifest,
    role: Role,
    listen: SocketAddr,
    owner: &OwnerArgs,
    limits: &ServerLimits,
    extras: Extras,
) -> Result<Ended> {
    let started = Instant::now();
    let limits = limits.limits();
    limits.validate()?;
    // The operator listener comes first: alive (`/healthz`) while the process waits for
    // the data dir and applies migrations, ready (`/readyz`) only once it serves.
    let owner_state = Arc::new(operator::OwnerState::default());
    let operator = operator::start(
        extras.operator_listen,
        operator::Readiness::Owner {
            state: owner_state.clone(),
        },
    )
    .await?;
    let env: BTreeMap<String, String> = std::env::vars().collect();
    // A bad backup destination stops the start, not the first scheduled round.
    let backups = match (&owner.backup_to, owner.backup_every) {
        (Some(url), every) if every > 0 => Some(offsite_backup::Store::open(url)?),
        (None, every) if every > 0 => bail!("--backup-every needs --backup-to s3://bucket/prefix"),
        _ => None,
    };
    let databases = manifest.database_components();
    let stateful = manifest.stateful_components();
    if matches!(role, Role::WriterOnly) && stateful.is_empty() {
        bail!(
            "{} has no component with sqlite_databases: `storefront writer` has nothing to \
             own; run `storefront pages` (or `storefront up`)",
            manifest.name
        );
    }
    let storefront = Storefront::of(&manifest)?;
    let mut ids: Vec<&str> = match role {
        Role::AllInOne => manifest.components.keys().map(String::as_str).collect(),
        Role::WriterOnly => stateful.clone(),
    };
    // Production settings are refused before the data dir is touched.
    let production_vars = matches!(role, Role::WriterOnly)
        .then(|| AppVariables::resolve(&manifest, env.clone(), &BTreeMap::new()));
    if let (Some(vars), Some(_)) = (&production_vars, &storefront) {
        app_profile::production_checks(vars, &env, true)?;
    }

    // Ownership strictly before SQLite is touched.
    let data_dir = owner.data_dir.clone();
    let wait = owner.wait();
    let role_name = match role {
        Role::AllInOne => "up",
        Role::WriterOnly => "writer",
    };
    let ownership =
        tokio::task::spawn_blocking(move || Ownership::acquire(&data_dir, role_name, wait))
            .await
            .context("ownership task failed")??;
    crate::operator::metrics::metrics().owns_data_dir.set(1);
    let database = Database::open_for_serving(
        &owner.data_dir,
        owner.commit_policy(),
        owner.read_connections,
    )?;
    if let Some(settings) = owner.replication() {
        database.replicate(settings).await?;
    }

    // Bound before the variables are resolved: `up` links to the address it really
    // listens on (an ephemeral port included).
    let listener = server::bind(listen).await?;
    let addr = listener.local_addr()?;
    let vars = match production_vars {
        Some(vars) => vars,
        None => {
            let mut overrides = app_profile::local_overrides(
                &manifest,
                storefront.as_ref(),
                &owner.data_dir,
                &env,
            )?;
            if storefront.is_some()
                && let Some(url) = app_profile::local_shop_url(&env, addr)
            {
                overrides.insert("shop_url".into(), url);
            }
            AppVariables::resolve(&manifest, env, &overrides)
        }
    };
    if matches!(role, Role::WriterOnly) {
        // The private components that chain to the database run here too, when this
        // process has what they need (their variables, e.g. the provider's keys).
        for id in manifest.owner_side() {
            if stateful.contains(&id) {
                continue;
            }
            match side_settings(&manifest, id, &vars) {
                Ok(()) => ids.push(id),
                Err(e) => tracing::warn!(
                    "component {id} is not running ({e:#}): {}",
                    storefront
                        .as_ref()
                        .map_or("its work waits until it runs", |s| s
                            .missing_side_effect(id))
                ),
            }
        }
    }
    let app = App::load(
        &manifest,
        &ids,
        &vars,
        Some(database.clone()),
        capacity(&limits),
    )?;
    // The storefront app's own calls: the writer's health check applies its migrations.
    let writer = match &storefront {
        Some(roles) => {
            let calls = WriterCalls::new(
                app.clone(),
                vars.get("writer_token").unwrap_or_default(),
                roles,
            );
            calls.check_health().await?;
            Some(calls)
        }
        None => None,
    };

    let router = match (&role, databases.as_slice()) {
        (Role::AllInOne, _) => router_for(&manifest, &ids)?,
        // One database component answers every path, as the storefront's writer does
        // behind its token.
        (Role::WriterOnly, [one]) => Router::everything_to(one),
        (Role::WriterOnly, _) => router_for(&manifest, &ids)?,
    };
    // From now on the operator listener reports ready (while the writer answers).
    let _ = owner_state.serving.set(writer.clone());
    let signal = shutdown_signal()?;
    let change = Arc::new(crate::app::watch::ManifestChange::default());
    let shutdown = {
        let change = change.clone();
        async move {
            tokio::select! {
                _ = signal => {}
                _ = change.wait() => {}
            }
        }
    };
    println!(
        "storefront {role_name} serving http://{addr} (app {}, data: {}, ready in {} ms)",
        manifest.name,
        database.path().display(),
        started.elapsed().as_millis()
    );
    let tasks = match (&writer, &storefront) {
        (Some(writer), Some(roles)) => {
            if matches!(role, Role::AllInOne) {
                first_run::announce_setup(writer, addr, vars.get(first_run::SETUP_TOKEN)).await;
            }
            storefront_timers(writer, roles, &app, owner, backups)
        }
        _ => Vec::new(),
    };
    let watcher = extras.watch.map(|w| {
        tokio::spawn(crate::app::watch::run(
            manifest.clone(),
            w.manifest_path,
            w.build,
            app.clone(),
            change.clone(),
        ))
    });
    let answers = app.clone();
    server::run(listener, app, router, limits, shutdown).await?;
    if let Some(watcher) = watcher {
        watcher.abort();
    }
    if let Some(line) = answers.answer_cache_line() {
        eprintln!("{line}");
    }
    eprintln!("{}", answers.instances_line());
    for task in tasks {
        task.abort();
    }
    if let Some(operator) = operator {
        operator.abort();
    }
    database.close().await?;
    drop(ownership);
    crate::operator::metrics::metrics().owns_data_dir.set(0);
    tracing::info!("stopped cleanly; {} released", owner.data_dir.display());
    Ok(match change.happened() {
        true => Ended::ManifestChanged { listened: addr },
        false => Ended::Stopped,
    })
}

/// How often the owner's process sweeps idempotency records and delivered outbox
/// messages past their retention.
const RETENTION_SWEEP_EVERY_SECONDS: u64 = 60;

/// The storefront app's timers in the owner's process: reservation expiry, the retention
/// of idempotency records and delivered outbox messages, the routine audit, the payment courier's and the outbox dispatcher's rounds (each
/// when its component runs here).
fn storefront_timers(
    writer: &WriterCalls,
    roles: &Storefront,
    app: &App,
    owner: &OwnerArgs,
    backups: Option<offsite_backup::Store>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut tasks = Vec::new();
    if owner.reservation_ttl > 0 {
        let ttl = Duration::from_secs(owner.reservation_ttl);
        let unstarted = Duration::from_secs(owner.checkout_ttl.min(owner.reservation_ttl));
        let every = Duration::from_secs((unstarted.as_secs() / 2).clamp(1, 60));
        tasks.push(tokio::spawn(
            writer
                .clone()
                .release_expired_forever(ttl, unstarted, every),
        ));
    }
    for (path, what) in [
        ("/admin/idempotency/sweep", "idempotency retention sweep"),
        ("/admin/outbox/sweep", "outbox retention sweep"),
    ] {
        tasks.push(tokio::spawn(writer.clone().retention_sweep_forever(
            path,
            what,
            Duration::from_secs(RETENTION_SWEEP_EVERY_SECONDS),
        )));
    }
    if owner.audit_every > 0 {
        tasks.push(tokio::spawn(
            writer
                .clone()
                .audit_forever(Duration::from_secs(owner.audit_every)),
        ));
    }
    let runs_here = |id: &Option<String>| id.as_deref().is_some_and(|id| app.has_component(id));
    if runs_here(&roles.courier) && owner.courier_every > 0 {
        let every = Duration::from_secs(owner.courier_every);
        tasks.push(tokio::spawn(writer.clone().run_courier_forever(every)));
    }
    if runs_here(&roles.dispatcher) && owner.dispatch_every > 0 {
        let every = Duration::from_secs(owner.dispatch_every);
        tasks.push(tokio::spawn(writer.clone().run_dispatcher_forever(every)));
    }
    if let (Some(store), true) = (backups, owner.backup_every > 0) {
        tasks.push(tokio::spawn(offsite_backup::run_forever(
            writer.clone(),
            store,
            Duration::from_secs(owner.backup_every),
            owner.backup_keep.max(1),
        )));
    }
    tasks
}

/// The instance pool a server with `limits` needs.
fn capacity(limits: &server::limits::Limits) -> Capacity {
    Capacity {
        requests: limits.max_in_flight,
        lifetime: limits.instance_lifetime,
        reuse: limits.reuse,
    }
}

/// Whether an owner-side helper (a private component that chains to the database, such
/// as the storefront's payment courier) can run in the writer's process: its variables
/// and outbound hosts must resolve there too.
fn side_settings(manifest: &Manifest, id: &str, vars: &AppVariables) -> Result<()> {
    let decl = manifest.component(id)?;
    for template in decl.variables.values().chain(&decl.allowed_outbound_hosts) {
        vars.render(template)?;
    }
    Ok(())
}

/// SIGTERM or SIGINT, as a future. The handlers are installed now, not on first
/// poll: the "serving" line must never be printed while a SIGTERM would still kill
/// the process without draining and closing the database.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// The route table for the components this process runs, with what Spin reports about
/// the manifest's routes at start (duplicates, routes under the reserved prefix) logged
/// as Spin logs it.
fn router_for(manifest: &Manifest, ids: &[&str]) -> Result<Router> {
    let router = Router::for_app(manifest, ids)?;
    for line in router.start_errors() {
        tracing::error!("{line}");
    }
    Ok(router)
}
