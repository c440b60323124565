//! The component's Spin variables, read once per request: the writer's address and
//! token, `cookie_secret`, and the payment settings (`payment_mode`, the Stripe keys,
//! `stripe_webhook_secret`, `admin_token`).

use crate::signing::Key;
use storefront_domain::payments::{MODE_STRIPE, MODE_TEST};

pub struct Config {
    /// Base URL of the writer, without a trailing slash.
    pub writer_url: String,
    /// Sent as `Authorization: Bearer …` when non-empty.
    pub writer_token: String,
    pub key: Key,
    pub payments: PaymentSettings,
}

/// Which provider takes the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMode {
    /// Stripe's API at `stripe_api_base`.
    Stripe,
    /// The local test-mode provider: no network, no real money.
    Test,
}

impl PaymentMode {
    /// An unknown value is an error rather than a fallback: guessing the wrong provider
    /// for money is worse than a loud misconfiguration page.
    pub fn parse(value: &str) -> Result<PaymentMode, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            MODE_STRIPE => Ok(PaymentMode::Stripe),
            MODE_TEST => Ok(PaymentMode::Test),
            other => Err(format!(
                "variable payment_mode is {other:?}; it must be {MODE_STRIPE:?} or {MODE_TEST:?}"
            )),
        }
    }
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_modes() {
        assert_eq!(PaymentMode::parse("stripe"), Ok(PaymentMode::Stripe));
        assert_eq!(PaymentMode::parse(" Test "), Ok(PaymentMode::Test));
        for bad in ["", "live", "stripe-test"] {
            assert!(PaymentMode::parse(bad).is_err(), "{bad:?}");
        }
    }
}
