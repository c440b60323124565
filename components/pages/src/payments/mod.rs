//! Taking payments: the per-request context ([`Payments`]) shared by the payment step,
//! the provider webhook and the owner's refunds, which provider it may use, and the ways a
//! payment request fails ([`PayError`]) with their JSON answers.
//!
//! Money never moves on our say-so: pages create intents and verify provider events,
//! the writer records them and decides what an event does to an order.
//!
//! - `signature`, `event`, `test_mode`: pure logic (Stripe-Signature, event JSON, the
//!   test provider's ids and events), unit-tested natively;
//! - `stripe`, `provider`: talking to the provider;
//! - `intent`: the idempotent create-and-record step behind `GET /orders/{n}/pay` and
//!   `POST /api/orders/{n}/payment`;
//! - `webhook`: `POST /webhooks/stripe`, also the path every test-mode event takes;
//! - `refund`: `POST /admin/orders/{n}/refund`;
//! - `courier`: the provider calls the writer's ledger asks for (cancel an intent before
//!   its order is cancelled, refund money for a cancelled order).

pub mod courier;
pub mod event;
pub mod intent;
pub mod provider;
pub mod refund;
pub mod signature;
pub mod stripe;
pub mod test_mode;
pub mod webhook;

use crate::config::{PaymentMode, PaymentSettings};
use crate::http::Resp;
use crate::security::signing::Key;
use crate::writer::{WriterClient, WriterError};
use provider::{Provider, ProviderError};
use storefront_domain::OrderState;
use storefront_domain::payments::PaymentView;
use stripe::StripeClient;

/// The writer's refusal of test-mode payments (it accepts them only in the local
/// all-in-one host).
pub const TEST_PAYMENTS_REFUSED: &str = "test_payments_refused";

pub struct Payments<'a> {
    pub settings: &'a PaymentSettings,
    /// The shop's key: test-mode ids are derived with it.
    pub key: &'a Key,
    pub writer: &'a WriterClient,
    /// Unix seconds.
    pub now: u64,
}

/// Why a payment request could not be served.
#[derive(Debug)]
pub enum PayError {
    /// A setting the request needs is empty (the reason was logged): 503.
    NotConfigured,
    /// No such order: 404.
    NotFound,
    /// The order is not awaiting payment (paid, cancelled, …): HTML redirects to the
    /// order page, JSON answers 409.
    NotPayable {
        number: String,
        state: OrderState,
    },
    /// A conflict with what is recorded, e.g. nothing to refund: 409.
    Conflict {
        code: &'static str,
        message: String,
    },
    Writer(WriterError),
    Provider(ProviderError),
}

impl<'a> Payments<'a> {
    pub fn test_mode(&self) -> bool {
        self.settings.mode == PaymentMode::Test
    }

    /// The provider for a shopper's payment, if everything it needs is set: Stripe needs
    /// both keys (the page hands the publishable one to Stripe.js); the test mode pays
    /// through the signed webhook path, so it needs the webhook secret.
    pub fn checkout_provider(&self) -> Result<Provider<'a>, PayError> {
        match self.settings.mode {
            PaymentMode::Stripe => {
                if self.settings.stripe_publishable_key.is_empty() {
                    return Err(not_configured("stripe_publishable_key is empty"));
                }
                Ok(Provider::Stripe(self.stripe()?))
            }
            PaymentMode::Test => {
                self.test_webhook_secret()?;
                Ok(Provider::Test { key: self.key })
            }
        }
    }

    /// Stripe's API with the secret key (refunds need no publishable key).
    pub fn stripe(&self) -> Result<StripeClient<'a>, PayError> {
        let s = self.settings;
        if s.stripe_secret_key.is_empty() {
            return Err(not_configured("stripe_secret_key is empty"));
        }
        if s.stripe_api_base.is_empty() {
            return Err(not_configured("stripe_api_base is empty"));
        }
        Ok(StripeClient::new(&s.stripe_api_base, &s.stripe_secret_key))
    }

    /// The secret test-mode events are signed with.
    pub fn test_webhook_secret(&self) -> Result<&'a str, PayError> {
        let secret = self.settings.stripe_webhook_secret.as_str();
        if secret.is_empty() {
            return Err(not_configured(
                "stripe_webhook_secret is empty; test-mode payments are signed events",
            ));
        }
        Ok(secret)
    }

    /// The order's payment as the writer records it. `number` must be checked by the
    /// caller (`valid_order_number`).
    pub async fn payment_view(&self, number: &str) -> Result<PaymentView, PayError> {
        match self.writer.payment(number).await {
            Ok(Some(view)) => Ok(view),
            Ok(None) => Err(PayError::NotFound),
            Err(e) => Err(writer_error(e)),
        }
    }
}

