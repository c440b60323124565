//! `POST /admin/products/{slug}/stock` (+ `Idempotency-Key`): the shop owner adds stock
//! that arrived or takes away stock that left without an order. One transaction: the
//! stock changes (never below zero: 409 `insufficient_stock`) and the adjustment is
//! recorded with its reason. The same key with the same command answers the recorded
//! adjustment (with `idempotent-replayed: true`); with another command it is 422.

use crate::catalog;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::request::{Header, idempotency_key, parse_json};
use crate::responses::{ApiError, json};
use sha2::{Digest, Sha256};
use spin_sdk::http::Response;
use storefront_domain::IDEMPOTENT_REPLAYED;
use storefront_domain::stock::{StockAdjustment, StockAdjustmentRequest};

pub fn adjust(db: &Db, slug: &str, key: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency_key(key, "adjusting stock")?;
    let request: StockAdjustmentRequest = parse_json(body)?;
    let request = request.validate().map_err(ApiError::invalid)?;
    let fingerprint = fingerprint(slug, &request);
    let (adjustment, replayed) = db.transaction(Mode::Write, |db| {
        if let Some((stored, stored_fingerprint)) = recorded(db, &key)? {
            if stored_fingerprint != fingerprint {
                return Err(ApiError::new(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for another stock adjustment; \
                     use a new key for a new adjustment",
                ));
            }
            return Ok((stored, true));
        }
        let product = catalog::find(db, slug)?
            .ok_or_else(|| ApiError::not_found(format!("there is no product {slug}")))?;
        let stock = db
            .row(
                "UPDATE products SET stock = stock + ? WHERE id = ? AND stock + ? >= 0 \
                 RETURNING stock",
                &[int(request.delta), int(product.id), int(request.delta)],
            )?
            .map(|row| row.int(0))
            .transpose()?
            .ok_or_else(|| {
                ApiError::new(
                    409,
                    "insufficient_stock",
                    format!(
                        "only {} of {} in stock; cannot take away {}",
                        product.product.stock, product.product.name, -request.delta
                    ),
                )
            })?;
        let now = db.now()?;
        db.execute(
            "INSERT INTO stock_adjustments \
             (product_id, delta, reason, stock_after, idempotency_key, fingerprint, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                int(product.id),
                int(request.delta),
                text(&request.reason),
                int(stock),
                text(&key),
                text(&fingerprint),
                text(&now),
            ],
        )?;
        let adjustment = StockAdjustment {
            slug: product.product.slug,
            delta: request.delta,
            reason: request.reason.clone(),
            stock,
            adjusted_at: now,
        };
        Ok((adjustment, false))
    })?;
    let mut response = json(201, &adjustment)?;
    if replayed {
        response.set_header(IDEMPOTENT_REPLAYED, "true");
    }
    Ok(response)
}

/// Hex SHA-256 of the validated command, so the same adjustment typed with other spacing
/// is the same command.
fn fingerprint(slug: &str, request: &StockAdjustmentRequest) -> String {
    let canonical = serde_json::json!({
        "slug": slug,
        "delta": request.delta,
        "reason": request.reason,
    });
    hex::encode(Sha256::digest(canonical.to_string()))
}

/// The adjustment recorded under `key`, and its fingerprint.
fn recorded(db: &Db, key: &str) -> anyhow::Result<Option<(StockAdjustment, String)>> {
    db.row(
        "SELECT p.slug, a.delta, a.reason, a.stock_after, a.created_at, a.fingerprint \
         FROM stock_adjustments a JOIN products p ON p.id = a.product_id \
         WHERE a.idempotency_key = ?",
        &[text(key)],
    )?
    .map(|row| {
        Ok((
            StockAdjustment {
                slug: row.text(0)?,
                delta: row.int(1)?,
                reason: row.text(2)?,
                stock: row.int(3)?,
                adjusted_at: row.text(4)?,
            },
            row.text(5)?,
        ))
    })
    .transpose()
}
