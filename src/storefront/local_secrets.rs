//! Development secrets for `storefront up`: a required secret variable that is not
//! set (e.g. `cookie_secret`) gets a random value, kept in `<data-dir>/local-secrets.json`
//! (mode 0600) so carts survive restarts. Production (`storefront writer`, or pages
//! under `spin up`) never does this: there a missing secret is a start-up error.

use crate::app::manifest::Manifest;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

pub const FILE: &str = "local-secrets.json";

/// A fresh secret: 256 random bits in hex.
pub fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(hex::encode(bytes))
}

/// Values for every required secret variable not provided by the environment, plus
/// the secrets named in `also` (e.g. the test-mode webhook secret).
pub fn fill_missing(
    manifest: &Manifest,
    data_dir: &Path,
    env: &BTreeMap<String, String>,
    also: &[&str],
) -> Result<BTreeMap<String, String>> {
    let path = data_dir.join(FILE);
    let mut stored: BTreeMap<String, String> = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?,
        Err(_) => BTreeMap::new(),
    };
    let mut changed = false;
    for (name, decl) in &manifest.variables {
        let from_env = env.contains_key(&crate::app::variables::env_key(name));
        let wanted = (decl.required && decl.secret) || also.contains(&name.as_str());
        if !wanted || from_env || stored.contains_key(name) {
            continue;
        }
        stored.insert(name.clone(), random_secret()?);
        changed = true;
        tracing::info!(
            "generated a local {name} in {} (set {} in production)",
            path.display(),
            crate::app::variables::env_key(name)
        );
    }
    if changed {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.write_all(serde_json::to_string_pretty(&stored)?.as_bytes())?;
    }
    stored.retain(|name, _| !env.contains_key(&crate::app::variables::env_key(name)));
    Ok(stored)
}
