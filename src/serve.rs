//! `storefront up` and `storefront writer`: take ownership of the data dir, open the
//! database, load the components, check the writer is healthy (migrations applied),
//! serve, and on SIGINT/SIGTERM drain, checkpoint, release and exit 0. Also
//! `storefront pages`, the stateless components alone.

use crate::app::build_components;
use crate::app::instance_slots::Capacity;
use crate::app::manifest::Manifest;
use crate::app::router::Router;
use crate::app::runtime::App;
use crate::app::variables::{AppVariables, env_key};
use crate::cli::{OwnerArgs, PagesArgs, ServerLimits, UpArgs, WriterArgs};
use crate::database::Database;
use crate::database::ownership::Ownership;
use crate::server;
use crate::storefront::first_run;
use crate::storefront::local_secrets;
use crate::storefront::writer_calls::{COURIER, DISPATCHER, WRITER, WRITER_SIDE, WriterCalls};
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;
use std::time::Instant;
use storefront_domain::payments::{MODE_TEST, PaymentMode, accepts_test_payments};

/// What this process runs.
enum Role {
    /// Everything in the manifest, writer private (local development).
    AllInOne,
    /// Only the writer, on every path, behind the shared token (production).
    WriterOnly,
}

pub async fn up(args: UpArgs) -> Result<()> {
    let manifest = Manifest::load(&args.manifest.manifest)?;
    if !args.no_build {
        build_components::build_all(&manifest)?;
    }
    run(
        manifest,
        Role::AllInOne,
        args.listen,
        &args.owner,
        &args.limits,
    )
    .await
}

pub async fn writer(args: WriterArgs) -> Result<()> {
    let manifest = Manifest::load(&args.manifest.manifest)?;
    run(
        manifest,
        Role::WriterOnly,
        args.listen,
        &args.owner,
        &args.limits,
    )
    .await
}

