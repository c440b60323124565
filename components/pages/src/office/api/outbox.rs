//! The owner's outbox routes under `/admin/…` (admin bearer token), forwarded to the
//! writer's route of the same path: `GET /admin/outbox?state=&limit=&before=` (every
//! message and its delivery state), `GET /admin/mail?limit=&before=` (the local
//! mailbox), `GET|POST /admin/webhooks` and `POST /admin/webhooks/{id}/deactivate` (the
//! owner's webhook endpoints). The writer validates; its answer comes back unchanged.

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;

/// The writer path for `/admin/{rest}` and the methods it takes, or `None`.
pub fn target(rest: &[&str]) -> Option<(String, &'static str)> {
    let id = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    let allow = match rest {
        ["outbox"] | ["mail"] => "GET",
        ["webhooks"] => "GET, POST",
        ["webhooks", i, "deactivate"] if id(i) => "POST",
        _ => return None,
    };
    Some((format!("/admin/{}", rest.join("/")), allow))
}

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

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn only_outbox_paths_are_targets() {
        let t = |p: &str| target(&p.split('/').collect::<Vec<_>>());
        assert_eq!(t("outbox"), Some(("/admin/outbox".into(), "GET")));
        assert_eq!(t("webhooks/12/deactivate").unwrap().1, "POST");
        assert!(t("webhooks/x/deactivate").is_none());
        assert!(t("outbox/claim").is_none());
    }
}
