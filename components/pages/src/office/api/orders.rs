//! The owner's orders in the JSON API: the order list, and shipping or cancelling one
//! (refunds live in [`crate::payments::refund`]).

use crate::http::json::writer_failed;
use crate::http::{Req, Resp};
use crate::office::orders::transition::move_order;
use crate::payments::Payments;
use crate::security::owner_token;
use crate::writer::WriterClient;
use storefront_domain::order_list::OrderListQuery;
use storefront_domain::{OrderState, TransitionRequest};

/// `POST /admin/orders/{number}/fulfil` and `/cancel`: the shop owner ships an order
/// (`paid → fulfilled`) or cancels an unpaid one (`pending_payment → cancelled`, which
/// returns its stock). Answers the order, or the writer's refusal (409 for an illegal
/// transition). See [`move_order`].
pub async fn transition(p: &Payments<'_>, number: &str, to: OrderState) -> Resp {
    let request = TransitionRequest {
        to,
        tracking_number: None,
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
