//! The catalog's reads: product pages and lists (with their variants, options, images and
//! collections), collections, image bytes, and pricing requested lines from variant prices
//! (quotes and orders are always priced here, never from what a client sends).
//!
//! A list is assembled from one page of product ids and then one query per related table
//! over the whole page (`IN (…)`), never one query per product.

use crate::catalog_query::CatalogQuery;
use crate::client_limits;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::discount_attempts;
use crate::pricing;
use crate::request::{Header, parse_json};
use crate::responses::{ApiError, json};
use serde::Serialize;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use std::collections::HashMap;
use storefront_domain::catalog::{
    Collection, CollectionList, CollectionPage, Image, OptionChoice, ProductOption, Variant,
};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::discount_attempts::{REFUSED, too_many_attempts};
use storefront_domain::order::{ValidLine, validate_lines};
use storefront_domain::{FieldError, Money, PricedLine, Product, ProductList, Quote, QuoteRequest};

/// `GET /catalog/products?collection=&limit=&offset=&include_archived=1`.
pub fn products(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(ApiError::invalid)?;
    let (list, settings) = db.transaction(Mode::Read, |db| {
        let collection = match &query.collection {
            Some(slug) => Some(collection_id(db, slug)?.ok_or_else(|| no_collection(slug))?),
            None => None,
        };
        Ok::<_, ApiError>((page(db, collection, &query)?, with_settings(db, &query)?))
    })?;
    if query.cards {
        return answer(&crate::catalog_cards::list(&list), settings);
    }
    answer(&list, settings)
}

/// `GET /catalog/products/{slug}[?include_archived=1]`: 404 for an archived product
/// unless the owner asks for archived ones.
pub fn product(db: &Db, slug: &str, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(ApiError::invalid)?;
    let product = db.transaction(Mode::Read, |db| {
        let (id, archived) = product_id(db, slug)?.ok_or_else(|| no_product(slug))?;
        if archived && !query.include_archived {
            return Err(no_product(slug));
        }
        load_one(db, id, query.include_archived)
    })?;
    json(200, &product)
}

/// `GET /catalog/collections`: every collection in display order.
pub fn collections(db: &Db) -> Result<Response, ApiError> {
    let list = db.transaction(Mode::Read, |db| {
        Ok::<_, ApiError>(CollectionList {
            collections: all_collections(db)?,
        })
    })?;
    json(200, &list)
}

/// Every collection, in display order.
fn all_collections(db: &Db) -> anyhow::Result<Vec<Collection>> {
    db.rows(
        &format!("{COLLECTION_SELECT} ORDER BY c.position, c.id"),
        &[],
    )?
    .iter()
    .map(collection_of)
    .collect()
}

/// `GET /catalog/collections/{slug}?limit=&offset=`.
pub fn collection(db: &Db, slug: &str, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(ApiError::invalid)?;
    let (page, settings) = db.transaction(Mode::Read, |db| {
        Ok::<_, ApiError>((
            collection_page(db, slug, &query)?,
            with_settings(db, &query)?,
        ))
    })?;
    if query.cards {
        return answer(&crate::catalog_cards::page(&page), settings);
    }
    answer(&page, settings)
}

/// The shop settings when the query asked for them (`with_settings=1`).
fn with_settings(db: &Db, query: &CatalogQuery) -> Result<Option<ShopSettings>, ApiError> {
    match query.with_settings {
        true => Ok(Some(crate::settings::load(db)?)),
        false => Ok(None),
    }
}

/// A catalog read's answer: `list` as it is, or with the settings beside it.
fn answer<T: Serialize>(list: &T, settings: Option<ShopSettings>) -> Result<Response, ApiError> {
    match settings {
        Some(settings) => json(200, &WithSettings { list, settings }),
        None => json(200, list),
    }
}

/// `with_settings=1`: a catalog page's data and the shop settings from one snapshot.
#[derive(Serialize)]
struct WithSettings<'a, T> {
    list: &'a T,
    settings: ShopSettings,
}

/// The collection `slug` and one page of its products.
pub fn collection_page(
    db: &Db,
    slug: &str,
    query: &CatalogQuery,
) -> Result<CollectionPage, ApiError> {
    let row = db
        .row(
            &format!("{COLLECTION_SELECT} WHERE c.slug = ?"),
            &[text(slug)],
        )?
        .ok_or_else(|| no_collection(slug))?;
    Ok(CollectionPage {
        collection: collection_of(&row)?,
        products: page(db, Some(row.int(4)?), query)?,
    })
}