fn not_configured(reason: &str) -> PayError {
    eprintln!("payments are not configured: {reason}");
    PayError::NotConfigured
}

/// A writer error as a payment error. A refusal of test payments is the operator's
/// doing (test mode on pages, not on the writer): "not configured", not the shopper's
/// fault.
pub fn writer_error(e: WriterError) -> PayError {
    match e {
        WriterError::Rejected { status: 404, .. } => PayError::NotFound,
        WriterError::Rejected { status: 403, body } if body.error.code == TEST_PAYMENTS_REFUSED => {
            not_configured("the writer refuses test payments (accept_test_payments is not true)")
        }
        e => PayError::Writer(e),
    }
}

impl PayError {
    pub fn not_payable(view: &PaymentView) -> PayError {
        PayError::NotPayable {
            number: view.order_number.clone(),
            state: view.order_state,
        }
    }

    /// The JSON answer (the public API and the owner's).
    pub fn into_json(self) -> Resp {
        match self {
            PayError::NotConfigured => Resp::json_error(
                503,
                "payments_not_configured",
                "payments are not configured",
            ),
            PayError::NotFound => Resp::json_error(404, "not_found", "no such order"),
            PayError::NotPayable { number, state } => Resp::json_error(
                409,
                "not_payable",
                &format!("order {number} is {}, not awaiting payment", state.as_str()),
            ),
            PayError::Conflict { code, message } => Resp::json_error(409, code, &message),
            PayError::Writer(e) => crate::http::json::writer_failed(e),
            PayError::Provider(ProviderError::Unavailable(why)) => {
                eprintln!("payment provider unavailable: {why}");
                Resp::json_error(
                    503,
                    "payment_provider_unavailable",
                    "the payment provider is not answering; retry shortly",
                )
                .header("retry-after", "5")
            }
            PayError::Provider(ProviderError::Refused {
                status,
                code,
                message,
            }) => {
                eprintln!("payment provider refused ({status}, {code:?}): {message}");
                Resp::json_error(
                    502,
                    "payment_provider_error",
                    &format!("the payment provider refused the request: {message}"),
                )
            }
            PayError::Provider(ProviderError::Broken(why)) => {
                eprintln!("payment provider: {why}");
                Resp::json_error(
                    502,
                    "payment_provider_error",
                    "the payment provider gave an unexpected answer",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::ErrorBody;

    fn code(resp: &Resp) -> String {
        serde_json::from_slice::<ErrorBody>(&resp.body)
            .unwrap()
            .error
            .code
    }

    #[test]
    fn json_answers() {
        let r = PayError::NotConfigured.into_json();
        assert_eq!(
            (r.status, code(&r).as_str()),
            (503, "payments_not_configured")
        );
        let r = PayError::NotPayable {
            number: "SF-1".into(),
            state: OrderState::Paid,
        }
        .into_json();
        assert_eq!((r.status, code(&r).as_str()), (409, "not_payable"));
        assert!(String::from_utf8_lossy(&r.body).contains("SF-1 is paid"));
        let refused = PayError::Provider(ProviderError::Refused {
            status: 400,
            code: None,
            message: "Amount must be at least 50 cents".into(),
        });
        let r = refused.into_json();
        assert_eq!(r.status, 502);
        assert!(String::from_utf8_lossy(&r.body).contains("at least 50 cents"));
        let r = PayError::Provider(ProviderError::Unavailable("timeout".into())).into_json();
        assert_eq!(r.status, 503);
    }

    #[test]
    fn a_writer_refusing_test_payments_is_a_configuration_problem() {
        let refused = WriterError::Rejected {
            status: 403,
            body: ErrorBody::new(TEST_PAYMENTS_REFUSED, "no test payments here"),
        };
        assert!(matches!(writer_error(refused), PayError::NotConfigured));
        let missing = WriterError::Rejected {
            status: 404,
            body: ErrorBody::new("not_found", "no such order"),
        };
        assert!(matches!(writer_error(missing), PayError::NotFound));
        let token = WriterError::Rejected {
            status: 403,
            body: ErrorBody::new("forbidden", "bad token"),
        };
        assert!(matches!(writer_error(token), PayError::Writer(_)));
    }
}
