//! The sign-in pages: the email form, "check your email" with the code form, the link's
//! landing page with its confirm button, and the page for a used or expired link. Plain
//! forms, no JavaScript; every message is at its field.

use crate::layout::{Chrome, layout};
use crate::security::csrf;
use maud::{Markup, html};
use storefront_domain::customer::{CODE_DIGITS, SIGN_IN_LINK_SECONDS};

/// What went wrong, shown at its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Email,
    TooMany,
    Code,
    TooManyCodes,
}

impl Problem {
    fn message(self) -> &'static str {
        match self {
            Problem::Email => "Enter your email address, like name@example.com.",
            Problem::TooMany => {
                "Too many sign-in emails were asked for. Please wait a few minutes and try again."
            }
            Problem::Code => {
                "That code is wrong or has expired. Check the newest email, or ask for a new one."
            }
            Problem::TooManyCodes => {
                "Too many wrong codes. Please wait a few minutes and ask for a new email."
            }
        }
    }
}

fn error(id: &str, problem: Option<Problem>) -> Markup {
    html! {
        @if let Some(p) = problem {
            p.error id=(id) { (p.message()) }
        }
    }
}

/// `GET /login` and a refused `POST /login`.
pub fn ask(
    chrome: &Chrome,
    csrf_token: &str,
    email: &str,
    problem: Option<Problem>,
    signed_out: bool,
) -> Markup {
    let title = if problem.is_some() {
        "Error: Sign in"
    } else {
        "Sign in"
    };
    let content = html! {
        section.panel.stack {
            h1 { "Sign in" }
            @if signed_out { p role="status" { "You are signed out." } }
            p { "We email you a link and a code to sign in with; no password needed. \
                 Your account shows every order placed with your email address." }
            form.stack method="post" action="/login" novalidate {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                div.field.invalid[problem.is_some()] {
                    label for="email" { "Email address" }
                    input #email type="email" name="email" value=(email) autocomplete="email"
                        required maxlength="254"
                        aria-invalid=[problem.map(|_| "true")]
                        aria-describedby=[problem.map(|_| "email-error")];
                    (error("email-error", problem))
                }
                button.primary type="submit" { "Email me a sign-in link" }
            }
            p.muted { "You can also order without an account." }
        }
    };
    layout(chrome, title, content)
}

/// After asking: check your email, or type the code.
pub fn sent(chrome: &Chrome, csrf_token: &str, email: &str, problem: Option<Problem>) -> Markup {
    let minutes = SIGN_IN_LINK_SECONDS / 60;
    let title = if problem.is_some() {
        "Error: Check your email"
    } else {
        "Check your email"
    };
    let content = html! {
        section.panel.stack {
            h1 { "Check your email" }
            p role="status" {
                "If " strong { (email) } " can receive email, a sign-in link and a code are on \
                 their way. They work once, for " (minutes) " minutes."
            }
            form.stack method="post" action="/login/code" novalidate {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="email" value=(email);
                div.field.invalid[problem.is_some()] {
                    label for="code" { "Or type the code from the email" }
                    input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                        required maxlength=(CODE_DIGITS + 4) pattern="[0-9 ]*"
                        aria-invalid=[problem.map(|_| "true")]
                        aria-describedby=[problem.map(|_| "code-error")];
                    (error("code-error", problem))
                }
                button.primary type="submit" { "Sign in" }
            }
            p { a href="/login" { "Use another email address" } }
        }
    };
    layout(chrome, title, content)
}

/// `GET /login/link`: a button, so that a mail scanner fetching the link signs nobody in.
pub fn landing(chrome: &Chrome, csrf_token: &str, token: &str) -> Markup {
    let content = html! {
        section.panel.stack {
            h1 { "Sign in to " (chrome.shop.name) }
            p { "Confirm to sign in on this device." }
            form method="post" action="/login/link" {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="token" value=(token);
                button.primary type="submit" { "Sign in" }
            }
        }
    };
    layout(chrome, "Sign in", content)
}

/// A link that is unknown, used or expired.
pub fn link_used(chrome: &Chrome) -> Markup {
    let content = html! {
        section.panel.stack {
            h1 { "This sign-in link no longer works" }
            p { "A sign-in link works once, for " (SIGN_IN_LINK_SECONDS / 60) " minutes. \
                 Please ask for a new one." }
            p { a.button.primary href="/login" { "Get a new link" } }
        }
    };
    layout(chrome, "Sign-in link expired", content)
}
