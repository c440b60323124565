//! The catalog's reads: product pages and lists (with their variants, options, images and
//! collections), collections and image bytes.
//!
//! A list is assembled from one page of product ids and then one query per related table
//! over the whole page (`IN (…)`), never one query per product. A page costs what its
//! products cost, whatever the size of the catalog: its ids are read by index from the
//! `after` cursor ([`crate::catalog::cursor`]) or a bounded `offset`, and the totals are the
//! counts the database keeps (`collections.product_count`, `catalog_counts`, migration
//! 0022), never a `count(*)`.

use crate::catalog::cursor::Cursor;
use crate::catalog::query::{CatalogQuery, refused};
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use serde::Serialize;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use std::collections::HashMap;
use storefront_domain::catalog::{
    Collection, CollectionList, CollectionPage, Image, OptionChoice, ProductOption, Variant,
};
use storefront_domain::checkout::ShopSettings;
use storefront_domain::unit_price::per_kg;
use storefront_domain::{Money, Product, ProductList};

/// `GET /catalog/products?collection=&limit=&offset=|after=&include_archived=1`.
pub fn products(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(refused)?;
    let (list, settings) = db.transaction(Mode::Read, |db| {
        let mut list = match &query.collection {
            Some(slug) => {
                let row = db
                    .row(
                        &format!("{COLLECTION_SELECT} WHERE c.slug = ?"),
                        &[text(slug)],
                    )?
                    .ok_or_else(|| no_collection(slug))?;
                page(db, Some(&row), &query)?
            }
            None => page(db, None, &query)?,
        };
        crate::catalog::texts::overlay(db, &mut list.products, query.lang)?;
        Ok::<_, ApiError>((list, with_settings(db, &query)?))
    })?;
    if query.tiles {
        return answer(&crate::catalog::cards::tiles(&list), settings);
    }
    if query.cards {
        return answer(&crate::catalog::cards::list(&list), settings);
    }
    answer(&list, settings)
}

