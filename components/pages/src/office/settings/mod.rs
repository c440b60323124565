//! The back office's `/admin/settings…` pages: the shop's settings (`/admin/settings`),
//! discount codes (`/admin/settings/discounts`, [`discounts`], one code's form
//! [`discount_edit`]), shipping zones and methods (`/admin/settings/shipping`, [`shipping`],
//! whose many small forms use [`many_forms`]), tax rates (`/admin/settings/tax`,
//! [`tax_rates`]), the owner's password
//! (`/admin/settings/password`, [`password`]) and the signed-in sessions
//! (`/admin/settings/sessions`, [`sessions`]), and the return window
//! (`/admin/settings/returns`, [`returns`]).
//!
//! Every change is a writer command sent as the owner ([`ACTOR`]) with the idempotency key
//! drawn into the form, so a double-click or a resubmitted form is a replay. The writer
//! validates and is the authority; its field errors are shown next to the fields, with
//! the typed values kept (422).

pub mod discount_edit;
pub mod discounts;
pub mod many_forms;
pub mod password;
pub mod returns;
pub mod sessions;
pub mod shipping;
pub mod tax_rates;

use super::layout::csrf_field;
use super::{ACTOR, Office};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::security::signing::random_hex;
use crate::writer::{Answer, WriterClient, WriterError};
use maud::{Markup, html};
use spin_sdk::http::Method;
use storefront_domain::checkout::{LegalTexts, ShopSettings, TaxMode};
use storefront_domain::locale::Locale;
use storefront_domain::{FieldError, IDEMPOTENCY_KEY, countries};

/// The hidden field carrying a form's idempotency key.
pub const KEY_FIELD: &str = "idempotency_key";

/// The settings pages, for the sub-navigation: label and path.
const PAGES: &[(&str, &str)] = &[
    ("Shop", "/admin/settings"),
    ("Discount codes", "/admin/settings/discounts"),
    ("Shipping", "/admin/settings/shipping"),
    ("Tax rates", "/admin/settings/tax"),
    ("Returns", "/admin/settings/returns"),
    ("Password", "/admin/settings/password"),
    ("Sessions", "/admin/settings/sessions"),
];

/// The shop's settings form.
pub fn show(office: &Office<'_>) -> Resp {
    let shop = office.shop.clone();
    shop_page(office, 200, &shop, &[], &random_hex(16))
}

/// The settings pages' own navigation.
pub fn sub_nav(office: &Office<'_>) -> Markup {
    html! {
        nav.settings-nav aria-label="Settings" {
            @for (label, href) in PAGES {
                @if office.req.path == *href {
                    a href=(href) aria-current="page" { (label) }
                } @else {
                    a href=(href) { (label) }
                }
            }
        }
    }
}

/// The hidden idempotency-key field of a form.
pub fn key_field(key: &str) -> Markup {
    html! { input type="hidden" name=(KEY_FIELD) value=(key); }
}

