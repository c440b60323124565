//! Labelled fields for settings pages that carry many small forms (one per shipping zone,
//! per method, per tax rate): every id is prefixed with its form's, so ids stay unique on
//! the page, and a refused form ([`Refused`]) shows its typed values and its errors in
//! that form only, while the other forms show what is stored.

use crate::http::forms::Form;
use maud::{Markup, html};
use storefront_domain::FieldError;

/// One form's refusal: which form, what was typed, and the errors by field name.
pub struct Refused {
    /// The form's id prefix, e.g. `zone-3`.
    pub form: String,
    pub typed: Form,
    pub errors: Vec<FieldError>,
    /// A refusal that names no field, shown above the form.
    pub problem: Option<String>,
}

impl Refused {
    pub fn new(form: &str, typed: Form) -> Refused {
        Refused {
            form: form.to_string(),
            typed,
            errors: Vec::new(),
            problem: None,
        }
    }

    pub fn field(&mut self, name: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(name, message));
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.problem.is_none()
    }

    /// The refusal if it is about form `form`.
    pub fn about<'a>(refused: Option<&'a Refused>, form: &str) -> Option<&'a Refused> {
        refused.filter(|r| r.form == form)
    }

    /// The writer's field errors (renamed by `field`, `None` to show above the form).
    pub fn writer_said(&mut self, message: String, fields: Vec<FieldError>) {
        if fields.is_empty() {
            self.problem = Some(message);
        }
        for f in fields {
            self.errors.push(f);
        }
    }

    fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.as_str())
    }
}

/// The value to show: as typed when this form was refused, else as stored.
fn shown<'a>(refused: Option<&'a Refused>, name: &str, stored: &'a str) -> &'a str {
    refused.map_or(stored, |r| r.typed.get(name).unwrap_or_default())
}

/// The problem above a refused form, if it has one.
pub fn problem(refused: Option<&Refused>) -> Markup {
    html! {
        @if let Some(r) = refused {
            @if let Some(p) = &r.problem {
                p.flash.warning role="alert" { (p) }
            } @else {
                p.flash.warning role="alert" { "Please correct the marked fields; nothing was saved." }
            }
        }
    }
}

/// A text input (`inputmode` for amounts and rates).
pub fn text(
    refused: Option<&Refused>,
    form: &str,
    name: &str,
    label: &str,
    stored: &str,
    hint: Option<&str>,
    decimal: bool,
) -> Markup {
    let id = format!("{form}-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = refused.and_then(|r| r.error(name));
    let described: Vec<&str> = [
        hint.map(|_| hint_id.as_str()),
        error.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        label for=(id) {
            (label)
            input #(id) type="text" name=(name) value=(shown(refused, name, stored))
                maxlength="300" inputmode=[decimal.then_some("decimal")]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
            @if let Some(h) = hint { span.hint #(hint_id) { (h) } }
            @if let Some(e) = error { span.field-error #(error_id) { (e) } }
        }
    }
}

/// A select of `options` (value, label).
pub fn choice(
    refused: Option<&Refused>,
    form: &str,
    name: &str,
    label: &str,
    options: &[(&str, &str)],
    stored: &str,
) -> Markup {
    let id = format!("{form}-{name}");
    let error_id = format!("{id}-error");
    let error = refused.and_then(|r| r.error(name));
    let current = shown(refused, name, stored);
    html! {
        label for=(id) {
            (label)
            select #(id) name=(name) aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())] {
                @for (value, text) in options {
                    option value=(value) selected[*value == current] { (text) }
                }
            }
            @if let Some(e) = error { span.field-error #(error_id) { (e) } }
        }
    }
}

/// A checkbox sending `1` when ticked.
pub fn checkbox(
    refused: Option<&Refused>,
    form: &str,
    name: &str,
    label: &str,
    stored: bool,
) -> Markup {
    let id = format!("{form}-{name}");
    let checked = refused.map_or(stored, |r| r.typed.get(name) == Some("1"));
    html! {
        label for=(id) {
            input #(id) type="checkbox" name=(name) value="1" checked[checked];
            " " (label)
        }
    }
}
