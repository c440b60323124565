//! What a checkout `POST` leaves for the `GET /checkout` it redirects to: what was typed,
//! and, when the form was refused, the errors, the status the page answers with and the
//! idempotency key still valid for the corrected form. Kept in a signed, short-lived
//! cookie (`checkout`), so every checkout `POST` answers `303` and Back or Reload never
//! re-submits a form (no "Confirm Form Resubmission").
//!
//! The errors are shown once: the `GET` that shows them keeps only what was typed.

use crate::http::forms::Checkout;
use crate::security::sealed;
use crate::shop::Shop;
use serde::{Deserialize, Serialize};
use storefront_domain::FieldError;

/// The cookie holding what was typed at checkout.
pub const COOKIE: &str = "checkout";
const PURPOSE: &str = "checkout-typed";
/// How long typed checkout details are kept (for a redirect, or a trip to the cart).
pub const TTL_SECONDS: u64 = 30 * 60;

/// The outcome of a refused checkout `POST`, for the page that shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// The page's status: 422 for a form to correct, 429 for a per-client limit.
    pub status: u16,
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// A problem not tied to one input.
    #[serde(default)]
    pub message: Option<String>,
    /// `Retry-After` seconds for a limit.
    #[serde(default)]
    pub retry_after: Option<i64>,
    /// The writer refused the typed discount code: the totals leave it out (and the page
    /// does not try it again, which would count as another guess).
    #[serde(default)]
    pub without_code: bool,
}

/// Everything kept between a checkout `POST` and the page after it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    #[serde(flatten)]
    pub values: Checkout,
    /// The terms box as ticked.
    #[serde(default)]
    pub terms: bool,
    /// The idempotency key the page must carry: the submitted one while nothing reached
    /// the writer; none (a fresh one) once the writer has seen it.
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub refusal: Option<Refusal>,
}

impl Kept {
    /// What was typed (and the key still valid), without any refusal.
    pub fn typed(values: &Checkout, key: Option<&str>) -> Kept {
        Kept {
            values: values.clone(),
            terms: values.terms,
            key: key.map(str::to_string),
            refusal: None,
        }
    }
}

/// Keeps `kept` for [`TTL_SECONDS`]; `false` when it does not fit a cookie.
pub fn keep(shop: &mut Shop<'_>, kept: &Kept) -> bool {
    let exp = shop.now + TTL_SECONDS;
    match sealed::seal(shop.key, PURPOSE, kept, exp) {
        Some(sealed) => {
            shop.set_cookie(COOKIE, Some(&sealed), TTL_SECONDS);
            true
        }
        None => false,
    }
}

/// What was kept, if anything and still fresh.
pub fn open(shop: &Shop<'_>) -> Option<Kept> {
    let value = shop.req.cookie(COOKIE)?;
    sealed::open(shop.key, PURPOSE, value, shop.now)
}

/// Forgets what was typed (the order is placed).
pub fn forget(shop: &mut Shop<'_>) {
    shop.set_cookie(COOKIE, None, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_from_before_the_refusal_reads_as_typed_values() {
        // A cookie written as the bare typed values still opens.
        let values = Checkout {
            email: "ada@example.com".into(),
            ..Checkout::default()
        };
        let json = serde_json::to_string(&values).unwrap();
        let kept: Kept = serde_json::from_str(&json).unwrap();
        assert_eq!(kept.values.email, "ada@example.com");
        assert!(kept.refusal.is_none() && kept.key.is_none());
    }
}
