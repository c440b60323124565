//! Maps an incoming request path to a component, following Spin 4.0.2's rules for
//! `[[trigger.http]]` routes: exact paths, named parameters (`/users/:id`) and a trailing
//! wildcard (`/prefix/...`), ranked as Spin ranks them (see `route_pattern`); what the
//! match tells the component (`spin-path-info`, `spin-path-match-<name>`, the route
//! headers); duplicate routes (the later declaration wins, the earlier is reported at
//! start and never used); and Spin's reserved `/.well-known/spin/` prefix, answered by
//! the host itself (`health`, `info`) before any route. Private routes are never matched
//! from outside; they are reachable only by service chaining.
//!
//! Matching is one pass over the table, which is kept in rank order: the first route
//! that matches is the best one.

use crate::app::manifest::{HttpTrigger, Manifest, Route};
use crate::app::route_pattern::Pattern;
use anyhow::{Result, anyhow};

/// The prefix Spin keeps for itself.
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// A route that matched, with what Spin exposes to the component about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub component: String,
    /// The route as written in the manifest (`spin-raw-component-route`), e.g. `/api/...`.
    pub raw_route: String,
    /// The route as Spin's router holds it, one trailing slash removed
    /// (`spin-matched-route`).
    pub matched_route: String,
    /// The written route without a trailing `/...` (`spin-component-route`), e.g. `/api`.
    pub component_route: String,
    /// What the wildcard matched (`spin-path-info`), e.g. `/products/x`; empty without one.
    pub path_info: String,
    /// One `spin-path-match-<name>` header per named parameter: (header name, value).
    pub path_matches: Vec<(String, String)>,
}

/// What the host answers itself under `/.well-known/spin/`.
#[derive(Debug, Clone, PartialEq)]
pub enum WellKnown {
    /// `health`: `200 OK`.
    Health,
    /// `info`: the app's name and version, as JSON.
    Info(String),
    /// Anything else under the prefix: `404`.
    NotFound,
}

#[derive(Debug, Clone)]
struct Entry {
    pattern: Pattern,
    component: String,
    raw_route: String,
    matched_route: String,
}

/// The public route table.
#[derive(Debug, Clone, Default)]
pub struct Router {
    /// Best first.
    entries: Vec<Entry>,
    /// The `info` answer's JSON.
    app_info: String,
    /// What Spin reports at start about these routes (duplicates, reserved routes).
    start_errors: Vec<String>,
}

impl Router {
    /// The table for `manifest`'s triggers, keeping only `components` (the ones this
    /// process runs); a route Spin could not parse is an error naming it.
    pub fn for_app(manifest: &Manifest, components: &[&str]) -> Result<Router> {
        let mut router = Router::new(&manifest.triggers, components)?;
        router.app_info = app_info(&manifest.name, manifest.version.as_deref());
        Ok(router)
    }

    /// The table for these triggers, keeping only `components`.
    pub fn new(triggers: &[HttpTrigger], components: &[&str]) -> Result<Router> {
        // One entry per route as written, in the place of its first declaration, served
        // by its last; the replaced ones are reported.
        let mut routes: Vec<(&str, &str)> = Vec::new();
        let mut duplicates = Vec::new();
        for t in triggers {
            let Route::Path(raw) = &t.route else { continue };
            match routes.iter_mut().find(|(r, _)| r == raw) {
                Some(slot) => {
                    let matched = matched_route(raw);
                    duplicates.push(format!(
                        "  {}: {} (duplicate of {})",
                        slot.1,
                        if matched.is_empty() { "/" } else { &matched },
                        t.component
                    ));
                    slot.1 = &t.component;
                }
                None => routes.push((raw, &t.component)),
            }
        }
        let mut start_errors = Vec::new();
        if !duplicates.is_empty() {
            start_errors.push(
                "The following component routes are duplicates and will never be used:".into(),
            );
            start_errors.extend(duplicates);
        }
        if routes
            .iter()
            .any(|(raw, _)| matched_route(raw).starts_with(WELL_KNOWN_PREFIX))
        {
            start_errors.push(format!(
                "Routes under {WELL_KNOWN_PREFIX} are handled by the Spin runtime and will never be reached"
            ));
        }
        let mut router = Router {
            start_errors,
            ..Router::default()
        };
        for (raw, component) in routes {
            let matched = matched_route(raw);
            let pattern = match matched.strip_suffix("/...") {
                Some(prefix) => Pattern::parse(&format!("{prefix}/*")),
                None => Pattern::parse(&matched),
            }
            .map_err(|e| {
                anyhow!("Error parsing route {matched} associated with component {component}: {e}")
            })?;
            if components.contains(&component) {
                router.insert(Entry {
                    pattern,
                    component: component.into(),
                    raw_route: raw.into(),
                    matched_route: matched,
                });
            }
        }
        Ok(router)
    }

