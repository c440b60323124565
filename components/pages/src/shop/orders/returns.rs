//! Returns for the shopper, on the order's own pages (so only whoever may open the order,
//! by its access token or their account, [`super::handler::authorized`]):
//!
//! - the order page's "Returns" section ([`section`]), for shipped or refunded orders;
//! - `GET /orders/{number}/return`: the form ([`returns_view::form`]);
//! - `POST /orders/{number}/return`: checks what it can (numbers, the reason) and sends
//!   the request to the writer under the form's idempotency key (a resubmitted form is the
//!   same return); the writer's refusals come back at their fields (422) or above the
//!   form (409: outside the window, a return still open, not shipped). Then back to the
//!   order page, which shows the return.

use super::handler::authorized;
use super::returns_view::{self, Typed, quantity_field};
use crate::http::Resp;
use crate::security::signing::random_hex;
use crate::shop::{Answer, Shop};
use crate::tr;
use crate::writer::WriterError;
use maud::Markup;
use storefront_domain::returns::{OrderReturns, RequestReturn, ReturnLineAsk, reason_text};
use storefront_domain::{FieldError, OrderState, OrderView};

/// The order page's section about returns, for an order that shipped.
pub async fn section(shop: &Shop<'_>, order: &OrderView) -> Result<Option<Markup>, Resp> {
    if !matches!(order.state, OrderState::Fulfilled | OrderState::Refunded) {
        return Ok(None);
    }
    let returns = shop
        .writer
        .order_returns(&order.number)
        .await
        .map_err(|e| shop.writer_failed(e))?;
    Ok(returns_view::section(shop.lang(), &returns))
}

async fn returns_of(shop: &Shop<'_>, number: &str) -> Result<OrderReturns, Resp> {
    shop.writer
        .order_returns(number)
        .await
        .map_err(|e| shop.writer_failed(e))
}

fn form_page(shop: &Shop<'_>, status: u16, returns: &OrderReturns, typed: &Typed) -> Resp {
    shop.page(
        status,
        returns_view::form(&shop.chrome(), returns, &shop.csrf(), typed),
    )
}

/// `GET /orders/{number}/return`.
pub async fn show(shop: &mut Shop<'_>, number: &str) -> Answer {
    let order = authorized(shop, number).await?;
    let returns = returns_of(shop, &order.number).await?;
    let typed = Typed {
        key: random_hex(16),
        ..Typed::default()
    };
    Ok(form_page(shop, 200, &returns, &typed))
}

/// `POST /orders/{number}/return`.
pub async fn submit(shop: &mut Shop<'_>, number: &str) -> Answer {
    let form = shop.form()?;
    let order = authorized(shop, number).await?;
    let returns = returns_of(shop, &order.number).await?;
    let key = form
        .get("key")
        .filter(|k| (8..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map_or_else(|| random_hex(16), str::to_string);
    let mut typed = Typed {
        key,
        reason: form.get("reason").unwrap_or_default().to_string(),
        ..Typed::default()
    };
    let mut lines = Vec::new();
    for line in &returns.lines {
        let Some(value) = form.get(&quantity_field(&line.sku)) else {
            continue;
        };
        let value = value.trim().to_string();
        typed.quantities.push((line.sku.clone(), value.clone()));
        match value.parse::<i64>() {
            Ok(0) => {}
            Ok(quantity) if quantity > 0 => lines.push(ReturnLineAsk {
                sku: line.sku.clone(),
                quantity,
            }),
            _ if value.is_empty() => {}
            _ => typed.errors.push(FieldError::new(
                quantity_field(&line.sku),
                tr!(shop.lang(), "return-whole-number"),
            )),
        }
    }
    let reason = match reason_text(&typed.reason) {
        Ok(reason) => reason,
        Err(why) => {
            typed.errors.push(FieldError::new("reason", why));
            String::new()
        }
    };
    if lines.is_empty() && typed.errors.is_empty() {
        typed.errors.push(FieldError::new(
            "lines",
            "Choose at least one item to return.",
        ));
    }
    if !typed.errors.is_empty() {
        return Ok(form_page(shop, 422, &returns, &typed));
    }
    let request = RequestReturn { lines, reason };
    match shop
        .writer
        .request_return(&order.number, &request, &typed.key)
        .await
    {
        Ok(_) => Ok(shop.redirect(&format!("/orders/{}#returns", order.number))),
        Err(WriterError::Rejected { status: 422, body }) => {
            typed.errors = body.error.fields;
            if typed.errors.is_empty() {
                typed.problem = Some(body.error.message);
            }
            Ok(form_page(shop, 422, &returns, &typed))
        }
        Err(WriterError::Rejected { status: 409, body }) => {
            typed.problem = Some(body.error.message);
            Ok(form_page(shop, 409, &returns, &typed))
        }
        Err(e) => Err(shop.writer_failed(e)),
    }
}
