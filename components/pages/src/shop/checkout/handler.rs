//! Checkout: `GET /checkout` shows the form, `POST /checkout` places the order (or, for
//! "Update shipping" and "Apply", prices the typed country, method and code and shows
//! the form again; "Edit cart" keeps what was typed and goes to the cart).
//!
//! The form carries an idempotency key made when it was rendered, so a double submit
//! (or a retry after a timeout) is answered with the first order instead of a second.
//! Placing the order keeps the cart until the order is paid and remembers the order
//! (`pending`): submitting the checkout again for the same cart, with a key made by a
//! re-fetched page, offers that order instead of placing another.
//!
//! What was typed is kept across a trip to the cart (a stock fix) in a signed cookie
//! that lives [`TYPED_TTL_SECONDS`].

use crate::http::Resp;
use crate::http::forms::{self, Checkout, CheckoutAction};
use crate::security::sealed;
use crate::security::signing::random_hex;
use crate::shop::cart::handler::{Priced, price_for};
use crate::shop::notice::Notice;
use crate::shop::{Answer, Shop};
use crate::writer::WriterError;
use storefront_domain::{FieldError, OrderState, Quote, order_number};

/// The cookie holding what was typed at checkout.
pub const TYPED_COOKIE: &str = "checkout";
const TYPED_PURPOSE: &str = "checkout-typed";
/// How long typed checkout details are kept for a trip to the cart.
pub const TYPED_TTL_SECONDS: u64 = 30 * 60;

/// Keeps what was typed at checkout (not the terms box or the key) for
/// [`TYPED_TTL_SECONDS`], if anything was typed and it fits a cookie.
pub fn keep_typed(shop: &mut Shop<'_>, values: &Checkout) {
    if !values.is_typed() {
        return;
    }
    let exp = shop.now + TYPED_TTL_SECONDS;
    if let Some(sealed) = sealed::seal(shop.key, TYPED_PURPOSE, values, exp) {
        shop.set_cookie(TYPED_COOKIE, Some(&sealed), TYPED_TTL_SECONDS);
    }
}

/// What the shopper typed before, if kept and still fresh.
fn typed(shop: &Shop<'_>) -> Option<Checkout> {
    let value = shop.req.cookie(TYPED_COOKIE)?;
    sealed::open(shop.key, TYPED_PURPOSE, value, shop.now)
}

pub async fn show(shop: &mut Shop<'_>) -> Answer {
    let values = typed(shop).unwrap_or_default();
    let quote = priced_or_back_to_cart(shop, &values).await?;
    Ok(render(
        shop,
        200,
        &quote,
        &values,
        &[],
        None,
        &random_hex(16),
    ))
}

