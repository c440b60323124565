//! The owner's catalog reads: every product, archived ones included.

use crate::writer_client::{WriterClient, WriterError, found};
use spin_sdk::http::Method;
use storefront_domain::catalog::CollectionList;
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

    /// Every collection, in display order.
    pub async fn collection_list(&self) -> Result<CollectionList, WriterError> {
        Ok(self
            .call(Method::Get, "/catalog/collections", None, &[])
            .await?
            .value)
    }
}
