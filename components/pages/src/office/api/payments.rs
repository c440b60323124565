//! The owner's review of a payment event the audit flags, in the JSON API.

use crate::http::json::{parse_json, writer_failed};
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use storefront_domain::FieldError;
use storefront_domain::payments::{ReviewRequest, review_note, valid_event_id};

/// `POST /admin/payment-events/{event_id}/review` with `{"note": "…"}`: the shop owner
/// records what they found and did about a payment event the audit flags (money for an
/// unknown order, a refund of more than was paid, an event deferred for too long). 201 with the
/// review; 200 if the same note was already recorded; 409 if the event needs no review
/// or was reviewed with another note.
pub async fn review_event(writer: &WriterClient, event_id: &str, req: &Req) -> Resp {
    if !valid_event_id(event_id) {
        return Resp::json_error(404, "not_found", "no such payment event");
    }
    let review: ReviewRequest = match parse_json(&req.body, "a review (`{\"note\": \"…\"}`)") {
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
