//! The Spin application manifest (`spin.toml`, manifest version 2): the subset of
//! Spin's documented schema that this app uses, parsed into plain types.
//!
//! Unknown keys are accepted and ignored (Spin's schema is larger than what the
//! host needs), but the keys the host relies on are validated so that a typo fails
//! at start-up with one readable line rather than at the first request.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parsed `spin.toml`, with paths resolved against the manifest's folder.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Folder holding the manifest; component sources and build commands are relative to it.
    pub root: PathBuf,
    pub name: String,
    /// `[application] version`, shown at `/.well-known/spin/info`.
    pub version: Option<String>,
    pub variables: BTreeMap<String, VariableDecl>,
    pub triggers: Vec<HttpTrigger>,
    pub components: BTreeMap<String, ComponentDecl>,
}

/// One `[variables]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub description: Option<String>,
}

/// One `[[trigger.http]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpTrigger {
    pub route: Route,
    pub component: String,
}

/// Where a trigger listens.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// `route = "/exact"`, `"/users/:id"` (named parameters) or `"/prefix/..."`.
    Path(String),
    /// `route = { private = true }`: reachable only by service chaining.
    Private,
}

/// One `[component.<id>]` table.
#[derive(Debug, Clone)]
pub struct ComponentDecl {
    pub id: String,
    pub source: PathBuf,
    pub allowed_outbound_hosts: Vec<String>,
    pub sqlite_databases: Vec<String>,
    /// Labels of the key-value stores it may open (`default` is the only one provided).
    pub key_value_stores: Vec<String>,
    /// Component variables: name → template over application variables.
    pub variables: BTreeMap<String, String>,
    pub build: Option<BuildDecl>,
}

impl ComponentDecl {
    /// Whether it keeps state in the data dir (a database or a key-value store).
    pub fn holds_files(&self) -> bool {
        !self.sqlite_databases.is_empty() || !self.key_value_stores.is_empty()
    }
}

/// `[component.<id>.build]`.
#[derive(Debug, Clone, Deserialize)]
pub struct BuildDecl {
    pub command: String,
    #[serde(default)]
    pub workdir: Option<String>,
    /// Globs (relative to the build's folder) whose change rebuilds the component under
    /// `storefront up --watch`.
    #[serde(default)]
    pub watch: Vec<String>,
}

#[derive(Deserialize)]
struct RawManifest {
    spin_manifest_version: i64,
    application: RawApplication,
    #[serde(default)]
    variables: BTreeMap<String, VariableDecl>,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Deserialize)]
struct RawApplication {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    route: RawRoute,
    component: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRoute {
    Path(String),
    Private { private: bool },
}

#[derive(Deserialize)]
struct RawComponent {
    source: String,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    sqlite_databases: Vec<String>,
    #[serde(default)]
    key_value_stores: Vec<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
    #[serde(default)]
    build: Option<BuildDecl>,
}

/// Spin's rule for variable names: lower-case letters, digits and underscores, starting with a letter.
pub fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Manifest {
    /// Reads and validates the manifest at `path`.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        let root = path
            .canonicalize()
            .with_context(|| format!("cannot resolve {}", path.display()))?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Self::parse(&text, root).with_context(|| format!("invalid manifest {}", path.display()))
    }

