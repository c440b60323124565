//! The cart: `GET /cart` and the `POST /cart/{add,update,remove}` actions, plus pricing
//! the cart through the writer (shared with checkout).
//!
//! Every action validates, changes the signed cookie and answers 303 to `/cart`
//! (POST-redirect-GET), so reloading the cart never re-submits a form; what it did is
//! said once, by a flash cookie. `/cart/update` takes the whole cart in one form (every
//! quantity, a line's "Remove" button, a stock fix's "Set to N" button); a fix pressed on
//! the checkout page keeps what was typed there (`shop::checkout::keep_typed`).

use crate::http::forms::{self, Checkout, FormError};
use crate::layout::flash::{Flash, Tone};
use crate::shop::cart::contents::AddOutcome;
use crate::shop::cart::view::Contents;
use crate::shop::notice::Notice;
use crate::shop::{Answer, Shop};
use crate::writer::{WriterError, line_index};
use std::collections::BTreeSet;
use storefront_domain::{ErrorBody, Quantity, Quote, QuoteRequest};

/// The cart as the writer prices it right now.
pub enum Priced {
    Empty,
    Quote(Box<Quote>),
    /// The writer will not price it; the reason is for the shopper.
    Unpriced(String),
}

/// Asks the writer for current prices of the cart alone (no destination yet).
pub async fn price(shop: &mut Shop<'_>) -> Result<Priced, crate::http::Resp> {
    price_for(shop, &Checkout::default()).await
}

