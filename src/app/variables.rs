//! Spin application variables: resolution of `[variables]` (defaults, then
//! `SPIN_VARIABLE_<NAME>` environment variables, then explicit overrides) and the
//! `{{ name }}` templates that component variables and `allowed_outbound_hosts` use.

use crate::app::manifest::Manifest;
use anyhow::{Result, bail};
use std::collections::BTreeMap;

/// Resolved application variables.
#[derive(Debug, Clone, Default)]
pub struct AppVariables {
    values: BTreeMap<String, String>,
    missing: Vec<String>,
}

/// The environment variable that sets application variable `name`.
pub fn env_key(name: &str) -> String {
    format!("SPIN_VARIABLE_{}", name.to_ascii_uppercase())
}

impl AppVariables {
    /// Resolves every declared variable. `env` yields `(key, value)` pairs such as
    /// `std::env::vars()`; `overrides` win over everything (used for local dev secrets).
    /// A required variable without a value is an error only when a loaded component
    /// uses it (see [`AppVariables::render`]), so the standalone writer does not need
    /// the pages' secrets.
    pub fn resolve(
        manifest: &Manifest,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &BTreeMap<String, String>,
    ) -> AppVariables {
        let env: BTreeMap<String, String> = env.into_iter().collect();
        let mut values = BTreeMap::new();
        let mut missing = Vec::new();
        for (name, decl) in &manifest.variables {
            let value = overrides
                .get(name)
                .or_else(|| env.get(&env_key(name)))
                .or(decl.default.as_ref());
            match value {
                Some(v) => {
                    values.insert(name.clone(), v.clone());
                }
                None => missing.push(name.clone()),
            }
        }
        AppVariables { values, missing }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Required variables that have no value.
    #[cfg(test)]
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// Expands `{{ name }}` occurrences; an unknown name is an error.
    pub fn render(&self, template: &str) -> Result<String> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                bail!("unclosed '{{{{' in template {template:?}");
            };
            let name = after[..end].trim();
            match self.values.get(name) {
                Some(v) => out.push_str(v),
                None if self.missing.iter().any(|m| m == name) => bail!(
                    "variable {name:?} is required but not set: set {}",
                    env_key(name)
                ),
                None => bail!("template {template:?} names unknown variable {name:?}"),
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn manifest() -> Manifest {
        Manifest::parse(
            r#"spin_manifest_version = 2
[application]
name = "t"
[variables]
url = { default = "http://a" }
secret = { required = true, secret = true }
[[trigger.http]]
route = "/..."
component = "c"
[component.c]
source = "c.wasm"
"#,
            PathBuf::new(),
        )
        .unwrap()
    }

    #[test]
    fn env_overrides_default_and_required_must_be_set() {
        let m = manifest();
        let unset = AppVariables::resolve(&m, vec![], &BTreeMap::new());
        assert_eq!(unset.missing(), ["secret".to_string()]);
        let err = unset.render("{{ secret }}").unwrap_err().to_string();
        assert!(err.contains("SPIN_VARIABLE_SECRET"), "{err}");
        let env = vec![
            ("SPIN_VARIABLE_SECRET".to_string(), "s3".to_string()),
            ("SPIN_VARIABLE_URL".to_string(), "http://b".to_string()),
        ];
        let v = AppVariables::resolve(&m, env, &BTreeMap::new());
        assert_eq!(v.get("url"), Some("http://b"));
        assert_eq!(v.render("x{{ url }}/{{secret}}y").unwrap(), "xhttp://b/s3y");
        assert!(v.render("{{ nope }}").is_err());
        assert!(v.render("{{ url").is_err());
    }
}
