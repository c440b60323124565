//! `GET /admin/audit[?full=1]`: proves from the ledger itself that nothing was lost or
//! bent; `GET /admin/audit/last`: the last audit's stored result and when it ran.
//! Each check yields findings (one readable line each, at most [`MAX_FINDINGS_PER_CHECK`]
//! per check); an empty list means it holds.
//!
//! It runs in bounded memory at any size: every check is one SQL query that returns only
//! the rows that break it. It is incremental: each run is stored in `audit_runs` with the
//! last order id it verified; a routine run checks the orders placed after the last clean
//! run's cursor, plus those changed since it ran (by `orders_by_updated`), and the cheap
//! global invariants; `?full=1` (`storefront check --full`) re-verifies every order from
//! scratch; `?full=1` and `?integrity=1` (`storefront check`) run `PRAGMA integrity_check`. The host runs a routine audit at start and
//! every 10 minutes; the dashboard shows the stored result, never runs one.
//!
//! - `PRAGMA integrity_check` is `ok` (full and `integrity=1` runs); when it is not, its
//!   lines name the damaged tables and indexes ([`storage_damage`]), and if the other
//!   checks then fail on the damaged pages, that is one more finding, not an internal error;
//! - for tables whose rows are never deleted, `sqlite_sequence` (ids ever issued) equals
//!   `MAX(id)` and the row count: the exact symptom of the lost Rails orders was
//!   "17 ids issued, `MAX(id)` 15";
//! - no variant has negative stock;
//! - every order's subtotal is the sum of its lines, in the order's currency, and its total
//!   is subtotal − discount + shipping (+ tax when prices exclude it);
//! - every discount code's `uses` is the number of its live (unreleased) redemptions, and
//!   every order that names a code has a redemption of it;
//! - every idempotency record points at an existing order;
//! - every order has a well-formed access token (the key to its personal data; unique by
//!   index);
//! - every order's state is the `to_state` of its latest event;
//! - the per-day aggregates the dashboard reads (`daily_orders`, `daily_revenue`) equal
//!   what the orders and payments of each day add up to (a routine run checks the days of
//!   the orders in its scope, a full run every day);
//! - payments agree with their orders: a paid or shipped order has money in (a succeeded
//!   payment, or one whose refund is requested), money in belongs to a paid or shipped
//!   order (a succeeded payment for a cancelled order is money to give back), a refunded
//!   order's payment is refunded, and a payment is for the order's total;
//! - refunds stay within their payments: the refunds asked for (not failed) add up to no
//!   more than the payment, and a refunded order's provider confirmed refunding all of it;
//! - no payment event waits for a human: none the ledger could not attribute to an order,
//!   none whose money was not the order's total, none deferred for more than a day,
//!   unless a human has recorded a review of it (see `reviews`).

use crate::db::RowExt as _;
use crate::db::{Db, Mode, int, opt_text, text};
use crate::http::responses::{ApiError, json};
use crate::payments::events;
use crate::payments::reviews;
use crate::payments::state::Outcome;
use serde::Serialize;
use spin_sdk::http::Response;
use spin_sdk::sqlite::Value;
use storefront_domain::dashboard::AuditReport;
use storefront_domain::storage_damage::{self, OBJECTS_BY_ROOT_PAGE, SchemaObject};
use storefront_domain::{FieldError, Money};

/// Most findings one check reports (the audit's memory stays bounded whatever is wrong).
pub const MAX_FINDINGS_PER_CHECK: i64 = 100;
/// Audit runs kept in `audit_runs` (older ones are deleted as new ones are stored).
pub const AUDIT_RUNS_KEPT: i64 = 1_000;

/// Tables whose rows are never deleted (enforced by triggers in `0002_orders.sql`,
/// `0003_payments.sql`, `0004_payment_event_reviews.sql`, `0005_stock_adjustments.sql` and
/// `0006_provider_actions.sql`, `0007_catalog_variants.sql`, `0009_checkout.sql`,
/// `0015_partial_refunds.sql`, `0020_tracking_and_restock.sql`).
const APPEND_ONLY: [&str; 13] = [
    "orders",
    "order_lines",
    "order_events",
    "payments",
    "payment_events",
    "payment_event_reviews",
    "stock_adjustments",
    "provider_actions",
    "catalog_history",
    "discount_codes",
    "discount_redemptions",
    "refunds",
    "order_restocks",
];

/// How long a deferred payment event may wait for the event it needs (an SQLite modifier).
pub const DEFERRED_PATIENCE: &str = "-1 day";

/// Which orders a run verifies: ids in `(from, through]`, and those changed since `since`
/// (the last clean run's time; `None` on a full run).
struct Scope {
    from: i64,
    through: i64,
    since: Option<String>,
}

