//! What the owner's catalog commands (products, options, variants, collections, images)
//! share: each runs through [`idempotency::run`] (idempotency key, history row, one
//! transaction) and keeps the product's search row in step; the answers, positions, SKU
//! and option checks and the inserts more than one command makes.

use crate::catalog::reads::{self, no_product};
use crate::catalog::rules::{Checks, conflict};
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::Head;
use crate::http::responses::ApiError;
use crate::http::responses::json_string;
use crate::idempotency::{self, Applied, Command};
use serde::Serialize;
use serde_json::json;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::catalog::{
    ListingChange, MAX_OPTION_TEXT, MAX_OPTION_VALUES, MAX_OPTIONS, NewVariant, OptionChoice,
    ProductOption, variant_title,
};

pub fn canonical<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The answer: the product with `id` as the owner sees it (archived parts included).
/// Runs `command` once under the request's `Idempotency-Key` and actor, recording it in
/// the history ([`idempotency::run`]).
pub fn record(
    db: &Db,
    head: &Head,
    command: Command,
    apply: impl FnOnce(&Db, &str) -> Result<Applied, ApiError>,
) -> Result<Response, ApiError> {
    idempotency::run(db, &head.idempotency_key, &head.actor, command, apply)
}

pub fn product_answer(
    db: &Db,
    id: i64,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let product = reads::load_one(db, id, true)?;
    Ok(Applied {
        status,
        response: json_string(&product)?,
        changes,
    })
}

/// A position given, or one after the last of `sql`'s `max(position)`.
pub fn position_or_last(
    db: &Db,
    given: Option<i64>,
    sql: &str,
    params: &[Value],
    step: i64,
) -> anyhow::Result<i64> {
    if let Some(p) = given {
        return Ok(p);
    }
    let last = db
        .row(sql, params)?
        .and_then(|r| r.opt_int(0).ok().flatten());
    Ok(last.map_or(0, |p| p.saturating_add(step)))
}

/// The product's id, or 404.
pub fn product_id(db: &Db, slug: &str) -> Result<i64, ApiError> {
    Ok(reads::product_id(db, slug)?
        .ok_or_else(|| no_product(slug))?
        .0)
}

/// Whether a live or archived variant already has `sku` (SKUs compare without case).
pub fn sku_taken(db: &Db, sku: &str) -> anyhow::Result<bool> {
    Ok(db
        .row("SELECT 1 FROM variants WHERE sku = ?", &[text(sku)])?
        .is_some())
}

/// Cleans options: names and values trimmed and bounded, no duplicates (ignoring case).
pub fn check_options(checks: &mut Checks, options: &[ProductOption]) -> Vec<ProductOption> {
    if options.len() > MAX_OPTIONS {
        checks.add(
            "options",
            format!("at most {MAX_OPTIONS} options per product"),
        );
    }
    let mut cleaned: Vec<ProductOption> = Vec::new();
    for (i, option) in options.iter().enumerate() {
        let name = checks.text(
            &format!("options[{i}].name"),
            &option.name,
            1,
            MAX_OPTION_TEXT,
            false,
        );
        if cleaned.iter().any(|o| o.name.eq_ignore_ascii_case(&name)) {
            checks.add(
                format!("options[{i}].name"),
                format!("{name} is given twice"),
            );
        }
        if option.values.is_empty() || option.values.len() > MAX_OPTION_VALUES {
            checks.add(
                format!("options[{i}].values"),
                format!("needs 1 to {MAX_OPTION_VALUES} values"),
            );
        }
        let mut values: Vec<String> = Vec::new();
        for (j, value) in option.values.iter().enumerate() {
            let field = format!("options[{i}].values[{j}]");
            let value = checks.text(&field, value, 1, MAX_OPTION_TEXT, false);
            if values
                .iter()
                .any(|v| v.to_lowercase() == value.to_lowercase())
            {
                checks.add(field, format!("{value} is given twice"));
            }
            values.push(value);
        }
        cleaned.push(ProductOption { name, values });
    }
    cleaned
}

