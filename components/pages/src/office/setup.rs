//! `GET|POST /admin/setup?token=…`: the one-time link that lets a new owner choose the
//! first password in the browser. It works only while no password is set (the writer
//! refuses otherwise, atomically) and only with the `owner_setup_token` variable's value
//! (compared in constant time; empty disables the link). `storefront up` generates the
//! token and prints the link at start.

use super::{Office, owner_session, password_hash};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::writer::WriterError;
use maud::html;
use sha2::{Digest, Sha256};
use storefront_domain::owner::{MAX_PASSWORD_BYTES, SetPassword, password_problem};
use subtle::ConstantTimeEq;

pub async fn respond(office: &Office<'_>) -> Resp {
    let token = match office.method() {
        "GET" => office.req.query_param("token").unwrap_or_default(),
        // POST, the only other method the route table lets through.
        _ => Form::parse(&office.req.body)
            .get("token")
            .unwrap_or_default()
            .to_string(),
    };
    if !token_ok(&token) {
        return office.error(
            404,
            "No such setup link",
            "This setup link is not valid. Use the link `storefront up` printed, or run \
             `storefront admin set-password` on the server.",
        );
    }
    match office.writer.owner_status().await {
        Ok(status) if status.password_set => {
            return office.redirect("/admin/sign-in", None);
        }
        Ok(_) => {}
        Err(e) => return office.writer_failed(e),
    }
    if office.method() == "GET" {
        return form_page(office, 200, &token, None);
    }
    let form = Form::parse(&office.req.body);
    let new = form.get("password").unwrap_or_default();
    let again = form.get("password_again").unwrap_or_default();
    if let Some(problem) = password_problem(new) {
        return form_page(
            office,
            422,
            &token,
            Some(format!("The password {problem}.")),
        );
    }
    if new != again {
        return form_page(
            office,
            422,
            &token,
            Some("The two passwords are not the same.".into()),
        );
    }
    let session = owner_session::OwnerSession::start();
    let set = SetPassword {
        password_hash: password_hash::hash(new),
        only_if_unset: true,
        session: Some(session.record(office.req)),
    };
    match office.writer.set_owner_password(&set).await {
        Ok(_) => office
            .done(
                "/admin",
                "Your password is set. Welcome to the back office.",
            )
            .header(
                "set-cookie",
                owner_session::set_cookie(&session, office.req.is_https()),
            ),
        // Someone else set one a moment ago: this link is spent.
        Err(WriterError::Rejected { status: 409, .. }) => office.redirect("/admin/sign-in", None),
        Err(e) => office.writer_failed(e),
    }
}

fn token_ok(submitted: &str) -> bool {
    let expected = spin_sdk::variables::get("owner_setup_token").unwrap_or_default();
    let expected = expected.trim();
    // Digests so that neither the content nor the length shows in the timing.
    !expected.is_empty()
        && bool::from(
            Sha256::digest(expected.as_bytes()).ct_eq(&Sha256::digest(submitted.as_bytes())),
        )
}

fn form_page(office: &Office<'_>, status: u16, token: &str, problem: Option<String>) -> Resp {
    let invalid = problem.as_ref().map(|_| "true");
    let described = problem.as_ref().map(|_| "password-error");
    let body = html! {
        section.stack {
            h1 { "Set up the back office" }
            p { "Choose the owner password for " (office.shop.name) ". You sign in with it at "
                code { "/admin" } "." }
            form.stack method="post" action="/admin/setup" novalidate {
                input type="hidden" name="token" value=(token);
                label for="password" {
                    "New password"
                    input #password type="password" name="password" required
                        autocomplete="new-password" maxlength=(MAX_PASSWORD_BYTES)
                        aria-invalid=[invalid] aria-describedby=[described];
                }
                label for="password_again" {
                    "The same password again"
                    input #password_again type="password" name="password_again" required
                        autocomplete="new-password" maxlength=(MAX_PASSWORD_BYTES);
                }
                @if let Some(problem) = &problem {
                    p #password-error .field-error { (problem) }
                }
                p.muted { "At least 12 characters." }
                div { button.primary type="submit" { "Set password and sign in" } }
            }
        }
    };
    office.page(status, "Set up the back office", body)
}
