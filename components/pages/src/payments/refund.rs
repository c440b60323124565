//! Refunds the owner asks for, whole or partial: `POST /admin/orders/{number}/refund`
//! (the owner's token checked by the router; optional JSON body `{"amount": 500, "note": "…"}`,
//! minor units, everything still refundable without an amount) and the back office's
//! refund form, both through [`request`].
//!
//! Three steps, each safe to repeat:
//! 1. the writer records the refund under the request's idempotency key, refusing more
//!    than is left (the same key again finds the same refund);
//! 2. the provider is asked with the refund's own idempotency key
//!    (`storefront-refund-{number}-{seq}`), so a retry after a crash or a lost answer is
//!    the same refund at Stripe; test mode derives a `re_test_…` id instead;
//! 3. the writer records the provider's answer: accepted with its refund id, or refused
//!    (the amount is free again).
//!
//! The order changes only when the provider's `charge.refunded` event says the money
//! went back: refunded once all of it did, otherwise paid or shipped with the refunded
//! amount shown. Test mode feeds that signed event through the webhook path itself.

use super::{PayError, Payments, provider::ProviderError, signature, test_mode, webhook};
use crate::config::PaymentMode;
use crate::http::{Req, Resp};
use crate::security::owner_token;
use crate::writer::WriterError;
use serde::Serialize;
use storefront_domain::payments::{
    PROVIDER_STRIPE, PROVIDER_TEST, REFUND_ACCEPTED, REFUND_FAILED, RefundAnswer, RefundReport,
    RequestRefund,
};
use storefront_domain::{ErrorBody, IDEMPOTENCY_KEY, Money, OrderState};

/// What the owner asks for.
pub struct Ask<'a> {
    pub request: RequestRefund,
    /// One per drawn form or API command: the same key is the same refund.
    pub key: &'a str,
    pub actor: &'a str,
}

/// The answer: 202 from the JSON route.
#[derive(Debug, Serialize)]
pub struct Requested {
    pub seq: i64,
    pub refund_id: String,
    pub amount: Money,
    /// Still `paid` (or `fulfilled`) until the provider confirms a whole refund.
    pub order_state: OrderState,
    /// What the provider confirmed refunding so far, in minor units.
    pub amount_refunded: i64,
    /// Whether this key had already made this refund (nothing was done twice).
    #[serde(skip)]
    pub replayed: bool,
}

/// Why a refund was not made.
#[derive(Debug)]
pub enum RefundError {
    Pay(PayError),
    /// The writer refused what was asked (an amount over what is left, a bad note).
    Invalid(ErrorBody),
    /// This key's refund was refused by the provider earlier; a new request is needed.
    Refused(String),
    /// Test mode: our own refund event was refused on its way through the webhook path.
    Webhook(webhook::WebhookError),
}

impl RefundError {
    pub fn into_json(self) -> Resp {
        match self {
            RefundError::Pay(e) => e.into_json(),
            RefundError::Invalid(body) => Resp::json(422, &body),
            RefundError::Refused(why) => Resp::json_error(
                409,
                "refund_failed",
                &format!(
                    "this refund was refused by the payment provider: {why}; send a new \
                     Idempotency-Key to try again"
                ),
            ),
            RefundError::Webhook(e) => e.into_json(),
        }
    }
}

impl From<PayError> for RefundError {
    fn from(e: PayError) -> Self {
        RefundError::Pay(e)
    }
}

