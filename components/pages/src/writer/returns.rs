//! The writer's returns: an order's returns and whether another may be asked, the
//! shopper's request, the owner's decision and list, and the return window's setting.

use super::{Answer, WriterClient, WriterError};
use spin_sdk::http::Method;
use storefront_domain::IDEMPOTENCY_KEY;
use storefront_domain::catalog::ACTOR;
use storefront_domain::returns::{
    AcceptReturn, OrderReturns, RefuseReturn, RequestReturn, ReturnDecision, ReturnList,
    ReturnRecord, ReturnSettings,
};

impl WriterClient {
    /// Order `number`'s returns (the caller checked who may see the order).
    pub async fn order_returns(&self, number: &str) -> Result<OrderReturns, WriterError> {
        self.get(&format!("/orders/{number}/returns")).await
    }

    /// Asks for a return of order `number` under the form's key.
    pub async fn request_return(
        &self,
        number: &str,
        request: &RequestReturn,
        key: &str,
    ) -> Result<Answer<ReturnRecord>, WriterError> {
        self.post(&format!("/orders/{number}/returns"), request, Some(key))
            .await
    }

    /// Accepts return `id` as `actor`.
    pub async fn accept_return(
        &self,
        id: i64,
        accept: &AcceptReturn,
        actor: &str,
        key: &str,
    ) -> Result<ReturnDecision, WriterError> {
        let body = serde_json::to_vec(accept).expect("request bodies always serialise");
        let headers = [(ACTOR, actor), (IDEMPOTENCY_KEY, key)];
        let path = format!("/returns/{id}/accept");
        Ok(self
            .call(Method::Post, &path, Some(body), &headers)
            .await?
            .value)
    }

    /// Refuses return `id` as `actor`.
    pub async fn refuse_return(
        &self,
        id: i64,
        refuse: &RefuseReturn,
        actor: &str,
        key: &str,
    ) -> Result<ReturnDecision, WriterError> {
        let body = serde_json::to_vec(refuse).expect("request bodies always serialise");
        let headers = [(ACTOR, actor), (IDEMPOTENCY_KEY, key)];
        let path = format!("/returns/{id}/refuse");
        Ok(self
            .call(Method::Post, &path, Some(body), &headers)
            .await?
            .value)
    }

    /// A page of the back office's returns (`query`: `after=` or nothing).
    pub async fn returns(&self, query: &str) -> Result<ReturnList, WriterError> {
        self.get(&format!("/admin/returns?{query}")).await
    }

    /// The shop's return window.
    pub async fn return_settings(&self) -> Result<ReturnSettings, WriterError> {
        self.get("/admin/settings/returns").await
    }
}
