//! The writer's catalog: the shop's pages of products and collections, search, pictures,
//! one product, the variant that chosen option values name, the owner's view with
//! archived products, and stock adjustments.

use super::client::Reply as _;
use super::{Answer, WithSettings, WriterClient, WriterError, found};
use serde::de::DeserializeOwned;
use spin_sdk::http::Method;
use std::rc::Rc;
use storefront_domain::catalog::{CollectionList, CollectionPage, SearchResults, Variant};
use storefront_domain::catalog_positions::Positions;
use storefront_domain::stock::{StockAdjustment, StockAdjustmentRequest};
use storefront_domain::{Product, ProductList};

/// What a product page shows.
pub enum Shown {
    Found(Rc<Product>),
    /// Archived by the owner: gone for good.
    Gone,
    Missing,
}

impl WriterClient {
    /// One page of the catalog as cards (`query` is `limit=&offset=&fields=tile…`, built
    /// by the caller from checked values), with the shop settings read in the same writer
    /// call (`with_settings=1`): a catalog page needs both, and each writer call is a
    /// component instance of its own. Kept between requests ([`super::kept`]).
    pub async fn products_with_settings<T: DeserializeOwned + 'static>(
        &self,
        query: &str,
    ) -> Result<Rc<WithSettings<T>>, WriterError> {
        self.get_kept(&format!("/catalog/products?{query}&with_settings=1"))
            .await
    }

    /// `None` if there is no such collection; `slug` checked by the caller. With the shop
    /// settings, as [`Self::products_with_settings`].
    pub async fn collection_with_settings<T: DeserializeOwned + 'static>(
        &self,
        slug: &str,
        query: &str,
    ) -> Result<Option<Rc<WithSettings<T>>>, WriterError> {
        found(
            self.get_kept(&format!(
                "/catalog/collections/{slug}?{query}&with_settings=1"
            ))
            .await,
        )
    }

    /// `query` is `q=&limit=&offset=`, encoded by the caller.
    pub async fn search(&self, query: &str) -> Result<SearchResults, WriterError> {
        self.get(&format!("/catalog/search?{query}")).await
    }

    /// An image's content type and bytes; `None` if the writer has no such image.
    /// `hash` checked by the caller.
    pub async fn image(&self, hash: &str) -> Result<Option<(String, Vec<u8>)>, WriterError> {
        let path = format!("/catalog/images/{hash}");
        let arrived = self.send(Method::Get, &path, None, &[]).await?;
        match arrived.status {
            200 => {
                let content_type = arrived.header_text("content-type").unwrap_or_default();
                Ok(Some((
                    content_type,
                    arrived.body(&Method::Get, &path).await?,
                )))
            }
            404 => Ok(None),
            status => {
                eprintln!("writer GET /catalog/images/{hash}: answered {status}");
                Err(WriterError::Broken)
            }
        }
    }

    /// `None` if the writer does not know the slug. Callers check the slug's syntax
    /// first, so it is safe to put in the path as is.
    pub async fn product(&self, slug: &str) -> Result<Option<Product>, WriterError> {
        found(self.get(&format!("/catalog/products/{slug}")).await)
    }

    /// Product `slug` for its shop page: [`Shown::Gone`] when the owner archived it (the
    /// page answers 410), [`Shown::Missing`] when there never was one. `slug` checked by
    /// the caller.
    /// `lang` is empty or `&lang=de` ([`crate::shop::Shop::lang_query`]).
    pub async fn product_page(&self, slug: &str, lang: &str) -> Result<Shown, WriterError> {
        match self
            .get_kept(&format!("/catalog/products/{slug}?{lang}"))
            .await
        {
            Ok(product) => Ok(Shown::Found(product)),
            Err(WriterError::Rejected { status: 404, body }) if body.error.code == "archived" => {
                Ok(Shown::Gone)
            }
            Err(WriterError::Rejected { status: 404, .. }) => Ok(Shown::Missing),
            Err(e) => Err(e),
        }
    }

    /// The variant of product `slug` that these (option name, value) pairs name: a 404
    /// without such a product, a 422 naming the field (`options.Size`, `options`) when
    /// the values name no variant that can be sold. `slug` checked by the caller.
    pub async fn variant_for(
        &self,
        slug: &str,
        options: &[(String, String)],
    ) -> Result<Variant, WriterError> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in options {
            query.append_pair(name, value);
        }
        self.get(&format!(
            "/catalog/products/{slug}/variant?{}",
            query.finish()
        ))
        .await
    }

    /// Adds `delta` to a product's stock (negative takes away). `slug` must be checked
    /// by the caller; the key makes a retried adjustment a replay.
    pub async fn adjust_stock(
        &self,
        slug: &str,
        adjustment: &StockAdjustmentRequest,
        idempotency_key: &str,
    ) -> Result<Answer<StockAdjustment>, WriterError> {
        let path = format!("/admin/products/{slug}/stock");
        self.post(&path, adjustment, Some(idempotency_key)).await
    }

    /// One page of products whose name, slug or a SKU contains `q` (all when empty),
    /// archived ones included. `query` is `q=&limit=&offset=`, encoded by the caller.
    pub async fn owner_products(&self, query: &str) -> Result<ProductList, WriterError> {
        let path = format!("/admin/catalog/product-list?{query}");
        Ok(self.call(Method::Get, &path, None, &[]).await?.value)
    }

    /// The owner's name and description of product `slug` in `lang` (empty when none).
    pub async fn product_text(
        &self,
        slug: &str,
        lang: crate::i18n::Lang,
    ) -> Result<storefront_domain::product_text::ProductText, WriterError> {
        let path = format!("/admin/catalog/products/{slug}/texts/{}", lang.code());
        Ok(self.call(Method::Get, &path, None, &[]).await?.value)
    }

    /// The product with its archived variants; `None` if there is none. `slug` checked
    /// by the caller.
    pub async fn owner_product(&self, slug: &str) -> Result<Option<Product>, WriterError> {
        let path = format!("/catalog/products/{slug}?include_archived=1");
        found(
            self.call(Method::Get, &path, None, &[])
                .await
                .map(|a| a.value),
        )
    }

    /// One page of a collection's live products; `None` if there is no such collection.
    /// `slug` checked and `query` (`limit=&offset=`) built by the caller.
    pub async fn collection(
        &self,
        slug: &str,
        query: &str,
    ) -> Result<Option<CollectionPage>, WriterError> {
        let path = format!("/catalog/collections/{slug}?{query}");
        found(
            self.call(Method::Get, &path, None, &[])
                .await
                .map(|a| a.value),
        )
    }

    /// Every collection, in display order. Kept between requests ([`super::kept`]).
    pub async fn collection_list(&self) -> Result<Rc<CollectionList>, WriterError> {
        self.get_kept("/catalog/collections").await
    }

    /// The sort keys of the collections, and of `product`'s place and images or
    /// `collection`'s members when given (slugs checked by the caller).
    pub async fn positions(
        &self,
        product: Option<&str>,
        collection: Option<&str>,
    ) -> Result<Positions, WriterError> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(product) = product {
            query.append_pair("product", product);
        }
        if let Some(collection) = collection {
            query.append_pair("collection", collection);
        }
        let path = format!("/admin/catalog/positions?{}", query.finish());
        Ok(self.call(Method::Get, &path, None, &[]).await?.value)
    }
}
