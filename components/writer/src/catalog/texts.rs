//! A product's texts per language (`product_translations`, migration 0027): the owner's
//! command that sets or removes one, their read for the back office's form, and the
//! overlay that the catalog reads apply when the shop asks for a language (`lang=de`).
//!
//! A product without a text in the asked language keeps its own name and description
//! (the shop's default language). Search matches the own texts only.

use crate::catalog::commands::{product_id, record};
use crate::catalog::rules::Checks;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json, json_string};
use crate::idempotency::{Applied, Command};
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::Product;
use storefront_domain::catalog::{MAX_DESCRIPTION, MAX_NAME};
use storefront_domain::locale::Locale;
use storefront_domain::product_text::ProductText;

/// The language of a path segment, or a 404 naming it.
fn language(code: &str) -> Result<Locale, ApiError> {
    Locale::from_code(code).ok_or_else(|| {
        ApiError::new(
            404,
            "unknown_language",
            format!("the shop speaks en and de, not {code}"),
        )
    })
}

/// `GET /admin/catalog/products/{slug}/texts/{lang}`: the owner's text in that language
/// (empty when none).
pub fn get(db: &Db, slug: &str, lang: &str) -> Result<Response, ApiError> {
    let lang = language(lang)?;
    let found = db.transaction(Mode::Read, |db| {
        let id = product_id(db, slug)?;
        let row = db.row(
            "SELECT name, description FROM product_translations WHERE product_id = ? AND lang = ?",
            &[int(id), text(lang.code())],
        )?;
        Ok::<_, ApiError>(match row {
            Some(row) => ProductText {
                name: row.text(0)?,
                description: row.text(1)?,
            },
            None => ProductText::default(),
        })
    })?;
    json(200, &found)
}

/// `POST /admin/catalog/products/{slug}/texts/{lang}` (+ `Idempotency-Key`): sets the
/// product's name and description in that language; an empty name removes them.
pub fn put(
    db: &Db,
    head: &Head,
    slug: &str,
    lang: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let lang = language(lang)?;
    let input: ProductText = parse_json(body)?;
    let mut checks = Checks::default();
    let name = if input.name.trim().is_empty() {
        String::new()
    } else {
        checks.text("name", &input.name, 1, MAX_NAME, false)
    };
    let description = checks.text("description", &input.description, 0, MAX_DESCRIPTION, true);
    checks.finish()?;
    let cleaned = ProductText { name, description };
    let canonical = json_string(&cleaned)?;
    let target = format!("{slug}/{}", lang.code());
    let command = Command::new("set_product_text", &target, canonical.clone());
    record(db, head, command, |db, _now| {
        let id = product_id(db, slug)?;
        if cleaned.name.is_empty() {
            db.execute(
                "DELETE FROM product_translations WHERE product_id = ? AND lang = ?",
                &[int(id), text(lang.code())],
            )?;
        } else {
            db.execute(
                "INSERT INTO product_translations (product_id, lang, name, description) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (product_id, lang) DO UPDATE SET \
                 name = excluded.name, description = excluded.description",
                &[
                    int(id),
                    text(lang.code()),
                    text(&cleaned.name),
                    text(&cleaned.description),
                ],
            )?;
        }
        Ok(Applied {
            status: 200,
            response: canonical.clone(),
            changes: serde_json::json!({ "lang": lang.code(), "text": cleaned }),
        })
    })
}

/// Puts the texts in `lang` over the products that have one (by slug); `None` leaves
/// them as they are. One query for the whole list.
pub fn overlay(db: &Db, products: &mut [Product], lang: Option<Locale>) -> anyhow::Result<()> {
    let Some(lang) = lang else {
        return Ok(());
    };
    if products.is_empty() {
        return Ok(());
    }
    let mut params: Vec<Value> = vec![text(lang.code())];
    params.extend(products.iter().map(|p| text(&p.slug)));
    let within = vec!["?"; products.len()].join(", ");
    for row in db.rows(
        &format!(
            "SELECT p.slug, t.name, t.description FROM product_translations t \
             JOIN products p ON p.id = t.product_id WHERE t.lang = ? AND p.slug IN ({within})"
        ),
        &params,
    )? {
        let slug = row.text(0)?;
        for p in products.iter_mut().filter(|p| p.slug == slug) {
            p.name = row.text(1)?;
            p.description = row.text(2)?;
        }
    }
    Ok(())
}
