//! The shop's settings (one row of `shop_settings`): `GET /settings` for every page's
//! chrome, and the owner's `PUT /admin/settings`, a whole-settings replacement run as a
//! recorded, idempotent command like the catalog's ([`idempotency::run`]).

use crate::catalog::rules::{Checks, shop_currency};
use crate::db::{Db, Mode, RowExt as _, opt_text, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency::{self, Applied, Command};
use spin_sdk::http::Response;
use storefront_domain::checkout::{LegalTexts, ShopSettings, TaxMode};
use storefront_domain::countries;
use storefront_domain::locale::Locale;
use storefront_domain::order::valid_email;

/// Longest legal text (each of terms, privacy, returns, imprint), in characters: four
/// of them fit the 64 KiB a command body may be.
pub const MAX_LEGAL_TEXT: usize = 10_000;

/// The settings as stored; the currency is the `shop_currency` variable's (every price is
/// in it, so the settings cannot disagree).
pub fn load(db: &Db) -> Result<ShopSettings, ApiError> {
    let row = db
        .row(
            "SELECT name, tagline, tax_mode, home_country, contact_email, contact_address, \
             logo_hash, terms, privacy, returns_policy, imprint, language FROM shop_settings \
             WHERE id = 1",
            &[],
        )?
        .ok_or_else(|| anyhow::anyhow!("the shop_settings row is missing"))?;
    Ok(ShopSettings {
        name: row.text(0)?,
        tagline: row.text(1)?,
        currency: shop_currency()?,
        tax_mode: tax_mode(&row.text(2)?)?,
        home_country: row.text(3)?,
        contact_email: row.text(4)?,
        contact_address: row.text(5)?,
        logo: row.opt_text(6)?,
        legal: LegalTexts {
            terms: row.text(7)?,
            privacy: row.text(8)?,
            returns: row.text(9)?,
            imprint: row.text(10)?,
        },
        language: Locale::from_code(&row.text(11)?)
            .ok_or_else(|| anyhow::anyhow!("unknown language in shop_settings"))?,
    })
}

pub fn tax_mode(s: &str) -> anyhow::Result<TaxMode> {
    match s {
        "inclusive" => Ok(TaxMode::Inclusive),
        "exclusive" => Ok(TaxMode::Exclusive),
        other => anyhow::bail!("unknown tax mode {other:?} in the database"),
    }
}

pub fn tax_mode_str(mode: TaxMode) -> &'static str {
    match mode {
        TaxMode::Inclusive => "inclusive",
        TaxMode::Exclusive => "exclusive",
    }
}

/// `GET /settings`.
pub fn get(db: &Db) -> Result<Response, ApiError> {
    let settings = db.transaction(Mode::Read, load)?;
    json(200, &settings)
}

/// The settings cleaned, or every bad field.
fn check(input: &ShopSettings) -> Result<ShopSettings, ApiError> {
    let mut checks = Checks::default();
    let name = checks.text("name", &input.name, 1, 100, false);
    let tagline = checks.text("tagline", &input.tagline, 0, 200, false);
    let currency = shop_currency()?;
    if input.currency.trim() != currency {
        checks.add(
            "currency",
            format!(
                "every price is in {currency} (the shop_currency variable); it cannot change here"
            ),
        );
    }
    let home_country = input.home_country.trim().to_ascii_uppercase();
    if countries::name(&home_country).is_none() {
        checks.add("home_country", "is not a country code such as DE");
    }
    let contact_email = checks.text("contact_email", &input.contact_email, 1, 254, false);
    if !contact_email.is_empty() && !valid_email(&contact_email) {
        checks.add("contact_email", "is not a valid email address");
    }
    let contact_address = checks.text("contact_address", &input.contact_address, 1, 500, true);
    let logo = match input.logo.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(hash) => {
            if !(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())) {
                checks.add("logo", "must be an image's content hash (64 hex digits)");
            }
            Some(hash.to_ascii_lowercase())
        }
    };
    let mut legal = |field: &str, value: &str| {
        checks.text(&format!("legal.{field}"), value, 1, MAX_LEGAL_TEXT, true)
    };
    let legal = LegalTexts {
        terms: legal("terms", &input.legal.terms),
        privacy: legal("privacy", &input.legal.privacy),
        returns: legal("returns", &input.legal.returns),
        imprint: legal("imprint", &input.legal.imprint),
    };
    checks.finish()?;
    Ok(ShopSettings {
        name,
        tagline,
        currency,
        tax_mode: input.tax_mode,
        home_country,
        contact_email,
        contact_address,
        logo,
        legal,
        language: input.language,
    })
}

/// `PUT /admin/settings` (+ `Idempotency-Key`): replaces every setting; answers the new
/// settings. A logo must be an image the catalog already holds.
pub fn put(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: ShopSettings = parse_json(body)?;
    let settings = check(&input)?;
    let canonical = serde_json::to_string(&settings).map_err(anyhow::Error::from)?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("update_settings", "settings", canonical.clone()),
        |db, now| {
            if let Some(hash) = &settings.logo
                && db
                    .row("SELECT 1 FROM image_blobs WHERE hash = ?", &[text(hash)])?
                    .is_none()
            {
                return Err(ApiError::invalid(vec![storefront_domain::FieldError::new(
                    "logo",
                    "no image with this hash; upload it to a product first",
                )]));
            }
            let before = load(db)?;
            db.execute(
                "UPDATE shop_settings SET name = ?, tagline = ?, currency = ?, tax_mode = ?, \
                 home_country = ?, contact_email = ?, contact_address = ?, logo_hash = ?, \
                 terms = ?, privacy = ?, returns_policy = ?, imprint = ?, language = ?, \
                 updated_at = ? \
                 WHERE id = 1",
                &[
                    text(&settings.name),
                    text(&settings.tagline),
                    text(&settings.currency),
                    text(tax_mode_str(settings.tax_mode)),
                    text(&settings.home_country),
                    text(&settings.contact_email),
                    text(&settings.contact_address),
                    opt_text(settings.logo.as_deref()),
                    text(&settings.legal.terms),
                    text(&settings.legal.privacy),
                    text(&settings.legal.returns),
                    text(&settings.legal.imprint),
                    text(settings.language.code()),
                    text(now),
                ],
            )?;
            Ok(Applied {
                status: 200,
                response: canonical,
                changes: serde_json::json!({
                    "before": before,
                    "after": settings,
                }),
            })
        },
    )
}
