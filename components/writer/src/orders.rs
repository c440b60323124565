//! Orders: placing one (validate, price from the catalog, reserve stock, record; one
//! transaction, idempotent by key) and reading one back as an `OrderView`.

use crate::catalog;
use crate::catalog::Priced;
use crate::client_limits;
use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::discount_attempts;
use crate::discounts::{self, Refused};
use crate::order_number;
use crate::pricing;
use crate::request::{Header, idempotency_key, parse_json};
use crate::responses::{ApiError, json, json_text};
use crate::settings;
use crate::tax::Rate;
use anyhow::{Context as _, anyhow, bail};
use sha2::{Digest, Sha256};
use spin_sdk::http::Response;
use storefront_domain::checkout::{
    AppliedDiscount, ShippingOption, TaxLine, TaxMode, Totals, normalize_discount_code,
};
use storefront_domain::countries;
use storefront_domain::discount_attempts::REFUSED;
use storefront_domain::order::LineRequest;
use storefront_domain::{
    Address, FieldError, IDEMPOTENT_REPLAYED, Money, OrderEvent, OrderRequest, OrderState,
    OrderView, PricedLine, ValidOrder,
};

/// `POST /orders`: places an order, or replays the answer to an earlier identical command
/// with the same `Idempotency-Key`. A command naming its client (`storefront-client`) is
/// held to the per-client limits on unpaid orders ([`client_limits`]) and on guessing
/// discount codes ([`discount_attempts`]).
pub fn place(db: &Db, key: &Header, client: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency_key(key, "placing an order")?;
    let client = client_limits::client_key(client)?;
    let limits = client_limits::Limits::configured();
    let request: OrderRequest = parse_json(body)?;
    let validated = request.validate();
    // An `Err` inside `Ok` is an answer whose transaction still commits: a refused
    // discount code is recorded, and nothing else was written before it.
    db.transaction(Mode::Write, |db| {
        let (now, stored) = started(db, &key)?;
        if let Some(stored) = stored {
            // The answer holds the order's personal data and its access token: it goes
            // back only to the client that placed the order.
            if stored.client != client {
                return Err(ApiError::new(
                    409,
                    "idempotency_key_in_use",
                    "this Idempotency-Key belongs to another client's order; \
                     use a new key for a new order",
                ));
            }
            return match &validated {
                Ok(order) if fingerprint(order, &request) == stored.fingerprint => {
                    let mut response = json_text(stored.status, stored.response);
                    response.set_header(IDEMPOTENT_REPLAYED, "true");
                    Ok(Ok(response))
                }
                _ => Err(ApiError::new(
                    422,
                    "idempotency_key_reused",
                    "this Idempotency-Key was already used for a different order; \
                     use a new key for a new order",
                )),
            };
        }
        let order = validated.map_err(ApiError::invalid)?;
        if let Some(client) = &client {
            let units = order.lines.iter().map(|l| l.quantity.get()).sum();
            client_limits::check(db, client, units, limits)?;
            if !request.discount_code.trim().is_empty()
                && let Some(wait) = discount_attempts::blocked_for(db, client)?
            {
                return Err(discount_attempts::too_many(wait));
            }
        }
        let priced = catalog::price(db, &order.lines)?;
        let checkout = match checkout(db, &order, &request, &priced, &now)? {
            Ok(checkout) => checkout,
            Err(Unpriced { errors, refused }) => {
                if let (Some(client), Some(refused)) = (&client, &refused) {
                    discount_attempts::record(
                        db,
                        client,
                        &request.discount_code,
                        &order.email,
                        refused,
                    )?;
                }
                return Ok(Err(ApiError::invalid(errors)));
            }
        };
        reserve_stock(db, &priced)?;
        let inserted = insert(db, &order, &priced, &checkout, client.as_deref(), &now)?;
        let order_id = inserted.id;
        if let Some(discount) = &checkout.discount {
            discounts::redeem(db, discount.id, order_id, &order.email, &now)?;
        }
        let placed = placed_view(inserted, &order, &priced, &checkout, &now);
        let body = serde_json::to_string(&placed).map_err(anyhow::Error::from)?;
        db.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, order_id, status, response, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                text(&key),
                text(fingerprint(&order, &request)),
                int(order_id),
                int(201),
                text(&body),
                text(&now),
            ],
        )?;
        Ok(Ok(json_text(201, body)))
    })?
}

