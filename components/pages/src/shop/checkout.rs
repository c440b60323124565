//! Checkout: `GET /checkout` shows the form, `POST /checkout` places the order.
//!
//! The form carries an idempotency key made when it was rendered, so a double submit
//! (or a retry after a timeout) is answered with the first order instead of a second.

use super::cart::{Priced, price};
use super::{Answer, Resp, Shop};
use crate::forms::{self, Checkout};
use crate::notice::Notice;
use crate::signing::random_hex;
use crate::views;
use crate::writer_client::WriterError;
use storefront_domain::order_number;
use storefront_domain::{FieldError, Quote};

pub async fn show(shop: &mut Shop<'_>) -> Answer {
    let quote = priced_or_back_to_cart(shop).await?;
    let values = Checkout::default();
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
    if shop.session.cart.is_empty() {
        return Err(shop.redirect(&Notice::CartEmpty.url("/cart")));
    }
    let values = Checkout::parse(&form);
    let key = values.idempotency_key.clone();
    if !forms::valid_idempotency_key(&key) {
        return Err(shop.error(
            400,
            "This form is incomplete",
            "Please go back, reload the checkout page and try again.",
        ));
    }
    let request = values.order_request(shop.session.cart.line_requests());

    if let Err(errors) = request.validate() {
        // Nothing was sent, so the same key stays valid for the corrected form.
        let quote = priced_or_back_to_cart(shop).await?;
        return Ok(render(shop, 422, &quote, &values, &errors, None, &key));
    }

    match shop
        .writer
        .place_order(&request, &key, &shop.req.client)
        .await
    {
        Ok(placed) if order_number::normalize(&placed.value.number).is_some() => {
            shop.session.clear();
            // Straight on to paying; the order page offers "Pay now" for later.
            Ok(shop.redirect(&format!("/orders/{}/pay", placed.value.number)))
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
                "idempotency_key_reused" => {
                    "Your cart changed since this form was opened. Please check the order and submit again."
                        .to_string()
                }
                _ => body.error.message.clone(),
            };
            // The writer has seen this key with this body; a corrected order needs a new one.
            let quote = priced_or_back_to_cart(shop).await?;
            let fields = body.error.fields;
            // 429: this shopper already holds their limit of unpaid orders.
            let status = if status == 429 { 429 } else { 422 };
            Ok(render(
                shop,
                status,
                &quote,
                &values,
                &fields,
                Some(&message),
                &random_hex(16),
            ))
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}

/// The current quote, or a redirect to the cart when there is nothing to check out
/// (the cart page explains why a cart cannot be priced).
async fn priced_or_back_to_cart(shop: &mut Shop<'_>) -> Result<Quote, Resp> {
    match price(shop).await? {
        Priced::Quote(quote) => Ok(*quote),
        Priced::Empty => Err(shop.redirect(&Notice::CartEmpty.url("/cart"))),
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
    let form = views::checkout::Form {
        values,
        errors,
        message,
        csrf: &csrf,
        idempotency_key,
    };
    shop.page(status, views::checkout::page(&shop.chrome(), quote, form))
}