impl Scope {
    /// `(o.id > ?1 AND o.id <= ?2 OR o.updated_at >= ?3)`: the orders in scope, read by
    /// rowid range and `orders_by_updated`.
    const ORDERS: &'static str = "(o.id > ?1 AND o.id <= ?2 OR o.updated_at >= ?3)";

    /// The scope's parameters `?1`..`?3`, then `?4` = [`MAX_FINDINGS_PER_CHECK`].
    fn params(&self) -> [Value; 4] {
        [
            int(self.from),
            int(self.through),
            opt_text(self.since.as_deref()),
            int(MAX_FINDINGS_PER_CHECK),
        ]
    }
}

#[derive(Serialize)]
struct Report {
    ok: bool,
    summary: String,
    findings: Vec<String>,
    ran_at: String,
    full: bool,
    orders_checked: i64,
    /// The last order id this run verified: the next routine run's cursor.
    through_order_id: i64,
    /// A paged run that has orders left: the `after` of its next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
    /// A paged run's last order id (fixed by its first page): the `through` of its next
    /// pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    run_through: Option<i64>,
}

/// One call of a paged run (`?after=…`, with `full=1` or routine): the orders with ids in
/// `(after, min(through, after + limit)]` (a routine run's first page starts at the last
/// clean run's cursor instead, and takes the orders changed since it ran); the first page
/// (`after=0`) also runs every check that is not per order (the file's `integrity_check`
/// is paged by table, [`integrity_page`]); the last page stores the run,
/// with the orders and findings of the pages before it (`checked`, `found`: the caller's
/// sums). No single call reads more than [`AUDIT_PAGE_ORDERS`] orders, so none nears the
/// writer's 30 s request limit, whatever the size of the shop.
struct Page {
    after: i64,
    /// The run's last order id (the first page's `through_order_id`); `None` on the first.
    through: Option<i64>,
    limit: i64,
    checked: i64,
    found: i64,
}

/// Most orders one page of a paged run verifies (`limit`, 1 to this).
pub const AUDIT_PAGE_ORDERS: i64 = 20_000;

impl Page {
    /// `None` for an unpaged run (no `after`).
    fn parse(query: &str) -> Result<Option<Page>, ApiError> {
        let mut page = Page {
            after: -1,
            through: None,
            limit: AUDIT_PAGE_ORDERS,
            checked: 0,
            found: 0,
        };
        let mut bad = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let number = value.parse::<i64>().ok().filter(|n| *n >= 0);
            let slot = match name.as_ref() {
                "after" => &mut page.after,
                "limit" => &mut page.limit,
                "checked" => &mut page.checked,
                "found" => &mut page.found,
                "through" => {
                    match number {
                        Some(n) => page.through = Some(n),
                        None => bad.push(FieldError::new("through", "must be an order id")),
                    }
                    continue;
                }
                _ => continue,
            };
            match number {
                Some(n) => *slot = n,
                None => bad.push(FieldError::new(
                    name.to_string(),
                    "must be a whole number, 0 or more",
                )),
            }
        }
        if !(1..=AUDIT_PAGE_ORDERS).contains(&page.limit) {
            bad.push(FieldError::new(
                "limit",
                format!("must be from 1 to {AUDIT_PAGE_ORDERS}"),
            ));
        }
        if !bad.is_empty() {
            return Err(ApiError::invalid(bad));
        }
        Ok((page.after >= 0).then_some(page))
    }
}

