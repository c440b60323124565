//! The cart: `GET /cart` and the `POST /cart/{add,update,remove}` actions, plus pricing
//! the cart through the writer (shared with checkout).
//!
//! Every action validates, changes the signed cookie and answers 303 to `/cart`
//! (POST-redirect-GET), so reloading the cart never re-submits a form.

use super::{Answer, Shop};
use crate::cart::AddOutcome;
use crate::forms::{self, FormError};
use crate::notice::{Flash, Notice, Tone};
use crate::views::{self, cart::Contents};
use crate::writer_client::{WriterError, line_index};
use std::collections::BTreeSet;
use storefront_domain::{ErrorBody, Quote};

/// The cart as the writer prices it right now.
pub enum Priced {
    Empty,
    Quote(Box<Quote>),
    /// The writer will not price it; the reason is for the shopper.
    Unpriced(String),
}

/// Asks the writer for current prices. Lines the writer no longer knows are dropped
/// from the cart (with a flash) and the rest priced again.
pub async fn price(shop: &mut Shop<'_>) -> Result<Priced, super::Resp> {
    // Each round drops at least one line, and the lines are bounded; three rounds is
    // plenty for products disappearing mid-request.
    for _ in 0..3 {
        if shop.session.cart.is_empty() {
            return Ok(Priced::Empty);
        }
        let items = shop.session.cart.line_requests();
        let body = match shop.writer.quote(items).await {
            Ok(quote) => return Ok(Priced::Quote(Box::new(quote))),
            Err(WriterError::Rejected { status: 422, body }) => body,
            Err(e) => return Err(shop.writer_failed(e)),
        };
        match body.error.code.as_str() {
            "unknown_product" | "unavailable" if drop_unknown(shop, &body) => {}
            "mixed_currency" => {
                return Ok(Priced::Unpriced(
                    "Your cart holds products priced in different currencies, which cannot be \
                     bought together. Remove some to check out."
                        .into(),
                ));
            }
            _ => return Ok(Priced::Unpriced(body.error.message)),
        }
    }
    Err(shop.writer_failed(WriterError::Broken))
}

/// Removes the lines an `unknown_product` or `unavailable` error names (variants no
/// longer sold). Returns whether anything was dropped.
fn drop_unknown(shop: &mut Shop<'_>, body: &ErrorBody) -> bool {
    let cart = &shop.session.cart;
    let named: BTreeSet<String> = body
        .error
        .fields
        .iter()
        .filter_map(|f| line_index(&f.field))
        .filter_map(|i| cart.lines.get(i).map(|(sku, _)| sku.clone()))
        .collect();
    let dropped = shop.session.cart.retain(|sku| !named.contains(sku));
    if dropped > 0 {
        shop.session.touch();
        shop.flashes.push(Flash::new(
            Tone::Warning,
            "Some products in your cart are no longer sold and were removed.",
        ));
    }
    dropped > 0
}

pub async fn show(shop: &mut Shop<'_>) -> Answer {
    let priced = price(shop).await?;
    let csrf = shop.csrf();
    let contents = match &priced {
        Priced::Empty => Contents::Empty,
        Priced::Quote(quote) => Contents::Priced(quote),
        Priced::Unpriced(reason) => Contents::Unpriced {
            lines: &shop.session.cart.lines,
            reason,
        },
    };
    let page = views::cart::page(&shop.chrome(), contents, &csrf);
    Ok(shop.page(200, page))
}

/// Adds the chosen variant (or the product's default one) if it can be bought now.
pub async fn add(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let wanted = forms::add(&form).map_err(|e| form_error(shop, e))?;
    let product = shop
        .writer
        .product(&wanted.slug)
        .await
        .map_err(|e| shop.writer_failed(e))?
        .ok_or_else(|| shop.not_found("Product not found"))?;
    let variant = match &wanted.sku {
        Some(sku) => product.variants.iter().find(|v| &v.sku == sku),
        None => product.variants.iter().find(|v| v.active),
    };
    let Some(variant) = variant else {
        return Err(shop.not_found("Product not found"));
    };
    if !variant.active || variant.stock <= 0 {
        return Ok(shop.redirect(&Notice::SoldOut.url("/cart")));
    }
    let notice = match shop
        .session
        .cart
        .add(shop.key, &variant.sku, wanted.quantity)
    {
        AddOutcome::Added => Notice::Added,
        AddOutcome::Capped => Notice::Capped,
        AddOutcome::Full => return Ok(shop.redirect(&Notice::CartFull.url("/cart"))),
    };
    shop.session.touch();
    Ok(shop.redirect(&notice.url("/cart")))
}

pub async fn update(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let (sku, quantity) = forms::update(&form).map_err(|e| form_error(shop, e))?;
    let notice = if quantity.is_some() {
        Notice::Updated
    } else {
        Notice::Removed
    };
    // A line missing from the cart (a stale form from another tab) changes nothing.
    if !shop.session.cart.set(&sku, quantity) {
        return Ok(shop.redirect("/cart"));
    }
    shop.session.touch();
    Ok(shop.redirect(&notice.url("/cart")))
}

pub async fn remove(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let sku = forms::remove(&form).map_err(|e| form_error(shop, e))?;
    if !shop.session.cart.remove(&sku) {
        return Ok(shop.redirect("/cart"));
    }
    shop.session.touch();
    Ok(shop.redirect(&Notice::Removed.url("/cart")))
}

fn form_error(shop: &Shop<'_>, e: FormError) -> super::Resp {
    match e {
        FormError::Item => shop.not_found("Product not found"),
        FormError::Quantity(message) => shop.error(400, "Invalid quantity", &message),
    }
}
