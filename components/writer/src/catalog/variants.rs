//! The owner's variant commands: add one to a product, change, archive and restore it.

use crate::catalog::commands::{
    canonical, diff, insert_variant, live_variants, match_choices, position_or_last,
    product_answer, product_id, record, sku_taken, touch_product,
};
use crate::catalog::options::options_of;
use crate::catalog::rules::{Checks, conflict, shop_currency};
use crate::catalog::search::reindex;
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use crate::idempotency::{Applied, Command};
use serde_json::json;
use spin_sdk::http::Response;
use storefront_domain::catalog::{MAX_OPTION_VALUES, MAX_VARIANTS, NewVariant, VariantChange};

/// `POST /admin/catalog/products/{slug}/variants`: a new combination; values the product's
/// options do not have yet are added to them.
pub fn add(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: NewVariant = parse_json(body)?;
    let currency = shop_currency()?;
    let mut checks = Checks::default();
    checks.sku("sku", &request.sku);
    checks.valid_price("price", &request.price, &currency);
    checks.stock("stock", request.stock);
    checks.weight("weight_grams", request.weight_grams);
    checks.net_grams("net_grams", request.net_grams);
    checks.finish()?;
    let command = Command::new("add_variant", slug, canonical(&request));
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        let options = options_of(db, id)?;
        let mut checks = Checks::default();
        if options.is_empty() {
            checks.add(
                "options",
                "a product without options has exactly one variant",
            );
        }
        let choices = match_choices(&mut checks, "", &options, &request.options, true);
        let live = live_variants(db, id)?;
        if live >= MAX_VARIANTS as i64 {
            checks.add(
                "sku",
                format!("a product has at most {MAX_VARIANTS} variants"),
            );
        }
        for (choice, option) in choices.iter().zip(&options) {
            let new = !option.values.contains(&choice.value);
            if new && option.values.len() >= MAX_OPTION_VALUES {
                checks.add(
                    "options",
                    format!("{} has {MAX_OPTION_VALUES} values already", option.name),
                );
            }
        }
        checks.finish()?;
        if sku_taken(db, &request.sku)? {
            return Err(conflict("sku", format!("SKU {} is taken", request.sku)));
        }
        for (choice, option) in choices.iter().zip(&options) {
            if !option.values.contains(&choice.value) {
                db.execute(
                    "INSERT INTO product_option_values (option_id, value, position) \
                     SELECT o.id, ?, coalesce((SELECT max(position) + 1 FROM product_option_values WHERE option_id = o.id), 0) \
                     FROM product_options o WHERE o.product_id = ? AND o.name = ?",
                    &[text(&choice.value), int(id), text(&option.name)],
                )?;
            }
        }
        let position = position_or_last(
            db,
            None,
            "SELECT max(position) FROM variants WHERE product_id = ?",
            &[int(id)],
            1,
        )?;
        insert_variant(db, id, "", &request, &choices, position, now)?;
        touch_product(db, id, now)?;
        reindex(db, id)?;
        let changes = json!({
            "sku": request.sku,
            "options": choices,
            "price": request.price,
            "stock": request.stock,
            "active": request.active,
        });
        product_answer(db, id, 201, changes)
    })
}

/// The variant's id, product id and whether it is archived; 404 if there is no such SKU.
pub fn variant(db: &Db, sku: &str) -> Result<(i64, i64, bool), ApiError> {
    let row = db
        .row(
            "SELECT id, product_id, archived_at IS NOT NULL FROM variants WHERE sku = ?",
            &[text(sku)],
        )?
        .ok_or_else(|| ApiError::not_found(format!("there is no SKU {sku}")))?;
    Ok((row.int(0)?, row.int(1)?, row.int(2)? != 0))
}

