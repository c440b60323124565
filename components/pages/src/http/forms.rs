//! Parsing of the shop's HTML forms (`application/x-www-form-urlencoded`) into typed
//! values, with shopper-facing messages for what does not parse.
//!
//! Checkout input names are the domain's field names (`email`, `address.city`, …), so
//! `OrderRequest::validate` errors land next to the right input without a mapping table.

use serde::{Deserialize, Serialize};
use storefront_domain::catalog::{MAX_OPTION_TEXT, valid_sku};
use storefront_domain::order::{LineRequest, MAX_LINES, valid_slug};
use storefront_domain::{Address, OrderRequest, Quantity};

/// A decoded form body. The first value of a repeated name wins.
#[derive(Debug, Clone, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in the order sent.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
}

/// What is wrong with a cart form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// The product or variant is missing or cannot name any.
    Item,
    /// Shopper-facing explanation.
    Quantity(String),
}

const QUANTITY_MESSAGE: &str = "Quantity must be a whole number from 1 to 99.";

/// A quantity typed into a form: 1..=99.
pub fn quantity(raw: Option<&str>) -> Result<Quantity, FormError> {
    raw.and_then(|r| r.trim().parse::<i64>().ok())
        .and_then(|n| Quantity::new(n).ok())
        .ok_or_else(|| FormError::Quantity(QUANTITY_MESSAGE.into()))
}

/// A quantity for the update form, where 0 means "remove" (`None`).
pub fn new_quantity(raw: Option<&str>) -> Result<Option<Quantity>, FormError> {
    match raw.map(str::trim) {
        Some("0") => Ok(None),
        _ => quantity(raw).map(Some).map_err(|_| {
            FormError::Quantity(
                "Quantity must be a whole number from 0 to 99 (0 removes the product).".into(),
            )
        }),
    }
}

/// `POST /cart/add`: what to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddToCart {
    /// The product whose page (or card) the form was on.
    pub slug: String,
    /// The variant chosen there; `None` (forms from before variants): the product's
    /// default variant.
    pub sku: Option<String>,
    /// The option values chosen on a product page (`option.Size=1 kg`), as (option name,
    /// value); when given, they decide the variant (the writer resolves them), not `sku`.
    pub options: Vec<(String, String)>,
    /// The product page's "Show" button: show the chosen variant instead of adding it.
    pub show: bool,
    pub quantity: Quantity,
}

/// The prefix of a product page's option fields (`option.Size`), so no option name can
/// be taken for one of the form's own fields.
pub const OPTION_FIELD: &str = "option.";

/// The cart line a form names: `sku`, or `slug` in forms rendered before variants (a
/// product's slug is its migrated variant's SKU).
fn line(form: &Form) -> Result<String, FormError> {
    match form.get("sku").or_else(|| form.get("slug")) {
        Some(s) if valid_sku(s) => Ok(s.to_string()),
        _ => Err(FormError::Item),
    }
}

/// `POST /cart/add`: `slug`, optional `sku` or `option.{name}` values, `quantity`, and
/// `show` when the product page's "Show" button was pressed.
pub fn add(form: &Form) -> Result<AddToCart, FormError> {
    let slug = match form.get("slug") {
        Some(s) if valid_slug(s) => s.to_string(),
        _ => return Err(FormError::Item),
    };
    let sku = match form.get("sku") {
        None => None,
        Some(s) if valid_sku(s) => Some(s.to_string()),
        Some(_) => return Err(FormError::Item),
    };
    let options: Vec<(String, String)> = form
        .0
        .iter()
        .filter_map(|(name, value)| Some((name.strip_prefix(OPTION_FIELD)?, value)))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    // More fields than a product can have options is not a form we rendered.
    if options.len() > storefront_domain::catalog::MAX_OPTIONS
        || options.iter().any(|(n, v)| {
            n.chars().count() > MAX_OPTION_TEXT || v.chars().count() > MAX_OPTION_TEXT
        })
    {
        return Err(FormError::Item);
    }
    let show = form.get("show").is_some();
    Ok(AddToCart {
        slug,
        sku,
        options,
        show,
        // "Show" adds nothing, so its quantity is not checked.
        quantity: match show {
            true => Quantity::new(1).map_err(FormError::Quantity)?,
            false => quantity(form.get("quantity"))?,
        },
    })
}