    /// Parses manifest text; `root` is the folder relative paths resolve against.
    pub fn parse(text: &str, root: PathBuf) -> Result<Manifest> {
        let raw: RawManifest =
            toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.message()))?;
        if raw.spin_manifest_version != 2 {
            bail!(
                "spin_manifest_version must be 2, found {}",
                raw.spin_manifest_version
            );
        }
        for (name, decl) in &raw.variables {
            if !valid_variable_name(name) {
                bail!("variable name {name:?} must be lower-case letters, digits and underscores");
            }
            if decl.required && decl.default.is_some() {
                bail!("variable {name:?} cannot be both required and have a default");
            }
            if !decl.required && decl.default.is_none() {
                bail!("variable {name:?} needs a default or `required = true`");
            }
        }
        let mut components = BTreeMap::new();
        for (id, c) in raw.component {
            // Spin refuses a label no store is configured for; without a runtime config
            // that is every label but `default`.
            if let Some(label) = c.key_value_stores.iter().find(|l| *l != "default") {
                bail!(
                    "unknown key_value_stores label {label:?} for component {id:?} (only \
                     \"default\" is provided)"
                );
            }
            for name in c.variables.keys() {
                if !valid_variable_name(name) {
                    bail!("component {id:?}: variable name {name:?} is not valid");
                }
            }
            components.insert(
                id.clone(),
                ComponentDecl {
                    source: root.join(&c.source),
                    id,
                    allowed_outbound_hosts: c.allowed_outbound_hosts,
                    sqlite_databases: c.sqlite_databases,
                    key_value_stores: c.key_value_stores,
                    variables: c.variables,
                    build: c.build,
                },
            );
        }
        let mut triggers = Vec::new();
        for t in raw.trigger.http {
            if !components.contains_key(&t.component) {
                bail!(
                    "trigger names component {:?}, which is not defined",
                    t.component
                );
            }
            let route = match t.route {
                RawRoute::Path(p) if p.starts_with('/') => Route::Path(p),
                RawRoute::Path(p) => bail!("route {p:?} must start with '/'"),
                RawRoute::Private { private: true } => Route::Private,
                RawRoute::Private { private: false } => {
                    bail!("route = {{ private = false }} is not a route; give a path")
                }
            };
            triggers.push(HttpTrigger {
                route,
                component: t.component,
            });
        }
        if triggers.is_empty() {
            bail!("no [[trigger.http]] entries");
        }
        Ok(Manifest {
            root,
            name: raw.application.name,
            version: raw.application.version,
            variables: raw.variables,
            triggers,
            components,
        })
    }

    /// The component with this id, or a readable error.
    pub fn component(&self, id: &str) -> Result<&ComponentDecl> {
        self.components
            .get(id)
            .with_context(|| format!("spin.toml has no component {id:?}"))
    }

    /// The components that hold `sqlite_databases`.
    pub fn database_components(&self) -> Vec<&str> {
        self.components
            .values()
            .filter(|c| !c.sqlite_databases.is_empty())
            .map(|c| c.id.as_str())
            .collect()
    }

    /// The components that hold `sqlite_databases` or `key_value_stores`: both live in
    /// the data dir, so the process running them must own it (`storefront writer`,
    /// `storefront up`).
    pub fn stateful_components(&self) -> Vec<&str> {
        self.components
            .values()
            .filter(|c| c.holds_files())
            .map(|c| c.id.as_str())
            .collect()
    }

    /// What runs beside the files: the database components, and the private components
    /// (reachable only by service chaining) whose `allowed_outbound_hosts` chain to one
    /// of them, since they need it in the same process. Decided by the manifest alone.
    pub fn owner_side(&self) -> Vec<&str> {
        let databases = self.stateful_components();
        let chains_to_database = |c: &ComponentDecl| {
            c.allowed_outbound_hosts.iter().any(|host| {
                databases
                    .iter()
                    .any(|db| host.trim_end_matches('/') == format!("http://{db}.spin.internal"))
            })
        };
        self.components
            .values()
            .filter(|c| c.holds_files() || (self.is_private(&c.id) && chains_to_database(c)))
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Every other component: stateless, run in any number of copies (`storefront pages`).
    pub fn stateless_side(&self) -> Vec<&str> {
        let owner = self.owner_side();
        self.components
            .keys()
            .map(String::as_str)
            .filter(|id| !owner.contains(id))
            .collect()
    }

    /// Whether every trigger of `id` is private (service chaining only).
    pub fn is_private(&self, id: &str) -> bool {
        let mut triggers = self.triggers.iter().filter(|t| t.component == id);
        let mut any = false;
        let all = triggers.all(|t| {
            any = true;
            t.route == Route::Private
        });
        any && all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_project_manifest() {
        let text = include_str!("../../spin.toml");
        let m = Manifest::parse(text, PathBuf::from("/app")).unwrap();
        assert_eq!(m.name, "storefront");
        let writer = m.component("writer").unwrap();
        assert_eq!(writer.sqlite_databases, vec!["default".to_string()]);
        assert!(m.component("pages").unwrap().sqlite_databases.is_empty());
        assert!(
            m.triggers
                .iter()
                .any(|t| t.component == "writer" && t.route == Route::Private)
        );
        assert!(writer.source.starts_with("/app"));
    }

    #[test]
    fn the_manifest_decides_what_runs_beside_the_files() {
        let text = include_str!("../../spin.toml");
        let m = Manifest::parse(text, PathBuf::from("/app")).unwrap();
        assert_eq!(m.database_components(), ["writer"]);
        assert_eq!(
            m.owner_side(),
            ["outbox-dispatcher", "payment-courier", "writer"]
        );
        assert_eq!(m.stateless_side(), ["pages"]);
        // Names play no part: the same app with other ids splits the same way.
        let renamed = text
            .replace("component.writer", "component.ledger")
            .replace("component = \"writer\"", "component = \"ledger\"")
            .replace("writer.spin.internal", "ledger.spin.internal")
            .replace("component.pages", "component.shop")
            .replace("component = \"pages\"", "component = \"shop\"");
        let m = Manifest::parse(&renamed, PathBuf::from("/app")).unwrap();
        assert_eq!(m.database_components(), ["ledger"]);
        assert_eq!(
            m.owner_side(),
            ["ledger", "outbox-dispatcher", "payment-courier"]
        );
        assert_eq!(m.stateless_side(), ["shop"]);
        // A private helper of the pages that does not chain to the database stays with them.
        let helper = format!(
            "{text}\n[[trigger.http]]\nroute = {{ private = true }}\ncomponent = \"helper\"\n\
             [component.helper]\nsource = \"h.wasm\"\nallowed_outbound_hosts = [\"https://example.com\"]\n"
        );
        let m = Manifest::parse(&helper, PathBuf::from("/app")).unwrap();
        assert_eq!(m.stateless_side(), ["helper", "pages"]);
    }

    #[test]
    fn rejects_bad_manifests() {
        let base = |extra: &str| {
            format!(
                "spin_manifest_version = 2\n[application]\nname = \"x\"\n{extra}\n[[trigger.http]]\nroute = \"/...\"\ncomponent = \"a\"\n[component.a]\nsource = \"a.wasm\"\n"
            )
        };
        assert!(Manifest::parse(&base(""), PathBuf::new()).is_ok());
        assert!(
            Manifest::parse(
                &base("[variables]\nBad = { default = \"x\" }"),
                PathBuf::new()
            )
            .is_err()
        );
        assert!(Manifest::parse(&base("[variables]\nv = { }"), PathBuf::new()).is_err());
        let missing = "spin_manifest_version = 2\n[application]\nname = \"x\"\n[[trigger.http]]\nroute = \"/\"\ncomponent = \"nope\"\n";
        assert!(Manifest::parse(missing, PathBuf::new()).is_err());
        assert!(Manifest::parse("spin_manifest_version = 1", PathBuf::new()).is_err());
        let kv = |labels: &str| {
            base("").replace(
                "source = \"a.wasm\"",
                &format!("source = \"a.wasm\"\nkey_value_stores = [{labels}]"),
            )
        };
        let m = Manifest::parse(&kv("\"default\""), PathBuf::new()).unwrap();
        assert_eq!(m.component("a").unwrap().key_value_stores, ["default"]);
        let e = Manifest::parse(&kv("\"default\", \"other\""), PathBuf::new()).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown key_value_stores label \"other\" for component \"a\""),
            "{e}"
        );
    }

    #[test]
    fn a_key_value_store_runs_beside_the_files() {
        let text = "spin_manifest_version = 2\n[application]\nname = \"x\"\n\
            [[trigger.http]]\nroute = \"/kv/...\"\ncomponent = \"counter\"\n\
            [[trigger.http]]\nroute = \"/...\"\ncomponent = \"site\"\n\
            [component.counter]\nsource = \"c.wasm\"\nkey_value_stores = [\"default\"]\n\
            [component.site]\nsource = \"s.wasm\"\n";
        let m = Manifest::parse(text, PathBuf::new()).unwrap();
        assert!(m.database_components().is_empty());
        assert_eq!(m.stateful_components(), ["counter"]);
        assert_eq!(m.owner_side(), ["counter"]);
        assert_eq!(m.stateless_side(), ["site"]);
    }
}
