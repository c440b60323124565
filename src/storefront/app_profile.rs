//! What the host knows about the storefront app beyond Spin's manifest, in one place.
//! The generic host decides what runs where from the manifest alone
//! ([`Manifest::owner_side`]); this module adds, for the storefront app only:
//!
//! - which component the host's own calls go to: the one component with
//!   `sqlite_databases` (the writer), whatever its id;
//! - which owner-side components the host runs on timers, by their `role` variable:
//!   `courier` (the payment courier) and `dispatcher` (the outbox dispatcher);
//! - the start-up rules: no test-mode payments in production processes, an explicit
//!   `shop_url` (the origin of every emailed link) for them, a writer token of 16+ characters
//!   for a standalone writer, and the local test-mode defaults of `up`.
//!
//! A manifest without a `writer_token` variable is not the storefront app: it runs as a
//! plain Spin app, and none of this applies.

use crate::app::manifest::Manifest;
use crate::app::variables::{AppVariables, env_key};
use crate::storefront::{first_run, local_secrets};
use anyhow::{Result, bail};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use storefront_domain::payments::{MODE_TEST, PaymentMode, accepts_test_payments};

/// The variable that marks the storefront app (the pages and the writer share it).
const MARKER: &str = "writer_token";
/// Shortest writer token a standalone writer accepts.
const MIN_WRITER_TOKEN: usize = 16;

/// The storefront app's components, by what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storefront {
    /// The component with the database.
    pub writer: String,
    /// The owner-side component whose `role` is `courier`, if any.
    pub courier: Option<String>,
    /// The owner-side component whose `role` is `dispatcher`, if any.
    pub dispatcher: Option<String>,
}

impl Storefront {
    /// The storefront app's roles, `None` for another Spin app.
    pub fn of(manifest: &Manifest) -> Result<Option<Storefront>> {
        if !manifest.variables.contains_key(MARKER) {
            return Ok(None);
        }
        let databases = manifest.database_components();
        let [writer] = databases.as_slice() else {
            bail!(
                "the storefront app needs exactly one component with sqlite_databases (its \
                 writer); {} declares {}",
                manifest.name,
                databases.len()
            );
        };
        let owner_side = manifest.owner_side();
        let by_role = |role: &str| {
            manifest
                .components
                .values()
                .find(|c| {
                    owner_side.contains(&c.id.as_str())
                        && c.variables.get("role").map(|r| r.trim()) == Some(role)
                })
                .map(|c| c.id.clone())
        };
        Ok(Some(Storefront {
            writer: writer.to_string(),
            courier: by_role("courier"),
            dispatcher: by_role("dispatcher"),
        }))
    }

    /// Why an owner-side component that cannot run in this process is missed.
    pub fn missing_side_effect(&self, id: &str) -> &'static str {
        if self.courier.as_deref() == Some(id) {
            "orders whose payment may still succeed stay reserved instead of being \
             cancelled, and money for cancelled orders is not refunded until it runs"
        } else if self.dispatcher.as_deref() == Some(id) {
            "emails and webhooks wait in the outbox until it runs"
        } else {
            "its work waits until it runs"
        }
    }
}

/// The rules for a production process (`storefront writer`, `storefront pages`).
pub fn production_checks(
    vars: &AppVariables,
    env: &BTreeMap<String, String>,
    standalone_writer: bool,
) -> Result<()> {
    refuse_test_payments(vars)?;
    require_shop_url(env)?;
    if standalone_writer && vars.get(MARKER).unwrap_or_default().len() < MIN_WRITER_TOKEN {
        bail!(
            "the standalone writer needs a shared token: set {} to a random secret of at \
             least {MIN_WRITER_TOKEN} characters, and give the pages the same value",
            env_key(MARKER)
        );
    }
    Ok(())
}

/// Production processes link to the shop only where the operator said it is: the
/// manifest's default (`http://127.0.0.1:3000`, right for `up` alone) would put a
/// loopback address into every order email, so `shop_url` must be set, and be an
/// `http(s)` origin with a host, before a production process starts.
fn require_shop_url(env: &BTreeMap<String, String>) -> Result<()> {
    let key = env_key("shop_url");
    let value = env.get(&key).map(|v| v.trim()).unwrap_or_default();
    if value.is_empty() {
        bail!(
            "set {key} to the shop's public origin (like https://shop.example): every link \
             in the emails is built from it"
        );
    }
    let origin = url::Url::parse(value).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.host().is_some()
            && u.path() == "/"
            && u.query().is_none()
            && u.fragment().is_none()
            && u.username().is_empty()
    });
    if origin.is_none() {
        bail!("{key} is {value:?}; it must be the shop's public origin, like https://shop.example");
    }
    Ok(())
}

