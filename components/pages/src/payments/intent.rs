//! The payment step's one operation: make sure a pending order has exactly one intent,
//! recorded by the writer, and hand it back with its client secret.
//!
//! Safe to run on every visit and from several tabs at once. The writer is asked first,
//! so a recorded intent is reused rather than a new one made; a new intent is created
//! with an idempotency key derived from the order number (Stripe replays it, the test
//! mode derives the same id), and if another request recorded one in between, the
//! writer's 409 `intent_already_recorded` makes us use the recorded one.

use super::provider::{Intent, Provider, ProviderError};
use super::{PayError, Payments, writer_error};
use crate::writer_client::WriterError;
use storefront_domain::OrderState;
use storefront_domain::payments::{PaymentRecord, PaymentView, RecordIntent};

/// A pending order and the intent to pay it with.
pub struct Prepared {
    pub view: PaymentView,
    pub intent: Intent,
    /// The provider's name (`stripe` or `test`).
    pub provider: &'static str,
}

/// The intent for order `number` (checked by the caller with `valid_order_number`).
pub async fn prepare(p: &Payments<'_>, number: &str) -> Result<Prepared, PayError> {
    let provider = p.checkout_provider()?;
    let view = payable(p.payment_view(number).await?)?;
    let intent = match &view.payment {
        Some(record) => recorded(&provider, &view, record).await?,
        None => {
            let created = provider
                .create_intent(number, &view.total)
                .await
                .map_err(PayError::Provider)?;
            return record(p, &provider, number, created).await;
        }
    };
    ready(view, intent, &provider)
}

/// Records a freshly created intent, or settles for the one recorded meanwhile.
async fn record(
    p: &Payments<'_>,
    provider: &Provider<'_>,
    number: &str,
    created: Intent,
) -> Result<Prepared, PayError> {
    let body = RecordIntent {
        provider: provider.name().to_string(),
        intent_id: created.id.clone(),
        // What the provider says the intent is for, not what we asked: if they differ
        // the writer refuses it (`amount_mismatch`) and nobody is shown a wrong amount.
        amount: created.amount.amount,
        currency: created.amount.currency.clone(),
    };
    let rejected = match p.writer.record_intent(number, &body).await {
        Ok(view) => return ready(view, created, provider),
        Err(WriterError::Rejected { status, body }) => (status, body),
        Err(e) => return Err(writer_error(e)),
    };
    match (rejected.0, rejected.1.error.code.as_str()) {
        (409, "intent_already_recorded") => {
            let view = payable(p.payment_view(number).await?)?;
            match &view.payment {
                Some(r) if r.intent_id == created.id => ready(view, created, provider),
                Some(r) => {
                    let intent = recorded(provider, &view, r).await?;
                    ready(view, intent, provider)
                }
                None => Err(PayError::Provider(ProviderError::Broken(format!(
                    "writer said an intent is recorded for {number} but shows none"
                )))),
            }
        }
        (409, "not_payable") => Err(PayError::not_payable(&p.payment_view(number).await?)),
        (422, "amount_mismatch") => Err(PayError::Provider(ProviderError::Broken(format!(
            "intent {} for {number} is for {}, the writer wants another amount: {}",
            created.id, created.amount, rejected.1.error.message
        )))),
        (status, _) => Err(writer_error(WriterError::Rejected {
            status,
            body: rejected.1,
        })),
    }
}

/// The intent the writer already holds for this order.
async fn recorded(
    provider: &Provider<'_>,
    view: &PaymentView,
    record: &PaymentRecord,
) -> Result<Intent, PayError> {
    if record.provider != provider.name() {
        return Err(PayError::Conflict {
            code: "provider_mismatch",
            message: format!(
                "this order's payment was started with the {} provider, but payments are now taken by {}",
                record.provider,
                provider.name()
            ),
        });
    }
    // `failed` intents take another attempt (Stripe returns them to
    // `requires_payment_method`); anything past `succeeded` has nothing left to pay.
    if !matches!(record.status.as_str(), "created" | "failed") {
        return Err(PayError::not_payable(view));
    }
    provider
        .recorded_intent(record)
        .await
        .map_err(PayError::Provider)
}

fn payable(view: PaymentView) -> Result<PaymentView, PayError> {
    if view.order_state == OrderState::PendingPayment {
        Ok(view)
    } else {
        Err(PayError::not_payable(&view))
    }
}

/// Last check before an intent is shown: it must be for the order's total.
fn ready(view: PaymentView, intent: Intent, provider: &Provider<'_>) -> Result<Prepared, PayError> {
    if intent.amount != view.total {
        return Err(PayError::Provider(ProviderError::Broken(format!(
            "intent {} is for {} but order {} totals {}",
            intent.id, intent.amount, view.order_number, view.total
        ))));
    }
    Ok(Prepared {
        view,
        intent,
        provider: provider.name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::Key;
    use storefront_domain::Money;

    fn view(state: OrderState) -> PaymentView {
        PaymentView {
            order_number: "SF-1".into(),
            order_state: state,
            total: Money::new(2500, "EUR"),
            payment: None,
        }
    }

    fn intent(amount: Money) -> Intent {
        Intent {
            id: "pi_1".into(),
            client_secret: "pi_1_secret".into(),
            status: "requires_payment_method".into(),
            amount,
        }
    }

    #[test]
    fn only_pending_orders_are_payable() {
        assert!(payable(view(OrderState::PendingPayment)).is_ok());
        for state in [
            OrderState::Paid,
            OrderState::Cancelled,
            OrderState::Refunded,
        ] {
            assert!(matches!(
                payable(view(state)),
                Err(PayError::NotPayable { .. })
            ));
        }
    }

    #[test]
    fn an_intent_for_another_amount_is_never_shown() {
        let key = Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let provider = Provider::Test { key: &key };
        let ok = ready(
            view(OrderState::PendingPayment),
            intent(Money::new(2500, "EUR")),
            &provider,
        );
        assert_eq!(ok.unwrap().provider, "test");
        for wrong in [Money::new(2499, "EUR"), Money::new(2500, "USD")] {
            let r = ready(view(OrderState::PendingPayment), intent(wrong), &provider);
            assert!(matches!(
                r,
                Err(PayError::Provider(ProviderError::Broken(_)))
            ));
        }
    }

    #[test]
    fn recorded_intents_of_another_provider_or_past_payment_are_refused() {
        let key = Key::new("0123456789abcdef0123456789abcdef").unwrap();
        let provider = Provider::Test { key: &key };
        let record = |provider: &str, status: &str| PaymentRecord {
            provider: provider.into(),
            intent_id: "pi_test_000000000000000000000000".into(),
            amount: Money::new(2500, "EUR"),
            status: status.into(),
            refund_id: None,
        };
        let v = view(OrderState::PendingPayment);
        let run = |r: PaymentRecord| futures::executor::block_on(recorded(&provider, &v, &r));
        assert!(matches!(
            run(record("stripe", "created")),
            Err(PayError::Conflict {
                code: "provider_mismatch",
                ..
            })
        ));
        assert!(matches!(
            run(record("test", "succeeded")),
            Err(PayError::NotPayable { .. })
        ));
        for open in ["created", "failed"] {
            let i = run(record("test", open)).unwrap();
            assert_eq!(
                i.client_secret,
                "pi_test_000000000000000000000000_secret_test"
            );
        }
    }
}
