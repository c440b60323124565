//! Order requests (what a shopper asks for), their validation, and the order state machine.

use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Most lines one order (or cart) may hold.
pub const MAX_LINES: usize = 50;

/// A problem with one input field, shown next to it in forms and listed in JSON errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name as the form or JSON names it, e.g. `address.postal_code`.
    pub field: String,
    /// What is wrong, in words for the person who typed it.
    pub message: String,
}

/// The parameters of a URL query string in order, each name at most once: a repeated name
/// is an error at that field ("must be given once") and only its first value is kept.
pub fn query_params(query: &str, errors: &mut Vec<FieldError>) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if params.iter().any(|(seen, _)| *seen == name) {
            errors.push(FieldError::new(name.as_ref(), "must be given once"));
            continue;
        }
        params.push((name.into_owned(), value.into_owned()));
    }
    params
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Shipping address as typed by the shopper.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// Anything else the address needs; may be empty.
    #[serde(default)]
    pub line2: String,
    /// Town or city.
    pub city: String,
    /// Postcode as typed (validation normalises it to the country's format when it has one).
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code, e.g. "DE".
    pub country: String,
    /// State, province or territory: required where addresses need one
    /// ([`crate::countries::needs_state`]), optional elsewhere.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
}

/// One requested line: quantities arrive as plain integers so that a negative or
/// absurd value gets a field message rather than a JSON type error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRequest {
    /// The variant to buy. Give this or `slug`, not both.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sku: String,
    /// A product: buys its default variant (its first active one). For clients that predate
    /// variants and for products without options.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub slug: String,
    /// Units wanted (1..=99 once validated).
    pub quantity: i64,
}

/// The body of `POST /api/orders` and of the writer's place-order command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The shopper's email address.
    pub email: String,
    /// The name on the order.
    pub name: String,
    /// Where it ships to.
    pub address: Address,
    /// The lines (at most [`MAX_LINES`]).
    pub items: Vec<LineRequest>,
    /// A shipping method code from the quote; empty: the cheapest method to the country.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shipping_method: String,
    /// A discount code; a code that does not apply refuses the order with a field error on
    /// `discount_code` (the shopper saw the quote's `discount_error` first).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub discount_code: String,
    /// A phone number for the carrier; optional.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// Where the invoice goes, when it is not the shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Address>,
    /// The shopper's note to the shop (at most
    /// [`crate::order_notes::MAX_ORDER_NOTE`] characters); optional.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The language the shopper placed the order in (the shop page's); its emails speak it.
    #[serde(default, skip_serializing_if = "crate::locale::Locale::is_default")]
    pub locale: crate::locale::Locale,
}

/// A validated line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLine {
    /// The variant's SKU, or empty when the line names a product by `slug`.
    pub sku: String,
    /// The product's slug, or empty when the line names a variant by `sku`.
    pub slug: String,
    /// Units wanted.
    pub quantity: Quantity,
}

/// An order request that passed [`OrderRequest::validate`]: trimmed, bounded, well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidOrder {
    /// The shopper's email address, trimmed.
    pub email: String,
    /// The name on the order, trimmed.
    pub name: String,
    /// Where it ships to, trimmed and normalised.
    pub address: Address,
    /// The phone number, trimmed; may be empty.
    pub phone: String,
    /// The billing address when it differs from the shipping address.
    pub billing: Option<Address>,
    /// The lines, one per variant or product.
    pub lines: Vec<ValidLine>,
    /// The shopper's note, trimmed, line ends `\n`; may be empty.
    pub note: String,
    /// The language the order is placed in.
    pub locale: crate::locale::Locale,
}

/// Longest phone number, in characters.
pub const MAX_PHONE: usize = 30;

