//! The writer's shop settings: name, tagline, contact, legal texts, currency.

use super::{WriterClient, WriterError};
use storefront_domain::checkout::ShopSettings;

impl WriterClient {
    /// The owner's shop settings: name, tagline, contact, legal texts.
    pub async fn settings(&self) -> Result<ShopSettings, WriterError> {
        self.get("/settings").await
    }
}