/// `GET /admin/audit`: a routine (incremental) run; `?full=1`: everything from scratch;
/// `?after=…`: one page of either ([`Page`]).
pub fn audit(db: &Db, query: &str) -> Result<Response, ApiError> {
    let asked = |what: &str| {
        form_urlencoded::parse(query.as_bytes())
            .any(|(name, value)| name == what && matches!(value.as_ref(), "1" | "true"))
    };
    let full = asked("full");
    if let Some((_, after)) =
        form_urlencoded::parse(query.as_bytes()).find(|(name, _)| name == "integrity_after")
    {
        return integrity_page(db, &after);
    }
    let page = Page::parse(query)?;
    // Whether this call runs the checks that are not per order (every unpaged run, and the
    // first page of a paged one).
    let first = page.as_ref().is_none_or(|p| p.after == 0);
    // First and on its own, outside the snapshot: a statement that meets a damaged page
    // fails, and would take the transaction (and the report) with it.
    let mut damage = Vec::new();
    // A paged run checks the file's integrity table by table, in calls of its own.
    if page.is_none() && (full || asked("integrity")) {
        integrity(db, &mut damage)?;
    }
    let report = db.transaction(Mode::Read, |db| -> anyhow::Result<Report> {
        let ran_at = db.now()?;
        let last_id = db
            .int_value("SELECT coalesce(max(id), 0) FROM orders", &[])?
            .unwrap_or(0);
        let checkpoint = if full {
            None
        } else {
            db.row(
                "SELECT through_order_id, ran_at FROM audit_runs WHERE ok = 1 \
                 ORDER BY id DESC LIMIT 1",
                &[],
            )?
        };
        let run_through = page.as_ref().map(|p| p.through.unwrap_or(last_id));
        let (scope, next_after) = match (&page, checkpoint) {
            (Some(page), checkpoint) => {
                let through = page.through.unwrap_or(last_id);
                // A routine run's first page starts at the last clean run's cursor and
                // takes the orders changed since it ran; its next pages are id ranges.
                let (from, since) = match (page.after, checkpoint) {
                    (0, Some(row)) => (row.int(0)?.min(through), Some(row.text(1)?)),
                    (after, _) => (after, None),
                };
                let to = through.min(from.saturating_add(page.limit));
                (
                    Scope {
                        from,
                        through: to,
                        since,
                    },
                    (to < through).then_some(to),
                )
            }
            (None, Some(row)) => (
                Scope {
                    from: row.int(0)?.min(last_id),
                    through: last_id,
                    since: Some(row.text(1)?),
                },
                None,
            ),
            (None, None) => (
                Scope {
                    from: 0,
                    through: last_id,
                    since: None,
                },
                None,
            ),
        };
        let last = next_after.is_none();
        let orders_checked = db
            .int_value(
                &format!("SELECT count(*) FROM orders o WHERE {}", Scope::ORDERS),
                &scope.params()[..3],
            )?
            .unwrap_or(0);
        let mut findings = damage.clone();
        let mut counts = Vec::new();
        if first {
            for table in APPEND_ONLY {
                counts.push((table, sequences(db, table, &mut findings)?));
            }
            negative_stock(db, &mut findings)?;
            discount_code_uses(db, &mut findings)?;
            refunds_asked_within_payments(db, &mut findings)?;
            payment_events_settled(db, &mut findings)?;
            crate::outbox::findings::collect(db, &mut findings)?;
        }
        totals(db, &scope, &mut findings)?;
        discount_uses(db, &scope, &mut findings)?;
        idempotency(db, &scope, first, last, &mut findings)?;
        access_tokens(db, &scope, &mut findings)?;
        states(db, &scope, &mut findings)?;
        daily_totals(db, &scope, first, &mut findings)?;
        payments_match_orders(db, &scope, &mut findings)?;
        refunds_within_payments(db, &scope, &mut findings)?;
        let verified = match (&page, &scope.since) {
            (Some(_), None) => format!(
                "{orders_checked} orders verified (ids {} to {})",
                scope.from + 1,
                scope.through
            ),
            (Some(_), Some(since)) => format!(
                "{orders_checked} orders verified (ids {} to {}, and those changed since \
                 {since})",
                scope.from + 1,
                scope.through
            ),
            (None, Some(since)) => format!(
                "{orders_checked} orders verified (placed after order id {} or changed \
                 since {since})",
                scope.from
            ),
            (None, None) => format!("{orders_checked} orders verified (every order)"),
        };
        let summary = if first {
            format!(
                "audit ok: {}; {}; sequences match; no negative stock; {verified}: totals \
                 match; discount uses match; idempotency records resolve; daily totals \
                 match; payments match their orders; refunds stay within their payments; \
                 no payment event waits; no outbox message given up or overdue",
                if page.is_some() {
                    "integrity checked table by table in calls of its own"
                } else if full || !damage.is_empty() || asked("integrity") {
                    "integrity ok"
                } else {
                    "integrity not checked (full and `integrity=1` runs only)"
                },
                counts
                    .iter()
                    .map(|(t, n)| format!("{n} {t}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        } else {
            format!(
                "audit ok: {verified}: totals match; discount uses match; idempotency \
                 records resolve; daily totals match; payments match their orders; refunds \
                 stay within their payments"
            )
        };
        Ok(Report {
            ok: findings.is_empty(),
            summary,
            findings,
            ran_at,
            full,
            orders_checked,
            through_order_id: scope.through,
            next_after,
            run_through,
        })
    });
    match report {
        Ok(report) => {
            match &page {
                None => store(db, &report, full)?,
                // The last page stores the whole run.
                Some(page) if report.next_after.is_none() => {
                    let run = Report {
                        ok: report.ok && page.found == 0,
                        orders_checked: report.orders_checked + page.checked,
                        summary: if page.found == 0 {
                            report.summary.clone()
                        } else {
                            format!(
                                "audit failed: {} problem(s) in the pages before the last",
                                page.found
                            )
                        },
                        findings: report.findings.clone(),
                        ran_at: report.ran_at.clone(),
                        full,
                        through_order_id: report.through_order_id,
                        next_after: None,
                        run_through: report.run_through,
                    };
                    store(db, &run, full)?;
                }
                Some(_) => {}
            }
            json(200, &report)
        }
        // The file is damaged where the other checks read: report the damage (not stored:
        // writing to the damaged file is refused).
        Err(e) if !damage.is_empty() => {
            damage.push(format!(
                "the other checks could not run on the damaged file ({}); see \
                 docs/operations.md, \"Damaged database files\"",
                e.root_cause()
            ));
            json(
                200,
                &Report {
                    ok: false,
                    summary: "audit failed: the database file is damaged".to_string(),
                    findings: damage,
                    ran_at: String::new(),
                    full,
                    orders_checked: 0,
                    through_order_id: 0,
                    next_after: None,
                    run_through: None,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores a run: its result, and the cursor up to which it verified the orders (the
/// next routine run starts there if this one was clean).
fn store(db: &Db, report: &Report, full: bool) -> anyhow::Result<()> {
    let through = report.through_order_id;
    db.transaction(Mode::Write, |db| {
        db.execute(
            "INSERT INTO audit_runs (ran_at, full, through_order_id, orders_checked, ok, \
                                     summary, findings) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            &[
                text(&report.ran_at),
                int(i64::from(full)),
                int(through),
                int(report.orders_checked),
                int(i64::from(report.ok)),
                text(&report.summary),
                text(serde_json::to_string(&report.findings)?),
            ],
        )?;
        db.execute(
            "DELETE FROM audit_runs WHERE id <= (SELECT max(id) FROM audit_runs) - ?",
            &[int(AUDIT_RUNS_KEPT)],
        )?;
        Ok(())
    })
}

/// `GET /admin/audit/last`: the last stored run (`null` before the first one).
pub fn last(db: &Db) -> Result<Response, ApiError> {
    let last = db.transaction(Mode::Read, |db| -> anyhow::Result<Option<AuditReport>> {
        db.row(
            "SELECT ok, summary, findings, ran_at, full, orders_checked FROM audit_runs \
             ORDER BY id DESC LIMIT 1",
            &[],
        )?
        .map(|row| {
            Ok(AuditReport {
                ok: row.int(0)? == 1,
                summary: row.text(1)?,
                findings: serde_json::from_str(&row.text(2)?)?,
                ran_at: Some(row.text(3)?),
                full: row.int(4)? == 1,
                orders_checked: row.int(5)?,
            })
        })
        .transpose()
    })?;
    json(200, &last)
}

/// What one call of a table-by-table integrity check found.
#[derive(Serialize)]
struct IntegrityPage {
    ok: bool,
    findings: Vec<String>,
    /// The table checked (the next call's `integrity_after`); `None`: no table is left.
    table: Option<String>,
}

/// `GET /admin/audit?integrity_after=NAME`: `integrity_check` of the first table after
/// `NAME` in name order (empty: the first table) and its indexes, so that a large file is
/// checked in calls of one table each (`storefront check` pages through them); nothing is
/// stored.
fn integrity_page(db: &Db, after: &str) -> Result<Response, ApiError> {
    let table = db
        .row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name > ? \
             ORDER BY name LIMIT 1",
            &[text(after)],
        )?
        .map(|row| row.text(0))
        .transpose()?;
    let mut findings = Vec::new();
    if let Some(table) = &table {
        let check = storage_damage::check_of_table("integrity_check", table);
        match check_lines(db, &check) {
            Ok(lines) => described(db, &lines, &mut findings),
            Err(e) => findings.push(format!(
                "integrity_check: {}",
                storage_damage::damaged_table(table, &e.root_cause().to_string())
            )),
        }
    }
    json(
        200,
        &IntegrityPage {
            ok: findings.is_empty(),
            findings,
            table,
        },
    )
}

fn integrity(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let lines = match check_lines(db, "PRAGMA integrity_check") {
        Ok(lines) => lines,
        // SQLite stopped at the first damaged page: check the tables one by one to name
        // them.
        Err(_) => {
            for table in db.rows(storage_damage::TABLES, &[])? {
                let table = table.text(0)?;
                let check = storage_damage::check_of_table("integrity_check", &table);
                match check_lines(db, &check) {
                    Ok(lines) => findings.extend(lines.iter().filter(|l| *l != "ok").map(|l| {
                        format!(
                            "integrity_check: {}",
                            storage_damage::damaged_table(&table, l)
                        )
                    })),
                    Err(e) => findings.push(format!(
                        "integrity_check: {}",
                        storage_damage::damaged_table(&table, &e.root_cause().to_string())
                    )),
                }
            }
            return Ok(());
        }
    };
    described(db, &lines, findings);
    Ok(())
}

/// The lines of an `integrity_check` that are not `ok`, each naming the table or index
/// its page belongs to.
fn described(db: &Db, lines: &[String], findings: &mut Vec<String>) {
    if lines.iter().all(|line| line == "ok") {
        return;
    }
    // The schema is on page 1; if that is what is damaged, the lines stay SQLite's own.
    let objects = db
        .rows(OBJECTS_BY_ROOT_PAGE, &[])
        .unwrap_or_default()
        .iter()
        .filter_map(|row| {
            Some(SchemaObject {
                root_page: row.int(0).ok()?,
                kind: row.text(1).ok()?,
                name: row.text(2).ok()?,
                table: row.text(3).ok()?,
            })
        })
        .collect::<Vec<_>>();
    for line in lines.iter().filter(|line| *line != "ok") {
        findings.push(format!(
            "integrity_check: {}",
            storage_damage::described(line, &objects)
        ));
    }
}

/// The lines of an integrity check statement.
fn check_lines(db: &Db, sql: &str) -> anyhow::Result<Vec<String>> {
    db.rows(sql, &[])?.iter().map(|row| row.text(0)).collect()
}

/// Returns the row count of `table`.
fn sequences(db: &Db, table: &str, findings: &mut Vec<String>) -> anyhow::Result<i64> {
    let issued = db
        .int_value(
            "SELECT seq FROM sqlite_sequence WHERE name = ?",
            &[text(table)],
        )?
        .unwrap_or(0);
    // `table` comes from the constant list above, never from a request.
    let row = db
        .row(
            &format!("SELECT coalesce(max(id), 0), count(*) FROM {table}"),
            &[],
        )?
        .ok_or_else(|| anyhow::anyhow!("no row from count"))?;
    let (max_id, count) = (row.int(0)?, row.int(1)?);
    if issued != max_id {
        findings.push(format!(
            "{table}: sqlite_sequence says {issued} ids were issued but MAX(id) is {max_id}"
        ));
    }
    if count != max_id {
        findings.push(format!(
            "{table}: {count} rows but ids run to {max_id}: {} rows are missing",
            max_id - count
        ));
    }
    Ok(count)
}

fn negative_stock(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    for row in db.rows(
        "SELECT sku, stock FROM variants WHERE stock < 0 LIMIT ?",
        &[int(MAX_FINDINGS_PER_CHECK)],
    )? {
        findings.push(format!(
            "variant {}: stock is {}",
            row.text(0)?,
            row.int(1)?
        ));
    }
    Ok(())
}

fn totals(db: &Db, scope: &Scope, findings: &mut Vec<String>) -> anyhow::Result<()> {
    // Only the orders that break a rule come back.
    let rows = db.rows(
        &format!(
            "SELECT * FROM (
               SELECT o.number, o.total_amount, o.currency,
                      coalesce(sum(l.line_amount), 0) AS lines_sum, count(l.id) AS lines,
                      coalesce(sum(l.currency <> o.currency), 0) AS other_currency,
                      coalesce(sum(l.line_amount <> l.unit_amount * l.quantity), 0) AS bad_line,
                      o.subtotal_amount, o.discount_amount, o.shipping_amount, o.tax_amount,
                      o.tax_mode
               FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
               WHERE {}
               GROUP BY o.id)
             WHERE lines = 0 OR subtotal_amount <> lines_sum
                OR discount_amount > subtotal_amount
                OR total_amount <> subtotal_amount - discount_amount + shipping_amount
                   + (CASE WHEN tax_mode = 'exclusive' THEN tax_amount ELSE 0 END)
                OR other_currency > 0 OR bad_line > 0
             LIMIT ?4",
            Scope::ORDERS
        ),
        &scope.params(),
    )?;
    for row in rows {
        let number = row.text(0)?;
        let currency = row.text(2)?;
        let (total, lines_sum, lines) = (row.int(1)?, row.int(3)?, row.int(4)?);
        let (subtotal, discount, shipping, tax) =
            (row.int(7)?, row.int(8)?, row.int(9)?, row.int(10)?);
        if lines == 0 {
            findings.push(format!("order {number}: has no lines"));
        }
        if subtotal != lines_sum {
            findings.push(format!(
                "order {number}: subtotal {subtotal} {currency} but its lines add up to \
                 {lines_sum}"
            ));
        }
        if discount > subtotal {
            findings.push(format!(
                "order {number}: discount {discount} {currency} is more than its subtotal \
                 {subtotal}"
            ));
        }
        let added_tax = if row.text(11)? == "exclusive" { tax } else { 0 };
        let expected = subtotal - discount + shipping + added_tax;
        if total != expected {
            findings.push(format!(
                "order {number}: total {total} {currency} but subtotal {subtotal} − discount \
                 {discount} + shipping {shipping}{} is {expected}",
                if added_tax > 0 {
                    format!(" + tax {tax}")
                } else {
                    String::new()
                }
            ));
        }
        if lines > 0 && row.int(5)? > 0 {
            findings.push(format!(
                "order {number}: lines in another currency than the order"
            ));
        }
        if lines > 0 && row.int(6)? > 0 {
            findings.push(format!(
                "order {number}: a line amount is not unit price × quantity"
            ));
        }
    }
    Ok(())
}

/// Every discount code's `uses` against its live redemptions (the codes, not the orders).
fn discount_code_uses(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    for row in db.rows(
        "SELECT * FROM (SELECT c.code, c.uses, \
                (SELECT count(*) FROM discount_redemptions r \
                 WHERE r.code_id = c.id AND r.released_at IS NULL) AS live \
         FROM discount_codes c) WHERE uses <> live LIMIT ?",
        &[int(MAX_FINDINGS_PER_CHECK)],
    )? {
        let (uses, live) = (row.int(1)?, row.int(2)?);
        if uses != live {
            findings.push(format!(
                "discount code {}: uses is {uses} but {live} orders hold it",
                row.text(0)?
            ));
        }
    }
    Ok(())
}

fn discount_uses(db: &Db, scope: &Scope, findings: &mut Vec<String>) -> anyhow::Result<()> {
    for row in db.rows(
        &format!(
            "SELECT o.number, o.discount_code FROM orders o \
             WHERE {} AND o.discount_code IS NOT NULL AND NOT EXISTS \
               (SELECT 1 FROM discount_redemptions r JOIN discount_codes c ON c.id = r.code_id \
                WHERE r.order_id = o.id AND c.code = o.discount_code COLLATE NOCASE) \
             LIMIT ?4",
            Scope::ORDERS
        ),
        &scope.params(),
    )? {
        findings.push(format!(
            "order {}: names discount code {} but has no redemption of it",
            row.text(0)?,
            row.text(1)?
        ));
    }
    Ok(())
}

/// Records written since the cursor, or those of the page's orders (the first page also
/// takes any below it, the last any above), by `idempotency_keys_by_order`.
fn idempotency(
    db: &Db,
    scope: &Scope,
    first: bool,
    last: bool,
    findings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let from = if first && scope.since.is_none() {
        i64::MIN
    } else {
        scope.from
    };
    let through = if last { i64::MAX } else { scope.through };
    let rows = db.rows(
        "SELECT k.key FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id
         WHERE k.order_id > ?1 AND k.order_id <= ?2 AND o.id IS NULL LIMIT ?3",
        &[int(from), int(through), int(MAX_FINDINGS_PER_CHECK)],
    )?;
    for row in rows {
        findings.push(format!(
            "idempotency key {:?} points at an order that does not exist",
            row.text(0)?
        ));
    }
    Ok(())
}

/// An order without a usable token could be opened by nobody but the owner, and one with a
/// short token by a guesser: either means the row was written by something other than
/// the writer's placing command.
fn access_tokens(db: &Db, scope: &Scope, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let mut params = scope.params().to_vec();
    params.push(int(storefront_domain::order_access::TOKEN_LEN as i64));
    let rows = db.rows(
        &format!(
            "SELECT o.number, o.access_token FROM orders o
             WHERE {} AND (o.access_token IS NULL OR length(o.access_token) <> ?5
                OR o.access_token GLOB '*[^0-9a-f]*')
             LIMIT ?4",
            Scope::ORDERS
        ),
        &params,
    )?;
    for row in rows {
        let problem = match row.opt_text(1)? {
            None => "no access token",
            Some(_) => "a malformed access token",
        };
        findings.push(format!("order {}: has {problem}", row.text(0)?));
    }
    Ok(())
}

fn states(db: &Db, scope: &Scope, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let rows = db.rows(
        &format!(
            "SELECT o.number, o.state, e.to_state FROM orders o
             LEFT JOIN order_events e
               ON e.id = (SELECT max(id) FROM order_events WHERE order_id = o.id)
             WHERE {} AND e.to_state IS NOT o.state LIMIT ?4",
            Scope::ORDERS
        ),
        &scope.params(),
    )?;
    for row in rows {
        let last = match row.values.get(2) {
            Some(spin_sdk::sqlite::Value::Text(s)) => s.clone(),
            _ => "no event".to_string(),
        };
        findings.push(format!(
            "order {}: state is {} but its last event says {last}",
            row.text(0)?,
            row.text(1)?
        ));
    }
    Ok(())
}

/// The days of the orders in scope (`?1`..`?3`).
const DAYS_IN_SCOPE: &str = "SELECT DISTINCT substr(o.created_at, 1, 10) FROM orders o \
     WHERE (o.id > ?1 AND o.id <= ?2 OR o.updated_at >= ?3)";
/// Every day the aggregates name, which a full run's first call re-adds too (a day kept
/// with no order at all).
const DAYS_KEPT: &str = "UNION SELECT day FROM daily_orders UNION SELECT day FROM daily_revenue";

/// The dashboard's per-day aggregates against the orders and payments of each day in
/// scope, each day re-added by the `created_at` indexes.
fn daily_totals(
    db: &Db,
    scope: &Scope,
    first: bool,
    findings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let kept = if first && scope.since.is_none() {
        DAYS_KEPT
    } else {
        ""
    };
    let rows = db.rows(
        &format!(
            "WITH days(day) AS ({DAYS_IN_SCOPE} {kept})
             SELECT * FROM (
               SELECT days.day, coalesce(d.placed, 0) AS kept_placed,
                      coalesce(d.paid, 0) AS kept_paid,
                      (SELECT count(*) FROM orders o WHERE o.created_at >= days.day
                         AND o.created_at < date(days.day, '+1 day')) AS placed,
                      (SELECT count(*) FROM orders o WHERE o.state IN ('paid', 'fulfilled')
                         AND o.created_at >= days.day
                         AND o.created_at < date(days.day, '+1 day')) AS paid
               FROM days LEFT JOIN daily_orders d ON d.day = days.day)
             WHERE kept_placed <> placed OR kept_paid <> paid
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        findings.push(format!(
            "daily totals of {}: {} orders placed and {} paid kept, but the orders say {} and {}",
            row.text(0)?,
            row.int(1)?,
            row.int(2)?,
            row.int(3)?,
            row.int(4)?
        ));
    }
    let rows = db.rows(
        &format!(
            "WITH days(day) AS ({DAYS_IN_SCOPE} {kept}),
             actual AS (
               SELECT days.day, p.currency, sum(p.amount - p.amount_refunded) AS amount
               FROM days
               JOIN orders o ON o.created_at >= days.day
                            AND o.created_at < date(days.day, '+1 day')
               JOIN payments p ON p.order_id = o.id
               WHERE p.status IN ('succeeded', 'refund_requested', 'refunded')
               GROUP BY days.day, p.currency)
             SELECT day, currency, sum(kept), sum(actual) FROM (
               SELECT day, currency, 0 AS kept, amount AS actual FROM actual
               UNION ALL
               SELECT r.day, r.currency, r.amount, 0 FROM daily_revenue r
               WHERE r.day IN (SELECT day FROM days))
             GROUP BY day, currency HAVING sum(kept) <> sum(actual)
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        findings.push(format!(
            "daily revenue of {} in {}: {} kept, but the payments say {}",
            row.text(0)?,
            row.text(1)?.to_ascii_uppercase(),
            row.int(2)?,
            row.int(3)?
        ));
    }
    Ok(())
}

fn payments_match_orders(db: &Db, scope: &Scope, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let within = Scope::ORDERS;
    // Paid or shipped without the money in.
    let rows = db.rows(
        &format!(
            "SELECT o.number, o.state, p.intent_id, p.status FROM orders o
             LEFT JOIN payments p ON p.order_id = o.id
             WHERE {within} AND o.state IN ('paid', 'fulfilled')
               AND coalesce(p.status, '') NOT IN ('succeeded', 'refund_requested')
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        let payment = match (row.opt_text(2)?, row.opt_text(3)?) {
            (Some(intent), Some(status)) => format!("its payment (intent {intent}) is {status}"),
            _ => "no payment is recorded".to_string(),
        };
        findings.push(format!(
            "order {}: is {} but {payment}",
            row.text(0)?,
            row.text(1)?
        ));
    }
    // Money in for an order that is not paid or shipped: a payment can change without
    // its order (money for a cancelled order), so every such payment is read, whatever
    // the scope.
    let rows = db.rows(
        "SELECT o.number, o.state, p.intent_id, p.status, p.amount, p.currency FROM payments p
         JOIN orders o ON o.id = p.order_id
         WHERE p.status IN ('succeeded', 'refund_requested')
           AND o.state NOT IN ('paid', 'fulfilled')
         LIMIT ?",
        &[int(MAX_FINDINGS_PER_CHECK)],
    )?;
    for row in rows {
        let state = row.text(1)?;
        let advice = if state == "cancelled" {
            ": money for a cancelled order, to be refunded"
        } else {
            ""
        };
        findings.push(format!(
            "order {}: is {state} but its payment (intent {}) is {} for {}{advice}",
            row.text(0)?,
            row.text(2)?,
            row.text(3)?,
            Money::new(row.int(4)?, row.text(5)?)
        ));
    }
    let rows = db.rows(
        &format!(
            "SELECT o.number, p.intent_id, p.status FROM orders o
             LEFT JOIN payments p ON p.order_id = o.id
             WHERE {within} AND o.state = 'refunded' AND p.status IS NOT 'refunded'
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        let payment = match (row.opt_text(1)?, row.opt_text(2)?) {
            (Some(intent), Some(status)) => format!("its payment (intent {intent}) is {status}"),
            _ => "no payment is recorded".to_string(),
        };
        findings.push(format!("order {}: is refunded but {payment}", row.text(0)?));
    }
    let rows = db.rows(
        &format!(
            "SELECT o.number, p.intent_id, p.amount, p.currency, o.total_amount, o.currency
             FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE {within} AND (p.amount <> o.total_amount OR p.currency <> o.currency)
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        findings.push(format!(
            "order {}: its payment (intent {}) is for {} but the order totals {}",
            row.text(0)?,
            row.text(1)?,
            Money::new(row.int(2)?, row.text(3)?),
            Money::new(row.int(4)?, row.text(5)?)
        ));
    }
    Ok(())
}

/// A refunded order's provider confirmed refunding all of its payment.
fn refunds_within_payments(
    db: &Db,
    scope: &Scope,
    findings: &mut Vec<String>,
) -> anyhow::Result<()> {
    let within = Scope::ORDERS;
    let rows = db.rows(
        &format!(
            "SELECT o.number, p.amount_refunded, p.amount, p.currency
             FROM orders o JOIN payments p ON p.order_id = o.id
             WHERE {within} AND o.state = 'refunded' AND p.status = 'refunded'
               AND p.amount_refunded <> p.amount
             LIMIT ?4"
        ),
        &scope.params(),
    )?;
    for row in rows {
        let currency = row.text(3)?;
        findings.push(format!(
            "order {}: is refunded but the provider confirmed refunding {} of {}",
            row.text(0)?,
            Money::new(row.int(1)?, &currency),
            Money::new(row.int(2)?, currency)
        ));
    }
    Ok(())
}

/// The refunds asked for (not failed) of each payment add up to no more than it: every
/// refund is read, whatever the scope (only the payments it breaks come back).
fn refunds_asked_within_payments(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    let rows = db.rows(
        "SELECT o.number, p.amount, p.currency, sum(r.amount)
         FROM refunds r JOIN payments p ON p.id = r.payment_id JOIN orders o ON o.id = p.order_id
         WHERE r.state <> 'failed'
         GROUP BY p.id HAVING sum(r.amount) > p.amount LIMIT ?",
        &[int(MAX_FINDINGS_PER_CHECK)],
    )?;
    for row in rows {
        let currency = row.text(2)?;
        findings.push(format!(
            "order {}: refunds of {} were asked for a payment of {}",
            row.text(0)?,
            Money::new(row.int(3)?, &currency),
            Money::new(row.int(1)?, currency)
        ));
    }
    Ok(())
}

fn payment_events_settled(db: &Db, findings: &mut Vec<String>) -> anyhow::Result<()> {
    for event in events::unattributed(db)? {
        findings.push(format!(
            "payment {}; match it to an order or refund it, then record a review",
            event.describe()
        ));
    }
    // Money the ledger refused to apply: a success for another amount, a refund of more
    // than was paid, shows nowhere else in the ledger.
    let rows = db.rows(
        &format!(
            "SELECT e.event_id, e.event_type, e.amount, e.currency, o.number, o.total_amount,
                    o.currency
             FROM payment_events e JOIN orders o ON o.id = e.order_id
             WHERE e.outcome = ? AND {} ORDER BY e.id LIMIT ?",
            reviews::NOT_REVIEWED
        ),
        &[
            text(Outcome::AmountMismatch.as_str()),
            int(MAX_FINDINGS_PER_CHECK),
        ],
    )?;
    for row in rows {
        let carried = match (row.opt_int(2)?, row.opt_text(3)?) {
            (Some(amount), Some(currency)) => Money::new(amount, currency).to_string(),
            _ => "no amount".to_string(),
        };
        findings.push(format!(
            "payment event {} ({}) for order {} carried {carried} but the order totals {}; \
             it was not applied",
            row.text(0)?,
            row.text(1)?,
            row.text(4)?,
            Money::new(row.int(5)?, row.text(6)?)
        ));
    }
    let rows = db.rows(
        &format!(
            "SELECT e.event_id, e.event_type, o.number, o.state, e.received_at
             FROM payment_events e JOIN orders o ON o.id = e.order_id
             WHERE e.outcome = ? AND e.received_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)
               AND {}
             ORDER BY e.id LIMIT ?",
            reviews::NOT_REVIEWED
        ),
        &[
            text(Outcome::Deferred.as_str()),
            text(DEFERRED_PATIENCE),
            int(MAX_FINDINGS_PER_CHECK),
        ],
    )?;
    for row in rows {
        findings.push(format!(
            "payment event {} ({}) for order {} has waited since {} for an earlier event; \
             the order is {}",
            row.text(0)?,
            row.text(1)?,
            row.text(2)?,
            row.text(4)?,
            row.text(3)?
        ));
    }
    Ok(())
}
