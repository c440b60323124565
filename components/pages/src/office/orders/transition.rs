//! Shipping or cancelling an order for the owner (the back office's forms and the JSON
//! API alike), running the payment courier at once when a cancellation needs the
//! provider (to cancel an intent first, or to refund a paid order).

use crate::payments::{Payments, courier};
use crate::writer::WriterError;
use storefront_domain::{OrderState, OrderView, TransitionRequest};

/// An order after [`move_order`]: 200, or 202 while the provider has not confirmed a
/// cancellation yet; `replayed` when the writer answered an earlier command's key.
pub struct Moved {
    pub status: u16,
    pub order: OrderView,
    pub replayed: bool,
}

/// Ships or cancels an order for `actor` (the owner's JSON API and the back office).
///
/// An unpaid order whose payment may still succeed is cancelled only once its intent is
/// cancelled at the provider: the writer answers 202 and records the provider call, and
/// the payment courier runs at once, so the usual answer is the cancelled order (200).
/// If the provider is slow or says the payment already succeeded, the answer is 202 with
/// the order still `pending_payment`; the courier finishes it later (or the order is paid).
///
/// A paid, unshipped order is cancelled at once (its goods back on the shelf) and its
/// money left is refunded through the same courier, which also runs at once.
pub async fn move_order(
    p: &Payments<'_>,
    number: &str,
    request: &TransitionRequest,
    actor: &str,
    idempotency_key: Option<&str>,
) -> Result<Moved, WriterError> {
    let answer = p
        .writer
        .transition(number, request, actor, idempotency_key)
        .await?;
    if answer.status != 202 {
        // A paid order just cancelled has its refund waiting in the provider action queue:
        // the courier asks the provider now rather than at its next round.
        if request.to == OrderState::Cancelled
            && !answer.replayed
            && let Err(resp) = courier::round(p).await
        {
            eprintln!(
                "order {number}: the payment courier could not run now: {}",
                resp.status
            );
        }
        return Ok(Moved {
            status: answer.status,
            order: answer.value,
            replayed: answer.replayed,
        });
    }
    if let Err(resp) = courier::round(p).await {
        eprintln!(
            "order {number}: the payment courier could not run now: {}",
            resp.status
        );
    }
    let order = p.writer.order(number).await?.unwrap_or(answer.value);
    Ok(Moved {
        status: if order.state == OrderState::Cancelled {
            200
        } else {
            202
        },
        order,
        replayed: answer.replayed,
    })
}