/// `POST /cart/update`: the whole cart in one form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CartUpdate {
    /// Each line's new quantity (`None`: remove it), from `sku`/`quantity` pairs in form
    /// order (a form from before the one-form cart names one line by `slug`).
    pub lines: Vec<(String, Option<Quantity>)>,
    /// The line whose "Remove" button was pressed (`remove=SKU`).
    pub remove: Option<String>,
    /// A stock fix that was pressed (`set=SKU:N`, "Only 3 left — set to 3").
    pub set: Option<(String, Quantity)>,
}

/// Parses `POST /cart/update`. Every quantity must be valid (0 removes); a button's
/// line must be a SKU.
pub fn update(form: &Form) -> Result<CartUpdate, FormError> {
    let mut skus: Vec<&str> = form.all("sku").collect();
    if skus.is_empty() {
        skus = form.all("slug").collect();
    }
    let quantities: Vec<&str> = form.all("quantity").collect();
    if skus.len() != quantities.len() || skus.len() > MAX_LINES {
        return Err(FormError::Item);
    }
    let mut update = CartUpdate::default();
    for (sku, quantity) in skus.into_iter().zip(quantities) {
        if !valid_sku(sku) {
            return Err(FormError::Item);
        }
        update
            .lines
            .push((sku.to_string(), new_quantity(Some(quantity))?));
    }
    if let Some(sku) = form.get("remove") {
        if !valid_sku(sku) {
            return Err(FormError::Item);
        }
        update.remove = Some(sku.to_string());
    }
    if let Some(set) = form.get("set") {
        let (sku, n) = set.rsplit_once(':').ok_or(FormError::Item)?;
        if !valid_sku(sku) {
            return Err(FormError::Item);
        }
        update.set = Some((sku.to_string(), quantity(Some(n))?));
    }
    if update.lines.is_empty() && update.remove.is_none() && update.set.is_none() {
        return Err(FormError::Item);
    }
    Ok(update)
}

/// `POST /cart/remove`: `sku`.
pub fn remove(form: &Form) -> Result<String, FormError> {
    line(form)
}

/// What a checkout submit asks for: the button pressed (`action`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CheckoutAction {
    /// "Place order" (also Enter in a field, and forms without `action`).
    #[default]
    Place,
    /// "Update shipping": price the methods for the chosen country (no JavaScript needed).
    Shipping,
    /// "Apply" next to the discount code.
    Discount,
    /// "Edit cart": keep what was typed and go to the cart.
    EditCart,
}

/// The checkout form as typed, kept verbatim so it can be shown again after errors, and
/// (without the key, the terms box and the button) kept across a cart fix in a signed,
/// short-lived cookie.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkout {
    pub email: String,
    pub name: String,
    pub address: Address,
    /// A shipping method code from the quote.
    #[serde(default)]
    pub shipping_method: String,
    #[serde(default)]
    pub discount_code: String,
    /// Optional.
    #[serde(default)]
    pub phone: String,
    /// The billing address as typed (`billing.line1`, …); used only when
    /// `billing_separate`.
    #[serde(default)]
    pub billing: Address,
    /// "Billing address same as shipping" was unticked (the form says it carries the box
    /// with `billing_form`; a form without it bills the shipping address).
    #[serde(default)]
    pub billing_separate: bool,
    /// The shopper's note to the shop (the checkout's textarea); optional.
    #[serde(default)]
    pub note: String,
    #[serde(skip)]
    pub terms: bool,
    #[serde(skip)]
    pub idempotency_key: String,
    #[serde(skip)]
    pub action: CheckoutAction,
}

