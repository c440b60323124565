//! The owner's outbox routes under `/admin/…` (the owner's token), forwarded to the
//! writer's route of the same path: `GET /admin/outbox?state=&limit=&before=` (every
//! message and its delivery state), `GET /admin/mail?limit=&before=` (the local
//! mailbox), `GET|POST /admin/webhooks` and `POST /admin/webhooks/{id}/deactivate` (the
//! owner's webhook endpoints). The writer validates; its answer comes back unchanged.

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
        writer
            .forward(Method::Post, &path, Some(req.body.clone()), None)
            .await
    };
    json::forwarded(answer)
}
