//! The payment step's one operation: make sure a pending order has exactly one intent,
//! recorded by the writer, and hand it back with its client secret.
//!
//! Safe to run on every visit and from several tabs at once. Once recorded, the intent is
//! read back (and, if the shopper changed the order since, its amount set to the new
//! total). The first time, it is created with an idempotency key derived from the order
//! number, so Stripe answers every repeat with the first intent (the test mode derives
//! the same id every time), and then recorded; if the writer already holds another intent for the order (another pages
//! instance won a race, or Stripe forgot the key after its 24 hours), the writer's
//! record wins: that intent is used and ours is cancelled.

use super::provider::{Intent, Provider, ProviderError};
use super::{PayError, Payments, writer_error};
use crate::writer::WriterError;
use storefront_domain::OrderState;
use storefront_domain::payments::{PaymentRecord, PaymentView, RecordIntent};

/// A pending order and the intent to pay it with.
pub struct Prepared {
    pub view: PaymentView,
    pub intent: Intent,
    /// The provider's name (`stripe` or `test`).
    pub provider: &'static str,
}

/// The intent for order `number`. The provider is told the writer's canonical number
/// only (idempotency key, metadata, test-mode ids), never the spelling in the URL, so
/// every spelling of one order is one intent.
pub async fn prepare(p: &Payments<'_>, number: &str) -> Result<Prepared, PayError> {
    let provider = p.checkout_provider()?;
    let view = payable(p.payment_view(number).await?)?;
    let number = view.order_number.clone();
    let number = number.as_str();
    // The usual repeat visit: the recorded intent, brought to the order's total if the
    // shopper changed the order since (never a second intent).
    if let Some(record) = &view.payment {
        usable(&provider, &view, record)?;
        let intent = provider
            .recorded_intent(record)
            .await
            .map_err(PayError::Provider)?;
        let intent = follow_total(&provider, &view, intent).await?;
        return ready(view, intent, &provider);
    }
    let created = provider
        .create_intent(number, &view.total)
        .await
        .map_err(PayError::Provider)?;
    record(p, &provider, number, created).await
}

/// The intent at the order's total: an intent that awaits payment and is for another
/// amount (the order was changed; the courier's `update_amount` may not have run yet) is
/// updated at the provider now, before anybody is shown it.
async fn follow_total(
    provider: &Provider<'_>,
    view: &PaymentView,
    intent: Intent,
) -> Result<Intent, PayError> {
    if intent.amount == view.total || !intent.awaits_payment() {
        return Ok(intent);
    }
    let updated = provider
        .update_amount(&intent.id, &view.total)
        .await
        .map_err(PayError::Provider)?;
    Ok(Intent {
        client_secret: intent.client_secret,
        ..updated
    })
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
    let (status, refusal) = match p.writer.record_intent(number, &body).await {
        Ok(view) => return ready(view, created, provider),
        Err(WriterError::Rejected { status, body }) => (status, body),
        Err(e) => return Err(writer_error(e)),
    };
    match (status, refusal.error.code.as_str()) {
        (409, "intent_already_recorded") => {
            let view = payable(p.payment_view(number).await?)?;
            match view.payment.clone() {
                Some(r) if r.intent_id == created.id => ready(view, created, provider),
                Some(r) => {
                    usable(provider, &view, &r)?;
                    adopt(provider, view, &r, created).await
                }
                None => Err(PayError::Provider(ProviderError::Broken(format!(
                    "writer said an intent is recorded for {number} but shows none"
                )))),
            }
        }
        (409, "not_payable") => Err(PayError::not_payable(&p.payment_view(number).await?)),
        (422, "amount_mismatch") => Err(PayError::Provider(ProviderError::Broken(format!(
            "intent {} for {number} is for {}, the writer wants another amount: {}",
            created.id, created.amount, refusal.error.message
        )))),
        _ => Err(writer_error(WriterError::Rejected {
            status,
            body: refusal,
        })),
    }
}

/// The writer holds another intent than the one just created: use the recorded one and
/// cancel ours, so that only one intent per order can ever be paid.
async fn adopt(
    provider: &Provider<'_>,
    view: PaymentView,
    record: &PaymentRecord,
    ours: Intent,
) -> Result<Prepared, PayError> {
    eprintln!(
        "order {}: using recorded intent {} instead of {}",
        view.order_number, record.intent_id, ours.id
    );
    if let Err(e) = provider.cancel_intent(&ours.id).await {
        eprintln!(
            "order {}: could not cancel unused intent {}: {e:?}",
            view.order_number, ours.id
        );
    }
    let intent = provider
        .recorded_intent(record)
        .await
        .map_err(PayError::Provider)?;
    ready(view, intent, provider)
}

/// Whether the recorded payment can still be paid with this provider.
fn usable(
    provider: &Provider<'_>,
    view: &PaymentView,
    record: &PaymentRecord,
) -> Result<(), PayError> {
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
    Ok(())
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
    use crate::security::signing::Key;
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
            amount_refunded: 0,
            refunds: Vec::new(),
        };
        let v = view(OrderState::PendingPayment);
        assert!(matches!(
            usable(&provider, &v, &record("stripe", "created")),
            Err(PayError::Conflict {
                code: "provider_mismatch",
                ..
            })
        ));
        for past in ["succeeded", "refund_requested", "refunded"] {
            assert!(matches!(
                usable(&provider, &v, &record("test", past)),
                Err(PayError::NotPayable { .. })
            ));
        }
        for open in ["created", "failed"] {
            assert!(usable(&provider, &v, &record("test", open)).is_ok());
        }
    }
}
