//! The return window (`/admin/settings/returns`): how many days after shipping a customer
//! may ask to return items (0: the shop takes no returns). A writer command under the
//! form's idempotency key; a number out of range is the form again, 422, at the field.

use super::{Kind, Outcome, command, form_key, key_field, sub_nav, text_field};
use crate::http::Resp;
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use spin_sdk::http::Method;
use storefront_domain::FieldError;
use storefront_domain::returns::{MAX_RETURN_WINDOW_DAYS, ReturnSettings};

const FIELD: &str = "return_window_days";

fn page(office: &Office<'_>, status: u16, typed: &str, errors: &[FieldError], key: &str) -> Resp {
    let body = maud::html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Returns" }
        form.stack method="post" action="/admin/settings/returns" novalidate {
            (csrf_field(office))
            (key_field(key))
            (text_field(FIELD, "Return window in days after shipping (0: no returns)", typed, errors, Kind::Text(3)))
            p.muted { "From 0 to " (MAX_RETURN_WINDOW_DAYS) " days. Customers ask from their order's page; \
                       you accept or refuse under " a href="/admin/returns" { "Returns" } "." }
            div { button.primary type="submit" { "Save" } }
        }
    };
    office.page(status, "Returns · Settings", body)
}

/// `GET /admin/settings/returns`.
pub async fn show(office: &Office<'_>) -> Resp {
    match office.writer.return_settings().await {
        Ok(settings) => page(
            office,
            200,
            &settings.return_window_days.to_string(),
            &[],
            &random_hex(16),
        ),
        Err(e) => office.writer_failed(e),
    }
}

/// `POST /admin/settings/returns`.
pub async fn save(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let key = form_key(&form);
    let typed = form.get(FIELD).unwrap_or_default().trim().to_string();
    let days = match typed.parse::<i64>() {
        Ok(days) if (0..=MAX_RETURN_WINDOW_DAYS).contains(&days) => days,
        _ => {
            let error = FieldError::new(
                FIELD,
                format!("Enter a whole number of days from 0 to {MAX_RETURN_WINDOW_DAYS}."),
            );
            return page(office, 422, &typed, &[error], &key);
        }
    };
    let settings = ReturnSettings {
        return_window_days: days,
    };
    match command::<ReturnSettings>(
        office.writer,
        Method::Put,
        "/admin/settings/returns",
        &settings,
        &key,
    )
    .await
    {
        Outcome::Done(_) => office.done("/admin/settings/returns", "Return window saved."),
        Outcome::Invalid(message, fields) => {
            let fields = if fields.is_empty() {
                vec![FieldError::new(FIELD, message)]
            } else {
                fields
            };
            page(office, 422, &typed, &fields, &key)
        }
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
