//! The checkout page (`GET /checkout`, and `POST /checkout` shown again with errors or
//! after "Update shipping" / "Apply").
//!
//! Errors are listed in a summary at the top (focused when the page loads, each linking
//! to its field) and shown at their fields, which point at them with
//! `aria-describedby` and are marked `aria-invalid`; the title then starts "Error: ".
//! Everything works without JavaScript: the shipping methods are priced for the chosen
//! country by the "Update shipping" button, the code by "Apply". The form has no hidden
//! default button: Enter in a field presses the first button, "Update shipping", which
//! prices what was typed (the code included) and never places the order. The order
//! summary with the total stands right above the final button, "Buy now".

use crate::http::forms::Checkout;
use crate::i18n::countries;
use crate::i18n::{Lang, field_errors};
use crate::layout::totals::{self, Block};
use crate::layout::{Chrome, layout, line_name};
use crate::shop::cart::view::{short, stock_fix};
use crate::shop::checkout::address_fields::{self, text_input};
use crate::tr;
use crate::writer::line_index;
use maud::{Markup, html};
use storefront_domain::order_notes::MAX_ORDER_NOTE;
use storefront_domain::{FieldError, Quote};

/// The form's id, for buttons outside it (the order summary's stock fixes).
const FORM_ID: &str = "checkout-form";

/// Everything the checkout form shows.
pub struct Form<'a> {
    pub values: &'a Checkout,
    pub errors: &'a [FieldError],
    /// A problem not tied to one input (e.g. stock ran out), shown above the form.
    pub message: Option<&'a str>,
    pub csrf: &'a str,
    pub idempotency_key: &'a str,
    /// The number of the order awaiting payment that this form changes.
    pub changing: Option<&'a str>,
}

/// `(input name, label, autocomplete, input type, required)` of the inputs before the
/// address; names are the domain's field names.
const FIELDS: [(&str, &str, &str, &str, bool); 3] = [
    ("email", "field-email", "email", "email", true),
    ("name", "field-name", "name", "text", true),
    ("phone", "field-phone", "tel", "tel", false),
];

/// Every field that has an input, with its label's message id (its messages start with it).
fn label_of(field: &str) -> Option<&'static str> {
    match field {
        "address.country" => Some("field-country"),
        "shipping_method" => Some("field-shipping-method"),
        "discount_code" => Some("field-discount-code"),
        "terms" => Some("field-terms"),
        "note" => Some("field-note"),
        "order" => Some("field-order"),
        _ => FIELDS
            .iter()
            .find(|(n, ..)| *n == field)
            .map(|(_, l, ..)| *l)
            .or_else(|| address_fields::label_of(field)),
    }
}

/// The id of a field's input (the radio group's first radio for the shipping method).
fn input_id(field: &str) -> &str {
    match field {
        "shipping_method" => "shipping-methods",
        "order" => "order-error",
        other => other,
    }
}

/// `Email` + `is not a valid email address` → "Email is not a valid email address."
/// (German: "E-Mail: keine gültige E-Mail-Adresse.").
pub fn sentence(lang: Lang, field: &str, message: &str) -> String {
    field_errors::sentence(lang, label_of(field), message)
}