/// `GET /orders/{number}`.
pub fn get(db: &Db, number: &str) -> Result<Response, ApiError> {
    let number = order_number::normalize(number).ok_or_else(|| not_found(number))?;
    let view = db.transaction(Mode::Read, |db| {
        let (id, _) = find(db, &number)?.ok_or_else(|| not_found(&number))?;
        Ok::<_, ApiError>(view(db, id)?)
    })?;
    json(200, &view)
}

/// Why an order cannot be priced as asked: the fields the shopper must fix, and the
/// refused discount code if that is one of them.
struct Unpriced {
    errors: Vec<FieldError>,
    refused: Option<Refused>,
}

/// The order's shipping, discount and tax, or what the shopper must fix:
/// `address.country` when nothing ships there, `shipping_method` for a method that does
/// not ship there, `discount_code` for a code that does not apply (in the same words
/// whatever the reason).
fn checkout(
    db: &Db,
    order: &ValidOrder,
    request: &OrderRequest,
    priced: &Priced,
    now: &str,
) -> anyhow::Result<Result<pricing::Checkout, Unpriced>> {
    let mut checkout = pricing::price(
        db,
        priced,
        &pricing::Choice {
            country: &order.address.country,
            shipping_method: request.shipping_method.trim(),
            discount_code: &request.discount_code,
            email: &order.email,
        },
        now,
    )?;
    let mut errors = Vec::new();
    if checkout.options.is_empty() {
        let country = &order.address.country;
        errors.push(FieldError::new(
            "address.country",
            format!(
                "We do not ship to {} yet",
                countries::name(country).unwrap_or(country)
            ),
        ));
    } else if checkout.unknown_method {
        let codes: Vec<&str> = checkout.options.iter().map(|o| o.code.as_str()).collect();
        errors.push(FieldError::new(
            "shipping_method",
            format!(
                "{} does not ship to {}; choose one of {}",
                request.shipping_method.trim(),
                order.address.country,
                codes.join(", ")
            ),
        ));
    }
    let refused = checkout.discount_refused.take();
    if refused.is_some() {
        errors.push(FieldError::new("discount_code", REFUSED));
    }
    if errors.is_empty() {
        Ok(Ok(checkout))
    } else {
        Ok(Err(Unpriced { errors, refused }))
    }
}

pub fn not_found(number: &str) -> ApiError {
    ApiError::not_found(format!("there is no order {number}"))
}

/// Hex SHA-256 of the validated request re-serialised as JSON: trimmed, normalised values in
/// a fixed field order, so the same order typed slightly differently is the same command.
/// Line order counts, as it shows in the answer.
fn fingerprint(order: &ValidOrder, request: &OrderRequest) -> String {
    let code = request.discount_code.trim();
    let canonical = OrderRequest {
        email: order.email.clone(),
        name: order.name.clone(),
        address: order.address.clone(),
        shipping_method: request.shipping_method.trim().to_string(),
        discount_code: normalize_discount_code(code).unwrap_or_else(|| code.to_string()),
        items: order
            .lines
            .iter()
            .map(|l| LineRequest {
                sku: l.sku.clone(),
                slug: l.slug.clone(),
                quantity: l.quantity.get(),
            })
            .collect(),
    };
    let json = serde_json::to_vec(&canonical).expect("an order request always serialises");
    hex::encode(Sha256::digest(json))
}

struct Stored {
    fingerprint: String,
    status: u16,
    response: String,
    /// The client key of the command that placed the order.
    client: Option<String>,
}

/// The time the command runs at and the stored answer to an earlier command with `key`, if
/// any: one read, the first statement of every order.
fn started(db: &Db, key: &str) -> anyhow::Result<(String, Option<Stored>)> {
    let row = db
        .row(
            &format!(
                "SELECT {NOW}, k.fingerprint, k.status, k.response, o.client_key \
                 FROM (SELECT 1) LEFT JOIN idempotency_keys k ON k.key = ? \
                 LEFT JOIN orders o ON o.id = k.order_id"
            ),
            &[text(key)],
        )?
        .context("SELECT … LEFT JOIN returned no row")?;
    let stored = match row.opt_text(1)? {
        None => None,
        Some(fingerprint) => Some(Stored {
            fingerprint,
            status: u16::try_from(row.int(2)?).context("stored status")?,
            response: row.text(3)?,
            client: row.opt_text(4)?,
        }),
    };
    Ok((row.text(0)?, stored))
}

