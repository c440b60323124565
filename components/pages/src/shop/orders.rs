//! The order status page: `GET /orders/{number}`, with its payment status and, while the
//! order awaits payment, the way to pay.

use super::{Answer, Shop};
use crate::views;
use storefront_domain::payments::PaymentRecord;

pub async fn show(shop: &mut Shop<'_>, number: &str) -> Answer {
    let found = shop
        .writer
        .order(number)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    let Some(order) = found else {
        return Err(shop.not_found("Order not found"));
    };
    let payment = payment(shop, number).await;
    // Name and address: keep it out of the disk cache (the checkout reasoning for
    // `no-cache` does not apply to a page without a form).
    let page = views::order::page(&shop.chrome(), &order, payment.as_ref());
    Ok(shop
        .page(200, page)
        .replace_header("cache-control", "no-store"))
}

/// The recorded payment, if any. Best effort: the order's state is the authority on
/// this page, so a failed lookup shows the order without payment details rather than
/// an error page.
async fn payment(shop: &Shop<'_>, number: &str) -> Option<PaymentRecord> {
    match shop.writer.payment(number).await {
        Ok(view) => view.and_then(|v| v.payment),
        Err(e) => {
            eprintln!("order {number}: payment status unavailable: {e:?}");
            None
        }
    }
}