/// The variant's choices in the product's option order (canonical names and values), or
/// field errors: an unknown option name, a value the option does not have (unless
/// `new_values` allows adding it), a missing or repeated option.
pub fn match_choices(
    checks: &mut Checks,
    prefix: &str,
    options: &[ProductOption],
    choices: &[OptionChoice],
    new_values: bool,
) -> Vec<OptionChoice> {
    let mut matched: Vec<Option<OptionChoice>> = vec![None; options.len()];
    for (j, choice) in choices.iter().enumerate() {
        let field = format!("{prefix}options[{j}]");
        let name = choice.name.trim();
        let Some(k) = options
            .iter()
            .position(|o| o.name.eq_ignore_ascii_case(name))
        else {
            checks.add(
                format!("{field}.name"),
                format!("{name} is not an option of this product"),
            );
            continue;
        };
        if matched[k].is_some() {
            checks.add(format!("{field}.name"), format!("{name} is given twice"));
            continue;
        }
        let value = checks.text(
            &format!("{field}.value"),
            &choice.value,
            1,
            MAX_OPTION_TEXT,
            false,
        );
        let known = options[k]
            .values
            .iter()
            .find(|v| v.to_lowercase() == value.to_lowercase());
        let value = match known {
            Some(v) => v.clone(),
            None if new_values => value,
            None => {
                checks.add(
                    format!("{field}.value"),
                    format!("{value} is not a value of {}", options[k].name),
                );
                continue;
            }
        };
        matched[k] = Some(OptionChoice {
            name: options[k].name.clone(),
            value,
        });
    }
    for (k, option) in options.iter().enumerate() {
        if matched[k].is_none()
            && !checks
                .errors
                .iter()
                .any(|e| e.field.starts_with(&format!("{prefix}options[")))
        {
            checks.add(
                format!("{prefix}options"),
                format!("needs a value for {}", option.name),
            );
        }
    }
    matched.into_iter().flatten().collect()
}

/// Inserts the product's options and values; returns the option ids in order.
pub fn insert_options(db: &Db, product_id: i64, options: &[ProductOption]) -> anyhow::Result<()> {
    for (i, option) in options.iter().enumerate() {
        let option_id = db
            .row(
                "INSERT INTO product_options (product_id, name, position) VALUES (?, ?, ?) RETURNING id",
                &[int(product_id), text(&option.name), int(i as i64)],
            )?
            .ok_or_else(|| anyhow::anyhow!("no id"))?
            .int(0)?;
        for (j, value) in option.values.iter().enumerate() {
            db.execute(
                "INSERT INTO product_option_values (option_id, value, position) VALUES (?, ?, ?)",
                &[int(option_id), text(value), int(j as i64)],
            )?;
        }
    }
    Ok(())
}

/// Inserts one variant with its choices (which must name existing values); a live
/// variant with the same combination is 409.
pub fn insert_variant(
    db: &Db,
    product_id: i64,
    field: &str,
    variant: &NewVariant,
    choices: &[OptionChoice],
    position: i64,
    now: &str,
) -> Result<(), ApiError> {
    let mut value_ids = Vec::new();
    for choice in choices {
        let row = db
            .row(
                "SELECT o.id, v.id FROM product_options o \
                 JOIN product_option_values v ON v.option_id = o.id \
                 WHERE o.product_id = ? AND o.name = ? AND v.value = ?",
                &[int(product_id), text(&choice.name), text(&choice.value)],
            )?
            .ok_or_else(|| {
                anyhow::anyhow!("option value {}={} vanished", choice.name, choice.value)
            })?;
        value_ids.push((row.int(0)?, row.int(1)?));
    }
    let key = value_ids
        .iter()
        .map(|(_, v)| v.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if db
        .row(
            "SELECT 1 FROM variants WHERE product_id = ? AND options_key = ? AND archived_at IS NULL",
            &[int(product_id), text(&key)],
        )?
        .is_some()
    {
        return Err(conflict(
            format!("{field}options"),
            "a variant with these option values already exists",
        ));
    }
    let variant_id = db
        .row(
            "INSERT INTO variants (product_id, sku, options_key, title, price_amount, currency, \
             stock, active, position, created_at, updated_at, weight_grams, net_grams) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                int(product_id),
                text(&variant.sku),
                text(&key),
                text(variant_title(choices)),
                int(variant.price.amount),
                text(&variant.price.currency),
                int(variant.stock),
                int(i64::from(variant.active)),
                int(position),
                text(now),
                text(now),
                int(variant.weight_grams),
                int(variant.net_grams),
            ],
        )?
        .ok_or_else(|| anyhow::anyhow!("no id"))?
        .int(0)?;
    for (option_id, value_id) in value_ids {
        db.execute(
            "INSERT INTO variant_option_values (variant_id, option_id, value_id) VALUES (?, ?, ?)",
            &[int(variant_id), int(option_id), int(value_id)],
        )?;
    }
    Ok(())
}