/// Takes every line's quantity off the shelf, or refuses the whole order with 409
/// `insufficient_stock` naming each line that cannot be served (the caller rolls back).
fn reserve_stock(db: &Db, priced: &Priced) -> Result<(), ApiError> {
    let mut short = Vec::new();
    for (i, item) in priced.items.iter().enumerate() {
        let quantity = item.line.quantity;
        let taken = db.row(
            "UPDATE variants SET stock = stock - ? WHERE id = ? AND stock >= ? RETURNING stock",
            &[int(quantity), int(item.variant_id), int(quantity)],
        )?;
        if taken.is_none() {
            let left = db
                .row(
                    "SELECT stock FROM variants WHERE id = ?",
                    &[int(item.variant_id)],
                )?
                .context("a priced variant vanished")?
                .int(0)?;
            short.push(FieldError::new(
                format!("items[{i}].quantity"),
                format!("only {left} left of {}", describe(&item.line)),
            ));
        }
    }
    if short.is_empty() {
        return Ok(());
    }
    let message = short
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Err(ApiError::new(409, "insufficient_stock", message).with_fields(short))
}

/// "Ethiopia Yirgacheffe (1 kg / Filter)", or the name alone for a product without options.
fn describe(line: &PricedLine) -> String {
    if line.variant.is_empty() {
        line.name.clone()
    } else {
        format!("{} ({})", line.name, line.variant)
    }
}

/// An order just written: its row id, number and access token.
struct Inserted {
    id: i64,
    number: String,
    access_token: String,
}

/// Writes the order with every amount, its lines and its creation event.
fn insert(
    db: &Db,
    order: &ValidOrder,
    priced: &Priced,
    checkout: &pricing::Checkout,
    client: Option<&str>,
    now: &str,
) -> anyhow::Result<Inserted> {
    let a = &order.address;
    let t = &checkout.totals;
    // A fresh order number nobody has: a (vanishingly unlikely) collision inserts nothing
    // and draws again, rather than failing the order; one statement either way.
    let mut drawn = None;
    let access_token = order_number::access_token()?;
    for _ in 0..5 {
        let number = order_number::generate()?;
        let inserted = db
            .row(
                "INSERT INTO orders (number, state, email, name, address_line1, address_line2, \
                 address_city, address_postal_code, address_country, currency, total_amount, \
                 created_at, updated_at, client_key, subtotal_amount, discount_amount, \
                 discount_code, shipping_amount, shipping_method, shipping_name, tax_amount, \
                 tax_mode, tax_rate_bp, tax_name, discount_description, access_token) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (number) DO NOTHING RETURNING id",
                &[
                    text(&number),
                    text(OrderState::PendingPayment.as_str()),
                    text(&order.email),
                    text(&order.name),
                    text(&a.line1),
                    text(&a.line2),
                    text(&a.city),
                    text(&a.postal_code),
                    text(&a.country),
                    text(&priced.total.currency),
                    int(t.total.amount),
                    text(now),
                    text(now),
                    crate::db::opt_text(client),
                    int(t.subtotal.amount),
                    int(t.discount.amount),
                    crate::db::opt_text(checkout.discount.as_ref().map(|d| d.discount.code.as_str())),
                    int(t.shipping.amount),
                    crate::db::opt_text(checkout.shipping.as_ref().map(|s| s.code.as_str())),
                    crate::db::opt_text(checkout.shipping.as_ref().map(|s| s.name.as_str())),
                    int(t.tax.amount),
                    text(settings::tax_mode_str(checkout.tax_mode)),
                    int(checkout.rate.as_ref().map_or(0, |r| i64::from(r.rate_bp))),
                    crate::db::opt_text(checkout.rate.as_ref().map(|r| r.name.as_str())),
                    crate::db::opt_text(
                        checkout
                            .discount
                            .as_ref()
                            .map(|d| d.discount.description.as_str()),
                    ),
                    text(&access_token),
                ],
            )?;
        if let Some(row) = inserted {
            drawn = Some((row.int(0)?, number, access_token));
            break;
        }
    }
    let Some((order_id, number, access_token)) = drawn else {
        bail!("five random order numbers in a row were taken; is the random source broken?")
    };
    for item in &priced.items {
        let l = &item.line;
        db.execute(
            "INSERT INTO order_lines (order_id, product_id, variant_id, slug, sku, name, variant, \
             quantity, unit_amount, currency, line_amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                int(order_id),
                int(item.product_id),
                int(item.variant_id),
                text(&l.slug),
                text(&l.sku),
                text(&l.name),
                text(&l.variant),
                int(l.quantity),
                int(l.unit_price.amount),
                text(&l.unit_price.currency),
                int(l.line_total.amount),
            ],
        )?;
    }
    record_event(db, order_id, None, OrderState::PendingPayment, now, None)?;
    Ok(Inserted {
        id: order_id,
        number,
        access_token,
    })
}

