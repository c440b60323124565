//! Product lists as the catalog pages show them, lighter than the full list the API gives.
//!
//! - `fields=card`: each product without what only a product page needs (the
//!   description, each variant's options and title, the product's collections, pictures
//!   after the first), about a third of the full list's JSON. The shapes are the domain's
//!   `ProductList` and `CollectionPage` with those fields left out (they read back as
//!   empty).
//! - `fields=tile` ([`tiles`]): only what a card on a catalog page shows, the choices
//!   its variants imply made here: whether it has options (the card then links to the
//!   product page), whether its active variants' prices differ (the card says "from"),
//!   the SKU its add-to-cart form adds, and its main picture. About a third of
//!   `fields=card` again. The pages parse a catalog page's list on every request (the
//!   largest part of `GET /`'s time in the pages, docs/performance-profile.md).
//!
//! `card` stays for the pages of the release before `tile`, which ask for it while a
//! writer that knows `tile` is deployed beneath them.

use serde::Serialize;
use storefront_domain::Money;
use storefront_domain::catalog::{
    Collection, CollectionPage, Image, Product, ProductList, ProductOption,
};

/// What every shape of a card starts with.
#[derive(Serialize)]
struct Basics<'a> {
    slug: &'a str,
    name: &'a str,
    price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_per_kg: Option<&'a Money>,
    stock: i64,
}

impl<'a> Basics<'a> {
    fn of(p: &'a Product) -> Self {
        Basics {
            slug: &p.slug,
            name: &p.name,
            price: &p.price,
            price_per_kg: p.price_per_kg.as_ref(),
            stock: p.stock,
        }
    }
}

#[derive(Serialize)]
struct VariantCard<'a> {
    sku: &'a str,
    price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_per_kg: Option<&'a Money>,
    stock: i64,
    active: bool,
}

#[derive(Serialize)]
struct Card<'a> {
    #[serde(flatten)]
    basics: Basics<'a>,
    options: &'a [ProductOption],
    variants: Vec<VariantCard<'a>>,
    images: &'a [Image],
    archived: bool,
}

/// What a catalog page's card shows of a product (`fields=tile`).
#[derive(Serialize)]
struct Tile<'a> {
    #[serde(flatten)]
    basics: Basics<'a>,
    has_options: bool,
    prices_differ: bool,
    /// [`Product::card_sku`].
    #[serde(skip_serializing_if = "Option::is_none")]
    sku: Option<&'a str>,
    /// The main picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a Image>,
}

#[derive(Serialize)]
pub struct CardList<'a, T> {
    products: Vec<T>,
    total: u32,
    limit: u32,
    offset: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collections: Option<&'a [Collection]>,
}

#[derive(Serialize)]
pub struct CardPage<'a, T> {
    collection: &'a Collection,
    products: CardList<'a, T>,
}

/// `list` with each product shown by `show`.
fn shown<'a, T>(list: &'a ProductList, show: impl Fn(&'a Product) -> T) -> CardList<'a, T> {
    CardList {
        products: list.products.iter().map(show).collect(),
        total: list.total,
        limit: list.limit,
        offset: list.offset,
        next: list.next.as_deref(),
        collections: list.collections.as_deref(),
    }
}

/// `list` as tiles (`fields=tile`).
pub fn tiles(list: &ProductList) -> CardList<'_, impl Serialize + '_> {
    shown(list, |p| Tile {
        basics: Basics::of(p),
        has_options: !p.options.is_empty(),
        prices_differ: p.prices_differ(),
        sku: p.card_sku(),
        image: p.images.first(),
    })
}

/// A collection's page, its products as tiles.
pub fn tile_page(page: &CollectionPage) -> CardPage<'_, impl Serialize + '_> {
    CardPage {
        collection: &page.collection,
        products: tiles(&page.products),
    }
}

/// `list` as cards (`fields=card`).
pub fn list(list: &ProductList) -> CardList<'_, impl Serialize + '_> {
    shown(list, |p| Card {
        basics: Basics::of(p),
        options: &p.options,
        variants: p
            .variants
            .iter()
            .map(|v| VariantCard {
                sku: &v.sku,
                price: &v.price,
                price_per_kg: v.price_per_kg.as_ref(),
                stock: v.stock,
                active: v.active,
            })
            .collect(),
        images: &p.images[..p.images.len().min(1)],
        archived: p.archived,
    })
}

/// A collection's page, its products as cards.
pub fn page(page: &CollectionPage) -> CardPage<'_, impl Serialize + '_> {
    CardPage {
        collection: &page.collection,
        products: list(&page.products),
    }
}
