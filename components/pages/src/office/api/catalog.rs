//! The owner's catalog commands under `/admin/catalog/…` (the owner's token): each is
//! passed to the writer's route of the same path with its `Idempotency-Key`, the actor
//! `admin-token` and the body as sent (JSON, or an image's raw bytes), and the writer's
//! answer comes back unchanged. The writer validates and applies; the route table
//! lets through only paths that name something that can exist ([`crate::routes`]).
//!
//! Two owner reads sit beside the commands: `GET /admin/catalog/history`, and `GET
//! /admin/catalog/products[/{slug}]`, the catalog with archived products and variants
//! (the writer's `/catalog/products…?include_archived=1`).

use crate::http::json;
use crate::http::{Req, Resp};
use crate::writer::WriterClient;
use spin_sdk::http::Method;
use storefront_domain::FieldError;

/// The query parameters each command takes, re-encoded (anything else is 422).
fn query(req: &Req, writer_path: &str) -> Result<String, Resp> {
    let allowed: &[&str] = if writer_path.ends_with("/history") {
        &["limit", "before"]
    } else if req.method == "GET" && writer_path == "/admin/catalog/products" {
        &["collection", "limit", "offset"]
    } else if writer_path.ends_with("/images") {
        &["alt", "position"]
    } else {
        &[]
    };
    let mut out = form_urlencoded::Serializer::new(String::new());
    let mut unknown = Vec::new();
    for (name, value) in form_urlencoded::parse(req.query.as_bytes()) {
        if allowed.contains(&name.as_ref()) {
            out.append_pair(&name, &value);
        } else {
            unknown.push(FieldError::new(
                name.to_string(),
                "is not a known parameter",
            ));
        }
    }
    if !unknown.is_empty() {
        return Err(Resp::json_invalid("the query is invalid", unknown));
    }
    let out = out.finish();
    Ok(if out.is_empty() {
        out
    } else {
        format!("?{out}")
    })
}

pub async fn forward(writer: &WriterClient, req: &Req, writer_path: &str) -> Resp {
    let query = match query(req, writer_path) {
        Ok(query) => query,
        Err(resp) => return resp,
    };
    let answer = if req.method == "GET" {
        let path = match writer_path.strip_prefix("/admin") {
            // The owner's view of the catalog: archived products and variants included.
            Some(catalog) if catalog.starts_with("/catalog/products") => {
                let glue = if query.is_empty() { '?' } else { '&' };
                format!("{catalog}{query}{glue}include_archived=1")
            }
            _ => format!("{writer_path}{query}"),
        };
        writer.forward(Method::Get, &path, None, None).await
    } else {
        let key = match json::idempotency_key(req) {
            Ok(key) => key,
            Err(resp) => return resp,
        };
        let path = format!("{writer_path}{query}");
        writer
            .forward(Method::Post, &path, Some(req.body.clone()), Some(key))
            .await
    };
    json::forwarded(answer)
}
