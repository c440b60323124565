//! The component's Spin variables, read once per request: the writer's address and
//! token, `cookie_secret`, and the payment settings (`payment_mode`, the Stripe keys,
//! `stripe_webhook_secret`, `admin_token`).

use crate::signing::Key;
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
    /// Empty disables the admin routes (they answer 404).
    pub admin_token: String,
}

impl Config {
    /// Reads the variables; the error is a sentence for the operator (shown on a 500 page).
    pub fn load() -> Result<Config, String> {
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
            courier: spin_sdk::variables::get("role").is_ok_and(|r| r.trim() == "courier"),
            dispatcher: spin_sdk::variables::get("role").is_ok_and(|r| r.trim() == "dispatcher"),
        })
    }
}
