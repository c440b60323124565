//! Where things stand in the catalog's orders, for the back office: the sort keys
//! (`position`) the owner's commands set, which the shopper reads leave out. Lower comes
//! first; ties go by age. `GET /admin/catalog/positions?product=&collection=`.

use serde::{Deserialize, Serialize};

/// One thing's sort key: a collection or product by slug, an image by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// A slug, or an image's id as text.
    pub key: String,
    /// Its sort key: lower comes first.
    pub position: i64,
}

/// The sort keys the back office shows for one product or collection form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Positions {
    /// Every collection, in display order.
    pub collections: Vec<Position>,
    /// With `product=`: the product's place in the catalog.
    #[serde(default)]
    pub product: Option<i64>,
    /// With `product=`: its images that are not removed, in display order.
    #[serde(default)]
    pub images: Vec<Position>,
    /// With `collection=`: its products' places in it, archived ones included.
    #[serde(default)]
    pub members: Vec<Position>,
}

impl Positions {
    /// The sort key of `key` in `list`.
    pub fn of(list: &[Position], key: &str) -> Option<i64> {
        list.iter().find(|p| p.key == key).map(|p| p.position)
    }
}
