//! Renaming a product's options and their values, and retitling its variants to match.

use crate::catalog::commands::{canonical, product_answer, product_id, record, touch_product};
use crate::catalog::rules::{Checks, conflict};
use crate::catalog::search::reindex;
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use crate::idempotency::Command;
use serde_json::json;
use spin_sdk::http::Response;
use storefront_domain::catalog::{
    MAX_OPTION_TEXT, OptionChoice, OptionRename, ProductOption, variant_title,
};

/// `POST /admin/catalog/products/{slug}/options`: an option or one of its values renamed
/// ([`OptionRename`]). A name another option (or value of the same option) has already,
/// ignoring case, is `409`; a case-only change is allowed. The variants' titles and the
/// product's search row follow.
pub fn rename(db: &Db, head: &Head, slug: &str, body: &[u8]) -> Result<Response, ApiError> {
    let request: OptionRename = parse_json(body)?;
    let mut checks = Checks::default();
    let to = checks.text("to", &request.to, 1, MAX_OPTION_TEXT, false);
    checks.finish()?;
    let command = Command::new("rename_option", slug, canonical(&request));
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
pub struct NameColumn {
    table: &'static str,
    column: &'static str,
    parent: &'static str,
}

pub const OPTION_NAMES: NameColumn = NameColumn {
    table: "product_options",
    column: "name",
    parent: "product_id",
};
pub const OPTION_VALUES: NameColumn = NameColumn {
    table: "product_option_values",
    column: "value",
    parent: "option_id",
};

/// Renames row `id` of `parent` to `to`: `409` at `to` with `taken` if another row of the
/// same parent has that name.
pub fn rename_row(
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
pub fn retitle_variants(db: &Db, product_id: i64, now: &str) -> anyhow::Result<()> {
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
pub fn options_of(db: &Db, product_id: i64) -> anyhow::Result<Vec<ProductOption>> {
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
