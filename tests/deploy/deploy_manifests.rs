//! The production deployment files (`deploy/`) keep the invariants that protect the
//! shop's data and secrets, checked on the files themselves (no cluster, no binary):
//!
//! - whatever runs `storefront writer` (or `up`: both own the SQLite files) is a
//!   StatefulSet with `replicas: 1` whose data dir is a ReadWriteOnce volume claim; a
//!   SpinApp lists its `components` and never the writer, and probes the pages' own `/healthz`;
//! - every storefront container's `terminationGracePeriodSeconds` outlasts its preStop
//!   pause plus its drain (`--drain-timeout`, 30 s by default);
//! - every Spin variable set is declared in spin.toml; the secret ones come only from a
//!   Secret (`valueFrom.secretKeyRef`); both processes get what they need; the pages'
//!   `writer_url` names the Service in front of the writer; no Secret carries values;
//! - the writer reads the replica bucket from the ConfigMap and its keys from a Secret of
//!   their own, and production ships every commit to it synchronously;
//! - probes point at the operator listener's routes on its port, and the container
//!   passes `--operator-listen` on that port;
//! - the Containerfile is multi-stage, runs as a non-root user and declares the data
//!   volume.
//!
//! Files are checked one by one: every resource, and every overlay patch applied to the
//! resource it patches (strategic merge by the usual keys, or RFC 6902 operations).
//! When `kustomize` or `kubectl` is on PATH, each overlay is also rendered and the
//! output checked with the same rules; otherwise that test says it skipped.

use serde::Deserialize as _;
use serde_norway::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The operator listener's routes that probes may use. They are served by the listener
/// in src/operator (`--operator-listen`): `GET /healthz` (alive), `GET /readyz` (can do
/// its job), and `GET /metrics`, which is for scrapes, not probes.
const PROBE_ROUTES: [&str; 2] = ["/healthz", "/readyz"];
/// The operator listener's port in the manifests and the image (`--operator-listen
/// 0.0.0.0:9090`).
const OPERATOR_PORT: i64 = 9090;
/// `--drain-timeout`'s default (src/cli.rs, `ServerLimits`).
const DEFAULT_DRAIN_SECONDS: f64 = 30.0;
/// Kubernetes' default `terminationGracePeriodSeconds`.
const DEFAULT_GRACE_SECONDS: f64 = 30.0;
/// Set for both processes whatever their defaults: the pages authenticate to the writer
/// with the token (which `storefront writer` requires), and the writer's payment courier
/// and outbox dispatcher use the cookie secret as the pages do.
const SHARED_VARIABLES: [&str; 2] = ["writer_token", "cookie_secret"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn k8s_dir() -> PathBuf {
    root().join("deploy").join("k8s")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---- spin.toml ------------------------------------------------------------------------

struct Spin {
    /// Variable name → (secret, required).
    variables: BTreeMap<String, (bool, bool)>,
    /// Component id → whether it has a SQLite database (the writer).
    components: BTreeMap<String, bool>,
}

impl Spin {
    fn load() -> Spin {
        let path = root().join("spin.toml");
        let text = fs::read_to_string(&path).expect("read spin.toml");
        let table: toml::Table = text.parse().expect("spin.toml is TOML");
        let mut variables = BTreeMap::new();
        for (name, decl) in table["variables"]
            .as_table()
            .expect("spin.toml has [variables]")
        {
            let flag = |key: &str| decl.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
            variables.insert(name.clone(), (flag("secret"), flag("required")));
        }
        let mut components = BTreeMap::new();
        for (id, decl) in table["component"]
            .as_table()
            .expect("spin.toml has [component.*]")
        {
            let databases = decl
                .get("sqlite_databases")
                .and_then(|v| v.as_array())
                .is_some_and(|a| !a.is_empty());
            components.insert(id.clone(), databases);
        }
        Spin {
            variables,
            components,
        }
    }

    fn is_secret(&self, name: &str) -> bool {
        self.variables.get(name).is_some_and(|(secret, _)| *secret)
    }

    /// What a process must set: the required variables and [`SHARED_VARIABLES`], plus
    /// `writer_url` for the pages (its default is service chaining, which only exists
    /// when pages and writer share one process).
    fn needed(&self, role: Role) -> BTreeSet<String> {
        let mut needed: BTreeSet<String> = self
            .variables
            .iter()
            .filter(|(_, (_, required))| *required)
            .map(|(name, _)| name.clone())
            .collect();
        needed.extend(SHARED_VARIABLES.iter().map(|s| s.to_string()));
        if role == Role::Pages {
            needed.insert("writer_url".into());
        }
        needed
    }
}

// ---- YAML documents ---------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Doc {
    origin: String,
    value: Value,
}

impl Doc {
    fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or("")
    }

    fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or("")
    }

    fn describe(&self) -> String {
        format!("{} {} ({})", self.kind(), self.name(), self.origin)
    }
}

/// Every non-empty document of a (multi-document) YAML text.
fn parse_docs(text: &str, origin: &str) -> Vec<Doc> {
    let mut docs = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(de)
            .unwrap_or_else(|e| panic!("{origin}: document {} is not YAML: {e}", i + 1));
        if !value.is_null() {
            docs.push(Doc {
                origin: format!("{origin}#{}", i + 1),
                value,
            });
        }
    }
    docs
}

/// An RFC 6902 patch from a kustomization's `patches` (or `patchesJson6902`).
struct JsonPatch {
    origin: String,
    target: Value,
    ops: Vec<Value>,
}

/// The files under deploy/k8s, sorted into resources and patches by the kustomizations
/// that name them.
struct Tree {
    resources: Vec<Doc>,
    merge_patches: Vec<Doc>,
    json_patches: Vec<JsonPatch>,
    /// Files that are neither kustomizations, resources nor patches, and references to
    /// files that do not exist.
    problems: Vec<String>,
    /// (kustomization file, its document).
    kustomizations: Vec<(PathBuf, Value)>,
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// The file names kustomize looks for in a folder.
const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_NAMES.contains(&n))
}

