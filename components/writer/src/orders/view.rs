//! Reading an order back as the API shows it (`GET /orders/{number}`, and every answer that
//! carries an `OrderView`), with the amounts it shows by the same rules as the answer to
//! placing it.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::orders::number;
use spin_sdk::sqlite::RowResult;
use std::collections::HashMap;
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

/// The columns of an order row [`order_of`] reads, in its order.
const ORDER_COLUMNS: &str = "number, state, email, name, address_line1, address_line2, \
     address_city, address_postal_code, address_country, currency, total_amount, created_at, \
     updated_at, subtotal_amount, discount_amount, discount_code, shipping_amount, \
     shipping_method, shipping_name, tax_amount, tax_mode, tax_rate_bp, tax_name, \
     discount_description, access_token, address_state, phone, billing_line1, billing_line2, \
     billing_city, billing_postal_code, billing_state, billing_country, tracking_number, \
     tracking_carrier, note, locale";
/// The columns of an order line [`line_of`] reads.
const LINE_COLUMNS: &str = "slug, name, quantity, unit_amount, currency, line_amount, sku, variant";
/// The columns of an order event [`event_of`] reads.
const EVENT_COLUMNS: &str = "to_state, at";

/// The order with `order_id` as the API shows it: lines in order, events oldest first.
pub fn view(db: &Db, order_id: i64) -> anyhow::Result<OrderView> {
    let o = db
        .row(
            &format!("SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?"),
            &[int(order_id)],
        )?
        .with_context(|| format!("order {order_id} not found"))?;
    let items = db
        .rows(
            &format!("SELECT {LINE_COLUMNS} FROM order_lines WHERE order_id = ? ORDER BY id"),
            &[int(order_id)],
        )?
        .iter()
        .map(|l| line_of(l, 0))
        .collect::<anyhow::Result<_>>()?;
    let events = db
        .rows(
            &format!("SELECT {EVENT_COLUMNS} FROM order_events WHERE order_id = ? ORDER BY id"),
            &[int(order_id)],
        )?
        .iter()
        .map(|e| event_of(e, 0))
        .collect::<anyhow::Result<_>>()?;
    order_of(&o, 0, items, events)
}

/// The orders with `ids` as [`view`] shows each, by id, in three statements however many
/// there are (an outbox claim reads up to `MAX_CLAIM`, 50); an id that is not an order
/// is not in the map.
pub fn views(db: &Db, ids: &[i64]) -> anyhow::Result<HashMap<i64, OrderView>> {
    let mut wanted: Vec<i64> = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let list = text(serde_json::to_string(&wanted)?);
    let [lines_sql, events_sql, orders_sql] = views_statements();
    let mut items: HashMap<i64, Vec<PricedLine>> = HashMap::new();
    for l in db.rows(&lines_sql, std::slice::from_ref(&list))? {
        items.entry(l.int(0)?).or_default().push(line_of(&l, 1)?);
    }
    let mut events: HashMap<i64, Vec<OrderEvent>> = HashMap::new();
    for e in db.rows(&events_sql, std::slice::from_ref(&list))? {
        events.entry(e.int(0)?).or_default().push(event_of(&e, 1)?);
    }
    let mut orders = HashMap::new();
    for o in db.rows(&orders_sql, std::slice::from_ref(&list))? {
        let id = o.int(0)?;
        let view = order_of(
            &o,
            1,
            items.remove(&id).unwrap_or_default(),
            events.remove(&id).unwrap_or_default(),
        )?;
        orders.insert(id, view);
    }
    Ok(orders)
}

/// [`views`]' statements, each with the JSON list of ids as its one parameter: the lines
/// and the events of those orders (each led by its order's id, in order), and the orders.
fn views_statements() -> [String; 3] {
    let ids_in = "IN (SELECT value FROM json_each(?))";
    [
        format!(
            "SELECT order_id, {LINE_COLUMNS} FROM order_lines WHERE order_id {ids_in} \
             ORDER BY order_id, id"
        ),
        format!(
            "SELECT order_id, {EVENT_COLUMNS} FROM order_events WHERE order_id {ids_in} \
             ORDER BY order_id, id"
        ),
        format!("SELECT id, {ORDER_COLUMNS} FROM orders WHERE id {ids_in}"),
    ]
}

/// An order line from the [`LINE_COLUMNS`] of `l`, starting at column `at`.
fn line_of(l: &RowResult, at: usize) -> anyhow::Result<PricedLine> {
    let currency = l.text(at + 4)?;
    Ok(PricedLine {
        slug: l.text(at)?,
        name: l.text(at + 1)?,
        sku: l.text(at + 6)?,
        variant: l.text(at + 7)?,
        quantity: l.int(at + 2)?,
        unit_price: Money::new(l.int(at + 3)?, currency.clone()),
        line_total: Money::new(l.int(at + 5)?, currency),
        available: None,
        price_per_kg: None,
        thumbnail: None,
    })
}

/// An order event from the [`EVENT_COLUMNS`] of `e`, starting at column `at`.
fn event_of(e: &RowResult, at: usize) -> anyhow::Result<OrderEvent> {
    Ok(OrderEvent {
        state: state(&e.text(at)?)?,
        at: e.text(at + 1)?,
    })
}

/// The order from the [`ORDER_COLUMNS`] of `row` (starting at column `at`), its lines and
/// its events.
fn order_of(
    row: &RowResult,
    at: usize,
    items: Vec<PricedLine>,
    events: Vec<OrderEvent>,
) -> anyhow::Result<OrderView> {
    let o = Columns { row, at };
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

/// The columns of a row from `at` on, numbered from 0 as in [`ORDER_COLUMNS`].
struct Columns<'a> {
    row: &'a RowResult,
    at: usize,
}

impl Columns<'_> {
    fn int(&self, column: usize) -> anyhow::Result<i64> {
        self.row.int(self.at + column)
    }
    fn text(&self, column: usize) -> anyhow::Result<String> {
        self.row.text(self.at + column)
    }
    fn opt_text(&self, column: usize) -> anyhow::Result<Option<String>> {
        self.row.opt_text(self.at + column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// Reading many orders looks each one up by its index (the ids come from the JSON
    /// list): no table is scanned, whatever the shop's size.
    #[test]
    fn many_orders_are_read_by_index() {
        let schema = query_plan::schema();
        for sql in views_statements() {
            let plan = query_plan::lines(&schema, &sql);
            assert!(
                plan.iter()
                    .filter(|step| step.starts_with("SCAN"))
                    .all(|step| step.starts_with("SCAN json_each")),
                "{sql}: {plan:#?}"
            );
            assert!(
                plan.iter().any(|step| step.starts_with("SEARCH")),
                "{plan:#?}"
            );
        }
    }
}