/// `POST /admin/catalog/variants/{sku}`: price, active flag, position, shipping weight, net
/// quantity.
pub fn update(db: &Db, head: &Head, sku: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: VariantChange = parse_json(body)?;
    let currency = shop_currency()?;
    let mut checks = Checks::default();
    if let Some(price) = &request.price {
        checks.valid_price("price", price, &currency);
    }
    checks.position("position", request.position);
    if let Some(grams) = request.weight_grams {
        checks.weight("weight_grams", grams);
    }
    if let Some(grams) = request.net_grams {
        checks.net_grams("net_grams", grams);
    }
    checks.finish()?;
    let command = Command::new("update_variant", sku, canonical(&request));
    record(db, head, command, |db, now| {
        let (id, product_id, _) = variant(db, sku)?;
        let row = db
            .row(
                "SELECT price_amount, currency, active, position, weight_grams, net_grams FROM variants \
                 WHERE id = ?",
                &[int(id)],
            )?
            .ok_or_else(|| anyhow::anyhow!("variant vanished"))?;
        let old_price = storefront_domain::Money::new(row.int(0)?, row.text(1)?);
        let (old_active, old_position) = (row.int(2)? != 0, row.int(3)?);
        let price = request.price.clone().unwrap_or_else(|| old_price.clone());
        let active = request.active.unwrap_or(old_active);
        let position = request.position.unwrap_or(old_position);
        let old_weight = row.int(4)?;
        let weight = request.weight_grams.unwrap_or(old_weight);
        let old_net = row.int(5)?;
        let net = request.net_grams.unwrap_or(old_net);
        let mut changes = serde_json::Map::new();
        diff(&mut changes, "weight_grams", old_weight, weight);
        diff(&mut changes, "net_grams", old_net, net);
        diff(&mut changes, "price", &old_price, &price);
        diff(&mut changes, "active", old_active, active);
        diff(&mut changes, "position", old_position, position);
        db.execute(
            "UPDATE variants SET price_amount = ?, currency = ?, active = ?, position = ?, \
             weight_grams = ?, net_grams = ?, updated_at = ? WHERE id = ?",
            &[
                int(price.amount),
                text(&price.currency),
                int(i64::from(active)),
                int(position),
                int(weight),
                int(net),
                text(now),
                int(id),
            ],
        )?;
        touch_product(db, product_id, now)?;
        product_answer(db, product_id, 200, changes.into())
    })
}

/// `POST /admin/catalog/variants/{sku}/archive`: the last live variant of a live product
/// cannot go (409: archive the product).
pub fn archive(db: &Db, head: &Head, sku: &str) -> Result<Response, ApiError> {
    let command = Command::new("archive_variant", sku, String::new());
    record(db, head, command, |db, now| {
        let (id, product_id, archived) = variant(db, sku)?;
        if archived {
            return product_answer(db, product_id, 200, json!({}));
        }
        let row = db
            .row(
                "SELECT p.archived_at IS NULL, \
                 (SELECT count(*) FROM variants WHERE product_id = p.id AND archived_at IS NULL) \
                 FROM products p WHERE p.id = ?",
                &[int(product_id)],
            )?
            .ok_or_else(|| anyhow::anyhow!("product vanished"))?;
        if row.int(0)? != 0 && row.int(1)? <= 1 {
            return Err(ApiError::new(
                409,
                "last_variant",
                format!("{sku} is the product's last variant; archive the product instead"),
            ));
        }
        set_archived(db, id, product_id, now, true)
    })
}

/// `POST /admin/catalog/variants/{sku}/restore`: an archived variant on sale again, with
/// its price and stock as they were. 409 if a live variant of the product has the same
/// option values meanwhile.
pub fn restore(db: &Db, head: &Head, sku: &str) -> Result<Response, ApiError> {
    let command = Command::new("restore_variant", sku, String::new());
    record(db, head, command, |db, now| {
        let (id, product_id, archived) = variant(db, sku)?;
        if !archived {
            return product_answer(db, product_id, 200, json!({}));
        }
        let twin = db.row(
            "SELECT t.sku FROM variants v JOIN variants t \
             ON t.product_id = v.product_id AND t.options_key = v.options_key \
             WHERE v.id = ? AND t.id <> v.id AND t.archived_at IS NULL",
            &[int(id)],
        )?;
        if let Some(twin) = twin {
            return Err(ApiError::new(
                409,
                "duplicate_options",
                format!(
                    "the live variant {} has the same option values; archive it first",
                    twin.text(0)?
                ),
            ));
        }
        set_archived(db, id, product_id, now, false)
    })
}

/// Archives (or restores) variant `id` of `product_id` at `now`, keeps the product's
/// search entry in step, and answers with the product and the change.
fn set_archived(
    db: &Db,
    id: i64,
    product_id: i64,
    now: &str,
    archived: bool,
) -> Result<Applied, ApiError> {
    db.execute(
        "UPDATE variants SET archived_at = CASE WHEN ? THEN ? END, updated_at = ? WHERE id = ?",
        &[int(i64::from(archived)), text(now), text(now), int(id)],
    )?;
    touch_product(db, product_id, now)?;
    reindex(db, product_id)?;
    product_answer(
        db,
        product_id,
        200,
        json!({"archived": {"from": !archived, "to": archived}}),
    )
}
