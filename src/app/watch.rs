//! `storefront up --watch`: like `spin watch`, rebuilds a component when a file its
//! manifest's `[component.<id>.build] watch` globs match changes (added, removed,
//! modified), and swaps the new code in ([`App::reload`]) without restarting the
//! process: the data dir stays owned, the database open, connections served.
//!
//! Files are polled every [`POLL`] (names, sizes and modification times of what the
//! globs match, at most [`MAX_WATCHED_FILES`] per component) and a change is acted on
//! once they have been still for one more poll, so an editor's save-in-steps is one
//! rebuild. A failed build or a component that does not load is logged, and the old code
//! keeps serving.
//!
//! The manifest itself is watched too. Routes, variables and components are read when the
//! app starts, so a changed manifest restarts it, as `spin watch` does: once the new
//! manifest loads and its components build (unless `--no-build`), the watcher reports a
//! [`ManifestChange`]; the server then drains and closes the database as on SIGTERM, and
//! `up` starts again from the new manifest in the same process. A manifest that does not
//! load or build is logged and the running app keeps serving.

use crate::app::build_components::{build_all, build_dir, build_one};
use crate::app::manifest::Manifest;
use crate::app::runtime::App;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::Notify;

/// How often the watched files are looked at.
pub const POLL: Duration = Duration::from_millis(500);
/// Files per component beyond which the rest are not watched (a glob gone wild).
pub const MAX_WATCHED_FILES: usize = 10_000;

/// What the globs matched: path → (size, modified).
type Snapshot = BTreeMap<PathBuf, (u64, Option<SystemTime>)>;

/// The files `globs` (relative to `dir` unless absolute) match now.
fn snapshot(dir: &Path, globs: &[String]) -> Snapshot {
    let mut files = Snapshot::new();
    for pattern in globs {
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            dir.join(pattern)
        };
        let Ok(paths) = glob::glob(&full.to_string_lossy()) else {
            continue;
        };
        for path in paths.flatten() {
            if files.len() >= MAX_WATCHED_FILES {
                return files;
            }
            if let Ok(meta) = std::fs::metadata(&path)
                && meta.is_file()
            {
                files.insert(path, (meta.len(), meta.modified().ok()));
            }
        }
    }
    files
}

/// Set by the watcher when the manifest changed and the new one is ready to run.
#[derive(Default)]
pub struct ManifestChange {
    changed: AtomicBool,
    notify: Notify,
}

impl ManifestChange {
    /// Whether the app stopped because its manifest changed.
    pub fn happened(&self) -> bool {
        self.changed.load(Ordering::SeqCst)
    }

    /// Resolves once the manifest changed (a future for the server's shutdown).
    pub async fn wait(&self) {
        self.notify.notified().await;
    }

    fn report(&self) {
        self.changed.store(true, Ordering::SeqCst);
        // `notify_one` keeps the wake-up if the server is not waiting yet.
        self.notify.notify_one();
    }
}

/// A file's size and modification time, if it is there.
fn stamp(path: &Path) -> Option<(u64, Option<SystemTime>)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()))
}

/// One watched component.
struct Watched {
    id: String,
    dir: PathBuf,
    globs: Vec<String>,
    seen: Snapshot,
    /// A change seen at the last poll, acted on once the files stay still.
    changed: bool,
}

