//! `storefront`: the native host of the storefront Spin app.
//!
//! It runs the wasm components listed in `spin.toml` on wasmtime, provides the Spin
//! interfaces they import, and is the one process that owns the SQLite files.

mod app;
mod atomic_file;
mod cli;
mod database;
mod host;
mod object_bucket;
mod operator;
mod serve;
mod server;
mod storefront;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: the host allocates and frees across threads all
/// the time (a request's buffers are made on one tokio worker and dropped on another),
/// which with glibc's per-thread arenas means contended arena locks (futex calls) and
/// fragmentation under the order load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("STOREFRONT_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("info,wasmtime=warn,cranelift=warn")
        })
    };
    // `STOREFRONT_LOG_FORMAT=json`: one JSON object per line (with the request line's
    // `request_id` field), for a log pipeline; otherwise readable lines.
    if std::env::var("STOREFRONT_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    database::configure_sqlite_library();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("storefront: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => serve::up(args).await,
            Command::Writer(args) => serve::writer(args).await,
            Command::Pages(args) => serve::pages(args).await,
            Command::Check(args) => storefront::admin_commands::check(args).await,
            Command::Backup(args) => storefront::admin_commands::backup(args).await,
            Command::Restore(args) => storefront::admin_commands::restore(args).await,
            Command::Reconcile(args) => storefront::admin_commands::reconcile(args).await,
            Command::Admin(cli::AdminCommand::SetPassword(args)) => {
                storefront::admin_commands::set_password(args).await
            }
            Command::Build(args) => app::manifest::Manifest::load(&args.manifest)
                .and_then(|m| app::build_components::build_all(&m)),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("storefront: {e:#}");
            ExitCode::FAILURE
        }
    }
}
