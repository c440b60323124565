//! The owner's catalog commands: create and change products, variants, collections,
//! memberships and images; archive products and variants, and restore them (never delete:
//! an old order must always name what it sold). Each runs through
//! [`catalog_history::run`] (idempotency key, history row, one transaction) and keeps the
//! product's search row in step.

use crate::catalog::{self, no_collection, no_product};
use crate::catalog_history::{self, Applied, Command};
use crate::catalog_query::CatalogQuery;
use crate::catalog_rules::{Checks, conflict, shop_currency};
use crate::catalog_search::reindex;
use crate::db::{Db, RowExt as _, int, text};
use crate::image_check::CheckedImage;
use crate::request::{Head, parse_json};
use crate::responses::ApiError;
use serde::Serialize;
use serde_json::json;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::catalog::{
    CollectionChange, ImageChange, ListingChange, MAX_ALT, MAX_OPTION_TEXT, MAX_OPTION_VALUES,
    MAX_OPTIONS, MAX_VARIANTS, Membership, NewCollection, NewProduct, NewVariant, OptionChoice,
    OptionRename, ProductChange, ProductOption, VariantChange, variant_title,
};

fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    Ok(serde_json::to_string(value).map_err(anyhow::Error::from)?)
}

fn canonical<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The answer: the product with `id` as the owner sees it (archived parts included).
/// Runs `command` once under the request's `Idempotency-Key` and actor, recording it in
/// the history ([`catalog_history::run`]).
fn record(
    db: &Db,
    head: &Head,
    command: Command,
    apply: impl FnOnce(&Db, &str) -> Result<Applied, ApiError>,
) -> Result<Response, ApiError> {
    catalog_history::run(db, &head.idempotency_key, &head.actor, command, apply)
}

fn product_answer(
    db: &Db,
    id: i64,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let product = catalog::load_one(db, id, true)?;
    Ok(Applied {
        status,
        response: to_json(&product)?,
        changes,
    })
}

