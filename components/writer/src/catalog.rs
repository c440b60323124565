//! The catalog: product reads, and pricing requested lines from catalog prices (quotes and
//! orders are always priced here, never from what a client sends).

use crate::db::{Db, Mode, RowExt as _, text};
use crate::request::parse_json;
use crate::responses::{ApiError, json};
use spin_sdk::http::Response;
use spin_sdk::sqlite::RowResult;
use storefront_domain::order::{ValidLine, validate_lines};
use storefront_domain::{FieldError, Money, PricedLine, Product, ProductList, Quote, QuoteRequest};

/// `GET /catalog/products`.
pub fn products(db: &Db) -> Result<Response, ApiError> {
    json(
        200,
        &ProductList {
            products: list(db)?,
        },
    )
}

/// `GET /catalog/products/{slug}`.
pub fn product(db: &Db, slug: &str) -> Result<Response, ApiError> {
    match find(db, slug)? {
        Some(row) => json(200, &row.product),
        None => Err(ApiError::not_found(format!("there is no product {slug}"))),
    }
}

/// `POST /orders/quote`: prices lines without reserving anything.
pub fn quote(db: &Db, body: &[u8]) -> Result<Response, ApiError> {
    let request: QuoteRequest = parse_json(body)?;
    let lines = validate_lines(&request.items).map_err(ApiError::invalid)?;
    let priced = db.transaction(Mode::Read, |db| price(db, &lines))?;
    json(200, &priced.quote())
}

const PRODUCT_COLUMNS: &str = "id, slug, name, description, price_amount, currency, stock";

/// A product row: the public shape plus the private id.
pub struct Row {
    pub id: i64,
    pub product: Product,
}

fn from_row(row: &RowResult) -> anyhow::Result<Row> {
    Ok(Row {
        id: row.int(0)?,
        product: Product {
            slug: row.text(1)?,
            name: row.text(2)?,
            description: row.text(3)?,
            price: Money::new(row.int(4)?, row.text(5)?),
            stock: row.int(6)?,
        },
    })
}

/// Every product, in catalog order.
pub fn list(db: &Db) -> anyhow::Result<Vec<Product>> {
    db.rows(
        &format!("SELECT {PRODUCT_COLUMNS} FROM products ORDER BY position, name, id"),
        &[],
    )?
    .iter()
    .map(|row| from_row(row).map(|r| r.product))
    .collect()
}

/// The product with `slug`, if any.
pub fn find(db: &Db, slug: &str) -> anyhow::Result<Option<Row>> {
    db.row(
        &format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE slug = ?"),
        &[text(slug)],
    )?
    .map(|row| from_row(&row))
    .transpose()
}

/// One requested line priced from the catalog.
pub struct PricedItem {
    pub product_id: i64,
    pub line: PricedLine,
}

/// Lines priced from the catalog and their total.
pub struct Priced {
    pub items: Vec<PricedItem>,
    pub total: Money,
}

impl Priced {
    pub fn quote(&self) -> Quote {
        Quote {
            items: self.items.iter().map(|i| i.line.clone()).collect(),
            total: self.total.clone(),
        }
    }
}

/// Prices validated lines (`lines[i]` is request item `i`). Refuses unknown slugs
/// (422 `unknown_product`) and lines in more than one currency (422 `mixed_currency`).
pub fn price(db: &Db, lines: &[ValidLine]) -> Result<Priced, ApiError> {
    let mut items = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(row) = find(db, &line.slug)? else {
            unknown.push(FieldError::new(
                format!("items[{i}].slug"),
                format!("there is no product {}", line.slug),
            ));
            continue;
        };
        let quantity = line.quantity.get();
        let line_total = row.product.price.times(quantity).ok_or_else(too_large)?;
        items.push(PricedItem {
            product_id: row.id,
            line: PricedLine {
                slug: row.product.slug,
                name: row.product.name,
                quantity,
                unit_price: row.product.price,
                line_total,
            },
        });
    }
    if !unknown.is_empty() {
        let message = match unknown.as_slice() {
            [one] => one.message.clone(),
            _ => format!("{} of the products do not exist", unknown.len()),
        };
        return Err(ApiError::new(422, "unknown_product", message).with_fields(unknown));
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
                format!("items[{i}].slug"),
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