    /// A table that sends every path to one component (the standalone writer).
    pub fn everything_to(component: &str) -> Router {
        let mut router = Router::default();
        router.insert(Entry {
            pattern: Pattern::parse("/*").expect("a wildcard"),
            component: component.into(),
            raw_route: "/...".into(),
            matched_route: "/...".into(),
        });
        router
    }

    /// Puts `entry` after every route that ranks as high as it (so a tie goes to the one
    /// declared first) and before the first that ranks lower.
    fn insert(&mut self, entry: Entry) {
        let at = self
            .entries
            .iter()
            .position(|e| entry.pattern.outranks(&e.pattern))
            .unwrap_or(self.entries.len());
        self.entries.insert(at, entry);
    }

    /// What Spin reports at start about this table, line by line (empty when all is well).
    pub fn start_errors(&self) -> &[String] {
        &self.start_errors
    }

    /// The host's own answer for a path under `/.well-known/spin/`, or `None` for any other
    /// path (then `route` decides).
    pub fn well_known(&self, path: &str) -> Option<WellKnown> {
        Some(match path.strip_prefix(WELL_KNOWN_PREFIX)? {
            "health" => WellKnown::Health,
            "info" => WellKnown::Info(self.app_info.clone()),
            _ => WellKnown::NotFound,
        })
    }

    /// The best route for `path` (the request's path, percent-encoded as sent).
    pub fn route(&self, path: &str) -> Option<Matched> {
        self.entries.iter().find_map(|e| {
            let captures = e.pattern.matches(path)?;
            let path_info = match captures.wildcard {
                None => String::new(),
                Some(w) => {
                    let slash = if path.ends_with('/') { "/" } else { "" };
                    if w.is_empty() {
                        slash.to_string()
                    } else {
                        format!("/{w}{slash}")
                    }
                }
            };
            let mut path_matches: Vec<(String, String)> = Vec::new();
            for (name, value) in captures.params {
                let header = format!(
                    "spin-path-match-{}",
                    name.to_ascii_lowercase().replace('_', "-")
                );
                // A name used twice: the last capture is the one given.
                path_matches.retain(|(h, _)| *h != header);
                path_matches.push((header, value.to_string()));
            }
            Some(Matched {
                component: e.component.clone(),
                raw_route: e.raw_route.clone(),
                matched_route: e.matched_route.clone(),
                component_route: e
                    .raw_route
                    .strip_suffix("/...")
                    .unwrap_or(&e.raw_route)
                    .to_string(),
                path_info,
                path_matches,
            })
        })
    }
}

/// The route as Spin's router holds it: one trailing slash removed (`/` becomes empty).
fn matched_route(raw: &str) -> String {
    raw.strip_suffix('/').unwrap_or(raw).to_string()
}

