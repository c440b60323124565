//! The checkout's money beyond the lines (shipping, tax, discount codes) and the shop's
//! settings, as the writer computes and holds them and the pages show them.
//!
//! The writer is the only place any of these amounts is computed; a client only ever
//! names a shipping method code and a discount code.

use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Whether catalog prices include tax (EU shops: yes) or tax is added on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    #[default]
    Inclusive,
    Exclusive,
}

/// The owner's legal texts, shown at `/terms`, `/privacy`, `/returns` and `/imprint`.
/// Plain text; a blank line separates paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LegalTexts {
    pub terms: String,
    pub privacy: String,
    pub returns: String,
    pub imprint: String,
}

/// The shop's identity and rules, held by the writer (`GET /settings`), used in every
/// page's chrome; changed by the owner with `PUT /admin/settings` (writer), an idempotent
/// command with a history row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ShopSettings {
    /// The brand shown in the header, titles and emails, e.g. "Kaffee & Kanne".
    pub name: String,
    /// One sentence: the meta description and Open Graph description of the home page.
    pub tagline: String,
    /// ISO 4217 code of every price (the writer refuses others).
    pub currency: String,
    pub tax_mode: TaxMode,
    /// Where shoppers write to.
    pub contact_email: String,
    /// Postal address of the business (imprint, footer).
    pub contact_address: String,
    /// Content hash of the logo image (served at `/images/{hash}`), if any.
    #[serde(default)]
    pub logo: Option<String>,
    pub legal: LegalTexts,
}

/// One way to ship to the shopper's country, priced for the current cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingOption {
    /// Stable code the checkout form posts back, e.g. "eu-standard".
    pub code: String,
    /// Shopper-facing name, e.g. "Standard (DHL, 2–4 days)".
    pub name: String,
    /// The price of this method for the current lines (0 when free).
    pub amount: Money,
    /// How the price comes about, e.g. "Free from €50.00"; may be empty.
    #[serde(default)]
    pub note: String,
}

/// The discount code the writer applied, and how much it took off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedDiscount {
    /// As stored (upper case).
    pub code: String,
    /// Shopper-facing, e.g. "10 % off" or "€5.00 off orders from €30.00".
    pub description: String,
    /// Positive amount taken off the lines' subtotal.
    pub amount: Money,
}

/// One tax rate's share of an order, e.g. "VAT 19 %".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub name: String,
    /// Rate in basis points (1900 = 19 %).
    pub rate_bp: u32,
    /// The tax amount (included in the total under [`TaxMode::Inclusive`], added under
    /// [`TaxMode::Exclusive`]).
    pub amount: Money,
}

/// Every amount of a quote or an order. Invariant the writer keeps and the audit checks:
/// `total = subtotal − discount + shipping (+ tax when not included)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of the lines.
    pub subtotal: Money,
    /// Taken off by a discount code (0 when none).
    pub discount: Money,
    pub shipping: Money,
    /// Sum of `taxes`.
    pub tax: Money,
    /// True when `tax` is already part of the prices (and so of `total`).
    pub tax_included: bool,
    pub taxes: Vec<TaxLine>,
    pub total: Money,
}

impl Totals {
    /// Totals of lines alone: no discount, shipping or tax (orders placed before shipping
    /// and tax existed, and quotes without a destination until the writer prices them).
    pub fn lines_only(subtotal: Money) -> Totals {
        let zero = Money::new(0, subtotal.currency.clone());
        Totals {
            discount: zero.clone(),
            shipping: zero.clone(),
            tax: zero,
            tax_included: true,
            taxes: Vec::new(),
            total: subtotal.clone(),
            subtotal,
        }
    }
}
