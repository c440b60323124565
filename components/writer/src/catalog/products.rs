//! The owner's product commands: create, change (listing, options and variants in one
//! change), archive and restore (never delete: an old order must always name what it
//! sold).

use crate::catalog::commands::{
    CheckedListing, add_member, canonical, check_options, insert_options, insert_variant,
    live_variants, match_choices, position_or_last, product_answer, product_id, record, sku_taken,
};
use crate::catalog::reads::{self, no_product};
use crate::catalog::rules::{Checks, conflict, shop_currency};
use crate::catalog::search::reindex;
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use crate::http::responses::json_string;
use crate::idempotency::{Applied, Command};
use serde_json::json;
use spin_sdk::http::Response;
use storefront_domain::catalog::{MAX_VARIANTS, NewProduct, ProductChange};

/// `POST /admin/catalog/products`.
pub fn create(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let request: NewProduct = parse_json(body)?;
    let currency = shop_currency()?;
    let mut checks = Checks::default();
    checks.slug("slug", &request.slug);
    let name = checks.name(&request.name);
    let description = checks.description(&request.description);
    checks.position("position", request.position);
    let options = check_options(&mut checks, &request.options);
    if request.variants.is_empty() || request.variants.len() > MAX_VARIANTS {
        checks.add("variants", format!("needs 1 to {MAX_VARIANTS} variants"));
    } else if options.is_empty() && request.variants.len() > 1 {
        checks.add(
            "variants",
            "a product without options has exactly one variant",
        );
    }
    let mut choices = Vec::new();
    for (i, variant) in request.variants.iter().enumerate() {
        let prefix = format!("variants[{i}].");
        checks.sku(&format!("{prefix}sku"), &variant.sku);
        checks.valid_price(&format!("{prefix}price"), &variant.price, &currency);
        checks.stock(&format!("{prefix}stock"), variant.stock);
        checks.weight(&format!("{prefix}weight_grams"), variant.weight_grams);
        checks.net_grams(&format!("{prefix}net_grams"), variant.net_grams);
        choices.push(match_choices(
            &mut checks,
            &prefix,
            &options,
            &variant.options,
            false,
        ));
    }
    for (i, slug) in request.collections.iter().enumerate() {
        checks.slug(&format!("collections[{i}]"), slug);
    }
    checks.finish()?;
    for (i, a) in choices.iter().enumerate() {
        if choices[..i].iter().any(|b| b == a) {
            return Err(ApiError::invalid(vec![storefront_domain::FieldError::new(
                format!("variants[{i}].options"),
                "another variant has the same option values",
            )]));
        }
    }
    for (i, variant) in request.variants.iter().enumerate() {
        if request.variants[..i]
            .iter()
            .any(|v| v.sku.eq_ignore_ascii_case(&variant.sku))
        {
            return Err(conflict(
                format!("variants[{i}].sku"),
                format!("SKU {} is given twice", variant.sku),
            ));
        }
    }
    let command = Command::new("create_product", &request.slug, canonical(&request));
    record(db, head, command, |db, now| {
        if reads::product_id(db, &request.slug)?.is_some() {
            return Err(conflict(
                "slug",
                format!("there is already a product {}", request.slug),
            ));
        }
        for (i, variant) in request.variants.iter().enumerate() {
            if sku_taken(db, &variant.sku)? {
                return Err(conflict(
                    format!("variants[{i}].sku"),
                    format!("SKU {} is taken", variant.sku),
                ));
            }
        }
        let mut collection_ids = Vec::new();
        for (i, slug) in request.collections.iter().enumerate() {
            let id = reads::collection_id(db, slug)?.ok_or_else(|| {
                ApiError::invalid(vec![storefront_domain::FieldError::new(
                    format!("collections[{i}]"),
                    format!("there is no collection {slug}"),
                )])
            })?;
            collection_ids.push(id);
        }
        let position = position_or_last(
            db,
            request.position,
            "SELECT max(position) FROM products",
            &[],
            10,
        )?;
        let product_id = db
            .row(
                "INSERT INTO products (slug, name, description, position, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    text(&request.slug),
                    text(&name),
                    text(&description),
                    int(position),
                    text(now),
                    text(now),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("no id"))?
            .int(0)?;
        insert_options(db, product_id, &options)?;
        for (i, (variant, choices)) in request.variants.iter().zip(&choices).enumerate() {
            insert_variant(
                db,
                product_id,
                &format!("variants[{i}]."),
                variant,
                choices,
                i as i64,
                now,
            )?;
        }
        for id in collection_ids {
            add_member(db, id, product_id, None)?;
        }
        reindex(db, product_id)?;
        let product = reads::load_one(db, product_id, true)?;
        let response = json_string(&product)?;
        Ok(Applied {
            status: 201,
            changes: serde_json::from_str(&response).map_err(anyhow::Error::from)?,
            response,
        })
    })
}

/// `POST /admin/catalog/products/{slug}`.
pub fn update(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: ProductChange = parse_json(body)?;
    let change = CheckedListing::check(&request)?;
    let command = Command::new("update_product", slug, canonical(&request));
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        let changes = change.apply(db, "products", id, now)?;
        reindex(db, id)?;
        product_answer(db, id, 200, changes)
    })
}

/// `POST /admin/catalog/products/{slug}/archive`: hidden from shoppers, kept for orders.
pub fn archive(db: &Db, head: &Head, slug: &str) -> Result<Response, ApiError> {
    let command = Command::new("archive_product", slug, String::new());
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        let changed = db
            .row(
                "UPDATE products SET archived_at = ?, updated_at = ? WHERE id = ? AND archived_at IS NULL RETURNING id",
                &[text(now), text(now), int(id)],
            )?
            .is_some();
        let changes = if changed {
            json!({"archived": {"from": false, "to": true}})
        } else {
            json!({})
        };
        product_answer(db, id, 200, changes)
    })
}

/// `POST /admin/catalog/products/{slug}/restore`: an archived product back in the shop, as
/// it was (its live variants, stock, images and collections were kept). 409 if it has no
/// live variant left to sell.
pub fn restore(db: &Db, head: &Head, slug: &str) -> Result<Response, ApiError> {
    let command = Command::new("restore_product", slug, String::new());
    record(db, head, command, |db, now| {
        let (id, archived) = reads::product_id(db, slug)?.ok_or_else(|| no_product(slug))?;
        if !archived {
            return product_answer(db, id, 200, json!({}));
        }
        if live_variants(db, id)? == 0 {
            return Err(ApiError::new(
                409,
                "no_live_variant",
                format!("{slug} has no live variant; restore one of its variants first"),
            ));
        }
        db.execute(
            "UPDATE products SET archived_at = NULL, updated_at = ? WHERE id = ?",
            &[text(now), int(id)],
        )?;
        product_answer(
            db,
            id,
            200,
            json!({"archived": {"from": true, "to": false}}),
        )
    })
}
