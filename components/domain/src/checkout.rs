//! The checkout's money beyond the lines (shipping, tax, discount codes) and the shop's
//! settings, as the writer computes and holds them and the pages show them.
//!
//! The writer is the only place any of these amounts is computed; a client only ever
//! names a shipping method code and a discount code.

use crate::discount_attempts::RefusedAttempt;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Whether catalog prices include tax (EU shops: yes) or tax is added on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    /// Prices include tax (the tax is part of the total).
    #[default]
    Inclusive,
    /// Tax is added on top of the prices.
    Exclusive,
}

/// The owner's legal texts, shown at `/terms`, `/privacy`, `/returns` and `/imprint`.
/// Plain text; a blank line separates paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LegalTexts {
    /// Terms and conditions (`/terms`).
    pub terms: String,
    /// Privacy policy (`/privacy`).
    pub privacy: String,
    /// Returns and withdrawal (`/returns`).
    pub returns: String,
    /// Legal notice (`/imprint`).
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
    /// Whether prices include tax.
    pub tax_mode: TaxMode,
    /// ISO 3166-1 alpha-2 country whose tax rate a quote without a destination shows
    /// (added by the writer half of issue 11; absent in older clients' bodies).
    #[serde(default)]
    pub home_country: String,
    /// Where shoppers write to.
    pub contact_email: String,
    /// Postal address of the business (imprint, footer).
    pub contact_address: String,
    /// Content hash of the logo image (served at `/images/{hash}`), if any.
    #[serde(default)]
    pub logo: Option<String>,
    /// The legal texts.
    pub legal: LegalTexts,
    /// The language the shop speaks to a shopper whose browser asks for none it knows
    /// (`Accept-Language`) and who has not chosen one with the switch.
    #[serde(default)]
    pub language: crate::locale::Locale,
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
    /// Shopper-facing name, e.g. "VAT".
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
    /// The chosen shipping method's price (0 when free or none).
    pub shipping: Money,
    /// Sum of `taxes`.
    pub tax: Money,
    /// True when `tax` is already part of the prices (and so of `total`).
    pub tax_included: bool,
    /// The tax per rate (one rate per order).
    pub taxes: Vec<TaxLine>,
    /// What the shopper pays.
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

/// Longest discount code, in characters (codes are ASCII letters, digits, `-` and `_`).
pub const MAX_DISCOUNT_CODE: usize = 32;

/// A discount code as typed: trimmed and upper-cased, or `None` when it cannot be a code
/// (empty, too long, or characters other than ASCII letters, digits, `-` and `_`).
pub fn normalize_discount_code(raw: &str) -> Option<String> {
    let code = raw.trim();
    (!code.is_empty()
        && code.len() <= MAX_DISCOUNT_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| code.to_ascii_uppercase())
}

/// How a discount code takes money off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    /// `value` in basis points of the subtotal (1000 = 10 %), rounded half up.
    Percent,
    /// `value` in minor units of the shop's currency, at most the subtotal.
    Fixed,
}

/// A discount code as the owner sees and creates it (`/admin/discounts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCode {
    /// The code, upper case (codes compare without regard to case).
    pub code: String,
    /// Percentage or fixed amount.
    pub kind: DiscountKind,
    /// Basis points for [`DiscountKind::Percent`], minor units for [`DiscountKind::Fixed`].
    pub value: i64,
    /// Minimum subtotal (minor units) the lines must reach; 0 for none.
    #[serde(default)]
    pub min_subtotal: i64,
    /// RFC 3339 UTC; absent when creating: now.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// RFC 3339 UTC, exclusive; absent: no end.
    #[serde(default)]
    pub ends_at: Option<String>,
    /// Most orders that may hold the code at once; `None`: no limit.
    #[serde(default)]
    pub max_uses: Option<i64>,
    /// Most orders one email address may hold it on; `None`: no limit.
    #[serde(default)]
    pub max_uses_per_email: Option<i64>,
    /// Orders holding the code now (cancelled orders give theirs back); ignored on create.
    #[serde(default)]
    pub uses: i64,
    /// A deactivated code never applies again (codes are never deleted).
    #[serde(default = "yes")]
    pub active: bool,
}

