//! `GET /terms`, `/privacy`, `/returns`, `/imprint`: the shop settings' legal texts.

use super::{Answer, Shop};
use crate::views::{self, legal::Kind};

pub fn show(shop: &mut Shop<'_>, kind: Kind) -> Answer {
    Ok(shop.page(200, views::legal::page(&shop.chrome(), kind)))
}
