//! The component's Spin variables: the writer's address and token, `cookie_secret`, and
//! the payment settings (`payment_mode`, the Stripe keys, `stripe_webhook_secret`,
//! `admin_token`). Read on an instance's first request and kept for its life
//! ([`Config::current`]).

use crate::security::signing::Key;
use std::sync::OnceLock;
pub use storefront_domain::payments::PaymentMode;

pub struct Config {
    /// Base URL of the writer, without a trailing slash.
    pub writer_url: String,
    /// Sent as `Authorization: Bearer …` when non-empty.
    pub writer_token: String,
    pub key: Key,
    pub payments: PaymentSettings,
    /// The header a proxy in front names the client's address in (`client_ip_header`);
    /// empty: the connection's peer (see `client`).
    pub client_ip_header: String,
    /// `role = "courier"`: this instance is the payment courier (`payments::courier`),
    /// not the shop. Only the courier component of `spin.toml` declares the variable.
    pub courier: bool,
    /// `role = "dispatcher"`: this instance is the outbox's dispatcher
    /// (`outbox`), not the shop. Only the dispatcher component declares it so.
    pub dispatcher: bool,
    /// The shop's public address (`shop_url`, e.g. `https://shop.example`, without a
    /// trailing slash): every absolute link the pages write (canonical, Open Graph) starts
    /// with it, never with the request's `Host`. Empty for a component that does not
    /// declare it (the payment courier): its links stay relative.
    pub shop_url: String,
}

/// The payment variables. Empty secrets are allowed here: the shop still sells, and
/// the payment routes answer "not configured" (see `payments`).
pub struct PaymentSettings {
    pub mode: PaymentMode,
    /// Without a trailing slash.
    pub stripe_api_base: String,
    pub stripe_secret_key: String,
    pub stripe_publishable_key: String,
    pub stripe_webhook_secret: String,
    /// Empty disables the owner's JSON API (its routes answer 404).
    pub admin_token: String,
}

impl Config {
    /// The variables, read by the instance's first request and kept: they do not change
    /// while the app runs, and a host that keeps instances between requests (storefront
    /// does; Spin does for `wasi:http` 0.3) then spares every later request thirteen
    /// host calls and the cookie key's derivation. A failed read is not kept: the next
    /// request reads again.
    pub fn current() -> Result<&'static Config, String> {
        static CURRENT: OnceLock<Config> = OnceLock::new();
        if let Some(config) = CURRENT.get() {
            return Ok(config);
        }
        let config = Config::load()?;
        Ok(CURRENT.get_or_init(|| config))
    }

    /// Reads the variables; the error is a sentence for the operator (shown on a 500 page).
    fn load() -> Result<Config, String> {
        let get = |name: &str| {
            spin_sdk::variables::get(name).map_err(|e| format!("variable {name}: {e}"))
        };
        let writer_url = get("writer_url")?.trim().trim_end_matches('/').to_string();
        if writer_url.is_empty() {
            return Err("variable writer_url is empty".into());
        }
        let payments = PaymentSettings {
            mode: PaymentMode::parse(&get("payment_mode")?)?,
            stripe_api_base: get("stripe_api_base")?
                .trim()
                .trim_end_matches('/')
                .to_string(),
            stripe_secret_key: get("stripe_secret_key")?.trim().to_string(),
            stripe_publishable_key: get("stripe_publishable_key")?.trim().to_string(),
            stripe_webhook_secret: get("stripe_webhook_secret")?.trim().to_string(),
            admin_token: get("admin_token")?.trim().to_string(),
        };
        Ok(Config {
            writer_url,
            writer_token: get("writer_token")?.trim().to_string(),
            key: Key::new(&get("cookie_secret")?)?,
            payments,
            client_ip_header: get("client_ip_header")?.trim().to_ascii_lowercase(),
            shop_url: match spin_sdk::variables::get("shop_url") {
                Ok(url) => shop_url(&url)?,
                Err(_) => String::new(),
            },
            courier: spin_sdk::variables::get("role").is_ok_and(|r| r.trim() == "courier"),
            dispatcher: spin_sdk::variables::get("role").is_ok_and(|r| r.trim() == "dispatcher"),
        })
    }
}

/// `value` as an origin for absolute links: `http(s)://host[:port]`, trimmed, without a
/// trailing slash; anything else (a path, a query, markup) is a configuration error.
pub fn shop_url(value: &str) -> Result<String, String> {
    let url = value.trim().trim_end_matches('/');
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if host_ok {
        Ok(url.to_string())
    } else {
        Err(format!(
            "variable shop_url is {value:?}; it must be the shop's public origin, like \
             \"https://shop.example\""
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shop_urls_are_origins() {
        let ok = |v: &str| super::shop_url(v).unwrap();
        assert_eq!(ok("https://shop.example/"), "https://shop.example");
        assert_eq!(ok(" http://127.0.0.1:3000 "), "http://127.0.0.1:3000");
        assert_eq!(ok("http://[::1]:3000"), "http://[::1]:3000");
        for bad in [
            "",
            "shop.example",
            "https://",
            "https://shop.example/path",
            "https://shop.example?x",
            "javascript://x",
            "https://a\"b",
        ] {
            assert!(super::shop_url(bad).is_err(), "{bad}");
        }
    }
}