impl DiscountCode {
    /// Whether the code applies at `now` (RFC 3339 UTC, as stored) by its own rules.
    pub fn state_at(&self, now: &str) -> DiscountState {
        if !self.active {
            DiscountState::Deactivated
        } else if self.starts_at.as_deref().is_some_and(|start| now < start) {
            DiscountState::NotYetValid
        } else if self.ends_at.as_deref().is_some_and(|end| now >= end) {
            DiscountState::Expired
        } else if self.max_uses.is_some_and(|max| self.uses >= max) {
            DiscountState::UsedUp
        } else {
            DiscountState::Active
        }
    }
}

fn yes() -> bool {
    true
}

/// `POST /admin/discounts/{code}`: the fields to change; absent ones stay. `ends_at`,
/// `max_uses` and `max_uses_per_email` take `null` to remove the limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DiscountChange {
    /// A new value (basis points or minor units, by the code's kind).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<i64>,
    /// A new minimum subtotal, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_subtotal: Option<i64>,
    /// A new first moment of validity (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_with_null"
    )]
    /// A new end (RFC 3339 UTC, exclusive); `Some(None)` removes it.
    pub ends_at: Option<Option<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_with_null"
    )]
    /// A new overall usage limit; `Some(None)` removes it.
    pub max_uses: Option<Option<i64>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_with_null"
    )]
    /// A new per-email usage limit; `Some(None)` removes it.
    pub max_uses_per_email: Option<Option<i64>>,
    /// Activate or deactivate the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `Option<Option<T>>` fields: absent = `None`, `null` = `Some(None)`.
mod serde_with_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Every discount code, newest first, and the latest refused guesses
/// (`GET /admin/discounts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountList {
    /// Every code, newest first.
    pub discounts: Vec<ListedDiscount>,
    /// Newest first, from the last [`KEEP_REFUSED_SECONDS`](crate::discount_attempts::KEEP_REFUSED_SECONDS), at most
    /// [`MAX_LISTED_REFUSALS`].
    #[serde(default)]
    pub refused: Vec<RefusedAttempt>,
}

/// Most refused guesses the owner's list shows.
pub const MAX_LISTED_REFUSALS: i64 = 20;

/// A discount code in the owner's list: the code, whether a shopper can use it now and,
/// if not, why, and how many guesses of it were refused in the last
/// [`KEEP_REFUSED_SECONDS`](crate::discount_attempts::KEEP_REFUSED_SECONDS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedDiscount {
    /// The code as stored.
    #[serde(flatten)]
    pub discount: DiscountCode,
    /// Whether it applies now, and if not, why.
    pub state: DiscountState,
    /// Guesses of this code refused lately.
    pub refused_attempts: i64,
}

/// Whether a code applies now, by its own rules (the minimum and the per-customer limit
/// depend on the order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountState {
    /// Applies (subject to the order's minimum and per-customer limit).
    Active,
    /// Deactivated by the owner.
    Deactivated,
    /// Its first day has not come yet.
    NotYetValid,
    /// Its end has passed.
    Expired,
    /// Its overall usage limit is reached.
    UsedUp,
}

impl DiscountState {
    /// As the owner's list says it.
    pub fn describe(self) -> &'static str {
        match self {
            DiscountState::Active => "active",
            DiscountState::Deactivated => "deactivated",
            DiscountState::NotYetValid => "not valid yet",
            DiscountState::Expired => "expired",
            DiscountState::UsedUp => "used up",
        }
    }
}

/// How a shipping method is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShippingKind {
    /// Always `amount`.
    Flat,
    /// `amount`, free when the subtotal after discount reaches `threshold`.
    FreeAbove,
    /// `amount` plus `per_kg_amount` for each started kilogram of the lines' weight.
    ByWeight,
}

/// A shipping method as the owner sees it (`GET /admin/shipping`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingMethod {
    /// Stable code the checkout form posts back, e.g. "de-standard".
    pub code: String,
    /// Shopper-facing name.
    pub name: String,
    /// How it is priced.
    pub kind: ShippingKind,
    /// Minor units of the shop's currency.
    pub amount: i64,
    /// Subtotal after discount from which it is free ([`ShippingKind::FreeAbove`] only).
    #[serde(default)]
    pub threshold: Option<i64>,
    /// Added per started kilogram ([`ShippingKind::ByWeight`] only).
    #[serde(default)]
    pub per_kg_amount: i64,
    /// Whether checkout offers it.
    pub active: bool,
}

