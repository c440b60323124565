//! A product's name and description in one of the shop's languages, given by the owner
//! (`POST /admin/catalog/products/{slug}/texts/{lang}`). A language without one shows the
//! product's own texts (the shop's default language).

use serde::{Deserialize, Serialize};

/// The owner's text of a product in one language; an empty name removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductText {
    /// The product's name in that language (at most [`crate::catalog::MAX_NAME`]
    /// characters); empty: no text in that language.
    pub name: String,
    /// The description in that language (at most [`crate::catalog::MAX_DESCRIPTION`]).
    #[serde(default)]
    pub description: String,
}
