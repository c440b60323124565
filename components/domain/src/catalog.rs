//! The catalog's shapes: products with options and variants, collections, images, search
//! results, and the owner's catalog commands. The writer serves and applies them; the pages
//! render them and mirror them on `/api/` and `/admin/catalog/`.
//!
//! A product is what shoppers browse; a variant is what they buy (one combination of the
//! product's option values, with its own SKU, price and stock). A product without options
//! has exactly one variant. Products and variants are archived, never deleted, so an old
//! order can always name what it sold.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Most products (or search results) one list request returns.
pub const MAX_PAGE: u32 = 100;
/// Products per catalog, collection or search page when the request does not say.
pub const DEFAULT_PAGE: u32 = 12;
/// Most options a product may have (e.g. Size, Grind, Colour).
pub const MAX_OPTIONS: usize = 3;
/// Most values one option may have.
pub const MAX_OPTION_VALUES: usize = 20;
/// Most variants a product may have.
pub const MAX_VARIANTS: usize = 100;
/// Longest product or collection name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest product or collection description, in characters.
pub const MAX_DESCRIPTION: usize = 5_000;
/// Longest option name or option value, in characters.
pub const MAX_OPTION_TEXT: usize = 40;
/// Longest SKU, in bytes (ASCII letters, digits, `-`, `_`, `.`).
pub const MAX_SKU: usize = 64;
/// Highest variant price, in minor units (a million in major units).
pub const MAX_PRICE: i64 = 100_000_000;
/// Longest image alt text, in characters.
pub const MAX_ALT: usize = 300;
/// Largest accepted image upload, in bytes (fits the host's default 1 MiB body cap).
pub const MAX_IMAGE_BYTES: usize = 1_000_000;
/// Largest accepted image width or height, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 6_000;
/// Longest search query, in characters.
pub const MAX_QUERY: usize = 100;
/// Most matches a search ranks (the first this many by product id, then by relevance):
/// past it the total is shown as "250+" and no later page is offered. The candidates'
/// rows are read to tell live products from archived ones and ranked over their rowid
/// range, so a search costs O(candidates); ten pages of results are what a shopper looks
/// through before adding a word.
pub const MAX_CANDIDATES: u32 = 250;
/// Deepest `offset` the shop's catalog pages and `/api/` accept: later pages are reached
/// with the `after` cursor (`next`), which costs one page whatever the depth.
pub const MAX_OFFSET: u32 = 1_000;

fn is_false(b: &bool) -> bool {
    !*b
}

/// Header on the writer's catalog commands naming who asked (the pages send `admin-token`
/// for the bearer token, later the signed-in owner's name); recorded in the history.
pub const ACTOR: &str = "storefront-actor";

/// One option of a product and its values, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    /// The option's name, e.g. "Size".
    pub name: String,
    /// Its values in display order, e.g. "250 g", "1 kg".
    pub values: Vec<String>,
}

/// One option value of a variant, e.g. `{"name": "Size", "value": "1 kg"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionChoice {
    /// The option's name.
    pub name: String,
    /// The variant's value of it.
    pub value: String,
}

/// A variant as served to shoppers (and owners: `archived` is only ever true on the
/// owner's reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    /// Stock keeping unit: what orders, carts and stock adjustments name.
    pub sku: String,
    /// One choice per product option, in the product's option order; empty without options.
    #[serde(default)]
    pub options: Vec<OptionChoice>,
    /// The values joined with " / ", e.g. "1 kg / Filter"; empty without options.
    #[serde(default)]
    pub title: String,
    /// The price of one unit.
    pub price: Money,
    /// Units available to order now (reserved units already subtracted).
    pub stock: i64,
    /// An inactive variant is shown as unavailable and cannot be ordered.
    pub active: bool,
    /// Archived: kept for old orders, no longer sold.
    #[serde(default)]
    pub archived: bool,
    /// Net quantity of one unit in grams (what is in the bag, not its shipping weight);
    /// 0 when the variant is not sold by weight.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub net_grams: i64,
    /// The price of one kilogram, computed by the writer from `price` and `net_grams`
    /// ([`crate::unit_price::per_kg`]); absent when not sold by weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_kg: Option<Money>,
}

/// A product image: served by the pages at `/images/{hash}` (immutable, content-addressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The image's id within its product (for the owner's update/remove commands).
    pub id: i64,
    /// Hex SHA-256 of the bytes.
    pub hash: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Text alternative for screen readers.
    pub alt: String,
}

