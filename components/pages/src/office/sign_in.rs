//! Signing the owner in and out (`GET|POST /admin/sign-in`, `POST /admin/sign-out`).
//!
//! The writer hands out the stored argon2id hash for an attempt it has counted
//! ([`storefront_domain::owner`]); this component verifies the password against it (the
//! slow part, kept off the writer) and reports the outcome, which the writer logs and
//! counts towards the client's limit of failed sign-ins. A right password's report
//! begins the session whose secret the new cookie carries ([`owner_session`](crate::office::owner_session)); signing out
//! ends it at the writer before the cookie is cleared.

use super::{Office, owner_session};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::layout::flash::{Flash, Tone};
use crate::writer::WriterError;
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use maud::html;
use storefront_domain::owner::{MAX_PASSWORD_BYTES, NewSession, SignInOutcome, SignInStart};

/// Longest `next` address kept across the sign-in.
const MAX_NEXT: usize = 512;

/// The sign-in form, or the dashboard for a browser already signed in.
pub fn show(office: &Office<'_>) -> Resp {
    if office.session.is_some() {
        return office.redirect("/admin", None);
    }
    form_page(office, 200, &next(office.req.query_param("next")), None)
}

/// The answer to a request that needs a session and has none: to the sign-in page,
/// coming back here afterwards (a form's data is not kept).
pub fn required(office: &Office<'_>) -> Resp {
    let req = office.req;
    if office.method() != "GET" {
        return office.redirect(
            "/admin/sign-in",
            Some(Flash::new(
                Tone::Warning,
                "Your back-office session has ended; sign in again and repeat what you did.",
            )),
        );
    }
    let here = if req.query.is_empty() {
        req.path.clone()
    } else {
        format!("{}?{}", req.path, req.query)
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &next(Some(here)))
        .finish();
    office.redirect(&format!("/admin/sign-in?{query}"), None)
}

/// A back-office address to return to, or the dashboard.
fn next(raw: Option<String>) -> String {
    raw.filter(|n| {
        n.len() <= MAX_NEXT
            && (n == "/admin" || n.starts_with("/admin/") || n.starts_with("/admin?"))
            && !n.contains("//")
            && n.bytes().all(|b| b.is_ascii_graphic())
    })
    .unwrap_or_else(|| "/admin".to_string())
}

fn form_page(office: &Office<'_>, status: u16, next: &str, problem: Option<&str>) -> Resp {
    let body = html! {
        section.stack {
            h1 { "Sign in" }
            p.muted { "The back office of " (office.shop.name) "." }
            form.stack method="post" action="/admin/sign-in" novalidate {
                input type="hidden" name="next" value=(next);
                label for="password" {
                    "Password"
                    input #password type="password" name="password" required
                        autocomplete="current-password" maxlength=(MAX_PASSWORD_BYTES)
                        aria-invalid=[problem.map(|_| "true")]
                        aria-describedby=[problem.map(|_| "password-error")];
                }
                @if let Some(problem) = problem {
                    p #password-error .field-error { (problem) }
                }
                div { button.primary type="submit" { "Sign in" } }
            }
        }
    };
    office.page(status, "Sign in", body)
}

/// The password checked; the session begun, or the form again with why not.
pub async fn sign_in(office: &Office<'_>) -> Resp {
    let form = Form::parse(&office.req.body);
    let next = next(form.get("next").map(str::to_string));
    let password = form.get("password").unwrap_or_default();
    if password.is_empty() || password.len() > MAX_PASSWORD_BYTES {
        return form_page(office, 422, &next, Some("Enter the owner password."));
    }
    let session = owner_session::OwnerSession::start();
    match check(office, password, Some(session.record(office.req))).await {
        Ok(Check::Right) => {}
        Ok(Check::Wrong) => {
            return form_page(office, 401, &next, Some("That password is not right."));
        }
        Ok(Check::TooMany(message)) => {
            return form_page(office, 429, &next, Some(&message)).header("retry-after", "60");
        }
        Ok(Check::NoPassword) => {
            return form_page(
                office,
                409,
                &next,
                Some(
                    "No owner password is set yet. Open the setup link `storefront up` \
                     printed, or on the server run `storefront admin set-password`, then \
                     sign in here.",
                ),
            );
        }
        Err(e) => return office.writer_failed(e),
    };
    Resp::redirect(&next).header(
        "set-cookie",
        owner_session::set_cookie(&session, office.req.is_https()),
    )
}

/// What checking a password through the writer's counted handshake found.
pub(super) enum Check {
    Right,
    Wrong,
    /// The client used up its attempts: the writer's message.
    TooMany(String),
    NoPassword,
}

/// Checks `password` against the owner's: the writer counts the attempt (and refuses it
/// past the client's limit) before it hands out the hash, and hears the outcome, which
/// begins `session` if the password is right.
pub(super) async fn check(
    office: &Office<'_>,
    password: &str,
    session: Option<NewSession>,
) -> Result<Check, WriterError> {
    let start = SignInStart {
        client: office.req.client().to_string(),
    };
    let challenge = match office.writer.start_sign_in(&start).await {
        Ok(challenge) => challenge,
        Err(WriterError::Rejected { status: 429, body }) => {
            return Ok(Check::TooMany(body.error.message));
        }
        Err(WriterError::Rejected { status: 409, .. }) => return Ok(Check::NoPassword),
        Err(e) => return Err(e),
    };
    let ok = verify(password, &challenge.password_hash);
    office
        .writer
        .finish_sign_in(
            challenge.attempt,
            &SignInOutcome {
                ok,
                session: session.filter(|_| ok),
            },
        )
        .await?;
    Ok(if ok { Check::Right } else { Check::Wrong })
}

fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(e) => {
            eprintln!("the stored owner password hash does not parse: {e}");
            false
        }
    }
}

pub async fn sign_out(office: &Office<'_>) -> Resp {
    // Without a valid session there is nothing to end; with one, the form must be ours.
    if let Some(session) = &office.session {
        if let Err(resp) = office.form() {
            return resp;
        }
        if let Err(e) = office.writer.end_owner_session(&session.id).await {
            return office.writer_failed(e);
        }
    }
    office
        .redirect(
            "/admin/sign-in",
            Some(Flash::new(Tone::Info, "You are signed out.")),
        )
        .header(
            "set-cookie",
            owner_session::clear_cookie(office.req.is_https()),
        )
}
