//! The checkout calculator: what an order costs, for a quote and for placing the order
//! alike ([`price_order`], the one entry point; [`price_placed`] for an unpaid order
//! being changed, whose lines keep the prices they were placed at). In this order: line prices (from the
//! catalog, [`line_prices`]) → subtotal → discount (on the subtotal, [`discounts`]) →
//! shipping (the chosen method to the destination, [`shipping`]; thresholds compare the
//! subtotal after discount) → tax (the destination's rate on each line after its share of
//! the discount, and on the shipping, [`tax`]), with [`totals`] doing the rounding. A few
//! indexed reads; nothing here writes.

use crate::checkout::discounts::{self, Applies, Refused};
use crate::checkout::line_prices::{self, Priced};
use crate::checkout::shipping;
use crate::checkout::tax::{self, Rate};
use crate::checkout::totals;
use crate::db::Db;
use crate::http::responses::ApiError;
use storefront_domain::Money;
use storefront_domain::checkout::{ShippingOption, TaxLine, TaxMode, Totals};
use storefront_domain::order::ValidLine;

/// What the shopper chose (as typed; the country upper-cased).
pub struct Choice<'a> {
    /// Empty: no shipping, and tax at the shop's home country's rate.
    pub country: &'a str,
    /// Empty: the cheapest method.
    pub shipping_method: &'a str,
    pub discount_code: &'a str,
    /// For the per-customer limit; empty on a quote (see `discounts::evaluate`).
    pub email: &'a str,
}

/// Every amount of the order, and what the shopper may still need to hear about.
pub struct Checkout {
    pub totals: Totals,
    /// The methods that ship to the country, priced.
    pub options: Vec<ShippingOption>,
    /// The method in the totals: the chosen one, else the cheapest.
    pub shipping: Option<ShippingOption>,
    /// The method was named but does not ship there (the cheapest was used instead).
    pub unknown_method: bool,
    pub discount: Option<Applies>,
    /// Why the named code does not apply.
    pub discount_refused: Option<Refused>,
    pub tax_mode: TaxMode,
    /// The rate in the totals, if any.
    pub rate: Option<Rate>,
}

/// Prices `lines` from the catalog (refusing what cannot be sold, see
/// [`line_prices::price_lines`]) and computes every amount of the order for `choice`.
pub fn price_order(
    db: &Db,
    lines: &[ValidLine],
    choice: &Choice,
    now: &str,
) -> Result<(Priced, Checkout), ApiError> {
    let priced = line_prices::price_lines(db, lines)?;
    let checkout = price_placed(db, &priced, choice, now)?;
    Ok((priced, checkout))
}

/// The discount, shipping, tax and totals of lines already priced: a new order's, and an
/// unpaid order's being changed, which keeps the prices its lines were placed at.
pub fn price_placed(
    db: &Db,
    priced: &Priced,
    choice: &Choice,
    now: &str,
) -> anyhow::Result<Checkout> {
    let (tax_mode, rate) = tax::rules(db, choice.country)?;
    let subtotal = priced.total.clone();
    let currency = subtotal.currency.clone();
    let money = |amount| Money::new(amount, currency.clone());

    let (discount, discount_refused) = if choice.discount_code.trim().is_empty() {
        (None, None)
    } else {
        match discounts::evaluate(db, choice.discount_code, &subtotal, choice.email, now)? {
            Ok(applies) => (Some(applies), None),
            Err(refused) => (None, Some(refused)),
        }
    };
    let discount_amount = discount.as_ref().map_or(0, |d| d.discount.amount.amount);

    let options = if choice.country.is_empty() {
        Vec::new()
    } else {
        shipping::options(
            db,
            choice.country,
            &money(subtotal.amount - discount_amount),
            priced.weight_grams(),
        )?
    };
    let named = (!choice.shipping_method.is_empty())
        .then(|| options.iter().find(|o| o.code == choice.shipping_method))
        .flatten();
    let unknown_method = !choice.shipping_method.is_empty() && named.is_none();
    let shipping = named
        .or_else(|| options.iter().min_by_key(|o| o.amount.amount))
        .cloned();
    let shipping_amount = shipping.as_ref().map_or(0, |s| s.amount.amount);

    let line_amounts: Vec<i64> = priced
        .items
        .iter()
        .map(|i| i.line.line_total.amount)
        .collect();
    let b = totals::compute(
        &line_amounts,
        discount_amount,
        shipping_amount,
        rate.as_ref().map(|r| r.rate_bp),
        tax_mode,
    );
    let taxes = rate
        .iter()
        .map(|r| TaxLine {
            name: r.label(),
            rate_bp: r.rate_bp,
            amount: money(b.tax),
        })
        .collect();
    Ok(Checkout {
        totals: Totals {
            subtotal: money(b.subtotal),
            discount: money(b.discount),
            shipping: money(b.shipping),
            tax: money(b.tax),
            tax_included: tax_mode == TaxMode::Inclusive,
            taxes,
            total: money(b.total),
        },
        options,
        shipping,
        unknown_method,
        discount,
        discount_refused,
        tax_mode,
        rate,
    })
}
