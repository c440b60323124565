//! `/admin/settings/tax`: the tax rate of each destination country (name and rate, typed
//! as a percentage such as 19 or 25.5 and sent to the writer in basis points), and one
//! form to add a country's rate or change it (`POST /admin/settings/tax` → the writer's
//! `POST /admin/tax-rates/{country}`); `/admin/settings/tax/{country}` is that form filled
//! in with the country's rate. A country without a rate is charged no tax (exports).
//! Orders already placed keep the rate they were placed with.

use super::many_forms::{self, Refused};
use super::{Outcome, command, form_key, key_field, sub_nav};
use crate::http::Resp;
use crate::http::forms::Form;
use crate::office::Office;
use crate::office::layout::csrf_field;
use crate::security::signing::random_hex;
use maud::html;
use spin_sdk::http::Method;
use storefront_domain::checkout::{TaxRate, TaxRates, percent};
use storefront_domain::countries;
use storefront_domain::decimal::{format_amount, parse_amount};

const PATH: &str = "/admin/settings/tax";
const FORM: &str = "tax";

/// The rates and an empty form.
pub async fn show(office: &Office<'_>) -> Resp {
    page(office, 200, None, None).await
}

/// The form filled in with `country`'s rate (404 for a code that is no country).
pub async fn edit(office: &Office<'_>, country: &str) -> Resp {
    let country = country.to_ascii_uppercase();
    if countries::name(&country).is_none() {
        return office.not_found();
    }
    page(office, 200, Some(&country), None).await
}

async fn page(
    office: &Office<'_>,
    status: u16,
    editing: Option<&str>,
    refused: Option<&Refused>,
) -> Resp {
    let rates = match office
        .writer
        .call::<TaxRates>(Method::Get, "/admin/tax-rates", None, &[])
        .await
    {
        Ok(answer) => answer.value.rates,
        Err(e) => return office.writer_failed(e),
    };
    let current = editing.and_then(|c| rates.iter().find(|r| r.country == c));
    let country = editing.unwrap_or_default();
    let name = current.map_or("VAT", |r| r.name.as_str());
    let rate = current.map_or(String::new(), |r| {
        format_amount(i64::from(r.rate_bp), "EUR")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    });
    let key = refused.map_or_else(|| random_hex(16), |r| form_key(&r.typed));
    let heading = match editing {
        Some(c) => format!("Tax rate for {}", countries::name(c).unwrap_or(c)),
        None => "Add or change a rate".to_string(),
    };
    let body = html! {
        h1 { "Settings" }
        (sub_nav(office))
        h2 { "Tax rates" }
        p.hint { "One rate per destination country; goods and shipping are taxed at it. \
                  A country without a rate is charged no tax. Orders already placed keep their rate." }
        h3 #tax-form-heading { (heading) }
        form.stack method="post" action=(PATH) novalidate aria-labelledby="tax-form-heading" {
            (csrf_field(office))
            (key_field(&key))
            (many_forms::problem(refused))
            (many_forms::choice(refused, FORM, "country", "Country",
                &countries::ALL.iter().map(|(code, name)| (*code, *name)).collect::<Vec<_>>(), country))
            (many_forms::text(refused, FORM, "name", "Name on receipts", name,
                Some("Such as VAT, MwSt or GST."), false))
            (many_forms::text(refused, FORM, "rate", "Rate in percent", &rate,
                Some("Such as 19 or 25.5 (up to two decimals)."), true))
            div { button.primary type="submit" { "Save rate" } }
        }
        h3 { "Rates" }
        @if rates.is_empty() {
            p { "No tax rates: no tax is charged." }
        } @else {
            div.table-wrap {
                table.list #tax-rates {
                    thead { tr { th { "Country" } th { "Name" } th.num { "Rate" } th { span.visually-hidden { "Actions" } } } }
                    tbody {
                        @for r in &rates {
                            tr {
                                td { (countries::name(&r.country).unwrap_or(&r.country)) " (" (r.country) ")" }
                                td { (r.name) }
                                td.num { (percent(r.rate_bp)) }
                                td { a href={ (PATH) "/" (r.country) } { "Change "
                                    span.visually-hidden { "the rate for " (countries::name(&r.country).unwrap_or(&r.country)) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    office.page(status, "Tax rates", body)
}

/// The rate as typed ("19", "25.5") in basis points, or the sentence for the field.
fn basis_points(typed: &str) -> Result<u32, &'static str> {
    let message = "Enter a rate from 0 to 100 percent, such as 19 or 25.5.";
    if typed.is_empty() {
        return Err(message);
    }
    parse_amount(typed, "EUR")
        .ok()
        .filter(|bp| (0..=10_000).contains(bp))
        .and_then(|bp| u32::try_from(bp).ok())
        .ok_or(message)
}

fn checked(form: &Form, refused: &mut Refused) -> Option<TaxRate> {
    let country = form
        .get("country")
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    if countries::name(&country).is_none() {
        refused.field("country", "Choose a country from the list.");
    }
    let name = form.get("name").unwrap_or_default().trim().to_string();
    if name.is_empty() {
        refused.field("name", "Enter the tax's name, such as VAT.");
    } else if name.chars().count() > 40 {
        refused.field("name", "Use at most 40 characters.");
    }
    let rate = basis_points(form.get("rate").unwrap_or_default().trim())
        .map_err(|e| refused.field("rate", e))
        .ok();
    (refused.is_empty()).then(|| TaxRate {
        country,
        name,
        rate_bp: rate.unwrap_or(0),
    })
}

/// `POST /admin/settings/tax`: sets a country's rate.
pub async fn save(office: &Office<'_>) -> Resp {
    let form = match office.form() {
        Ok(form) => form,
        Err(resp) => return resp,
    };
    let mut refused = Refused::new(FORM, form.clone());
    let Some(rate) = checked(&form, &mut refused) else {
        return page(office, 422, None, Some(&refused)).await;
    };
    let path = format!("/admin/tax-rates/{}", rate.country);
    match command::<TaxRate>(office.writer, Method::Post, &path, &rate, &form_key(&form)).await {
        Outcome::Done(saved) => office.done(
            PATH,
            format!(
                "{} {} for {} saved.",
                saved.name,
                percent(saved.rate_bp),
                countries::name(&saved.country).unwrap_or(&saved.country)
            ),
        ),
        Outcome::Invalid(message, fields) => {
            let fields = fields
                .into_iter()
                .map(|f| {
                    let field = if f.field == "rate_bp" {
                        "rate".into()
                    } else {
                        f.field
                    };
                    storefront_domain::FieldError::new(field, format!("This {}.", f.message))
                })
                .collect();
            refused.writer_said(message, fields);
            page(office, 422, None, Some(&refused)).await
        }
        Outcome::Failed(e) => office.writer_failed(e),
    }
}