/// `GET /catalog/images/{hash}`: the stored bytes with their stored content type.
pub fn image(db: &Db, hash: &str) -> Result<Response, ApiError> {
    let unknown = || ApiError::not_found(format!("there is no image {hash}"));
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unknown());
    }
    let row = db
        .row(
            "SELECT content_type, bytes FROM image_blobs WHERE hash = ?",
            &[text(hash.to_ascii_lowercase())],
        )?
        .ok_or_else(unknown)?;
    let content_type = row.text(0)?;
    let Some(Value::Blob(bytes)) = row.values.get(1).cloned() else {
        return Err(anyhow::anyhow!("image {hash}: bytes are not a blob").into());
    };
    Ok(Response::builder()
        .status(200)
        .header("content-type", content_type)
        .body(bytes)
        .build())
}

/// `POST /orders/quote`: prices lines without reserving anything. A discount code from a
/// named client (`storefront-client`) is held to the limit on guessing
/// ([`discount_attempts`]): a refused code is recorded, so such a quote is a write, and a
/// client that has used up its guesses is quoted without the code and told how long to
/// wait.
pub fn quote(db: &Db, client: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let client = client_limits::client_key(client)?;
    let request: QuoteRequest = parse_json(body)?;
    let lines = validate_lines(&request.items).map_err(ApiError::invalid)?;
    let country = request.country.trim().to_ascii_uppercase();
    if !country.is_empty() && storefront_domain::countries::name(&country).is_none() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "country",
            "is not a country we know (ISO code such as DE or US)",
        )]));
    }
    let guarded = client
        .as_deref()
        .filter(|_| !request.discount_code.trim().is_empty());
    let mode = if guarded.is_some() {
        Mode::Write
    } else {
        Mode::Read
    };
    let quote = db.transaction(mode, |db| {
        let priced = price(db, &lines)?;
        let now = db.now()?;
        let blocked = match guarded {
            Some(client) => discount_attempts::blocked_for(db, client)?,
            None => None,
        };
        let checkout = pricing::price(
            db,
            &priced,
            &pricing::Choice {
                country: &country,
                shipping_method: request.shipping_method.trim(),
                discount_code: if blocked.is_some() {
                    ""
                } else {
                    &request.discount_code
                },
                email: "",
            },
            &now,
        )?;
        if let (Some(client), Some(refused)) = (guarded, &checkout.discount_refused) {
            discount_attempts::record(db, client, &request.discount_code, "", refused)?;
        }
        let mut quote = priced.quote(checkout);
        if let Some(wait) = blocked {
            quote.discount_error = Some(too_many_attempts(wait));
            quote.discount_retry_after = Some(wait);
        }
        Ok::<_, ApiError>(quote)
    })?;
    json(200, &quote)
}

pub fn no_product(slug: &str) -> ApiError {
    ApiError::not_found(format!("there is no product {slug}"))
}

pub fn no_collection(slug: &str) -> ApiError {
    ApiError::not_found(format!("there is no collection {slug}"))
}

/// A collection's public columns (read by [`collection_of`]), then its id.
const COLLECTION_SELECT: &str = "SELECT c.slug, c.name, c.description, \
     (SELECT count(*) FROM collection_products cp JOIN products p ON p.id = cp.product_id \
      WHERE cp.collection_id = c.id AND p.archived_at IS NULL), c.id \
     FROM collections c";

fn collection_of(row: &spin_sdk::sqlite::RowResult) -> anyhow::Result<Collection> {
    Ok(Collection {
        slug: row.text(0)?,
        name: row.text(1)?,
        description: row.text(2)?,
        product_count: u32::try_from(row.int(3)?)?,
    })
}

/// The id of the collection `slug`.
pub fn collection_id(db: &Db, slug: &str) -> anyhow::Result<Option<i64>> {
    db.row("SELECT id FROM collections WHERE slug = ?", &[text(slug)])?
        .map(|r| r.int(0))
        .transpose()
}

/// The id of the product `slug` and whether it is archived.
pub fn product_id(db: &Db, slug: &str) -> anyhow::Result<Option<(i64, bool)>> {
    db.row(
        "SELECT id, archived_at IS NOT NULL FROM products WHERE slug = ?",
        &[text(slug)],
    )?
    .map(|r| Ok((r.int(0)?, r.int(1)? != 0)))
    .transpose()
}

