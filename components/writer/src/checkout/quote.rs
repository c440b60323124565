//! `POST /orders/quote`: what an order of these lines would cost, computed by the same
//! calculator as placing it, without reserving anything.

use crate::checkout::line_prices::Priced;
use crate::checkout::{calculator, client_limits, discount_attempts};
use crate::db::{Db, Mode};
use crate::http::request::{Header, parse_json};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::discount_attempts::{REFUSED, too_many_attempts};
use storefront_domain::order::validate_lines;
use storefront_domain::{FieldError, PricedLine, Quote, QuoteRequest};

/// `POST /orders/quote`: prices lines without reserving anything. A discount code from a
/// named client (`storefront-client`) is held to the limit on guessing
/// ([`discount_attempts`]): a refused code is recorded, so such a quote is a write, and a
/// client that has used up its guesses is quoted without the code and told how long to
/// wait.
pub fn quote(db: &Db, client: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let client = client_limits::client_key(client)?;
    let request: QuoteRequest = parse_json(body)?;
    let lines = validate_lines(&request.items).map_err(ApiError::invalid)?;
    let country = request.country.trim().to_ascii_uppercase();
    if !country.is_empty() && storefront_domain::countries::name(&country).is_none() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "country",
            "is not a country we know (ISO code such as DE or US)",
        )]));
    }
    let guarded = client
        .as_deref()
        .filter(|_| !request.discount_code.trim().is_empty());
    let mode = if guarded.is_some() {
        Mode::Write
    } else {
        Mode::Read
    };
    let quote = db.transaction(mode, |db| {
        let now = db.now()?;
        let blocked = match guarded {
            Some(client) => discount_attempts::blocked_for(db, client)?,
            None => None,
        };
        let (priced, checkout) = calculator::price_order(
            db,
            &lines,
            &calculator::Choice {
                country: &country,
                shipping_method: request.shipping_method.trim(),
                discount_code: if blocked.is_some() {
                    ""
                } else {
                    &request.discount_code
                },
                email: "",
            },
            &now,
        )?;
        if let (Some(client), Some(refused)) = (guarded, &checkout.discount_refused) {
            discount_attempts::record(db, client, &request.discount_code, "", refused)?;
        }
        let mut quote = quote_of(&priced, checkout);
        if let Some(wait) = blocked {
            quote.discount_error = Some(too_many_attempts(wait));
            quote.discount_retry_after = Some(wait);
        }
        Ok::<_, ApiError>(quote)
    })?;
    json(200, &quote)
}

/// The quote of these lines with their checkout amounts; each line says how many
/// units are on the shelf, its price per kg and its thumbnail.
fn quote_of(priced: &Priced, checkout: calculator::Checkout) -> Quote {
    Quote {
        items: priced
            .items
            .iter()
            .map(|i| PricedLine {
                available: Some(i.stock),
                price_per_kg: i.price_per_kg.clone(),
                thumbnail: i.thumbnail.clone(),
                ..i.line.clone()
            })
            .collect(),
        total: checkout.totals.total.clone(),
        totals: checkout.totals,
        shipping_options: checkout.options,
        shipping: checkout.shipping,
        discount: checkout.discount.map(|d| d.discount),
        discount_error: checkout.discount_refused.map(|_| REFUSED.to_string()),
        discount_retry_after: None,
    }
}
