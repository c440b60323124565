//! `/admin/settings/discounts/{code}`: one discount code's form, to change what it takes
//! off, its minimum, dates, its limits in all and per customer (per email address), and
//! whether it is active (the writer's `POST /admin/discounts/{code}`). Its code and kind
//! stay: orders name the code, and a percentage turned into an amount would be another
//! code. An emptied end date or limit removes it.

use super::discounts::{PATH, Typed, date_field, day, describe, parse, status_label};
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
    DiscountChange, DiscountCode, DiscountKind, DiscountList, ListedDiscount,
    normalize_discount_code,
};
use storefront_domain::decimal::format_amount;

/// The stored code `code`, or the page to answer instead.
async fn stored(office: &Office<'_>, code: &str) -> Result<ListedDiscount, Resp> {
    let Some(code) = normalize_discount_code(code).filter(|c| c.len() == code.len()) else {
        return Err(office.not_found());
    };
    let list = office
        .writer
        .call::<DiscountList>(Method::Get, "/admin/discounts", None, &[])
        .await
        .map_err(|e| office.writer_failed(e))?
        .value;
    list.discounts
        .into_iter()
        .find(|d| d.discount.code == code)
        .ok_or_else(|| office.not_found())
}

/// The form filled in as stored.
fn typed_of(d: &DiscountCode, currency: &str) -> Typed {
    let value = match d.kind {
        // Basis points read as a percentage with up to two decimals: 1250 → "12.5".
        DiscountKind::Percent => {
            let text = format_amount(d.value, "EUR");
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        DiscountKind::Fixed => format_amount(d.value, currency),
    };
    let kind = match d.kind {
        DiscountKind::Percent => "percent",
        DiscountKind::Fixed => "fixed",
    };
    Typed {
        key: random_hex(16),
        code: d.code.clone(),
        kind: kind.into(),
        value,
        min_subtotal: if d.min_subtotal > 0 {
            format_amount(d.min_subtotal, currency)
        } else {
            String::new()
        },
        starts_at: d.starts_at.as_deref().map(day).unwrap_or_default().into(),
        ends_at: d.ends_at.as_deref().map(day).unwrap_or_default().into(),
        max_uses: d.max_uses.map(|n| n.to_string()).unwrap_or_default(),
        max_uses_per_email: d
            .max_uses_per_email
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}

/// `GET /admin/settings/discounts/{code}`.
pub async fn show(office: &Office<'_>, code: &str) -> Resp {
    let listed = match stored(office, code).await {
        Ok(listed) => listed,
        Err(resp) => return resp,
    };
    let typed = typed_of(&listed.discount, &office.shop.currency);
    let active = listed.discount.active;
    page(office, 200, &listed, &typed, active, &[], None)
}

fn page(
    office: &Office<'_>,
    status_code: u16,
    listed: &ListedDiscount,
    typed: &Typed,
    active: bool,
    errors: &[FieldError],
    problem: Option<&str>,
) -> Resp {
    let d = &listed.discount;
    let currency = office.shop.currency.as_str();
    let value_label = match d.kind {
        DiscountKind::Percent => "Percent off (such as 10 or 12.5)".to_string(),
        DiscountKind::Fixed => format!("Amount off in {currency} (such as 5.00)"),
    };
    let title = format!("Discount code {}", d.code);
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 #edit-code { "Edit discount code " code { (d.code) } }
        p { "Now " strong { (status_label(listed.state)) } "; takes off " (describe(d, currency))
            "; used " (d.uses) @if let Some(max) = d.max_uses { " of " (max) } " times." }
        @if !errors.is_empty() && problem.is_none() {
            p.flash.warning role="alert" { "Please correct the marked fields; nothing was saved." }
        }
        (form_problem(problem))
        form.stack method="post" action={ (PATH) "/" (d.code) } novalidate aria-labelledby="edit-code" {
            (csrf_field(office))
            (key_field(&typed.key))
            (text_field("value", &value_label, &typed.value, errors, Kind::Text(20)))
            (text_field("min_subtotal", "Minimum items total (optional, such as 30.00)", &typed.min_subtotal, errors, Kind::Text(20)))
            (date_field("starts_at", "Valid from (UTC)", &typed.starts_at, errors))
            (date_field("ends_at", "Valid until, not including (optional, UTC)", &typed.ends_at, errors))
            (text_field("max_uses", "Most uses in all (optional)", &typed.max_uses, errors, Kind::Text(10)))
            (text_field("max_uses_per_email", "Most uses per customer email (optional)", &typed.max_uses_per_email, errors, Kind::Text(10)))
            label for="active" {
                input #active type="checkbox" name="active" value="1" checked[active];
                " active (a shopper can use it within its dates and limits)"
            }
            @if let Some(e) = error_for(errors, "active") { span.field-error { (e) } }
            div { button.primary type="submit" { "Save " (d.code) } }
        }
        p { a href=(PATH) { "Back to the discount codes" } }
    };
    office.page(status_code, &title, body)
}

/// `POST /admin/settings/discounts/{code}`.
pub async fn save(office: &Office<'_>, code: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let listed = match stored(office, code).await {
        Ok(listed) => listed,
        Err(resp) => return resp,
    };
    let d = &listed.discount;
    let mut typed = Typed::of(&form);
    typed.key = form_key(&form);
    typed.code = d.code.clone();
    typed.kind = match d.kind {
        DiscountKind::Percent => "percent".into(),
        DiscountKind::Fixed => "fixed".into(),
    };
    let active = form.get("active") == Some("1");
    let parsed = match parse(&typed, &office.shop.currency) {
        Ok(parsed) => parsed,
        Err(errors) => return page(office, 422, &listed, &typed, active, &errors, None),
    };
    let change = DiscountChange {
        value: Some(parsed.value),
        min_subtotal: Some(parsed.min_subtotal),
        starts_at: parsed.starts_at.clone(),
        ends_at: Some(parsed.ends_at.clone()),
        max_uses: Some(parsed.max_uses),
        max_uses_per_email: Some(parsed.max_uses_per_email),
        active: Some(active),
    };
    let path = format!("/admin/discounts/{}", d.code);
    match command::<DiscountCode>(office.writer, Method::Post, &path, &change, &typed.key).await {
        Outcome::Done(saved) => office.done(PATH, format!("Discount code {} saved.", saved.code)),
        Outcome::Invalid(message, fields) => {
            let problem = fields.is_empty().then_some(message.as_str());
            let fields: Vec<FieldError> = fields
                .into_iter()
                .map(|f| FieldError::new(f.field.clone(), format!("This {}.", f.message)))
                .collect();
            page(office, 422, &listed, &typed, active, &fields, problem)
        }
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