/// A product with everything a product page needs. Lists carry the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// URL name, unique (`/products/{slug}`).
    pub slug: String,
    /// Shopper-facing name.
    pub name: String,
    /// Absent from catalog cards (`fields=card`), like `collections` and each variant's
    /// `options` and `title`; read back as empty.
    #[serde(default)]
    pub description: String,
    /// The lowest price among active variants ("from …"), or the default variant's.
    pub price: Money,
    /// The price of one kilogram of the variant whose price `price` is, when it is sold
    /// by weight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_kg: Option<Money>,
    /// Units available over all active variants.
    pub stock: i64,
    /// The product's options (at most [`MAX_OPTIONS`]), in display order.
    pub options: Vec<ProductOption>,
    /// Active and inactive variants in display order (archived ones only on owner reads).
    /// The first active one is the product's default variant.
    pub variants: Vec<Variant>,
    /// In display order; the first is the product's main picture.
    pub images: Vec<Image>,
    /// Slugs of the collections the product is in.
    #[serde(default)]
    pub collections: Vec<String>,
    /// Archived: left out of shopper reads; shown only to the owner.
    #[serde(default)]
    pub archived: bool,
}

impl Product {
    /// The product's default variant: its first active one (what a catalog card's
    /// add-to-cart form adds to the cart).
    pub fn default_variant(&self) -> Option<&Variant> {
        self.variants.iter().find(|v| v.active)
    }

    /// The SKU a catalog card's add-to-cart form adds: the default variant's, for a product
    /// without options (one with options is chosen on its own page).
    pub fn card_sku(&self) -> Option<&str> {
        self.default_variant()
            .filter(|_| self.options.is_empty())
            .map(|v| v.sku.as_str())
    }

    /// Whether its active variants cost different amounts (a catalog card then says
    /// "from" before [`Product::price`]).
    pub fn prices_differ(&self) -> bool {
        let mut prices = self.variants.iter().filter(|v| v.active).map(|v| &v.price);
        let first = prices.next();
        prices.any(|price| Some(price) != first)
    }
}

/// One page of products: `GET /catalog/products?collection=&limit=&offset=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    /// The products of this page, in catalog order.
    pub products: Vec<Product>,
    /// Products matching the request over all pages.
    pub total: u32,
    /// Most products per page, as applied.
    pub limit: u32,
    /// Products skipped before this page.
    pub offset: u32,
    /// The cursor of the next page (`after=`), when there is one: following it from the
    /// first page lists every product exactly once, at the cost of one page each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// Search only: more products match than were ranked ([`MAX_CANDIDATES`]); `total`
    /// counts the ranked ones ("250+ results").
    #[serde(default, skip_serializing_if = "is_false")]
    pub more: bool,
    /// Every collection (as in `CollectionList`) when the request asked for them with
    /// `with_collections=1`: the catalog pages show them as navigation without a second
    /// writer call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<Collection>>,
}

/// A collection, e.g. "Coffee" or "Brewing gear".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    /// URL name, unique (`/collections/{slug}`).
    pub slug: String,
    /// Shopper-facing name.
    pub name: String,
    /// Shown above its products.
    pub description: String,
    /// Shopper-visible (not archived) products in it.
    pub product_count: u32,
}

/// `GET /catalog/collections`: every collection, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionList {
    /// The collections, in display order.
    pub collections: Vec<Collection>,
}

/// `GET /catalog/collections/{slug}?limit=&offset=`: the collection and one page of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionPage {
    /// The collection itself.
    pub collection: Collection,
    /// One page of its products, in collection order.
    pub products: ProductList,
}

/// `GET /catalog/search?q=&limit=&offset=`: ranked results (name holds every word, some, none; then the shop's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    /// The query as asked (trimmed).
    pub query: String,
    /// The query the results are for: equal to `query`, or shortened when the query as
    /// asked found nothing (each word cut back to a shorter prefix, never under 3
    /// characters), so "kenia" still finds Kenya through "ken".
    pub matched: String,
    /// The matching products, best first.
    pub products: ProductList,
}

// ----- Owner commands (`POST /admin/catalog/...`, each with an `Idempotency-Key`) -----

/// A variant in a create-product or add-variant command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVariant {
    /// Its SKU, unique among all variants (case-insensitive).
    pub sku: String,
    /// One choice per product option; empty for a product without options.
    #[serde(default)]
    pub options: Vec<OptionChoice>,
    /// The price of one unit, in the shop's currency.
    pub price: Money,
    /// Units on the shelf to start with.
    #[serde(default)]
    pub stock: i64,
    /// Whether shoppers may buy it.
    #[serde(default = "yes")]
    pub active: bool,
    /// Shipping weight of one unit, for shipping priced by weight; 0 when not given.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight_grams: i64,
    /// Net quantity of one unit in grams, for the unit price (per kg); 0 when not sold by
    /// weight.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub net_grams: i64,
}

