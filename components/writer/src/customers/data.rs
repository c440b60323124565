//! A customer's data:
//! - `GET  /customers/sessions/{id}/data` → `AccountData`: the account, its addresses and
//!   the orders placed with its email (the newest [`MAX_EXPORT_ORDERS`]), as the API
//!   shows each order;
//! - `POST /customers/sessions/{id}/erase` (with an `Idempotency-Key`) → `Erased`: the
//!   personal fields of every order placed with the email (email, name, addresses, phone)
//!   are anonymised, and so are the emails about them (the outbox's recipients and the
//!   local mailbox's copies), the reasons given for returns, the discount codes'
//!   redemptions and refused attempts, and the
//!   order answers kept for retries; the addresses, the
//!   sessions, the sign-ins and the account are deleted. The ledger stays as it was:
//!   order rows, lines, events, payments and every amount, so the audit still balances.
//!   409 `orders_open` while an order awaits payment or shipping (its parcel still needs
//!   the address).

use super::commands::{self, Applied};
use super::sessions;
use crate::db::{Db, Mode, NOW, int, text};
use crate::http::request::Head;
use crate::http::responses::{ApiError, json};
use crate::orders::view;
use sha2::{Digest as _, Sha256};
use spin_sdk::http::Response;
use storefront_domain::customer::{AccountData, ERASED, Erased, MAX_EXPORT_ORDERS};

/// What an erased order's email reads (a reserved domain, never delivered to).
pub const ERASED_EMAIL: &str = "erased@erased.invalid";

/// `GET /customers/sessions/{id}/data`.
pub fn download(db: &Db, session: &str) -> Result<Response, ApiError> {
    let data = db.transaction(Mode::Read, |db| {
        let customer = sessions::customer(db, session)?;
        let account = sessions::account(db, &customer)?;
        let ids = db.ints(
            "SELECT id FROM orders WHERE email = ?1 COLLATE NOCASE ORDER BY id DESC LIMIT ?2",
            &[text(&customer.email), int(MAX_EXPORT_ORDERS)],
        )?;
        let mut views = view::views(db, &ids)?;
        let orders = ids
            .iter()
            .map(|id| {
                views
                    .remove(id)
                    .ok_or_else(|| anyhow::anyhow!("order {id} vanished"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok::<_, ApiError>(AccountData { account, orders })
    })?;
    json(200, &data)
}

/// `POST /customers/sessions/{id}/erase`.
pub fn erase(db: &Db, head: &Head, session: &str) -> Result<Response, ApiError> {
    commands::run(db, head, "account.erase", session, |db, _now| {
        let customer = sessions::customer(db, session)?;
        let email = text(&customer.email);
        let open = db
            .int_value(
                "SELECT count(*) FROM orders WHERE email = ?1 COLLATE NOCASE
                 AND state IN ('pending_payment', 'paid')",
                std::slice::from_ref(&email),
            )?
            .unwrap_or_default();
        if open > 0 {
            return Err(ApiError::new(
                409,
                "orders_open",
                "an order still awaits payment or shipping; erase the account once it has \
                 shipped or been cancelled",
            ));
        }
        let ids = db.ints(
            "SELECT id FROM orders WHERE email = ?1 COLLATE NOCASE",
            std::slice::from_ref(&email),
        )?;
        for &id in &ids {
            db.execute(
                &format!(
                    "UPDATE orders SET email = ?2, name = ?3, address_line1 = '', address_line2 = '',
                         address_city = '', address_postal_code = '', address_state = '', phone = '',
                         billing_line1 = NULL, billing_line2 = NULL, billing_city = NULL,
                         billing_postal_code = NULL, billing_state = NULL, billing_country = NULL,
                         note = '', updated_at = {NOW}
                     WHERE id = ?1"
                ),
                &[int(id), text(ERASED_EMAIL), text(ERASED)],
            )?;
            db.execute(
                "UPDATE idempotency_keys SET response = '' WHERE order_id = ?1",
                &[int(id)],
            )?;
            // The shopper's words on their returns (the returns and their amounts stay).
            db.execute(
                "UPDATE returns SET reason = ?2 WHERE order_id = ?1 AND reason <> ?2",
                &[int(id), text(ERASED)],
            )?;
            db.execute(
                "UPDATE outbox SET payload = json_set(payload, '$.reason', ?2)
                 WHERE order_id = ?1 AND event LIKE 'return.%'
                   AND json_extract(payload, '$.reason') IS NOT NULL",
                &[int(id), text(ERASED)],
            )?;
            db.execute(
                "UPDATE local_mailbox SET recipient = ?2, text_body = ?3, html_body = ?3
                 WHERE outbox_id IN (SELECT id FROM outbox WHERE order_id = ?1 AND channel = 'email')",
                &[int(id), text(ERASED_EMAIL), text(ERASED)],
            )?;
            db.execute(
                "UPDATE outbox SET recipient = ?2 WHERE order_id = ?1 AND channel = 'email'",
                &[int(id), text(ERASED_EMAIL)],
            )?;
        }
        // The discount codes the address redeemed: the redemptions stay (the code's use
        // counts), their email is the erased one (migration 0028 allows that one change).
        db.execute(
            "UPDATE discount_redemptions SET email = ?2 WHERE email = ?1",
            &[text(customer.email.to_lowercase()), text(ERASED_EMAIL)],
        )?;
        // The refused codes' per-customer checks named the address by its hash.
        db.execute(
            "UPDATE discount_attempts SET email_sha256 = '' WHERE email_sha256 = ?1",
            &[text(hex::encode(Sha256::digest(
                customer.email.to_lowercase().as_bytes(),
            )))],
        )?;
        // The sign-in emails sent to the address.
        db.execute(
            "UPDATE local_mailbox SET recipient = ?2, text_body = ?3, html_body = ?3
             WHERE outbox_id IN (SELECT id FROM outbox WHERE order_id IS NULL
                                 AND channel = 'email' AND recipient = ?1)",
            &[email.clone(), text(ERASED_EMAIL), text(ERASED)],
        )?;
        db.execute(
            "UPDATE outbox SET recipient = ?2 WHERE order_id IS NULL AND channel = 'email'
             AND recipient = ?1",
            &[email.clone(), text(ERASED_EMAIL)],
        )?;
        // The back office's row for the address (migration 0025's triggers moved its orders
        // and amounts to the erased address; what is left names the address).
        for table in [
            "customer_sign_ins",
            "customer_wrong_codes",
            "customers",
            "customer_spent",
        ] {
            db.execute(
                &format!("DELETE FROM {table} WHERE email = ?1"),
                std::slice::from_ref(&email),
            )?;
        }
        // Sessions and addresses go with the account (ON DELETE CASCADE).
        db.execute(
            "DELETE FROM customer_accounts WHERE id = ?1",
            &[int(customer.id)],
        )?;
        eprintln!("customer account erased ({} orders anonymised)", ids.len());
        Applied::json(
            200,
            &Erased {
                orders: i64::try_from(ids.len()).map_err(anyhow::Error::from)?,
            },
        )
    })
}
