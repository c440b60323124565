//! The shopper's orders in the JSON API: placing one (`POST /api/orders`), reading one
//! (`GET /api/orders/{number}`) and starting its payment (`POST /api/orders/{number}/payment`).
//!
//! Bodies are the domain's wire types and every error is an `ErrorBody`. Input is
//! validated here first so bad requests never reach the writer; the writer's own 4xx
//! answers are passed through unchanged.

use crate::http::json::{idempotency_key, not_found, parse_json, writer_failed};
use crate::http::{Req, Resp};
use crate::payments::{Payments, intent};
use crate::security::order_access;
use crate::writer::WriterClient;
use serde::Serialize;
use storefront_domain::{Money, OrderRequest, OrderView};

/// `GET /api/orders/{number}` (`number` is canonical: the router checked it), with the
/// order's token in the `Order-Token` header; 404 without it, as for no order at all.
pub async fn order(writer: &WriterClient, req: &Req, number: &str) -> Resp {
    match authorized(writer, req, number).await {
        Ok(order) => Resp::json(200, &order),
        Err(resp) => resp,
    }
}

/// Order `number` if the request holds its access token, else the 404 to answer.
async fn authorized(writer: &WriterClient, req: &Req, number: &str) -> Result<OrderView, Resp> {
    let presented = order_access::presented(req);
    match order_access::open(writer, number, presented.as_deref()).await {
        Ok(Some(order)) => Ok(order),
        Ok(None) => Err(not_found("no such order")),
        Err(e) => Err(writer_failed(e)),
    }
}

pub async fn place_order(writer: &WriterClient, req: &Req) -> Resp {
    let key = match idempotency_key(req) {
        Ok(key) => key,
        Err(resp) => return resp,
    };
    let order: OrderRequest = match parse_json(&req.body, "an order request") {
        Ok(order) => order,
        Err(resp) => return resp,
    };
    if let Err(fields) = order.validate() {
        return Resp::json_invalid("the order request is invalid", fields);
    }
    match writer
        .place_order_json_text(&order, key, req.client())
        .await
    {
        Ok(placed) => {
            let resp = Resp::json_text(placed.status, placed.value);
            if placed.replayed {
                resp.header("idempotent-replayed", "true")
            } else {
                resp
            }
        }
        Err(e) => writer_failed(e),
    }
}

/// `POST /api/orders/{number}/payment`: what a client needs to confirm the payment with
/// Stripe.js (or, in test mode, the test intent).
#[derive(Debug, Serialize)]
struct PaymentStart<'a> {
    intent_id: &'a str,
    client_secret: &'a str,
    /// Empty in test mode when no Stripe key is set.
    publishable_key: &'a str,
    amount: &'a Money,
    provider: &'a str,
}

/// Creates (or finds) the order's intent, like the HTML payment page; 409 if the order
/// is not awaiting payment.
pub async fn payment(p: &Payments<'_>, req: &Req, number: &str) -> Resp {
    if let Err(resp) = authorized(p.writer, req, number).await {
        return resp;
    }
    match intent::prepare(p, number).await {
        Ok(prepared) => {
            let start = PaymentStart {
                intent_id: &prepared.intent.id,
                client_secret: &prepared.intent.client_secret,
                publishable_key: &p.settings.stripe_publishable_key,
                amount: &prepared.intent.amount,
                provider: prepared.provider,
            };
            Resp::json(200, &start)
        }
        Err(e) => e.into_json(),
    }
}
