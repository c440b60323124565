//! Stock adjustments (+ `Idempotency-Key`): the shop owner adds stock that arrived or takes
//! away stock that left without an order, on one variant: `POST /admin/catalog/variants/
//! {sku}/stock`, or `POST /admin/products/{slug}/stock` for the product's default variant
//! (its first active, live one). One transaction: the stock changes (never below zero: 409
//! `insufficient_stock`) and the adjustment is recorded with its reason. The same key with
//! the same command answers the recorded adjustment (with `idempotent-replayed: true`);
//! with another command it is 422.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::request::{Header, parse_json};
use crate::http::responses::{ApiError, json};
use crate::idempotency::{self, Holder, Journal, Recorded};
use spin_sdk::http::Response;
use storefront_domain::stock::{StockAdjustment, StockAdjustmentRequest};

/// Which variant an adjustment is for.
pub enum Target<'a> {
    /// A product's default variant.
    Product(&'a str),
    Variant(&'a str),
}

pub fn adjust(db: &Db, target: Target, key: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(key, "adjusting stock")?;
    let request: StockAdjustmentRequest = parse_json(body)?;
    let request = request.validate().map_err(ApiError::invalid)?;
    let fingerprint = fingerprint(&target, &request);
    db.transaction(Mode::Write, |db| {
        if let Some((stored, stored_fingerprint)) = recorded(db, &key)? {
            let recorded = Recorded {
                fingerprint: stored_fingerprint,
                status: 201,
                response: serde_json::to_string(&stored).map_err(anyhow::Error::from)?,
                client: None,
                number: None,
            };
            return Journal::STOCK.replay(recorded, Some(&fingerprint), Holder::Anyone);
        }
        let (sql, name, what) = match target {
            Target::Product(slug) => (
                "SELECT p.id, v.id, p.slug, v.sku, p.name, v.stock FROM products p \
                 JOIN variants v ON v.product_id = p.id \
                 WHERE p.slug = ? AND v.archived_at IS NULL \
                 ORDER BY v.active DESC, v.position, v.id LIMIT 1",
                slug,
                "product",
            ),
            Target::Variant(sku) => (
                "SELECT p.id, v.id, p.slug, v.sku, p.name, v.stock FROM variants v \
                 JOIN products p ON p.id = v.product_id WHERE v.sku = ?",
                sku,
                "SKU",
            ),
        };
        let row = db
            .row(sql, &[text(name)])?
            .ok_or_else(|| ApiError::not_found(format!("there is no {what} {name}")))?;
        let (product_id, variant_id) = (row.int(0)?, row.int(1)?);
        let (slug, sku, product_name, before) =
            (row.text(2)?, row.text(3)?, row.text(4)?, row.int(5)?);
        let stock = db
            .row(
                "UPDATE variants SET stock = stock + ? WHERE id = ? AND stock + ? >= 0 \
                 RETURNING stock",
                &[int(request.delta), int(variant_id), int(request.delta)],
            )?
            .map(|row| row.int(0))
            .transpose()?
            .ok_or_else(|| {
                ApiError::new(
                    409,
                    "insufficient_stock",
                    format!(
                        "only {before} of {product_name} ({sku}) in stock; cannot take away {}",
                        -request.delta
                    ),
                )
            })?;
        let now = db.now()?;
        db.execute(
            "INSERT INTO stock_adjustments (product_id, variant_id, delta, reason, stock_after, \
             idempotency_key, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                int(product_id),
                int(variant_id),
                int(request.delta),
                text(&request.reason),
                int(stock),
                text(&key),
                text(&fingerprint),
                text(&now),
            ],
        )?;
        let adjustment = StockAdjustment {
            slug,
            sku,
            delta: request.delta,
            reason: request.reason.clone(),
            stock,
            adjusted_at: now,
        };
        json(201, &adjustment)
    })
}

/// Hex SHA-256 of the validated command, so the same adjustment typed with other spacing
/// is the same command. A product's default variant's names the product (`slug`), so keys
/// recorded by that route keep matching; a variant's names its SKU.
fn fingerprint(target: &Target, request: &StockAdjustmentRequest) -> String {
    let canonical = match target {
        Target::Product(slug) => serde_json::json!({
            "slug": slug,
            "delta": request.delta,
            "reason": request.reason,
        }),
        Target::Variant(sku) => serde_json::json!({
            "sku": sku.to_ascii_lowercase(),
            "delta": request.delta,
            "reason": request.reason,
        }),
    };
    idempotency::fingerprint(canonical.to_string())
}

/// The adjustment recorded under `key`, and its fingerprint.
fn recorded(db: &Db, key: &str) -> anyhow::Result<Option<(StockAdjustment, String)>> {
    db.row(
        "SELECT p.slug, v.sku, a.delta, a.reason, a.stock_after, a.created_at, a.fingerprint \
         FROM stock_adjustments a JOIN products p ON p.id = a.product_id \
         JOIN variants v ON v.id = a.variant_id WHERE a.idempotency_key = ?",
        &[text(key)],
    )?
    .map(|row| {
        Ok((
            StockAdjustment {
                slug: row.text(0)?,
                sku: row.text(1)?,
                delta: row.int(2)?,
                reason: row.text(3)?,
                stock: row.int(4)?,
                adjusted_at: row.text(5)?,
            },
            row.text(6)?,
        ))
    })
    .transpose()
}
