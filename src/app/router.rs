//! Maps an incoming request path to a component, following Spin's rules for
//! `[[trigger.http]]` routes: an exact route wins over a wildcard (`/prefix/...`),
//! and the longest wildcard prefix wins among wildcards. Private routes are never
//! matched from outside; they are reachable only by service chaining.

use crate::app::manifest::{HttpTrigger, Route};

/// A route that matched, with what Spin exposes to the component about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    pub component: String,
    /// The route as written in the manifest, e.g. `/...`.
    pub raw_route: String,
    /// The route without the wildcard, e.g. `` for `/...` or `/api` for `/api/...`.
    pub base: String,
    /// The part of the path after `base`.
    pub path_info: String,
}

#[derive(Debug, Clone)]
enum Pattern {
    Exact(String),
    Prefix(String),
}

/// The public route table.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<(Pattern, String, String)>,
}

impl Router {
    /// Builds the table from the manifest's triggers, keeping only `components`
    /// (the ones this process runs).
    pub fn new(triggers: &[HttpTrigger], components: &[&str]) -> Router {
        let mut routes = Vec::new();
        for t in triggers {
            if !components.contains(&t.component.as_str()) {
                continue;
            }
            if let Route::Path(p) = &t.route {
                let pattern = match p.strip_suffix("/...") {
                    Some(prefix) => Pattern::Prefix(prefix.to_string()),
                    None => Pattern::Exact(p.clone()),
                };
                routes.push((pattern, p.clone(), t.component.clone()));
            }
        }
        Router { routes }
    }

    /// A table that sends every path to one component (the standalone writer).
    pub fn everything_to(component: &str) -> Router {
        Router {
            routes: vec![(
                Pattern::Prefix(String::new()),
                "/...".into(),
                component.into(),
            )],
        }
    }

    pub fn route(&self, path: &str) -> Option<Matched> {
        let exact = self.routes.iter().find_map(|(p, raw, c)| match p {
            Pattern::Exact(e) if e == path => Some(Matched {
                component: c.clone(),
                raw_route: raw.clone(),
                base: e.clone(),
                path_info: String::new(),
            }),
            _ => None,
        });
        exact.or_else(|| {
            self.routes
                .iter()
                .filter_map(|(p, raw, c)| match p {
                    Pattern::Prefix(prefix)
                        if path == prefix
                            || (path.starts_with(prefix.as_str())
                                && path[prefix.len()..].starts_with('/')) =>
                    {
                        Some((
                            prefix.len(),
                            Matched {
                                component: c.clone(),
                                raw_route: raw.clone(),
                                base: prefix.clone(),
                                path_info: path[prefix.len()..].to_string(),
                            },
                        ))
                    }
                    _ => None,
                })
                .max_by_key(|(len, _)| *len)
                .map(|(_, m)| m)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trigger(route: Route, component: &str) -> HttpTrigger {
        HttpTrigger {
            route,
            component: component.into(),
        }
    }

    #[test]
    fn exact_beats_wildcard_and_longest_prefix_wins() {
        let r = Router::new(
            &[
                trigger(Route::Path("/...".into()), "pages"),
                trigger(Route::Path("/api/...".into()), "api"),
                trigger(Route::Path("/api/health".into()), "health"),
                trigger(Route::Private, "writer"),
            ],
            &["pages", "api", "health", "writer"],
        );
        assert_eq!(r.route("/").unwrap().component, "pages");
        assert_eq!(r.route("/products/x").unwrap().path_info, "/products/x");
        assert_eq!(r.route("/api/products").unwrap().component, "api");
        assert_eq!(r.route("/api").unwrap().component, "api");
        assert_eq!(r.route("/apix").unwrap().component, "pages");
        assert_eq!(r.route("/api/health").unwrap().component, "health");
    }

    #[test]
    fn private_routes_and_absent_components_are_unreachable() {
        let r = Router::new(&[trigger(Route::Private, "writer")], &["writer"]);
        assert!(r.route("/").is_none());
        let r = Router::new(&[trigger(Route::Path("/...".into()), "pages")], &["writer"]);
        assert!(r.route("/").is_none());
    }
}