pub async fn submit(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let values = Checkout::parse(&form);
    if values.action == CheckoutAction::EditCart {
        keep_typed(shop, &values);
        return Err(shop.redirect("/cart"));
    }
    if let Some(answer) = offer_pending(shop).await? {
        return Ok(answer);
    }
    if shop.session.cart.is_empty() {
        shop.notice(Notice::CartEmpty);
        return Err(shop.redirect("/cart"));
    }
    let key = values.idempotency_key.clone();
    if !forms::valid_idempotency_key(&key) {
        return Err(shop.error(
            400,
            "This form is incomplete",
            "Please go back, reload the checkout page and try again.",
        ));
    }
    if values.action != CheckoutAction::Place {
        // Priced for what was typed; nothing was sent, so the key stays valid.
        keep_typed(shop, &values);
        let quote = priced_or_back_to_cart(shop, &values).await?;
        return Ok(render(shop, 200, &quote, &values, &[], None, &key));
    }
    let request = values.order_request(shop.session.cart.line_requests());

    let mut errors = request.validate().err().unwrap_or_default();
    if !values.terms {
        errors.push(FieldError::new(
            "terms",
            "must be accepted to place the order",
        ));
    }
    if !errors.is_empty() {
        // Nothing was sent, so the same key stays valid for the corrected form.
        keep_typed(shop, &values);
        let quote = priced_or_back_to_cart(shop, &values).await?;
        return Ok(render(shop, 422, &quote, &values, &errors, None, &key));
    }

    match shop
        .writer
        .place_order(&request, &key, &shop.req.client)
        .await
    {
        Ok(placed) if order_number::normalize(&placed.value.number).is_some() => {
            // The cart stays until the order is paid; the order is remembered so that
            // leaving the payment step never loses it.
            shop.remember_access(&placed.value);
            let number = placed.value.number;
            shop.remember_pending(&number);
            shop.set_cookie(TYPED_COOKIE, None, 0);
            Ok(shop.redirect(&format!("/orders/{number}/pay")))
        }
        Ok(placed) => {
            eprintln!(
                "writer returned an unusable order number {:?}",
                placed.value.number
            );
            Err(shop.writer_failed(WriterError::Broken))
        }
        Err(WriterError::Rejected {
            status: status @ (400 | 409 | 422 | 429),
            body,
        }) => {
            let message = match body.error.code.as_str() {
                "idempotency_key_reused" => Some(
                    "Your cart changed since this form was opened. Please check the order and submit again."
                        .to_string(),
                ),
                // Field errors speak for themselves, at their fields and in the summary.
                _ if !body.error.fields.is_empty() => None,
                _ => Some(body.error.message.clone()),
            };
            keep_typed(shop, &values);
            let fields = body.error.fields;
            // The totals shown with a refused code leave it out (and do not try it again).
            let priced_as = if fields.iter().any(|f| f.field == "discount_code") {
                Checkout {
                    discount_code: String::new(),
                    ..values.clone()
                }
            } else {
                values.clone()
            };
            let quote = priced_or_back_to_cart(shop, &priced_as).await?;
            // 429: this shopper already holds their limit of unpaid orders, or has used up
            // their discount code guesses.
            let status = if status == 429 { 429 } else { 422 };
            // The writer has seen this key with this body; a corrected order needs a new one.
            let page = render(
                shop,
                status,
                &quote,
                &values,
                &fields,
                message.as_deref(),
                &random_hex(16),
            );
            Ok(match body.error.retry_after {
                Some(wait) => page.header("retry-after", wait.to_string()),
                None => page,
            })
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

/// A checkout submitted again for the cart whose order awaits payment (Back from the
/// payment step, a re-fetched form): the answer is that order, not a second one. A paid
/// order empties the cart; a cancelled one is forgotten and the cart can be ordered.
async fn offer_pending(shop: &mut Shop<'_>) -> Result<Option<Resp>, Resp> {
    let Some(pending) = shop.pending.clone() else {
        return Ok(None);
    };
    let same_cart = pending.cart == crate::shop::pending::fingerprint(&shop.session.cart.lines);
    if !same_cart && !shop.session.cart.is_empty() {
        return Ok(None);
    }
    let order = shop
        .writer
        .order(&pending.number)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    match order.map(|o| o.state) {
        Some(OrderState::PendingPayment) => {
            shop.notice(Notice::AlreadyOrdered);
            Ok(Some(
                shop.redirect(&format!("/orders/{}/pay", pending.number)),
            ))
        }
        Some(OrderState::Paid | OrderState::Fulfilled) => {
            crate::shop::orders::handler::settle(shop, &pending.number, OrderState::Paid);
            Ok(Some(shop.redirect(&format!("/orders/{}", pending.number))))
        }
        _ => {
            shop.forget_pending();
            Ok(None)
        }
    }
}

/// The current quote for what was typed, or a redirect to the cart when there is
/// nothing to check out (the cart page explains why a cart cannot be priced).
async fn priced_or_back_to_cart(shop: &mut Shop<'_>, values: &Checkout) -> Result<Quote, Resp> {
    match price_for(shop, values).await? {
        Priced::Quote(quote) => Ok(*quote),
        Priced::Empty => {
            shop.notice(Notice::CartEmpty);
            Err(shop.redirect("/cart"))
        }
        Priced::Unpriced(_) => Err(shop.redirect("/cart")),
    }
}

fn render(
    shop: &Shop<'_>,
    status: u16,
    quote: &Quote,
    values: &Checkout,
    errors: &[FieldError],
    message: Option<&str>,
    idempotency_key: &str,
) -> Resp {
    let csrf = shop.csrf();
    let form = crate::shop::checkout::view::Form {
        values,
        errors,
        message,
        csrf: &csrf,
        idempotency_key,
    };
    let page = crate::shop::checkout::view::page(&shop.chrome(), quote, form);
    // The client has used up its discount code guesses: said at the field, with the wait.
    match quote.discount_retry_after {
        Some(wait) => shop
            .page(status.max(429), page)
            .header("retry-after", wait.to_string()),
        None => shop.page(status, page),
    }
}
