//! Development secrets for `storefront up`: a required secret variable that is not
//! set (e.g. `cookie_secret`) gets a random value, kept in `<data-dir>/local-secrets.json`
//! (mode 0600) so carts survive restarts. Production (`storefront writer`, or pages
//! under `spin up`) never does this: there a missing secret is a start-up error.
//!
//! The file is written atomically ([`crate::atomic_file`]): an interrupted write leaves
//! the old file, so a start never needs a hand repair. An empty file can only be an older
//! version's torn write, and is replaced by new secrets with a warning (carts and owner
//! sessions signed with the lost ones end); any other unreadable content is refused with
//! the file's name and the fix, since it may be the only copy of a secret someone set.

use crate::app::manifest::Manifest;
use crate::atomic_file;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
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
    for stale in atomic_file::remove_stale_partials(&path)
        .with_context(|| format!("cannot clear interrupted writes of {}", path.display()))?
    {
        tracing::info!("removed {} (an interrupted write)", stale.display());
    }
    let mut stored = read(&path)?;
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
        atomic_file::write(
            &path,
            serde_json::to_string_pretty(&stored)?.as_bytes(),
            0o600,
        )
        .with_context(|| format!("cannot write {}", path.display()))?;
    }
    stored.retain(|name, _| !env.contains_key(&crate::app::variables::env_key(name)));
    Ok(stored)
}

/// The stored secrets: none when the file is missing or empty (see the module's note);
/// an error naming the file and the fix when it cannot be read or is not a JSON object
/// of strings.
fn read(path: &Path) -> Result<BTreeMap<String, String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if text.trim().is_empty() {
        tracing::warn!(
            "{} was empty (a write interrupted by an older version); generating new local \
             secrets: carts and owner sessions signed with the old ones end",
            path.display()
        );
        return Ok(BTreeMap::new());
    }
    match serde_json::from_str(&text) {
        Ok(stored) => Ok(stored),
        Err(e) => bail!(
            "{} is not valid JSON ({e}); it holds the local secrets (cookie signing key, \
             writer token): repair it, or move it aside to start with new ones (carts and \
             owner sessions signed with the old ones end)",
            path.display()
        ),
    }
}
