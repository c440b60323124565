//! The owner's checkout settings under `/admin/…` (the owner's token), forwarded to the
//! writer's route of the same path like the catalog commands ([`crate::office::api::catalog`]):
//! `GET|PUT /admin/settings`, `GET|POST /admin/discounts`, `POST
//! /admin/discounts/{code}[/deactivate]`, `GET /admin/shipping`, `POST
//! /admin/shipping/methods/{code}`, `POST /admin/shipping/zones[/{id}[/methods]]`, `GET /admin/tax-rates`, `POST /admin/tax-rates/{country}`.
//! Commands carry their `Idempotency-Key`; the writer validates and applies, and its
//! answer comes back unchanged. Paths that cannot name anything never reach it
//! ([`crate::routes`]).

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;

pub async fn forward(writer: &WriterClient, req: &Req, writer_path: &str) -> Resp {
    if !req.query.is_empty() {
        return Resp::json_error(422, "invalid_request", "these routes take no query");
    }
    let answer = match req.method.as_str() {
        "GET" => {
            // The writer serves the settings to every page at `/settings`.
            let path = if writer_path == "/admin/settings" {
                "/settings"
            } else {
                writer_path
            };
            writer.forward(Method::Get, path, None, None).await
        }
        method => {
            let key = match json::idempotency_key(req) {
                Ok(key) => key,
                Err(resp) => return resp,
            };
            let method = if method == "PUT" {
                Method::Put
            } else {
                Method::Post
            };
            writer
                .forward(method, writer_path, Some(req.body.clone()), Some(key))
                .await
        }
    };
    json::forwarded(answer)
}