pub fn page(chrome: &Chrome, quote: &Quote, form: Form<'_>) -> Markup {
    let lang = chrome.lang;
    let sentence = |field: &str, message: &str| sentence(lang, field, message);
    let v = form.values;
    let value_of = |name: &str| -> &str {
        match name {
            "email" => &v.email,
            "name" => &v.name,
            _ => &v.phone,
        }
    };
    let field_error = |name: &str| form.errors.iter().find(|e| e.field == name);
    let message = |name: &str| field_error(name).map(|e| sentence(name, &e.message));
    // Errors about cart lines (from the writer, e.g. stock) have no input of their own.
    let other_errors: Vec<String> = form
        .errors
        .iter()
        .filter(|e| label_of(&e.field).is_none())
        .filter(|e| Some(e.message.as_str()) != form.message)
        .map(|e| describe_line_error(lang, quote, e))
        .collect();
    let field_errors: Vec<&FieldError> = form
        .errors
        .iter()
        .filter(|e| label_of(&e.field).is_some())
        .collect();
    let has_errors = !form.errors.is_empty() || form.message.is_some();
    let country = v.address.country.trim().to_ascii_uppercase();
    let discount_error = field_error("discount_code")
        .map(|e| sentence(&e.field, &e.message))
        .or_else(|| {
            (!v.discount_code.trim().is_empty())
                .then_some(quote.discount_error.as_deref())
                .flatten()
                .map(|message| sentence("discount_code", message))
        });
    let chosen_method = quote
        .shipping
        .as_ref()
        .map(|s| s.code.as_str())
        .unwrap_or(v.shipping_method.as_str());

    let content = html! {
        h1 { (tr!(lang, "checkout-title")) }
        @if let Some(number) = form.changing {
            div.flash.info role="status" {
                p {
                    (tr!(lang, "checkout-changing-before")) " " strong.number { (number) }
                    (tr!(lang, "checkout-changing-after")) " "
                    a href={ "/orders/" (number) "/pay" } { (tr!(lang, "checkout-back-to-payment")) }
                }
            }
        }
        @if has_errors {
            div.error-summary #error-summary tabindex="-1" autofocus aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (tr!(lang, "error-summary-title")) }
                ul {
                    @if let Some(message) = form.message { li { (message) } }
                    @for e in &other_errors { li { (e) } }
                    @for e in &field_errors {
                        li { a href={ "#" (input_id(&e.field)) } { (sentence(&e.field, &e.message)) } }
                    }
                }
            }
        }
        div.checkout {
            form.panel #(FORM_ID) method="post" action="/checkout" novalidate {
                input type="hidden" name="csrf" value=(form.csrf);
                input type="hidden" name="idempotency_key" value=(form.idempotency_key);
                // A stock fix pressed in the summary comes back here with what was typed.
                input type="hidden" name="return" value="checkout";
                @for (name, label, autocomplete, kind, required) in FIELDS {
                    (text_input(name, &tr!(lang, label), autocomplete, kind, address_fields::optional(lang, required), value_of(name), message(name)))
                }
                (address_fields::inputs(lang, "address", &v.address, &message))
                div.check {
                    // Says the form carries the box: unticked, the billing fields count.
                    input type="hidden" name="billing_form" value="yes";
                    input #billing_same type="checkbox" name="billing_same" value="yes"
                        checked[!v.billing_separate] aria-controls="billing-address";
                    label for="billing_same" { (tr!(lang, "billing-same")) }
                }
                // Shown always (no script needed); used only when the box is unticked.
                fieldset.billing #billing-address {
                    legend { (tr!(lang, "billing-legend")) }
                    p.hint { (tr!(lang, "billing-hint")) }
                    (address_fields::inputs(lang, "billing", &v.billing, &message))
                }
                @let error = field_error("shipping_method");
                fieldset #shipping-methods tabindex="-1" aria-describedby=[error.map(|_| "shipping_method-error")] {
                    legend { (tr!(lang, "field-shipping-method")) }
                    @if quote.shipping_options.is_empty() {
                        p.muted.hint {
                            @if country.is_empty() {
                                (tr!(lang, "shipping-choose-country"))
                            } @else {
                                (tr!(lang, "shipping-not-to", name = countries::name(lang, &country)))
                            }
                        }
                    }
                    @for option in &quote.shipping_options {
                        label.choice {
                            input type="radio" name="shipping_method" value=(option.code)
                                checked[option.code == chosen_method];
                            span {
                                (option.name)
                                @if !option.note.is_empty() { " " span.muted { "(" (option.note) ")" } }
                            }
                            span.price {
                                @if option.amount.amount == 0 { (tr!(lang, "totals-free")) } @else { (lang.money(&option.amount)) }
                            }
                        }
                    }
                    @if let Some(e) = error {
                        p.error id="shipping_method-error" { (sentence("shipping_method", &e.message)) }
                    }
                    button type="submit" name="action" value="shipping" { (tr!(lang, "shipping-update")) }
                }
                div.field.invalid[discount_error.is_some()] {
                    label for="discount_code" { (tr!(lang, "field-discount-code")) " " span.hint { (tr!(lang, "optional")) } }
                    div.inline-field {
                        input #discount_code type="text" name="discount_code" value=(v.discount_code)
                            autocomplete="off" autocapitalize="characters"
                            aria-invalid=[discount_error.as_ref().map(|_| "true")]
                            aria-describedby=[discount_error.as_ref().map(|_| "discount_code-error")];
                        button type="submit" name="action" value="discount" { (tr!(lang, "discount-apply")) }
                    }
                    @if let Some(message) = &discount_error {
                        p.error #discount_code-error { (message) }
                    } @else if let Some(d) = &quote.discount {
                        p.hint { (tr!(lang, "discount-applied", code = d.code.as_str(), value = d.description.as_str())) }
                    }
                }
                (note_field(lang, &v.note, message("note")))
                @let error = field_error("terms");
                div.check.invalid[error.is_some()] {
                    input #terms type="checkbox" name="terms" value="yes" checked[v.terms]
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby=[error.map(|_| "terms-error")]
                        required;
                    label for="terms" {
                        (tr!(lang, "terms-accept-before")) " "
                        a href="/terms" target="_blank" { (tr!(lang, "terms-link")) }
                        " " (tr!(lang, "terms-accept-middle")) " "
                        a href="/returns" target="_blank" { (tr!(lang, "returns-link")) }
                    }
                }
                @if let Some(e) = error {
                    p.error #terms-error { (sentence("terms", &e.message)) }
                }
                section.order-summary aria-labelledby="summary-title" {
                    h2 #summary-title { (tr!(lang, "summary-title")) }
                    table.summary {
                        caption.visually-hidden { (tr!(lang, "summary-items")) }
                        tbody {
                            @for line in &quote.items {
                                tr {
                                    td {
                                        (line.quantity) " × " (line_name(line))
                                        // The fix names it, and posts to the cart (its
                                        // `formaction`), which comes back here keeping what was typed.
                                        @if short(line).is_some() { (stock_fix(lang, line, Some(FORM_ID))) }
                                    }
                                    td.num { (lang.money(&line.line_total)) }
                                }
                            }
                        }
                    }
                    (totals::block(Block {
                        lang,
                        totals: &quote.totals,
                        shipping: quote.shipping.as_ref(),
                        discount: quote.discount.as_ref(),
                        shipping_pending: quote
                            .shipping_options
                            .is_empty()
                            .then_some(&tr!(lang, "shipping-pending-country")),
                    }))
                }
                @let error = field_error("order");
                @if let Some(e) = error {
                    p.error #order-error { (sentence("order", &e.message)) }
                }
                div.actions {
                    button type="submit" name="action" value="cart" { (tr!(lang, "edit-cart")) }
                    button.primary type="submit" name="action" value="place"
                        aria-describedby=[error.map(|_| "order-error")] { (tr!(lang, "buy-now")) }
                }
            }
        }
    };
    let mut chrome = chrome.clone();
    chrome.meta.error = has_errors;
    layout(&chrome, &tr!(lang, "checkout-title"), content)
}