/// One page of the catalog (or of one collection), in display order, with the total.
fn page(db: &Db, collection: Option<i64>, query: &CatalogQuery) -> anyhow::Result<ProductList> {
    let archived = i64::from(query.include_archived);
    let (ids_sql, count_sql) = match collection {
        Some(_) => (
            "SELECT p.id FROM collection_products cp JOIN products p ON p.id = cp.product_id \
             WHERE cp.collection_id = ?1 AND (?2 OR p.archived_at IS NULL) \
             ORDER BY cp.position, p.position, p.name, p.id LIMIT ?3 OFFSET ?4",
            "SELECT count(*) FROM collection_products cp JOIN products p ON p.id = cp.product_id \
             WHERE cp.collection_id = ?1 AND (?2 OR p.archived_at IS NULL)",
        ),
        None => (
            "SELECT p.id FROM products p WHERE ?1 IS NULL AND (?2 OR p.archived_at IS NULL) \
             ORDER BY p.position, p.name, p.id LIMIT ?3 OFFSET ?4",
            "SELECT count(*) FROM products p WHERE ?1 IS NULL AND (?2 OR p.archived_at IS NULL)",
        ),
    };
    let collection = collection.map_or(Value::Null, int);
    let ids = db
        .rows(
            ids_sql,
            &[
                collection.clone(),
                int(archived),
                int(i64::from(query.limit)),
                int(i64::from(query.offset)),
            ],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let total = db
        .row(count_sql, &[collection, int(archived)])?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Ok(ProductList {
        products: load(db, &ids, query.include_archived)?,
        total: u32::try_from(total)?,
        limit: query.limit,
        offset: query.offset,
        collections: if query.with_collections {
            Some(all_collections(db)?)
        } else {
            None
        },
    })
}

/// `?, ?, …` for `n` parameters.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The product with `id` as the API shows it.
pub fn load_one(db: &Db, id: i64, include_archived: bool) -> Result<Product, ApiError> {
    load(db, &[id], include_archived)?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("product {id} vanished").into())
}

/// The products with `ids`, in that order, each with its variants (archived ones only with
/// `include_archived`), options, images and collections: six queries whatever the count.
pub fn load(db: &Db, ids: &[i64], include_archived: bool) -> anyhow::Result<Vec<Product>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let params: Vec<Value> = ids.iter().map(|&id| int(id)).collect();
    let within = placeholders(ids.len());
    let mut products: HashMap<i64, Product> = HashMap::with_capacity(ids.len());
    for row in db.rows(
        &format!(
            "SELECT id, slug, name, description, archived_at IS NOT NULL FROM products \
             WHERE id IN ({within})"
        ),
        &params,
    )? {
        products.insert(
            row.int(0)?,
            Product {
                slug: row.text(1)?,
                name: row.text(2)?,
                description: row.text(3)?,
                price: Money::new(0, ""),
                stock: 0,
                options: Vec::new(),
                variants: Vec::new(),
                images: Vec::new(),
                collections: Vec::new(),
                archived: row.int(4)? != 0,
            },
        );
    }
    let live = if include_archived {
        ""
    } else {
        "AND v.archived_at IS NULL"
    };
    for row in db.rows(
        &format!(
            "SELECT o.product_id, o.name, v.value FROM product_options o \
             JOIN product_option_values v ON v.option_id = o.id \
             WHERE o.product_id IN ({within}) ORDER BY o.product_id, o.position, o.id, v.position, v.id"
        ),
        &params,
    )? {
        let Some(product) = products.get_mut(&row.int(0)?) else {
            continue;
        };
        let (name, value) = (row.text(1)?, row.text(2)?);
        match product.options.last_mut() {
            Some(option) if option.name == name => option.values.push(value),
            _ => product.options.push(ProductOption {
                name,
                values: vec![value],
            }),
        }
    }
    let mut choices: HashMap<i64, Vec<OptionChoice>> = HashMap::new();
    for row in db.rows(
        &format!(
            "SELECT vov.variant_id, o.name, ov.value FROM variants v \
             JOIN variant_option_values vov ON vov.variant_id = v.id \
             JOIN product_options o ON o.id = vov.option_id \
             JOIN product_option_values ov ON ov.id = vov.value_id \
             WHERE v.product_id IN ({within}) {live} ORDER BY vov.variant_id, o.position, o.id"
        ),
        &params,
    )? {
        choices.entry(row.int(0)?).or_default().push(OptionChoice {
            name: row.text(1)?,
            value: row.text(2)?,
        });
    }
    for row in db.rows(
        &format!(
            "SELECT v.id, v.product_id, v.sku, v.title, v.price_amount, v.currency, v.stock, \
                    v.active, v.archived_at IS NOT NULL FROM variants v \
             WHERE v.product_id IN ({within}) {live} ORDER BY v.product_id, v.position, v.id"
        ),
        &params,
    )? {
        let Some(product) = products.get_mut(&row.int(1)?) else {
            continue;
        };
        product.variants.push(Variant {
            sku: row.text(2)?,
            options: choices.remove(&row.int(0)?).unwrap_or_default(),
            title: row.text(3)?,
            price: Money::new(row.int(4)?, row.text(5)?),
            stock: row.int(6)?,
            active: row.int(7)? != 0,
            archived: row.int(8)? != 0,
        });
    }
    for row in db.rows(
        &format!(
            "SELECT pi.product_id, pi.id, pi.hash, b.content_type, b.width, b.height, pi.alt \
             FROM product_images pi JOIN image_blobs b ON b.hash = pi.hash \
             WHERE pi.product_id IN ({within}) AND pi.removed_at IS NULL \
             ORDER BY pi.product_id, pi.position, pi.id"
        ),
        &params,
    )? {
        let Some(product) = products.get_mut(&row.int(0)?) else {
            continue;
        };
        product.images.push(Image {
            id: row.int(1)?,
            hash: row.text(2)?,
            content_type: row.text(3)?,
            width: u32::try_from(row.int(4)?)?,
            height: u32::try_from(row.int(5)?)?,
            alt: row.text(6)?,
        });
    }
    for row in db.rows(
        &format!(
            "SELECT cp.product_id, c.slug FROM collection_products cp \
             JOIN collections c ON c.id = cp.collection_id \
             WHERE cp.product_id IN ({within}) ORDER BY c.position, c.id"
        ),
        &params,
    )? {
        if let Some(product) = products.get_mut(&row.int(0)?) {
            product.collections.push(row.text(1)?);
        }
    }
    Ok(ids
        .iter()
        .filter_map(|id| products.remove(id))
        .map(|mut product| {
            summarise(&mut product);
            product
        })
        .collect())
}

