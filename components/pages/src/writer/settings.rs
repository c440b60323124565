//! The writer's shop settings: name, tagline, contact, legal texts, currency.

use super::{WriterClient, WriterError};
use storefront_domain::checkout::ShopSettings;

impl WriterClient {
    /// The owner's shop settings: name, tagline, contact, legal texts. Kept between
    /// requests ([`super::kept`]).
    pub async fn settings(&self) -> Result<ShopSettings, WriterError> {
        Ok(ShopSettings::clone(&*self.get_kept("/settings").await?))
    }
}