/// The shopper's note to the shop: a textarea, optional, at most [`MAX_ORDER_NOTE`]
/// characters (checked by the writer and before it, the error shown at the field).
fn note_field(lang: Lang, value: &str, error: Option<String>) -> Markup {
    html! {
        div.field.invalid[error.is_some()] {
            label for="note" { (tr!(lang, "note-label")) " " span.hint { (tr!(lang, "optional")) } }
            p.hint #note-hint { (tr!(lang, "note-hint", max = MAX_ORDER_NOTE)) }
            textarea #note name="note" rows="3"
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby={ "note-hint" @if error.is_some() { " note-error" } } { (value) }
            @if let Some(message) = error {
                p.error #note-error { (message) }
            }
        }
    }
}

/// `items[2].quantity: only 1 left` → `Espresso cup: only 1 left`.
fn describe_line_error(lang: Lang, quote: &Quote, e: &FieldError) -> String {
    let name = line_index(&e.field)
        .and_then(|i| quote.items.get(i))
        .map(|l| l.name.as_str());
    let message = field_errors::or_as_sent(lang, &e.message);
    match name {
        Some(name) if !message.contains(name) => format!("{name}: {message}"),
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(
            sentence(Lang::En, "email", "is not a valid email address"),
            "Email is not a valid email address."
        );
        assert_eq!(sentence(Lang::En, "items[0].sku", "Sold out."), "Sold out.");
        assert_eq!(
            sentence(Lang::En, "terms", "must be accepted to place the order"),
            "The terms and conditions must be accepted to place the order."
        );
    }
}