/// Production processes never run the test-mode provider: the pages must not offer
/// it and the writer must not accept its events. The variables are read exactly as the
/// components read them (`PaymentMode::parse` trims and ignores case), so no spelling
/// such as `Test` or `" test"` slips past; a `payment_mode` the pages would refuse is
/// refused here too, at start rather than on every request.
fn refuse_test_payments(vars: &AppVariables) -> Result<()> {
    let mode = match vars.get("payment_mode") {
        Some(value) => PaymentMode::parse(value).map_err(|e| anyhow::anyhow!(e))?,
        None => PaymentMode::Stripe,
    };
    let accepts_test = vars
        .get("accept_test_payments")
        .is_some_and(accepts_test_payments);
    if mode == PaymentMode::Test || accepts_test {
        bail!(
            "test-mode payments are for local `storefront up` only; unset {} and {}",
            env_key("payment_mode"),
            env_key("accept_test_payments")
        );
    }
    Ok(())
}

/// Local all-in-one defaults (`storefront up`): generated secrets for any app, and for
/// the storefront app the setup token and, when no Stripe key is configured, the
/// test-mode payment provider.
pub fn local_overrides(
    manifest: &Manifest,
    storefront: Option<&Storefront>,
    data_dir: &Path,
    env: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    if storefront.is_none() {
        return local_secrets::fill_missing(manifest, data_dir, env, &[]);
    }
    let stripe_configured = env
        .get(&env_key("stripe_secret_key"))
        .is_some_and(|k| !k.is_empty());
    if stripe_configured || !manifest.variables.contains_key("payment_mode") {
        return local_secrets::fill_missing(manifest, data_dir, env, &[first_run::SETUP_TOKEN]);
    }
    let mut overrides = local_secrets::fill_missing(
        manifest,
        data_dir,
        env,
        &["stripe_webhook_secret", first_run::SETUP_TOKEN],
    )?;
    overrides.insert("payment_mode".into(), MODE_TEST.into());
    overrides.insert("accept_test_payments".into(), "true".into());
    tracing::warn!(
        "payments in TEST MODE (no real money); set {} to use Stripe",
        env_key("stripe_secret_key")
    );
    Ok(overrides)
}

/// The shop's public address under `storefront up` when `shop_url` is not set: the address
/// it listens on (an unspecified one, `0.0.0.0` or `::`, as the loopback address), so the
/// links in emails and the canonical links lead back to this very shop.
pub fn local_shop_url(env: &BTreeMap<String, String>, listening: SocketAddr) -> Option<String> {
    if env.contains_key(&env_key("shop_url")) {
        return None;
    }
    let ip = match listening.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Some(format!("http://{}", SocketAddr::new(ip, listening.port())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn up_links_to_the_address_it_listens_on_unless_told_otherwise() {
        let listening = |a: &str| a.parse::<SocketAddr>().unwrap();
        let none = BTreeMap::new();
        assert_eq!(
            local_shop_url(&none, listening("127.0.0.1:4300")).as_deref(),
            Some("http://127.0.0.1:4300")
        );
        assert_eq!(
            local_shop_url(&none, listening("0.0.0.0:3000")).as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            local_shop_url(&none, listening("[::]:3000")).as_deref(),
            Some("http://[::1]:3000")
        );
        let set = BTreeMap::from([(env_key("shop_url"), "https://shop.example".to_string())]);
        assert_eq!(local_shop_url(&set, listening("127.0.0.1:4300")), None);
    }

    #[test]
    fn production_processes_need_the_shops_public_origin() {
        let with = |v: &str| BTreeMap::from([(env_key("shop_url"), v.to_string())]);
        assert!(require_shop_url(&BTreeMap::new()).is_err());
        assert!(require_shop_url(&with("  ")).is_err());
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/a?b",
            "https://u@x.example",
        ] {
            assert!(require_shop_url(&with(bad)).is_err(), "{bad}");
        }
        for good in [
            "https://shop.example",
            "https://shop.example/",
            "http://10.0.0.5:8080",
        ] {
            assert!(require_shop_url(&with(good)).is_ok(), "{good}");
        }
    }

    #[test]
    fn the_roles_come_from_the_manifest_not_the_ids() {
        let text = include_str!("../../spin.toml");
        let m = Manifest::parse(text, PathBuf::from("/app")).unwrap();
        let s = Storefront::of(&m).unwrap().unwrap();
        assert_eq!(s.writer, "writer");
        assert_eq!(s.courier.as_deref(), Some("payment-courier"));
        assert_eq!(s.dispatcher.as_deref(), Some("outbox-dispatcher"));
        let renamed = text
            .replace("component.writer", "component.ledger")
            .replace("component = \"writer\"", "component = \"ledger\"")
            .replace("writer.spin.internal", "ledger.spin.internal")
            .replace("payment-courier", "money-runner");
        let m = Manifest::parse(&renamed, PathBuf::from("/app")).unwrap();
        let s = Storefront::of(&m).unwrap().unwrap();
        assert_eq!(s.writer, "ledger");
        assert_eq!(s.courier.as_deref(), Some("money-runner"));
        // Another Spin app is not the storefront.
        let other = "spin_manifest_version = 2\n[application]\nname = \"x\"\n\
                     [[trigger.http]]\nroute = \"/...\"\ncomponent = \"a\"\n\
                     [component.a]\nsource = \"a.wasm\"\nsqlite_databases = [\"default\"]\n";
        let m = Manifest::parse(other, PathBuf::new()).unwrap();
        assert_eq!(Storefront::of(&m).unwrap(), None);
    }
}
