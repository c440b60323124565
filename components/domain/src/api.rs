//! JSON shapes exchanged between pages and writer (and, for most, shown on the public API).

use crate::checkout::{AppliedDiscount, ShippingOption, Totals};
use crate::money::Money;
use crate::order::{Address, FieldError, LineRequest, OrderState};
use serde::{Deserialize, Serialize};

/// Header carrying the shared writer token (`Authorization: Bearer <writer_token>`).
pub const AUTHORIZATION: &str = "authorization";
/// Header carrying a command's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Header the writer sets on a replayed (already applied) command's response.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";
/// Longest accepted idempotency key.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// `POST /orders/quote` body: price these lines from the catalog, and (when `country` is
/// given) the shipping, tax and discount an order of them would get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct QuoteRequest {
    /// The lines to price.
    pub items: Vec<LineRequest>,
    /// ISO 3166-1 alpha-2 destination; empty: no shipping options, tax at the shop's
    /// home rate (the writer documents which).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    /// A [`ShippingOption::code`]; empty or unknown: the cheapest option for the country.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shipping_method: String,
    /// As typed by the shopper (the writer trims and compares without regard to case).
    /// The per-customer limit is checked when the order is placed, never on a quote, so
    /// that a quote cannot tell whether an address has used a code.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub discount_code: String,
}

/// One priced line of a quote or an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// The product's slug.
    pub slug: String,
    /// The product's name when the line was priced.
    pub name: String,
    /// The variant's SKU (orders placed before variants existed: the migrated variant's).
    #[serde(default)]
    pub sku: String,
    /// The variant's title, e.g. "1 kg / Filter"; empty for a product without options.
    #[serde(default)]
    pub variant: String,
    /// Units ordered (1..=99).
    pub quantity: i64,
    /// The variant's price for one unit.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub line_total: Money,
    /// Units of the variant on the shelf now (quotes only; absent on orders). A quote never
    /// refuses a line for stock: the pages show "only N left" with a fix; placing the order
    /// refuses (`insufficient_stock`) as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// The price of one kilogram of the variant, when it is sold by weight (quotes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_kg: Option<Money>,
    /// The hash of the product's main picture, for a thumbnail (quotes only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

/// Catalog-priced lines and their total, and what an order of them would cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The lines, priced from the catalog.
    pub items: Vec<PricedLine>,
    /// `totals.total` (kept for clients that predate shipping and tax).
    pub total: Money,
    /// Every amount: subtotal, discount, shipping, tax, total.
    pub totals: Totals,
    /// The methods that ship to `country`, priced for these lines; empty without a country
    /// or when nothing ships there.
    #[serde(default)]
    pub shipping_options: Vec<ShippingOption>,
    /// The method the totals include (the requested one, else the cheapest).
    #[serde(default)]
    pub shipping: Option<ShippingOption>,
    /// The discount code applied, if any.
    #[serde(default)]
    pub discount: Option<AppliedDiscount>,
    /// Why the requested discount code was not applied, shopper-facing: the same words
    /// whatever the reason (see [`crate::discount_attempts`]); the quote itself still
    /// succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_error: Option<String>,
    /// Set when the code was not even looked at because this client has used up its
    /// guesses: seconds until it may try again (the pages answer `429`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_retry_after: Option<i64>,
}

/// One recorded state change of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// The state the order entered.
    pub state: OrderState,
    /// RFC 3339 UTC timestamp.
    pub at: String,
}

/// An order as shown by `GET /orders/{number}` (writer) and `GET /api/orders/{number}` (pages);
/// also the body of a successful place-order command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    /// Public, unguessable order number (not the row id).
    pub number: String,
    /// Where the order is in its life.
    pub state: OrderState,
    /// The shopper's email address.
    pub email: String,
    /// The name on the order.
    pub name: String,
    /// Where it ships to.
    pub address: Address,
    /// The lines as sold.
    pub items: Vec<PricedLine>,
    /// `totals.total`.
    pub total: Money,
    /// Every amount as stored on the order (orders placed before shipping and tax existed:
    /// subtotal = total, everything else 0).
    pub totals: Totals,
    /// The shipping method chosen (absent on orders placed before shipping existed).
    #[serde(default)]
    pub shipping: Option<ShippingOption>,
    /// The discount code applied, if any.
    #[serde(default)]
    pub discount: Option<AppliedDiscount>,
    /// When it was placed (RFC 3339 UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339 UTC).
    pub updated_at: String,
    /// Every state change, oldest first.
    pub events: Vec<OrderEvent>,
    /// The parcel's carrier and tracking number, once shipped with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<crate::carriers::Tracking>,
    /// The secret that opens this order to a shopper ([`crate::order_access`]): given to
    /// the client that placed the order and in the links of its emails; pages answer 404
    /// to anyone who does not present it. Never in a webhook or a log.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub access_token: String,
    /// The phone number for the carrier, if given.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
    /// The billing address, when it is not the shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing: Option<Address>,
    /// The shopper's note at checkout, if any. (The owner's internal notes are never
    /// part of an order: `order_notes::OwnerNotes`, read on the owner's route only.)
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The language the order was placed in: its emails speak it.
    #[serde(default, skip_serializing_if = "crate::locale::Locale::is_default")]
    pub locale: crate::locale::Locale,
}

/// `POST /orders/{number}/transitions` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransitionRequest {
    /// The state to move the order to.
    pub to: OrderState,
    /// The carrier's tracking number, when shipping (`to: fulfilled`) only; see
    /// [`crate::owner_orders::tracking_number`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    /// The carrier, with the tracking number only; see [`crate::carriers::carrier`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_carrier: Option<String>,
}

/// `POST /admin/release-expired` body and answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseExpiredRequest {
    /// Orders whose payment was started (an intent is recorded) expire after this.
    pub older_than_seconds: i64,
    /// Orders that never reached the payment step expire after this (shorter: nobody is
    /// paying for them). Absent: the same as `older_than_seconds`.
    #[serde(default)]
    pub unstarted_older_than_seconds: Option<i64>,
}

/// The writer's answer to [`ReleaseExpiredRequest`]: the order numbers it handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseExpiredResult {
    /// Cancelled now, their stock back on the shelf.
    pub cancelled: Vec<String>,
    /// Past their time, but their intent may still succeed: they stay reserved until the
    /// payment courier has cancelled the intent at the provider (then they are cancelled),
    /// or the provider says it was paid (then they are paid).
    #[serde(default)]
    pub awaiting_provider: Vec<String>,
    /// More orders may be due than one sweep handles: sweep again at once.
    #[serde(default)]
    pub more: bool,
}

/// Header the pages put on a place-order command: a pseudonymous key for the shopper's
/// client (an HMAC of its address), so the writer can limit unpaid reservations per client.
pub const CLIENT_KEY: &str = "storefront-client";

/// `429 too_many_unpaid_orders`: the client holds its limit of unpaid orders or units.
pub const TOO_MANY_UNPAID: &str = "too_many_unpaid_orders";

/// Every error body, from both components: `{"error": {"code", "message", "fields"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The inside of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_request`, `not_found`, `insufficient_stock`.
    pub code: String,
    /// One readable sentence.
    pub message: String,
    /// Every bad input field with its message (empty when the error is not about fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// With a `429`: seconds to wait before trying again (also the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
}

impl ErrorBody {
    /// An error with its machine code and message, and no field errors.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                fields: Vec::new(),
                retry_after: None,
            },
        }
    }

    /// The same error, naming the bad fields.
    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.error.fields = fields;
        self
    }

    /// The body as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("error bodies always serialise")
    }
}
