//! Placing an order: validate, price it with the checkout calculator
//! ([`calculator::price_order`]), reserve stock, record; one transaction, idempotent by key
//! ([`crate::idempotency`]).

use crate::checkout::calculator;
use crate::checkout::client_limits;
use crate::checkout::discount_attempts;
use crate::checkout::discounts::{self, Refused};
use crate::checkout::line_prices::Priced;
use crate::db::{Db, Mode, NOW, RowExt as _, int, text};
use crate::http::request::{Header, parse_json};
use crate::http::responses::{ApiError, json_text};
use crate::idempotency::{self, Holder, Journal, Recorded};
use crate::orders::events::record_event;
use crate::orders::number;
use crate::orders::view::{StoredAmounts, shown_amounts};
use crate::owner::settings;
use anyhow::{Context as _, bail};
use spin_sdk::http::Response;
use storefront_domain::checkout::normalize_discount_code;
use storefront_domain::countries;
use storefront_domain::discount_attempts::REFUSED;
use storefront_domain::order::LineRequest;
use storefront_domain::{
    FieldError, OrderEvent, OrderRequest, OrderState, OrderView, PricedLine, ValidOrder,
};

/// `POST /orders`: places an order, or replays the answer to an earlier identical command
/// with the same `Idempotency-Key`. A command naming its client (`storefront-client`) is
/// held to the per-client limits on unpaid orders ([`client_limits`]) and on guessing
/// discount codes ([`discount_attempts`]).
pub fn place(db: &Db, key: &Header, client: &Header, body: &[u8]) -> Result<Response, ApiError> {
    let key = idempotency::key(key, "placing an order")?;
    let client = client_limits::client_key(client)?;
    let limits = client_limits::Limits::configured();
    let request: OrderRequest = parse_json(body)?;
    // Worked out before the transaction, which holds the shop's one batch connection: the
    // command's fingerprint and the new order's number and token.
    let prepared = match request.validate() {
        Ok(order) => Ok(Prepared {
            fingerprint: fingerprint(&order, &request),
            drawn: Drawn {
                number: number::generate()?,
                access_token: number::access_token()?,
            },
            order,
        }),
        Err(errors) => Err(errors),
    };
    // An `Err` inside `Ok` is an answer whose transaction still commits: a refused
    // discount code is recorded, and nothing else was written before it.
    db.transaction(Mode::Write, |db| {
        let Started {
            now,
            stored,
            unpaid,
        } = started(db, &key, client.as_deref())?;
        if let Some(recorded) = stored {
            // The answer holds the order's personal data and its access token: it goes
            // back only to the client that placed the order.
            let asked = prepared.as_ref().ok().map(|p| p.fingerprint.as_str());
            return Journal::ORDERS
                .replay(recorded, asked, Holder::Client(client.as_deref()))
                .map(Ok);
        }
        let Prepared {
            order,
            fingerprint,
            drawn,
        } = prepared.map_err(ApiError::invalid)?;
        if let Some(client) = &client {
            client_limits::check(unpaid, limits)?;
            if !request.discount_code.trim().is_empty()
                && let Some(wait) = discount_attempts::blocked_for(db, client)?
            {
                return Err(discount_attempts::too_many(wait));
            }
        }
        let (priced, checkout) = match checkout(db, &order, &request, &now)? {
            Ok(priced) => priced,
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
        let inserted = insert(
            db,
            &order,
            drawn,
            &priced,
            &checkout,
            client.as_deref(),
            &now,
        )?;
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
                text(fingerprint),
                int(order_id),
                int(201),
                text(&body),
                text(&now),
            ],
        )?;
        Ok(Ok(json_text(201, body)))
    })?
}

/// A valid order with what is worked out for it before its transaction.
struct Prepared {
    order: ValidOrder,
    /// [`fingerprint`] of the command.
    fingerprint: String,
    /// The order's first number to try, and its token.
    drawn: Drawn,
}

/// A random order number and access token, drawn for a new order.
struct Drawn {
    number: String,
    access_token: String,
}

