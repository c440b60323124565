//! The order status page: `GET /orders/{number}`, with its payment status and, while the
//! order awaits payment, the way to pay; only for whoever holds the order's access token
//! ([`authorized`], which the payment pages use too), or to the signed-in customer whose
//! verified email the order was placed with. When it sees the shopper's pending order paid,
//! the cart (kept until then) is emptied.

use crate::http::Resp;
use crate::security::order_access;
use crate::shop::{Answer, Shop};
use storefront_domain::customer::normalize_email;
use storefront_domain::payments::PaymentRecord;
use storefront_domain::{OrderState, OrderView};

pub async fn show(shop: &mut Shop<'_>, number: &str) -> Answer {
    let order = authorized(shop, number).await?;
    settle(shop, &order.number, order.state);
    let payment = payment(shop, number).await;
    let returns = crate::shop::orders::returns::section(shop, &order).await?;
    let page = crate::shop::orders::view::page(&shop.chrome(), &order, payment.as_ref(), returns);
    Ok(shop.page(200, page))
}

/// Order `number` for a shopper who holds its access token ([`order_access`]), or the
/// answer instead: `404` without it (as for an order that does not exist), and for an
/// email's link a redirect to the same page without the token in its URL, which the
/// browser now keeps in the order's cookie.
pub async fn authorized(shop: &mut Shop<'_>, number: &str) -> Result<OrderView, Resp> {
    let presented = order_access::presented(shop.req);
    let found = order_access::open(shop.writer, number, presented.as_deref())
        .await
        .map_err(|e| shop.writer_failed(e))?;
    let found = match found {
        Some(order) => Some(order),
        None => customers_order(shop, number).await?,
    };
    let Some(order) = found else {
        return Err(shop.not_found("error-order-not-found"));
    };
    if order_access::in_url(shop.req) {
        shop.remember_access(&order);
        return Err(shop.redirect(&order_access::without_key(shop.req)));
    }
    Ok(order)
}

/// Order `number` for a signed-in customer whose verified email it was placed with
/// (the account opens its orders without their access tokens); `None` otherwise.
async fn customers_order(shop: &mut Shop<'_>, number: &str) -> Result<Option<OrderView>, Resp> {
    let Some((_, account)) = crate::shop::account::signed_in(shop).await? else {
        return Ok(None);
    };
    let order = shop
        .writer
        .order(number)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    Ok(order.filter(|o| normalize_email(&o.email) == account.email))
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
            let same_cart =
                pending.cart == crate::shop::pending::fingerprint(&shop.session.cart.lines);
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
