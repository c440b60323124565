//! `GET /admin/mail`: the local mailbox. Without an email API key (`email_api_key`),
//! the outbox's dispatcher delivers every email here instead, so a new owner reads the
//! confirmation of their first test order in the browser. Newest first, paginated;
//! each mail opens in place (`<details>`, no script) as the plain-text version the
//! shopper would get beside the HTML one.

use super::Office;
use crate::http::Resp;
use crate::layout::when;
use maud::html;

/// Mails per page.
pub const PAGE: i64 = 20;

pub async fn show(office: &Office<'_>) -> Resp {
    let before = office
        .req
        .query_param("before")
        .and_then(|b| b.parse::<i64>().ok())
        .filter(|b| *b > 0);
    let mailbox = match office.writer.mailbox(before).await {
        Ok(mailbox) => mailbox,
        Err(e) => return office.writer_failed(e),
    };
    let body = html! {
        h1 { "Mail" }
        p.muted {
            "Emails the shop sent while no email API key is set (the "
            code { "email_api_key" } " variable): they land here instead of in inboxes."
        }
        @if mailbox.mails.is_empty() {
            p { "No mail yet. Place a test order in the shop and its confirmation appears here." }
        } @else {
            ul.stack style="list-style:none;padding:0;max-width:none" {
                @for mail in &mailbox.mails {
                    li.tile {
                        details {
                            summary {
                                strong { (mail.subject) }
                                br;
                                span.muted { "To " (mail.recipient) " · " (when::human(&mail.delivered_at)) " · " (mail.event) }
                            }
                            pre style="white-space:pre-wrap;font-family:inherit" { (mail.text) }
                        }
                    }
                }
            }
            @if let Some(next) = mailbox.next_before {
                p { a href={ "/admin/mail?before=" (next) } { "Older mail" } }
            }
        }
    };
    office.ok("Mail", body)
}
