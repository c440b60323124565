//! `GET /admin/catalog/positions?product=&collection=`: the sort keys behind the
//! catalog's orders (collections, a product's place and its images, a collection's
//! members), which the shopper reads leave out, so the back office can show the owner
//! where each thing stands when it asks for a new position.

use crate::db::{Db, RowExt as _, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::catalog_positions::{Position, Positions};

pub fn positions(db: &Db, query: &str) -> Result<Response, ApiError> {
    let mut product = None;
    let mut collection = None;
    let mut errors = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "product" => product = Some(value.into_owned()),
            "collection" => collection = Some(value.into_owned()),
            other => errors.push(FieldError::new(other, "is not a known parameter")),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let mut out = Positions {
        collections: list(
            db,
            "SELECT slug, position FROM collections ORDER BY position, id",
            &[],
        )?,
        ..Positions::default()
    };
    if let Some(slug) = &product {
        out.product = db.int_value(
            "SELECT position FROM products WHERE slug = ?",
            &[text(slug)],
        )?;
        out.images = list(
            db,
            "SELECT CAST(i.id AS TEXT), i.position FROM product_images i \
             JOIN products p ON p.id = i.product_id \
             WHERE p.slug = ? AND i.removed_at IS NULL ORDER BY i.position, i.id",
            &[text(slug)],
        )?;
    }
    if let Some(slug) = &collection {
        out.members = list(
            db,
            "SELECT p.slug, cp.position FROM collection_products cp \
             JOIN collections c ON c.id = cp.collection_id \
             JOIN products p ON p.id = cp.product_id \
             WHERE c.slug = ? ORDER BY cp.position, p.position, p.name, p.id",
            &[text(slug)],
        )?;
    }
    json(200, &out)
}

fn list(db: &Db, sql: &str, params: &[spin_sdk::sqlite::Value]) -> anyhow::Result<Vec<Position>> {
    db.rows(sql, params)?
        .iter()
        .map(|r| {
            Ok(Position {
                key: r.text(0)?,
                position: r.int(1)?,
            })
        })
        .collect()
}
