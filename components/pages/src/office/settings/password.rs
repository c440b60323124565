//! `GET|POST /admin/settings/password`: the owner changes the password. The current one is
//! checked through the writer's sign-in handshake, so these attempts count towards the
//! client's limit of failed sign-ins like any other; the new one is hashed here (argon2id,
//! [`crate::office::password_hash::hash`]) and stored with `PUT /admin/owner/password`, which
//! ends every session and, in the same command, begins a fresh one for this browser (a
//! new cookie), so the owner stays signed in here and nowhere else. A resubmitted form
//! is harmless: the first submission ended the session it carries, so the second is
//! sent to the sign-in.

use super::sub_nav;
use crate::http::Resp;
use crate::office::layout::csrf_field;
use crate::office::{Office, owner_session, password_hash, sign_in};
use maud::html;
use storefront_domain::owner::{MAX_PASSWORD_BYTES, SetPassword, password_problem};

const PATH: &str = "/admin/settings/password";

/// The form for a new password.
pub fn show(office: &Office<'_>) -> Resp {
    page(office, 200, None, None)
}

/// `current`: the error for the current password; `new`: for the new one.
fn page(office: &Office<'_>, status: u16, current: Option<&str>, new: Option<&str>) -> Resp {
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Change the owner password" }
        form.stack method="post" action=(PATH) novalidate {
            (csrf_field(office))
            label for="current_password" {
                "Current password"
                input #current_password type="password" name="current_password" required
                    autocomplete="current-password" maxlength=(MAX_PASSWORD_BYTES)
                    aria-invalid=[current.map(|_| "true")]
                    aria-describedby=[current.map(|_| "current_password-error")];
                @if let Some(e) = current { span.field-error #current_password-error { (e) } }
            }
            label for="new_password" {
                "New password"
                input #new_password type="password" name="new_password" required
                    autocomplete="new-password" maxlength=(MAX_PASSWORD_BYTES)
                    aria-invalid=[new.map(|_| "true")]
                    aria-describedby=[new.map(|_| "new_password-error")];
                @if let Some(e) = new { span.field-error #new_password-error { (e) } }
            }
            label for="new_password_again" {
                "The new password again"
                input #new_password_again type="password" name="new_password_again" required
                    autocomplete="new-password" maxlength=(MAX_PASSWORD_BYTES);
            }
            p.muted { "At least 12 characters. Every other signed-in browser is signed out." }
            div { button.primary type="submit" { "Change password" } }
        }
    };
    office.page(status, "Change password", body)
}

pub async fn change(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let current = form.get("current_password").unwrap_or_default();
    let new = form.get("new_password").unwrap_or_default();
    let again = form.get("new_password_again").unwrap_or_default();
    let current_problem = (current.is_empty() || current.len() > MAX_PASSWORD_BYTES)
        .then_some("Enter the current password.");
    let new_problem = password_problem(new)
        .map(|p| format!("The new password {p}."))
        .or_else(|| (new != again).then(|| "The two new passwords are not the same.".to_string()));
    if current_problem.is_some() || new_problem.is_some() {
        return page(office, 422, current_problem, new_problem.as_deref());
    }
    match sign_in::check(office, current, None).await {
        Ok(sign_in::Check::Right) => {}
        Ok(sign_in::Check::Wrong | sign_in::Check::NoPassword) => {
            return page(office, 422, Some("That is not the current password."), None);
        }
        Ok(sign_in::Check::TooMany(message)) => {
            return page(office, 429, Some(&message), None).header("retry-after", "60");
        }
        Err(e) => return office.writer_failed(e),
    }
    let session = owner_session::OwnerSession::start();
    let set = SetPassword {
        password_hash: password_hash::hash(new),
        only_if_unset: false,
        session: Some(session.record(office.req)),
    };
    match office.writer.set_owner_password(&set).await {
        Ok(_) => office
            .done(
                PATH,
                "Your password is changed. Other browsers signed in with the old one are signed out.",
            )
            .header(
                "set-cookie",
                owner_session::set_cookie(&session, office.req.is_https()),
            ),
        Err(e) => office.writer_failed(e),
    }
}