/// A position given, or one after the last of `sql`'s `max(position)`.
fn position_or_last(
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
fn product_id(db: &Db, slug: &str) -> Result<i64, ApiError> {
    Ok(catalog::product_id(db, slug)?
        .ok_or_else(|| no_product(slug))?
        .0)
}

/// Whether a live or archived variant already has `sku` (SKUs compare without case).
fn sku_taken(db: &Db, sku: &str) -> anyhow::Result<bool> {
    Ok(db
        .row("SELECT 1 FROM variants WHERE sku = ?", &[text(sku)])?
        .is_some())
}

/// Cleans options: names and values trimmed and bounded, no duplicates (ignoring case).
fn check_options(checks: &mut Checks, options: &[ProductOption]) -> Vec<ProductOption> {
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
fn match_choices(
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
fn insert_options(db: &Db, product_id: i64, options: &[ProductOption]) -> anyhow::Result<()> {
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
fn insert_variant(
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
             stock, active, position, created_at, updated_at, weight_grams) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
fn add_member(
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

fn touch_product(db: &Db, product_id: i64, now: &str) -> anyhow::Result<()> {
    db.execute(
        "UPDATE products SET updated_at = ? WHERE id = ?",
        &[text(now), int(product_id)],
    )?;
    Ok(())
}

/// How many variants of the product are not archived.
fn live_variants(db: &Db, product_id: i64) -> anyhow::Result<i64> {
    Ok(db
        .row(
            "SELECT count(*) FROM variants WHERE product_id = ? AND archived_at IS NULL",
            &[int(product_id)],
        )?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0))
}

/// `POST /admin/catalog/products`.
pub fn create_product(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
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
        checks.price(&format!("{prefix}price"), &variant.price, &currency);
        checks.stock(&format!("{prefix}stock"), variant.stock);
        checks.weight(&format!("{prefix}weight_grams"), variant.weight_grams);
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
    let command = Command {
        name: "create_product",
        target: &request.slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        if catalog::product_id(db, &request.slug)?.is_some() {
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
            let id = catalog::collection_id(db, slug)?.ok_or_else(|| {
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
        let product = catalog::load_one(db, product_id, true)?;
        let response = to_json(&product)?;
        Ok(Applied {
            status: 201,
            changes: serde_json::from_str(&response).map_err(anyhow::Error::from)?,
            response,
        })
    })
}

/// `{"from": …, "to": …}` into `changes` when they differ.
fn diff<T: Serialize + PartialEq>(
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
struct CheckedListing {
    name: Option<String>,
    description: Option<String>,
    position: Option<i64>,
}

impl CheckedListing {
    fn check(request: &ListingChange) -> Result<CheckedListing, ApiError> {
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
    fn apply(
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

/// `POST /admin/catalog/products/{slug}`.
pub fn update_product(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: ProductChange = parse_json(body)?;
    let change = CheckedListing::check(&request)?;
    let command = Command {
        name: "update_product",
        target: slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        let changes = change.apply(db, "products", id, now)?;
        reindex(db, id)?;
        product_answer(db, id, 200, changes)
    })
}

/// `POST /admin/catalog/products/{slug}/archive`: hidden from shoppers, kept for orders.
pub fn archive_product(db: &Db, head: &Head, slug: &str) -> Result<Response, ApiError> {
    let command = Command {
        name: "archive_product",
        target: slug,
        canonical: String::new(),
    };
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
pub fn restore_product(db: &Db, head: &Head, slug: &str) -> Result<Response, ApiError> {
    let command = Command {
        name: "restore_product",
        target: slug,
        canonical: String::new(),
    };
    record(db, head, command, |db, now| {
        let (id, archived) = catalog::product_id(db, slug)?.ok_or_else(|| no_product(slug))?;
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

/// `POST /admin/catalog/products/{slug}/options`: an option or one of its values renamed
/// ([`OptionRename`]). A name another option (or value of the same option) has already,
/// ignoring case, is `409`; a case-only change is allowed. The variants' titles and the
/// product's search row follow.
pub fn rename_option(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: OptionRename = parse_json(body)?;
    let mut checks = Checks::default();
    let to = checks.text("to", &request.to, 1, MAX_OPTION_TEXT, false);
    checks.finish()?;
    let command = Command {
        name: "rename_option",
        target: slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        let option = db
            .row(
                "SELECT id, name FROM product_options WHERE product_id = ? AND name = ?",
                &[int(id), text(&request.option)],
            )?
            .ok_or_else(|| {
                ApiError::invalid(vec![storefront_domain::FieldError::new(
                    "option",
                    format!("{slug} has no option {:?}", request.option),
                )])
            })?;
        let (option_id, option_name) = (option.int(0)?, option.text(1)?);
        let changes = match &request.value {
            None => {
                if option_name == to {
                    return product_answer(db, id, 200, json!({}));
                }
                rename_row(
                    db,
                    OPTION_NAMES,
                    (id, option_id),
                    &to,
                    "the product has another option of that name",
                )?;
                json!({"option": {"from": option_name, "to": to}})
            }
            Some(value) => {
                let row = db
                    .row(
                        "SELECT id, value FROM product_option_values WHERE option_id = ? AND value = ?",
                        &[int(option_id), text(value)],
                    )?
                    .ok_or_else(|| {
                        ApiError::invalid(vec![storefront_domain::FieldError::new(
                            "value",
                            format!("the option {option_name} has no value {value:?}"),
                        )])
                    })?;
                let (value_id, old) = (row.int(0)?, row.text(1)?);
                if old == to {
                    return product_answer(db, id, 200, json!({}));
                }
                rename_row(
                    db,
                    OPTION_VALUES,
                    (option_id, value_id),
                    &to,
                    &format!("{option_name} has that value already"),
                )?;
                retitle_variants(db, id, now)?;
                json!({"option": option_name, "value": {"from": old, "to": to}})
            }
        };
        touch_product(db, id, now)?;
        reindex(db, id)?;
        product_answer(db, id, 200, changes)
    })
}

/// A renamable name: its table, its column, and the column of what it belongs to (names
/// are unique within that, ignoring case).
struct NameColumn {
    table: &'static str,
    column: &'static str,
    parent: &'static str,
}

const OPTION_NAMES: NameColumn = NameColumn {
    table: "product_options",
    column: "name",
    parent: "product_id",
};
const OPTION_VALUES: NameColumn = NameColumn {
    table: "product_option_values",
    column: "value",
    parent: "option_id",
};

/// Renames row `id` of `parent` to `to`: `409` at `to` with `taken` if another row of the
/// same parent has that name.
fn rename_row(
    db: &Db,
    names: NameColumn,
    (parent, id): (i64, i64),
    to: &str,
    taken: &str,
) -> Result<(), ApiError> {
    let NameColumn {
        table,
        column,
        parent: parent_column,
    } = names;
    let other = db.row(
        &format!("SELECT 1 FROM {table} WHERE {parent_column} = ? AND {column} = ? AND id <> ?"),
        &[int(parent), text(to), int(id)],
    )?;
    if other.is_some() {
        return Err(conflict("to", taken));
    }
    db.execute(
        &format!("UPDATE {table} SET {column} = ? WHERE id = ?"),
        &[text(to), int(id)],
    )?;
    Ok(())
}

/// Gives each variant of the product the title its option values make now.
fn retitle_variants(db: &Db, product_id: i64, now: &str) -> anyhow::Result<()> {
    let mut titles: Vec<(i64, Vec<OptionChoice>)> = Vec::new();
    for row in db.rows(
        "SELECT vov.variant_id, o.name, v.value FROM variants x \
         JOIN variant_option_values vov ON vov.variant_id = x.id \
         JOIN product_options o ON o.id = vov.option_id \
         JOIN product_option_values v ON v.id = vov.value_id \
         WHERE x.product_id = ? ORDER BY vov.variant_id, o.position, o.id",
        &[int(product_id)],
    )? {
        let (variant, name, value) = (row.int(0)?, row.text(1)?, row.text(2)?);
        match titles.last_mut() {
            Some((v, choices)) if *v == variant => choices.push(OptionChoice { name, value }),
            _ => titles.push((variant, vec![OptionChoice { name, value }])),
        }
    }
    for (variant, choices) in titles {
        let title = variant_title(&choices);
        db.execute(
            "UPDATE variants SET title = ?, updated_at = ? WHERE id = ? AND title <> ?",
            &[text(&title), text(now), int(variant), text(&title)],
        )?;
    }
    Ok(())
}

/// The product's options with their values, in order.
fn options_of(db: &Db, product_id: i64) -> anyhow::Result<Vec<ProductOption>> {
    let mut options: Vec<ProductOption> = Vec::new();
    for row in db.rows(
        "SELECT o.name, v.value FROM product_options o JOIN product_option_values v ON v.option_id = o.id \
         WHERE o.product_id = ? ORDER BY o.position, o.id, v.position, v.id",
        &[int(product_id)],
    )? {
        let (name, value) = (row.text(0)?, row.text(1)?);
        match options.last_mut() {
            Some(o) if o.name == name => o.values.push(value),
            _ => options.push(ProductOption { name, values: vec![value] }),
        }
    }
    Ok(options)
}

/// `POST /admin/catalog/products/{slug}/variants`: a new combination; values the product's
/// options do not have yet are added to them.
pub fn add_variant(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: NewVariant = parse_json(body)?;
    let currency = shop_currency()?;
    let mut checks = Checks::default();
    checks.sku("sku", &request.sku);
    checks.price("price", &request.price, &currency);
    checks.stock("stock", request.stock);
    checks.weight("weight_grams", request.weight_grams);
    checks.finish()?;
    let command = Command {
        name: "add_variant",
        target: slug,
        canonical: canonical(&request),
    };
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
fn variant(db: &Db, sku: &str) -> Result<(i64, i64, bool), ApiError> {
    let row = db
        .row(
            "SELECT id, product_id, archived_at IS NOT NULL FROM variants WHERE sku = ?",
            &[text(sku)],
        )?
        .ok_or_else(|| ApiError::not_found(format!("there is no SKU {sku}")))?;
    Ok((row.int(0)?, row.int(1)?, row.int(2)? != 0))
}

/// `POST /admin/catalog/variants/{sku}`: price, active flag, position.
pub fn update_variant(db: &Db, head: &Head, sku: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: VariantChange = parse_json(body)?;
    let currency = shop_currency()?;
    let mut checks = Checks::default();
    if let Some(price) = &request.price {
        checks.price("price", price, &currency);
    }
    checks.position("position", request.position);
    if let Some(grams) = request.weight_grams {
        checks.weight("weight_grams", grams);
    }
    checks.finish()?;
    let command = Command {
        name: "update_variant",
        target: sku,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        let (id, product_id, _) = variant(db, sku)?;
        let row = db
            .row(
                "SELECT price_amount, currency, active, position, weight_grams FROM variants \
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
        let mut changes = serde_json::Map::new();
        diff(&mut changes, "weight_grams", old_weight, weight);
        diff(&mut changes, "price", &old_price, &price);
        diff(&mut changes, "active", old_active, active);
        diff(&mut changes, "position", old_position, position);
        db.execute(
            "UPDATE variants SET price_amount = ?, currency = ?, active = ?, position = ?, \
             weight_grams = ?, updated_at = ? WHERE id = ?",
            &[
                int(price.amount),
                text(&price.currency),
                int(i64::from(active)),
                int(position),
                int(weight),
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
pub fn archive_variant(db: &Db, head: &Head, sku: &str) -> Result<Response, ApiError> {
    let command = Command {
        name: "archive_variant",
        target: sku,
        canonical: String::new(),
    };
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
        db.execute(
            "UPDATE variants SET archived_at = ?, updated_at = ? WHERE id = ?",
            &[text(now), text(now), int(id)],
        )?;
        touch_product(db, product_id, now)?;
        reindex(db, product_id)?;
        product_answer(
            db,
            product_id,
            200,
            json!({"archived": {"from": false, "to": true}}),
        )
    })
}

/// `POST /admin/catalog/variants/{sku}/restore`: an archived variant on sale again, with
/// its price and stock as they were. 409 if a live variant of the product has the same
/// option values meanwhile.
pub fn restore_variant(db: &Db, head: &Head, sku: &str) -> Result<Response, ApiError> {
    let command = Command {
        name: "restore_variant",
        target: sku,
        canonical: String::new(),
    };
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
        db.execute(
            "UPDATE variants SET archived_at = NULL, updated_at = ? WHERE id = ?",
            &[text(now), int(id)],
        )?;
        touch_product(db, product_id, now)?;
        reindex(db, product_id)?;
        product_answer(
            db,
            product_id,
            200,
            json!({"archived": {"from": true, "to": false}}),
        )
    })
}

/// The collection page every collection command answers with (first page, as the owner
/// sees it).
fn collection_answer(
    db: &Db,
    slug: &str,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let query = CatalogQuery::parse("include_archived=1").map_err(ApiError::invalid)?;
    let page = catalog::collection_page(db, slug, &query)?;
    Ok(Applied {
        status,
        response: to_json(&page)?,
        changes,
    })
}

fn collection_only(
    db: &Db,
    slug: &str,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let page = collection_answer(db, slug, status, changes)?;
    let value: serde_json::Value =
        serde_json::from_str(&page.response).map_err(anyhow::Error::from)?;
    Ok(Applied {
        status,
        response: value["collection"].to_string(),
        changes: page.changes,
    })
}

/// `POST /admin/catalog/collections`.
pub fn create_collection(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let request: NewCollection = parse_json(body)?;
    let mut checks = Checks::default();
    checks.slug("slug", &request.slug);
    let name = checks.name(&request.name);
    let description = checks.description(&request.description);
    checks.position("position", request.position);
    checks.finish()?;
    let command = Command {
        name: "create_collection",
        target: &request.slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        if catalog::collection_id(db, &request.slug)?.is_some() {
            return Err(conflict(
                "slug",
                format!("there is already a collection {}", request.slug),
            ));
        }
        let position = position_or_last(
            db,
            request.position,
            "SELECT max(position) FROM collections",
            &[],
            10,
        )?;
        db.execute(
            "INSERT INTO collections (slug, name, description, position, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                text(&request.slug),
                text(&name),
                text(&description),
                int(position),
                text(now),
                text(now),
            ],
        )?;
        let changes = json!({"slug": request.slug, "name": name, "description": description, "position": position});
        collection_only(db, &request.slug, 201, changes)
    })
}

/// `POST /admin/catalog/collections/{slug}`.
pub fn update_collection(
    db: &Db,
    head: &Head,
    slug: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request: CollectionChange = parse_json(body)?;
    let change = CheckedListing::check(&request)?;
    let command = Command {
        name: "update_collection",
        target: slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        let id = db
            .row("SELECT id FROM collections WHERE slug = ?", &[text(slug)])?
            .ok_or_else(|| no_collection(slug))?
            .int(0)?;
        let changes = change.apply(db, "collections", id, now)?;
        collection_only(db, slug, 200, changes)
    })
}

/// `POST /admin/catalog/collections/{slug}/products`: add (or move) a product.
pub fn add_to_collection(
    db: &Db,
    head: &Head,
    slug: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request: Membership = parse_json(body)?;
    let mut checks = Checks::default();
    checks.slug("product", &request.product);
    checks.position("position", request.position);
    checks.finish()?;
    let command = Command {
        name: "add_to_collection",
        target: slug,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, _now| {
        let collection = catalog::collection_id(db, slug)?.ok_or_else(|| no_collection(slug))?;
        let product = product_id(db, &request.product)?;
        let position = add_member(db, collection, product, request.position)?;
        collection_answer(
            db,
            slug,
            200,
            json!({"product": request.product, "position": position}),
        )
    })
}

/// `POST /admin/catalog/collections/{slug}/products/{product}/remove`.
pub fn remove_from_collection(
    db: &Db,
    head: &Head,
    slug: &str,
    product: &str,
) -> Result<Response, ApiError> {
    let command = Command {
        name: "remove_from_collection",
        target: slug,
        canonical: product.to_string(),
    };
    record(db, head, command, |db, _now| {
        let collection = catalog::collection_id(db, slug)?.ok_or_else(|| no_collection(slug))?;
        let product_id = product_id(db, product)?;
        let removed = db
            .row(
                "DELETE FROM collection_products WHERE collection_id = ? AND product_id = ? RETURNING product_id",
                &[int(collection), int(product_id)],
            )?
            .is_some();
        if !removed {
            return Err(ApiError::not_found(format!(
                "{product} is not in the collection {slug}"
            )));
        }
        collection_answer(db, slug, 200, json!({"product": product, "removed": true}))
    })
}

/// `alt` and `position` from an image upload's query string.
pub struct ImageQuery {
    pub alt: String,
    pub position: Option<i64>,
}

impl ImageQuery {
    pub fn parse(query: &str) -> Result<ImageQuery, ApiError> {
        let mut checks = Checks::default();
        let mut alt = String::new();
        let mut position = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "alt" => alt = checks.text("alt", &value, 0, MAX_ALT, false),
                "position" => match value.parse::<i64>() {
                    Ok(p) => position = Some(p),
                    Err(_) => checks.add("position", "must be a whole number"),
                },
                _ => {}
            }
        }
        checks.position("position", position);
        checks.finish()?;
        Ok(ImageQuery { alt, position })
    }
}

/// `POST /admin/catalog/products/{slug}/images?alt=&position=`: the bytes were checked
/// before the database was opened ([`crate::image_check`]); stored once per hash.
pub fn add_image(
    db: &Db,
    head: &Head,
    slug: &str,
    image: &CheckedImage,
    body: &[u8],
) -> Result<Response, ApiError> {
    let query = ImageQuery::parse(&head.query)?;
    let command = Command {
        name: "add_image",
        target: slug,
        canonical: format!("{} {:?} {:?}", image.hash, query.alt, query.position),
    };
    record(db, head, command, |db, now| {
        let id = product_id(db, slug)?;
        db.execute(
            "INSERT OR IGNORE INTO image_blobs (hash, content_type, width, height, bytes, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                text(&image.hash),
                text(image.content_type),
                int(i64::from(image.width)),
                int(i64::from(image.height)),
                Value::Blob(body.to_vec()),
                text(now),
            ],
        )?;
        let position = position_or_last(
            db,
            query.position,
            "SELECT max(position) FROM product_images WHERE product_id = ? AND removed_at IS NULL",
            &[int(id)],
            10,
        )?;
        let image_id = db
            .row(
                "INSERT INTO product_images (product_id, hash, alt, position, created_at) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                &[
                    int(id),
                    text(&image.hash),
                    text(&query.alt),
                    int(position),
                    text(now),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("no id"))?
            .int(0)?;
        touch_product(db, id, now)?;
        let changes = json!({
            "id": image_id, "hash": image.hash, "content_type": image.content_type,
            "width": image.width, "height": image.height, "alt": query.alt, "position": position,
        });
        product_answer(db, id, 201, changes)
    })
}

/// The image `id` of the product, if shown (not removed).
fn image_of(db: &Db, product_id: i64, id: &str) -> Result<(i64, String, i64), ApiError> {
    let unknown = || ApiError::not_found(format!("the product has no image {id}"));
    let id: i64 = id.parse().map_err(|_| unknown())?;
    let row = db
        .row(
            "SELECT alt, position FROM product_images WHERE id = ? AND product_id = ? AND removed_at IS NULL",
            &[int(id), int(product_id)],
        )?
        .ok_or_else(unknown)?;
    Ok((id, row.text(0)?, row.int(1)?))
}

/// `POST /admin/catalog/products/{slug}/images/{id}`: alt text and position.
pub fn update_image(
    db: &Db,
    head: &Head,
    slug: &str,
    image: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let request: ImageChange = parse_json(body)?;
    let mut checks = Checks::default();
    let alt = request
        .alt
        .as_ref()
        .map(|a| checks.text("alt", a, 0, MAX_ALT, false));
    checks.position("position", request.position);
    checks.finish()?;
    let target = format!("{slug}/{image}");
    let command = Command {
        name: "update_image",
        target: &target,
        canonical: canonical(&request),
    };
    record(db, head, command, |db, now| {
        let product = product_id(db, slug)?;
        let (id, old_alt, old_position) = image_of(db, product, image)?;
        let new_alt = alt.clone().unwrap_or_else(|| old_alt.clone());
        let new_position = request.position.unwrap_or(old_position);
        let mut changes = serde_json::Map::new();
        diff(&mut changes, "alt", &old_alt, &new_alt);
        diff(&mut changes, "position", old_position, new_position);
        db.execute(
            "UPDATE product_images SET alt = ?, position = ? WHERE id = ?",
            &[text(&new_alt), int(new_position), int(id)],
        )?;
        touch_product(db, product, now)?;
        product_answer(db, product, 200, changes.into())
    })
}

/// `POST /admin/catalog/products/{slug}/images/{id}/remove`: no longer shown; the row and
/// the bytes stay for the history.
pub fn remove_image(db: &Db, head: &Head, slug: &str, image: &str) -> Result<Response, ApiError> {
    let target = format!("{slug}/{image}");
    let command = Command {
        name: "remove_image",
        target: &target,
        canonical: String::new(),
    };
    record(db, head, command, |db, now| {
        let product = product_id(db, slug)?;
        let (id, _, _) = image_of(db, product, image)?;
        db.execute(
            "UPDATE product_images SET removed_at = ? WHERE id = ?",
            &[text(now), int(id)],
        )?;
        touch_product(db, product, now)?;
        product_answer(db, product, 200, json!({"removed": id}))
    })
}
