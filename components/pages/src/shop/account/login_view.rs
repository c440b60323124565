//! The sign-in pages: the email form, "check your email" with the code form, the link's
//! landing page with its confirm button, and the page for a used or expired link. Plain
//! forms, no JavaScript; every message is at its field.

use crate::i18n::Lang;
use crate::layout::{Chrome, layout};
use crate::security::csrf;
use crate::tr;
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
    fn message(self, lang: Lang) -> String {
        let id = match self {
            Problem::Email => "login-problem-email",
            Problem::TooMany => "login-problem-too-many",
            Problem::Code => "login-problem-code",
            Problem::TooManyCodes => "login-problem-too-many-codes",
        };
        tr!(lang, id)
    }
}

fn error(lang: Lang, id: &str, problem: Option<Problem>) -> Markup {
    html! {
        @if let Some(p) = problem {
            p.error id=(id) { (p.message(lang)) }
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
    let lang = chrome.lang;
    let title = if problem.is_some() {
        tr!(lang, "login-error-title")
    } else {
        tr!(lang, "login-title")
    };
    let content = html! {
        section.panel.stack {
            h1 { (tr!(lang, "login-title")) }
            @if signed_out { p role="status" { (tr!(lang, "login-signed-out")) } }
            p { (tr!(lang, "login-intro")) }
            form.stack method="post" action="/login" novalidate {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                div.field.invalid[problem.is_some()] {
                    label for="email" { (tr!(lang, "login-email")) }
                    input #email type="email" name="email" value=(email) autocomplete="email"
                        required maxlength="254"
                        aria-invalid=[problem.map(|_| "true")]
                        aria-describedby=[problem.map(|_| "email-error")];
                    (error(lang, "email-error", problem))
                }
                button.primary type="submit" { (tr!(lang, "login-send")) }
            }
            p.muted { (tr!(lang, "login-guest")) }
        }
    };
    layout(chrome, &title, content)
}

/// After asking: check your email, or type the code.
pub fn sent(chrome: &Chrome, csrf_token: &str, email: &str, problem: Option<Problem>) -> Markup {
    let minutes = SIGN_IN_LINK_SECONDS / 60;
    let lang = chrome.lang;
    let title = if problem.is_some() {
        tr!(lang, "login-check-error-title")
    } else {
        tr!(lang, "login-check-title")
    };
    let content = html! {
        section.panel.stack {
            h1 { (tr!(lang, "login-check-title")) }
            p role="status" { (tr!(lang, "login-check-text", email = email, minutes = minutes)) }
            form.stack method="post" action="/login/code" novalidate {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="email" value=(email);
                div.field.invalid[problem.is_some()] {
                    label for="code" { (tr!(lang, "login-code")) }
                    input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code"
                        required maxlength=(CODE_DIGITS + 4) pattern="[0-9 ]*"
                        aria-invalid=[problem.map(|_| "true")]
                        aria-describedby=[problem.map(|_| "code-error")];
                    (error(lang, "code-error", problem))
                }
                button.primary type="submit" { (tr!(lang, "login-title")) }
            }
            p { a href="/login" { (tr!(lang, "login-other-email")) } }
        }
    };
    layout(chrome, &title, content)
}

/// `GET /login/link`: a button, so that a mail scanner fetching the link signs nobody in.
pub fn landing(chrome: &Chrome, csrf_token: &str, token: &str) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        section.panel.stack {
            h1 { (tr!(lang, "login-landing-title", shop = chrome.shop.name.as_str())) }
            p { (tr!(lang, "login-landing-text")) }
            form method="post" action="/login/link" {
                input type="hidden" name=(csrf::FIELD) value=(csrf_token);
                input type="hidden" name="token" value=(token);
                button.primary type="submit" { (tr!(lang, "login-title")) }
            }
        }
    };
    layout(chrome, &tr!(lang, "login-title"), content)
}

/// A link that is unknown, used or expired.
pub fn link_used(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        section.panel.stack {
            h1 { (tr!(lang, "login-link-used")) }
            p { (tr!(lang, "login-link-used-text", minutes = SIGN_IN_LINK_SECONDS / 60)) }
            p { a.button.primary href="/login" { (tr!(lang, "login-new-link")) } }
        }
    };
    layout(chrome, &tr!(lang, "login-link-expired-title"), content)
}
