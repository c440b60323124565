//! `/admin/settings/discounts`: the discount codes (list with each one's status: active,
//! inactive, upcoming, expired or used up, and its limits in all and per customer;
//! create, deactivate, reactivate; editing is [`super::discount_edit`]) and the
//! codes shoppers tried that were refused, with the reasons a shopper is not told. Codes
//! are never deleted (orders name them); a deactivated code stays in the list. Percentages
//! and amounts are typed as decimals ("10" %, "5.00") and sent to the writer as basis
//! points and minor units.

use super::{
    Kind, Outcome, command, error_for, form_key, form_problem, key_field, sub_nav, text_field,
};
use crate::http::Resp;
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use crate::writer::WriterError;
use maud::html;
use spin_sdk::http::Method;
use storefront_domain::FieldError;
use storefront_domain::checkout::{
    DiscountChange, DiscountCode, DiscountKind, DiscountList, DiscountState,
    normalize_discount_code, percent,
};
use storefront_domain::decimal::{format_amount, parse_amount};
use storefront_domain::discount_attempts::{ATTEMPT_WINDOW_SECONDS, MAX_REFUSED_ATTEMPTS};

pub(super) const PATH: &str = "/admin/settings/discounts";

/// The codes and an empty form for a new one.
pub async fn show(office: &Office<'_>) -> Resp {
    list_page(office, 200, &Typed::default(), &[], None).await
}

/// The create form as typed.
#[derive(Default)]
pub(super) struct Typed {
    pub key: String,
    pub code: String,
    pub kind: String,
    pub value: String,
    pub min_subtotal: String,
    pub starts_at: String,
    pub ends_at: String,
    pub max_uses: String,
    pub max_uses_per_email: String,
}

impl Typed {
    pub(super) fn of(form: &crate::http::forms::Form) -> Typed {
        let t = |n: &str| form.get(n).unwrap_or_default().trim().to_string();
        Typed {
            key: form_key(form),
            code: t("code"),
            kind: t("kind"),
            value: t("value"),
            min_subtotal: t("min_subtotal"),
            starts_at: t("starts_at"),
            ends_at: t("ends_at"),
            max_uses: t("max_uses"),
            max_uses_per_email: t("max_uses_per_email"),
        }
    }
}

pub(super) fn describe(d: &DiscountCode, currency: &str) -> String {
    match d.kind {
        DiscountKind::Percent => percent(u32::try_from(d.value).unwrap_or(0)),
        DiscountKind::Fixed => format!("{} {currency}", format_amount(d.value, currency)),
    }
}

