//! Checkout: `GET /checkout` shows the form, `POST /checkout` places the order (or, for
//! "Update shipping" and "Apply", keeps the typed country, method and code for the page
//! to price; "Edit cart" keeps what was typed and goes to the cart).
//!
//! Every `POST` answers `303`: to the payment step once the order is placed, else back to
//! `GET /checkout`, which shows what was typed and any errors ([`kept`]), so Back and
//! Reload never re-submit a form. The page after a refusal answers with the refusal's
//! status (422 for a form to correct, 429 for a per-client limit), shown once.
//!
//! The form carries an idempotency key made when it was rendered, so a double submit
//! (or a retry after a timeout) is answered with the first order instead of a second.
//! Placing the order keeps the cart until the order is paid and remembers the order
//! (`pending`): submitting the checkout again for the same cart, with a key made by a
//! re-fetched page, offers that order instead of placing another.

use crate::http::Resp;
use crate::http::forms::{self, Checkout, CheckoutAction};
use crate::security::signing::random_hex;
use crate::shop::cart::handler::{Priced, price_for};
use crate::shop::checkout::change::{self, Changed, Pending};
use crate::shop::checkout::kept::{self, Kept, Refusal};
use crate::shop::notice::Notice;
use crate::shop::{Answer, Shop};
use crate::writer::WriterError;
use storefront_domain::{FieldError, Quote, order_number};

/// Keeps what was typed at checkout (not the key) for [`TYPED_TTL_SECONDS`], if
/// anything was typed and it fits a cookie.
pub fn keep_typed(shop: &mut Shop<'_>, values: &Checkout) {
    if values.is_typed() {
        kept::keep(shop, &Kept::typed(values, None));
    }
}

pub async fn show(shop: &mut Shop<'_>) -> Answer {
    let changing = match change::pending(shop).await? {
        Pending::Unpaid(order) => Some(*order),
        _ => None,
    };
    // The order being changed opens with its own details, unless something was typed.
    // A fresh form starts in the shop's own country, with its ways to ship there.
    // A signed-in customer's fresh form starts with their email and first saved address.
    let account = if changing.is_none() && kept::open(shop).is_none() {
        crate::shop::account::signed_in(shop).await.unwrap_or(None)
    } else {
        None
    };
    let kept = kept::open(shop).unwrap_or_else(|| {
        let mut values = changing.as_ref().map(change::values_of).unwrap_or_default();
        if let Some((_, account)) = &account {
            crate::shop::account::handler::prefill(&mut values, account);
        }
        if values.address.country.is_empty() {
            values.address.country = shop.settings.home_country.clone();
        }
        Kept {
            values,
            ..Kept::default()
        }
    });
    let refusal = kept.refusal.clone().unwrap_or_default();
    if kept.refusal.is_some() {
        // Shown once: a reload shows what was typed, without the old errors.
        kept::keep(
            shop,
            &Kept {
                refusal: None,
                ..kept.clone()
            },
        );
    }
    let mut values = kept.values.clone();
    values.terms = kept.terms;
    let priced_as = if refusal.without_code {
        Checkout {
            discount_code: String::new(),
            ..values.clone()
        }
    } else {
        values.clone()
    };
    let quote = priced_or_back_to_cart(shop, &priced_as).await?;
    let key = kept.key.clone().unwrap_or_else(|| random_hex(16));
    let status = if kept.refusal.is_some() {
        refusal.status.max(400)
    } else {
        200
    };
    let changing = changing.map(|o| o.number);
    let page = render_form(
        shop,
        status,
        &quote,
        crate::shop::checkout::view::Form {
            values: &values,
            errors: &refusal.errors,
            message: refusal.message.as_deref(),
            csrf: &shop.csrf(),
            idempotency_key: &key,
            changing: changing.as_deref(),
        },
    );
    Ok(match refusal.retry_after {
        Some(wait) => page.header("retry-after", wait.to_string()),
        None => page,
    })
}

/// Back to `GET /checkout` with what was typed, the key still valid and the refusal;
/// `Err` when that does not fit the cookie (the caller then shows the page itself).
fn back_to_form(shop: &mut Shop<'_>, kept: &Kept) -> Result<Resp, ()> {
    if kept::keep(shop, kept) {
        Ok(shop.redirect("/checkout"))
    } else {
        Err(())
    }
}

