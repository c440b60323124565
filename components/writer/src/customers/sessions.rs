//! The customers' server-side sessions (`customer_sessions`):
//! - `GET  /customers/sessions/{id}` → `Account` (the verified email and the saved
//!   addresses) while the session is valid (within [`CUSTOMER_SESSION_SECONDS`] of its
//!   sign-in), 404 `no_session` otherwise;
//! - `POST /customers/sessions/{id}/end` → 204, also when there is no such session (a
//!   repeated sign-out): the cookie that named it opens nothing afterwards.
//!
//! A session begins only inside a confirmed sign-in ([`super::sign_ins`], through
//! [`begin`]). `id` is the SHA-256 of the secret only the browser's cookie carries.

use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::customer::{
    Account, CUSTOMER_SESSION_SECONDS, NewCustomerSession, valid_hash,
};

/// The customer a valid session belongs to.
pub struct Customer {
    pub id: i64,
    pub email: String,
    /// When the email was first verified (RFC 3339 UTC).
    pub since: String,
}

pub fn no_session() -> ApiError {
    ApiError::new(
        404,
        "no_session",
        "no such customer session, or it has ended",
    )
}

/// Begins `session` for the customer with `email`, inside the caller's write transaction;
/// expired sessions are pruned first, and a session that exists already (a replayed
/// command) is left as it is.
pub fn begin(db: &Db, email: &str, session: &NewCustomerSession, now: i64) -> anyhow::Result<()> {
    db.execute(
        "DELETE FROM customer_sessions WHERE expires_at <= ?1",
        &[int(now)],
    )?;
    db.execute(
        &format!(
            "INSERT INTO customer_sessions (id, customer_id, client, created_at, expires_at)
             SELECT ?1, id, ?2, ?3, ?3 + {CUSTOMER_SESSION_SECONDS} FROM customer_accounts WHERE email = ?4
             ON CONFLICT (id) DO NOTHING"
        ),
        &[
            text(&session.id),
            text(&session.client),
            int(now),
            text(email),
        ],
    )?;
    Ok(())
}

/// The customer session `id` belongs to, if it is valid now.
pub fn customer(db: &Db, id: &str) -> Result<Customer, ApiError> {
    if !valid_hash(id) {
        return Err(no_session());
    }
    let now = db.unix_seconds()?;
    let row = db
        .row(
            "SELECT c.id, c.email, strftime('%Y-%m-%dT%H:%M:%SZ', c.verified_at, 'unixepoch')
             FROM customer_sessions s JOIN customer_accounts c ON c.id = s.customer_id
             WHERE s.id = ?1 AND s.expires_at > ?2",
            &[text(id), int(now)],
        )?
        .ok_or_else(no_session)?;
    Ok(Customer {
        id: row.int(0)?,
        email: row.text(1)?,
        since: row.text(2)?,
    })
}

/// The account of `customer`, with its saved addresses.
pub fn account(db: &Db, customer: &Customer) -> anyhow::Result<Account> {
    Ok(Account {
        email: customer.email.clone(),
        since: customer.since.clone(),
        addresses: super::addresses::of(db, customer.id)?,
    })
}

/// `GET /customers/sessions/{id}`.
pub fn check(db: &Db, id: &str) -> Result<Response, ApiError> {
    let account = db.transaction(Mode::Read, |db| {
        let customer = customer(db, id)?;
        Ok::<_, ApiError>(account(db, &customer)?)
    })?;
    json(200, &account)
}

/// `POST /customers/sessions/{id}/end`.
pub fn end(db: &Db, id: &str) -> Result<Response, ApiError> {
    if valid_hash(id) {
        let ended = db.transaction(Mode::Write, |db| {
            db.row(
                "DELETE FROM customer_sessions WHERE id = ?1 RETURNING client",
                &[text(id)],
            )
        })?;
        if let Some(row) = ended {
            eprintln!("customer session ended (client {})", row.text(0)?);
        }
    }
    Ok(Response::builder().status(204).build())
}
