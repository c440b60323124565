//! A customer's saved addresses (`customer_addresses`), which prefill checkout:
//! - `POST /customers/sessions/{id}/addresses` `NewAddress` → 201 `{"id"}`, checked
//!   as checkout checks an address; 409 `too_many_addresses` past [`MAX_SAVED_ADDRESSES`];
//! - `POST /customers/sessions/{id}/addresses/{address}/remove` → 200, also for an
//!   address already removed.
//!
//! Both are commands with an `Idempotency-Key`; their recorded answers carry only ids.

use super::commands::{self, Applied};
use super::sessions;
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use spin_sdk::http::Response;
use storefront_domain::Address;
use storefront_domain::customer::{MAX_SAVED_ADDRESSES, NewAddress, SavedAddress};
use storefront_domain::order::validate_contact;

/// The saved addresses of customer `customer_id`, oldest first.
pub fn of(db: &Db, customer_id: i64) -> anyhow::Result<Vec<SavedAddress>> {
    db.rows(
        "SELECT id, name, line1, line2, city, postal_code, state, country, phone
         FROM customer_addresses WHERE customer_id = ?1 ORDER BY id",
        &[int(customer_id)],
    )?
    .iter()
    .map(|r| {
        Ok(SavedAddress {
            id: r.int(0)?,
            name: r.text(1)?,
            address: Address {
                line1: r.text(2)?,
                line2: r.text(3)?,
                city: r.text(4)?,
                postal_code: r.text(5)?,
                state: r.text(6)?,
                country: r.text(7)?,
            },
            phone: r.text(8)?,
        })
    })
    .collect()
}

/// `POST /customers/sessions/{id}/addresses`.
pub fn add(db: &Db, head: &Head, session: &str, body: &[u8]) -> Result<Response, ApiError> {
    let input: NewAddress = parse_json(body)?;
    let (name, address, phone) =
        validate_contact(&input.name, &input.address, &input.phone).map_err(ApiError::invalid)?;
    let canonical =
        serde_json::to_string(&(session, &name, &address, &phone)).map_err(anyhow::Error::from)?;
    commands::run(db, head, "address.add", &canonical, |db, _now| {
        let customer = sessions::customer(db, session)?;
        let kept = db
            .int_value(
                "SELECT count(*) FROM customer_addresses WHERE customer_id = ?1",
                &[int(customer.id)],
            )?
            .unwrap_or_default();
        if kept >= MAX_SAVED_ADDRESSES {
            return Err(ApiError::new(
                409,
                "too_many_addresses",
                format!(
                    "an account keeps at most {MAX_SAVED_ADDRESSES} addresses; remove one first"
                ),
            ));
        }
        let id = db
            .int_value(
                "INSERT INTO customer_addresses
                     (customer_id, name, line1, line2, city, postal_code, state, country, phone)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                &[
                    int(customer.id),
                    text(&name),
                    text(&address.line1),
                    text(&address.line2),
                    text(&address.city),
                    text(&address.postal_code),
                    text(&address.state),
                    text(&address.country),
                    text(&phone),
                ],
            )?
            .ok_or_else(|| anyhow::anyhow!("INSERT … RETURNING returned no row"))?;
        Applied::json(201, &serde_json::json!({ "id": id }))
    })
}

/// `POST /customers/sessions/{id}/addresses/{address}/remove`.
pub fn remove(db: &Db, head: &Head, session: &str, address: &str) -> Result<Response, ApiError> {
    let address: i64 = address
        .parse()
        .map_err(|_| ApiError::not_found("no such address"))?;
    let canonical = format!("{session}\n{address}");
    commands::run(db, head, "address.remove", &canonical, |db, _now| {
        let customer = sessions::customer(db, session)?;
        db.execute(
            "DELETE FROM customer_addresses WHERE id = ?1 AND customer_id = ?2",
            &[int(address), int(customer.id)],
        )?;
        Applied::json(200, &serde_json::json!({ "removed": address }))
    })
}
