//! The account page: the order history (newest first, a page at a time; each order
//! opens without its access token), the saved addresses with the form to add one, the
//! data download, sign-out and erasure; and the page after an erasure.

use crate::layout::{Chrome, layout, when};
use crate::security::csrf;
use crate::shop::checkout::address_fields::{inputs, text_input};
use crate::shop::checkout::view::sentence;
use maud::{Markup, html};
use storefront_domain::customer::{Account, AccountOrders, NewAddress};
use storefront_domain::{FieldError, countries};

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
    let message = |name: &str| {
        form.address_errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| sentence(name, &e.message))
    };
    let failed = !form.address_errors.is_empty() || form.erase_problem.is_some();
    let title = if failed {
        "Error: Your account"
    } else {
        "Your account"
    };
    let content = html! {
        section.stack {
            h1 { "Your account" }
            p.muted { "Signed in as " strong { (account.email) } "." }
            form method="post" action="/account/sign-out" {
                (hidden_csrf(csrf_token))
                button type="submit" { "Sign out" }
            }
        }
        section.panel.stack aria-labelledby="orders-title" {
            h2 #orders-title { "Your orders" }
            @if orders.orders.is_empty() {
                p.muted { "No orders yet with this email address." }
            } @else {
                ol.stack aria-label="Orders, newest first" {
                    @for o in &orders.orders {
                        li {
                            a href={ "/orders/" (o.number) } { (o.number) }
                            br;
                            span.state { (o.state.label()) }
                            " · " (o.total) " · placed " (when::time(&o.created_at))
                            @if let Some(t) = &o.tracking {
                                br;
                                span.muted { "Tracking "
                                    @if let Some(c) = &t.carrier { (c) " " }
                                    (t.number) }
                            }
                        }
                    }
                }
            }
            @if older || orders.next_before.is_some() {
                nav.pagination aria-label="Order pages" {
                    @if older { a href="/account" { "Newest orders" } " " }
                    @if let Some(before) = orders.next_before {
                        a href={ "/account?before=" (before) } { "Older orders" }
                    }
                }
            }
        }
        section #addresses .panel.stack aria-labelledby="addresses-title" {
            h2 #addresses-title { "Saved addresses" }
            p.muted { "The first one fills in checkout for you." }
            @for saved in &account.addresses {
                div.row {
                    address.address.text {
                        (saved.name) "\n" (saved.address.line1) "\n"
                        @if !saved.address.line2.is_empty() { (saved.address.line2) "\n" }
                        (saved.address.postal_code) " " (saved.address.city) "\n"
                        (countries::name(&saved.address.country).unwrap_or(&saved.address.country))
                    }
                    form method="post" action={ "/account/addresses/" (saved.id) "/remove" } {
                        (hidden_csrf(csrf_token))
                        button type="submit" aria-label={ "Remove the address of " (saved.name) } { "Remove" }
                    }
                }
            }
            h3 #add-address { "Add an address" }
            {
                form.stack aria-labelledby="add-address" method="post" action="/account/addresses" novalidate {
                    (hidden_csrf(csrf_token))
                    (text_input("name", "Full name", "name", "text", true, &form.address.name, message("name")))
                    (inputs("address", &form.address.address, &message))
                    (text_input("phone", "Phone", "tel", "tel", false, &form.address.phone, message("phone")))
                    button.primary type="submit" { "Save address" }
                }
            }
        }
        section.panel.stack aria-labelledby="data-title" {
            h2 #data-title { "Your data" }
            p { a href="/account/data.json" download { "Download your data (JSON)" } }
            form.stack method="post" action="/account/erase" novalidate {
                (hidden_csrf(csrf_token))
                p { "Erasing your account removes your saved addresses and replaces your name, \
                     email and addresses on your orders. The orders themselves stay in the \
                     shop's books." }
                div.check.invalid[form.erase_problem.is_some()] {
                    input #confirm type="checkbox" name="confirm" value="yes" required
                        aria-invalid=[form.erase_problem.as_ref().map(|_| "true")]
                        aria-describedby=[form.erase_problem.as_ref().map(|_| "confirm-error")];
                    label for="confirm" { "Yes, erase my account" }
                }
                @if let Some(problem) = &form.erase_problem {
                    p.error #confirm-error { (problem) }
                }
                button type="submit" { "Erase my account" }
            }
        }
    };
    layout(chrome, title, content)
}

/// After an erasure.
pub fn erased(chrome: &Chrome, orders: i64) -> Markup {
    let content = html! {
        section.panel.stack role="status" {
            h1 { "Your account was erased" }
            p { "We removed your account and your saved addresses, and erased your personal \
                 details from " (orders) " orders." }
            p { a href="/" { "Back to the shop" } }
        }
    };
    layout(chrome, "Account erased", content)
}
