//! The HTTP client for the writer: the only way this component reads or changes data.
//!
//! A 503 or a failed connection is retried with the very same request (and so the same
//! idempotency key) with backoff for a bounded time: the writer may be restarting
//! (stop-then-start deploys) and a replayed command is answered, not applied twice.
//! Other 5xx answers are not retried: they are bugs, not weather.

use serde::Serialize;
use serde::de::DeserializeOwned;
use spin_sdk::http::{ErrorCode, Method, Request, Response, SendError, send};
use std::time::{Duration, Instant};
use storefront_domain::catalog::{ACTOR, SearchResults};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::order_list::{OrderList, OrderListQuery};
use storefront_domain::payments::{
    ActionReport, DueActions, EventReview, PaymentEvent, PaymentEventResult, PaymentView,
    RecordIntent, RefundAnswer, RefundReport, RequestRefund, ReviewRequest,
};
use storefront_domain::stock::{StockAdjustment, StockAdjustmentRequest};
use storefront_domain::{
    CLIENT_KEY, ErrorBody, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, OrderRequest, OrderView, Product,
    Quote, QuoteRequest, TransitionRequest,
};

/// Total time spent retrying an unavailable writer before telling the shopper.
const RETRY_BUDGET: Duration = Duration::from_secs(10);
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Why a writer call did not produce the wanted value.
#[derive(Debug, Clone)]
pub enum WriterError {
    /// 503 or no connection for the whole retry budget: answer 503 with `Retry-After`.
    Unavailable,
    /// Another 5xx or an unreadable answer: answer 502. Details were logged.
    Broken,
    /// A 4xx with the writer's error body, for the caller to interpret.
    Rejected { status: u16, body: ErrorBody },
}

/// A catalog read with the shop settings beside it (`with_settings=1`).
#[derive(serde::Deserialize)]
pub struct WithSettings<T> {
    pub list: T,
    pub settings: ShopSettings,
}

/// A successful answer: status, parsed body, and whether it was an idempotent replay.
pub struct Answer<T> {
    pub status: u16,
    pub value: T,
    pub replayed: bool,
}

pub struct WriterClient {
    base: String,
    token: String,
}

