//! The checkout page (`GET /checkout`, and `POST /checkout` shown again with errors).

use super::{Chrome, layout};
use crate::forms::Checkout;
use crate::writer_client::line_index;
use maud::{Markup, html};
use storefront_domain::{FieldError, Quote};

/// Everything the checkout form shows.
pub struct Form<'a> {
    pub values: &'a Checkout,
    pub errors: &'a [FieldError],
    /// A problem not tied to one input (e.g. stock ran out), shown above the form.
    pub message: Option<&'a str>,
    pub csrf: &'a str,
    pub idempotency_key: &'a str,
}

/// `(input name, label, autocomplete, maxlength, required)`; names are the domain's
/// field names and lengths its limits.
const FIELDS: [(&str, &str, &str, u16, bool); 7] = [
    ("email", "Email", "email", 254, true),
    ("name", "Full name", "name", 200, true),
    ("address.line1", "Address", "address-line1", 200, true),
    (
        "address.line2",
        "Address line 2",
        "address-line2",
        200,
        false,
    ),
    ("address.city", "City", "address-level2", 100, true),
    (
        "address.postal_code",
        "Postal code",
        "postal-code",
        20,
        true,
    ),
    ("address.country", "Country code", "country", 2, true),
];

pub fn page(chrome: &Chrome, quote: &Quote, form: Form<'_>) -> Markup {
    let v = form.values;
    let value_of = |name: &str| -> &str {
        match name {
            "email" => &v.email,
            "name" => &v.name,
            "address.line1" => &v.address.line1,
            "address.line2" => &v.address.line2,
            "address.city" => &v.address.city,
            "address.postal_code" => &v.address.postal_code,
            _ => &v.address.country,
        }
    };
    let field_error = |name: &str| form.errors.iter().find(|e| e.field == name);
    // Errors about cart lines (from the writer, e.g. stock) have no input of their own.
    let other_errors: Vec<String> = form
        .errors
        .iter()
        .filter(|e| !FIELDS.iter().any(|(n, ..)| *n == e.field))
        .filter(|e| Some(e.message.as_str()) != form.message)
        .map(|e| describe_line_error(quote, e))
        .collect();

    let content = html! {
        h1 { "Checkout" }
        div.two-col {
            form.panel method="post" action="/checkout" novalidate {
                @if let Some(message) = form.message {
                    p.flash.error role="alert" { (message) }
                }
                @if !other_errors.is_empty() {
                    ul.flash.error role="alert" {
                        @for e in &other_errors { li { (e) } }
                    }
                }
                input type="hidden" name="csrf" value=(form.csrf);
                input type="hidden" name="idempotency_key" value=(form.idempotency_key);
                @for (name, label, autocomplete, maxlength, required) in FIELDS {
                    @let error = field_error(name);
                    div.field.invalid[error.is_some()] {
                        label for=(name) {
                            (label)
                            @if !required { " " span.hint { "(optional)" } }
                        }
                        input id=(name) name=(name) value=(value_of(name))
                            type=(if name == "email" { "email" } else { "text" })
                            autocomplete=(autocomplete)
                            maxlength=(maxlength)
                            placeholder=[(name == "address.country").then_some("DE")]
                            aria-invalid=[error.map(|_| "true")]
                            required[required];
                        @if let Some(e) = error {
                            p.error { (label) " " (e.message) "." }
                        }
                    }
                }
                button.primary type="submit" { "Place order" }
            }
            aside.panel {
                h2 { "Order summary" }
                table {
                    tbody {
                        @for line in &quote.items {
                            tr {
                                td { (line.quantity) " × " (super::line_name(line)) }
                                td.num { (line.line_total) }
                            }
                        }
                    }
                    tfoot { tr { td { "Total" } td.num { (quote.total) } } }
                }
                p { a href="/cart" { "← Edit cart" } }
            }
        }
    };
    layout(chrome, "Checkout", content)
}

/// `items[2].quantity: only 1 left` → `Espresso cup: only 1 left`.
fn describe_line_error(quote: &Quote, e: &FieldError) -> String {
    let name = line_index(&e.field)
        .and_then(|i| quote.items.get(i))
        .map(|l| l.name.as_str());
    match name {
        Some(name) if !e.message.contains(name) => format!("{name}: {}", e.message),
        _ => e.message.clone(),
    }
}
