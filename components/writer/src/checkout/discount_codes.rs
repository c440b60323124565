//! The owner's discount codes: list (with their refused guesses), create, change,
//! deactivate; never deleted, since orders name them. Each command runs through
//! [`idempotency::run`].

use crate::catalog::rules::{Checks, conflict};
use crate::checkout::discount_attempts;
use crate::checkout::discounts::{self, COLUMNS};
use crate::checkout::setting_rules::{MAX_AMOUNT, check_amount};
use crate::db::{Db, Mode, RowExt as _, int, opt_int, opt_text, text};
use crate::http::request::{Head, parse_json};
use crate::http::responses::json_string;
use crate::http::responses::{ApiError, json};
use crate::idempotency::Command;
use crate::idempotency::{self, Applied};
use spin_sdk::http::Response;
use storefront_domain::checkout::{
    DiscountChange, DiscountCode, DiscountKind, DiscountList, ListedDiscount,
    normalize_discount_code,
};

/// Most discount codes a shop holds (deactivated ones count: they are never deleted).
pub const MAX_DISCOUNT_CODES: i64 = 1000;
/// Largest usage limit.
pub const MAX_USES: i64 = 1_000_000_000;

/// `GET /admin/discounts`: every code, newest first (at most [`MAX_DISCOUNT_CODES`]), with
/// its state now and its refused guesses, and the latest refused guesses of any code.
pub fn list(db: &Db) -> Result<Response, ApiError> {
    let list = db.transaction(Mode::Read, |db| -> anyhow::Result<DiscountList> {
        let now = db.now()?;
        let discounts = db
            .rows(
                &format!(
                    "SELECT {COLUMNS}, (SELECT count(*) FROM discount_attempts a \
                     WHERE a.code_id = discount_codes.id AND a.attempted_at > ?1) \
                     FROM discount_codes ORDER BY id DESC LIMIT ?2"
                ),
                &[
                    int(discount_attempts::kept_since(db)?),
                    int(MAX_DISCOUNT_CODES),
                ],
            )?
            .iter()
            .map(|row| {
                let discount = discounts::of_row(row)?.code;
                Ok(ListedDiscount {
                    state: discount.state_at(&now),
                    discount,
                    refused_attempts: row.int(11)?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(DiscountList {
            discounts,
            refused: discount_attempts::latest(db)?,
        })
    })?;
    json(200, &list)
}

fn check_value(checks: &mut Checks, kind: DiscountKind, value: i64) {
    match kind {
        DiscountKind::Percent if !(1..=10_000).contains(&value) => checks.add(
            "value",
            "a percentage is given in basis points, 1 to 10000 (1000 = 10 %)",
        ),
        DiscountKind::Fixed if !(1..=MAX_AMOUNT).contains(&value) => {
            checks.add(
                "value",
                format!("must be between 1 and {MAX_AMOUNT} minor units"),
            );
        }
        _ => {}
    }
}

fn check_limit(checks: &mut Checks, field: &str, value: Option<i64>) {
    if value.is_some_and(|v| !(1..=MAX_USES).contains(&v)) {
        checks.add(
            field,
            format!("must be between 1 and {MAX_USES}, or null for no limit"),
        );
    }
}

/// A timestamp as SQLite understands it (`2025-06-01`, `2025-06-01T00:00:00Z`, with an
/// offset…) in the stored UTC form, or a field error.
fn timestamp(db: &Db, checks: &mut Checks, field: &str, value: &str) -> anyhow::Result<String> {
    let value = value.trim();
    let parsed = if value.len() <= 40 {
        db.row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?)", &[text(value)])?
            .and_then(|row| row.opt_text(0).ok().flatten())
    } else {
        None
    };
    Ok(parsed.unwrap_or_else(|| {
        checks.add(field, "is not a date and time such as 2025-06-01T00:00:00Z");
        String::new()
    }))
}

fn discount_answer(
    db: &Db,
    code: &str,
    status: u16,
    changes: serde_json::Value,
) -> Result<Applied, ApiError> {
    let stored = discounts::find(db, code)?
        .ok_or_else(|| anyhow::anyhow!("discount code {code} vanished"))?;
    Ok(Applied {
        status,
        response: json_string(&stored.code)?,
        changes,
    })
}

fn no_discount(code: &str) -> ApiError {
    ApiError::not_found(format!("there is no discount code {code}"))
}

/// `POST /admin/discounts` `DiscountCode`: 201 with the code as stored (upper case).
pub fn create(db: &Db, head: &Head, body: &[u8]) -> Result<Response, ApiError> {
    let input: DiscountCode = parse_json(body)?;
    let mut checks = Checks::default();
    let code = normalize_discount_code(&input.code).unwrap_or_else(|| {
        checks.add(
            "code",
            "must be 1 to 32 letters, digits, - or _ (compared without regard to case)",
        );
        String::new()
    });
    check_value(&mut checks, input.kind, input.value);
    check_amount(&mut checks, "min_subtotal", input.min_subtotal);
    check_limit(&mut checks, "max_uses", input.max_uses);
    check_limit(&mut checks, "max_uses_per_email", input.max_uses_per_email);
    checks.finish()?;
    let canonical = DiscountCode {
        code: code.clone(),
        uses: 0,
        ..input.clone()
    };
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("create_discount", &code, json_string(&canonical)?),
        |db, now| {
            let mut checks = Checks::default();
            let starts_at = match &input.starts_at {
                Some(s) => timestamp(db, &mut checks, "starts_at", s)?,
                None => now.to_string(),
            };
            let ends_at = match &input.ends_at {
                Some(s) => Some(timestamp(db, &mut checks, "ends_at", s)?),
                None => None,
            };
            if ends_at
                .as_deref()
                .is_some_and(|end| !end.is_empty() && *end <= *starts_at)
            {
                checks.add("ends_at", "must be after starts_at");
            }
            checks.finish()?;
            if discounts::find(db, &code)?.is_some() {
                return Err(conflict("code", format!("{code} already exists")));
            }
            let count = db
                .row("SELECT count(*) FROM discount_codes", &[])?
                .map_or(Ok(0), |r| r.int(0))?;
            if count >= MAX_DISCOUNT_CODES {
                return Err(ApiError::new(
                    409,
                    "too_many_discount_codes",
                    format!("a shop holds at most {MAX_DISCOUNT_CODES} discount codes"),
                ));
            }
            db.execute(
                "INSERT INTO discount_codes (code, kind, value, min_subtotal, starts_at, ends_at, \
                 max_uses, max_uses_per_email, active, created_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    text(&code),
                    text(match input.kind {
                        DiscountKind::Percent => "percent",
                        DiscountKind::Fixed => "fixed",
                    }),
                    int(input.value),
                    int(input.min_subtotal),
                    text(&starts_at),
                    opt_text(ends_at.as_deref()),
                    opt_int(input.max_uses),
                    opt_int(input.max_uses_per_email),
                    int(i64::from(input.active)),
                    text(now),
                    text(now),
                ],
            )?;
            discount_answer(
                db,
                &code,
                201,
                serde_json::to_value(&canonical).map_err(anyhow::Error::from)?,
            )
        },
    )
}

/// `POST /admin/discounts/{code}` `DiscountChange`: changes the given fields.
pub fn update(db: &Db, head: &Head, code: &str, body: &[u8]) -> Result<Response, ApiError> {
    let change: DiscountChange = parse_json(body)?;
    let code = normalize_discount_code(code).ok_or_else(|| no_discount(code))?;
    let mut checks = Checks::default();
    if let Some(min) = change.min_subtotal {
        check_amount(&mut checks, "min_subtotal", min);
    }
    if let Some(max) = change.max_uses {
        check_limit(&mut checks, "max_uses", max);
    }
    if let Some(max) = change.max_uses_per_email {
        check_limit(&mut checks, "max_uses_per_email", max);
    }
    checks.finish()?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("update_discount", &code, json_string(&change)?),
        |db, now| {
            let stored = discounts::find(db, &code)?.ok_or_else(|| no_discount(&code))?;
            let mut checks = Checks::default();
            let mut next = stored.code.clone();
            if let Some(value) = change.value {
                check_value(&mut checks, next.kind, value);
                next.value = value;
            }
            if let Some(min) = change.min_subtotal {
                next.min_subtotal = min;
            }
            if let Some(start) = &change.starts_at {
                next.starts_at = Some(timestamp(db, &mut checks, "starts_at", start)?);
            }
            if let Some(end) = &change.ends_at {
                next.ends_at = match end {
                    Some(end) => Some(timestamp(db, &mut checks, "ends_at", end)?),
                    None => None,
                };
            }
            if let (Some(start), Some(end)) = (&next.starts_at, &next.ends_at)
                && !end.is_empty()
                && end <= start
            {
                checks.add("ends_at", "must be after starts_at");
            }
            if let Some(max) = change.max_uses {
                next.max_uses = max;
            }
            if let Some(max) = change.max_uses_per_email {
                next.max_uses_per_email = max;
            }
            if let Some(active) = change.active {
                next.active = active;
            }
            checks.finish()?;
            db.execute(
                "UPDATE discount_codes SET value = ?, min_subtotal = ?, starts_at = ?, \
                 ends_at = ?, max_uses = ?, max_uses_per_email = ?, active = ?, updated_at = ? \
                 WHERE id = ?",
                &[
                    int(next.value),
                    int(next.min_subtotal),
                    opt_text(next.starts_at.as_deref()),
                    opt_text(next.ends_at.as_deref()),
                    opt_int(next.max_uses),
                    opt_int(next.max_uses_per_email),
                    int(i64::from(next.active)),
                    text(now),
                    int(stored.id),
                ],
            )?;
            discount_answer(
                db,
                &code,
                200,
                serde_json::json!({ "before": stored.code, "after": next }),
            )
        },
    )
}

/// `POST /admin/discounts/{code}/deactivate`: no order can use it any more (the code and
/// its redemptions stay).
pub fn deactivate(db: &Db, head: &Head, code: &str) -> Result<Response, ApiError> {
    let code = normalize_discount_code(code).ok_or_else(|| no_discount(code))?;
    idempotency::run(
        db,
        &head.idempotency_key,
        &head.actor,
        Command::new("deactivate_discount", &code, String::new()),
        |db, now| {
            let stored = discounts::find(db, &code)?.ok_or_else(|| no_discount(&code))?;
            db.execute(
                "UPDATE discount_codes SET active = 0, updated_at = ? WHERE id = ?",
                &[text(now), int(stored.id)],
            )?;
            discount_answer(db, &code, 200, serde_json::json!({ "active": false }))
        },
    )
}
