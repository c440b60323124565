//! The writer's orders: quotes, placing an order, changing an unpaid one, reading one, moving it (ship,
//! cancel), the owner's list, one order with its history, and the export.

use super::{Answer, WriterClient, WriterError, decoded, found};
use spin_sdk::http::Method;
use storefront_domain::catalog::ACTOR;
use storefront_domain::order_export::OrderExport;
use storefront_domain::order_list::{OrderList, OrderListQuery};
use storefront_domain::owner_orders::OwnerOrder;
use storefront_domain::{
    CLIENT_KEY, IDEMPOTENCY_KEY, OrderRequest, OrderView, Quote, QuoteRequest, TransitionRequest,
};

impl WriterClient {
    /// Prices `request`'s lines and, with a destination, its shipping, tax and discount,
    /// for `client` (the pseudonymous key the limit on guessing discount codes counts by).
    pub async fn quote(&self, request: &QuoteRequest, client: &str) -> Result<Quote, WriterError> {
        let body = serde_json::to_vec(request).expect("request bodies always serialise");
        let headers = [(CLIENT_KEY, client)];
        Ok(self
            .call(Method::Post, "/orders/quote", Some(body), &headers)
            .await?
            .value)
    }

    /// Places an order for `client` (the pseudonymous key the per-client limits count by).
    pub async fn place_order(
        &self,
        order: &OrderRequest,
        idempotency_key: &str,
        client: &str,
    ) -> Result<Answer<OrderView>, WriterError> {
        let answer = self
            .place_order_json_text(order, idempotency_key, client)
            .await?;
        decoded(&Method::Post, "/orders", answer)
    }

    /// [`Self::place_order`] with the writer's answer as the JSON text it wrote, for the
    /// public API to pass on without decoding and encoding it again.
    pub async fn place_order_json_text(
        &self,
        order: &OrderRequest,
        idempotency_key: &str,
        client: &str,
    ) -> Result<Answer<Vec<u8>>, WriterError> {
        let body = serde_json::to_vec(order).expect("request bodies always serialise");
        let headers = [(IDEMPOTENCY_KEY, idempotency_key), (CLIENT_KEY, client)];
        self.call_bytes(Method::Post, "/orders", Some(body), &headers)
            .await
    }

    /// Changes the shopper's unpaid order `number` (address, shipping method, discount
    /// code; its lines stay): the order priced again, as the writer answers it.
    pub async fn change_order(
        &self,
        number: &str,
        order: &OrderRequest,
        idempotency_key: &str,
    ) -> Result<OrderView, WriterError> {
        let body = serde_json::to_vec(order).expect("request bodies always serialise");
        let path = format!("/orders/{number}/change");
        let headers = [(IDEMPOTENCY_KEY, idempotency_key)];
        Ok(self
            .call(Method::Post, &path, Some(body), &headers)
            .await?
            .value)
    }

    /// `None` if there is no such order. `number` must be checked by the caller (see
    /// [`storefront_domain::order_number::normalize`]).
    pub async fn order(&self, number: &str) -> Result<Option<OrderView>, WriterError> {
        found(self.get(&format!("/orders/{number}")).await)
    }

    /// Asks the writer to move an order (for `actor`, named in its history), with the
    /// status it answered: 202 for a cancellation that waits for the payment provider.
    /// With an idempotency key, a repeat is answered with the first answer (`replayed`).
    pub async fn transition(
        &self,
        number: &str,
        request: &TransitionRequest,
        actor: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Answer<OrderView>, WriterError> {
        let path = format!("/orders/{number}/transitions");
        let body = serde_json::to_vec(request).expect("request bodies always serialise");
        let mut headers = vec![(ACTOR, actor)];
        if let Some(key) = idempotency_key {
            headers.push((IDEMPOTENCY_KEY, key));
        }
        self.call(Method::Post, &path, Some(body), &headers).await
    }

    /// One page of the shop owner's order list, newest first.
    pub async fn list_orders(&self, query: &OrderListQuery) -> Result<OrderList, WriterError> {
        self.get(&format!("/admin/orders?{}", query.to_query()))
            .await
    }

    /// The owner's view of one order; `None` if there is none. `number` is canonical.
    pub async fn owner_order(&self, number: &str) -> Result<Option<OwnerOrder>, WriterError> {
        found(
            self.call(Method::Get, &format!("/admin/orders/{number}"), None, &[])
                .await
                .map(|answer| answer.value),
        )
    }

    /// One page of the orders placed on the UTC days `from`..=`to` (checked `YYYY-MM-DD`
    /// by the caller): at most `rows`, after the cursor `after` of the page before.
    pub async fn export_orders(
        &self,
        from: &str,
        to: &str,
        after: Option<&str>,
        rows: i64,
    ) -> Result<OrderExport, WriterError> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("from", from)
            .append_pair("to", to)
            .append_pair("rows", &rows.to_string());
        if let Some(after) = after {
            query.append_pair("after", after);
        }
        let query = query.finish();
        Ok(self
            .call(
                Method::Get,
                &format!("/admin/export/orders?{query}"),
                None,
                &[],
            )
            .await?
            .value)
    }
}
