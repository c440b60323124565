//! Signing a customer in by email (`customer_sign_ins`, `customer_wrong_codes`):
//! - `POST /customers/sign-ins` `SignInRequest` → 202 `SignInSent`: records the sign-in
//!   and writes its email to the outbox, the same answer whether or not the address has
//!   orders or an account; 429 `too_many_sign_ins` past [`MAX_SIGN_INS_PER_CLIENT`] for
//!   the client or [`MAX_SIGN_INS_PER_ADDRESS`] for the address within
//!   [`SIGN_IN_WINDOW_SECONDS`];
//! - `POST /customers/sign-ins/confirm` `ConfirmSignIn` → 200: consumes the sign-in its
//!   link or code names (once, within [`SIGN_IN_LINK_SECONDS`]), creates the customer on
//!   their first sign-in and begins the session the command carries; 404
//!   `sign_in_invalid` for a link or code that is unknown, used or expired; 429
//!   `too_many_codes` once [`MAX_WRONG_CODES`] wrong codes were entered for the address.
//!
//! The link's secret and the code never reach the writer (see
//! [`storefront_domain::customer`]): it compares hashes. Consuming is one `UPDATE …
//! RETURNING` in the command's write transaction, so two confirmations of one link
//! cannot both begin a session.

use super::commands::{self, Applied};
use crate::db::{Db, RowExt as _, int, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::ApiError;
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::customer::{
    ConfirmSignIn, MAX_SIGN_INS_PER_ADDRESS, MAX_SIGN_INS_PER_CLIENT, MAX_WRONG_CODES,
    NewCustomerSession, SIGN_IN_LINK_SECONDS, SIGN_IN_WINDOW_SECONDS, SignInRequest, SignInSent,
    normalize_email, valid_hash, valid_nonce,
};
use storefront_domain::order::valid_email;
use storefront_domain::owner::MAX_CLIENT_KEY;

/// Sign-ins and wrong codes older than this are deleted by the next request.
const KEEP_SECONDS: i64 = 24 * 60 * 60;
/// The outbox event of a sign-in email.
pub const EVENT: &str = "account.sign_in";

fn valid_client(client: &str) -> bool {
    !client.is_empty()
        && client.len() <= MAX_CLIENT_KEY
        && client.bytes().all(|b| b.is_ascii_graphic())
}

fn too_many(code: &str, message: &str, oldest: i64, now: i64) -> ApiError {
    let wait = (oldest + SIGN_IN_WINDOW_SECONDS - now).max(1);
    ApiError::new(429, code, message).retry_after(wait)
}

/// How many rows of `table` (`column` = `value`, time in `at`) fall in the window, and
/// the oldest one's time.
fn in_window(db: &Db, sql: &str, value: &str, now: i64) -> anyhow::Result<(i64, i64)> {
    let row = db
        .row(sql, &[text(value), int(now - SIGN_IN_WINDOW_SECONDS)])?
        .ok_or_else(|| anyhow::anyhow!("count returned no row"))?;
    Ok((row.int(0)?, row.opt_int(1)?.unwrap_or(now)))
}

/// `POST /customers/sign-ins`.
pub fn request(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: SignInRequest = parse_json(body)?;
    let email = normalize_email(&input.email);
    let mut problems = Vec::new();
    if !valid_email(&email) {
        problems.push(FieldError::new("email", "must be an email address"));
    }
    if !valid_client(&input.client) {
        problems.push(FieldError::new(
            "client",
            format!("must be 1 to {MAX_CLIENT_KEY} visible ASCII characters"),
        ));
    }
    if !valid_nonce(&input.nonce) {
        problems.push(FieldError::new(
            "nonce",
            "must be 32 lower-case hex characters",
        ));
    }
    for (field, hash) in [
        ("token_hash", &input.token_hash),
        ("code_hash", &input.code_hash),
    ] {
        if !valid_hash(hash) {
            problems.push(FieldError::new(
                field,
                "must be a SHA-256 in lower-case hex",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let canonical = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
    commands::run(db, head, "sign_in.request", &canonical, |db, now| {
        db.execute(
            "DELETE FROM customer_sign_ins WHERE created_at < ?1",
            &[int(now - KEEP_SECONDS)],
        )?;
        db.execute(
            "DELETE FROM customer_wrong_codes WHERE at < ?1",
            &[int(now - KEEP_SECONDS)],
        )?;
        let (by_client, oldest) = in_window(
            db,
            "SELECT count(*), min(created_at) FROM customer_sign_ins
             WHERE client = ?1 AND created_at >= ?2",
            &input.client,
            now,
        )?;
        if by_client >= MAX_SIGN_INS_PER_CLIENT {
            eprintln!(
                "customer sign-in refused: client {} asked {by_client} times",
                input.client
            );
            return Err(too_many(
                "too_many_sign_ins",
                "too many sign-in emails were asked for; try again later",
                oldest,
                now,
            ));
        }
        let (by_address, oldest) = in_window(
            db,
            "SELECT count(*), min(created_at) FROM customer_sign_ins
             WHERE email = ?1 AND created_at >= ?2",
            &email,
            now,
        )?;
        if by_address >= MAX_SIGN_INS_PER_ADDRESS {
            return Err(too_many(
                "too_many_sign_ins",
                "too many sign-in emails were asked for; try again later",
                oldest,
                now,
            ));
        }
        let expires_at = now + SIGN_IN_LINK_SECONDS;
        db.execute(
            "INSERT INTO customer_sign_ins (email, client, token_hash, code_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                text(&email),
                text(&input.client),
                text(&input.token_hash),
                text(&input.code_hash),
                int(now),
                int(expires_at),
            ],
        )?;
        let payload = serde_json::json!({
            "nonce": input.nonce,
            "expires_at": expires_at,
            "locale": input.locale,
        });
        db.execute(
            &format!(
                "INSERT INTO outbox (message_id, channel, event, recipient, payload, created_at,
                                     next_attempt_at)
                 VALUES ({}, 'email', '{EVENT}', ?1, ?2, {}, ?3)",
                crate::outbox::NEW_MESSAGE_ID,
                crate::db::NOW
            ),
            &[text(&email), text(payload.to_string()), int(now)],
        )?;
        Applied::json(
            202,
            &SignInSent {
                expires_in: SIGN_IN_LINK_SECONDS,
            },
        )
    })
}

/// `POST /customers/sign-ins/confirm`.
pub fn confirm(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: ConfirmSignIn = parse_json(body)?;
    let email = normalize_email(&input.email);
    let by_link = !input.token_hash.is_empty();
    let mut problems = session_problems(&input.session);
    if by_link && !valid_hash(&input.token_hash) {
        problems.push(FieldError::new(
            "token_hash",
            "must be a SHA-256 in lower-case hex",
        ));
    }
    if !by_link && (!valid_email(&email) || !valid_hash(&input.code_hash)) {
        problems.push(FieldError::new(
            "code_hash",
            "give a token_hash, or an email with its code_hash",
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::invalid(problems));
    }
    let canonical = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
    commands::run(db, head, "sign_in.confirm", &canonical, |db, now| {
        let consumed = if by_link {
            db.row(
                "UPDATE customer_sign_ins SET consumed_at = ?2
                 WHERE token_hash = ?1 AND consumed_at IS NULL AND expires_at > ?2
                 RETURNING email",
                &[text(&input.token_hash), int(now)],
            )?
        } else {
            let (wrong, oldest) = in_window(
                db,
                "SELECT count(*), min(at) FROM customer_wrong_codes WHERE email = ?1 AND at >= ?2",
                &email,
                now,
            )?;
            if wrong >= MAX_WRONG_CODES {
                return Err(too_many(
                    "too_many_codes",
                    "too many wrong codes; ask for a new email later",
                    oldest,
                    now,
                ));
            }
            let found = db.row(
                "UPDATE customer_sign_ins SET consumed_at = ?3
                 WHERE id = (SELECT id FROM customer_sign_ins
                             WHERE email = ?1 AND code_hash = ?2 AND consumed_at IS NULL
                               AND expires_at > ?3
                             ORDER BY id DESC LIMIT 1)
                 RETURNING email",
                &[text(&email), text(&input.code_hash), int(now)],
            )?;
            if found.is_none() {
                // A wrong code is counted, so the refusal is recorded with the count.
                db.execute(
                    "INSERT INTO customer_wrong_codes (email, at) VALUES (?1, ?2)",
                    &[text(&email), int(now)],
                )?;
                return Ok(Applied {
                    status: 404,
                    response: invalid().body.to_json(),
                });
            }
            found
        };
        let Some(row) = consumed else {
            return Err(invalid());
        };
        let email = row.text(0)?;
        // One sign-in opens the account: the other emails' links stop working.
        db.execute(
            "UPDATE customer_sign_ins SET consumed_at = ?2 WHERE email = ?1 AND consumed_at IS NULL",
            &[text(&email), int(now)],
        )?;
        db.execute(
            "INSERT INTO customer_accounts (email, verified_at) VALUES (?1, ?2)
             ON CONFLICT (email) DO NOTHING",
            &[text(&email), int(now)],
        )?;
        super::sessions::begin(db, &email, &input.session, now)?;
        eprintln!("customer signed in from client {}", input.session.client);
        Applied::json(200, &serde_json::json!({ "signed_in": true }))
    })
}

fn invalid() -> ApiError {
    ApiError::new(
        404,
        "sign_in_invalid",
        "this sign-in link or code is wrong, was used already or has expired",
    )
}

fn session_problems(session: &NewCustomerSession) -> Vec<FieldError> {
    let mut problems = Vec::new();
    if !valid_hash(&session.id) {
        problems.push(FieldError::new(
            "session.id",
            "must be a SHA-256 in lower-case hex",
        ));
    }
    if !valid_client(&session.client) {
        problems.push(FieldError::new(
            "session.client",
            format!("must be 1 to {MAX_CLIENT_KEY} visible ASCII characters"),
        ));
    }
    problems
}
