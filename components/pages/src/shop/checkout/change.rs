//! Changing the shopper's unpaid order at checkout. While the order this browser placed
//! for its cart awaits payment (the `order` cookie, [`crate::shop::pending`]), the
//! checkout is that order's: the form opens filled with its details, and submitting it
//! asks the writer to change the order (address, shipping method, discount code; the
//! lines stay), which prices it again and keeps its number, instead of placing a second
//! order. A paid order empties the cart; a cancelled one is forgotten.

use crate::http::forms::Checkout;
use crate::shop::checkout::kept::Refusal;
use crate::shop::notice::Notice;
use crate::shop::{Answer, Shop};
use crate::writer::WriterError;
use storefront_domain::{OrderRequest, OrderState, OrderView};

/// What the browser's remembered order means for this checkout.
pub enum Pending {
    /// No order to change: the checkout places a new one.
    None,
    /// The cart's order awaits payment: the checkout changes it.
    Unpaid(Box<OrderView>),
    /// The cart's order is paid: its page is the answer.
    Paid(String),
}

/// The order this checkout changes, if the browser's remembered order was placed for
/// this cart (or the cart is empty) and awaits payment.
pub async fn pending(shop: &mut Shop<'_>) -> Result<Pending, crate::http::Resp> {
    let Some(pending) = shop.pending.clone() else {
        return Ok(Pending::None);
    };
    let same_cart = pending.cart == crate::shop::pending::fingerprint(&shop.session.cart.lines);
    if !same_cart && !shop.session.cart.is_empty() {
        return Ok(Pending::None);
    }
    let order = shop
        .writer
        .order(&pending.number)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    match order {
        Some(order) if order.state == OrderState::PendingPayment => {
            Ok(Pending::Unpaid(Box::new(order)))
        }
        Some(order) if matches!(order.state, OrderState::Paid | OrderState::Fulfilled) => {
            crate::shop::orders::handler::settle(shop, &pending.number, OrderState::Paid);
            Ok(Pending::Paid(pending.number))
        }
        _ => {
            shop.forget_pending();
            Ok(Pending::None)
        }
    }
}

/// The checkout form filled with the order's details.
pub fn values_of(order: &OrderView) -> Checkout {
    Checkout {
        email: order.email.clone(),
        name: order.name.clone(),
        address: order.address.clone(),
        shipping_method: order
            .shipping
            .as_ref()
            .map(|s| s.code.clone())
            .unwrap_or_default(),
        discount_code: order
            .discount
            .as_ref()
            .map(|d| d.code.clone())
            .unwrap_or_default(),
        note: order.note.clone(),
        ..Checkout::default()
    }
}

/// What changing the order did: the payment step for the changed order, or the refusal
/// to show at the form.
pub enum Changed {
    Done(Answer),
    Refused(Refusal),
}

/// Asks the writer to change order `number` to `request` (validated by the caller).
pub async fn submit(
    shop: &mut Shop<'_>,
    number: &str,
    request: &OrderRequest,
    key: &str,
) -> Changed {
    match shop.writer.change_order(number, request, key).await {
        Ok(_) => {
            // What was typed is the order's now; its form key is spent.
            crate::shop::checkout::kept::forget(shop);
            shop.notice(Notice::OrderChanged);
            Changed::Done(Ok(shop.redirect(&format!("/orders/{number}/pay"))))
        }
        Err(WriterError::Rejected {
            status: status @ (400 | 409 | 422),
            body,
        }) => {
            let message = match body.error.code.as_str() {
                "idempotency_key_reused" => Some(crate::tr!(shop.lang(), "checkout-form-used")),
                // The writer's words for a paid, cancelled or paying order are the shopper's.
                _ if status == 409 || body.error.fields.is_empty() => {
                    Some(body.error.message.clone())
                }
                _ => None,
            };
            let without_code = body.error.fields.iter().any(|f| f.field == "discount_code");
            Changed::Refused(Refusal {
                status: if status == 409 { 409 } else { 422 },
                errors: body.error.fields,
                message,
                retry_after: None,
                without_code,
            })
        }
        Err(e) => Changed::Done(Err(shop.writer_failed(e))),
    }
}
