//! `GET /admin/customers/one?email=`: one customer, their newest orders (at most
//! [`CUSTOMER_ORDERS_SHOWN`], by `orders_by_email`) and the owner's notes on those
//! orders (by `order_notes_by_order`). 404 for an address that never ordered.

use crate::customers::list::spent_of;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use crate::orders::notes;
use anyhow::anyhow;
use spin_sdk::http::Response;
use storefront_domain::customers::{
    CUSTOMER_ORDERS_SHOWN, CustomerOrder, CustomerPage, CustomerSummary,
};
use storefront_domain::{Money, OrderState};

pub fn get(db: &Db, query: &str) -> Result<Response, ApiError> {
    let email = form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "email")
        .map(|(_, value)| value.trim().to_lowercase())
        .unwrap_or_default();
    let missing = || ApiError::not_found("there is no customer with that email address");
    let page = db.transaction(Mode::Read, |db| {
        let row = db
            .row(
                "SELECT email, name, orders, first_order_at, last_order_at FROM customers \
                 WHERE email = ?",
                &[text(&email)],
            )?
            .ok_or_else(missing)?;
        let mut spent = spent_of(db, std::slice::from_ref(&email))?;
        let customer = CustomerSummary {
            spent: spent.remove(&email).unwrap_or_default(),
            email: row.text(0)?,
            name: row.text(1)?,
            orders: row.int(2)?,
            first_order_at: row.text(3)?,
            last_order_at: row.text(4)?,
        };
        let orders = db
            .rows(
                "SELECT id, number, state, total_amount, currency, created_at, note FROM orders \
                 WHERE email = ? COLLATE NOCASE ORDER BY created_at DESC, id DESC LIMIT ?",
                &[text(&email), int(i64::from(CUSTOMER_ORDERS_SHOWN))],
            )?
            .iter()
            .map(|o| {
                let state = o.text(2)?;
                Ok(CustomerOrder {
                    number: o.text(1)?,
                    state: OrderState::parse(&state)
                        .ok_or_else(|| anyhow!("unknown order state {state:?}"))?,
                    total: Money::new(o.int(3)?, o.text(4)?),
                    created_at: o.text(5)?,
                    note: o.text(6)?,
                    notes: notes::of_order(db, o.int(0)?)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok::<_, ApiError>(CustomerPage { customer, orders })
    })?;
    json(200, &page)
}
