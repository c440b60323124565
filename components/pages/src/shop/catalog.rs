//! Catalog and product pages: `GET /` and `GET /products/{slug}`.

use super::{Answer, Shop};
use crate::views;
use storefront_domain::order::valid_slug;

pub async fn index(shop: &mut Shop<'_>) -> Answer {
    let list = shop
        .writer
        .products()
        .await
        .map_err(|e| shop.writer_failed(e))?;
    let page = views::catalog::page(&shop.chrome(), &list.products, &shop.csrf());
    Ok(shop.page(200, page))
}

pub async fn product(shop: &mut Shop<'_>, slug: &str) -> Answer {
    // A slug that cannot exist is not worth a writer round trip.
    let found = if valid_slug(slug) {
        shop.writer
            .product(slug)
            .await
            .map_err(|e| shop.writer_failed(e))?
    } else {
        None
    };
    let Some(product) = found else {
        return Err(shop.not_found("Product not found"));
    };
    let page = views::product::page(&shop.chrome(), &product, &shop.csrf());
    Ok(shop.page(200, page))
}