/// Why an order cannot be priced as asked: the fields the shopper must fix, and the
/// refused discount code if that is one of them.
pub struct Unpriced {
    pub errors: Vec<FieldError>,
    pub refused: Option<Refused>,
}

/// The order's shipping, discount and tax, or what the shopper must fix (see [`refusals`]).
fn checkout(
    db: &Db,
    order: &ValidOrder,
    request: &OrderRequest,
    now: &str,
) -> Result<Result<(Priced, calculator::Checkout), Unpriced>, ApiError> {
    let (priced, checkout) =
        calculator::price_order(db, &order.lines, &choice(order, request), now)?;
    Ok(refusals(order, request, checkout).map(|checkout| (priced, checkout)))
}

/// What the shopper chose, for the calculator.
pub fn choice<'a>(order: &'a ValidOrder, request: &'a OrderRequest) -> calculator::Choice<'a> {
    calculator::Choice {
        country: &order.address.country,
        shipping_method: request.shipping_method.trim(),
        discount_code: &request.discount_code,
        email: &order.email,
    }
}

/// The priced checkout, or what the shopper must fix: `address.country` when nothing
/// ships there, `shipping_method` for a method that does not ship there, `discount_code`
/// for a code that does not apply (in the same words whatever the reason).
pub fn refusals(
    order: &ValidOrder,
    request: &OrderRequest,
    mut checkout: calculator::Checkout,
) -> Result<calculator::Checkout, Unpriced> {
    let mut errors = Vec::new();
    let country = &order.address.country;
    let country_name = countries::name(country).unwrap_or(country);
    if checkout.options.is_empty() {
        errors.push(FieldError::new(
            "address.country",
            format!("We do not ship to {country_name} yet"),
        ));
    } else if checkout.unknown_method {
        let names: Vec<&str> = checkout.options.iter().map(|o| o.name.as_str()).collect();
        errors.push(FieldError::new(
            "shipping_method",
            format!(
                "{} does not ship to {country_name}; choose one of {}",
                request.shipping_method.trim(),
                names.join(", ")
            ),
        ));
    }
    let refused = checkout.discount_refused.take();
    if refused.is_some() {
        errors.push(FieldError::new("discount_code", REFUSED));
    }
    if errors.is_empty() {
        Ok(checkout)
    } else {
        Err(Unpriced { errors, refused })
    }
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
        phone: order.phone.clone(),
        billing: order.billing.clone(),
        note: order.note.clone(),
        // The language is not part of what was ordered: a retry from a page in the
        // other language is the same order.
        locale: Default::default(),
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
    idempotency::fingerprint(json)
}

/// What the first statement of every order reads.
struct Started {
    /// The time the command runs at.
    now: String,
    /// The stored answer to an earlier command with the same key, if any.
    stored: Option<Recorded>,
    /// The orders the command's client holds unpaid (0 without a client).
    unpaid: i64,
}

/// [`Started`] for the command with `key` from `client`: one read, the first statement of
/// every order.
fn started(db: &Db, key: &str, client: Option<&str>) -> anyhow::Result<Started> {
    let row = db
        .row(&started_sql(), &[text(key), crate::db::opt_text(client)])?
        .context("SELECT … LEFT JOIN returned no row")?;
    let stored = match row.opt_text(1)? {
        None => None,
        Some(fingerprint) => Some(Recorded {
            fingerprint,
            status: u16::try_from(row.int(2)?).context("stored status")?,
            response: row.text(3)?,
            client: row.opt_text(4)?,
            number: row.opt_text(5)?,
        }),
    };
    Ok(Started {
        now: row.text(0)?,
        stored,
        unpaid: row.int(6)?,
    })
}

