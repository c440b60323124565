//! `GET|POST /admin/webhooks` and `POST /admin/webhooks/{id}/deactivate`: the owner's
//! webhook endpoints (each one's delivery log and test event: [`super::webhook_log`]). Each gets the events it subscribed to, signed with its secret
//! (`Storefront-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`, see the README). The
//! writer answers a second "add" of an active URL with the endpoint it has, so a double
//! click adds one.

use super::{Office, layout};

use crate::http::Resp;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::outbox::{EVENTS, Endpoint, NewEndpoint};

/// The endpoints and the form for a new one.
pub async fn list(office: &Office<'_>) -> Resp {
    show(office, None, 200).await
}

/// The form's problem, shown next to the field it is about.
struct Problem {
    field: String,
    message: String,
    url: String,
}

async fn show(office: &Office<'_>, problem: Option<Problem>, status: u16) -> Resp {
    let list = match office.writer.endpoints().await {
        Ok(list) => list,
        Err(e) => return office.writer_failed(e),
    };
    let body = html! {
        h1 { "Webhooks" }
        p.muted { "The shop POSTs each event you choose to your endpoint, signed with its secret; an endpoint that does not answer 2xx gets it again later (up to 12 tries over about a day)." }
        @if list.endpoints.is_empty() {
            p { "No endpoints yet." }
        } @else {
            div.table-wrap {
                table.list {
                    thead { tr { th { "URL" } th { "Events" } th { "Secret" } th { "State" } th { span.visually-hidden { "Actions" } } } }
                    tbody {
                        @for endpoint in &list.endpoints { (row(office, endpoint)) }
                    }
                }
            }
        }
        h2 { "Add an endpoint" }
        (add_form(office, problem.as_ref()))
    };
    office.page(status, "Webhooks", body)
}

fn row(office: &Office<'_>, endpoint: &Endpoint) -> Markup {
    html! {
        tr {
            td { code { (endpoint.url) } br; a href={ "/admin/webhooks/" (endpoint.id) } { "Delivery log" span.visually-hidden { " of " (endpoint.url) } } }
            td { (endpoint.events.join(", ")) }
            td { details { summary { "Show" } code { (endpoint.secret) } } }
            td { @if endpoint.active { "Active" } @else { "Deactivated" } }
            td {
                @if endpoint.active {
                    form.inline method="post" action={ "/admin/webhooks/" (endpoint.id) "/deactivate" } {
                        (layout::csrf_field(office))
                        button type="submit" aria-label={ "Deactivate " (endpoint.url) } { "Deactivate" }
                    }
                }
            }
        }
    }
}

fn add_form(office: &Office<'_>, problem: Option<&Problem>) -> Markup {
    let error_for = |field: &str| {
        problem
            .filter(|p| p.field == field)
            .map(|p| p.message.clone())
    };
    let url_error = error_for("url");
    let events_error = error_for("events");
    html! {
        form.stack method="post" action="/admin/webhooks" novalidate {
            (layout::csrf_field(office))
            label for="url" {
                "Endpoint URL"
                input #url type="url" name="url" required maxlength="500"
                    value=(problem.map(|p| p.url.as_str()).unwrap_or(""))
                    aria-invalid=[url_error.as_ref().map(|_| "true")]
                    aria-describedby=[url_error.as_ref().map(|_| "url-error")];
            }
            @if let Some(e) = &url_error { p #url-error .field-error { (e) } }
            fieldset aria-describedby=[events_error.as_ref().map(|_| "events-error")] {
                legend { "Events" }
                label { input type="checkbox" name="events" value="*"; " All events" }
                @for event in EVENTS {
                    label { input type="checkbox" name="events" value=(event); " " (event) }
                }
            }
            @if let Some(e) = &events_error { p #events-error .field-error { (e) } }
            div { button.primary type="submit" { "Add endpoint" } }
        }
    }
}

pub async fn add(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let url = form.get("url").unwrap_or_default().trim().to_string();
    let mut events: Vec<String> = form.all("events").map(str::to_string).collect();
    if events.iter().any(|e| e == "*") {
        events = vec!["*".into()];
    }
    let new = NewEndpoint {
        url: url.clone(),
        events,
        secret: None,
    };
    match office.writer.add_endpoint(&new).await {
        Ok(endpoint) => office.done(
            "/admin/webhooks",
            format!(
                "Endpoint {} added. Its secret is in the list.",
                endpoint.url
            ),
        ),
        Err(WriterError::Rejected { status: 422, body }) => {
            let first = body.error.fields.first();
            let problem = Problem {
                field: first
                    .map(|f| f.field.clone())
                    .unwrap_or_else(|| "url".into()),
                message: first
                    .map(|f| format!("{} {}", label(&f.field), f.message))
                    .unwrap_or(body.error.message),
                url,
            };
            show(office, Some(problem), 422).await
        }
        Err(e) => office.writer_failed(e),
    }
}

fn label(field: &str) -> &str {
    match field {
        "url" => "The URL",
        "events" => "The events",
        other => other,
    }
}

/// Deactivates endpoint `id`; an id that cannot be one is no page, before the form is
/// looked at.
pub async fn deactivate(office: &Office<'_>, id: &str) -> Resp {
    if !(id.bytes().all(|b| b.is_ascii_digit()) && id.len() <= 18) {
        return office.not_found();
    }
    if let Err(resp) = office.form() {
        return resp;
    }
    match office.writer.deactivate_endpoint(id).await {
        Ok(endpoint) => office.done(
            "/admin/webhooks",
            format!("Endpoint {} deactivated.", endpoint.url),
        ),
        Err(e) => office.writer_failed(e),
    }
}
