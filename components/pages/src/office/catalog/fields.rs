//! The catalog forms' fields: every one with its `<label>`, and when the form came back
//! refused, the value typed and the message next to it (`aria-invalid`,
//! `aria-describedby`, `.field-error`). A field's id is its form's id and its name, so
//! the many small forms of a product page never share one.

use super::{KEY_FIELD, Problem};
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use maud::{Markup, html};

/// The value to show: what was typed if `problem` is about this form, else `current`.
fn shown<'a>(problem: Option<&'a Problem>, name: &str, current: &'a str) -> &'a str {
    match problem {
        Some(p) => p.typed.get(name).unwrap_or_default(),
        None => current,
    }
}

fn error<'a>(problem: Option<&'a Problem>, name: &str) -> Option<&'a str> {
    problem?
        .fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| m.as_str())
}

/// A field's frame: the label, a line of help, the control, and its error.
fn field(
    problem: Option<&Problem>,
    form: &str,
    name: &str,
    label: &str,
    hint: Option<&str>,
    control: impl FnOnce(&str, Option<&str>, Option<String>) -> Markup,
) -> Markup {
    let id = format!("{form}-{name}");
    let err = error(problem, name);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described: Vec<&str> = [
        hint.map(|_| hint_id.as_str()),
        err.map(|_| error_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        div.field {
            label for=(id) { (label) }
            @if let Some(hint) = hint { p.hint.muted id=(hint_id) { (hint) } }
            (control(&id, err.map(|_| "true"), described))
            @if let Some(err) = err { p.field-error id=(error_id) { (err) } }
        }
    }
}

/// One labelled input; `kind` is its `type`, `hint` a line of help under the label.
pub fn input(
    problem: Option<&Problem>,
    form: &str,
    name: &str,
    label: &str,
    current: &str,
    kind: &str,
    hint: Option<&str>,
) -> Markup {
    let value = shown(problem, name, current);
    field(
        problem,
        form,
        name,
        label,
        hint,
        |id, invalid, described| {
            html! {
                input id=(id) type=(kind) name=(name) value=(value)
                    aria-invalid=[invalid] aria-describedby=[described];
            }
        },
    )
}

pub fn textarea(
    problem: Option<&Problem>,
    form: &str,
    name: &str,
    label: &str,
    current: &str,
    hint: Option<&str>,
) -> Markup {
    let value = shown(problem, name, current);
    field(
        problem,
        form,
        name,
        label,
        hint,
        |id, invalid, described| {
            html! {
                textarea id=(id) name=(name) rows="4"
                    aria-invalid=[invalid] aria-describedby=[described] { (value) }
            }
        },
    )
}

/// A select of `(value, label)` choices.
pub fn select(
    problem: Option<&Problem>,
    form: &str,
    name: &str,
    label: &str,
    choices: &[(String, String)],
    current: &str,
) -> Markup {
    let chosen = shown(problem, name, current);
    field(
        problem,
        form,
        name,
        label,
        None,
        |id, invalid, described| {
            html! {
                select id=(id) name=(name) aria-invalid=[invalid] aria-describedby=[described] {
                    @for (value, text) in choices {
                        option value=(value) selected[value == chosen] { (text) }
                    }
                }
            }
        },
    )
}

/// A file input (for the image upload; a file is never kept across a refusal).
pub fn file(
    problem: Option<&Problem>,
    form: &str,
    name: &str,
    label: &str,
    accept: &str,
    hint: Option<&str>,
) -> Markup {
    field(
        problem,
        form,
        name,
        label,
        hint,
        |id, invalid, described| {
            html! {
                input id=(id) type="file" name=(name) accept=(accept)
                    aria-invalid=[invalid] aria-describedby=[described];
            }
        },
    )
}

/// The form's hidden fields: the CSRF token and the idempotency key (the one typed
/// again when the form came back refused, so its resubmission is still one command).
pub fn hidden(office: &Office<'_>, problem: Option<&Problem>) -> Markup {
    let key = problem
        .and_then(|p| p.typed.get(KEY_FIELD))
        .map(str::to_string)
        .unwrap_or_else(|| random_hex(16));
    html! {
        (csrf_field(office))
        input type="hidden" name=(KEY_FIELD) value=(key);
    }
}

/// The message for the whole form, if any.
pub fn message(problem: Option<&Problem>) -> Markup {
    html! {
        @if let Some(p) = problem {
            @if let Some(m) = &p.message { p.field-error role="alert" { (m) } }
            @else if !p.fields.is_empty() {
                p.field-error role="alert" { "Please correct the fields marked below." }
            }
        }
    }
}
