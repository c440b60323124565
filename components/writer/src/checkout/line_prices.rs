//! Line prices: each requested line priced from its variant in the catalog (quotes and
//! orders are always priced here, never from what a client sends), and the lines' total.

use crate::db::{Db, RowExt as _, text};
use crate::http::responses::ApiError;
use storefront_domain::order::ValidLine;
use storefront_domain::unit_price::per_kg;
use storefront_domain::{FieldError, Money, PricedLine};

/// One requested line priced from its variant.
pub struct PricedItem {
    pub product_id: i64,
    pub variant_id: i64,
    pub line: PricedLine,
    /// Units on the shelf when priced.
    pub stock: i64,
    /// Shipping weight of one unit.
    pub weight_grams: i64,
    /// The price of one kilogram, when sold by weight (quotes show it; orders keep
    /// what they sold as it was, without it).
    pub price_per_kg: Option<Money>,
    /// The product's main picture, for the quote's thumbnail.
    pub thumbnail: Option<String>,
}

/// Lines priced from the catalog and their total.
pub struct Priced {
    pub items: Vec<PricedItem>,
    pub total: Money,
}

impl Priced {
    /// Total shipping weight of the lines, in grams.
    pub fn weight_grams(&self) -> i64 {
        self.items
            .iter()
            .map(|i| i.weight_grams.saturating_mul(i.line.quantity))
            .fold(0, i64::saturating_add)
    }
}

/// What a line names: a variant by SKU, or a product's default variant by slug.
enum Resolved {
    Found(Box<PricedItem>),
    Unknown(String),
    Unavailable(String),
}

/// The variant a validated line buys, priced.
fn resolve(db: &Db, line: &ValidLine) -> anyhow::Result<Resolved> {
    const COLUMNS: &str = "p.id, v.id, p.slug, p.name, v.sku, v.title, v.price_amount, \
                           v.currency, v.active, v.archived_at IS NOT NULL, \
                           p.archived_at IS NOT NULL, v.stock, v.weight_grams, v.net_grams, \
                           (SELECT pi.hash FROM product_images pi WHERE pi.product_id = p.id \
                            AND pi.removed_at IS NULL ORDER BY pi.position, pi.id LIMIT 1)";
    let row = if line.sku.is_empty() {
        // The product and its default variant (the first active, live one by position),
        // in one read: the variant's columns are NULL when it has none.
        let Some(row) = db.row(
            &format!(
                "SELECT {COLUMNS} FROM products p LEFT JOIN variants v ON v.id = \
                 (SELECT d.id FROM variants d \
                  WHERE d.product_id = p.id AND d.active = 1 AND d.archived_at IS NULL \
                  ORDER BY d.position, d.id LIMIT 1) \
                 WHERE p.slug = ?"
            ),
            &[text(&line.slug)],
        )?
        else {
            return Ok(Resolved::Unknown(format!(
                "there is no product {}",
                line.slug
            )));
        };
        if row.int(10)? != 0 {
            return Ok(Resolved::Unavailable(format!(
                "{} is no longer sold",
                row.text(3)?
            )));
        }
        if row.opt_int(1)?.is_none() {
            return Ok(Resolved::Unavailable(format!(
                "{} is not available",
                row.text(3)?
            )));
        }
        row
    } else {
        let Some(row) = db.row(
            &format!(
                "SELECT {COLUMNS} FROM variants v JOIN products p ON p.id = v.product_id \
                 WHERE v.sku = ?"
            ),
            &[text(&line.sku)],
        )?
        else {
            return Ok(Resolved::Unknown(format!("there is no SKU {}", line.sku)));
        };
        row
    };
    let name = row.text(3)?;
    let sku = row.text(4)?;
    if row.int(10)? != 0 || row.int(9)? != 0 {
        return Ok(Resolved::Unavailable(format!(
            "{name} ({sku}) is no longer sold"
        )));
    }
    if row.int(8)? == 0 {
        return Ok(Resolved::Unavailable(format!(
            "{name} ({sku}) is not available"
        )));
    }
    let unit_price = Money::new(row.int(6)?, row.text(7)?);
    let quantity = line.quantity.get();
    let line_total = unit_price
        .times(quantity)
        .ok_or_else(|| anyhow::anyhow!("overflow"))?;
    Ok(Resolved::Found(Box::new(PricedItem {
        product_id: row.int(0)?,
        variant_id: row.int(1)?,
        stock: row.int(11)?,
        weight_grams: row.int(12)?,
        price_per_kg: per_kg(&unit_price, row.int(13)?),
        thumbnail: row.opt_text(14)?,
        line: PricedLine {
            slug: row.text(2)?,
            name,
            sku,
            variant: row.text(5)?,
            available: None,
            price_per_kg: None,
            thumbnail: None,
            quantity,
            unit_price,
            line_total,
        },
    })))
}

/// Prices validated lines (`lines[i]` is request item `i`). Refuses unknown SKUs or slugs
/// (422 `unknown_product`), archived or inactive variants and archived products (422
/// `unavailable`), two lines for one variant (422 `invalid_request`) and lines in more
/// than one currency (422 `mixed_currency`).
pub fn price_lines(db: &Db, lines: &[ValidLine]) -> Result<Priced, ApiError> {
    let mut items: Vec<PricedItem> = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    let mut unavailable = Vec::new();
    let mut twice = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let field = if line.sku.is_empty() {
            format!("items[{i}].slug")
        } else {
            format!("items[{i}].sku")
        };
        match resolve(db, line)? {
            Resolved::Unknown(message) => unknown.push(FieldError::new(field, message)),
            Resolved::Unavailable(message) => unavailable.push(FieldError::new(field, message)),
            Resolved::Found(item) => {
                if items
                    .iter()
                    .any(|other| other.variant_id == item.variant_id)
                {
                    twice.push(FieldError::new(
                        field,
                        format!("{} appears twice; use one line per item", item.line.sku),
                    ));
                } else {
                    items.push(*item);
                }
            }
        }
    }
    if !unknown.is_empty() {
        let message = match unknown.as_slice() {
            [one] => one.message.clone(),
            _ => format!("{} of the items do not exist", unknown.len()),
        };
        return Err(ApiError::new(422, "unknown_product", message).with_fields(unknown));
    }
    if !unavailable.is_empty() {
        let message = unavailable
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::new(422, "unavailable", message).with_fields(unavailable));
    }
    if !twice.is_empty() {
        return Err(ApiError::invalid(twice));
    }

    let Some(first) = items.first() else {
        // validate_lines refuses an empty list; answer rather than panic if that changes.
        let field = FieldError::new("items", "at least one item is required");
        return Err(ApiError::invalid(vec![field]));
    };
    let currency = &first.line.unit_price.currency;
    let other: Vec<FieldError> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| &item.line.unit_price.currency != currency)
        .map(|(i, item)| {
            FieldError::new(
                format!("items[{i}].sku"),
                format!(
                    "{} is priced in {}, the first item in {currency}",
                    item.line.name, item.line.unit_price.currency
                ),
            )
        })
        .collect();
    if !other.is_empty() {
        return Err(ApiError::new(
            422,
            "mixed_currency",
            "all items of one order must be priced in the same currency",
        )
        .with_fields(other));
    }

    let mut total = Money::new(0, currency.clone());
    for item in &items {
        total = total
            .checked_add(&item.line.line_total)
            .ok_or_else(too_large)?;
    }
    Ok(Priced { items, total })
}

fn too_large() -> ApiError {
    ApiError::new(422, "invalid_request", "the order total is too large")
}
