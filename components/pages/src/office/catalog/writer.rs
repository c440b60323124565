//! The owner's catalog reads: every product, archived ones included.

use crate::writer_client::{WriterClient, WriterError, found};
use spin_sdk::http::Method;
use storefront_domain::catalog::{CollectionList, CollectionPage};
use storefront_domain::catalog_positions::Positions;
use storefront_domain::{Product, ProductList};

impl WriterClient {
    /// One page of products whose name, slug or a SKU contains `q` (all when empty),
    /// archived ones included. `query` is `q=&limit=&offset=`, encoded by the caller.
    pub async fn owner_products(&self, query: &str) -> Result<ProductList, WriterError> {
        let path = format!("/admin/catalog/product-list?{query}");
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

    /// Every collection, in display order.
    pub async fn collection_list(&self) -> Result<CollectionList, WriterError> {
        Ok(self
            .call(Method::Get, "/catalog/collections", None, &[])
            .await?
            .value)
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