/// The product's "from" price (lowest among active, live variants, else the first
/// variant's) and its stock over active, live variants.
fn summarise(product: &mut Product) {
    let sellable = || product.variants.iter().filter(|v| v.active && !v.archived);
    product.stock = sellable().map(|v| v.stock).sum();
    let cheapest = sellable()
        .min_by_key(|v| v.price.amount)
        .or(product.variants.first());
    if let Some(variant) = cheapest {
        product.price = variant.price.clone();
    }
}

/// One requested line priced from its variant.
pub struct PricedItem {
    pub product_id: i64,
    pub variant_id: i64,
    pub line: PricedLine,
    /// Units on the shelf when priced.
    pub stock: i64,
    /// Shipping weight of one unit.
    pub weight_grams: i64,
}

/// Lines priced from the catalog and their total.
pub struct Priced {
    pub items: Vec<PricedItem>,
    pub total: Money,
}

impl Priced {
    /// The quote of these lines with their checkout amounts; each line says how many
    /// units are on the shelf.
    pub fn quote(&self, checkout: pricing::Checkout) -> Quote {
        Quote {
            items: self
                .items
                .iter()
                .map(|i| PricedLine {
                    available: Some(i.stock),
                    ..i.line.clone()
                })
                .collect(),
            total: checkout.totals.total.clone(),
            totals: checkout.totals,
            shipping_options: checkout.options,
            shipping: checkout.shipping,
            discount: checkout.discount.map(|d| d.discount),
            discount_error: checkout.discount_refused.map(|_| REFUSED.to_string()),
            discount_retry_after: None,
        }
    }

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
    Found(PricedItem),
    Unknown(String),
    Unavailable(String),
}

/// The variant a validated line buys, priced.
fn resolve(db: &Db, line: &ValidLine) -> anyhow::Result<Resolved> {
    const COLUMNS: &str = "p.id, v.id, p.slug, p.name, v.sku, v.title, v.price_amount, \
                           v.currency, v.active, v.archived_at IS NOT NULL, \
                           p.archived_at IS NOT NULL, v.stock, v.weight_grams";
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
    Ok(Resolved::Found(PricedItem {
        product_id: row.int(0)?,
        variant_id: row.int(1)?,
        stock: row.int(11)?,
        weight_grams: row.int(12)?,
        line: PricedLine {
            slug: row.text(2)?,
            name,
            sku,
            variant: row.text(5)?,
            available: None,
            quantity,
            unit_price,
            line_total,
        },
    }))
}

/// Prices validated lines (`lines[i]` is request item `i`). Refuses unknown SKUs or slugs
/// (422 `unknown_product`), archived or inactive variants and archived products (422
/// `unavailable`), two lines for one variant (422 `invalid_request`) and lines in more
/// than one currency (422 `mixed_currency`).
pub fn price(db: &Db, lines: &[ValidLine]) -> Result<Priced, ApiError> {
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
                    items.push(item);
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