/// `/.well-known/spin/info`'s body, laid out as Spin lays it out.
fn app_info(name: &str, version: Option<&str>) -> String {
    let mut info = serde_json::Map::new();
    info.insert("name".into(), name.into());
    if let Some(version) = version {
        info.insert("version".into(), version.into());
    }
    serde_json::to_string_pretty(&info).expect("a JSON object")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let triggers: Vec<HttpTrigger> = routes
            .iter()
            .map(|(route, component)| HttpTrigger {
                route: Route::Path(route.to_string()),
                component: component.to_string(),
            })
            .collect();
        let ids: Vec<&str> = routes.iter().map(|(_, c)| *c).collect();
        Router::new(&triggers, &ids).unwrap()
    }

    #[test]
    fn exact_beats_wildcard_and_longest_prefix_wins() {
        let r = router(&[
            ("/...", "pages"),
            ("/api/...", "api"),
            ("/api/health", "health"),
        ]);
        assert_eq!(r.route("/").unwrap().component, "pages");
        assert_eq!(r.route("/products/x").unwrap().path_info, "/products/x");
        assert_eq!(r.route("/api/products").unwrap().component, "api");
        assert_eq!(r.route("/api").unwrap().component, "api");
        assert_eq!(r.route("/apix").unwrap().component, "pages");
        assert_eq!(r.route("/api/health").unwrap().component, "health");
    }

    #[test]
    fn parameters_and_the_wildcard_become_spins_headers() {
        let r = router(&[("/base/:path_segment/:path_end/...", "probe")]);
        let m = r.route("/base/path/end/rest").unwrap();
        assert_eq!(
            m.path_matches,
            [
                ("spin-path-match-path-segment".into(), "path".into()),
                ("spin-path-match-path-end".into(), "end".into())
            ]
        );
        assert_eq!(m.path_info, "/rest");
        assert_eq!(m.raw_route, "/base/:path_segment/:path_end/...");
        assert_eq!(m.matched_route, "/base/:path_segment/:path_end/...");
        assert_eq!(m.component_route, "/base/:path_segment/:path_end");
        assert_eq!(r.route("/base/path/end").unwrap().path_info, "");
        assert_eq!(r.route("/base/path/end/").unwrap().path_info, "/");
        assert_eq!(r.route("/base/path/end/a/b/").unwrap().path_info, "/a/b/");
        assert!(r.route("/base/path").is_none());
    }

    #[test]
    fn exact_beats_parameter_beats_wildcard_and_longer_beats_shorter() {
        let r = router(&[
            ("/prec/...", "wild"),
            ("/prec/:p", "param"),
            ("/prec/exact", "exact"),
            ("/prec/:p/...", "param-wild"),
            ("/prec/a/b/...", "longer"),
        ]);
        let who = |path| r.route(path).unwrap().component;
        assert_eq!(who("/prec/exact"), "exact");
        assert_eq!(who("/prec/exact/"), "exact");
        assert_eq!(who("/prec/other"), "param");
        assert_eq!(who("/prec/other/more"), "param-wild");
        assert_eq!(who("/prec/a/b/c"), "longer");
        assert_eq!(who("/prec/a/c"), "param-wild");
        assert_eq!(who("/prec"), "wild");
        assert_eq!(r.route("/prec/exact/").unwrap().path_info, "");
    }

    #[test]
    fn a_tie_goes_to_the_route_declared_first() {
        let r = router(&[("/tie/:x/end", "first"), ("/tie/:y/end", "second")]);
        let m = r.route("/tie/1/end").unwrap();
        assert_eq!(m.component, "first");
        assert_eq!(m.path_matches, [("spin-path-match-x".into(), "1".into())]);
    }

    #[test]
    fn a_duplicate_route_is_served_by_the_later_one_and_reported() {
        let r = router(&[("/dup", "first"), ("/", "root"), ("/dup", "second")]);
        assert_eq!(r.route("/dup").unwrap().component, "second");
        assert_eq!(
            r.start_errors(),
            [
                "The following component routes are duplicates and will never be used:",
                "  first: /dup (duplicate of second)"
            ]
        );
        assert!(
            router(&[("/a", "x"), ("/b", "y")])
                .start_errors()
                .is_empty()
        );
    }

    #[test]
    fn the_reserved_prefix_is_the_hosts_own() {
        let r = router(&[("/.well-known/spin/...", "mine"), ("/...", "all")]);
        assert_eq!(
            r.start_errors(),
            [
                "Routes under /.well-known/spin/ are handled by the Spin runtime and will never be reached"
            ]
        );
        assert_eq!(
            r.well_known("/.well-known/spin/health"),
            Some(WellKnown::Health)
        );
        assert_eq!(
            r.well_known("/.well-known/spin/mine"),
            Some(WellKnown::NotFound)
        );
        assert_eq!(r.well_known("/.well-known/spin"), None);
        assert_eq!(r.route("/.well-known/spin").unwrap().component, "all");
        assert_eq!(
            app_info("shop", Some("1.0")),
            "{\n  \"name\": \"shop\",\n  \"version\": \"1.0\"\n}"
        );
        assert_eq!(app_info("shop", None), "{\n  \"name\": \"shop\"\n}");
    }

    #[test]
    fn a_route_spin_cannot_parse_is_refused() {
        let triggers = [HttpTrigger {
            route: Route::Path("/a/:/b".into()),
            component: "x".into(),
        }];
        let e = Router::new(&triggers, &["x"]).unwrap_err().to_string();
        assert!(e.contains("/a/:/b") && e.contains("component x"), "{e}");
    }

    #[test]
    fn private_routes_and_absent_components_are_unreachable() {
        let triggers = [HttpTrigger {
            route: Route::Private,
            component: "writer".into(),
        }];
        let r = Router::new(&triggers, &["writer"]).unwrap();
        assert!(r.route("/").is_none());
        let triggers = [HttpTrigger {
            route: Route::Path("/...".into()),
            component: "pages".into(),
        }];
        assert!(
            Router::new(&triggers, &["writer"])
                .unwrap()
                .route("/")
                .is_none()
        );
    }
}
