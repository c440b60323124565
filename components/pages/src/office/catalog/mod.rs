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
//! Paths: [`list`] (`/admin/catalog`, `/admin/catalog/new`), [`product`]
//! (`/admin/catalog/products/{slug}…`), [`images`] (`…/products/{slug}/images…`),
//! [`collections`] (`/admin/catalog/collections…`).

mod collections;
mod fields;
mod images;
mod list;
mod money_input;
mod product;

use super::{ACTOR, Office};
use crate::http::Resp;
use crate::http::forms::{Form, valid_idempotency_key};
use spin_sdk::http::Method;
use storefront_domain::catalog::valid_sku;
use storefront_domain::order::valid_slug;
use storefront_domain::{ErrorBody, FieldError};

/// The hidden field holding a form's idempotency key.
pub const KEY_FIELD: &str = "idempotency_key";

pub async fn respond(office: &Office<'_>, rest: &[&str]) -> Resp {
    let method = office.method();
    let id = |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
    let (allow, answer) = match rest {
        [] => ("GET", (method == "GET").then_some(Page::List)),
        ["new"] => ("GET, POST", Some(Page::New)),
        ["products", p] if valid_slug(p) => ("GET, POST", Some(Page::Product(p))),
        ["products", p, "archive"] if valid_slug(p) => ("GET, POST", Some(Page::Archive(p))),
        ["products", p, "restore"] if valid_slug(p) => ("POST", Some(Page::Restore(p))),
        ["products", p, "options"] if valid_slug(p) => ("POST", Some(Page::Rename(p))),
        ["products", p, "variants"] if valid_slug(p) => ("POST", Some(Page::AddVariant(p))),
        ["products", p, "variants", s] if valid_slug(p) && valid_sku(s) => {
            ("POST", Some(Page::Variant(p, s)))
        }
        ["products", p, "variants", s, "stock"] if valid_slug(p) && valid_sku(s) => {
            ("POST", Some(Page::Stock(p, s)))
        }
        ["products", p, "variants", s, "archive"] if valid_slug(p) && valid_sku(s) => {
            ("GET, POST", Some(Page::ArchiveVariant(p, s)))
        }
        ["products", p, "variants", s, "restore"] if valid_slug(p) && valid_sku(s) => {
            ("POST", Some(Page::RestoreVariant(p, s)))
        }
        ["products", p, "collections"] if valid_slug(p) => ("POST", Some(Page::Join(p))),
        ["products", p, "images"] if valid_slug(p) => ("POST", Some(Page::Upload(p))),
        ["products", p, "images", i] if valid_slug(p) && id(i) => ("POST", Some(Page::Image(p, i))),
        ["products", p, "images", i, "remove"] if valid_slug(p) && id(i) => {
            ("POST", Some(Page::RemoveImage(p, i)))
        }
        ["collections"] => ("GET, POST", Some(Page::Collections)),
        ["collections", c] if valid_slug(c) => ("GET, POST", Some(Page::Collection(c))),
        ["collections", c, "products"] if valid_slug(c) => ("POST", Some(Page::AddMember(c))),
        ["collections", c, "products", p, "remove"] if valid_slug(c) && valid_slug(p) => {
            ("POST", Some(Page::RemoveMember(c, p)))
        }
        _ => return office.not_found(),
    };
    let Some(page) = answer.filter(|_| allow.split(", ").any(|m| m == method)) else {
        return office.method_not_allowed(allow);
    };
    let get = method == "GET";
    match page {
        Page::List => list::index(office).await,
        Page::New if get => list::new_form(office).await,
        Page::New => list::create(office).await,
        Page::Product(p) if get => product::show(office, p).await,
        Page::Product(p) => product::update(office, p).await,
        Page::Archive(p) if get => product::confirm_archive(office, p, None).await,
        Page::Archive(p) => product::archive(office, p).await,
        Page::Restore(p) => product::restore(office, p).await,
        Page::Rename(p) => product::rename_option(office, p).await,
        Page::AddVariant(p) => product::add_variant(office, p).await,
        Page::Variant(p, s) => product::update_variant(office, p, s).await,
        Page::Stock(p, s) => product::adjust_stock(office, p, s).await,
        Page::ArchiveVariant(p, s) if get => product::confirm_archive(office, p, Some(s)).await,
        Page::ArchiveVariant(p, s) => product::archive_variant(office, p, s).await,
        Page::RestoreVariant(p, s) => product::restore_variant(office, p, s).await,
        Page::Join(p) => product::join_collection(office, p).await,
        Page::Upload(p) => images::upload(office, p).await,
        Page::Image(p, i) => images::update(office, p, i).await,
        Page::RemoveImage(p, i) => images::remove(office, p, i).await,
        Page::Collections if get => collections::index(office, None).await,
        Page::Collections => collections::create(office).await,
        Page::Collection(c) if get => collections::show(office, c, None).await,
        Page::Collection(c) => collections::update(office, c).await,
        Page::AddMember(c) => collections::add_member(office, c).await,
        Page::RemoveMember(c, p) => collections::remove_member(office, c, p).await,
    }
}

/// What a path under `/admin/catalog` names.
enum Page<'a> {
    List,
    New,
    Product(&'a str),
    Archive(&'a str),
    Restore(&'a str),
    Rename(&'a str),
    AddVariant(&'a str),
    Variant(&'a str, &'a str),
    Stock(&'a str, &'a str),
    ArchiveVariant(&'a str, &'a str),
    RestoreVariant(&'a str, &'a str),
    Join(&'a str),
    Upload(&'a str),
    Image(&'a str, &'a str),
    RemoveImage(&'a str, &'a str),
    Collections,
    Collection(&'a str),
    AddMember(&'a str),
    RemoveMember(&'a str, &'a str),
}

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