/// The stateless part alone: no data dir, no database, any number of copies.
pub async fn pages(args: PagesArgs) -> Result<()> {
    let started = Instant::now();
    let manifest = Manifest::load(&args.manifest.manifest)?;
    let ids: Vec<&str> = manifest
        .components
        .keys()
        .map(String::as_str)
        .filter(|id| !WRITER_SIDE.contains(id))
        .collect();
    let vars = AppVariables::resolve(&manifest, std::env::vars(), &BTreeMap::new());
    refuse_test_payments(&vars)?;
    let limits = args.limits.limits();
    limits.validate()?;
    let app = App::load(&manifest, &ids, &vars, None, capacity(&limits))?;
    let listener = server::bind(args.listen).await?;
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
        Router::new(&manifest.triggers, &ids),
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
) -> Result<()> {
    let started = Instant::now();
    let limits = limits.limits();
    limits.validate()?;
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let mut ids: Vec<&str> = match role {
        Role::AllInOne => manifest.components.keys().map(String::as_str).collect(),
        Role::WriterOnly => vec![WRITER],
    };
    manifest.component(WRITER)?;
    // Production settings are refused before the data dir is touched.
    let production_vars = matches!(role, Role::WriterOnly)
        .then(|| AppVariables::resolve(&manifest, env.clone(), &BTreeMap::new()));
    if let Some(vars) = &production_vars {
        refuse_test_payments(vars)?;
        if vars.get("writer_token").unwrap_or_default().len() < 16 {
            bail!(
                "the standalone writer needs a shared token: set SPIN_VARIABLE_WRITER_TOKEN to a random secret of at least 16 characters, and give the pages the same value"
            );
        }
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
    let database = Database::open_exclusive(
        &owner.data_dir,
        owner.commit_policy(),
        owner.read_connections,
    )?;

    let vars = match production_vars {
        Some(vars) => vars,
        None => {
            let overrides = local_overrides(&manifest, &owner.data_dir, &env)?;
            AppVariables::resolve(&manifest, env, &overrides)
        }
    };
    if matches!(role, Role::WriterOnly) {
        match side_settings(&manifest, COURIER, &vars) {
            Ok(()) => ids.push(COURIER),
            Err(e) => tracing::warn!(
                "the payment courier is not running ({e:#}): orders whose payment may still \
                 succeed stay reserved instead of being cancelled, and money for cancelled \
                 orders is not refunded until it runs"
            ),
        }
        if manifest.components.contains_key(DISPATCHER) {
            match side_settings(&manifest, DISPATCHER, &vars) {
                Ok(()) => ids.push(DISPATCHER),
                Err(e) => tracing::warn!(
                    "the outbox dispatcher is not running ({e:#}): emails and webhooks wait \
                     in the outbox until it runs"
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
    let writer = WriterCalls::new(app.clone(), vars.get("writer_token").unwrap_or_default());
    writer.check_health().await?;

    let router = match role {
        Role::AllInOne => Router::new(&manifest.triggers, &ids),
        Role::WriterOnly => Router::everything_to(WRITER),
    };
    let listener = server::bind(listen).await?;
    let addr = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    println!(
        "storefront {role_name} serving http://{addr} (app {}, data: {}, ready in {} ms)",
        manifest.name,
        database.path().display(),
        started.elapsed().as_millis()
    );
    if matches!(role, Role::AllInOne) {
        first_run::announce_setup(&writer, addr, vars.get(first_run::SETUP_TOKEN)).await;
    }
    let expiry = (owner.reservation_ttl > 0).then(|| {
        let ttl = Duration::from_secs(owner.reservation_ttl);
        let unstarted = Duration::from_secs(owner.checkout_ttl.min(owner.reservation_ttl));
        let every = Duration::from_secs((unstarted.as_secs() / 2).clamp(1, 60));
        tokio::spawn(
            writer
                .clone()
                .release_expired_forever(ttl, unstarted, every),
        )
    });
    let courier = (app.has_component(COURIER) && owner.courier_every > 0).then(|| {
        let every = Duration::from_secs(owner.courier_every);
        tokio::spawn(writer.clone().run_courier_forever(every))
    });
    let dispatcher = (app.has_component(DISPATCHER) && owner.dispatch_every > 0).then(|| {
        let every = Duration::from_secs(owner.dispatch_every);
        tokio::spawn(writer.clone().run_dispatcher_forever(every))
    });
    let answers = app.clone();
    server::run(listener, app, router, limits, shutdown).await?;
    if let Some(line) = answers.answer_cache_line() {
        eprintln!("{line}");
    }
    for task in [expiry, courier, dispatcher].into_iter().flatten() {
        task.abort();
    }
    database.close().await?;
    drop(ownership);
    tracing::info!("stopped cleanly; {} released", owner.data_dir.display());
    Ok(())
}

/// The instance pool a server with `limits` needs.
fn capacity(limits: &server::limits::Limits) -> Capacity {
    Capacity {
        requests: limits.max_in_flight,
        lifetime: limits.instance_lifetime,
    }
}

/// Local all-in-one defaults: generated secrets, and the test-mode payment provider
/// when no Stripe key is configured.
fn local_overrides(
    manifest: &Manifest,
    data_dir: &std::path::Path,
    env: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let stripe_configured = env
        .get(&env_key("stripe_secret_key"))
        .is_some_and(|k| !k.is_empty());
    if stripe_configured || !manifest.variables.contains_key("payment_mode") {
        return local_secrets::fill_missing(manifest, data_dir, env, &[first_run::SETUP_TOKEN]);
    }
    let mut overrides = local_secrets::fill_missing(
        manifest,
        data_dir,
        env,
        &["stripe_webhook_secret", first_run::SETUP_TOKEN],
    )?;
    overrides.insert("payment_mode".into(), MODE_TEST.into());
    overrides.insert("accept_test_payments".into(), "true".into());
    tracing::warn!(
        "payments in TEST MODE (no real money); set {} to use Stripe",
        env_key("stripe_secret_key")
    );
    Ok(overrides)
}

/// Whether a writer-side helper (the payment courier, the outbox dispatcher) can run in
/// the writer's process: its variables (the provider's or email API's keys,
/// `cookie_secret`) must be set there too.
fn side_settings(manifest: &Manifest, id: &str, vars: &AppVariables) -> Result<()> {
    let decl = manifest.component(id)?;
    for template in decl.variables.values().chain(&decl.allowed_outbound_hosts) {
        vars.render(template)?;
    }
    Ok(())
}

/// Production processes never run the test-mode provider: the pages must not offer
/// it and the writer must not accept its events. The variables are read exactly as the
/// components read them (`PaymentMode::parse` trims and ignores case), so no spelling
/// such as `Test` or `" test"` slips past; a `payment_mode` the pages would refuse is
/// refused here too, at start rather than on every request.
fn refuse_test_payments(vars: &AppVariables) -> Result<()> {
    let mode = match vars.get("payment_mode") {
        Some(value) => PaymentMode::parse(value).map_err(|e| anyhow::anyhow!(e))?,
        None => PaymentMode::Stripe,
    };
    let accepts_test = vars
        .get("accept_test_payments")
        .is_some_and(accepts_test_payments);
    if mode == PaymentMode::Test || accepts_test {
        bail!(
            "test-mode payments are for local `storefront up` only; unset {} and {}",
            env_key("payment_mode"),
            env_key("accept_test_payments")
        );
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
