//! `fields=card` on a product list: each product as the catalog pages show it (a card),
//! without what only a product page needs (the description, each variant's options and
//! title, the product's collections, pictures after the first). The pages parse a catalog
//! page's list on every request; this is about a third of its JSON. The shapes are the
//! domain's `ProductList` and `CollectionPage` with those fields left out (they read back
//! as empty).

use serde::Serialize;
use storefront_domain::Money;
use storefront_domain::catalog::{Collection, CollectionPage, Image, ProductList, ProductOption};

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
    slug: &'a str,
    name: &'a str,
    price: &'a Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_per_kg: Option<&'a Money>,
    stock: i64,
    options: &'a [ProductOption],
    variants: Vec<VariantCard<'a>>,
    images: &'a [Image],
    archived: bool,
}

#[derive(Serialize)]
pub struct CardList<'a> {
    products: Vec<Card<'a>>,
    total: u32,
    limit: u32,
    offset: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collections: Option<&'a [Collection]>,
}

#[derive(Serialize)]
pub struct CardPage<'a> {
    collection: &'a Collection,
    products: CardList<'a>,
}

/// `list` as cards.
pub fn list(list: &ProductList) -> CardList<'_> {
    CardList {
        products: list
            .products
            .iter()
            .map(|p| Card {
                slug: &p.slug,
                name: &p.name,
                price: &p.price,
                price_per_kg: p.price_per_kg.as_ref(),
                stock: p.stock,
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
            .collect(),
        total: list.total,
        limit: list.limit,
        offset: list.offset,
        next: list.next.as_deref(),
        collections: list.collections.as_deref(),
    }
}

/// A collection's page, its products as cards.
pub fn page(page: &CollectionPage) -> CardPage<'_> {
    CardPage {
        collection: &page.collection,
        products: list(&page.products),
    }
}
