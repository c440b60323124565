//! `POST /admin/orders/{number}/refund` (admin token checked by the router): refund an
//! order's succeeded payment in full.
//!
//! Stripe mode asks Stripe for the refund (idempotency key `storefront-refund-{n}`),
//! then records its id with the writer; the order becomes `refunded` when Stripe's
//! `charge.refunded` webhook arrives. Test mode records a derived `re_test_…` id and
//! feeds a signed `charge.refunded` event through the webhook path itself.
//!
//! Repeating the request is safe: a payment already at `refund_requested` is driven
//! on again with the refund on record instead of being refused.

use super::{PayError, Payments, signature, test_mode, webhook, writer_error};
use crate::config::PaymentMode;
use crate::web::Resp;
use crate::writer_client::WriterError;
use serde::Serialize;
use storefront_domain::OrderState;
use storefront_domain::payments::{
    PROVIDER_STRIPE, PROVIDER_TEST, PaymentRecord, PaymentView, RecordRefund,
};

/// The 202 answer.
#[derive(Debug, Serialize)]
pub struct Requested {
    pub refund_id: String,
    /// Still `paid` until the provider confirms the refund (Stripe mode).
    pub order_state: OrderState,
}

/// Why a refund was not requested: a payment problem, or (test mode) our own refund
/// event refused on its way through the webhook path.
#[derive(Debug)]
pub enum RefundError {
    Pay(PayError),
    Webhook(webhook::WebhookError),
}

impl RefundError {
    pub fn into_json(self) -> Resp {
        match self {
            RefundError::Pay(e) => e.into_json(),
            RefundError::Webhook(e) => e.into_json(),
        }
    }
}

impl From<PayError> for RefundError {
    fn from(e: PayError) -> Self {
        RefundError::Pay(e)
    }
}

/// `number` is canonical (the router checked it), so the provider's idempotency key and
/// metadata are the same whatever spelling the request used.
pub async fn refund(p: &Payments<'_>, number: &str) -> Resp {
    match request(p, number).await {
        Ok(requested) => Resp::json(202, &requested),
        Err(e) => e.into_json(),
    }
}

/// Refunds the order's payment in full (the admin JSON route and the back office).
pub async fn request(p: &Payments<'_>, number: &str) -> Result<Requested, RefundError> {
    let view = p.payment_view(number).await?;
    // The provider hears the writer's canonical number only.
    let number = view.order_number.as_str();
    let record = refundable(&view, p.settings.mode)?;
    let again = record.status == "refund_requested";
    match p.settings.mode {
        PaymentMode::Stripe => {
            let refund_id = match (&record.refund_id, again) {
                (Some(id), true) => id.clone(),
                _ => {
                    let stripe = p.stripe()?;
                    let refund = stripe
                        .create_refund(&record.intent_id, number)
                        .await
                        .map_err(PayError::Provider)?;
                    eprintln!("refund {} for {number}: {}", refund.id, refund.status);
                    refund.id
                }
            };
            let view = recorded(p, number, &refund_id).await?;
            Ok(Requested {
                refund_id,
                order_state: view.order_state,
            })
        }
        PaymentMode::Test => {
            let secret = p.test_webhook_secret()?;
            let refund_id = test_mode::refund_id(p.key, number);
            let view = recorded(p, number, &refund_id).await?;
            let now = i64::try_from(p.now).unwrap_or(i64::MAX);
            let body =
                test_mode::refunded_event(p.key, number, &record.intent_id, &record.amount, now);
            let header = signature::header(secret, now, body.as_bytes());
            let result = webhook::process(p, body.as_bytes(), Some(&header), PROVIDER_TEST)
                .await
                .map_err(RefundError::Webhook)?;
            Ok(Requested {
                refund_id,
                order_state: result.order_state.unwrap_or(view.order_state),
            })
        }
    }
}

