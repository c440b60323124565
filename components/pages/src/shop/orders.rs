//! The order status page: `GET /orders/{number}`, with its payment status and, while the
//! order awaits payment, the way to pay. When it sees the shopper's pending order paid,
//! the cart (kept until then) is emptied.

use super::{Answer, Shop};
use crate::views;
use storefront_domain::OrderState;
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
    settle(shop, &order.number, order.state);
    let payment = payment(shop, number).await;
    let page = views::order::page(&shop.chrome(), &order, payment.as_ref());
    Ok(shop.page(200, page))
}

/// What the shopper's session learns from seeing order `number` in `state`: once their
/// pending order is paid the cart it was placed for is done with (a cart changed since
/// is the shopper's next order and stays); once it is cancelled only the link to it goes
/// (the cart is still there to order again).
pub fn settle(shop: &mut Shop<'_>, number: &str, state: OrderState) {
    let Some(pending) = shop.pending.clone().filter(|p| p.number == number) else {
        return;
    };
    match state {
        OrderState::PendingPayment => {}
        OrderState::Paid | OrderState::Fulfilled | OrderState::Refunded => {
            shop.forget_pending();
            let same_cart = pending.cart == crate::pending::fingerprint(&shop.session.cart.lines);
            if same_cart && !shop.session.cart.is_empty() {
                shop.session.clear();
            }
        }
        OrderState::Cancelled => shop.forget_pending(),
    }
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