/// A form's idempotency key: the one drawn into it, or a fresh one if it carries none
/// that could be ours.
pub fn form_key(form: &Form) -> String {
    form.get(KEY_FIELD)
        .filter(|k| (8..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_string)
        .unwrap_or_else(|| random_hex(16))
}

/// What became of an owner command.
pub enum Outcome<T> {
    Done(T),
    /// The writer refused the input: its message and field errors.
    Invalid(String, Vec<FieldError>),
    /// Anything else (unavailable, broken, a refusal that names no field).
    Failed(WriterError),
}

/// Sends an owner command to the writer with `key` and the owner as actor.
pub async fn command<T: serde::de::DeserializeOwned>(
    writer: &WriterClient,
    method: Method,
    path: &str,
    body: &impl serde::Serialize,
    key: &str,
) -> Outcome<T> {
    let body = serde_json::to_vec(body).expect("command bodies serialise");
    let headers = [
        (IDEMPOTENCY_KEY, key),
        (storefront_domain::catalog::ACTOR, ACTOR),
    ];
    match writer.call(method, path, Some(body), &headers).await {
        Ok(Answer { value, .. }) => Outcome::Done(value),
        Err(WriterError::Rejected { status, body }) if status == 422 || status == 409 => {
            let message = if body.error.code == "idempotency_key_reused" {
                "This form was sent already with other values. Reload the page and try again."
                    .to_string()
            } else {
                body.error.message
            };
            Outcome::Invalid(message, body.error.fields)
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// The message for `field` among `errors`, if any.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// An element id for a field name (`legal.terms` → `legal-terms`).
pub fn field_id(name: &str) -> String {
    name.replace(['.', '[', ']'], "-")
}

/// A labelled text input (or textarea) with its error next to it.
pub fn text_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &[FieldError],
    kind: Kind,
) -> Markup {
    let id = field_id(name);
    let error = error_for(errors, name);
    let error_id = format!("{id}-error");
    let invalid = error.as_ref().map(|_| "true");
    let described = error.as_ref().map(|_| error_id.as_str());
    html! {
        label for=(id) {
            (label)
            @match kind {
                Kind::Text(max) => input #(id) type="text" name=(name) value=(value)
                    maxlength=(max) aria-invalid=[invalid] aria-describedby=[described];,
                Kind::Email => input #(id) type="email" name=(name) value=(value)
                    maxlength="254" autocomplete="email" aria-invalid=[invalid]
                    aria-describedby=[described];,
                Kind::Area(rows) => textarea #(id) name=(name) rows=(rows)
                    aria-invalid=[invalid] aria-describedby=[described] { (value) },
            }
            @if let Some(error) = &error {
                span.field-error #(error_id) { (error) }
            }
        }
    }
}

/// What kind of input [`text_field`] draws.
#[derive(Clone, Copy)]
pub enum Kind {
    /// One line, at most this many characters.
    Text(usize),
    Email,
    /// A textarea of this many rows.
    Area(u8),
}

/// A message above a form that the writer refused without naming a field.
pub fn form_problem(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            p.flash.warning role="alert" { (message) }
        }
    }
}

fn shop_page(
    office: &Office<'_>,
    status: u16,
    shop: &ShopSettings,
    errors: &[FieldError],
    key: &str,
) -> Resp {
    let unplaced: Vec<&FieldError> = errors
        .iter()
        .filter(|e| !SHOP_FIELDS.contains(&e.field.as_str()))
        .collect();
    let tax_error = error_for(errors, "tax_mode");
    let country_error = error_for(errors, "home_country");
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Shop" }
        @if !errors.is_empty() {
            p.flash.warning role="alert" { "Some settings need a correction; nothing was saved." }
        }
        @for e in &unplaced {
            p.field-error { (e.field) ": " (e.message) }
        }
        form.stack method="post" action="/admin/settings" novalidate {
            (csrf_field(office))
            (key_field(key))
            (text_field("name", "Shop name", &shop.name, errors, Kind::Text(100)))
            (text_field("tagline", "Tagline", &shop.tagline, errors, Kind::Text(200)))
            fieldset {
                legend { "Prices" }
                label for="tax_mode-inclusive" {
                    input #tax_mode-inclusive type="radio" name="tax_mode" value="inclusive"
                        checked[shop.tax_mode == TaxMode::Inclusive];
                    " include tax (shown gross)"
                }
                label for="tax_mode-exclusive" {
                    input #tax_mode-exclusive type="radio" name="tax_mode" value="exclusive"
                        checked[shop.tax_mode == TaxMode::Exclusive];
                    " exclude tax (added at checkout)"
                }
                @if let Some(e) = &tax_error { span.field-error #tax_mode-error { (e) } }
            }
            label for="home_country" {
                "Home country"
                select #home_country name="home_country"
                    aria-invalid=[country_error.as_ref().map(|_| "true")]
                    aria-describedby=[country_error.as_ref().map(|_| "home_country-error")] {
                    @for (code, name) in countries::ALL {
                        option value=(code) selected[*code == shop.home_country] { (name) }
                    }
                }
                @if let Some(e) = &country_error { span.field-error #home_country-error { (e) } }
            }
            (language_field(shop.language, error_for(errors, "language")))
            (text_field("contact_email", "Contact email", &shop.contact_email, errors, Kind::Email))
            (text_field("contact_address", "Business address", &shop.contact_address, errors, Kind::Area(3)))
            (text_field("legal.terms", "Terms and conditions", &shop.legal.terms, errors, Kind::Area(6)))
            (text_field("legal.privacy", "Privacy policy", &shop.legal.privacy, errors, Kind::Area(6)))
            (text_field("legal.returns", "Returns policy", &shop.legal.returns, errors, Kind::Area(6)))
            (text_field("legal.imprint", "Imprint", &shop.legal.imprint, errors, Kind::Area(4)))
            p.muted { "Prices are in " (shop.currency) " (the " code { "shop_currency" }
                " variable). Legal texts: plain text, a blank line between paragraphs." }
            div { button.primary type="submit" { "Save settings" } }
        }
    };
    office.page(status, "Settings", body)
}

/// The shop's default language: what a shopper whose browser asks for no language the
/// shop speaks sees, before they choose one with the header's switch.
fn language_field(current: Locale, error: Option<String>) -> Markup {
    html! {
        label for="language" {
            "Default language"
            select #language name="language"
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[error.as_ref().map(|_| "language-error")] {
                @for l in Locale::ALL {
                    option value=(l.code()) selected[l == current] { (l.own_name()) }
                }
            }
            @if let Some(e) = &error { span.field-error #language-error { (e) } }
        }
    }
}

/// The fields the shop form shows errors next to.
const SHOP_FIELDS: [&str; 11] = [
    "language",
    "name",
    "tagline",
    "tax_mode",
    "home_country",
    "contact_email",
    "contact_address",
    "legal.terms",
    "legal.privacy",
    "legal.returns",
    "legal.imprint",
];

pub async fn save_shop(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let key = form_key(&form);
    let text = |name: &str| form.get(name).unwrap_or_default().to_string();
    let mut errors = Vec::new();
    let tax_mode = match form.get("tax_mode") {
        Some("inclusive") => TaxMode::Inclusive,
        Some("exclusive") => TaxMode::Exclusive,
        _ => {
            errors.push(FieldError::new(
                "tax_mode",
                "Choose whether prices include tax.",
            ));
            office.shop.tax_mode
        }
    };
    let typed = ShopSettings {
        name: text("name"),
        tagline: text("tagline"),
        currency: office.shop.currency.clone(),
        tax_mode,
        home_country: text("home_country"),
        contact_email: text("contact_email"),
        contact_address: text("contact_address"),
        // Not edited here: kept as it is.
        logo: office.shop.logo.clone(),
        legal: LegalTexts {
            terms: text("legal.terms"),
            privacy: text("legal.privacy"),
            returns: text("legal.returns"),
            imprint: text("legal.imprint"),
        },
        // A form without the field (an older page) keeps the language as it is.
        language: match form.get("language").map(Locale::from_code) {
            None => office.shop.language,
            Some(Some(language)) => language,
            Some(None) => {
                errors.push(FieldError::new("language", "Choose the shop's language."));
                office.shop.language
            }
        },
    };
    if !errors.is_empty() {
        return shop_page(office, 422, &typed, &errors, &key);
    }
    match command::<ShopSettings>(office.writer, Method::Put, "/admin/settings", &typed, &key).await
    {
        Outcome::Done(_) => office.done("/admin/settings", "Settings saved."),
        Outcome::Invalid(message, fields) => {
            let fields = if fields.is_empty() {
                vec![FieldError::new("settings", message)]
            } else {
                fields
            };
            shop_page(office, 422, &typed, &fields, &key)
        }
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