impl Checkout {
    pub fn parse(form: &Form) -> Checkout {
        Checkout {
            email: form.text("email"),
            name: form.text("name"),
            address: Address {
                line1: form.text("address.line1"),
                line2: form.text("address.line2"),
                city: form.text("address.city"),
                postal_code: form.text("address.postal_code"),
                country: form.text("address.country"),
                state: form.text("address.state"),
            },
            shipping_method: form.text("shipping_method"),
            discount_code: form.text("discount_code"),
            phone: form.text("phone"),
            billing: Address {
                line1: form.text("billing.line1"),
                line2: form.text("billing.line2"),
                city: form.text("billing.city"),
                postal_code: form.text("billing.postal_code"),
                country: form.text("billing.country"),
                state: form.text("billing.state"),
            },
            billing_separate: form.get("billing_form").is_some()
                && form.get("billing_same").is_none(),
            note: form.text("note"),
            terms: form.get("terms").is_some(),
            idempotency_key: form.text("idempotency_key"),
            action: match form.get("action") {
                Some("shipping") => CheckoutAction::Shipping,
                Some("discount") => CheckoutAction::Discount,
                Some("cart") => CheckoutAction::EditCart,
                _ => CheckoutAction::Place,
            },
        }
    }

    /// Whether the form holds anything worth keeping across a cart fix.
    pub fn is_typed(&self) -> bool {
        let a = &self.address;
        [
            &self.email,
            &self.name,
            &a.line1,
            &a.line2,
            &a.city,
            &a.postal_code,
            &a.country,
            &a.state,
            &self.phone,
            &self.discount_code,
            &self.note,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }

    /// The order request for these details and the cart's lines.
    pub fn order_request(&self, items: Vec<LineRequest>) -> OrderRequest {
        OrderRequest {
            email: self.email.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            items,
            shipping_method: self.shipping_method.trim().to_string(),
            discount_code: self.discount_code.trim().to_string(),
            phone: self.phone.trim().to_string(),
            billing: self.billing_separate.then(|| self.billing.clone()),
            note: self.note.clone(),
            // The page's language, set by the checkout ([`crate::shop::Shop::lang`]).
            locale: Default::default(),
        }
    }
}

/// Idempotency keys we generate are 32 hex characters; accept any short token of
/// URL-safe characters so a key always fits in a header unchanged.
pub fn valid_idempotency_key(key: &str) -> bool {
    (16..=storefront_domain::MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_urlencoded_bodies() {
        let f = Form::parse(b"slug=espresso-cup&quantity=2&csrf=a%2Bb&csrf=second");
        assert_eq!(f.get("slug"), Some("espresso-cup"));
        assert_eq!(f.get("csrf"), Some("a+b"));
        assert_eq!(f.get("missing"), None);
        let two = Quantity::new(2).unwrap();
        assert_eq!(
            add(&f),
            Ok(AddToCart {
                slug: "espresso-cup".into(),
                sku: None,
                options: vec![],
                show: false,
                quantity: two
            })
        );
        let f = Form::parse(b"slug=kenya&sku=kenya-1kg-filter&quantity=2");
        assert_eq!(add(&f).unwrap().sku.as_deref(), Some("kenya-1kg-filter"));
    }

    #[test]
    fn a_product_page_form_carries_the_chosen_values() {
        let f = Form::parse(b"slug=kenya&option.Size=1+kg&option.Grind=Filter&quantity=2");
        let wanted = add(&f).unwrap();
        assert_eq!(
            wanted.options,
            [
                ("Size".into(), "1 kg".into()),
                ("Grind".into(), "Filter".into())
            ]
        );
        assert!(!wanted.show);
        let f = Form::parse(b"slug=kenya&option.Size=1+kg&show=1&quantity=");
        assert!(add(&f).unwrap().show);
        let f = Form::parse(b"slug=k&option.a=1&option.b=1&option.c=1&option.d=1&quantity=1");
        assert_eq!(add(&f), Err(FormError::Item));
    }

    #[test]
    fn quantity_bounds() {
        assert_eq!(quantity(Some(" 99 ")).unwrap().get(), 99);
        assert_eq!(quantity(Some("1")).unwrap().get(), 1);
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("100"),
            Some("-1"),
            Some("2.5"),
            Some("two"),
        ] {
            assert!(
                matches!(quantity(bad), Err(FormError::Quantity(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn update_accepts_zero_as_remove() {
        assert_eq!(new_quantity(Some("0")), Ok(None));
        assert_eq!(new_quantity(Some("5")), Ok(Some(Quantity::new(5).unwrap())));
        assert!(new_quantity(Some("100")).is_err());
        assert!(new_quantity(Some("-0")).is_err());
        let f = Form::parse(b"sku=mug-blue&quantity=0");
        assert_eq!(update(&f).unwrap().lines, [("mug-blue".into(), None)]);
        // A form rendered before variants names the product: its migrated variant's SKU.
        let f = Form::parse(b"slug=mug&quantity=0");
        assert_eq!(update(&f).unwrap().lines, [("mug".into(), None)]);
    }

    #[test]
    fn the_cart_form_updates_every_line_and_knows_its_buttons() {
        let q = |n| Quantity::new(n).unwrap();
        let f = Form::parse(b"sku=a&quantity=2&sku=b&quantity=5&set=b%3A3");
        let u = update(&f).unwrap();
        assert_eq!(
            u.lines,
            [("a".into(), Some(q(2))), ("b".into(), Some(q(5)))]
        );
        assert_eq!(u.set, Some(("b".into(), q(3))));
        let u = update(&Form::parse(b"sku=a&quantity=2&remove=a")).unwrap();
        assert_eq!(u.remove.as_deref(), Some("a"));
        for bad in [
            &b"sku=a&quantity=2&sku=b"[..],
            b"sku=a&quantity=x",
            b"sku=a&quantity=1&set=a%3A0",
            b"sku=a&quantity=1&remove=%3Cb%3E",
            b"",
        ] {
            assert!(update(&Form::parse(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_slugs_are_rejected_before_quantity() {
        for body in [
            &b"quantity=1"[..],
            b"slug=Bad%20Slug&quantity=1",
            b"slug=&quantity=x",
            b"slug=mug&sku=%3Cb%3E&quantity=1",
        ] {
            assert_eq!(add(&Form::parse(body)), Err(FormError::Item));
        }
        assert_eq!(remove(&Form::parse(b"slug=mug")), Ok("mug".into()));
    }

    #[test]
    fn checkout_form_maps_to_an_order_request() {
        let f = Form::parse(
            b"email=ada%40example.com&name=Ada&address.line1=1+Main+St&address.city=London\
              &address.postal_code=N1+9GU&address.country=gb&idempotency_key=0123456789abcdef0123456789abcdef",
        );
        let c = Checkout::parse(&f);
        assert_eq!(c.address.line2, "");
        assert_eq!(c.idempotency_key.len(), 32);
        let items = vec![LineRequest {
            sku: String::new(),
            slug: "mug".into(),
            quantity: 1,
        }];
        let valid = c.order_request(items).validate().unwrap();
        assert_eq!(valid.email, "ada@example.com");
        assert_eq!(valid.address.country, "GB");
    }

    #[test]
    fn missing_checkout_fields_surface_as_domain_field_errors() {
        let c = Checkout::parse(&Form::parse(b"email=nope"));
        let errors = c.order_request(Vec::new()).validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "email",
            "name",
            "address.line1",
            "address.city",
            "address.postal_code",
            "address.country",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn idempotency_keys() {
        assert!(valid_idempotency_key("0123456789abcdef0123456789abcdef"));
        assert!(!valid_idempotency_key(""));
        assert!(!valid_idempotency_key("short"));
        assert!(!valid_idempotency_key("0123456789abcdef 123456789abcdef"));
        assert!(!valid_idempotency_key(&"a".repeat(256)));
    }
}
