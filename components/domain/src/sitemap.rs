//! What the writer tells the pages for `/sitemap.xml`: how far the product and collection
//! ids reach, and one id range's addresses with their last change. Sitemap pages are cut
//! by id range (keyset on the primary key), so each page is O(page) and the index is O(1)
//! however large the catalog.

use serde::{Deserialize, Serialize};

/// The most addresses one sitemap file may list (the sitemaps.org limit): past it,
/// `/sitemap.xml` is an index of pages of at most this many.
pub const SITEMAP_PAGE: i64 = 50_000;

/// `GET /catalog/sitemap`: the highest product and collection ids (0 for none), which
/// bound the id ranges of the sitemap pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitemapExtent {
    /// The highest id a product has, archived ones included (ids are never reused).
    pub max_product_id: i64,
    /// The highest id a collection has.
    pub max_collection_id: i64,
}

/// What a sitemap lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    /// `/products/{slug}` of products on sale (not archived).
    Products,
    /// `/collections/{slug}`.
    Collections,
}

impl SitemapKind {
    /// The word in paths and queries (`products`, `collections`).
    pub fn as_str(self) -> &'static str {
        match self {
            SitemapKind::Products => "products",
            SitemapKind::Collections => "collections",
        }
    }

    /// The kind `word` names.
    pub fn parse(word: &str) -> Option<SitemapKind> {
        match word {
            "products" => Some(SitemapKind::Products),
            "collections" => Some(SitemapKind::Collections),
            _ => None,
        }
    }
}

/// `GET /catalog/sitemap/{kind}?after=&through=`: the slugs with ids in `(after, through]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitemapUrls {
    /// In id order.
    pub urls: Vec<SitemapUrl>,
}

/// One address of a sitemap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitemapUrl {
    /// The product's or collection's slug.
    pub slug: String,
    /// When it last changed (RFC 3339 UTC): for a product, the latest of its own change
    /// and its variants' (a price or stock change is a change of the page).
    pub lastmod: String,
}
