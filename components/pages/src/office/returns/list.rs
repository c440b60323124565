//! `GET /admin/returns`: the returns, those waiting for the owner first, then newest
//! first, a page at a time (`?after=` the writer's cursor).

use super::super::Office;
use super::view::{Draft, card};
use crate::http::Resp;
use maud::html;

/// The list, with `draft` shown at its return's refusal form (`status` 422 then).
pub async fn show_with(office: &Office<'_>, status: u16, draft: Option<&Draft>) -> Resp {
    let after = office
        .req
        .query_param("after")
        .filter(|a| a.len() <= 40 && a.bytes().all(|b| b.is_ascii_digit() || b == b'-'));
    let query = after
        .as_deref()
        .map_or(String::new(), |a| format!("after={a}"));
    let page = match office.writer.returns(&query).await {
        Ok(page) => page,
        Err(e) => return office.writer_failed(e),
    };
    let body = html! {
        h1 { "Returns" }
        p.muted { "Returns customers asked for, those waiting for your answer first. The \
                   return window is set under " a href="/admin/settings/returns" { "Settings" } "." }
        @if page.returns.is_empty() {
            p { "No returns yet." }
        }
        @for r in &page.returns { (card(office, r, true, draft)) }
        @if let Some(next) = &page.next {
            nav.pagination aria-label="Pages" {
                a href={ "/admin/returns?after=" (next) } { "Older returns →" }
            }
        }
    };
    office.page(status, "Returns", body)
}

/// `GET /admin/returns`.
pub async fn show(office: &Office<'_>) -> Resp {
    show_with(office, 200, None).await
}
