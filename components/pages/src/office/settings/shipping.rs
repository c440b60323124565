//! `/admin/settings/shipping`: the shipping zones (a name and the countries it ships to,
//! each country in one zone only) and the methods each offers, priced flat, by weight (a
//! base plus an amount per started kg) or free from an items total. Each method and zone
//! has its own small form; a refused form shows its errors at its fields (422) and the
//! writer has changed nothing.
//!
//! Forms: a method's change `POST /admin/settings/shipping/{code}` (writer `POST
//! /admin/shipping/methods/{code}`; fields left out stay as they are), a new zone `POST
//! /admin/settings/zones`, a zone's name and countries `POST /admin/settings/zones/{id}`,
//! a new method in a zone `POST /admin/settings/zones/{id}/methods`.

use super::many_forms::{self, Refused};
use super::{Outcome, command, form_key, key_field, sub_nav};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use crate::writer::WriterError;
use maud::{Markup, html};
use spin_sdk::http::Method;
use storefront_domain::FieldError;
use storefront_domain::checkout::{
    ShippingKind, ShippingMethod, ShippingMethodChange, ShippingZone, ShippingZones, ZoneInput,
    country_list, unknown_countries,
};
use storefront_domain::decimal::{format_amount, parse_amount};

const PATH: &str = "/admin/settings/shipping";
const ZONES: &str = "/admin/settings/zones";
const NEW_ZONE: &str = "new-zone";

const KINDS: [(&str, &str); 3] = [
    ("flat", "Flat price"),
    (
        "by_weight",
        "By weight: a base price plus a price per started kg",
    ),
    ("free_above", "Free from an items total, else a flat price"),
];

fn kind_value(kind: ShippingKind) -> &'static str {
    match kind {
        ShippingKind::Flat => "flat",
        ShippingKind::ByWeight => "by_weight",
        ShippingKind::FreeAbove => "free_above",
    }
}

fn kind_of(value: &str) -> Option<ShippingKind> {
    match value {
        "flat" => Some(ShippingKind::Flat),
        "by_weight" => Some(ShippingKind::ByWeight),
        "free_above" => Some(ShippingKind::FreeAbove),
        _ => None,
    }
}

/// The zones, their methods, each with its form.
pub async fn show(office: &Office<'_>) -> Resp {
    page(office, 200, None).await
}

