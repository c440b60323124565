//! The provider that takes a shopper's money, Stripe or the local test mode, behind one
//! interface: what either hands back (an [`Intent`]) and how either fails.

use super::stripe::StripeClient;
use super::test_mode;
use crate::security::signing::Key;
use storefront_domain::Money;
use storefront_domain::payments::{PROVIDER_STRIPE, PROVIDER_TEST, PaymentRecord};

/// A PaymentIntent, whichever provider made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    /// What the browser needs to confirm the payment. Never stored, never logged.
    pub client_secret: String,
    /// Stripe's intent status, e.g. `requires_payment_method`, `processing`, `succeeded`.
    pub status: String,
    /// Upper-case currency, like every `Money`.
    pub amount: Money,
}

impl Intent {
    /// Whether the shopper still has something to do. Otherwise the money is on its
    /// way (`processing`, `succeeded`, `requires_capture`) or the intent is `canceled`,
    /// and a payment form would only produce an error.
    pub fn awaits_payment(&self) -> bool {
        matches!(
            self.status.as_str(),
            "requires_payment_method" | "requires_confirmation" | "requires_action"
        )
    }
}

/// Why the provider did not give us what we asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderError {
    /// No answer (or only 5xx/429) after retrying: worth trying again later.
    Unavailable(String),
    /// Stripe said no, in its own words (`{"error": {"message"}}`).
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// An answer we cannot use, or a deployment problem; the text is for the log.
    Broken(String),
}

pub enum Provider<'a> {
    Stripe(StripeClient<'a>),
    /// No network: ids are derived from the order number with the shop's key.
    Test {
        key: &'a Key,
    },
}

impl Provider<'_> {
    /// The name stored with the payment.
    pub fn name(&self) -> &'static str {
        match self {
            Provider::Stripe(_) => PROVIDER_STRIPE,
            Provider::Test { .. } => PROVIDER_TEST,
        }
    }

    /// The order's one intent for `amount`; asking again returns the same intent.
    pub async fn create_intent(
        &self,
        order_number: &str,
        amount: &Money,
    ) -> Result<Intent, ProviderError> {
        match self {
            Provider::Stripe(stripe) => stripe.create_intent(order_number, amount).await,
            Provider::Test { key } => {
                let id = test_mode::intent_id(key, order_number);
                Ok(test_intent(id, amount.clone()))
            }
        }
    }

    /// Cancels an intent nobody will use (it lost to the one the writer recorded).
    pub async fn cancel_intent(&self, intent_id: &str) -> Result<(), ProviderError> {
        match self {
            Provider::Stripe(stripe) => stripe.cancel_intent(intent_id).await,
            // Nothing exists outside this process to cancel.
            Provider::Test { .. } => Ok(()),
        }
    }

    /// Sets the intent's amount (the shopper changed their unpaid order).
    pub async fn update_amount(
        &self,
        intent_id: &str,
        amount: &Money,
    ) -> Result<Intent, ProviderError> {
        match self {
            Provider::Stripe(stripe) => stripe.update_amount(intent_id, amount).await,
            Provider::Test { .. } => Ok(test_intent(intent_id.to_string(), amount.clone())),
        }
    }

    /// The intent the writer has on record, with its client secret.
    pub async fn recorded_intent(&self, record: &PaymentRecord) -> Result<Intent, ProviderError> {
        match self {
            Provider::Stripe(stripe) => stripe.retrieve_intent(&record.intent_id).await,
            Provider::Test { .. } => {
                Ok(test_intent(record.intent_id.clone(), record.amount.clone()))
            }
        }
    }
}

fn test_intent(id: String, amount: Money) -> Intent {
    Intent {
        client_secret: test_mode::client_secret(&id),
        id,
        status: "requires_payment_method".into(),
        amount,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(status: &str) -> Intent {
        Intent {
            id: "pi_1".into(),
            client_secret: "pi_1_secret".into(),
            status: status.into(),
            amount: Money::new(100, "EUR"),
        }
    }

    #[test]
    fn only_open_intents_get_a_payment_form() {
        for open in [
            "requires_payment_method",
            "requires_confirmation",
            "requires_action",
        ] {
            assert!(intent(open).awaits_payment(), "{open}");
        }
        for closed in ["processing", "succeeded", "requires_capture", "canceled"] {
            assert!(!intent(closed).awaits_payment(), "{closed}");
        }
    }

    #[test]
    fn test_intents_are_open_and_carry_a_test_secret() {
        let t = test_intent("pi_test_abc".into(), Money::new(5, "EUR"));
        assert!(t.awaits_payment());
        assert_eq!(t.client_secret, "pi_test_abc_secret_test");
    }
}