/// `GET /catalog/products/{slug}[?include_archived=1]`: 404 for an archived product
/// unless the owner asks for archived ones, with the code `archived` (the shop answers
/// such a page 410 Gone: it existed and will not come back).
pub fn product(db: &Db, slug: &str, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(refused)?;
    let product = db.transaction(Mode::Read, |db| {
        let (id, archived) = product_id(db, slug)?.ok_or_else(|| no_product(slug))?;
        if archived && !query.include_archived {
            return Err(ApiError::new(
                404,
                "archived",
                format!("product {slug} is no longer sold"),
            ));
        }
        let mut product = load_one(db, id, query.include_archived)?;
        crate::catalog::texts::overlay(db, std::slice::from_mut(&mut product), query.lang)?;
        Ok(product)
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

/// `GET /catalog/collections/{slug}?limit=&offset=|after=`.
pub fn collection(db: &Db, slug: &str, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(refused)?;
    let (page, settings) = db.transaction(Mode::Read, |db| {
        Ok::<_, ApiError>((
            collection_page(db, slug, &query)?,
            with_settings(db, &query)?,
        ))
    })?;
    if query.tiles {
        return answer(&crate::catalog::cards::tile_page(&page), settings);
    }
    if query.cards {
        return answer(&crate::catalog::cards::page(&page), settings);
    }
    answer(&page, settings)
}

/// The shop settings when the query asked for them (`with_settings=1`).
fn with_settings(db: &Db, query: &CatalogQuery) -> Result<Option<ShopSettings>, ApiError> {
    match query.with_settings {
        true => Ok(Some(crate::owner::settings::load(db)?)),
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
    let mut products = page(db, Some(&row), query)?;
    crate::catalog::texts::overlay(db, &mut products.products, query.lang)?;
    Ok(CollectionPage {
        collection: collection_of(&row)?,
        products,
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

pub fn no_product(slug: &str) -> ApiError {
    ApiError::not_found(format!("there is no product {slug}"))
}

pub fn no_collection(slug: &str) -> ApiError {
    ApiError::not_found(format!("there is no collection {slug}"))
}

/// A collection's public columns (read by [`collection_of`]), then its id and its count of
/// products archived ones included (both counts kept by migration 0022's triggers).
const COLLECTION_SELECT: &str = "SELECT c.slug, c.name, c.description, c.product_count, c.id, \
     c.member_count FROM collections c";

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
    db.int_value("SELECT id FROM collections WHERE slug = ?", &[text(slug)])
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

/// One page of the catalog (or of the collection read by [`COLLECTION_SELECT`] in `row`), in
/// display order, with the total the database keeps and the cursor of the next page.
fn page(
    db: &Db,
    collection: Option<&spin_sdk::sqlite::RowResult>,
    query: &CatalogQuery,
) -> Result<ProductList, ApiError> {
    let archived = int(i64::from(query.include_archived));
    // One row more than the page: whether there is a next page.
    let limit = int(i64::from(query.limit) + 1);
    let offset = int(i64::from(query.offset));
    let (rows, total) = match collection {
        Some(row) => {
            let id = int(row.int(4)?);
            let total = row.int(if query.include_archived { 5 } else { 3 })?;
            let rows = match &query.after {
                None => db.rows(
                    "SELECT cp.product_id, cp.position FROM collection_products cp \
                     JOIN products p ON p.id = cp.product_id \
                     WHERE cp.collection_id = ?1 AND (?2 OR p.archived_at IS NULL) \
                     ORDER BY cp.position, cp.product_id LIMIT ?3 OFFSET ?4",
                    &[id, archived, limit, offset],
                )?,
                Some(Cursor::Collection {
                    position,
                    id: after,
                }) => db.rows(
                    "SELECT cp.product_id, cp.position FROM collection_products cp \
                     JOIN products p ON p.id = cp.product_id \
                     WHERE cp.collection_id = ?1 AND (?2 OR p.archived_at IS NULL) \
                       AND cp.position >= ?4 AND (cp.position, cp.product_id) > (?4, ?5) \
                     ORDER BY cp.position, cp.product_id LIMIT ?3",
                    &[id, archived, limit, int(*position), int(*after)],
                )?,
                Some(Cursor::Catalog { .. }) => return Err(wrong_cursor()),
            };
            (rows, total)
        }
        None => {
            let total = db
                .int_value(
                    if query.include_archived {
                        "SELECT all_products FROM catalog_counts WHERE id = 1"
                    } else {
                        "SELECT live_products FROM catalog_counts WHERE id = 1"
                    },
                    &[],
                )?
                .unwrap_or(0);
            let rows = match &query.after {
                None => db.rows(
                    "SELECT p.id, p.position, p.name FROM products p \
                     WHERE (?1 OR p.archived_at IS NULL) \
                     ORDER BY p.position, p.name, p.id LIMIT ?2 OFFSET ?3",
                    &[archived, limit, offset],
                )?,
                Some(Cursor::Catalog { position, name, id }) => db.rows(
                    "SELECT p.id, p.position, p.name FROM products p \
                     WHERE (?1 OR p.archived_at IS NULL) \
                       AND p.position >= ?3 AND (p.position, p.name, p.id) > (?3, ?4, ?5) \
                     ORDER BY p.position, p.name, p.id LIMIT ?2",
                    &[archived, limit, int(*position), text(name), int(*id)],
                )?,
                Some(Cursor::Collection { .. }) => return Err(wrong_cursor()),
            };
            (rows, total)
        }
    };
    let shown = rows.len().min(query.limit as usize);
    let next = match rows.len() > shown {
        false => None,
        true => {
            let last = &rows[shown - 1];
            Some(match collection {
                Some(_) => Cursor::Collection {
                    position: last.int(1)?,
                    id: last.int(0)?,
                },
                None => Cursor::Catalog {
                    position: last.int(1)?,
                    name: last.text(2)?,
                    id: last.int(0)?,
                },
            })
        }
    };
    let ids = rows[..shown]
        .iter()
        .map(|r| r.int(0))
        .collect::<anyhow::Result<Vec<i64>>>()?;
    let detail = match query.cards {
        true => Detail::Card,
        false => Detail::Full,
    };
    Ok(ProductList {
        products: load_as(db, &ids, query.include_archived, detail)?,
        total: u32::try_from(total).map_err(anyhow::Error::from)?,
        limit: query.limit,
        offset: query.offset,
        next: next.map(|c| c.encode()),
        more: false,
        collections: if query.with_collections {
            Some(all_collections(db)?)
        } else {
            None
        },
    })
}

/// A cursor of the catalog used on a collection, or the other way round.
fn wrong_cursor() -> ApiError {
    query_refused(
        "after",
        "belongs to another list: start again from the first page",
    )
}

fn query_refused(field: &str, message: &str) -> ApiError {
    refused(vec![storefront_domain::FieldError::new(field, message)])
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

/// How much of each product a read shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Everything the API shows.
    Full,
    /// What a catalog card shows ([`crate::catalog::cards`]): without each variant's
    /// options and the product's collections, whose two queries a card page skips (a
    /// third of a catalog page's SQLite time).
    Card,
}

/// The products with `ids`, in that order, each with its variants (archived ones only with
/// `include_archived`), options, images and collections: six queries whatever the count
/// (four for a page of cards).
pub fn load(db: &Db, ids: &[i64], include_archived: bool) -> anyhow::Result<Vec<Product>> {
    load_as(db, ids, include_archived, Detail::Full)
}

/// [`load`], leaving out what `detail` does not show (it reads back as empty).
fn load_as(
    db: &Db,
    ids: &[i64],
    include_archived: bool,
    detail: Detail,
) -> anyhow::Result<Vec<Product>> {
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
                price_per_kg: None,
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
    let variant_options = match detail {
        Detail::Full => db.rows(
            &format!(
                "SELECT vov.variant_id, o.name, ov.value FROM variants v \
                 JOIN variant_option_values vov ON vov.variant_id = v.id \
                 JOIN product_options o ON o.id = vov.option_id \
                 JOIN product_option_values ov ON ov.id = vov.value_id \
                 WHERE v.product_id IN ({within}) {live} ORDER BY vov.variant_id, o.position, o.id"
            ),
            &params,
        )?,
        Detail::Card => Vec::new(),
    };
    for row in variant_options {
        choices.entry(row.int(0)?).or_default().push(OptionChoice {
            name: row.text(1)?,
            value: row.text(2)?,
        });
    }
    for row in db.rows(
        &format!(
            "SELECT v.id, v.product_id, v.sku, v.title, v.price_amount, v.currency, v.stock, \
                    v.active, v.archived_at IS NOT NULL, v.net_grams FROM variants v \
             WHERE v.product_id IN ({within}) {live} ORDER BY v.product_id, v.position, v.id"
        ),
        &params,
    )? {
        let Some(product) = products.get_mut(&row.int(1)?) else {
            continue;
        };
        let price = Money::new(row.int(4)?, row.text(5)?);
        let net_grams = row.int(9)?;
        product.variants.push(Variant {
            sku: row.text(2)?,
            options: choices.remove(&row.int(0)?).unwrap_or_default(),
            title: row.text(3)?,
            price_per_kg: per_kg(&price, net_grams),
            price,
            stock: row.int(6)?,
            active: row.int(7)? != 0,
            archived: row.int(8)? != 0,
            net_grams,
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
    let memberships = match detail {
        Detail::Full => db.rows(
            &format!(
                "SELECT cp.product_id, c.slug FROM collection_products cp \
                 JOIN collections c ON c.id = cp.collection_id \
                 WHERE cp.product_id IN ({within}) ORDER BY c.position, c.id"
            ),
            &params,
        )?,
        Detail::Card => Vec::new(),
    };
    for row in memberships {
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
/// variant's) with that variant's price per kg, and its stock over active, live variants.
fn summarise(product: &mut Product) {
    let sellable = || product.variants.iter().filter(|v| v.active && !v.archived);
    product.stock = sellable().map(|v| v.stock).sum();
    let cheapest = sellable()
        .min_by_key(|v| v.price.amount)
        .or(product.variants.first());
    if let Some(variant) = cheapest {
        product.price = variant.price.clone();
        product.price_per_kg = variant.price_per_kg.clone();
    }
}
