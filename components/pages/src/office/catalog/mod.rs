//! The back office's catalog (`/admin/catalog…`): products with their options, variants,
//! stock, images and collections, and the collections themselves.
//!
//! Every form posts here; the handler checks the CSRF token, reads and checks what the
//! owner typed (prices from decimal text into minor units), then sends the writer's
//! owner command ([`crate::office::api::catalog`] lists them) as the owner with the form's own
//! idempotency key, drawn into the form when the page was drawn: a double click or a
//! resubmitted form is answered as a replay, never applied twice. The writer is the
//! authority: its field errors (422 with `fields`, 409 for a taken slug or SKU) come back
//! next to the fields of the form that was sent, with what was typed kept and nothing
//! written.
//!
//! Pages, each a row of the route table: [`list`] (`/admin/catalog`,
//! `/admin/catalog/new`), [`product`] (`/admin/catalog/products/{slug}…`), [`images`]
//! (`…/products/{slug}/images…`), [`collections`] (`/admin/catalog/collections…`).

pub mod collections;
mod fields;
pub mod images;
pub mod list;
mod money_input;
pub mod product;

use super::{ACTOR, Office};
use crate::http::Resp;
use crate::http::forms::{Form, valid_idempotency_key};
use spin_sdk::http::Method;
use storefront_domain::{ErrorBody, FieldError};

/// The hidden field holding a form's idempotency key.
pub const KEY_FIELD: &str = "idempotency_key";

/// Why a form was not applied, for drawing it again: which form on the page (its
/// `id`), the message for the whole form, the message per field, and what was typed.
pub struct Problem {
    pub status: u16,
    pub form: String,
    pub message: Option<String>,
    pub fields: Vec<(String, String)>,
    pub typed: Form,
}

impl Problem {
    pub fn new(form: &str, typed: Form) -> Problem {
        Problem {
            status: 422,
            form: form.to_string(),
            message: None,
            fields: Vec::new(),
            typed,
        }
    }

    pub fn field(&mut self, name: &str, message: impl Into<String>) {
        if !self.fields.iter().any(|(n, _)| n == name) {
            self.fields.push((name.to_string(), message.into()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.message.is_none() && self.fields.is_empty()
    }

    /// The writer's refusal, its field errors placed on this form's fields by `place`
    /// (`None`: shown above the form).
    pub fn with_refusal(
        mut self,
        status: u16,
        body: &ErrorBody,
        place: impl Fn(&str) -> Option<&'static str>,
    ) -> Problem {
        self.status = status;
        let mut unplaced = Vec::new();
        for FieldError { field, message } in &body.error.fields {
            match place(field) {
                Some(name) => self.field(name, message.clone()),
                None => unplaced.push(format!("{field}: {message}")),
            }
        }
        if self.fields.is_empty() || !unplaced.is_empty() {
            let mut message = body.error.message.clone();
            if !unplaced.is_empty() {
                message = format!("{message} ({})", unplaced.join("; "));
            }
            self.message = Some(message);
        }
        self
    }

    /// This problem if it is about form `form`.
    pub fn about<'p>(problem: Option<&'p Problem>, form: &str) -> Option<&'p Problem> {
        problem.filter(|p| p.form == form)
    }
}

/// How the writer answered a command.
pub enum Sent {
    /// Applied now, or earlier under the same key (`replayed`).
    Done { replayed: bool },
    /// Refused with this status and error (nothing was written); 404 names something
    /// in the path or the form that does not exist.
    Refused { status: u16, body: ErrorBody },
}

/// Sends the owner command at writer path `path` with idempotency `key`.
pub async fn send(
    office: &Office<'_>,
    path: &str,
    body: Option<Vec<u8>>,
    key: &str,
) -> Result<Sent, Resp> {
    match office
        .writer
        .forward_as(ACTOR, Method::Post, path, body, Some(key))
        .await
    {
        Ok((200..=299, _, replayed)) => Ok(Sent::Done { replayed }),
        Ok((status, body, _)) => Ok(Sent::Refused {
            status,
            body: serde_json::from_slice(&body).unwrap_or_else(|_| {
                ErrorBody::new("writer_error", format!("the writer answered {status}"))
            }),
        }),
        Err(e) => Err(office.writer_failed(e)),
    }
}

/// A JSON command body.
pub fn json<T: serde::Serialize>(value: &T) -> Option<Vec<u8>> {
    Some(serde_json::to_vec(value).expect("commands serialise"))
}

/// The posted form after its CSRF check, with its idempotency key.
pub fn posted(office: &Office<'_>) -> Result<(Form, String), Resp> {
    let form = office.form()?;
    let key = idempotency_key(office, form.get(KEY_FIELD))?;
    Ok((form, key))
}

/// The form's idempotency key, or the page saying the form is broken.
pub fn idempotency_key(office: &Office<'_>, key: Option<&str>) -> Result<String, Resp> {
    match key {
        Some(key) if valid_idempotency_key(key) => Ok(key.to_string()),
        _ => Err(office.error(
            400,
            "This form is incomplete",
            "The form lacks its one-time key. Reload the page and send it again.",
        )),
    }
}

/// The flash after a command: the same words whether it was applied now or is a replay
/// (the owner's double click), which the log tells apart.
pub fn done(office: &Office<'_>, location: &str, text: &str, replayed: bool) -> Resp {
    if replayed {
        eprintln!(
            "back office: replayed {} (already applied)",
            office.req.path
        );
    }
    office.done(location, text)
}

/// Highest position (sort key) the forms take.
pub const MAX_POSITION: i64 = 1_000_000;

/// An optional position field: `None` (keep it) when empty.
pub fn optional_position(text: Option<&str>, problem: &mut Problem) -> Option<i64> {
    let text = text.unwrap_or_default().trim();
    if text.is_empty() {
        return None;
    }
    list::whole(text, 0, MAX_POSITION)
        .map_err(|m| problem.field("position", m))
        .ok()
}

/// The address of product `slug`'s page.
pub fn product_path(slug: &str) -> String {
    format!("/admin/catalog/products/{slug}")
}