/// [`back_to_form`], or for values too long for a cookie the page itself.
async fn refused(
    shop: &mut Shop<'_>,
    values: &Checkout,
    key: Option<&str>,
    refusal: Refusal,
) -> Answer {
    let kept = Kept {
        refusal: Some(refusal.clone()),
        ..Kept::typed(values, key)
    };
    if let Ok(resp) = back_to_form(shop, &kept) {
        return Ok(resp);
    }
    let quote = priced_or_back_to_cart(shop, values).await?;
    let key = key.map_or_else(|| random_hex(16), str::to_string);
    Ok(render(
        shop,
        refusal.status,
        &quote,
        values,
        &refusal.errors,
        refusal.message.as_deref(),
        &key,
    ))
}

pub async fn submit(shop: &mut Shop<'_>) -> Answer {
    let form = shop.form()?;
    let values = Checkout::parse(&form);
    if values.action == CheckoutAction::EditCart {
        keep_typed(shop, &values);
        return Err(shop.redirect("/cart"));
    }
    let key = values.idempotency_key.clone();
    if !forms::valid_idempotency_key(&key) {
        return Err(shop.error(400, "error-incomplete-form", "error-incomplete-form-text"));
    }
    if values.action != CheckoutAction::Place {
        // The page prices what was typed; nothing was sent, so the key stays valid.
        let kept = Kept::typed(&values, Some(&key));
        if let Ok(resp) = back_to_form(shop, &kept) {
            return Ok(resp);
        }
        let quote = priced_or_back_to_cart(shop, &values).await?;
        return Ok(render(shop, 200, &quote, &values, &[], None, &key));
    }
    // The cart's order awaiting payment is changed, never doubled.
    let unpaid = match change::pending(shop).await? {
        Pending::Paid(number) => return Err(shop.redirect(&format!("/orders/{number}"))),
        Pending::Unpaid(order) => Some(order.number),
        Pending::None => None,
    };
    if unpaid.is_none() && shop.session.cart.is_empty() {
        shop.notice(Notice::CartEmpty);
        return Err(shop.redirect("/cart"));
    }
    let mut request = values.order_request(shop.session.cart.line_requests());
    request.locale = shop.lang();

    let mut errors = request.validate().err().unwrap_or_default();
    if !values.terms {
        errors.push(FieldError::new(
            "terms",
            "must be accepted to place the order",
        ));
    }
    if !errors.is_empty() {
        // Nothing was sent, so the same key stays valid for the corrected form.
        let refusal = Refusal {
            status: 422,
            errors,
            ..Refusal::default()
        };
        return refused(shop, &values, Some(&key), refusal).await;
    }
    if let Some(number) = unpaid {
        return match change::submit(shop, &number, &request, &key).await {
            Changed::Done(answer) => answer,
            // The writer has seen this key with this body; a corrected change needs a new one.
            Changed::Refused(refusal) => refused(shop, &values, None, refusal).await,
        };
    }

    match shop
        .writer
        .place_order(&request, &key, shop.req.client())
        .await
    {
        Ok(placed) if order_number::normalize(&placed.value.number).is_some() => {
            // The cart stays until the order is paid; the order is remembered so that
            // leaving the payment step never loses it.
            shop.remember_access(&placed.value);
            let number = placed.value.number;
            shop.remember_pending(&number);
            kept::forget(shop);
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
                "idempotency_key_reused" => Some(crate::tr!(shop.lang(), "checkout-cart-changed")),
                // Field errors speak for themselves, at their fields and in the summary.
                _ if !body.error.fields.is_empty() => None,
                _ => Some(body.error.message.clone()),
            };
            let fields = body.error.fields;
            // The totals shown with a refused code leave it out (and do not try it again).
            let without_code = fields.iter().any(|f| f.field == "discount_code");
            // 429: this shopper already holds their limit of unpaid orders, or has used up
            // their discount code guesses.
            let refusal = Refusal {
                status: if status == 429 { 429 } else { 422 },
                errors: fields,
                message,
                retry_after: body.error.retry_after,
                without_code,
            };
            // The writer has seen this key with this body; a corrected order needs a new one.
            refused(shop, &values, None, refusal).await
        }
        Err(e) => Err(shop.writer_failed(e)),
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
        changing: None,
    };
    render_form(shop, status, quote, form)
}

fn render_form(
    shop: &Shop<'_>,
    status: u16,
    quote: &Quote,
    form: crate::shop::checkout::view::Form<'_>,
) -> Resp {
    let page = crate::shop::checkout::view::page(&shop.chrome(), quote, form);
    // The client has used up its discount code guesses: said at the field, with the wait.
    match quote.discount_retry_after {
        Some(wait) => shop
            .page(status.max(429), page)
            .header("retry-after", wait.to_string()),
        None => shop.page(status, page),
    }
}
