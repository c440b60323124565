//! `storefront build`: runs each component's `[component.<id>.build]` command from
//! `spin.toml`, in the manifest's folder (or the build's `workdir`), like `spin build`.

use crate::app::manifest::Manifest;
use anyhow::{Context, Result, bail};
use std::process::Command;
use std::time::Instant;

/// Builds every component that declares a build command.
pub fn build_all(manifest: &Manifest) -> Result<()> {
    for component in manifest.components.values() {
        let Some(build) = &component.build else {
            continue;
        };
        let dir = match &build.workdir {
            Some(w) => manifest.root.join(w),
            None => manifest.root.clone(),
        };
        tracing::info!("building {}: {}", component.id, build.command);
        let started = Instant::now();
        let status = Command::new("sh")
            .arg("-c")
            .arg(&build.command)
            .current_dir(&dir)
            .status()
            .with_context(|| format!("cannot run the build command of {}", component.id))?;
        if !status.success() {
            bail!("building component {} failed ({status})", component.id);
        }
        tracing::info!(
            "built {} in {:.1}s",
            component.id,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
