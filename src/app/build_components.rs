//! `storefront build`: runs each component's `[component.<id>.build]` command from
//! `spin.toml`, in the manifest's folder (or the build's `workdir`), like `spin build`.
//!
//! The first run must not fail on a machine that is nearly ready: a Rust target a
//! command names (`--target wasm32-wasip2`) that the toolchain lacks is added with
//! `rustup` first (rustup installs the targets of `rust-toolchain.toml` only with the
//! toolchain, not into one already installed), and a command that cannot run or fails
//! ends in one line that says which and what to do.

use crate::app::manifest::{ComponentDecl, Manifest};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Builds every component that declares a build command.
pub fn build_all(manifest: &Manifest) -> Result<()> {
    for component in manifest.components.values() {
        build_one(manifest, component)?;
    }
    Ok(())
}

/// The folder a component's build runs in (and its `watch` globs are relative to).
pub fn build_dir(manifest: &Manifest, component: &ComponentDecl) -> Option<PathBuf> {
    let build = component.build.as_ref()?;
    Some(match &build.workdir {
        Some(w) => manifest.root.join(w),
        None => manifest.root.clone(),
    })
}

/// Runs one component's build command, if it declares one.
pub fn build_one(manifest: &Manifest, component: &ComponentDecl) -> Result<()> {
    let (Some(build), Some(dir)) = (&component.build, build_dir(manifest, component)) else {
        return Ok(());
    };
    for target in targets_named(&build.command) {
        ensure_rust_target(&target, &dir)?;
    }
    tracing::info!("building {}: {}", component.id, build.command);
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(&build.command)
        .current_dir(&dir)
        .status()
        .with_context(|| format!("cannot run the build command of {}", component.id))?;
    if status.code() == Some(127) {
        let program = build.command.split_whitespace().next().unwrap_or_default();
        bail!(
            "building component {} failed: `{program}` was not found{}",
            component.id,
            if program == "cargo" {
                "; install Rust with rustup (https://rustup.rs), then run this again"
            } else {
                "; install it or fix the build command in the manifest"
            }
        );
    }
    if !status.success() {
        bail!(
            "building component {} failed ({status}): `{}` (its output is above)",
            component.id,
            build.command
        );
    }
    tracing::info!(
        "built {} in {:.1}s",
        component.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The Rust targets a build command names with `--target T` or `--target=T`.
fn targets_named(command: &str) -> Vec<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut targets = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let target = match word.strip_prefix("--target=") {
            Some(t) => Some(t),
            None if *word == "--target" => words.get(i + 1).copied(),
            None => None,
        };
        if let Some(t) = target.filter(|t| t.contains('-') && !targets.iter().any(|x| x == t)) {
            targets.push(t.to_string());
        }
    }
    targets
}

/// Adds `target` to the toolchain `dir` builds with if its standard library is missing.
/// Without rustup (or without `rustc`), the build itself says what is wrong.
fn ensure_rust_target(target: &str, dir: &Path) -> Result<()> {
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", target])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output();
    let Ok(libdir) = libdir else {
        return Ok(());
    };
    let libdir = String::from_utf8_lossy(&libdir.stdout).trim().to_string();
    if libdir.is_empty() || has_files(Path::new(&libdir)) {
        return Ok(());
    }
    tracing::warn!(
        "the Rust target {target} is not installed; adding it: rustup target add {target}"
    );
    let added = Command::new("rustup")
        .args(["target", "add", target])
        .current_dir(dir)
        .status();
    match added {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => bail!(
            "the Rust target {target} is missing and `rustup target add {target}` failed ({status}); run it yourself, then this again"
        ),
        Err(_) => bail!(
            "the Rust target {target} is missing and rustup was not found; install the target for your toolchain (with rustup: `rustup target add {target}`), then run this again"
        ),
    }
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

#[cfg(test)]
mod tests {
    use super::targets_named;

    #[test]
    fn finds_the_targets_a_command_names() {
        assert_eq!(
            targets_named("cargo build --target wasm32-wasip2 --release -p pages"),
            vec!["wasm32-wasip2"]
        );
        assert_eq!(
            targets_named(
                "cargo build --target=wasm32-wasip1 && cargo build --target wasm32-wasip1"
            ),
            vec!["wasm32-wasip1"]
        );
        assert!(targets_named("tinygo build -o x.wasm").is_empty());
        assert!(targets_named("cargo build --target").is_empty());
    }
}
