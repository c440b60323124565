//! The writer's payment ledger: an order's payment, intents, refunds, provider events,
//! the provider calls due, and the events waiting for the owner's review.

use super::{Answer, WriterClient, WriterError, found};
use spin_sdk::http::Method;
use storefront_domain::IDEMPOTENCY_KEY;
use storefront_domain::catalog::ACTOR;
use storefront_domain::owner_orders::{ReviewQueue, ReviewQueueQuery};
use storefront_domain::payments::{
    ActionReport, DueActions, EventReview, PaymentEvent, PaymentEventResult, PaymentView,
    RecordIntent, RefundAnswer, RefundReport, RequestRefund, ReviewRequest,
};

impl WriterClient {
    /// Where the order's payment stands; `None` if there is no such order.
    pub async fn payment(&self, number: &str) -> Result<Option<PaymentView>, WriterError> {
        found(self.get(&format!("/orders/{number}/payment")).await)
    }

    /// Records the intent made for the order. Not retried into a double: a second
    /// record is refused with 409 `intent_already_recorded`, which callers resolve.
    pub async fn record_intent(
        &self,
        number: &str,
        intent: &RecordIntent,
    ) -> Result<PaymentView, WriterError> {
        let path = format!("/orders/{number}/payment-intent");
        Ok(self.post(&path, intent, None).await?.value)
    }

    /// Records a refund the owner asks for (for `actor`), before the provider hears of
    /// it. The same key again answers with the same refund (200 rather than 201).
    pub async fn request_refund(
        &self,
        number: &str,
        request: &RequestRefund,
        actor: &str,
        idempotency_key: &str,
    ) -> Result<Answer<RefundAnswer>, WriterError> {
        let path = format!("/orders/{number}/refunds");
        let body = serde_json::to_vec(request).expect("request bodies always serialise");
        let headers = [(ACTOR, actor), (IDEMPOTENCY_KEY, idempotency_key)];
        self.call(Method::Post, &path, Some(body), &headers).await
    }

    /// Refund `seq` of an order, to drive one the provider has not answered on.
    pub async fn refund(&self, number: &str, seq: i64) -> Result<RefundAnswer, WriterError> {
        self.get(&format!("/orders/{number}/refunds/{seq}")).await
    }

    /// Records what the provider answered to refund `seq`.
    pub async fn refund_result(
        &self,
        number: &str,
        seq: i64,
        report: &RefundReport,
    ) -> Result<RefundAnswer, WriterError> {
        let path = format!("/orders/{number}/refunds/{seq}/result");
        Ok(self.post(&path, report, None).await?.value)
    }

    /// Forwards a verified provider event; the writer deduplicates by event id, so
    /// re-sending one (after a lost answer) is harmless.
    pub async fn payment_event(
        &self,
        event: &PaymentEvent,
    ) -> Result<PaymentEventResult, WriterError> {
        Ok(self.post("/payments/events", event, None).await?.value)
    }

    /// Records a human's review of a payment event. `event_id` must be checked by the
    /// caller (see `valid_event_id`). The same note again is answered, not recorded twice.
    pub async fn review_event(
        &self,
        event_id: &str,
        review: &ReviewRequest,
    ) -> Result<Answer<EventReview>, WriterError> {
        let path = format!("/admin/payment-events/{event_id}/review");
        self.post(&path, review, None).await
    }

    /// The provider calls the ledger wants made now (for the payment courier).
    pub async fn due_actions(&self) -> Result<DueActions, WriterError> {
        self.get("/provider-actions/due").await
    }

    /// Tells the writer what the provider answered to action `id`.
    pub async fn report_action(
        &self,
        id: i64,
        report: &ActionReport,
    ) -> Result<serde_json::Value, WriterError> {
        let path = format!("/provider-actions/{id}/result");
        Ok(self.post(&path, report, None).await?.value)
    }

    /// The payment events waiting for a review, newest first.
    pub async fn review_queue(&self, query: &ReviewQueueQuery) -> Result<ReviewQueue, WriterError> {
        Ok(self
            .call(
                Method::Get,
                &format!("/admin/payment-events?{}", query.to_query()),
                None,
                &[],
            )
            .await?
            .value)
    }
}
