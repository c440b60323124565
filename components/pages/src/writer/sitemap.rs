//! The writer's sitemap reads: how far the product and collection ids reach, and the
//! addresses of one id range (see `storefront_domain::sitemap`).

use super::{WriterClient, WriterError};
use storefront_domain::sitemap::{SitemapExtent, SitemapKind, SitemapUrls};

impl WriterClient {
    pub async fn sitemap_extent(&self) -> Result<SitemapExtent, WriterError> {
        self.get("/catalog/sitemap").await
    }

    /// The addresses of `kind` with ids in `(after, through]`.
    pub async fn sitemap_urls(
        &self,
        kind: SitemapKind,
        after: i64,
        through: i64,
    ) -> Result<SitemapUrls, WriterError> {
        self.get(&format!(
            "/catalog/sitemap/{}?after={after}&through={through}",
            kind.as_str()
        ))
        .await
    }
}