fn valid_code(code: &str) -> bool {
    (1..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn page(office: &Office<'_>, status: u16, refused: Option<&Refused>) -> Resp {
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
        h2 { "Shipping" }
        p.hint { "A shopper's country decides the zone, and the zone decides the methods \
                  offered at checkout. A country ships from one zone only; a country in no \
                  zone cannot be shipped to." }
        @for zone in &zones.zones {
            section.shipping-zone aria-labelledby={ "zone-" (zone.id) "-heading" } {
                h3 #{ "zone-" (zone.id) "-heading" } { (zone.name) }
                p.muted { "Countries: " @if zone.countries.is_empty() { "none yet" } @else { (zone.countries.join(", ")) } }
                @if zone.methods.is_empty() { p { "No methods in this zone yet." } }
                @for m in &zone.methods {
                    (method_form(office, m, currency, refused))
                }
                (zone_form(office, zone, refused))
                (new_method_form(office, zone, currency, refused))
            }
        }
        h2 #new-zone-heading { "New zone" }
        (zone_fields(office, NEW_ZONE, ZONES, "", "", "Create zone", refused, &random_hex(16)))
    };
    office.page(status, "Shipping", body)
}

fn amount_text(amount: Option<i64>, currency: &str) -> String {
    amount.map_or(String::new(), |a| format_amount(a, currency))
}

/// The pricing fields shared by a method's form and a new method's.
fn pricing(
    refused: Option<&Refused>,
    form: &str,
    m: Option<&ShippingMethod>,
    currency: &str,
) -> Markup {
    let kind = m.map_or("flat", |m| kind_value(m.kind));
    let per_kg = m
        .filter(|m| m.kind == ShippingKind::ByWeight)
        .map(|m| m.per_kg_amount);
    html! {
        (many_forms::choice(refused, form, "kind", "How it is priced", &KINDS, kind))
        (many_forms::text(refused, form, "amount", &format!("Price (by weight: the base) in {currency}"),
            &amount_text(m.map(|m| m.amount), currency), None, true))
        (many_forms::text(refused, form, "per_kg_amount", &format!("Price per started kg in {currency}"),
            &amount_text(per_kg, currency), Some("By weight only: 1 g to 1 kg is one kg."), true))
        (many_forms::text(refused, form, "threshold", &format!("Free from an items total of, in {currency}"),
            &amount_text(m.and_then(|m| m.threshold), currency), Some("Free from a total only."), true))
    }
}

fn method_form(
    office: &Office<'_>,
    m: &ShippingMethod,
    currency: &str,
    refused: Option<&Refused>,
) -> Markup {
    let form = format!("method-{}", m.code);
    let refused = Refused::about(refused, &form);
    html! {
        form.stack method="post" action={ (PATH) "/" (m.code) } novalidate aria-label={ "Method " (m.name) } {
            (csrf_field(office))
            (key_field(&random_hex(16)))
            p { strong { (m.name) } " " code { (m.code) } " " @if m.active { "(offered)" } @else { "(not offered)" } }
            (many_forms::problem(refused))
            (many_forms::text(refused, &form, "name", "Name shoppers see", &m.name, None, false))
            (pricing(refused, &form, Some(m), currency))
            (many_forms::checkbox(refused, &form, "active", "offered at checkout", m.active))
            div { button type="submit" { "Save " (m.name) } }
        }
    }
}

fn new_method_form(
    office: &Office<'_>,
    zone: &ShippingZone,
    currency: &str,
    refused: Option<&Refused>,
) -> Markup {
    let form = format!("new-method-{}", zone.id);
    let refused = Refused::about(refused, &form);
    html! {
        h4 { "Add a method to " (zone.name) }
        form.stack method="post" action={ (ZONES) "/" (zone.id) "/methods" } novalidate
                aria-label={ "New method in " (zone.name) } {
                (csrf_field(office))
                (key_field(&refused.map(|r| form_key(&r.typed)).unwrap_or_else(|| random_hex(16))))
                (many_forms::problem(refused))
                (many_forms::text(refused, &form, "code", "Code (letters, digits, - and _)", "", None, false))
                (many_forms::text(refused, &form, "name", "Name shoppers see", "", None, false))
                (pricing(refused, &form, None, currency))
                (many_forms::checkbox(refused, &form, "active", "offered at checkout", true))
                div { button type="submit" { "Add method to " (zone.name) } }
            }
    }
}

fn zone_form(office: &Office<'_>, zone: &ShippingZone, refused: Option<&Refused>) -> Markup {
    let form = format!("zone-{}", zone.id);
    html! {
        h4 { "Rename " (zone.name) " or change its countries" }
        (zone_fields(office, &form, &format!("{ZONES}/{}", zone.id), &zone.name,
                &zone.countries.join(", "), &format!("Save zone {}", zone.name), refused, &random_hex(16)))
    }
}

#[allow(clippy::too_many_arguments)]
fn zone_fields(
    office: &Office<'_>,
    form: &str,
    action: &str,
    name: &str,
    countries: &str,
    button: &str,
    refused: Option<&Refused>,
    key: &str,
) -> Markup {
    let refused = Refused::about(refused, form);
    let key = refused.map_or(key.to_string(), |r| form_key(&r.typed));
    html! {
        form.stack method="post" action=(action) novalidate aria-label=(button) {
            (csrf_field(office))
            (key_field(&key))
            (many_forms::problem(refused))
            (many_forms::text(refused, form, "name", "Zone name", name, None, false))
            (many_forms::text(refused, form, "countries", "Countries", countries,
                Some("Two-letter country codes (ISO 3166-1), separated by commas, such as DE, AT, FR."), false))
            div { button type="submit" { (button) } }
        }
    }
}

/// An amount field: `None` when left out of the form or empty and not `required`.
fn amount_field(
    form: &Form,
    refused: &mut Refused,
    name: &str,
    what: &str,
    required: bool,
    currency: &str,
) -> Option<i64> {
    let typed = form.get(name)?.trim();
    if typed.is_empty() {
        if required {
            refused.field(name, format!("Enter the {what}, such as 4.90."));
        }
        return None;
    }
    match parse_amount(typed, currency) {
        Ok(v) => Some(v),
        Err(e) => {
            refused.field(name, format!("The {what} {e}."));
            None
        }
    }
}

/// The kind and the amounts it needs, from a method form.
fn pricing_of(
    form: &Form,
    refused: &mut Refused,
    currency: &str,
) -> (Option<ShippingKind>, Option<i64>, Option<i64>, Option<i64>) {
    let kind = match form.get("kind") {
        None => None,
        Some(k) => match kind_of(k) {
            Some(k) => Some(k),
            None => {
                refused.field("kind", "Choose how the method is priced.");
                None
            }
        },
    };
    let amount = amount_field(form, refused, "amount", "price", true, currency);
    let per_kg = if kind.is_none_or(|k| k == ShippingKind::ByWeight) {
        amount_field(
            form,
            refused,
            "per_kg_amount",
            "price per started kg",
            kind == Some(ShippingKind::ByWeight),
            currency,
        )
    } else {
        None
    };
    let threshold = if kind.is_none_or(|k| k == ShippingKind::FreeAbove) {
        amount_field(
            form,
            refused,
            "threshold",
            "items total it is free from",
            kind == Some(ShippingKind::FreeAbove),
            currency,
        )
    } else {
        None
    };
    (kind, amount, per_kg, threshold)
}

/// What the writer calls a field, as the method form names it.
fn writer_fields(fields: Vec<FieldError>) -> Vec<FieldError> {
    fields
        .into_iter()
        .map(|f| {
            let message = sentence(&f.field, &f.message);
            FieldError::new(f.field, message)
        })
        .collect()
}

/// A writer's field message ("must be …") as a sentence the owner reads.
fn sentence(field: &str, message: &str) -> String {
    let subject = match field {
        "name" => "The name",
        "code" => "The code",
        "amount" => "The price",
        "per_kg_amount" => "The price per kg",
        "threshold" => "The items total",
        "kind" => "The pricing",
        _ => {
            let mut chars = message.chars();
            let first = chars.next().map(|c| c.to_uppercase().to_string());
            return format!("{}{}.", first.unwrap_or_default(), chars.as_str());
        }
    };
    format!("{subject} {message}.")
}

/// Changes method `code` (the form is checked first; a code that cannot be one is no
/// page). Fields the form leaves out stay as they are.
pub async fn change(office: &Office<'_>, code: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    if !valid_code(code) {
        return office.not_found();
    }
    let mut refused = Refused::new(&format!("method-{code}"), form.clone());
    let name = form.get("name").map(|n| n.trim().to_string());
    if name.as_deref() == Some("") {
        refused.field("name", "Enter the name shoppers see.");
    }
    let (kind, amount, per_kg_amount, threshold) =
        pricing_of(&form, &mut refused, &office.shop.currency);
    if !refused.is_empty() {
        return page(office, 422, Some(&refused)).await;
    }
    let change = ShippingMethodChange {
        kind,
        name,
        amount,
        threshold,
        per_kg_amount,
        active: Some(form.get("active") == Some("1")),
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
            refused.writer_said(message, writer_fields(fields));
            page(office, 422, Some(&refused)).await
        }
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}