/// Checks an address whose inputs are named `{prefix}.line1`, … (`address` for shipping,
/// `billing` for billing): trimmed, bounded, the postcode in the country's format
/// (optional where the country has none), the state where the country needs one.
fn validate_address(errors: &mut Vec<FieldError>, prefix: &str, a: &Address) -> Address {
    let field = |name: &str| format!("{prefix}.{name}");
    let country = a.country.trim().to_ascii_uppercase();
    let postcode_required = !crate::countries::postcode_optional(&country);
    let mut address = Address {
        line1: bounded_text(errors, &field("line1"), &a.line1, true, 200),
        line2: bounded_text(errors, &field("line2"), &a.line2, false, 200),
        city: bounded_text(errors, &field("city"), &a.city, true, 100),
        postal_code: bounded_text(
            errors,
            &field("postal_code"),
            &a.postal_code,
            postcode_required,
            20,
        ),
        state: bounded_text(
            errors,
            &field("state"),
            &a.state,
            crate::countries::needs_state(&country),
            100,
        ),
        country: bounded_text(errors, &field("country"), &a.country, true, 2).to_ascii_uppercase(),
    };
    let country_flagged = errors.iter().any(|e| e.field == field("country"));
    if !country_flagged && !address.country.is_empty() {
        if crate::countries::name(&address.country).is_none() {
            errors.push(FieldError::new(
                field("country"),
                "is not a country we know; choose one from the list (ISO code such as DE or US)",
            ));
        } else if !errors.iter().any(|e| e.field == field("postal_code"))
            && !address.postal_code.is_empty()
        {
            match crate::countries::normalize_postcode(&address.country, &address.postal_code) {
                Ok(postcode) => address.postal_code = postcode,
                Err(message) => errors.push(FieldError::new(field("postal_code"), message)),
            }
        }
    }
    address
}

/// A phone number: optional; digits with spaces and `+ - ( ) .` only, 6 to 20 digits.
fn validate_phone(errors: &mut Vec<FieldError>, raw: &str) -> String {
    let phone = bounded_text(errors, "phone", raw, false, MAX_PHONE);
    if phone.is_empty() || errors.iter().any(|e| e.field == "phone") {
        return phone;
    }
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !allowed || !(6..=20).contains(&digits) {
        errors.push(FieldError::new(
            "phone",
            "is not a phone number we can use; type digits, with spaces or + - ( ) if you like",
        ));
    }
    phone
}

/// Longest name on an order, in characters.
pub const MAX_NAME: usize = 100;

/// Characters that reorder the text around them without showing (Unicode's
/// bidirectional controls): in a name or an address they can make an email or the back
/// office display something other than what was typed.
fn reorders_text(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn bounded_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    } else if v.chars().any(|c| c.is_control()) {
        errors.push(FieldError::new(field, "contains control characters"));
    } else if v.chars().any(reorders_text) {
        errors.push(FieldError::new(
            field,
            "contains invisible characters that change the reading direction",
        ));
    }
    v.to_string()
}

/// Why `name` cannot be the name on an order, if it cannot: the shop writes it into
/// emails to an address the same person chose, so it may not carry a link, an email
/// address or markup that would read as the shop's own words.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let linkish = lower.contains("://") || lower.contains("www.") || name.contains('@');
    (linkish || name.contains(['<', '>']))
        .then_some("may hold letters, spaces and punctuation, but no links, email addresses or <>")
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.len() <= 254
}