/// A shipping zone: its countries and methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingZone {
    /// The zone's id (the owner's forms name it); absent in older answers.
    #[serde(default)]
    pub id: i64,
    /// The zone's name, e.g. "EU".
    pub name: String,
    /// ISO 3166-1 alpha-2 codes of the countries in it (each country in at most one zone).
    pub countries: Vec<String>,
    /// The methods that ship there.
    pub methods: Vec<ShippingMethod>,
}

/// `GET /admin/shipping`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingZones {
    /// Every zone.
    pub zones: Vec<ShippingZone>,
}

/// `POST /admin/shipping/zones` and `POST /admin/shipping/zones/{id}`: a zone's name and
/// its countries (ISO 3166-1 alpha-2; each country in one zone only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneInput {
    /// 1 to 100 characters, unique among the zones.
    pub name: String,
    /// The countries it ships to (may be empty: a zone being set up ships nowhere).
    pub countries: Vec<String>,
}

/// Most countries one zone lists (there are fewer than 250 countries).
pub const MAX_ZONE_COUNTRIES: usize = 250;
/// Most shipping zones a shop holds.
pub const MAX_SHIPPING_ZONES: i64 = 50;
/// Most shipping methods a shop holds, over all zones.
pub const MAX_SHIPPING_METHODS: i64 = 200;

/// Country codes as the owner typed them ("de, AT fr"): split on commas and white space,
/// upper-cased, repeats dropped, in the order typed.
pub fn country_list(typed: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in typed
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
    {
        let code = code.to_ascii_uppercase();
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// What is wrong with a zone's `countries`, if any code is no country: "XX is not a
/// two-letter country code…", naming each such code.
pub fn unknown_countries(countries: &[String]) -> Option<String> {
    let unknown: Vec<&str> = countries
        .iter()
        .filter(|c| crate::countries::name(c).is_none())
        .map(String::as_str)
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "{} {} not a two-letter country code (ISO 3166-1); use codes such as DE, AT or FR",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" }
        )
    })
}

/// `POST /admin/shipping/methods/{code}`: the fields to change; absent ones stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ShippingMethodChange {
    /// A new way of pricing: changing to `free_above` needs a `threshold` (given here or
    /// kept); changing away from it drops the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ShippingKind>,
    /// A new shopper-facing name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new base price, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    /// Only for `free_above` methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    /// Only for `by_weight` methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_kg_amount: Option<i64>,
    /// Whether checkout offers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A destination's tax rate (`GET /admin/tax-rates`, `POST /admin/tax-rates/{country}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    /// ISO 3166-1 alpha-2 (from the path on a change).
    #[serde(default)]
    pub country: String,
    /// E.g. "VAT".
    pub name: String,
    /// Basis points, 0..=10000.
    pub rate_bp: u32,
}

/// `GET /admin/tax-rates`, by country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRates {
    /// Every rate, by country.
    pub rates: Vec<TaxRate>,
}

/// "19 %", "25.5 %": a rate in basis points as shoppers read it.
pub fn percent(rate_bp: u32) -> String {
    let whole = rate_bp / 100;
    let frac = rate_bp % 100;
    if frac == 0 {
        format!("{whole} %")
    } else if frac.is_multiple_of(10) {
        format!("{whole}.{} %", frac / 10)
    } else {
        format!("{whole}.{frac:02} %")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_percentages() {
        assert_eq!(
            normalize_discount_code(" welcome10 "),
            Some("WELCOME10".into())
        );
        assert_eq!(normalize_discount_code("no spaces"), None);
        assert_eq!(normalize_discount_code(""), None);
        assert_eq!(normalize_discount_code(&"A".repeat(33)), None);
        assert_eq!(percent(1900), "19 %");
        assert_eq!(percent(2550), "25.5 %");
        assert_eq!(percent(725), "7.25 %");
    }

    #[test]
    fn country_lists_as_typed() {
        assert_eq!(country_list(" de, AT fr;at "), vec!["DE", "AT", "FR"]);
        assert!(country_list(" , ").is_empty());
        assert_eq!(unknown_countries(&["DE".into()]), None);
        assert!(
            unknown_countries(&["DE".into(), "QQ".into()])
                .unwrap()
                .starts_with("QQ is not")
        );
    }

    #[test]
    fn a_change_tells_null_from_absent() {
        let c: DiscountChange = serde_json::from_str(r#"{"ends_at": null}"#).unwrap();
        assert_eq!(c.ends_at, Some(None));
        assert_eq!(c.max_uses, None);
    }
}