/// The payment to refund: a succeeded one of the current mode's provider, or one whose
/// refund was already requested (a repeat).
fn refundable(view: &PaymentView, mode: PaymentMode) -> Result<PaymentRecord, PayError> {
    let not_refundable = |why: String| PayError::Conflict {
        code: "not_refundable",
        message: why,
    };
    let Some(record) = &view.payment else {
        return Err(not_refundable(format!(
            "order {} has no payment",
            view.order_number
        )));
    };
    if !matches!(record.status.as_str(), "succeeded" | "refund_requested") {
        return Err(not_refundable(format!(
            "order {}'s payment is {}, not succeeded",
            view.order_number, record.status
        )));
    }
    let provider = match mode {
        PaymentMode::Stripe => PROVIDER_STRIPE,
        PaymentMode::Test => PROVIDER_TEST,
    };
    if record.provider != provider {
        return Err(PayError::Conflict {
            code: "provider_mismatch",
            message: format!(
                "order {} was paid with the {} provider; this shop now uses {provider}",
                view.order_number, record.provider
            ),
        });
    }
    Ok(record.clone())
}

/// Tells the writer the refund was asked for. A 409 `not_refundable` after our own
/// earlier request (a repeat, or a retry whose first answer was lost) is success.
async fn recorded(
    p: &Payments<'_>,
    number: &str,
    refund_id: &str,
) -> Result<PaymentView, PayError> {
    let body = RecordRefund {
        refund_id: refund_id.to_string(),
    };
    match p.writer.refund_requested(number, &body).await {
        Ok(view) => Ok(view),
        Err(WriterError::Rejected { status: 409, body }) => {
            let view = p.payment_view(number).await?;
            let ours =
                view.payment.as_ref().and_then(|r| r.refund_id.as_deref()) == Some(refund_id);
            if ours {
                Ok(view)
            } else {
                Err(PayError::Conflict {
                    code: "not_refundable",
                    message: body.error.message,
                })
            }
        }
        Err(e) => Err(writer_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::Money;

    fn view(payment: Option<(&str, &str)>) -> PaymentView {
        PaymentView {
            order_number: "SF-1".into(),
            order_state: OrderState::Paid,
            total: Money::new(2500, "EUR"),
            payment: payment.map(|(provider, status)| PaymentRecord {
                provider: provider.into(),
                intent_id: "pi_1".into(),
                amount: Money::new(2500, "EUR"),
                status: status.into(),
                refund_id: None,
            }),
        }
    }

    fn conflict(r: Result<PaymentRecord, PayError>) -> &'static str {
        match r {
            Err(PayError::Conflict { code, .. }) => code,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_succeeded_payments_of_this_provider_are_refunded() {
        assert!(refundable(&view(Some(("stripe", "succeeded"))), PaymentMode::Stripe).is_ok());
        assert!(refundable(&view(Some(("test", "succeeded"))), PaymentMode::Test).is_ok());
        assert!(
            refundable(
                &view(Some(("stripe", "refund_requested"))),
                PaymentMode::Stripe
            )
            .is_ok(),
            "a repeat is driven on"
        );
        assert_eq!(
            conflict(refundable(&view(None), PaymentMode::Stripe)),
            "not_refundable"
        );
        for status in ["created", "failed", "refunded"] {
            assert_eq!(
                conflict(refundable(
                    &view(Some(("stripe", status))),
                    PaymentMode::Stripe
                )),
                "not_refundable",
                "{status}"
            );
        }
        assert_eq!(
            conflict(refundable(
                &view(Some(("test", "succeeded"))),
                PaymentMode::Stripe
            )),
            "provider_mismatch"
        );
    }

    #[test]
    fn the_answer_has_the_documented_shape() {
        let r = Resp::json(
            202,
            &Requested {
                refund_id: "re_1".into(),
                order_state: OrderState::Paid,
            },
        );
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"refund_id": "re_1", "order_state": "paid"})
        );
    }
}