async fn list_page(
    office: &Office<'_>,
    status: u16,
    typed: &Typed,
    errors: &[FieldError],
    problem: Option<&str>,
) -> Resp {
    let list = match office
        .writer
        .call::<DiscountList>(Method::Get, "/admin/discounts", None, &[])
        .await
    {
        Ok(answer) => answer.value,
        Err(e) => return office.writer_failed(e),
    };
    let currency = office.shop.currency.as_str();
    let key = if typed.key.is_empty() {
        random_hex(16)
    } else {
        typed.key.clone()
    };
    let kind_error = error_for(errors, "kind");
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Discount codes" }
        @if list.discounts.is_empty() {
            p { "No discount codes yet." }
        } @else {
            p.hint { "A shopper whose code is refused is only told that it cannot be applied \
                      to the order; the state and the refused guesses here say why." }
            div.table-wrap {
                table.list #discounts {
                    thead { tr {
                        th { "Code" } th { "Status" } th { "Takes off" } th { "Minimum" } th { "From" } th { "Until" }
                        th.num { "Used" } th { "Per customer" } th.num { "Refused (24 h)" } th { "Actions" }
                    } }
                    tbody {
                        @for listed in &list.discounts {
                            @let d = &listed.discount;
                            tr {
                                td { code { (d.code) } }
                                td { span class={ "status status-" (status_class(listed.state)) } { (status_label(listed.state)) } }
                                td { (describe(d, currency)) }
                                td { @if d.min_subtotal > 0 { (format_amount(d.min_subtotal, currency)) " " (currency) } @else { "-" } }
                                td { (d.starts_at.as_deref().map(day).unwrap_or("-")) }
                                td { (d.ends_at.as_deref().map(day).unwrap_or("-")) }
                                td.num {
                                    (d.uses) @if let Some(max) = d.max_uses { " of " (max) }
                                }
                                td { @if let Some(per) = d.max_uses_per_email { (per) " per customer" } @else { "no limit" } }
                                td.num { (listed.refused_attempts) }
                                td {
                                    a href={ (PATH) "/" (d.code) } { "Edit " (d.code) }
                                    " "
                                    @if !d.active {
                                        form.inline method="post" action={ (PATH) "/" (d.code) "/reactivate" } {
                                            (csrf_field(office))
                                            (key_field(&random_hex(16)))
                                            button type="submit" { "Reactivate " (d.code) }
                                        }
                                    }
                                    @if d.active {
                                        form.inline method="post" action={ (PATH) "/" (d.code) "/deactivate" } {
                                            (csrf_field(office))
                                            (key_field(&random_hex(16)))
                                            button type="submit" { "Deactivate " (d.code) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #refused-codes { "Refused codes" }
        @if list.refused.is_empty() {
            p { "No code was refused in the last 24 hours." }
        } @else {
            p { "The latest codes shoppers tried that did not apply (the last 24 hours). \
                 Many from one client are someone guessing; after "
                (MAX_REFUSED_ATTEMPTS) " in " (ATTEMPT_WINDOW_SECONDS / 60)
                " minutes a client's codes are refused until the oldest is older than that." }
            div.table-wrap {
                table.list #refused {
                    thead { tr { th { "When (UTC)" } th { "Code" } th { "Why" } th { "Client" } } }
                    tbody {
                        @for r in &list.refused {
                            tr {
                                td { (r.at.replace('T', " ").trim_end_matches('Z')) }
                                td { code { (r.code) } }
                                td { (r.reason.describe()) }
                                td { code { (r.client) } }
                            }
                        }
                    }
                }
            }
        }
        h2 #new-code { "New discount code" }
        (form_problem(problem))
        form.stack method="post" action=(PATH) novalidate aria-labelledby="new-code" {
            (csrf_field(office))
            (key_field(&key))
            (text_field("code", "Code (letters, digits, - and _)", &typed.code, errors, Kind::Text(32)))
            fieldset {
                legend { "Kind" }
                label for="kind-percent" {
                    input #kind-percent type="radio" name="kind" value="percent"
                        checked[typed.kind != "fixed"];
                    " a percentage of the items"
                }
                label for="kind-fixed" {
                    input #kind-fixed type="radio" name="kind" value="fixed"
                        checked[typed.kind == "fixed"];
                    " a fixed amount in " (currency)
                }
                @if let Some(e) = &kind_error { span.field-error #kind-error { (e) } }
            }
            (text_field("value", "Value (percent such as 10, or an amount such as 5.00)", &typed.value, errors, Kind::Text(20)))
            (text_field("min_subtotal", "Minimum items total (optional, such as 30.00)", &typed.min_subtotal, errors, Kind::Text(20)))
            (date_field("starts_at", "Valid from (optional, UTC)", &typed.starts_at, errors))
            (date_field("ends_at", "Valid until, not including (optional, UTC)", &typed.ends_at, errors))
            (text_field("max_uses", "Most uses in all (optional)", &typed.max_uses, errors, Kind::Text(10)))
            (text_field("max_uses_per_email", "Most uses per customer email (optional)", &typed.max_uses_per_email, errors, Kind::Text(10)))
            div { button.primary type="submit" { "Create code" } }
        }
    };
    office.page(status, "Discount codes", body)
}

/// A code's status as the owner's list says it.
pub(super) fn status_label(state: DiscountState) -> &'static str {
    match state {
        DiscountState::Active => "active",
        DiscountState::Deactivated => "inactive (deactivated)",
        DiscountState::NotYetValid => "upcoming (not valid yet)",
        DiscountState::Expired => "expired",
        DiscountState::UsedUp => "used up",
    }
}

fn status_class(state: DiscountState) -> &'static str {
    match state {
        DiscountState::Active => "active",
        DiscountState::Deactivated => "inactive",
        DiscountState::NotYetValid => "upcoming",
        DiscountState::Expired => "expired",
        DiscountState::UsedUp => "used-up",
    }
}

/// The day of an RFC 3339 time.
pub(super) fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

pub(super) fn date_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &[FieldError],
) -> maud::Markup {
    let error = error_for(errors, name);
    let error_id = format!("{name}-error");
    html! {
        label for=(name) {
            (label)
            input #(name) type="date" name=(name) value=(value)
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[error.as_ref().map(|_| error_id.as_str())];
            @if let Some(error) = &error { span.field-error #(error_id) { (error) } }
        }
    }
}

/// The code the form describes, or every field error.
pub(super) fn parse(typed: &Typed, currency: &str) -> Result<DiscountCode, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = normalize_discount_code(&typed.code).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "code",
            "Enter 1 to 32 letters, digits, - or _.",
        ));
        String::new()
    });
    let kind = match typed.kind.as_str() {
        "percent" => DiscountKind::Percent,
        "fixed" => DiscountKind::Fixed,
        _ => {
            errors.push(FieldError::new(
                "kind",
                "Choose a percentage or a fixed amount.",
            ));
            DiscountKind::Percent
        }
    };
    // A percentage is read like an amount with two decimals: "12.5" → 1250 basis points.
    let value = match kind {
        DiscountKind::Percent => parse_amount(&typed.value, "EUR")
            .ok()
            .filter(|bp| (1..=10_000).contains(bp))
            .ok_or("Enter a percentage from 0.01 to 100, such as 10 or 12.5.".to_string()),
        DiscountKind::Fixed => parse_amount(&typed.value, currency)
            .and_then(|v| {
                if v > 0 {
                    Ok(v)
                } else {
                    Err("must be more than 0".into())
                }
            })
            .map_err(|e| format!("The amount {e}.")),
    }
    .unwrap_or_else(|e| {
        errors.push(FieldError::new("value", e));
        0
    });
    let min_subtotal = if typed.min_subtotal.is_empty() {
        0
    } else {
        parse_amount(&typed.min_subtotal, currency).unwrap_or_else(|e| {
            errors.push(FieldError::new("min_subtotal", format!("The minimum {e}.")));
            0
        })
    };
    let mut limit = |field: &str, raw: &str| -> Option<i64> {
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<i64>() {
            Ok(n) if (1..=1_000_000_000).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    field,
                    "Enter a whole number from 1, or leave it empty.",
                ));
                None
            }
        }
    };
    let max_uses = limit("max_uses", &typed.max_uses);
    let max_uses_per_email = limit("max_uses_per_email", &typed.max_uses_per_email);
    let mut date = |field: &str, raw: &str| -> Option<String> {
        if raw.is_empty() {
            return None;
        }
        let ok = time::Date::parse(
            raw,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_ok();
        if !ok {
            errors.push(FieldError::new(field, "Enter a date such as 2026-12-01."));
        }
        Some(format!("{raw}T00:00:00Z"))
    };
    let starts_at = date("starts_at", &typed.starts_at);
    let ends_at = date("ends_at", &typed.ends_at);
    if let (Some(start), Some(end)) = (&starts_at, &ends_at)
        && end <= start
        && errors.is_empty()
    {
        errors.push(FieldError::new(
            "ends_at",
            "The last day must come after the first: the code ends when this day begins.",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DiscountCode {
        code,
        kind,
        value,
        min_subtotal,
        starts_at,
        ends_at,
        max_uses,
        max_uses_per_email,
        uses: 0,
        active: true,
    })
}

pub async fn create(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let typed = Typed::of(&form);
    let discount = match parse(&typed, &office.shop.currency) {
        Ok(d) => d,
        Err(errors) => return list_page(office, 422, &typed, &errors, None).await,
    };
    match command::<DiscountCode>(
        office.writer,
        Method::Post,
        "/admin/discounts",
        &discount,
        &typed.key,
    )
    .await
    {
        Outcome::Done(stored) => {
            office.done(PATH, format!("Discount code {} created.", stored.code))
        }
        Outcome::Invalid(message, fields) => {
            let problem = fields.is_empty().then_some(message.as_str());
            list_page(office, 422, &typed, &fields, problem).await
        }
        Outcome::Failed(e) => office.writer_failed(e),
    }
}

/// Reactivates `code`: it applies again by its dates and limits.
pub async fn reactivate(office: &Office<'_>, code: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let Some(code) = normalize_discount_code(code).filter(|c| c.len() == code.len()) else {
        return office.not_found();
    };
    let path = format!("/admin/discounts/{code}");
    let change = DiscountChange {
        active: Some(true),
        ..DiscountChange::default()
    };
    match command::<DiscountCode>(
        office.writer,
        Method::Post,
        &path,
        &change,
        &form_key(&form),
    )
    .await
    {
        Outcome::Done(_) => office.done(PATH, format!("Discount code {code} reactivated.")),
        Outcome::Invalid(message, _) => office.error(422, "That did not work", &message),
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}

/// Deactivates `code` (the form is checked first; a code that cannot be one is no page).
pub async fn deactivate(office: &Office<'_>, code: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let Some(code) = normalize_discount_code(code).filter(|c| c.len() == code.len()) else {
        return office.not_found();
    };
    let key = form_key(&form);
    let path = format!("/admin/discounts/{code}/deactivate");
    match command::<DiscountCode>(
        office.writer,
        Method::Post,
        &path,
        &serde_json::json!({}),
        &key,
    )
    .await
    {
        Outcome::Done(_) => office.done(PATH, format!("Discount code {code} deactivated.")),
        Outcome::Invalid(message, _) => office.error(422, "That did not work", &message),
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
