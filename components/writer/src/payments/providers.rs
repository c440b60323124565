//! Which payment providers the writer accepts: Stripe always, the local test-mode provider
//! only when the Spin variable `accept_test_payments` is exactly `"true"` (which only the
//! local all-in-one host sets). A test payment on a production ledger would be an order
//! marked paid with no money behind it.

use crate::http::responses::ApiError;
use storefront_domain::FieldError;
use storefront_domain::payments::{PROVIDER_STRIPE, PROVIDER_TEST, accepts_test_payments};

/// Refuses `provider` unless it is known and accepted here: 422 for an unknown provider,
/// 403 `test_payments_refused` for the test provider on a writer that does not accept it.
/// `field` names the provider's field in the request, for the 422.
pub fn check(provider: &str, field: &str) -> Result<(), ApiError> {
    if provider != PROVIDER_TEST {
        return accepted(provider, false, field);
    }
    // A variable that cannot be read is a broken deployment: refuse rather than accept.
    let flag = spin_sdk::variables::get("accept_test_payments").map_err(|e| {
        anyhow::anyhow!("reading the accept_test_payments variable: {e:?}; refusing test payments")
    })?;
    accepted(provider, accepts_test_payments(&flag), field)
}

/// The decision, given the variable's reading.
fn accepted(provider: &str, accept_test: bool, field: &str) -> Result<(), ApiError> {
    match provider {
        PROVIDER_STRIPE => Ok(()),
        PROVIDER_TEST if accept_test => Ok(()),
        PROVIDER_TEST => Err(ApiError::new(
            403,
            "test_payments_refused",
            "this writer does not accept test-mode payments (accept_test_payments is not \"true\")",
        )),
        _ => Err(ApiError::invalid(vec![FieldError::new(
            field,
            format!("must be \"{PROVIDER_STRIPE}\" or \"{PROVIDER_TEST}\""),
        )])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_always_test_only_when_accepted() {
        assert!(accepted("stripe", false, "provider").is_ok());
        assert!(accepted("test", true, "provider").is_ok());
        let refused = accepted("test", false, "provider").unwrap_err();
        assert_eq!(
            (refused.status, refused.body.error.code.as_str()),
            (403, "test_payments_refused")
        );
        for other in ["paypal", "Stripe", ""] {
            let e = accepted(other, true, "provider").unwrap_err();
            assert_eq!(
                (e.status, e.body.error.code.as_str()),
                (422, "invalid_request")
            );
        }
    }
}
