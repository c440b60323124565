//! The `pages` component: the module map and the entry point.
//!
//! Reads the request (body capped by the route table, [`routes::body_cap`]), routes it
//! through the one route table ([`routes`]) to the HTML shop ([`shop`]), the JSON API
//! ([`api`]), the payment provider's webhook ([`payments`]) or the back office and the
//! owner's JSON API ([`office`]), and writes the answer. It holds no database permission:
//! all data comes from the writer over HTTP ([`writer`]).
//!
//! The handler takes the raw `IncomingRequest`/`ResponseOutparam` pair rather than
//! `Request`/`Response` ([`http::incoming`]): the body can be refused once it passes the
//! cap, and a page may need to set more than one cookie.

mod api;
mod config;
mod http;
mod i18n;
mod layout;
mod office;
mod outbox;
mod payments;
mod routes;
mod security;
mod shop;
mod writer;

use http::incoming::{self, BodyError};
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(request: IncomingRequest, out: ResponseOutparam) {
    let (mut req, content_length) = incoming::head(&request);
    let cap = routes::body_cap(&req.path);
    let body = if content_length.is_some_and(|n| n > cap as u64) {
        Err(BodyError::TooLarge)
    } else {
        incoming::read_body(request, cap).await
    };
    let resp = match body {
        Ok(bytes) => {
            req.body = bytes;
            routes::dispatch::respond(&mut req, None).await
        }
        Err(e) => routes::dispatch::respond(&mut req, Some(e)).await,
    };
    incoming::write(out, resp).await;
}