fn yes() -> bool {
    true
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Heaviest unit a variant may weigh, in grams (1 t).
pub const MAX_WEIGHT_GRAMS: i64 = 1_000_000;

/// `POST /admin/catalog/products`: create a product with its options and variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    /// URL name, unique.
    pub slug: String,
    /// Shopper-facing name.
    pub name: String,
    /// Shown on the product page.
    #[serde(default)]
    pub description: String,
    /// The options and their values; empty for a product without options.
    #[serde(default)]
    pub options: Vec<ProductOption>,
    /// At least one; exactly one (with no options) for a product without options.
    pub variants: Vec<NewVariant>,
    /// Slugs of existing collections to put it in (at the end of each).
    #[serde(default)]
    pub collections: Vec<String>,
    /// Display order in the catalog; absent: after the last product.
    #[serde(default)]
    pub position: Option<i64>,
}

/// `POST /admin/catalog/products/{slug}` and `POST /admin/catalog/collections/{slug}`:
/// change what is given, keep the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingChange {
    /// A new name.
    #[serde(default)]
    pub name: Option<String>,
    /// A new description.
    #[serde(default)]
    pub description: Option<String>,
    /// A new display position (lower comes first).
    #[serde(default)]
    pub position: Option<i64>,
}

/// A product's new name, description or position.
pub type ProductChange = ListingChange;
/// A collection's new name, description or position.
pub type CollectionChange = ListingChange;

/// `POST /admin/catalog/products/{slug}/options`: renames the product's option `option`
/// (when `value` is absent) or its value `value` to `to`, say to fix a typo. The variants
/// keep their SKUs and their option values (by id); their titles follow. Orders keep the
/// title as sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionRename {
    /// The option's current name.
    pub option: String,
    /// One of the option's values, when renaming that value instead of the option.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The new name.
    pub to: String,
}

/// `POST /admin/catalog/variants/{sku}`: change what is given. Stock moves only through
/// stock adjustments (`POST /admin/catalog/variants/{sku}/stock`), so every unit has a reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantChange {
    /// A new price, in the shop's currency.
    #[serde(default)]
    pub price: Option<Money>,
    /// Whether shoppers may buy it.
    #[serde(default)]
    pub active: Option<bool>,
    /// A new display position among the product's variants.
    #[serde(default)]
    pub position: Option<i64>,
    /// A new shipping weight of one unit, in grams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_grams: Option<i64>,
    /// A new net quantity of one unit, in grams (0: not sold by weight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net_grams: Option<i64>,
}

/// `POST /admin/catalog/collections`: create a collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCollection {
    /// URL name, unique.
    pub slug: String,
    /// Shopper-facing name.
    pub name: String,
    /// Shown above its products.
    #[serde(default)]
    pub description: String,
    /// Display position among the collections; absent: after the last.
    #[serde(default)]
    pub position: Option<i64>,
}

/// `POST /admin/catalog/collections/{slug}/products`: put a product in the collection (or
/// move it there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The product's slug.
    pub product: String,
    /// Its position in the collection; absent: at the end.
    #[serde(default)]
    pub position: Option<i64>,
}

/// `POST /admin/catalog/products/{slug}/images/{id}`: change what is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageChange {
    /// A new alt text.
    #[serde(default)]
    pub alt: Option<String>,
    /// A new position (0 is the main picture).
    #[serde(default)]
    pub position: Option<i64>,
}

/// One row of the append-only catalog history: `GET /admin/catalog/history?limit=&before=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The entry's id (pass as `before` for older entries).
    pub id: i64,
    /// e.g. `create_product`, `update_variant`, `archive_product`, `add_image`.
    pub command: String,
    /// Product slug, SKU or collection slug the command was about.
    pub target: String,
    /// Who asked (the `storefront-actor` header).
    pub actor: String,
    /// What changed: `{"field": {"from": …, "to": …}}` for updates, the created object for
    /// creations.
    pub changes: serde_json::Value,
    /// RFC 3339 UTC timestamp.
    pub at: String,
}

/// One page of the catalog history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The entries.
    pub entries: Vec<HistoryEntry>,
}

/// A SKU: 1..=[`MAX_SKU`] ASCII letters, digits, `-`, `_` or `.`.
pub fn valid_sku(sku: &str) -> bool {
    !sku.is_empty()
        && sku.len() <= MAX_SKU
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The variant title for these choices: values joined with " / ".
pub fn variant_title(options: &[OptionChoice]) -> String {
    options
        .iter()
        .map(|o| o.value.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_short_plain_ascii() {
        assert!(valid_sku("ETH-YIRG-250.wb_2"));
        assert!(!valid_sku(""));
        assert!(!valid_sku("a b"));
        assert!(!valid_sku("<script>"));
        assert!(!valid_sku(&"x".repeat(MAX_SKU + 1)));
    }

    #[test]
    fn a_title_joins_the_values() {
        let options = vec![
            OptionChoice {
                name: "Size".into(),
                value: "1 kg".into(),
            },
            OptionChoice {
                name: "Grind".into(),
                value: "Filter".into(),
            },
        ];
        assert_eq!(variant_title(&options), "1 kg / Filter");
        assert_eq!(variant_title(&[]), "");
    }
}
