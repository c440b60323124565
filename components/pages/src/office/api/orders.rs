//! The owner's orders in the JSON API: the order list, one order as the owner sees it,
//! shipping or cancelling one (refunds live in [`crate::payments::refund`]), and adding
//! an internal note to one.

use crate::http::json::writer_failed;
use crate::http::{Req, Resp};
use crate::office::orders::transition::move_order;
use crate::payments::Payments;
use crate::security::owner_token;
use crate::writer::WriterClient;
use serde::Deserialize;
use storefront_domain::order_list::OrderListQuery;
use storefront_domain::{OrderState, TransitionRequest};

/// What `POST /admin/orders/{number}/fulfil` may carry (no body: neither).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Shipping {
    #[serde(default)]
    tracking_number: Option<String>,
    #[serde(default)]
    tracking_carrier: Option<String>,
}

/// `POST /admin/orders/{number}/fulfil` and `/cancel`: the shop owner ships an order
/// (`paid → fulfilled`, optionally with `{"tracking_number": …, "tracking_carrier": …}`),
/// or cancels an unpaid one (`pending_payment → cancelled`, which returns its stock) or a
/// paid, unshipped one (`paid → cancelled`: refunded and restocked in one step). Answers
/// the order, or the writer's refusal (409 for an illegal transition, such as
/// cancelling a shipped order). See [`move_order`].
pub async fn transition(p: &Payments<'_>, number: &str, to: OrderState, req: &Req) -> Resp {
    let shipping: Shipping =
        if to != OrderState::Fulfilled || req.body.iter().all(u8::is_ascii_whitespace) {
            Shipping::default()
        } else {
            match crate::http::json::parse_json(
                &req.body,
                "shipping details (`{\"tracking_number\": \"…\", \"tracking_carrier\": \"dhl\"}`, \
                 or no body)",
            ) {
                Ok(shipping) => shipping,
                Err(resp) => return resp,
            }
        };
    let request = TransitionRequest {
        to,
        tracking_number: shipping.tracking_number,
        tracking_carrier: shipping.tracking_carrier,
    };
    match move_order(p, number, &request, owner_token::ACTOR, None).await {
        Ok(moved) => Resp::json(moved.status, &moved.order),
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

/// `GET /admin/orders/{number}`: one order as the owner sees it (the writer's owner view:
/// history, payment, restocks and the internal `notes`), forwarded unchanged.
pub async fn owner_order(writer: &WriterClient, number: &str) -> Resp {
    let answer = writer
        .forward(
            spin_sdk::http::Method::Get,
            &format!("/admin/orders/{number}"),
            None,
            None,
        )
        .await;
    crate::http::json::forwarded(answer)
}

/// `POST /admin/orders/{number}/notes` `{"body"}` with an `Idempotency-Key`: an internal
/// note, forwarded to the writer's command (its author: the actor `admin-token`).
pub async fn add_note(writer: &WriterClient, req: &Req, number: &str) -> Resp {
    let key = match crate::http::json::idempotency_key(req) {
        Ok(key) => key,
        Err(resp) => return resp,
    };
    let answer = writer
        .forward(
            spin_sdk::http::Method::Post,
            &format!("/admin/orders/{number}/notes"),
            Some(req.body.clone()),
            Some(key),
        )
        .await;
    crate::http::json::forwarded(answer)
}