/// Appends one event to an order's history; `actor` names the person who asked for it
/// (`None` where nobody did: placing, the provider's events, the sweep).
pub fn record_event(
    db: &Db,
    order_id: i64,
    from: Option<OrderState>,
    to: OrderState,
    at: &str,
    actor: Option<&str>,
) -> anyhow::Result<()> {
    db.execute(
        "INSERT INTO order_events (order_id, from_state, to_state, at, actor) \
         VALUES (?, ?, ?, ?, ?)",
        &[
            int(order_id),
            from.map_or(spin_sdk::sqlite::Value::Null, |s| text(s.as_str())),
            text(to.as_str()),
            text(at),
            actor.map_or(spin_sdk::sqlite::Value::Null, text),
        ],
    )?;
    Ok(())
}

/// The id and state of the order numbered `number` (canonical form).
pub fn find(db: &Db, number: &str) -> anyhow::Result<Option<(i64, OrderState)>> {
    db.row(
        "SELECT id, state FROM orders WHERE number = ?",
        &[text(number)],
    )?
    .map(|row| Ok((row.int(0)?, state(&row.text(1)?)?)))
    .transpose()
}

fn state(s: &str) -> anyhow::Result<OrderState> {
    OrderState::parse(s).ok_or_else(|| anyhow!("unknown order state {s:?} in the database"))
}

/// The order with `order_id` as the API shows it: lines in order, events oldest first.
/// An order's amounts as stored on its row (or about to be).
struct StoredAmounts<'a> {
    currency: &'a str,
    subtotal: i64,
    discount: i64,
    shipping: i64,
    tax: i64,
    total: i64,
    tax_mode: TaxMode,
    /// The rate in the totals, if any.
    rate: Option<Rate>,
    /// The chosen method's code and name.
    shipping_method: Option<(String, String)>,
    /// The applied code and its description.
    discount_code: Option<(String, String)>,
}

/// The totals, shipping and discount an order shows, by one set of rules for an order
/// read back and one just placed: one tax line named by its rate, no shipping note.
fn shown_amounts(
    a: StoredAmounts<'_>,
) -> (Totals, Option<ShippingOption>, Option<AppliedDiscount>) {
    let money = |amount| Money::new(amount, a.currency);
    let totals = Totals {
        subtotal: money(a.subtotal),
        discount: money(a.discount),
        shipping: money(a.shipping),
        tax: money(a.tax),
        tax_included: a.tax_mode == TaxMode::Inclusive,
        taxes: a
            .rate
            .map(|rate| TaxLine {
                name: rate.label(),
                rate_bp: rate.rate_bp,
                amount: money(a.tax),
            })
            .into_iter()
            .collect(),
        total: money(a.total),
    };
    let shipping = a.shipping_method.map(|(code, name)| ShippingOption {
        code,
        name,
        amount: totals.shipping.clone(),
        note: String::new(),
    });
    let discount = a.discount_code.map(|(code, description)| AppliedDiscount {
        code,
        description,
        amount: totals.discount.clone(),
    });
    (totals, shipping, discount)
}

