//! `/admin/webhooks/{id}`: one webhook endpoint's delivery log (its last deliveries from
//! the outbox: event, when, the result, the endpoint's status code or error, attempts)
//! and its "Send a test event" button (`POST /admin/webhooks/{id}/test`), which writes a
//! `ping` message for this endpoint only to the outbox; the dispatcher delivers it like
//! every other event, signed, with retries, and its result shows up here.

use super::Office;
use super::layout::csrf_field;
use super::settings::{Outcome, command, form_key, key_field};
use crate::http::Resp;
use crate::security::signing::random_hex;
use crate::writer::WriterError;
use maud::html;
use spin_sdk::http::Method;
use storefront_domain::outbox::{DELIVERY_LOG, Delivery, EndpointLog, TEST_EVENT};

/// An id that can be one (the table checks digits; this keeps the writer's path short).
fn valid(id: &str) -> bool {
    !id.is_empty() && id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit())
}

/// What became of a delivery, in the owner's words.
fn result(d: &Delivery) -> String {
    match (d.state.as_str(), d.last_error.as_deref()) {
        ("delivered", _) => "Delivered: the endpoint answered 2xx".into(),
        ("given_up", Some(e)) => format!("Given up: {e}"),
        ("given_up", None) => "Given up".into(),
        (_, Some(e)) => format!("Waiting for a retry: {e}"),
        _ => "Waiting to be sent".into(),
    }
}

/// `GET /admin/webhooks/{id}`.
pub async fn show(office: &Office<'_>, id: &str) -> Resp {
    if !valid(id) {
        return office.not_found();
    }
    let path = format!("/admin/webhooks/{id}/deliveries");
    let log = match office
        .writer
        .call::<EndpointLog>(Method::Get, &path, None, &[])
        .await
    {
        Ok(answer) => answer.value,
        Err(WriterError::Rejected { status: 404, .. }) => return office.not_found(),
        Err(e) => return office.writer_failed(e),
    };
    let endpoint = &log.endpoint;
    let body = html! {
        h1 { "Webhook endpoint" }
        p { code { (endpoint.url) } " · " (endpoint.events.join(", ")) " · "
            @if endpoint.active { "active" } @else { "deactivated" } }
        @if endpoint.active {
            form.inline method="post" action={ "/admin/webhooks/" (endpoint.id) "/test" } {
                (csrf_field(office))
                (key_field(&random_hex(16)))
                button.primary type="submit" { "Send a test event" }
            }
            p.hint { "A " code { (TEST_EVENT) } " event goes to this endpoint only, signed like every \
                      other; reload this page to see what the endpoint answered." }
        }
        h2 #deliveries { "Latest deliveries" }
        @if log.deliveries.is_empty() {
            p { "Nothing was sent to this endpoint yet." }
        } @else {
            p.muted { "The last " (DELIVERY_LOG) ", newest first. Times are UTC." }
            div.table-wrap {
                table.list #delivery-log aria-labelledby="deliveries" {
                    thead { tr { th { "Event" } th { "When" } th { "Result" } th.num { "Attempts" } th { "Event id" } } }
                    tbody {
                        @for d in &log.deliveries {
                            tr {
                                td { code { (d.event) } @if let Some(n) = &d.order_number { " " a href={ "/admin/orders/" (n) } { (n) } } }
                                td { (d.created_at.replace('T', " ").trim_end_matches('Z')) }
                                td { (result(d)) }
                                td.num { (d.attempts) }
                                td { code { (d.message_id) } }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/admin/webhooks" { "Back to the endpoints" } }
    };
    office.page(200, "Webhook endpoint", body)
}

/// `POST /admin/webhooks/{id}/test`.
pub async fn send_test(office: &Office<'_>, id: &str) -> Resp {
    if !valid(id) {
        return office.not_found();
    }
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let path = format!("/admin/webhooks/{id}/test");
    let here = format!("/admin/webhooks/{id}");
    match command::<Delivery>(
        office.writer,
        Method::Post,
        &path,
        &serde_json::json!({}),
        &form_key(&form),
    )
    .await
    {
        Outcome::Done(_) => office.done(
            &here,
            "Test event queued: it is sent within seconds; reload to see the answer.",
        ),
        Outcome::Invalid(message, _) => office.error(409, "That did not work", &message),
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
