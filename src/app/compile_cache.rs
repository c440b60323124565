//! Loads a component's machine code from a local cache, compiling it only when
//! the wasm file or the engine changed. Compiling with Cranelift takes seconds;
//! loading the cached artifact takes milliseconds, which is what makes
//! `storefront up` (and every test that starts the app) quick after the first run.

use anyhow::{Context, Result, anyhow};
use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components are kept: `$STOREFRONT_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/storefront`, else `~/.cache/storefront`; `None` disables caching.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STOREFRONT_CACHE_DIR") {
        return (!dir.is_empty()).then(|| PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(dir).join("storefront"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("storefront"))
}

/// The component file at `wasm_path`.
pub fn read_component(wasm_path: &Path) -> Result<Vec<u8>> {
    std::fs::read(wasm_path).with_context(|| {
        format!(
            "cannot read component {} (build it with `storefront build`, or run `storefront up` without --no-build)",
            wasm_path.display()
        )
    })
}

/// Compiles `wasm` (read from `wasm_path`) for `engine`, through the cache when one is
/// available.
pub fn load_component(engine: &Engine, wasm: &[u8], wasm_path: &Path) -> Result<Component> {
    let Some(dir) = cache_dir() else {
        return compile(engine, wasm, wasm_path);
    };
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    engine
        .precompile_compatibility_hash()
        .hash(&mut engine_hash);
    let mut key = Sha256::new();
    key.update(engine_hash.finish().to_le_bytes());
    key.update(env!("CARGO_PKG_VERSION"));
    key.update(wasm);
    let cached = dir.join(format!("{}.cwasm", hex::encode(key.finalize())));
    if cached.exists() {
        // SAFETY: the file was produced by `Engine::precompile_component` of a
        // compatible engine (the key covers the engine's compatibility hash) and is
        // written atomically into a directory owned by the user running the host.
        match unsafe { Component::deserialize_file(engine, &cached) } {
            Ok(component) => return Ok(component),
            Err(e) => tracing::warn!("ignoring unusable cache entry {}: {e}", cached.display()),
        }
    }
    let bytes = engine
        .precompile_component(wasm)
        .map_err(|e| anyhow!("cannot compile component {}: {e:#}", wasm_path.display()))?;
    if let Err(e) = write_atomically(&dir, &cached, &bytes) {
        tracing::debug!("not caching compiled component: {e}");
    }
    // SAFETY: `bytes` was just produced by this engine.
    unsafe { Component::deserialize(engine, &bytes) }.map_err(|e| {
        anyhow!(
            "cannot load compiled component {}: {e}",
            wasm_path.display()
        )
    })
}

fn compile(engine: &Engine, wasm: &[u8], path: &Path) -> Result<Component> {
    Component::new(engine, wasm)
        .map_err(|e| anyhow!("cannot compile component {}: {e:#}", path.display()))
}

fn write_atomically(dir: &Path, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::atomic_file::write(target, bytes, 0o644)
}