/// The order just inserted, exactly as [`view`] reads it back (its amounts by
/// [`shown_amounts`], like it), built from what placing it computed rather than read back
/// with three more queries on every order.
/// `tests/checkout_money.rs` checks that the answer to placing equals the order read back.
fn placed_view(
    inserted: Inserted,
    order: &ValidOrder,
    priced: &Priced,
    checkout: &pricing::Checkout,
    now: &str,
) -> OrderView {
    let t = &checkout.totals;
    let (totals, shipping, discount) = shown_amounts(StoredAmounts {
        currency: &priced.total.currency,
        subtotal: t.subtotal.amount,
        discount: t.discount.amount,
        shipping: t.shipping.amount,
        tax: t.tax.amount,
        total: t.total.amount,
        tax_mode: checkout.tax_mode,
        rate: checkout.rate.clone(),
        shipping_method: checkout
            .shipping
            .as_ref()
            .map(|s| (s.code.clone(), s.name.clone())),
        discount_code: checkout
            .discount
            .as_ref()
            .map(|d| (d.discount.code.clone(), d.discount.description.clone())),
    });
    OrderView {
        number: inserted.number,
        state: OrderState::PendingPayment,
        email: order.email.clone(),
        name: order.name.clone(),
        address: order.address.clone(),
        items: priced
            .items
            .iter()
            .map(|i| PricedLine {
                available: None,
                ..i.line.clone()
            })
            .collect(),
        total: totals.total.clone(),
        totals,
        shipping,
        discount,
        created_at: now.to_string(),
        updated_at: now.to_string(),
        events: vec![OrderEvent {
            state: OrderState::PendingPayment,
            at: now.to_string(),
        }],
        access_token: inserted.access_token,
    }
}

pub fn view(db: &Db, order_id: i64) -> anyhow::Result<OrderView> {
    let o = db
        .row(
            "SELECT number, state, email, name, address_line1, address_line2, address_city, \
             address_postal_code, address_country, currency, total_amount, created_at, \
             updated_at, subtotal_amount, discount_amount, discount_code, shipping_amount, \
             shipping_method, shipping_name, tax_amount, tax_mode, tax_rate_bp, tax_name, \
             discount_description, access_token FROM orders WHERE id = ?",
            &[int(order_id)],
        )?
        .with_context(|| format!("order {order_id} not found"))?;
    let items = db
        .rows(
            "SELECT slug, name, quantity, unit_amount, currency, line_amount, sku, variant \
             FROM order_lines WHERE order_id = ? ORDER BY id",
            &[int(order_id)],
        )?
        .iter()
        .map(|l| {
            let currency = l.text(4)?;
            Ok(PricedLine {
                slug: l.text(0)?,
                name: l.text(1)?,
                sku: l.text(6)?,
                variant: l.text(7)?,
                quantity: l.int(2)?,
                unit_price: Money::new(l.int(3)?, currency.clone()),
                line_total: Money::new(l.int(5)?, currency),
                available: None,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let events = db
        .rows(
            "SELECT to_state, at FROM order_events WHERE order_id = ? ORDER BY id",
            &[int(order_id)],
        )?
        .iter()
        .map(|e| {
            Ok(OrderEvent {
                state: state(&e.text(0)?)?,
                at: e.text(1)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let (totals, shipping, discount) = shown_amounts(StoredAmounts {
        currency: &o.text(9)?,
        subtotal: o.int(13)?,
        discount: o.int(14)?,
        shipping: o.int(16)?,
        tax: o.int(19)?,
        total: o.int(10)?,
        tax_mode: settings::tax_mode(&o.text(20)?)?,
        rate: match o.opt_text(22)? {
            Some(name) => Some(Rate {
                name,
                rate_bp: u32::try_from(o.int(21)?)?,
            }),
            None => None,
        },
        shipping_method: match (o.opt_text(17)?, o.opt_text(18)?) {
            (Some(code), Some(name)) => Some((code, name)),
            _ => None,
        },
        discount_code: match o.opt_text(15)? {
            Some(code) => Some((code, o.opt_text(23)?.unwrap_or_default())),
            None => None,
        },
    });
    Ok(OrderView {
        number: o.text(0)?,
        state: state(&o.text(1)?)?,
        email: o.text(2)?,
        name: o.text(3)?,
        address: Address {
            line1: o.text(4)?,
            line2: o.text(5)?,
            city: o.text(6)?,
            postal_code: o.text(7)?,
            country: o.text(8)?,
        },
        items,
        total: totals.total.clone(),
        totals,
        shipping,
        discount,
        created_at: o.text(11)?,
        updated_at: o.text(12)?,
        events,
        access_token: o.opt_text(24)?.unwrap_or_default(),
    })
}