/// A product slug: lower-case ASCII letters, digits and dashes, 1..=64 characters.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Validates the line list alone (used for carts and quotes too).
pub fn validate_lines(items: &[LineRequest]) -> Result<Vec<ValidLine>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if items.is_empty() {
        errors.push(FieldError::new("items", "at least one item is required"));
    }
    if items.len() > MAX_LINES {
        errors.push(FieldError::new(
            "items",
            format!("at most {MAX_LINES} lines per order"),
        ));
        return Err(errors);
    }
    let mut seen = BTreeSet::new();
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (field, target, valid) = match (item.sku.is_empty(), item.slug.is_empty()) {
            (false, true) => ("sku", &item.sku, crate::catalog::valid_sku(&item.sku)),
            (true, false) => ("slug", &item.slug, valid_slug(&item.slug)),
            _ => {
                errors.push(FieldError::new(
                    format!("items[{i}].sku"),
                    "give the variant's sku (or a product's slug), not both or neither",
                ));
                continue;
            }
        };
        if !valid {
            errors.push(FieldError::new(
                format!("items[{i}].{field}"),
                format!(
                    "is not a valid {}",
                    if field == "sku" {
                        "SKU"
                    } else {
                        "product slug"
                    }
                ),
            ));
            continue;
        }
        if !seen.insert((field, target.as_str())) {
            errors.push(FieldError::new(
                format!("items[{i}].{field}"),
                format!("{target} appears twice; use one line per item"),
            ));
            continue;
        }
        match Quantity::new(item.quantity) {
            Ok(quantity) => lines.push(ValidLine {
                sku: item.sku.clone(),
                slug: item.slug.clone(),
                quantity,
            }),
            Err(message) => errors.push(FieldError::new(format!("items[{i}].quantity"), message)),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

/// Checks a name, an address and a phone as checkout does (the fields named `name`,
/// `address.*` and `phone`), for an address kept outside an order (a customer's saved
/// address); returns them cleaned, or every problem.
pub fn validate_contact(
    name: &str,
    address: &Address,
    phone: &str,
) -> Result<(String, Address, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = bounded_text(&mut errors, "name", name, true, MAX_NAME);
    if !errors.iter().any(|e| e.field == "name")
        && let Some(problem) = name_problem(&name)
    {
        errors.push(FieldError::new("name", problem));
    }
    let address = validate_address(&mut errors, "address", address);
    let phone = validate_phone(&mut errors, phone);
    if errors.is_empty() {
        Ok((name, address, phone))
    } else {
        Err(errors)
    }
}

impl OrderRequest {
    /// Checks every field; returns all problems at once so a form can show them together.
    pub fn validate(&self) -> Result<ValidOrder, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = bounded_text(&mut errors, "email", &self.email, true, 254);
        if !email.is_empty() && !errors.iter().any(|e| e.field == "email") && !valid_email(&email) {
            errors.push(FieldError::new("email", "is not a valid email address"));
        }
        let name = bounded_text(&mut errors, "name", &self.name, true, MAX_NAME);
        if !errors.iter().any(|e| e.field == "name")
            && let Some(problem) = name_problem(&name)
        {
            errors.push(FieldError::new("name", problem));
        }
        let address = validate_address(&mut errors, "address", &self.address);
        let phone = validate_phone(&mut errors, &self.phone);
        let billing = self
            .billing
            .as_ref()
            .map(|b| validate_address(&mut errors, "billing", b));
        let note =
            crate::order_notes::note_text("note", &self.note, crate::order_notes::MAX_ORDER_NOTE)
                .unwrap_or_else(|e| {
                    errors.push(e);
                    String::new()
                });
        let lines = match validate_lines(&self.items) {
            Ok(lines) => lines,
            Err(mut line_errors) => {
                errors.append(&mut line_errors);
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(ValidOrder {
                email,
                name,
                address,
                phone,
                billing,
                lines,
                note,
                locale: self.locale,
            })
        } else {
            Err(errors)
        }
    }
}

/// Where an order is in its life. Orders are never deleted; they only change state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Placed, stock reserved, not paid yet.
    PendingPayment,
    /// The provider confirmed the payment.
    Paid,
    /// Shipped by the owner.
    Fulfilled,
    /// Cancelled before payment; its stock went back.
    Cancelled,
    /// Its whole payment went back to the shopper.
    Refunded,
}

impl OrderState {
    /// Every state, in life order.
    pub const ALL: [OrderState; 5] = [
        OrderState::PendingPayment,
        OrderState::Paid,
        OrderState::Fulfilled,
        OrderState::Cancelled,
        OrderState::Refunded,
    ];

