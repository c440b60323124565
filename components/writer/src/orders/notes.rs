//! The owner's internal notes on an order: `POST /admin/orders/{number}/notes` adds one
//! (an idempotent command, recorded with its actor in the command history like every
//! owner command), and the owner's order view lists them with who wrote each and when.
//! They are never part of the shopper's order (`view::view`): only the owner's routes
//! read this table.

use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::{ApiError, json_string};
use crate::idempotency::{self, Applied, Command};
use crate::orders::number;
use crate::orders::view::not_found;
use crate::payments::intents;
use serde_json::json;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::order_notes::{
    MAX_OWNER_NOTE, NewOwnerNote, OwnerNote, OwnerNotes, note_text,
};

/// `POST /admin/orders/{number}/notes` `{"body": "…"}`: 201 with every note of the order,
/// oldest first; 422 at `body` for an empty or too long note, nothing written. The author
/// is the command's actor (`storefront-actor`: the back office sends "owner").
pub fn add(db: &Db, head: &Head, number: &str, body: &[u8]) -> Result<Response, ApiError> {
    let number = number::normalize(number).ok_or_else(|| not_found(number))?;
    let request: NewOwnerNote = parse_json(body)?;
    let note =
        note_text("body", &request.body, MAX_OWNER_NOTE).map_err(|e| ApiError::invalid(vec![e]))?;
    if note.is_empty() {
        return Err(ApiError::invalid(vec![FieldError::new(
            "body",
            "is empty: type the note first",
        )]));
    }
    let author = idempotency::actor(&head.actor)?;
    let canonical = json!({ "body": note }).to_string();
    let command = Command::new("add_order_note", &number, canonical);
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        command,
        |db, now| {
            let order = intents::order_by_number(db, &number)?.ok_or_else(|| not_found(&number))?;
            db.execute(
                "INSERT INTO order_notes (order_id, author, body, created_at) VALUES (?, ?, ?, ?)",
                &[int(order.id), text(&author), text(&note), text(now)],
            )?;
            let notes = OwnerNotes {
                notes: of_order(db, order.id)?,
            };
            Ok(Applied {
                status: 201,
                response: json_string(&notes)?,
                changes: json!({ "note_added": true }),
            })
        },
    )
}

/// The order's notes, oldest first (by `order_notes_by_order`).
pub fn of_order(db: &Db, order_id: i64) -> anyhow::Result<Vec<OwnerNote>> {
    db.rows(
        "SELECT author, body, created_at FROM order_notes WHERE order_id = ? ORDER BY id",
        &[int(order_id)],
    )?
    .iter()
    .map(|row| {
        Ok(OwnerNote {
            author: row.text(0)?,
            body: row.text(1)?,
            created_at: row.text(2)?,
        })
    })
    .collect()
}
