//! `/admin/settings/shipping`: every shipping zone's methods, each with its own small
//! form to change its price and whether it is offered (`POST
//! /admin/settings/shipping/{code}` → the writer's `POST /admin/shipping/methods/{code}`).

use super::{Outcome, command, form_key, key_field, sub_nav};
use crate::http::Resp;
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use crate::writer::WriterError;
use maud::html;
use spin_sdk::http::Method;
use storefront_domain::checkout::{
    ShippingKind, ShippingMethod, ShippingMethodChange, ShippingZones,
};
use storefront_domain::decimal::{format_amount, parse_amount};

const PATH: &str = "/admin/settings/shipping";

/// A method's form as typed when the change was refused: code, price typed, the error.
struct Refused {
    code: String,
    amount: String,
    active: bool,
    error: String,
}

/// The shipping methods by zone, each with its form.
pub async fn show(office: &Office<'_>) -> Resp {
    page(office, 200, None).await
}

fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn page(office: &Office<'_>, status: u16, refused: Option<Refused>) -> Resp {
    let zones = match office
        .writer
        .call::<ShippingZones>(Method::Get, "/admin/shipping", None, &[])
        .await
    {
        Ok(answer) => answer.value,
        Err(e) => return office.writer_failed(e),
    };
    let currency = office.shop.currency.as_str();
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Shipping methods" }
        @for zone in &zones.zones {
            section.shipping-zone {
                h3 { (zone.name) }
                p.muted { "Countries: " (zone.countries.join(", ")) }
                @for m in &zone.methods {
                    (method_form(office, m, currency, refused.as_ref().filter(|r| r.code == m.code)))
                }
            }
        }
    };
    office.page(status, "Shipping methods", body)
}

fn method_form(
    office: &Office<'_>,
    m: &ShippingMethod,
    currency: &str,
    refused: Option<&Refused>,
) -> maud::Markup {
    let id = format!("amount-{}", m.code);
    let error_id = format!("{id}-error");
    let amount = refused.map_or_else(|| format_amount(m.amount, currency), |r| r.amount.clone());
    let active = refused.map_or(m.active, |r| r.active);
    let how = match m.kind {
        ShippingKind::Flat => String::new(),
        ShippingKind::FreeAbove => m.threshold.map_or(String::new(), |t| {
            format!("free from {} {currency}", format_amount(t, currency))
        }),
        ShippingKind::ByWeight => format!(
            "plus {} {currency} per started kg",
            format_amount(m.per_kg_amount, currency)
        ),
    };
    html! {
        form.filters method="post" action={ (PATH) "/" (m.code) } novalidate {
            (csrf_field(office))
            (key_field(&random_hex(16)))
            p { strong { (m.name) } " " code { (m.code) } @if !how.is_empty() { " (" (how) ")" } }
            label for=(id) {
                "Price in " (currency) " for " (m.name)
                input #(id) type="text" name="amount" value=(amount) inputmode="decimal" maxlength="20"
                    aria-invalid=[refused.map(|_| "true")]
                    aria-describedby=[refused.map(|_| error_id.as_str())];
                @if let Some(r) = refused { span.field-error #(error_id) { (r.error) } }
            }
            label for={ "active-" (m.code) } {
                input #{ "active-" (m.code) } type="checkbox" name="active" value="1" checked[active];
                " offered at checkout"
            }
            div { button type="submit" { "Save " (m.name) } }
        }
    }
}

/// Changes method `code` (the form is checked first; a code that cannot be one is no page).
pub async fn change(office: &Office<'_>, code: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    if !valid_code(code) {
        return office.not_found();
    }
    let typed = form.get("amount").unwrap_or_default().trim().to_string();
    let active = form.get("active") == Some("1");
    let refuse = |error: String| Refused {
        code: code.to_string(),
        amount: typed.clone(),
        active,
        error,
    };
    let amount = match parse_amount(&typed, &office.shop.currency) {
        Ok(amount) => amount,
        Err(e) => return page(office, 422, Some(refuse(format!("The price {e}.")))).await,
    };
    let change = ShippingMethodChange {
        amount: Some(amount),
        active: Some(active),
        ..Default::default()
    };
    let path = format!("/admin/shipping/methods/{code}");
    match command::<ShippingMethod>(
        office.writer,
        Method::Post,
        &path,
        &change,
        &form_key(&form),
    )
    .await
    {
        Outcome::Done(m) => office.done(PATH, format!("{} saved.", m.name)),
        Outcome::Invalid(message, fields) => {
            let error = fields.first().map_or(message, |f| f.message.clone());
            page(office, 422, Some(refuse(error))).await
        }
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