/// [`started`]'s statement: `?1` the key, `?2` the client or NULL.
fn started_sql() -> String {
    format!(
        "SELECT {NOW}, k.fingerprint, k.status, k.response, o.client_key, o.number, {} \
         FROM (SELECT 1) LEFT JOIN idempotency_keys k ON k.key = ?1 \
         LEFT JOIN orders o ON o.id = k.order_id",
        client_limits::UNPAID_SQL
    )
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

/// Writes the order with every amount, its lines and its creation event, numbered
/// `drawn.number` (or another fresh number if that one is taken).
fn insert(
    db: &Db,
    order: &ValidOrder,
    drawn: Drawn,
    priced: &Priced,
    checkout: &calculator::Checkout,
    client: Option<&str>,
    now: &str,
) -> anyhow::Result<Inserted> {
    let a = &order.address;
    let t = &checkout.totals;
    // A fresh order number nobody has: a (vanishingly unlikely) collision inserts nothing
    // and draws again, rather than failing the order; one statement either way.
    let Drawn {
        mut number,
        access_token,
    } = drawn;
    let mut inserted_id = None;
    for attempt in 0..5 {
        if attempt > 0 {
            number = number::generate()?;
        }
        let inserted = db
            .row(
                "INSERT INTO orders (number, state, email, name, address_line1, address_line2, \
                 address_city, address_postal_code, address_country, currency, total_amount, \
                 created_at, updated_at, client_key, subtotal_amount, discount_amount, \
                 discount_code, shipping_amount, shipping_method, shipping_name, tax_amount, \
                 tax_mode, tax_rate_bp, tax_name, discount_description, access_token, \
                 address_state, phone, billing_line1, billing_line2, billing_city, \
                 billing_postal_code, billing_state, billing_country, note, locale) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
                 ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
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
                    text(&a.state),
                    text(&order.phone),
                    billing_value(order, |b| &b.line1),
                    billing_value(order, |b| &b.line2),
                    billing_value(order, |b| &b.city),
                    billing_value(order, |b| &b.postal_code),
                    billing_value(order, |b| &b.state),
                    billing_value(order, |b| &b.country),
                    text(&order.note),
                    text(order.locale.code()),
                ],
            )?;
        if let Some(row) = inserted {
            inserted_id = Some(row.int(0)?);
            break;
        }
    }
    let Some(order_id) = inserted_id else {
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

/// One column of the billing address: NULL when it is the shipping address.
pub fn billing_value(
    order: &ValidOrder,
    column: impl Fn(&storefront_domain::Address) -> &String,
) -> spin_sdk::sqlite::Value {
    crate::db::opt_text(order.billing.as_ref().map(|b| column(b).as_str()))
}

/// The order just inserted, exactly as [`view`] reads it back (its amounts by
/// [`shown_amounts`], like it), built from what placing it computed rather than read back
/// with three more queries on every order.
/// `tests/shop/checkout_money.rs` checks that the answer to placing equals the order read back.
fn placed_view(
    inserted: Inserted,
    order: &ValidOrder,
    priced: &Priced,
    checkout: &calculator::Checkout,
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
        note: order.note.clone(),
        tracking: None,
        access_token: inserted.access_token,
        phone: order.phone.clone(),
        billing: order.billing.clone(),
        locale: order.locale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// An order's first statement finds the stored answer by its key and counts the
    /// client's unpaid orders by the partial index of unpaid orders, whatever the shop's size.
    #[test]
    fn the_first_statement_reads_by_index() {
        let plan = query_plan::lines(&query_plan::schema(), &started_sql());
        for (table, by) in [
            ("SEARCH k ", "sqlite_autoindex_idempotency_keys_1 (key=?)"),
            ("SEARCH o ", "INTEGER PRIMARY KEY (rowid=?)"),
            ("SEARCH orders ", "orders_unpaid_by_client (client_key=?)"),
        ] {
            assert!(
                plan.iter()
                    .any(|step| step.starts_with(table) && step.contains(by)),
                "{table}by {by}: {plan:#?}"
            );
        }
        assert!(
            plan.iter()
                .filter(|step| step.starts_with("SCAN"))
                .all(|step| step.contains("CONSTANT ROW") || step.contains("subquery")),
            "{plan:#?}"
        );
    }
}
