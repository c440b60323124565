//! The order status page: `GET /orders/{number}`.

use super::{Answer, Shop};
use crate::views;
use crate::writer_client::valid_order_number;

pub async fn show(shop: &mut Shop<'_>, number: &str) -> Answer {
    let found = if valid_order_number(number) {
        shop.writer
            .order(number)
            .await
            .map_err(|e| shop.writer_failed(e))?
    } else {
        None
    };
    let Some(order) = found else {
        return Err(shop.not_found("Order not found"));
    };
    // Name and address: keep it out of the disk cache (the checkout reasoning for
    // `no-cache` does not apply to a page without a form).
    let page = shop.page(200, views::order::page(&shop.chrome(), &order));
    Ok(page.replace_header("cache-control", "no-store"))
}
