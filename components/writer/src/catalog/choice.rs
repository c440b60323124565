//! `GET /catalog/products/{slug}/variant?Size=1+kg&Grind=Filter`: the variant a shopper's
//! chosen option values name. The product page's add-to-cart form carries the values the
//! shopper chose, not a SKU the page picked before they chose, so what is resolved here is
//! what they buy.
//!
//! Each query parameter is an option name and its value. Every option of the product must
//! be given, with one of its values; the combination must be a live variant that is
//! active. Anything else is a 422 naming the field (`options.Size` for one option,
//! `options` for the combination) in words a shopper understands. A sold-out variant is
//! answered like any other (its `stock` is 0): whether it can be bought now is the
//! caller's question.

use crate::catalog::reads::{load_one, no_product, product_id};
use crate::db::{Db, Mode};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::catalog::{Product, Variant};

/// The answer: the variant, or why the values name none.
pub fn variant(db: &Db, slug: &str, query: &str) -> Result<Response, ApiError> {
    let product = db.transaction(Mode::Read, |db| {
        let (id, archived) = product_id(db, slug)?.ok_or_else(|| no_product(slug))?;
        if archived {
            return Err(no_product(slug));
        }
        load_one(db, id, false)
    })?;
    let chosen: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let found = resolve(&product, &chosen)?;
    json(200, found)
}

/// The active, live variant of `product` with exactly the `chosen` values.
pub fn resolve<'a>(
    product: &'a Product,
    chosen: &[(String, String)],
) -> Result<&'a Variant, ApiError> {
    let mut fields = Vec::new();
    for (name, _) in chosen {
        if !product.options.iter().any(|o| &o.name == name) {
            fields.push(FieldError::new(
                format!("options.{name}"),
                format!("{} has no option “{name}”.", product.name),
            ));
        }
    }
    let mut values = Vec::with_capacity(product.options.len());
    for option in &product.options {
        let field = format!("options.{}", option.name);
        let given: Vec<&str> = chosen
            .iter()
            .filter(|(name, _)| *name == option.name)
            .map(|(_, value)| value.as_str())
            .collect();
        match given.as_slice() {
            [] => fields.push(FieldError::new(
                field,
                format!("Please choose a {}.", option.name.to_lowercase()),
            )),
            [value] if option.values.iter().any(|v| v == value) => values.push(*value),
            [value] => fields.push(FieldError::new(
                field,
                format!(
                    "{} does not come in “{value}”. Please choose a {} from the list.",
                    product.name,
                    option.name.to_lowercase()
                ),
            )),
            _ => fields.push(FieldError::new(
                field,
                format!("Please choose one {} only.", option.name.to_lowercase()),
            )),
        }
    }
    if !fields.is_empty() {
        let message = fields[0].message.clone();
        return Err(ApiError::new(422, "invalid_request", message).with_fields(fields));
    }
    let title = values.join(" / ");
    let found = product.variants.iter().find(|v| {
        v.options.len() == values.len()
            && product.options.iter().zip(&values).all(|(o, value)| {
                v.options
                    .iter()
                    .any(|c| c.name == o.name && c.value == *value)
            })
    });
    let unavailable = |code: &str, words: String| {
        ApiError::new(422, code, words.clone()).with_fields(vec![FieldError::new("options", words)])
    };
    match found {
        None => Err(unavailable(
            "no_such_variant",
            format!(
                "{} does not come as {title}. Please choose another combination.",
                product.name
            ),
        )),
        Some(v) if !v.active => Err(unavailable(
            "unavailable",
            format!(
                "{}, {title} is not available. Please choose another combination.",
                product.name
            ),
        )),
        Some(v) => Ok(v),
    }
}