impl WriterClient {
    pub fn new(base: &str, token: &str) -> WriterClient {
        WriterClient {
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    /// One page of the catalog as cards (`query` is `limit=&offset=&fields=card…`, built
    /// by the caller from checked values), with the shop settings read in the same writer
    /// call (`with_settings=1`): a catalog page needs both, and each writer call is a
    /// component instance of its own. The JSON text, for the caller to decode borrowing
    /// from it ([`decode`]).
    pub async fn products_with_settings(&self, query: &str) -> Result<Vec<u8>, WriterError> {
        self.get_json_text(&format!("/catalog/products?{query}&with_settings=1"))
            .await
    }

    /// `None` if there is no such collection; `slug` checked by the caller. With the shop
    /// settings, as [`Self::products_with_settings`].
    pub async fn collection_with_settings(
        &self,
        slug: &str,
        query: &str,
    ) -> Result<Option<Vec<u8>>, WriterError> {
        found(
            self.get_json_text(&format!(
                "/catalog/collections/{slug}?{query}&with_settings=1"
            ))
            .await,
        )
    }

    /// `query` is `q=&limit=&offset=`, encoded by the caller.
    pub async fn search(&self, query: &str) -> Result<SearchResults, WriterError> {
        self.get(&format!("/catalog/search?{query}")).await
    }

    /// An image's content type and bytes; `None` if the writer has no such image.
    /// `hash` checked by the caller.
    pub async fn image(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, WriterError> {
        let url = format!("{}/catalog/images/{hash}", self.base);
        let response = self.send(Method::Get, &url, None, &[]).await?;
        match *response.status() {
            200 => {
                let content_type = response
                    .header("content-type")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string();
                Ok(Some((content_type, response.body().to_vec())))
            }
            404 => Ok(None),
            status => {
                eprintln!("writer GET /catalog/images/{hash}: answered {status}");
                Err(WriterError::Broken)
            }
        }
    }

    /// An owner's catalog command or read, passed on as is: the writer's status, body and
    /// whether it was an idempotent replay. `path_and_query` is built by the caller from
    /// checked segments; the actor in the history is the admin token.
    pub async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Vec<u8>, bool), WriterError> {
        self.forward_as("admin-token", method, path_and_query, body, idempotency_key)
            .await
    }

    /// [`Self::forward`] naming `actor` in the command's history (the back office's
    /// commands are the owner's, [`crate::office::ACTOR`]).
    pub async fn forward_as(
        &self,
        actor: &str,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Vec<u8>, bool), WriterError> {
        let url = format!("{}{path_and_query}", self.base);
        let mut headers = vec![(ACTOR, actor)];
        if let Some(key) = idempotency_key {
            headers.push((IDEMPOTENCY_KEY, key));
        }
        let response = self.send(method, &url, body, &headers).await?;
        let status = *response.status();
        if status >= 500 {
            eprintln!("writer {path_and_query}: answered {status}");
            return Err(WriterError::Broken);
        }
        Ok((status, response.body().to_vec(), replayed(&response)))
    }

    /// `None` if the writer does not know the slug. Callers check the slug's syntax
    /// first, so it is safe to put in the path as is.
    pub async fn product(&self, slug: &str) -> Result<Option<Product>, WriterError> {
        found(self.get(&format!("/catalog/products/{slug}")).await)
    }

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

    /// The owner's shop settings: name, tagline, contact, legal texts.
    pub async fn settings(&self) -> Result<ShopSettings, WriterError> {
        self.get("/settings").await
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

    /// `None` if there is no such order. `number` must be checked by the caller (see
    /// [`storefront_domain::order_number::normalize`]).
    pub async fn order(&self, number: &str) -> Result<Option<OrderView>, WriterError> {
        found(self.get(&format!("/orders/{number}")).await)
    }

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

    /// Adds `delta` to a product's stock (negative takes away). `slug` must be checked
    /// by the caller; the key makes a retried adjustment a replay.
    pub async fn adjust_stock(
        &self,
        slug: &str,
        adjustment: &StockAdjustmentRequest,
        idempotency_key: &str,
    ) -> Result<Answer<StockAdjustment>, WriterError> {
        let path = format!("/admin/products/{slug}/stock");
        self.post(&path, adjustment, Some(idempotency_key)).await
    }

    /// One page of the shop owner's order list, newest first.
    pub async fn list_orders(&self, query: &OrderListQuery) -> Result<OrderList, WriterError> {
        self.get(&format!("/admin/orders?{}", query.to_query()))
            .await
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

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, WriterError> {
        Ok(self.call(Method::Get, path, None, &[]).await?.value)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: Option<&str>,
    ) -> Result<Answer<T>, WriterError> {
        let body = serde_json::to_vec(body).expect("request bodies always serialise");
        match idempotency_key {
            Some(key) => {
                self.call(Method::Post, path, Some(body), &[(IDEMPOTENCY_KEY, key)])
                    .await
            }
            None => self.call(Method::Post, path, Some(body), &[]).await,
        }
    }

    /// A catalog read's JSON exactly as the writer wrote it, for the public API to pass on
    /// without decoding and encoding it again (the shapes are the same by contract).
    pub async fn get_json_text(&self, path: &str) -> Result<Vec<u8>, WriterError> {
        Ok(self.call_bytes(Method::Get, path, None, &[]).await?.value)
    }

    /// Sends (and re-sends) one request and sorts the answer into success or [`WriterError`].
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Answer<T>, WriterError> {
        let answer = self.call_bytes(method.clone(), path, body, headers).await?;
        decoded(&method, path, answer)
    }

    /// [`Self::call`] without decoding a success's body.
    pub(crate) async fn call_bytes(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Answer<Vec<u8>>, WriterError> {
        let url = format!("{}{path}", self.base);
        let response = self.send(method.clone(), &url, body, headers).await?;
        let status = *response.status();
        let replayed = replayed(&response);
        match status {
            200..=299 => Ok(Answer {
                status,
                value: response.into_body(),
                replayed,
            }),
            400..=499 => {
                let body = serde_json::from_slice(response.body()).unwrap_or_else(|_| {
                    ErrorBody::new("writer_error", format!("the writer answered {status}"))
                });
                Err(WriterError::Rejected { status, body })
            }
            _ => {
                eprintln!(
                    "writer {method} {path}: answered {status}: {}",
                    String::from_utf8_lossy(&response.body()[..response.body().len().min(500)])
                );
                Err(WriterError::Broken)
            }
        }
    }
    /// Sends one request, re-sending it while the writer is unavailable (503 or no
    /// connection) within the retry budget.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Result<Response, WriterError> {
        let path = url.strip_prefix(self.base.as_str()).unwrap_or(url);
        let build = || {
            let mut req = Request::new(method.clone(), url);
            req.set_header("accept", "application/json");
            if !self.token.is_empty() {
                req.set_header("authorization", format!("Bearer {}", self.token));
            }
            for (name, value) in headers {
                req.set_header(*name, *value);
            }
            if let Some(body) = &body {
                req.set_header("content-type", "application/json");
                *req.body_mut() = body.clone();
            }
            req
        };

        let deadline = Instant::now() + RETRY_BUDGET;
        let mut delay = FIRST_DELAY;
        loop {
            let why = match send::<Request, Response>(build()).await {
                Ok(r) if *r.status() == 503 => "503 Service Unavailable".to_string(),
                Ok(r) => return Ok(r),
                Err(e) if is_misconfiguration(&e) => {
                    eprintln!(
                        "writer {method} {url}: {e:?}; check writer_url and allowed_outbound_hosts"
                    );
                    return Err(WriterError::Broken);
                }
                Err(e) => format!("connection failed: {e:?}"),
            };
            if Instant::now() + delay > deadline {
                eprintln!("writer {method} {path}: giving up after {RETRY_BUDGET:?}: {why}");
                return Err(WriterError::Unavailable);
            }
            eprintln!("writer {method} {path}: {why}; retrying in {delay:?}");
            // Blocking is fine: this instance serves this one request and nothing else.
            std::thread::sleep(delay);
            delay = (delay * 2).min(MAX_DELAY);
        }
    }
}

/// Failures that waiting cannot fix: the request is refused before it leaves (also
/// used for calls to the payment provider).
pub(crate) fn is_misconfiguration(e: &SendError) -> bool {
    matches!(
        e,
        SendError::RequestConversion(_)
            | SendError::Http(
                ErrorCode::HttpRequestDenied
                    | ErrorCode::HttpRequestUriInvalid
                    | ErrorCode::ConfigurationError
                    | ErrorCode::LoopDetected
            )
    )
}

/// Whether the writer answered a replay of an earlier command.
fn replayed(response: &Response) -> bool {
    response
        .header(IDEMPOTENT_REPLAYED)
        .and_then(|v| v.as_str())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// A writer answer's JSON (from [`WriterClient::get_json_text`]) decoded, borrowing from
/// `body` where `T` does; a body that does not decode is a broken writer.
pub fn decode<'a, T: serde::Deserialize<'a>>(what: &str, body: &'a [u8]) -> Result<T, WriterError> {
    serde_json::from_slice(body).map_err(|e| {
        eprintln!("writer GET {what}: unreadable body: {e}");
        WriterError::Broken
    })
}

/// Turns a 404 into `None`.
/// A successful answer's JSON body decoded; a body that does not decode is a broken writer.
fn decoded<T: DeserializeOwned>(
    method: &Method,
    path: &str,
    answer: Answer<Vec<u8>>,
) -> Result<Answer<T>, WriterError> {
    match serde_json::from_slice(&answer.value) {
        Ok(value) => Ok(Answer {
            status: answer.status,
            value,
            replayed: answer.replayed,
        }),
        Err(e) => {
            eprintln!(
                "writer {method} {path}: unreadable {} body: {e}",
                answer.status
            );
            Err(WriterError::Broken)
        }
    }
}

pub fn found<T>(result: Result<T, WriterError>) -> Result<Option<T>, WriterError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(WriterError::Rejected { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The cart line `N` that a writer field error `items[N]…` is about.
pub fn line_index(field: &str) -> Option<usize> {
    field
        .strip_prefix("items[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_indices_from_field_names() {
        assert_eq!(line_index("items[0].slug"), Some(0));
        assert_eq!(line_index("items[12].quantity"), Some(12));
        assert_eq!(line_index("items"), None);
        assert_eq!(line_index("email"), None);
        assert_eq!(line_index("items[x].slug"), None);
    }

    #[test]
    fn backoff_fits_the_budget() {
        // The sum of sleeps before giving up stays within the budget.
        let mut delay = FIRST_DELAY;
        let mut slept = Duration::ZERO;
        while slept + delay <= RETRY_BUDGET {
            slept += delay;
            delay = (delay * 2).min(MAX_DELAY);
        }
        assert!(slept <= RETRY_BUDGET);
        assert!(slept >= RETRY_BUDGET - MAX_DELAY);
    }
}