/// `POST /admin/orders/{number}/refund`. `number` is canonical (the router checked it).
/// Without an `Idempotency-Key`, only a refund of everything left may be asked, and its
/// key is derived from the order number, so repeating it refunds once.
pub async fn refund(p: &Payments<'_>, number: &str, req: &Req) -> Resp {
    let request: RequestRefund = if req.body.iter().all(u8::is_ascii_whitespace) {
        RequestRefund::default()
    } else {
        match crate::http::json::parse_json(
            &req.body,
            "a refund (`{\"amount\": 500, \"note\": \"broken mug\"}`, or no body for all of it)",
        ) {
            Ok(request) => request,
            Err(resp) => return resp,
        }
    };
    let derived = format!("whole-{number}");
    let key = match req.header(IDEMPOTENCY_KEY) {
        Some(_) => match crate::http::json::idempotency_key(req) {
            Ok(key) => key,
            Err(resp) => return resp,
        },
        None if request.amount.is_none()
            && request.note.is_none()
            && request.restock.is_empty() =>
        {
            derived.as_str()
        }
        None => {
            return Resp::json_error(
                400,
                "missing_idempotency_key",
                "a refund with an amount, a note or goods to restock needs an Idempotency-Key \
                 header",
            );
        }
    };
    let ask = Ask {
        request,
        key,
        actor: owner_token::ACTOR,
    };
    match request_refund(p, number, &ask).await {
        Ok(requested) => Resp::json(202, &requested),
        Err(e) => e.into_json(),
    }
}

/// Records the refund, asks the provider, records its answer.
pub async fn request_refund(
    p: &Payments<'_>,
    number: &str,
    ask: &Ask<'_>,
) -> Result<Requested, RefundError> {
    let answer = match p
        .writer
        .request_refund(number, &ask.request, ask.actor, ask.key)
        .await
    {
        Ok(answer) => answer,
        Err(WriterError::Rejected { status: 422, body }) => return Err(RefundError::Invalid(body)),
        Err(WriterError::Rejected { status: 409, body }) => {
            return Err(PayError::Conflict {
                code: "not_refundable",
                message: body.error.message,
            }
            .into());
        }
        Err(e) => return Err(super::writer_error(e).into()),
    };
    let replayed = answer.status == 200;
    drive(p, number, answer.value, replayed).await
}

/// Drives refund `seq` on (the back office's "Ask again" for a refund the provider never
/// answered).
pub async fn retry(p: &Payments<'_>, number: &str, seq: i64) -> Result<Requested, RefundError> {
    let answer = p
        .writer
        .refund(number, seq)
        .await
        .map_err(super::writer_error)?;
    drive(p, number, answer, false).await
}

/// Takes a recorded refund as far as it goes: a refused one stays refused, an accepted
/// one is answered as it is, a requested one is asked of the provider. Also for a refund
/// the writer recorded with another command (an accepted return).
pub async fn drive(
    p: &Payments<'_>,
    number: &str,
    answer: RefundAnswer,
    replayed: bool,
) -> Result<Requested, RefundError> {
    let refund = &answer.refund;
    match refund.state.as_str() {
        REFUND_FAILED => {
            return Err(RefundError::Refused(
                refund.last_error.clone().unwrap_or_default(),
            ));
        }
        REFUND_ACCEPTED => return Ok(requested(&answer, replayed, None)),
        _ => {}
    }
    let payment = answer.view.payment.as_ref();
    let provider = match p.settings.mode {
        PaymentMode::Stripe => PROVIDER_STRIPE,
        PaymentMode::Test => PROVIDER_TEST,
    };
    if let Some(record) = payment
        && record.provider != provider
    {
        return Err(PayError::Conflict {
            code: "provider_mismatch",
            message: format!(
                "order {number} was paid with the {} provider; this shop now uses {provider}",
                record.provider
            ),
        }
        .into());
    }
    let seq = refund.seq;
    match p.settings.mode {
        PaymentMode::Stripe => {
            let stripe = p.stripe()?;
            let made = stripe
                .create_refund(
                    &answer.intent_id,
                    number,
                    Some(refund.amount.amount),
                    &answer.provider_key,
                )
                .await;
            let report = match made {
                Ok(made) => {
                    eprintln!("refund {} for {number}: {}", made.id, made.status);
                    RefundReport::Accepted { refund_id: made.id }
                }
                // Stripe said no for good: the amount is free again.
                Err(ProviderError::Refused { message, .. }) => {
                    let report = RefundReport::Failed {
                        error: message.clone(),
                    };
                    p.writer
                        .refund_result(number, seq, &report)
                        .await
                        .map_err(super::writer_error)?;
                    return Err(RefundError::Refused(message));
                }
                // No answer: the refund stays requested; the same key asks again.
                Err(e) => return Err(PayError::Provider(e).into()),
            };
            let answer = p
                .writer
                .refund_result(number, seq, &report)
                .await
                .map_err(super::writer_error)?;
            Ok(requested(&answer, replayed, None))
        }
        PaymentMode::Test => {
            let secret = p.test_webhook_secret()?;
            let refund_id = test_mode::owner_refund_id(p.key, number, seq);
            let report = RefundReport::Accepted { refund_id };
            let answer = p
                .writer
                .refund_result(number, seq, &report)
                .await
                .map_err(super::writer_error)?;
            let now = i64::try_from(p.now).unwrap_or(i64::MAX);
            let Some(charged) = answer.view.payment.as_ref().map(|r| &r.amount) else {
                return Ok(requested(&answer, replayed, None));
            };
            let body = test_mode::owner_refund_event(
                p.key,
                number,
                &answer.intent_id,
                charged,
                answer.accepted_total,
                seq,
                now,
            );
            let header = signature::header(secret, now, body.as_bytes());
            let result = webhook::process(p, body.as_bytes(), Some(&header), PROVIDER_TEST)
                .await
                .map_err(RefundError::Webhook)?;
            // The event was applied: what it confirmed is what was refunded in all.
            Ok(requested(
                &answer,
                replayed,
                result
                    .order_state
                    .map(|state| (state, answer.accepted_total)),
            ))
        }
    }
}

