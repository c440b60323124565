//! The notes on an order in the back office: the shopper's note from checkout (their
//! words, escaped like everything else), and the owner's internal notes with who wrote
//! each and when, and the form that adds one: `POST /admin/orders/{number}/notes`, a
//! writer command with the drawn form's idempotency key (a resubmitted form adds the note
//! once). An empty or too long note is the order page again, 422, with the error at the
//! field and the text kept; nothing is written. Internal notes live only on the owner's
//! routes: the shopper's order page and API never carry them.

use super::super::settings::{Outcome, command};
use super::super::{Office, layout::csrf_field};
use super::{detail, order_path};
use crate::http::Resp;
use crate::http::forms::valid_idempotency_key;
use crate::layout::fragments::multiline;
use crate::layout::when;
use crate::security::signing::random_hex;
use maud::{Markup, html};
use spin_sdk::http::Method;
use storefront_domain::order_notes::{MAX_OWNER_NOTE, NewOwnerNote, OwnerNotes, note_text};
use storefront_domain::owner_orders::OwnerOrder;
use storefront_domain::{FieldError, order_number};

/// What the add-a-note form shows again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub text: String,
    pub error: Option<String>,
}

/// The notes section of the order page.
pub fn section(office: &Office<'_>, owner: &OwnerOrder, draft: &Draft) -> Markup {
    let o = &owner.order;
    html! {
        section aria-labelledby="notes-h" {
            h2 #notes-h { "Notes" }
            h3 { "From the customer" }
            @if o.note.is_empty() {
                p.muted { "The customer left no note." }
            } @else {
                blockquote.note #customer-note { (multiline(&o.note)) }
            }
            h3 { "Internal notes " span.hint { "(never shown to the customer)" } }
            @if owner.notes.is_empty() {
                p.muted { "No internal notes yet." }
            } @else {
                ol.notes #internal-notes {
                    @for note in &owner.notes {
                        li {
                            p.muted { (note.author) " · " (when::time(&note.created_at)) }
                            p { (multiline(&note.body)) }
                        }
                    }
                }
            }
            form.panel method="post" action={ (order_path(&o.number)) "/notes" } novalidate {
                (csrf_field(office))
                input type="hidden" name="idempotency_key" value=(random_hex(16));
                div.field.invalid[draft.error.is_some()] {
                    label for="owner-note" { "Add an internal note" }
                    p.hint #owner-note-hint { "At most " (MAX_OWNER_NOTE) " characters." }
                    textarea #owner-note name="body" rows="3"
                        aria-invalid=[draft.error.as_ref().map(|_| "true")]
                        aria-describedby={ "owner-note-hint" @if draft.error.is_some() { " owner-note-error" } } { (draft.text) }
                    @if let Some(error) = &draft.error {
                        p.error #owner-note-error { (error) }
                    }
                }
                button.primary type="submit" { "Add note" }
            }
        }
    }
}

/// `POST /admin/orders/{number}/notes`.
pub async fn add(office: &Office<'_>, number: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let Some(number) = order_number::normalize(number) else {
        return office.not_found();
    };
    let Some(key) = form
        .get("idempotency_key")
        .filter(|k| valid_idempotency_key(k))
    else {
        return office.error(
            400,
            "This form is incomplete",
            "The form was sent without its key. Go back, reload the page and try again; \
             nothing was changed.",
        );
    };
    let typed = form.get("body").unwrap_or_default().to_string();
    let refused = |message: String| Draft {
        text: typed.clone(),
        error: Some(message),
    };
    let body = match note_text("body", &typed, MAX_OWNER_NOTE) {
        Ok(body) if body.is_empty() => {
            return detail::show_with(
                office,
                &number,
                422,
                &refused("Type the note first.".into()),
            )
            .await;
        }
        Ok(body) => body,
        Err(e) => return detail::show_with(office, &number, 422, &refused(sentence(&e))).await,
    };
    let path = format!("/admin/orders/{number}/notes");
    let answer: Outcome<OwnerNotes> = command(
        office.writer,
        Method::Post,
        &path,
        &NewOwnerNote { body },
        key,
    )
    .await;
    match answer {
        Outcome::Done(_) => office.done(&order_path(&number), "Note added."),
        Outcome::Invalid(message, fields) => {
            let message = fields.first().map_or(message, sentence);
            detail::show_with(office, &number, 422, &refused(message)).await
        }
        Outcome::Failed(e) => office.writer_failed(e),
    }
}

/// "is too long: …" → "The note is too long: …."
fn sentence(e: &FieldError) -> String {
    format!("The note {}.", e.message.trim_end_matches('.'))
}
