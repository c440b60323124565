//! The payment courier: carries out the provider calls the writer's ledger asks for
//! (`provider_actions`: cancel an intent that may still succeed before its order is
//! cancelled, refund money that arrived for a cancelled order) and reports each answer
//! back. The writer never calls out; this code has the provider's keys and outbound
//! access, so it does it for the writer.
//!
//! It runs as the `payment-courier` component of `spin.toml` (this same wasm with the
//! `role = "courier"` variable, on a private route next to the writer): the writer's host
//! calls `POST /run` on a timer. The admin cancel route also runs it at once, so an owner's
//! cancellation completes in the same request when the provider answers.
//!
//! Every call is idempotent at the provider (the cancel key is the intent's, the refund
//! key the canonical order number's) and every report is idempotent at the writer, so a
//! round that dies half way is simply done again.

use super::provider::ProviderError;
use super::{Payments, signature, test_mode, webhook};
use crate::http::Resp;
use serde::Serialize;
use storefront_domain::payments::{
    ActionReport, PROVIDER_STRIPE, PROVIDER_TEST, ProviderAction, ProviderActionKind,
};

/// What one round did.
#[derive(Debug, Default, Serialize)]
pub struct Round {
    pub done: usize,
    pub failed: usize,
    /// One line per action, for the log and the caller.
    pub results: Vec<String>,
}

/// `POST /run` (courier role): one round over the actions due now.
pub async fn run(p: &Payments<'_>) -> Resp {
    match round(p).await {
        Ok(round) => Resp::json(200, &round),
        Err(resp) => resp,
    }
}

/// Carries out every action the writer says is due (at most one page of them).
pub async fn round(p: &Payments<'_>) -> Result<Round, Resp> {
    let due = p
        .writer
        .due_actions()
        .await
        .map_err(crate::http::json::writer_failed)?;
    let mut round = Round::default();
    for action in &due.actions {
        let report = carry_out(p, action).await;
        let line = format!(
            "{:?} for {} (intent {}): {report:?}",
            action.kind, action.order_number, action.intent_id
        );
        eprintln!("payment courier: {line}");
        match p.writer.report_action(action.id, &report).await {
            Ok(_) if matches!(report, ActionReport::Failed { .. }) => round.failed += 1,
            Ok(_) => round.done += 1,
            Err(e) => {
                eprintln!(
                    "payment courier: could not report action {}: {e:?}",
                    action.id
                );
                round.failed += 1;
            }
        }
        round.results.push(line);
    }
    Ok(round)
}

/// Asks the provider to do `action`; what it answered.
async fn carry_out(p: &Payments<'_>, action: &ProviderAction) -> ActionReport {
    let failed = |error: String| ActionReport::Failed { error };
    match (action.provider.as_str(), action.kind) {
        (PROVIDER_STRIPE, kind) => {
            let stripe = match p.stripe() {
                Ok(stripe) => stripe,
                Err(_) => return failed("the Stripe keys are not configured".into()),
            };
            match kind {
                ProviderActionKind::CancelIntent => {
                    match stripe.cancel_intent(&action.intent_id).await {
                        Ok(()) => ActionReport::Canceled,
                        // Stripe refuses to cancel an intent that succeeded (or is processing):
                        // what it is now decides.
                        Err(refused) => match stripe.retrieve_intent(&action.intent_id).await {
                            Ok(intent) if intent.status == "canceled" => ActionReport::Canceled,
                            Ok(intent) if intent.status == "succeeded" => {
                                ActionReport::AlreadySucceeded
                            }
                            Ok(intent) => failed(format!(
                                "cancel refused ({}); the intent is {}",
                                describe(&refused),
                                intent.status
                            )),
                            Err(e) => failed(describe(&e)),
                        },
                    }
                }
                ProviderActionKind::UpdateAmount => {
                    match stripe
                        .update_amount(&action.intent_id, &action.amount)
                        .await
                    {
                        Ok(intent) if intent.amount == action.amount => ActionReport::Updated,
                        Ok(intent) => failed(format!(
                            "asked for {} but the intent is for {}",
                            action.amount, intent.amount
                        )),
                        Err(e) => failed(describe(&e)),
                    }
                }
                ProviderActionKind::Refund => {
                    match stripe
                        .create_refund(
                            &action.intent_id,
                            &action.order_number,
                            None,
                            &format!("storefront-refund-{}", action.order_number),
                        )
                        .await
                    {
                        Ok(refund) => ActionReport::RefundRequested {
                            refund_id: refund.id,
                        },
                        Err(e) => failed(describe(&e)),
                    }
                }
            }
        }
        // Test intents exist only in this shop: nothing outside can pay a cancelled one.
        (PROVIDER_TEST, ProviderActionKind::CancelIntent) => ActionReport::Canceled,
        (PROVIDER_TEST, ProviderActionKind::Refund) => test_refund(p, action).await,
        // A test intent's amount is the payment's, read from the ledger each time.
        (PROVIDER_TEST, ProviderActionKind::UpdateAmount) => ActionReport::Updated,
        (other, _) => failed(format!("unknown provider {other:?}")),
    }
}

/// A test-mode refund: record the derived refund id, then the provider's confirmation
/// comes as a signed `charge.refunded` event through the webhook path, like a real one.
async fn test_refund(p: &Payments<'_>, action: &ProviderAction) -> ActionReport {
    let secret = match p.test_webhook_secret() {
        Ok(secret) => secret,
        Err(_) => {
            return ActionReport::Failed {
                error: "stripe_webhook_secret is empty; test refunds are signed events".into(),
            };
        }
    };
    let refund_id = test_mode::refund_id(p.key, &action.order_number);
    let report = ActionReport::RefundRequested {
        refund_id: refund_id.clone(),
    };
    if let Err(e) = p.writer.report_action(action.id, &report).await {
        return ActionReport::Failed {
            error: format!("recording the test refund: {e:?}"),
        };
    }
    let now = i64::try_from(p.now).unwrap_or(i64::MAX);
    let body = test_mode::refunded_event(
        p.key,
        &action.order_number,
        &action.intent_id,
        &action.amount,
        now,
    );
    let header = signature::header(secret, now, body.as_bytes());
    if let Err(e) = webhook::process(p, body.as_bytes(), Some(&header), PROVIDER_TEST).await {
        eprintln!("payment courier: test refund event refused: {e:?}");
    }
    report
}

fn describe(e: &ProviderError) -> String {
    match e {
        ProviderError::Unavailable(why) => format!("provider unavailable: {why}"),
        ProviderError::Refused {
            status, message, ..
        } => format!("provider refused ({status}): {message}"),
        ProviderError::Broken(why) => format!("unexpected provider answer: {why}"),
    }
}