    /// As stored and in JSON, e.g. `pending_payment`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::PendingPayment => "pending_payment",
            OrderState::Paid => "paid",
            OrderState::Fulfilled => "fulfilled",
            OrderState::Cancelled => "cancelled",
            OrderState::Refunded => "refunded",
        }
    }

    /// The state stored as `s` ([`OrderState::as_str`]), if it is one.
    pub fn parse(s: &str) -> Option<OrderState> {
        OrderState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The legal transitions: pending_payment → paid → fulfilled,
    /// pending_payment → cancelled, paid → refunded.
    pub fn can_become(self, next: OrderState) -> bool {
        matches!(
            (self, next),
            (OrderState::PendingPayment, OrderState::Paid)
                | (OrderState::PendingPayment, OrderState::Cancelled)
                // A paid order not shipped yet: its money goes back and its goods to the
                // shelf in the same step (the writer's cancellation of a paid order).
                | (OrderState::Paid, OrderState::Cancelled)
                | (OrderState::Paid, OrderState::Fulfilled)
                | (OrderState::Paid, OrderState::Refunded)
                // A shipped order can be refunded (a return, a lost parcel).
                | (OrderState::Fulfilled, OrderState::Refunded)
        )
    }

    /// Whether stock reserved by the order goes back to the shelf on entering this state.
    pub fn releases_stock(self) -> bool {
        self == OrderState::Cancelled
    }

    /// Shopper-facing wording.
    pub fn label(self) -> &'static str {
        match self {
            OrderState::PendingPayment => "Awaiting payment",
            OrderState::Paid => "Paid",
            OrderState::Fulfilled => "Shipped",
            OrderState::Cancelled => "Cancelled",
            OrderState::Refunded => "Refunded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> OrderRequest {
        OrderRequest {
            email: " ada@example.com ".into(),
            name: "Ada Lovelace".into(),
            address: Address {
                line1: "1 Analytical St".into(),
                line2: String::new(),
                city: "London".into(),
                postal_code: "N1 9GU".into(),
                country: "gb".into(),
                state: String::new(),
            },
            items: vec![LineRequest {
                sku: String::new(),
                slug: "espresso-cup".into(),
                quantity: 2,
            }],
            shipping_method: String::new(),
            discount_code: String::new(),
            phone: String::new(),
            billing: None,
            note: String::new(),
            locale: Default::default(),
        }
    }

    #[test]
    fn fields_follow_the_country() {
        let mut r = request();
        r.address.country = "US".into();
        r.address.postal_code = "90210".into();
        let errors = r.validate().unwrap_err();
        assert_eq!(errors[0].field, "address.state");
        assert_eq!(errors[0].message, "is required");
        r.address.state = "CA".into();
        assert_eq!(r.validate().unwrap().address.state, "CA");
        // No postcode where the country has none.
        r.address = Address {
            country: "IE".into(),
            postal_code: String::new(),
            ..r.address.clone()
        };
        assert!(r.validate().is_ok());
        // Phone optional, but a phone when given.
        r.phone = "call me".into();
        assert_eq!(r.validate().unwrap_err()[0].field, "phone");
        r.phone = "+353 1 234 5678".into();
        assert_eq!(r.validate().unwrap().phone, "+353 1 234 5678");
        // A billing address is checked like the shipping one, at its own fields.
        r.billing = Some(Address {
            country: "DE".into(),
            postal_code: "1".into(),
            ..Address::default()
        });
        let fields: Vec<String> = r
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["billing.line1", "billing.city", "billing.postal_code"]
        );
    }

    #[test]
    fn valid_request_is_trimmed_and_normalised() {
        let v = request().validate().unwrap();
        assert_eq!(v.email, "ada@example.com");
        assert_eq!(v.address.country, "GB");
        assert_eq!(v.lines[0].quantity.get(), 2);
    }

    #[test]
    fn names_carry_no_links_addresses_markup_or_direction_tricks() {
        let problem = |name: &str| {
            let mut r = request();
            r.name = name.into();
            r.validate()
                .err()
                .and_then(|errors| errors.into_iter().find(|e| e.field == "name"))
                .map(|e| e.message)
        };
        for good in [
            "Zoë O'Brien-Smith",
            "José María (c/o Ana)",
            "李小龍",
            "Dr. A. B. Müller",
        ] {
            assert_eq!(problem(good), None, "{good}");
        }
        for bad in [
            "Your account is locked: visit https://evil.example",
            "see WWW.evil.example",
            "write to help@evil.example",
            "<b>Ada</b>",
            "Ada \u{202e}nimda",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        assert!(problem(&"a".repeat(MAX_NAME)).is_none());
        assert!(problem(&"a".repeat(MAX_NAME + 1)).is_some());
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut r = request();
        r.email = "not-an-email".into();
        r.name = " ".into();
        r.address.country = "Germany".into();
        r.address.city = "Berlin".into();
        r.items = vec![
            LineRequest {
                sku: String::new(),
                slug: "Bad Slug".into(),
                quantity: 1,
            },
            LineRequest {
                sku: String::new(),
                slug: "cup".into(),
                quantity: -1,
            },
            LineRequest {
                sku: String::new(),
                slug: "mug".into(),
                quantity: 1000,
            },
        ];
        let errors = r.validate().unwrap_err();
        assert_eq!(
            errors
                .iter()
                .filter(|e| e.field == "address.country")
                .count(),
            1,
            "one message per field"
        );
        let fields: Vec<String> = r
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for f in [
            "email",
            "name",
            "address.country",
            "items[0].slug",
            "items[1].quantity",
            "items[2].quantity",
        ] {
            assert!(
                fields.contains(&f.to_string()),
                "{f} missing from {fields:?}"
            );
        }
    }

    #[test]
    fn unknown_country_and_bad_postcode_are_refused() {
        let mut r = request();
        r.address.country = "zz".into();
        let errors = r.validate().unwrap_err();
        assert!(
            errors.iter().any(|e| e.field == "address.country"),
            "{errors:?}"
        );
        r.address.country = "de".into();
        r.address.postal_code = "!!".into();
        let errors = r.validate().unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "address.postal_code");
        r.address.postal_code = "10115".into();
        assert_eq!(r.validate().unwrap().address.postal_code, "10115");
        r.address.country = "gb".into();
        r.address.postal_code = "n19gu".into();
        assert_eq!(r.validate().unwrap().address.postal_code, "N1 9GU");
    }

    #[test]
    fn line_limits() {
        let many: Vec<LineRequest> = (0..51)
            .map(|i| LineRequest {
                sku: String::new(),
                slug: format!("p{i}"),
                quantity: 1,
            })
            .collect();
        assert!(validate_lines(&many).is_err());
        assert!(validate_lines(&[]).is_err());
        let dup = vec![
            LineRequest {
                sku: String::new(),
                slug: "a".into(),
                quantity: 1,
            },
            LineRequest {
                sku: String::new(),
                slug: "a".into(),
                quantity: 1,
            },
        ];
        assert!(validate_lines(&dup).is_err());
    }

    #[test]
    fn state_machine() {
        use OrderState::*;
        assert!(PendingPayment.can_become(Paid));
        assert!(PendingPayment.can_become(Cancelled));
        assert!(Paid.can_become(Fulfilled));
        assert!(Paid.can_become(Refunded));
        assert!(Paid.can_become(Cancelled));
        assert!(!Cancelled.can_become(Paid));
        assert!(Fulfilled.can_become(Refunded));
        assert!(!Fulfilled.can_become(Cancelled));
        assert!(!PendingPayment.can_become(Fulfilled));
        for s in OrderState::ALL {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
        }
    }
}