/// Puts the product at the end of (or at `position` in) the collection.
pub fn add_member(
    db: &Db,
    collection_id: i64,
    product_id: i64,
    position: Option<i64>,
) -> anyhow::Result<i64> {
    let position = position_or_last(
        db,
        position,
        "SELECT max(position) FROM collection_products WHERE collection_id = ?",
        &[int(collection_id)],
        10,
    )?;
    db.execute(
        "INSERT INTO collection_products (collection_id, product_id, position) VALUES (?, ?, ?) \
         ON CONFLICT (collection_id, product_id) DO UPDATE SET position = excluded.position",
        &[int(collection_id), int(product_id), int(position)],
    )?;
    Ok(position)
}

pub fn touch_product(db: &Db, product_id: i64, now: &str) -> anyhow::Result<()> {
    db.execute(
        "UPDATE products SET updated_at = ? WHERE id = ?",
        &[text(now), int(product_id)],
    )?;
    Ok(())
}

/// How many variants of the product are not archived.
pub fn live_variants(db: &Db, product_id: i64) -> anyhow::Result<i64> {
    Ok(db
        .int_value(
            "SELECT count(*) FROM variants WHERE product_id = ? AND archived_at IS NULL",
            &[int(product_id)],
        )?
        .unwrap_or(0))
}

/// `{"from": …, "to": …}` into `changes` when they differ.
pub fn diff<T: Serialize + PartialEq>(
    changes: &mut serde_json::Map<String, serde_json::Value>,
    field: &str,
    from: T,
    to: T,
) {
    if from != to {
        changes.insert(field.to_string(), json!({"from": from, "to": to}));
    }
}

/// A product's or collection's new name, description and position, checked; `None`:
/// keep.
pub struct CheckedListing {
    name: Option<String>,
    description: Option<String>,
    position: Option<i64>,
}

impl CheckedListing {
    pub fn check(request: &ListingChange) -> Result<CheckedListing, ApiError> {
        let mut checks = Checks::default();
        let name = request.name.as_ref().map(|n| checks.name(n));
        let description = request.description.as_ref().map(|d| checks.description(d));
        checks.position("position", request.position);
        checks.finish()?;
        Ok(CheckedListing {
            name,
            description,
            position: request.position,
        })
    }

    /// Applies the change to row `id` of `table` (`products` or `collections`, which
    /// share these columns) and says what changed.
    pub fn apply(
        &self,
        db: &Db,
        table: &'static str,
        id: i64,
        now: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let row = db
            .row(
                &format!("SELECT name, description, position FROM {table} WHERE id = ?"),
                &[int(id)],
            )?
            .ok_or_else(|| ApiError::not_found(format!("row {id} of {table} is gone")))?;
        let (old_name, old_description, old_position) = (row.text(0)?, row.text(1)?, row.int(2)?);
        let new_name = self.name.clone().unwrap_or_else(|| old_name.clone());
        let new_description = self
            .description
            .clone()
            .unwrap_or_else(|| old_description.clone());
        let new_position = self.position.unwrap_or(old_position);
        let mut changes = serde_json::Map::new();
        diff(&mut changes, "name", &old_name, &new_name);
        diff(
            &mut changes,
            "description",
            &old_description,
            &new_description,
        );
        diff(&mut changes, "position", old_position, new_position);
        db.execute(
            &format!(
                "UPDATE {table} SET name = ?, description = ?, position = ?, updated_at = ? \
                 WHERE id = ?"
            ),
            &[
                text(&new_name),
                text(&new_description),
                int(new_position),
                text(now),
                int(id),
            ],
        )?;
        Ok(changes.into())
    }
}
