//! The owner's tax rates: list, set a country's rate (through [`idempotency::run`]).

use crate::catalog::rules::Checks;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::json_string;
use crate::http::responses::{ApiError, json};
use crate::idempotency::Command;
use crate::idempotency::{self, Applied};
use spin_sdk::http::Response;
use storefront_domain::checkout::{TaxRate, TaxRates};
use storefront_domain::countries;

/// `GET /admin/tax-rates`: every country's rate, by country.
pub fn list(db: &Db) -> Result<Response, ApiError> {
    let rates = db.transaction(Mode::Read, |db| -> anyhow::Result<TaxRates> {
        let rates = db
            .rows(
                "SELECT country, name, rate_bp FROM tax_rates ORDER BY country",
                &[],
            )?
            .iter()
            .map(|r| {
                Ok(TaxRate {
                    country: r.text(0)?,
                    name: r.text(1)?,
                    rate_bp: u32::try_from(r.int(2)?)?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(TaxRates { rates })
    })?;
    json(200, &rates)
}

/// `POST /admin/tax-rates/{country}` `{"name", "rate_bp"}`: sets (or adds) the country's
/// rate. Orders already placed keep the rate they were placed with.
pub fn set(db: &Db, head: &Head, country: &str, body: &[u8]) -> Result<Response, ApiError> {
    let input: TaxRate = parse_json(body)?;
    let country = country.to_ascii_uppercase();
    if countries::name(&country).is_none() {
        return Err(ApiError::not_found(format!(
            "there is no country {country}"
        )));
    }
    let mut checks = Checks::default();
    let name = checks.text("name", &input.name, 1, 40, false);
    if input.rate_bp > 10_000 {
        checks.add(
            "rate_bp",
            "must be between 0 and 10000 basis points (1900 = 19 %)",
        );
    }
    checks.finish()?;
    let rate = TaxRate {
        country: country.clone(),
        name,
        rate_bp: input.rate_bp,
    };
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("set_tax_rate", &country, json_string(&rate)?),
        |db, _now| {
            let before = db
                .row(
                    "SELECT name, rate_bp FROM tax_rates WHERE country = ?",
                    &[text(&country)],
                )?
                .map(|r| {
                    Ok::<_, anyhow::Error>(
                        serde_json::json!({"name": r.text(0)?, "rate_bp": r.int(1)?}),
                    )
                })
                .transpose()?;
            db.execute(
                "INSERT INTO tax_rates (country, name, rate_bp) VALUES (?, ?, ?) \
                 ON CONFLICT (country) DO UPDATE SET name = excluded.name, rate_bp = excluded.rate_bp",
                &[text(&country), text(&rate.name), int(i64::from(rate.rate_bp))],
            )?;
            Ok(Applied {
                status: 200,
                response: json_string(&rate)?,
                changes: serde_json::json!({ "before": before, "after": rate }),
            })
        },
    )
}