fn canonical(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

impl Tree {
    fn load() -> Tree {
        let mut files = Vec::new();
        yaml_files(&k8s_dir(), &mut files);
        assert!(
            !files.is_empty(),
            "no YAML files under {}",
            k8s_dir().display()
        );
        let mut tree = Tree {
            resources: Vec::new(),
            merge_patches: Vec::new(),
            json_patches: Vec::new(),
            problems: Vec::new(),
            kustomizations: Vec::new(),
        };
        let mut referenced = BTreeSet::new();
        let mut patch_files = BTreeSet::new();
        for file in files.iter().filter(|f| is_kustomization(f)) {
            let text = fs::read_to_string(file).expect("read kustomization");
            let origin = relative(file);
            let value = parse_docs(&text, &origin)
                .pop()
                .unwrap_or_else(|| panic!("{origin} is empty"))
                .value;
            let dir = file.parent().expect("kustomization's folder");
            for key in ["resources", "components", "bases"] {
                for entry in value[key].as_sequence().into_iter().flatten() {
                    let Some(path) = entry.as_str() else { continue };
                    if path.contains("://") {
                        tree.problems
                            .push(format!("{origin}: {key} entry {path} is remote"));
                        continue;
                    }
                    match canonical(&dir.join(path)) {
                        Some(p)
                            if p.is_dir()
                                && !KUSTOMIZATION_NAMES.iter().any(|k| p.join(k).exists()) =>
                        {
                            tree.problems.push(format!(
                                "{origin}: {key} entry {path} is a folder without a kustomization"
                            ))
                        }
                        Some(p) => {
                            referenced.insert(p);
                        }
                        None => tree
                            .problems
                            .push(format!("{origin}: {key} entry {path} does not exist")),
                    }
                }
            }
            let mut patch_entries: Vec<(Value, Value)> = Vec::new();
            for key in ["patches", "patchesJson6902"] {
                for entry in value[key].as_sequence().into_iter().flatten() {
                    patch_entries.push((entry.clone(), entry["target"].clone()));
                }
            }
            for entry in value["patchesStrategicMerge"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                let Some(s) = entry.as_str() else { continue };
                let mut m = Mapping::new();
                let key = if s.contains('\n') { "patch" } else { "path" };
                m.insert(key.into(), s.into());
                patch_entries.push((Value::Mapping(m), Value::Null));
            }
            for (i, (entry, target)) in patch_entries.into_iter().enumerate() {
                let (text, patch_origin) = if let Some(path) = entry["path"].as_str() {
                    let Some(p) = canonical(&dir.join(path)) else {
                        tree.problems
                            .push(format!("{origin}: patch {path} does not exist"));
                        continue;
                    };
                    patch_files.insert(p.clone());
                    referenced.insert(p.clone());
                    (fs::read_to_string(&p).expect("read patch"), relative(&p))
                } else if let Some(inline) = entry["patch"].as_str() {
                    (
                        inline.to_string(),
                        format!("{origin} (inline patch {})", i + 1),
                    )
                } else {
                    tree.problems.push(format!(
                        "{origin}: patch entry {} has no path or patch",
                        i + 1
                    ));
                    continue;
                };
                for doc in parse_docs(&text, &patch_origin) {
                    match &doc.value {
                        Value::Sequence(ops) => {
                            if target.is_null() {
                                tree.problems.push(format!(
                                    "{patch_origin}: an RFC 6902 patch needs a target"
                                ));
                            }
                            tree.json_patches.push(JsonPatch {
                                origin: doc.origin.clone(),
                                target: target.clone(),
                                ops: ops.clone(),
                            });
                        }
                        _ => tree.merge_patches.push(doc),
                    }
                }
            }
            if value["secretGenerator"]
                .as_sequence()
                .is_some_and(|s| !s.is_empty())
            {
                tree.problems.push(format!(
                    "{origin}: a secretGenerator puts secret values in the repository; create the Secret with kubectl (deploy/README.md)"
                ));
            }
            tree.kustomizations.push((file.clone(), value));
        }
        for file in files.iter().filter(|f| !is_kustomization(f)) {
            let Some(path) = canonical(file) else {
                continue;
            };
            if !referenced.contains(&path) {
                tree.problems.push(format!(
                    "{} is named by no kustomization (add it to resources or patches, or delete it)",
                    relative(file)
                ));
            }
            if patch_files.contains(&path) {
                continue;
            }
            let text = fs::read_to_string(file).expect("read manifest");
            tree.resources.extend(parse_docs(&text, &relative(file)));
        }
        tree
    }

    /// The resources, plus every patch applied to the resource it patches.
    fn resolved(&self) -> (Vec<Doc>, Vec<String>) {
        let mut docs = self.resources.clone();
        let mut problems = Vec::new();
        for patch in &self.merge_patches {
            if patch.value["$patch"].as_str() == Some("delete") {
                continue;
            }
            let targets: Vec<&Doc> = self
                .resources
                .iter()
                .filter(|r| r.kind() == patch.kind() && r.name() == patch.name())
                .collect();
            if targets.is_empty() {
                problems.push(format!(
                    "{}: patches {} {}, which no resource under deploy/k8s defines",
                    patch.origin,
                    patch.kind(),
                    patch.name()
                ));
            }
            for target in targets {
                let mut value = target.value.clone();
                let custom = !value["apiVersion"]
                    .as_str()
                    .is_some_and(|v| !v.contains('.') || v.contains(".k8s.io/"));
                strategic_merge(&mut value, &patch.value, custom, "");
                docs.push(Doc {
                    origin: format!("{} applied to {}", patch.origin, target.origin),
                    value,
                });
            }
        }
        for patch in &self.json_patches {
            let kind = patch.target["kind"].as_str();
            let name = patch.target["name"].as_str();
            let targets: Vec<&Doc> = self
                .resources
                .iter()
                .filter(|r| {
                    kind.is_none_or(|k| r.kind() == k) && name.is_none_or(|n| r.name() == n)
                })
                .collect();
            if targets.is_empty() {
                problems.push(format!(
                    "{}: targets {:?} {:?}, which no resource under deploy/k8s defines",
                    patch.origin, kind, name
                ));
            }
            for target in targets {
                let mut value = target.value.clone();
                for op in &patch.ops {
                    if let Err(e) = apply_json_op(&mut value, op) {
                        problems.push(format!(
                            "{}: cannot apply to {}: {e}",
                            patch.origin, target.origin
                        ));
                    }
                }
                docs.push(Doc {
                    origin: format!("{} applied to {}", patch.origin, target.origin),
                    value,
                });
            }
        }
        (docs, problems)
    }
}

/// A strategic merge patch as kustomize applies it to the fields these manifests use:
/// maps merge, `null` deletes, lists of containers/env/volumes merge by name (mounts by
/// path, ports by number), other lists are replaced. Custom resources (SpinApp) get a
/// JSON merge patch: every list is replaced.
fn strategic_merge(base: &mut Value, patch: &Value, custom: bool, field: &str) {
    match (base, patch) {
        (Value::Mapping(b), Value::Mapping(p)) => {
            for (key, pv) in p {
                if key.as_str() == Some("$patch") {
                    continue;
                }
                if pv.is_null() {
                    b.remove(key);
                    continue;
                }
                let name = key.as_str().unwrap_or("").to_string();
                match b.get_mut(key) {
                    Some(bv) => strategic_merge(bv, pv, custom, &name),
                    None => {
                        b.insert(key.clone(), pv.clone());
                    }
                }
            }
        }
        (Value::Sequence(b), Value::Sequence(p)) if !custom && merge_key(field).is_some() => {
            let key = merge_key(field).expect("merge key");
            for pe in p {
                match b.iter_mut().find(|be| be[key] == pe[key]) {
                    Some(be) => strategic_merge(be, pe, custom, ""),
                    None => b.push(pe.clone()),
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "env" | "volumes" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "ports" => Some("containerPort"),
        _ => None,
    }
}

/// One RFC 6902 operation (add, replace, remove; what kustomize overlays use).
fn apply_json_op(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op["op"].as_str().ok_or("operation without op")?;
    let path = op["path"].as_str().ok_or("operation without path")?;
    let mut tokens: Vec<String> = path
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let last = tokens.pop().ok_or_else(|| format!("{kind} of the root"))?;
    let mut parent = &mut *doc;
    for token in &tokens {
        parent = match parent {
            Value::Mapping(m) => m
                .get_mut(token.as_str())
                .ok_or_else(|| format!("{path}: no {token}"))?,
            Value::Sequence(s) => {
                let i: usize = token.parse().map_err(|_| format!("{path}: bad index"))?;
                s.get_mut(i)
                    .ok_or_else(|| format!("{path}: no index {i}"))?
            }
            _ => return Err(format!("{path}: {token} is not in a map or list")),
        };
    }
    match (kind, parent) {
        ("add" | "replace", Value::Mapping(m)) => {
            if kind == "replace" && !m.contains_key(last.as_str()) {
                return Err(format!("{path}: nothing to replace"));
            }
            m.insert(last.into(), op["value"].clone());
        }
        ("remove", Value::Mapping(m)) => {
            m.remove(last.as_str())
                .ok_or_else(|| format!("{path}: nothing to remove"))?;
        }
        ("add", Value::Sequence(s)) if last == "-" => s.push(op["value"].clone()),
        (_, Value::Sequence(s)) => {
            let i: usize = last.parse().map_err(|_| format!("{path}: bad index"))?;
            match kind {
                "add" if i <= s.len() => s.insert(i, op["value"].clone()),
                "replace" if i < s.len() => s[i] = op["value"].clone(),
                "remove" if i < s.len() => {
                    s.remove(i);
                }
                _ => return Err(format!("{path}: {kind} at index {i} of {}", s.len())),
            }
        }
        _ => return Err(format!("{path}: unsupported {kind}")),
    }
    Ok(())
}

// ---- workloads ------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// `storefront writer` or `storefront up`: owns the SQLite files.
    Owner,
    /// `storefront pages`: stateless.
    Pages,
}

fn pod_spec(doc: &Doc) -> Option<&Value> {
    let v = &doc.value;
    match doc.kind() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            Some(&v["spec"]["template"]["spec"])
        }
        "CronJob" => Some(&v["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
        "Pod" => Some(&v["spec"]),
        _ => None,
    }
}

fn pod_labels(doc: &Doc) -> &Value {
    match doc.kind() {
        "Pod" => &doc.value["metadata"]["labels"],
        "CronJob" => &doc.value["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
        _ => &doc.value["spec"]["template"]["metadata"]["labels"],
    }
}

fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers"]
        .into_iter()
        .flat_map(|k| spec[k].as_sequence().into_iter().flatten())
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .filter_map(scalar)
        .collect()
}

fn command_line(container: &Value) -> Vec<String> {
    let mut cmd = strings(&container["command"]);
    cmd.extend(strings(&container["args"]));
    cmd
}

/// What a container runs, from its command and args (an empty command is the image's
/// entrypoint, `storefront`).
fn role(container: &Value) -> Option<Role> {
    let command = strings(&container["command"]);
    let cmd = command_line(container);
    let words: Vec<&str> = if command.is_empty()
        || Path::new(&command[0]).file_name().and_then(|n| n.to_str()) == Some("storefront")
    {
        cmd.iter()
            .skip(usize::from(!command.is_empty()))
            .map(String::as_str)
            .collect()
    } else {
        // A shell line: look for the subcommand after `storefront`.
        let line = cmd.join(" ");
        let mut words = line.split_whitespace();
        let mut found = Vec::new();
        while let Some(w) = words.next() {
            if Path::new(w).file_name().and_then(|n| n.to_str()) == Some("storefront") {
                found.extend(words.by_ref());
                break;
            }
        }
        if found.is_empty() {
            return None;
        }
        return match found.iter().find(|w| !w.starts_with('-')) {
            Some(&"writer" | &"up") => Some(Role::Owner),
            Some(&"pages") => Some(Role::Pages),
            _ => None,
        };
    };
    match words.iter().find(|w| !w.starts_with('-')) {
        Some(&"writer" | &"up") => Some(Role::Owner),
        Some(&"pages") => Some(Role::Pages),
        _ => None,
    }
}

/// `--flag value` or `--flag=value`.
fn flag(cmd: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    let mut it = cmd.iter();
    while let Some(arg) = it.next() {
        if arg == name {
            return it.next().cloned();
        }
        if let Some(v) = arg.strip_prefix(&prefix) {
            return Some(v.to_string());
        }
    }
    None
}

/// `250ms`, `10s` or plain seconds, as `--drain-timeout` takes them (src/cli.rs).
fn seconds(s: &str) -> Option<f64> {
    let s = s.trim();
    let (number, unit) = match s.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => (s.strip_suffix('s').unwrap_or(s), 1.0),
    };
    number.trim().parse::<f64>().ok().map(|n| n * unit)
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_i64().map(|n| n as f64))
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

/// The pause a preStop hook adds before SIGTERM (`sleep N` or the `sleep` action).
fn pre_stop_seconds(container: &Value) -> f64 {
    let hook = &container["lifecycle"]["preStop"];
    if let Some(s) = number(&hook["sleep"]["seconds"]) {
        return s;
    }
    let cmd = strings(&hook["exec"]["command"]);
    match cmd.as_slice() {
        [sleep, n] if sleep.ends_with("sleep") => seconds(n).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The port number of `--operator-listen ADDR`, `--listen ADDR`.
fn listen_port(cmd: &[String], name: &str) -> Option<i64> {
    flag(cmd, name)?.rsplit(':').next()?.parse().ok()
}

/// A probe's port: a number, or a container port's name.
fn probe_port(container: &Value, port: &Value) -> Option<i64> {
    if let Some(n) = port.as_i64() {
        return Some(n);
    }
    let name = port.as_str()?;
    if let Ok(n) = name.parse() {
        return Some(n);
    }
    container["ports"]
        .as_sequence()?
        .iter()
        .find(|p| p["name"].as_str() == Some(name))?["containerPort"]
        .as_i64()
}

// ---- the checks -----------------------------------------------------------------------

/// Every invariant over a set of complete documents; one line per violation.
fn check(docs: &[Doc], spin: &Spin) -> Vec<String> {
    let mut failures = Vec::new();
    for doc in docs {
        if let Some(spec) = pod_spec(doc) {
            check_workload(doc, spec, docs, spin, &mut failures);
        }
        match doc.kind() {
            "SpinApp" => check_spinapp(doc, docs, spin, &mut failures),
            "Secret" => {
                for key in ["data", "stringData"] {
                    let filled = match &doc.value[key] {
                        Value::Mapping(m) => !m.is_empty(),
                        Value::Null => false,
                        _ => true,
                    };
                    if filled {
                        failures.push(format!(
                            "{}: carries `{key}`: secret values never go in the repository; create the Secret with kubectl (deploy/README.md)",
                            doc.describe()
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    failures
}

fn check_workload(doc: &Doc, spec: &Value, docs: &[Doc], spin: &Spin, failures: &mut Vec<String>) {
    let what = doc.describe();
    for container in containers(spec) {
        let cname = container["name"].as_str().unwrap_or("?");
        let cmd = command_line(container);
        let role = role(container);
        let here = format!("{what}, container {cname}");

        if role == Some(Role::Owner) {
            if doc.kind() != "StatefulSet" {
                failures.push(format!(
                    "{here}: runs `storefront {}`, which owns the SQLite files, in a {}: the writer must be a StatefulSet with replicas: 1 (a Deployment's rolling update, a DaemonSet or SpinKube starts a second writer on the same WAL before the first stops)",
                    cmd.iter().find(|w| !w.starts_with('-') && !w.ends_with("storefront")).map(String::as_str).unwrap_or("writer"),
                    doc.kind()
                ));
            } else if doc.value["spec"]["replicas"].as_i64() != Some(1) {
                failures.push(format!(
                    "{here}: the writer's StatefulSet must say replicas: 1 (found {:?}): exactly one process may own the SQLite files",
                    doc.value["spec"]["replicas"]
                ));
            }
            check_data_volume(doc, spec, container, &cmd, &here, failures);
        }

        if role.is_some() {
            // The drain must end before the SIGKILL.
            let grace =
                number(&spec["terminationGracePeriodSeconds"]).unwrap_or(DEFAULT_GRACE_SECONDS);
            let drain_arg = flag(&cmd, "--drain-timeout");
            let drain = match &drain_arg {
                Some(d) => seconds(d).unwrap_or_else(|| {
                    failures.push(format!("{here}: --drain-timeout {d:?} is not a duration"));
                    0.0
                }),
                None => DEFAULT_DRAIN_SECONDS,
            };
            let pre_stop = pre_stop_seconds(container);
            if grace <= drain + pre_stop {
                failures.push(format!(
                    "{here}: terminationGracePeriodSeconds ({grace}) must be greater than the preStop pause ({pre_stop} s) plus the drain timeout ({drain} s{}): otherwise Kubernetes SIGKILLs it mid-drain, before the WAL checkpoint",
                    if drain_arg.is_none() { ", the default of --drain-timeout" } else { "" }
                ));
            }
            for probe in ["readinessProbe", "livenessProbe"] {
                if container[probe]["httpGet"].is_null() {
                    failures.push(format!(
                        "{here}: no {probe} with httpGet on the operator listener ({OPERATOR_PORT})"
                    ));
                }
            }
            if container["envFrom"]
                .as_sequence()
                .is_some_and(|s| !s.is_empty())
            {
                failures.push(format!(
                    "{here}: envFrom hides which Spin variables are set (and may put a secret where a plain value goes): list them one by one under env"
                ));
            }
        }

        // Probes: the operator listener's routes, on its port, which the container opens.
        let mut probes_operator_port = false;
        for (probe, expected) in [
            ("readinessProbe", Some("/readyz")),
            ("livenessProbe", Some("/healthz")),
            ("startupProbe", None),
        ] {
            let get = &container[probe]["httpGet"];
            if get.is_null() {
                continue;
            }
            let path = get["path"].as_str().unwrap_or("/");
            if !PROBE_ROUTES.contains(&path) {
                failures.push(format!(
                    "{here}: {probe} GET {path}: the operator listener (src/operator) serves only {PROBE_ROUTES:?} to probes"
                ));
            } else if let Some(expected) = expected.filter(|e| *e != path) {
                failures.push(format!(
                    "{here}: {probe} must be {expected}, not {path} ({})",
                    if probe == "livenessProbe" {
                        "liveness restarts the container: a writer waiting for the lock or pages whose writer restarts are alive, only not ready"
                    } else {
                        "readiness decides who gets traffic: only /readyz knows whether this process can do its job"
                    }
                ));
            }
            match probe_port(container, &get["port"]) {
                Some(OPERATOR_PORT) => probes_operator_port = true,
                other => failures.push(format!(
                    "{here}: {probe} on port {other:?}: probes go to the operator listener, port {OPERATOR_PORT}"
                )),
            }
        }
        if probes_operator_port && listen_port(&cmd, "--operator-listen") != Some(OPERATOR_PORT) {
            failures.push(format!(
                "{here}: probes port {OPERATOR_PORT}, but its args do not open the operator listener there (--operator-listen 0.0.0.0:{OPERATOR_PORT}); found {:?}",
                flag(&cmd, "--operator-listen")
            ));
        }

        // Spin variables.
        let mut set = BTreeSet::new();
        for env in container["env"].as_sequence().into_iter().flatten() {
            let Some(name) = env["name"].as_str() else {
                continue;
            };
            let Some(var) = name.strip_prefix("SPIN_VARIABLE_") else {
                continue;
            };
            let var = var.to_ascii_lowercase();
            check_variable(&here, &var, name, env, spin, failures);
            if var == "writer_url"
                && role == Some(Role::Pages)
                && let Some(url) = env["value"].as_str()
            {
                check_writer_url(&here, url, docs, failures);
            }
            set.insert(var);
        }
        if let Some(role) = role {
            for missing in spin.needed(role).difference(&set) {
                failures.push(format!(
                    "{here}: does not set SPIN_VARIABLE_{} ({missing}), which the {} needs",
                    missing.to_ascii_uppercase(),
                    if role == Role::Pages {
                        "pages"
                    } else {
                        "writer"
                    }
                ));
            }
        }
    }
}

/// The writer's `--data-dir` is a ReadWriteOnce volume claim of its StatefulSet (not an
/// emptyDir, which is gone with the pod, nor a volume shared by several nodes).
fn check_data_volume(
    doc: &Doc,
    spec: &Value,
    container: &Value,
    cmd: &[String],
    here: &str,
    failures: &mut Vec<String>,
) {
    let Some(dir) = flag(cmd, "--data-dir") else {
        failures.push(format!(
            "{here}: the writer has no --data-dir (the default, .spin, is relative to the image's folder, not a volume)"
        ));
        return;
    };
    let mount = container["volumeMounts"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["mountPath"].as_str().is_some_and(|p| {
                let p = p.trim_end_matches('/');
                dir == p || dir.starts_with(&format!("{p}/"))
            })
        })
        .max_by_key(|m| m["mountPath"].as_str().map_or(0, str::len));
    let Some(volume) = mount.and_then(|m| m["name"].as_str()) else {
        failures.push(format!(
            "{here}: --data-dir {dir} is not on a mounted volume: the SQLite files would be lost with the pod"
        ));
        return;
    };
    let claim = doc.value["spec"]["volumeClaimTemplates"]
        .as_sequence()
        .into_iter()
        .flatten()
        .find(|t| t["metadata"]["name"].as_str() == Some(volume));
    let pod_volume = spec["volumes"]
        .as_sequence()
        .into_iter()
        .flatten()
        .find(|v| v["name"].as_str() == Some(volume));
    match (claim, pod_volume) {
        (Some(claim), _) => {
            let modes = strings(&claim["spec"]["accessModes"]);
            if modes != ["ReadWriteOnce"] && modes != ["ReadWriteOncePod"] {
                failures.push(format!(
                    "{here}: the data volume claim {volume} has accessModes {modes:?}: it must be [ReadWriteOnce] (one node, one writer)"
                ));
            }
        }
        (None, Some(v)) if !v["persistentVolumeClaim"].is_null() => {}
        _ => failures.push(format!(
            "{here}: --data-dir {dir} is on volume {volume}, which is not a persistent volume claim: the SQLite files would be lost with the pod"
        )),
    }
}

fn check_variable(
    here: &str,
    var: &str,
    shown: &str,
    entry: &Value,
    spin: &Spin,
    failures: &mut Vec<String>,
) {
    if !spin.variables.contains_key(var) {
        failures.push(format!(
            "{here}: sets {shown}, but spin.toml declares no variable {var:?} in [variables]"
        ));
    }
    if spin.is_secret(var) {
        let from_secret = &entry["valueFrom"]["secretKeyRef"];
        if !entry["value"].is_null() {
            failures.push(format!(
                "{here}: {shown} is secret (secret = true in spin.toml) but has an inline value: use valueFrom.secretKeyRef"
            ));
        } else if from_secret["name"].as_str().is_none() || from_secret["key"].as_str().is_none() {
            failures.push(format!(
                "{here}: {shown} is secret (secret = true in spin.toml): it must come from valueFrom.secretKeyRef with a name and a key"
            ));
        }
    }
}

/// The pages' `writer_url` names a Service that selects the writer's pods and forwards
/// its port to the writer's `--listen` port.
fn check_writer_url(here: &str, url: &str, docs: &[Doc], failures: &mut Vec<String>) {
    let Some(rest) = url.strip_prefix("http://") else {
        failures.push(format!(
            "{here}: writer_url {url:?} must be http://SERVICE:PORT (the writer listens on plain HTTP inside the cluster)"
        ));
        return;
    };
    let authority = rest.trim_end_matches('/');
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<i64>().ok()),
        None => (authority, Some(80)),
    };
    let service_name = host.split('.').next().unwrap_or(host);
    let Some(port) = port else {
        failures.push(format!("{here}: writer_url {url:?} has no valid port"));
        return;
    };
    let services: Vec<&Doc> = docs
        .iter()
        .filter(|d| d.kind() == "Service" && d.name() == service_name)
        .collect();
    if services.is_empty() {
        failures.push(format!(
            "{here}: writer_url {url:?} names Service {service_name}, which is not defined"
        ));
        return;
    }
    for service in services {
        let selector = &service.value["spec"]["selector"];
        let writers: Vec<(&Doc, &Value)> = docs
            .iter()
            .filter(|d| d.kind() == "StatefulSet")
            .filter(|d| {
                selector.as_mapping().is_some_and(|sel| {
                    !sel.is_empty() && sel.iter().all(|(k, v)| &pod_labels(d)[k] == v)
                })
            })
            .filter_map(|d| {
                let spec = pod_spec(d)?;
                containers(spec)
                    .find(|c| role(c) == Some(Role::Owner))
                    .map(|c| (d, c))
            })
            .collect();
        if writers.is_empty() {
            failures.push(format!(
                "{here}: writer_url {url:?}: Service {service_name} ({}) selects no writer StatefulSet's pods",
                service.origin
            ));
            continue;
        }
        let Some(service_port) = service.value["spec"]["ports"]
            .as_sequence()
            .into_iter()
            .flatten()
            .find(|p| p["port"].as_i64() == Some(port))
        else {
            failures.push(format!(
                "{here}: writer_url {url:?}: Service {service_name} ({}) has no port {port}",
                service.origin
            ));
            continue;
        };
        for (writer, container) in writers {
            let listen = listen_port(&command_line(container), "--listen");
            let target = match &service_port["targetPort"] {
                Value::Null => Some(port),
                t => probe_port(container, t),
            };
            if listen.is_none() || target != listen {
                failures.push(format!(
                    "{here}: writer_url {url:?}: Service {service_name} forwards port {port} to {target:?}, but the writer in {} listens on {listen:?}",
                    writer.describe()
                ));
            }
        }
    }
}

fn check_spinapp(doc: &Doc, docs: &[Doc], spin: &Spin, failures: &mut Vec<String>) {
    let here = doc.describe();
    let v = &doc.value["spec"];
    match v["components"].as_sequence() {
        None => failures.push(format!(
            "{here}: lists no `components`, so SpinKube would run every component of spin.toml, the writer too: list [\"pages\"] (selective deployment)"
        )),
        Some(list) if list.is_empty() => {
            failures.push(format!("{here}: `components` is empty"));
        }
        Some(list) => {
            for component in list {
                let id = component.as_str().unwrap_or("");
                match spin.components.get(id) {
                    None => failures.push(format!(
                        "{here}: component {id:?} is not in spin.toml"
                    )),
                    Some(true) => failures.push(format!(
                        "{here}: runs component {id:?}, which has a SQLite database: the writer never runs under SpinKube (its Deployments overlap old and new pods on one WAL, and the shim knows nothing of the data-dir lock)"
                    )),
                    Some(false) if id == "writer" => failures.push(format!(
                        "{here}: runs the writer component under SpinKube"
                    )),
                    Some(false) => {}
                }
            }
        }
    }
    // SpinKube probes the app's own port (80), where every path is the pages component's:
    // only the pages' own /healthz answers there (/readyz and /metrics are the storefront
    // operator listener's, which the shim does not run).
    for probe in ["readiness", "liveness"] {
        match v["checks"][probe]["httpGet"]["path"].as_str() {
            None => failures.push(format!(
                "{here}: has no {probe} check: probe GET /healthz, which the pages answer themselves"
            )),
            Some("/healthz") => {}
            Some(path) => failures.push(format!(
                "{here}: its {probe} check probes {path}, which the pages do not serve on the app port; probe /healthz"
            )),
        }
    }
    if !v["replicas"].is_null() && v["enableAutoscaling"].as_bool() == Some(true) {
        failures.push(format!(
            "{here}: sets both replicas and enableAutoscaling (the operator takes one or the other)"
        ));
    }
    let mut set = BTreeSet::new();
    for var in v["variables"].as_sequence().into_iter().flatten() {
        let Some(name) = var["name"].as_str() else {
            continue;
        };
        check_variable(&here, name, name, var, spin, failures);
        if name == "writer_url"
            && let Some(url) = var["value"].as_str()
        {
            check_writer_url(&here, url, docs, failures);
        }
        set.insert(name.to_string());
    }
    for missing in spin.needed(Role::Pages).difference(&set) {
        failures.push(format!(
            "{here}: does not set variable {missing}, which the pages need"
        ));
    }
}

fn assert_clean(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{what}: {} problem(s):\n  - {}",
        failures.len(),
        failures.join("\n  - ")
    );
}

fn owners(docs: &[Doc]) -> Vec<&Doc> {
    docs.iter()
        .filter(|d| {
            pod_spec(d).is_some_and(|s| containers(s).any(|c| role(c) == Some(Role::Owner)))
        })
        .collect()
}

fn pages(docs: &[Doc]) -> Vec<&Doc> {
    docs.iter()
        .filter(|d| {
            d.kind() == "SpinApp"
                || pod_spec(d).is_some_and(|s| containers(s).any(|c| role(c) == Some(Role::Pages)))
        })
        .collect()
}

// ---- tests ----------------------------------------------------------------------------

#[test]
fn kustomizations_name_every_file_and_only_files_that_exist() {
    let tree = Tree::load();
    assert_clean("deploy/k8s layout", &tree.problems);
    let names: BTreeSet<String> = tree
        .kustomizations
        .iter()
        .map(|(path, _)| relative(path))
        .collect();
    for expected in [
        "deploy/k8s/base/kustomization.yaml",
        "deploy/k8s/overlays/local/kustomization.yaml",
        "deploy/k8s/overlays/production/kustomization.yaml",
    ] {
        assert!(names.contains(expected), "{expected} is missing");
    }
}

#[test]
fn the_manifests_keep_the_invariants() {
    let spin = Spin::load();
    let tree = Tree::load();
    let (docs, problems) = tree.resolved();
    assert_clean("applying the overlays' patches", &problems);
    assert_clean(
        "deploy/k8s (each resource, each patch on its resource)",
        &check(&docs, &spin),
    );

    // The checks had something to check.
    let writers = owners(&tree.resources);
    assert_eq!(
        writers.len(),
        1,
        "expected exactly one writer workload among the resources, found {:?}",
        writers.iter().map(|d| d.describe()).collect::<Vec<_>>()
    );
    assert_eq!(writers[0].kind(), "StatefulSet");
    let pages = pages(&tree.resources);
    assert!(
        pages.iter().any(|d| d.kind() == "Deployment")
            && pages.iter().any(|d| d.kind() == "SpinApp"),
        "expected the pages as a Deployment and as a SpinApp, found {:?}",
        pages.iter().map(|d| d.describe()).collect::<Vec<_>>()
    );
    assert!(
        docs.iter()
            .any(|d| d.origin.contains("overlays/") && d.kind() == "StatefulSet"),
        "expected an overlay patch on the writer's StatefulSet"
    );
    assert!(
        tree.resources
            .iter()
            .any(|d| d.kind() == "PodDisruptionBudget"
                && d.value["spec"]["maxUnavailable"].as_i64() == Some(0)
                && d.value["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
                    .as_str()
                    == Some("writer")),
        "expected a PodDisruptionBudget with maxUnavailable: 0 for the writer"
    );
    assert!(
        tree.resources.iter().any(|d| d.kind() == "NetworkPolicy"
            && d.value["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
                .as_str()
                == Some("writer")),
        "expected a NetworkPolicy for the writer"
    );
}

#[test]
fn the_containerfile_builds_in_stages_and_runs_unprivileged_with_a_data_volume() {
    let path = root().join("deploy").join("Containerfile");
    let text = fs::read_to_string(&path).expect("read deploy/Containerfile");
    // Instructions, with continuation lines joined and comments dropped.
    let mut instructions: Vec<(String, String)> = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                pending.push_str(part);
                pending.push(' ');
            }
            None => {
                pending.push_str(trimmed);
                let full = std::mem::take(&mut pending);
                let (word, rest) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
                instructions.push((word.to_ascii_uppercase(), rest.trim().to_string()));
            }
        }
    }
    let froms = instructions.iter().filter(|(w, _)| w == "FROM").count();
    assert!(
        froms >= 2,
        "deploy/Containerfile has {froms} FROM stage(s): build the binaries in one stage, ship only them in another"
    );
    let last_from = instructions
        .iter()
        .rposition(|(w, _)| w == "FROM")
        .expect("FROM");
    let runtime = &instructions[last_from..];
    let user = runtime
        .iter()
        .rev()
        .find(|(w, _)| w == "USER")
        .map(|(_, u)| u.clone());
    let user =
        user.expect("deploy/Containerfile's runtime stage has no USER: it would run as root");
    let name = user.split(':').next().unwrap_or("");
    assert!(
        !matches!(name, "root" | "0" | ""),
        "deploy/Containerfile's runtime stage runs as {user:?}: use a non-root uid (the manifests say 10001)"
    );
    let volumes: Vec<String> = runtime
        .iter()
        .filter(|(w, _)| w == "VOLUME")
        .flat_map(|(_, v)| {
            v.trim_matches(|c| c == '[' || c == ']')
                .split([',', ' '])
                .map(|s| s.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    let cmd = runtime
        .iter()
        .rev()
        .find(|(w, _)| w == "CMD")
        .map(|(_, c)| c.clone())
        .expect("deploy/Containerfile has no CMD");
    let cmd: Vec<String> = serde_json::from_str(&cmd)
        .unwrap_or_else(|e| panic!("CMD {cmd} is not the JSON (exec) form: {e}"));
    let data_dir = flag(&cmd, "--data-dir").expect("the default CMD names --data-dir");
    assert!(
        volumes.contains(&"/data".to_string()) && volumes.contains(&data_dir),
        "deploy/Containerfile declares VOLUME {volumes:?}: it must declare the data dir /data (the default CMD's --data-dir is {data_dir})"
    );
    assert!(
        text.contains("rustup target add wasm32-wasip2"),
        "deploy/Containerfile must add the wasm32-wasip2 target (rustup adds rust-toolchain.toml's targets only when it installs the toolchain)"
    );
}

/// Renders each overlay with kustomize (or `kubectl kustomize`) when one is installed
/// and checks the output with the same rules.
#[test]
fn the_overlays_render_and_keep_the_invariants() {
    let on_path = |name: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    };
    let render: Box<dyn Fn(&Path) -> Command> = if let Some(kustomize) = on_path("kustomize") {
        Box::new(move |dir| {
            let mut c = Command::new(&kustomize);
            c.arg("build").arg(dir);
            c
        })
    } else if let Some(kubectl) = on_path("kubectl") {
        Box::new(move |dir| {
            let mut c = Command::new(&kubectl);
            c.arg("kustomize").arg(dir);
            c
        })
    } else {
        println!("deploy_manifests: rendering skipped, neither kustomize nor kubectl is on PATH");
        return;
    };
    let spin = Spin::load();
    let overlays = k8s_dir().join("overlays");
    let mut dirs: Vec<PathBuf> = fs::read_dir(&overlays)
        .expect("read deploy/k8s/overlays")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("kustomization.yaml").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no overlays under {}", overlays.display());
    for dir in dirs {
        let name = relative(&dir);
        let output = render(&dir).output().expect("run kustomize");
        assert!(
            output.status.success(),
            "rendering {name} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).expect("kustomize output is UTF-8");
        let docs = parse_docs(&text, &format!("rendered {name}"));
        assert_clean(&format!("rendered {name}"), &check(&docs, &spin));
        let writers = owners(&docs);
        assert_eq!(
            writers.len(),
            1,
            "rendered {name}: expected exactly one writer workload, found {:?}",
            writers.iter().map(|d| d.describe()).collect::<Vec<_>>()
        );
        let pages = pages(&docs);
        assert_eq!(
            pages.len(),
            1,
            "rendered {name}: expected the pages once (a Deployment or a SpinApp), found {:?}",
            pages.iter().map(|d| d.describe()).collect::<Vec<_>>()
        );
        println!(
            "deploy_manifests: {name} renders {} documents, all checks pass",
            docs.len()
        );
    }
}

/// The checks are not vacuous: each mistake they exist for is reported.
#[test]
fn the_checks_catch_each_mistake() {
    let spin = Spin::load();
    let env = r#"          env:
            - name: SPIN_VARIABLE_WRITER_TOKEN
              valueFrom: {secretKeyRef: {name: s, key: writer-token}}
            - name: SPIN_VARIABLE_COOKIE_SECRET
              valueFrom: {secretKeyRef: {name: s, key: cookie-secret}}
          readinessProbe: {httpGet: {path: /readyz, port: 9090}}
          livenessProbe: {httpGet: {path: /healthz, port: 9090}}"#;
    let writer = |kind: &str, extra_args: &str, grace: u32| {
        format!(
            r#"
apiVersion: apps/v1
kind: {kind}
metadata: {{name: w}}
spec:
  replicas: 1
  template:
    spec:
      terminationGracePeriodSeconds: {grace}
      containers:
        - name: writer
          args: [writer, --data-dir, /data, --operator-listen, "0.0.0.0:9090"{extra_args}]
          volumeMounts: [{{name: data, mountPath: /data}}]
{env}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec: {{accessModes: [ReadWriteOnce]}}
"#
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("a correct writer", writer("StatefulSet", "", 60), ""),
        ("a writer Deployment", writer("Deployment", "", 60), "must be a StatefulSet"),
        ("a writer DaemonSet", writer("DaemonSet", "", 60), "must be a StatefulSet"),
        (
            "two writers",
            writer("StatefulSet", "", 60).replace("replicas: 1", "replicas: 2"),
            "replicas: 1",
        ),
        ("a grace period equal to the default drain", writer("StatefulSet", "", 30), "terminationGracePeriodSeconds (30)"),
        ("a drain longer than the grace period", writer("StatefulSet", ", --drain-timeout=90s", 60), "drain timeout (90 s)"),
        (
            "an emptyDir data dir",
            writer("StatefulSet", "", 60).replace("volumeClaimTemplates:\n    - metadata: {name: data}", "volumeClaimTemplates:\n    - metadata: {name: other}"),
            "not a persistent volume claim",
        ),
        (
            "a shared data volume",
            writer("StatefulSet", "", 60).replace("[ReadWriteOnce]", "[ReadWriteMany]"),
            "must be [ReadWriteOnce]",
        ),
        (
            "a probe on a route the listener lacks",
            writer("StatefulSet", "", 60).replace("/readyz, port: 9090", "/health, port: 9090"),
            "serves only",
        ),
        (
            "a probe on the writer's port",
            writer("StatefulSet", "", 60).replace("/healthz, port: 9090", "/healthz, port: 8081"),
            "port Some(8081)",
        ),
        (
            "liveness on /readyz",
            writer("StatefulSet", "", 60).replace("/healthz, port: 9090", "/readyz, port: 9090"),
            "livenessProbe must be /healthz",
        ),
        (
            "probes without the operator listener",
            writer("StatefulSet", "", 60).replace(", --operator-listen, \"0.0.0.0:9090\"", ""),
            "do not open the operator listener",
        ),
        (
            "an inline secret",
            writer("StatefulSet", "", 60).replace(
                "valueFrom: {secretKeyRef: {name: s, key: cookie-secret}}",
                "value: hunter2hunter2hunter2hunter2hunter2",
            ),
            "has an inline value",
        ),
        (
            "an undeclared variable",
            writer("StatefulSet", "", 60)
                .replace("          readinessProbe", "            - {name: SPIN_VARIABLE_NO_SUCH_THING, value: x}\n          readinessProbe"),
            "declares no variable \"no_such_thing\"",
        ),
        (
            "a writer without the cookie secret",
            writer("StatefulSet", "", 60).replace(
                "            - name: SPIN_VARIABLE_COOKIE_SECRET\n              valueFrom: {secretKeyRef: {name: s, key: cookie-secret}}\n",
                "",
            ),
            "does not set SPIN_VARIABLE_COOKIE_SECRET",
        ),
        (
            "a Secret with values",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {writer-token: abc}\n".into(),
            "carries `stringData`",
        ),
        (
            "a SpinApp of every component",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x}\n".into(),
            "lists no `components`",
        ),
        (
            "a SpinApp with the writer",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x, components: [pages, writer]}\n".into(),
            "has a SQLite database",
        ),
        (
            "a SpinApp probing the operator listener's path",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x, components: [pages], checks: {readiness: {httpGet: {path: /readyz}}, liveness: {httpGet: {path: /healthz}}}}\n".into(),
            "its readiness check probes /readyz",
        ),
        (
            "a SpinApp without checks",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x, components: [pages]}\n".into(),
            "has no liveness check",
        ),
        (
            "a SpinApp secret as a value",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x, components: [pages], variables: [{name: admin_token, value: t}]}\n".into(),
            "admin_token is secret",
        ),
        (
            "pages pointed at a missing Service",
            "apiVersion: core.spinkube.dev/v1alpha1\nkind: SpinApp\nmetadata: {name: p}\nspec: {image: x, components: [pages], variables: [{name: writer_url, value: \"http://nowhere:8081\"}]}\n".into(),
            "names Service nowhere, which is not defined",
        ),
    ];
    for (what, yaml, expected) in cases {
        let docs = parse_docs(&yaml, what);
        let failures = check(&docs, &spin);
        if expected.is_empty() {
            assert_clean(what, &failures);
        } else {
            assert!(
                failures.iter().any(|f| f.contains(expected)),
                "{what}: expected a failure containing {expected:?}, got {failures:#?}"
            );
        }
    }

    // A patch is checked on the resource it patches.
    let base = parse_docs(&writer("StatefulSet", "", 60), "base");
    let patch = parse_docs(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: w}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: 20\n",
        "patch",
    );
    let tree = Tree {
        resources: base,
        merge_patches: patch,
        json_patches: vec![JsonPatch {
            origin: "json".into(),
            target: parse_docs("{kind: StatefulSet, name: w}", "t")
                .remove(0)
                .value,
            ops: parse_docs("[{op: replace, path: /spec/replicas, value: 3}]", "ops")
                .remove(0)
                .value
                .as_sequence()
                .expect("ops")
                .clone(),
        }],
        problems: Vec::new(),
        kustomizations: Vec::new(),
    };
    let (docs, problems) = tree.resolved();
    assert_clean("patches", &problems);
    let failures = check(&docs, &spin);
    assert!(
        failures.iter().any(
            |f| f.starts_with("StatefulSet w (patch#1 applied to base#1)")
                && f.contains("terminationGracePeriodSeconds (20)")
        ),
        "a patch shortening the grace period is caught: {failures:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with("StatefulSet w (json applied to base#1)")
                && f.contains("replicas: 1")),
        "an RFC 6902 patch scaling the writer is caught: {failures:#?}"
    );
}

#[test]
fn the_writer_reads_the_replica_bucket_by_reference() {
    let tree = Tree::load();
    let (docs, problems) = tree.resolved();
    assert_clean("applying the overlays' patches", &problems);
    let writers = owners(&tree.resources);
    let spec = pod_spec(writers[0]).expect("the writer's pod spec");
    let env: Vec<&Value> = containers(spec)
        .flat_map(|c| c["env"].as_sequence().into_iter().flatten())
        .collect();
    let entry = |name: &str| {
        *env.iter()
            .find(|e| e["name"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("the writer has no {name} entry"))
    };
    for (name, key) in [
        ("STOREFRONT_REPLICATE_TO", "replicate-to"),
        ("STOREFRONT_REPLICATE_MODE", "replicate-mode"),
    ] {
        let from = &entry(name)["valueFrom"]["configMapKeyRef"];
        assert_eq!(from["name"].as_str(), Some("storefront-config"), "{name}");
        assert_eq!(from["key"].as_str(), Some(key), "{name}");
    }
    for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
        let e = entry(name);
        assert!(e["value"].is_null(), "{name} has an inline value");
        let from = &e["valueFrom"]["secretKeyRef"];
        assert_eq!(
            from["name"].as_str(),
            Some("storefront-replica-bucket"),
            "{name}"
        );
    }
    // No workload anywhere carries the bucket's secret inline.
    for doc in &docs {
        if let Some(spec) = pod_spec(doc) {
            for c in containers(spec) {
                for e in c["env"].as_sequence().into_iter().flatten() {
                    if e["name"].as_str() == Some("AWS_SECRET_ACCESS_KEY") {
                        assert!(e["value"].is_null(), "{}: inline secret", doc.describe());
                    }
                }
            }
        }
    }
    // Production ships every commit to a bucket, synchronously.
    let production =
        fs::read_to_string(k8s_dir().join("overlays/production/kustomization.yaml")).unwrap();
    assert!(production.contains("- replicate-to=s3://"), "{production}");
    assert!(production.contains("- replicate-mode=sync"), "{production}");
}
