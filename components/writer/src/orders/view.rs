//! Reading an order back as the API shows it (`GET /orders/{number}`, and every answer that
//! carries an `OrderView`), with the amounts it shows by the same rules as the answer to
//! placing it.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::orders::number;
use storefront_domain::locale::Locale;

use crate::checkout::tax::Rate;
use crate::http::responses::{ApiError, json};
use crate::owner::settings;
use anyhow::{Context as _, anyhow};
use spin_sdk::http::Response;
use storefront_domain::carriers::Tracking;
use storefront_domain::checkout::{AppliedDiscount, ShippingOption, TaxLine, TaxMode, Totals};
use storefront_domain::{Address, Money, OrderEvent, OrderState, OrderView, PricedLine};

/// `GET /orders/{number}`.
pub fn get(db: &Db, number: &str) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let view = db.transaction(Mode::Read, |db| {
        let (id, _) = find(db, &number)?.ok_or_else(|| not_found(&number))?;
        Ok::<_, ApiError>(view(db, id)?)
    })?;
    json(200, &view)
}

pub fn not_found(number: &str) -> ApiError {
    ApiError::not_found(format!("there is no order {number}"))
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

/// An order's amounts as stored on its row (or about to be).
pub struct StoredAmounts<'a> {
    pub currency: &'a str,
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    pub total: i64,
    pub tax_mode: TaxMode,
    /// The rate in the totals, if any.
    pub rate: Option<Rate>,
    /// The chosen method's code and name.
    pub shipping_method: Option<(String, String)>,
    /// The applied code and its description.
    pub discount_code: Option<(String, String)>,
}

/// The totals, shipping and discount an order shows, by one set of rules for an order
/// read back and one just placed: one tax line named by its rate, no shipping note.
pub fn shown_amounts(
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

/// The order with `order_id` as the API shows it: lines in order, events oldest first.
pub fn view(db: &Db, order_id: i64) -> anyhow::Result<OrderView> {
    let o = db
        .row(
            "SELECT number, state, email, name, address_line1, address_line2, address_city, \
             address_postal_code, address_country, currency, total_amount, created_at, \
             updated_at, subtotal_amount, discount_amount, discount_code, shipping_amount, \
             shipping_method, shipping_name, tax_amount, tax_mode, tax_rate_bp, tax_name, \
             discount_description, access_token, address_state, phone, billing_line1, \
             billing_line2, billing_city, billing_postal_code, billing_state, billing_country, \
             tracking_number, tracking_carrier, note, locale \
             FROM orders WHERE id = ?",
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
                price_per_kg: None,
                thumbnail: None,
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
            state: o.text(25)?,
        },
        items,
        total: totals.total.clone(),
        totals,
        shipping,
        discount,
        created_at: o.text(11)?,
        updated_at: o.text(12)?,
        events,
        tracking: o
            .opt_text(33)?
            .map(|number| {
                Ok::<_, anyhow::Error>(Tracking {
                    carrier: o.opt_text(34)?,
                    number,
                })
            })
            .transpose()?,
        access_token: o.opt_text(24)?.unwrap_or_default(),
        phone: o.text(26)?,
        note: o.text(35)?,
        locale: Locale::from_code(&o.text(36)?).unwrap_or_default(),
        billing: match o.opt_text(27)? {
            Some(line1) => Some(Address {
                line1,
                line2: o.opt_text(28)?.unwrap_or_default(),
                city: o.opt_text(29)?.unwrap_or_default(),
                postal_code: o.opt_text(30)?.unwrap_or_default(),
                state: o.opt_text(31)?.unwrap_or_default(),
                country: o.opt_text(32)?.unwrap_or_default(),
            }),
            None => None,
        },
    })
}
