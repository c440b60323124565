//! The admin routes (`/admin/…`, `Authorization: Bearer {admin_token}`): who may use
//! them, the order list and the order-handling ones (ship, cancel), stock adjustments
//! and the review of payment events the audit flags; refunds live in `payments::refund`.
//!
//! With an empty `admin_token` the routes do not exist (404), so a deployment that
//! never set one exposes nothing. Both tokens are hashed before the constant-time
//! comparison, so neither the content nor the length of the real token shows in
//! response timing.

use crate::api::{self, writer_failed};
use crate::payments::{Payments, courier};
use crate::web::{Req, Resp};
use crate::writer_client::{WriterClient, WriterError};
use sha2::{Digest, Sha256};
use storefront_domain::order::valid_slug;
use storefront_domain::order_list::OrderListQuery;
use storefront_domain::payments::{ReviewRequest, review_note, valid_event_id};
use storefront_domain::stock::StockAdjustmentRequest;
use storefront_domain::{
    FieldError, IDEMPOTENT_REPLAYED, OrderState, OrderView, TransitionRequest,
};
use subtle::ConstantTimeEq;

pub fn enabled(admin_token: &str) -> bool {
    !admin_token.is_empty()
}

/// Whether the request carries the admin token. Always false when admin is disabled.
pub fn authorized(req: &Req, admin_token: &str) -> bool {
    if !enabled(admin_token) {
        return false;
    }
    let Some(presented) = req.header("authorization").and_then(bearer) else {
        return false;
    };
    let presented = Sha256::digest(presented.as_bytes());
    let expected = Sha256::digest(admin_token.as_bytes());
    presented.ct_eq(&expected).into()
}

/// `POST /admin/orders/{number}/fulfil` and `/cancel`: the shop owner ships an order
/// (`paid → fulfilled`) or cancels an unpaid one (`pending_payment → cancelled`, which
/// returns its stock). Answers the order, or the writer's refusal (409 for an illegal
/// transition). See [`move_order`].
pub async fn transition(p: &Payments<'_>, number: &str, to: OrderState) -> Resp {
    let request = TransitionRequest {
        to,
        tracking_number: None,
    };
    match move_order(p, number, &request, "admin-token", None).await {
        Ok(moved) => Resp::json(moved.status, &moved.order),
        Err(e) => writer_failed(e),
    }
}

/// An order after [`move_order`]: 200, or 202 while the provider has not confirmed a
/// cancellation yet; `replayed` when the writer answered an earlier command's key.
pub struct Moved {
    pub status: u16,
    pub order: OrderView,
    pub replayed: bool,
}

/// Ships or cancels an order for `actor` (the admin JSON route and the back office).
///
/// An unpaid order whose payment may still succeed is cancelled only once its intent is
/// cancelled at the provider: the writer answers 202 and records the provider call, and
/// the payment courier runs at once, so the usual answer is the cancelled order (200).
/// If the provider is slow or says the payment already succeeded, the answer is 202 with
/// the order still `pending_payment`; the courier finishes it later (or the order is paid).
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

/// `POST /admin/payment-events/{event_id}/review` with `{"note": "…"}`: the shop owner
/// records what they found and did about a payment event the audit flags (money for an
/// unknown order, a refund of more than was paid, an event deferred for too long). 201 with the
/// review; 200 if the same note was already recorded; 409 if the event needs no review
/// or was reviewed with another note.
pub async fn review_event(writer: &WriterClient, event_id: &str, req: &Req) -> Resp {
    if !valid_event_id(event_id) {
        return Resp::json_error(404, "not_found", "no such payment event");
    }
    let review: ReviewRequest = match api::parse_json(&req.body, "a review (`{\"note\": \"…\"}`)")
    {
        Ok(review) => review,
        Err(resp) => return resp,
    };
    if let Err(message) = review_note(&review.note) {
        return Resp::json_invalid(
            &format!("note {message}"),
            vec![FieldError::new("note", message)],
        );
    }
    match writer.review_event(event_id, &review).await {
        Ok(answer) => Resp::json(answer.status, &answer.value),
        Err(e) => writer_failed(e),
    }
}

/// `GET /admin/orders?state=paid&limit=50&before=SF-…`: the shop owner's list of
/// orders, newest first (what to ship, what waits for payment). A bad or unknown
/// parameter is 422 before the writer is asked.
pub async fn list_orders(writer: &WriterClient, req: &Req) -> Resp {
    let query = match OrderListQuery::parse(&req.query) {
        Ok(query) => query,
        Err(fields) => return Resp::json_invalid("the order list query is invalid", fields),
    };
    match writer.list_orders(&query).await {
        Ok(list) => Resp::json(200, &list),
        Err(e) => writer_failed(e),
    }
}

/// `POST /admin/products/{slug}/stock` with an `Idempotency-Key` and
/// `{"delta": 12, "reason": "delivery"}`: the shop owner restocks a product (or takes
/// stock away, never below zero). 201 with the adjustment and the new stock; a retry
/// with the same key is answered with the recorded adjustment.
pub async fn adjust_stock(writer: &WriterClient, slug: &str, req: &Req) -> Resp {
    if !valid_slug(slug) {
        return Resp::json_error(404, "not_found", "no such product");
    }
    let key = match api::idempotency_key(req) {
        Ok(key) => key,
        Err(resp) => return resp,
    };
    let adjustment: StockAdjustmentRequest = match api::parse_json(
        &req.body,
        "a stock adjustment (`{\"delta\": 12, \"reason\": \"delivery\"}`)",
    ) {
        Ok(adjustment) => adjustment,
        Err(resp) => return resp,
    };
    if let Err(fields) = adjustment.validate() {
        return Resp::json_invalid("the stock adjustment is invalid", fields);
    }
    match writer.adjust_stock(slug, &adjustment, key).await {
        Ok(answer) if answer.replayed => {
            Resp::json(answer.status, &answer.value).header(IDEMPOTENT_REPLAYED, "true")
        }
        Ok(answer) => Resp::json(answer.status, &answer.value),
        Err(e) => writer_failed(e),
    }
}

/// The token of a `Bearer` credential (the scheme is case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(auth: Option<&str>) -> Req {
        Req::with_header("authorization", auth)
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let token = "admin-secret-0123456789";
        assert!(authorized(
            &with(Some("Bearer admin-secret-0123456789")),
            token
        ));
        assert!(authorized(
            &with(Some("bearer  admin-secret-0123456789 ")),
            token
        ));
        for bad in [
            None,
            Some(""),
            Some("Bearer"),
            Some("Bearer "),
            Some("Basic admin-secret-0123456789"),
            Some("admin-secret-0123456789"),
            Some("Bearer admin-secret-012345678"),
            Some("Bearer admin-secret-01234567890"),
        ] {
            assert!(!authorized(&with(bad), token), "{bad:?}");
        }
    }

    #[test]
    fn an_empty_token_disables_admin() {
        assert!(!enabled(""));
        assert!(!authorized(&with(Some("Bearer ")), ""));
        assert!(!authorized(&with(Some("Bearer x")), ""));
    }
}