/// A zone's name and countries from its form, checked here first (unknown codes are
/// named at the field).
fn zone_of(form: &Form, refused: &mut Refused) -> ZoneInput {
    let name = form.get("name").unwrap_or_default().trim().to_string();
    if name.is_empty() {
        refused.field("name", "Enter a name for the zone, such as EU.");
    } else if name.chars().count() > 100 {
        refused.field("name", "Use at most 100 characters.");
    }
    let countries = country_list(form.get("countries").unwrap_or_default());
    if let Some(problem) = unknown_countries(&countries) {
        refused.field("countries", format!("{problem}."));
    }
    ZoneInput { name, countries }
}

async fn send_zone(office: &Office<'_>, form_id: &str, path: &str, done: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut refused = Refused::new(form_id, form.clone());
    let zone = zone_of(&form, &mut refused);
    if !refused.is_empty() {
        return page(office, 422, Some(&refused)).await;
    }
    match command::<ShippingZone>(office.writer, Method::Post, path, &zone, &form_key(&form)).await
    {
        Outcome::Done(z) => office.done(PATH, format!("Zone {} {done}.", z.name)),
        Outcome::Invalid(message, fields) => {
            refused.writer_said(message, writer_fields(fields));
            page(office, 422, Some(&refused)).await
        }
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}

/// `POST /admin/settings/zones`: a new zone.
pub async fn create_zone(office: &Office<'_>) -> Resp {
    send_zone(office, NEW_ZONE, "/admin/shipping/zones", "created").await
}

/// `POST /admin/settings/zones/{id}`: a zone's name and countries.
pub async fn update_zone(office: &Office<'_>, id: &str) -> Resp {
    send_zone(
        office,
        &format!("zone-{id}"),
        &format!("/admin/shipping/zones/{id}"),
        "saved",
    )
    .await
}

/// `POST /admin/settings/zones/{id}/methods`: a new method in zone `id`.
pub async fn add_method(office: &Office<'_>, id: &str) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut refused = Refused::new(&format!("new-method-{id}"), form.clone());
    let code = form
        .get("code")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if !valid_code(&code) {
        refused.field(
            "code",
            "Enter 1 to 40 letters, digits, - or _, such as eu-express.",
        );
    }
    let name = form.get("name").unwrap_or_default().trim().to_string();
    if name.is_empty() {
        refused.field("name", "Enter the name shoppers see.");
    }
    let (kind, amount, per_kg, threshold) = pricing_of(&form, &mut refused, &office.shop.currency);
    if form.get("kind").is_none() {
        refused.field("kind", "Choose how the method is priced.");
    }
    if !refused.is_empty() {
        return page(office, 422, Some(&refused)).await;
    }
    let method = ShippingMethod {
        code,
        name,
        kind: kind.unwrap_or(ShippingKind::Flat),
        amount: amount.unwrap_or(0),
        threshold,
        per_kg_amount: per_kg.unwrap_or(0),
        active: form.get("active") == Some("1"),
    };
    let path = format!("/admin/shipping/zones/{id}/methods");
    match command::<ShippingMethod>(
        office.writer,
        Method::Post,
        &path,
        &method,
        &form_key(&form),
    )
    .await
    {
        Outcome::Done(m) => office.done(PATH, format!("Method {} added.", m.name)),
        Outcome::Invalid(message, fields) => {
            refused.writer_said(message, writer_fields(fields));
            page(office, 422, Some(&refused)).await
        }
        Outcome::Failed(WriterError::Rejected { status: 404, .. }) => office.not_found(),
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