/// Asks the writer for current prices, and the shipping, tax and discount for what was
/// typed at checkout. Lines the writer no longer knows are dropped from the cart (with
/// a flash) and the rest priced again.
pub async fn price_for(shop: &mut Shop<'_>, typed: &Checkout) -> Result<Priced, crate::http::Resp> {
    // Each round drops at least one line, and the lines are bounded; three rounds is
    // plenty for products disappearing mid-request.
    for _ in 0..3 {
        if shop.session.cart.is_empty() {
            return Ok(Priced::Empty);
        }
        let request = QuoteRequest {
            items: shop.session.cart.line_requests(),
            country: typed.address.country.trim().to_ascii_uppercase(),
            shipping_method: typed.shipping_method.trim().to_string(),
            discount_code: typed.discount_code.trim().to_string(),
        };
        let body = match shop.writer.quote(&request, shop.req.client()).await {
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
        let text = crate::tr!(shop.lang(), "cart-products-dropped");
        shop.flashes.push(Flash::new(Tone::Warning, text));
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
    let pending = shop.pending.as_ref().map(|p| p.number.as_str());
    let page = crate::shop::cart::view::page(&shop.chrome(), contents, &csrf, pending);
    Ok(shop.page(200, page))
}

/// Redirects to the cart, saying `notice` there once.
fn to_cart(shop: &mut Shop<'_>, notice: Notice) -> Answer {
    shop.notice(notice);
    Ok(shop.redirect("/cart"))
}

/// Adds the variant the form names if it can be bought now: the option values chosen on
/// a product page (the writer resolves them, so what was chosen is what is bought), a
/// card's SKU, or the product's default variant. Never more than the shelf holds: asked
/// for more, the line is set to what is there and the cart says so at once. The product
/// page's "Show" button shows the chosen variant instead of adding it.
pub async fn add(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let wanted = forms::add(&form).map_err(|e| form_error(shop, e))?;
    let page = product_address(&wanted.slug, &wanted.options);
    if wanted.show {
        return Ok(shop.redirect(&page));
    }
    let chosen = !wanted.options.is_empty();
    let variant = if chosen {
        match shop.writer.variant_for(&wanted.slug, &wanted.options).await {
            Ok(variant) => variant,
            Err(WriterError::Rejected { status: 404, .. }) => {
                return Err(shop.not_found("error-product-not-found"));
            }
            // The values name no variant that is sold: the product page with them chosen
            // says so at the selects, and the cart is unchanged.
            Err(WriterError::Rejected { status: 422, .. }) => return Ok(shop.redirect(&page)),
            Err(e) => return Err(shop.writer_failed(e)),
        }
    } else {
        let product = shop
            .writer
            .product(&wanted.slug)
            .await
            .map_err(|e| shop.writer_failed(e))?
            .ok_or_else(|| shop.not_found("error-product-not-found"))?;
        let variant = match &wanted.sku {
            Some(sku) => product.variants.into_iter().find(|v| &v.sku == sku),
            None => product.variants.into_iter().find(|v| v.active),
        };
        variant.ok_or_else(|| shop.not_found("error-product-not-found"))?
    };
    if !variant.active || variant.stock <= 0 {
        if chosen {
            shop.notice(Notice::ChoiceSoldOut);
            return Ok(shop.redirect(&page));
        }
        return to_cart(shop, Notice::SoldOut);
    }
    let notice = match put(shop, &variant.sku, wanted.quantity, variant.stock) {
        Put::Added(AddOutcome::Added) => Notice::Added,
        Put::Added(AddOutcome::Capped) => Notice::Capped,
        Put::Added(AddOutcome::Full) => return to_cart(shop, Notice::CartFull),
        Put::ShelfHolds(n) => Notice::OnlyLeft(n),
    };
    shop.session.touch();
    to_cart(shop, notice)
}

/// What [`put`] did.
enum Put {
    Added(AddOutcome),
    /// The line was set to the `n` units on the shelf, fewer than asked for.
    ShelfHolds(i64),
}

/// Adds `quantity` of `sku` to the cart, or sets its line to the `shelf` units there are
/// when the line would ask for more (and the shelf holds no more than a line may).
fn put(shop: &mut Shop<'_>, sku: &str, quantity: Quantity, shelf: i64) -> Put {
    let cart = &mut shop.session.cart;
    let already = cart.quantity_of(sku).unwrap_or(0);
    let Ok(all) = Quantity::new(shelf) else {
        return Put::Added(cart.add(shop.key, sku, quantity));
    };
    if already + quantity.get() <= shelf {
        return Put::Added(cart.add(shop.key, sku, quantity));
    }
    if already == 0 {
        if let outcome @ AddOutcome::Full = cart.add(shop.key, sku, all) {
            return Put::Added(outcome);
        }
    } else {
        cart.set(sku, Some(all));
    }
    Put::ShelfHolds(shelf)
}

/// The product page showing the variant of these option values.
fn product_address(slug: &str, options: &[(String, String)]) -> String {
    if options.is_empty() {
        return format!("/products/{slug}");
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in options {
        query.append_pair(name, value);
    }
    format!("/products/{slug}?{}", query.finish())
}

/// The one cart form: every line's quantity, and the button pressed.
pub async fn update(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    apply(shop, &form)
}

fn apply(shop: &mut Shop<'_>, form: &crate::http::forms::Form) -> Answer {
    let update = forms::update(form).map_err(|e| form_error(shop, e))?;
    let before = shop.session.cart.lines.clone();
    // Lines missing from the cart (a stale form from another tab) change nothing.
    for (sku, quantity) in &update.lines {
        shop.session.cart.set(sku, *quantity);
    }
    let removed = update
        .remove
        .as_ref()
        .is_some_and(|sku| shop.session.cart.remove(sku))
        || update.lines.iter().any(|(_, q)| q.is_none());
    if let Some((sku, quantity)) = &update.set {
        shop.session.cart.set(sku, Some(*quantity));
    }
    let changed = shop.session.cart.lines != before;
    if changed {
        shop.session.touch();
    }
    // A fix pressed on the checkout page: back there, with what was typed kept.
    if form.get("return") == Some("checkout") {
        crate::shop::checkout::handler::keep_typed(shop, &Checkout::parse(form));
        if changed {
            shop.notice(Notice::Updated);
        }
        return Ok(shop.redirect("/checkout"));
    }
    match (changed, removed) {
        (false, _) => Ok(shop.redirect("/cart")),
        (true, true) => to_cart(shop, Notice::Removed),
        (true, false) => to_cart(shop, Notice::Updated),
    }
}

/// `POST /cart/remove`: a line's "Remove" button in the cart form (`remove=SKU`, with
/// the other lines' quantities, which are kept), or a form from before the one-form
/// cart (`sku=SKU`).
pub async fn remove(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    if form.get("remove").is_some() {
        return apply(shop, &form);
    }
    let sku = forms::remove(&form).map_err(|e| form_error(shop, e))?;
    if !shop.session.cart.remove(&sku) {
        return Ok(shop.redirect("/cart"));
    }
    shop.session.touch();
    to_cart(shop, Notice::Removed)
}

fn form_error(shop: &Shop<'_>, e: FormError) -> crate::http::Resp {
    match e {
        FormError::Item => shop.not_found("error-product-not-found"),
        FormError::Quantity(message) => shop.error_with(400, "error-invalid-quantity", &message),
    }
}