/// The answer from the writer's record, or from the event just applied (test mode).
fn requested(
    answer: &RefundAnswer,
    replayed: bool,
    applied: Option<(OrderState, i64)>,
) -> Requested {
    let recorded = answer
        .view
        .payment
        .as_ref()
        .map_or(0, |p| p.amount_refunded);
    let (order_state, amount_refunded) = applied.unwrap_or((answer.view.order_state, recorded));
    Requested {
        seq: answer.refund.seq,
        refund_id: answer.refund.refund_id.clone().unwrap_or_default(),
        amount: answer.refund.amount.clone(),
        order_state,
        amount_refunded: amount_refunded.max(recorded),
        replayed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::payments::{PaymentRecord, PaymentView, RefundRecord};

    fn answer(state: &str, amount_refunded: i64) -> RefundAnswer {
        RefundAnswer {
            refund: RefundRecord {
                seq: 2,
                amount: Money::new(500, "EUR"),
                state: state.into(),
                refund_id: (state == REFUND_ACCEPTED).then(|| "re_1".to_string()),
                note: None,
                actor: "owner".into(),
                last_error: None,
                created_at: "2026-11-23T10:00:00Z".into(),
            },
            intent_id: "pi_1".into(),
            provider_key: "storefront-refund-SF-1-2".into(),
            accepted_total: 800,
            view: PaymentView {
                order_number: "SF-1".into(),
                order_state: OrderState::Paid,
                total: Money::new(2500, "EUR"),
                payment: Some(PaymentRecord {
                    provider: "test".into(),
                    intent_id: "pi_1".into(),
                    amount: Money::new(2500, "EUR"),
                    status: "succeeded".into(),
                    refund_id: None,
                    amount_refunded,
                    refunds: Vec::new(),
                }),
            },
        }
    }

    #[test]
    fn the_answer_has_the_documented_shape() {
        let r = Resp::json(202, &requested(&answer(REFUND_ACCEPTED, 300), false, None));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "seq": 2,
                "refund_id": "re_1",
                "amount": {"amount": 500, "currency": "EUR"},
                "order_state": "paid",
                "amount_refunded": 300,
            })
        );
    }

    #[test]
    fn an_applied_event_says_what_was_refunded_in_all() {
        let r = requested(
            &answer(REFUND_ACCEPTED, 300),
            false,
            Some((OrderState::Paid, 800)),
        );
        assert_eq!((r.order_state, r.amount_refunded), (OrderState::Paid, 800));
        // Never less than the ledger knows.
        let r = requested(
            &answer(REFUND_ACCEPTED, 900),
            true,
            Some((OrderState::Paid, 800)),
        );
        assert_eq!(r.amount_refunded, 900);
        assert!(r.replayed);
    }
}
