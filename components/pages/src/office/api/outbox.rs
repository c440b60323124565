//! The owner's outbox routes under `/admin/…` (the owner's token), forwarded to the
//! writer's route of the same path: `GET /admin/outbox?state=&limit=&before=` (every
//! message and its delivery state), `GET /admin/mail?limit=&before=` (the local
//! mailbox), `GET|POST /admin/webhooks` and `POST /admin/webhooks/{id}/deactivate` (the
//! owner's webhook endpoints), `GET /admin/webhooks/{id}/deliveries` (an endpoint's
//! delivery log) and `POST /admin/webhooks/{id}/test` (a test event; a command, so it
//! carries its `Idempotency-Key`, passed on when sent). The writer validates; its answer
//! comes back unchanged.

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;

pub async fn forward(writer: &WriterClient, req: &Req, writer_path: &str) -> Resp {
    // Re-encoded, so whatever the client sent reaches the writer as plain pairs.
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(req.query.as_bytes()))
        .finish();
    let path = if query.is_empty() {
        writer_path.to_string()
    } else {
        format!("{writer_path}?{query}")
    };
    let answer = if req.method == "GET" {
        writer.forward(Method::Get, &path, None, None).await
    } else {
        let key = req
            .header(storefront_domain::IDEMPOTENCY_KEY)
            .map(str::trim)
            .filter(|k| !k.is_empty());
        writer
            .forward(Method::Post, &path, Some(req.body.clone()), key)
            .await
    };
    json::forwarded(answer)
}
