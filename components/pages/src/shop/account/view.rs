//! The account page: the order history (newest first, a page at a time; each order
//! opens without its access token), the saved addresses with the form to add one, the
//! data download, sign-out and erasure; and the page after an erasure.

use crate::i18n::countries;
use crate::layout::{Chrome, layout, when};
use crate::security::csrf;
use crate::shop::checkout::address_fields::{inputs, optional, text_input};
use crate::shop::checkout::view::sentence;
use crate::shop::orders::view::state_label;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::FieldError;
use storefront_domain::customer::{Account, AccountOrders, NewAddress};

/// What the forms on the page show after a refusal.
#[derive(Debug, Clone, Default)]
pub struct Form {
    /// The address as typed.
    pub address: NewAddress,
    pub address_errors: Vec<FieldError>,
    pub erase_problem: Option<String>,
}

fn hidden_csrf(token: &str) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(token); }
}

pub fn page(
    chrome: &Chrome,
    csrf_token: &str,
    account: &Account,
    orders: &AccountOrders,
    older: bool,
    form: &Form,
) -> Markup {
    let lang = chrome.lang;
    let message = |name: &str| {
        form.address_errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| sentence(lang, name, &e.message))
    };
    let failed = !form.address_errors.is_empty() || form.erase_problem.is_some();
    let title = if failed {
        tr!(lang, "account-error-title")
    } else {
        tr!(lang, "account-title")
    };
    let content = html! {
        section.stack {
            h1 { (tr!(lang, "account-title")) }
            p.muted { (tr!(lang, "account-signed-in-as")) " " strong { (account.email) } "." }
            form method="post" action="/account/sign-out" {
                (hidden_csrf(csrf_token))
                button type="submit" { (tr!(lang, "account-sign-out")) }
            }
        }
        section.panel.stack aria-labelledby="orders-title" {
            h2 #orders-title { (tr!(lang, "account-orders")) }
            @if orders.orders.is_empty() {
                p.muted { (tr!(lang, "account-no-orders")) }
            } @else {
                ol.stack aria-label=(tr!(lang, "account-orders-label")) {
                    @for o in &orders.orders {
                        li {
                            a href={ "/orders/" (o.number) } { (o.number) }
                            br;
                            span.state { (state_label(lang, o.state)) }
                            " · " (lang.money(&o.total)) " · " (tr!(lang, "account-placed")) " "
                            (when::time_in(lang, &o.created_at))
                            @if let Some(t) = &o.tracking {
                                br;
                                span.muted { (tr!(lang, "account-tracking")) " "
                                    @if let Some(c) = &t.carrier { (c) " " }
                                    (t.number) }
                            }
                        }
                    }
                }
            }
            @if older || orders.next_before.is_some() {
                nav.pagination aria-label=(tr!(lang, "account-order-pages")) {
                    @if older { a href="/account" { (tr!(lang, "account-newest")) } " " }
                    @if let Some(before) = orders.next_before {
                        a href={ "/account?before=" (before) } { (tr!(lang, "account-older")) }
                    }
                }
            }
        }
        section #addresses .panel.stack aria-labelledby="addresses-title" {
            h2 #addresses-title { (tr!(lang, "account-addresses")) }
            p.muted { (tr!(lang, "account-addresses-hint")) }
            @for saved in &account.addresses {
                div.row {
                    address.address.text {
                        (saved.name) "\n" (saved.address.line1) "\n"
                        @if !saved.address.line2.is_empty() { (saved.address.line2) "\n" }
                        (saved.address.postal_code) " " (saved.address.city) "\n"
                        (countries::name(lang, &saved.address.country))
                    }
                    form method="post" action={ "/account/addresses/" (saved.id) "/remove" } {
                        (hidden_csrf(csrf_token))
                        button type="submit" aria-label=(tr!(lang, "account-remove-address", name = saved.name.as_str())) {
                            (tr!(lang, "account-remove"))
                        }
                    }
                }
            }
            h3 #add-address { (tr!(lang, "account-add-address")) }
            {
                form.stack aria-labelledby="add-address" method="post" action="/account/addresses" novalidate {
                    (hidden_csrf(csrf_token))
                    (text_input("name", &tr!(lang, "field-name"), "name", "text", None, &form.address.name, message("name")))
                    (inputs(lang, "address", &form.address.address, &message))
                    (text_input("phone", &tr!(lang, "field-phone"), "tel", "tel", optional(lang, false), &form.address.phone, message("phone")))
                    button.primary type="submit" { (tr!(lang, "account-save-address")) }
                }
            }
        }
        section.panel.stack aria-labelledby="data-title" {
            h2 #data-title { (tr!(lang, "account-data")) }
            p { a href="/account/data.json" download { (tr!(lang, "account-download")) } }
            form.stack method="post" action="/account/erase" novalidate {
                (hidden_csrf(csrf_token))
                p { (tr!(lang, "account-erase-text")) }
                div.check.invalid[form.erase_problem.is_some()] {
                    input #confirm type="checkbox" name="confirm" value="yes" required
                        aria-invalid=[form.erase_problem.as_ref().map(|_| "true")]
                        aria-describedby=[form.erase_problem.as_ref().map(|_| "confirm-error")];
                    label for="confirm" { (tr!(lang, "account-erase-confirm")) }
                }
                @if let Some(problem) = &form.erase_problem {
                    p.error #confirm-error { (problem) }
                }
                button type="submit" { (tr!(lang, "account-erase")) }
            }
        }
    };
    layout(chrome, &title, content)
}

/// After an erasure.
pub fn erased(chrome: &Chrome, orders: i64) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        section.panel.stack role="status" {
            h1 { (tr!(lang, "account-erased")) }
            p { (tr!(lang, "account-erased-text", count = orders)) }
            p { a href="/" { (tr!(lang, "error-back-to-shop")) } }
        }
    };
    layout(chrome, &tr!(lang, "account-erased-title"), content)
}