/// Watches every component of `app` that declares `watch` globs, and the manifest at
/// `manifest_path`, until the task is aborted or the manifest changed (`build`: whether a
/// new manifest's components are built before it is reported).
pub async fn run(
    manifest: Manifest,
    manifest_path: PathBuf,
    build: bool,
    app: Arc<App>,
    change: Arc<ManifestChange>,
) {
    let mut watched: Vec<Watched> = manifest
        .components
        .values()
        .filter(|c| app.has_component(&c.id))
        .filter_map(|c| {
            let globs = c.build.as_ref()?.watch.clone();
            let dir = build_dir(&manifest, c)?;
            (!globs.is_empty()).then(|| Watched {
                seen: snapshot(&dir, &globs),
                id: c.id.clone(),
                dir,
                globs,
                changed: false,
            })
        })
        .collect();
    if watched.is_empty() {
        tracing::warn!("--watch: no component declares `watch` globs in its build section");
    } else {
        let names: Vec<&str> = watched.iter().map(|w| w.id.as_str()).collect();
        tracing::info!("watching the sources of {}", names.join(", "));
    }
    // The manifest: a change (once still for a poll) restarts the app.
    let mut manifest_seen = stamp(&manifest_path);
    let mut manifest_changed = false;
    let manifest = Arc::new(manifest);
    let mut interval = tokio::time::interval(POLL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let now = stamp(&manifest_path);
        if now != manifest_seen {
            manifest_seen = now;
            manifest_changed = true;
        } else if manifest_changed {
            manifest_changed = false;
            if ready_to_restart(&manifest_path, build).await {
                change.report();
                return;
            }
        }
        for w in &mut watched {
            let now = {
                let (dir, globs) = (w.dir.clone(), w.globs.clone());
                tokio::task::spawn_blocking(move || snapshot(&dir, &globs))
                    .await
                    .unwrap_or_default()
            };
            if now != w.seen {
                w.seen = now;
                w.changed = true;
                continue;
            }
            if !w.changed {
                continue;
            }
            w.changed = false;
            rebuild(&manifest, &app, &w.id).await;
            // What the build itself wrote is not a change.
            let (dir, globs) = (w.dir.clone(), w.globs.clone());
            w.seen = tokio::task::spawn_blocking(move || snapshot(&dir, &globs))
                .await
                .unwrap_or_default();
        }
    }
}

/// Whether the changed manifest at `path` loads and (when `build`) its components build;
/// logs why not.
async fn ready_to_restart(path: &Path, build: bool) -> bool {
    let path = path.to_path_buf();
    let result = tokio::task::spawn_blocking(move || {
        let manifest = Manifest::load(&path)?;
        if build {
            build_all(&manifest)?;
        }
        anyhow::Ok(())
    })
    .await;
    match result {
        Ok(Ok(())) => {
            tracing::info!("the manifest changed: restarting the app with it");
            true
        }
        Ok(Err(e)) => {
            tracing::warn!(
                "the changed manifest is not used ({e:#}); the running app keeps serving"
            );
            false
        }
        Err(e) => {
            tracing::warn!("the changed manifest is not used: {e}");
            false
        }
    }
}

/// Builds component `id` and swaps it in; logs what happened either way.
async fn rebuild(manifest: &Arc<Manifest>, app: &Arc<App>, id: &str) {
    let started = Instant::now();
    let (m, a, name) = (manifest.clone(), app.clone(), id.to_string());
    let result = tokio::task::spawn_blocking(move || {
        let component = m.component(&name)?;
        build_one(&m, component)?;
        a.reload(&m, &name)
    })
    .await;
    match result {
        Ok(Ok(())) => tracing::info!(
            "reloaded {id} in {:.1}s: new requests run the new code",
            started.elapsed().as_secs_f64()
        ),
        Ok(Err(e)) => tracing::warn!("{id} was not reloaded ({e:#}); the old code keeps serving"),
        Err(e) => tracing::warn!("{id} was not reloaded: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_see_added_changed_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let globs = vec!["src/**/*.rs".to_string()];
        assert!(snapshot(dir.path(), &globs).is_empty());
        std::fs::create_dir_all(dir.path().join("src/a")).unwrap();
        std::fs::write(dir.path().join("src/a/lib.rs"), "x").unwrap();
        std::fs::write(dir.path().join("src/notes.txt"), "x").unwrap();
        let one = snapshot(dir.path(), &globs);
        assert_eq!(one.len(), 1);
        std::fs::write(dir.path().join("src/a/lib.rs"), "xy").unwrap();
        assert_ne!(
            snapshot(dir.path(), &globs),
            one,
            "a longer file is a change"
        );
        std::fs::remove_file(dir.path().join("src/a/lib.rs")).unwrap();
        assert!(snapshot(dir.path(), &globs).is_empty());
    }
}
