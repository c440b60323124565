//! `GET /admin/export/orders?from=YYYY-MM-DD&to=YYYY-MM-DD[&after=<cursor>][&rows=N]`: one
//! page of the orders placed on those UTC days (both inclusive), oldest first, for the
//! back office's CSV export, with what was refunded and the parcel's tracking. A page
//! holds at most `rows` orders ([`DEFAULT_EXPORT_PAGE_ROWS`], never more than
//! [`MAX_EXPORT_PAGE_ROWS`]) after the keyset cursor `after` (`<created_at>,<id>` of the
//! last order already read), and names the cursor of the next page while there may be
//! one: the pages stream a range of any size a page at a time, each page one index range.

use crate::db::{Db, Mode, RowExt as _, int, opt_text, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::order_export::{
    DEFAULT_EXPORT_PAGE_ROWS, ExportOrder, MAX_EXPORT_PAGE_ROWS, OrderExport,
};

/// The orders placed from day `?1` through day `?2` after the order (`?3` created_at,
/// `?4` id), oldest first, at most `?5`: a range of `orders_by_created` that starts at the
/// cursor (the `max` makes it the index's lower bound; SQLite does not bound an index
/// range by the row value alone), so an empty day costs one index probe and every page
/// its rows, however far into the range it is.
pub const EXPORT_SQL: &str = "SELECT o.number, o.created_at, o.state, o.email, o.name, \
        o.address_line1, o.address_line2, o.address_postal_code, o.address_city, \
        o.address_country, \
        (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id), \
        (SELECT group_concat(item, '; ') FROM \
            (SELECT l.quantity || '× ' || coalesce(l.sku, '') AS item \
             FROM order_lines l WHERE l.order_id = o.id ORDER BY l.id)), \
        o.currency, o.subtotal_amount, o.discount_amount, o.discount_code, \
        o.shipping_amount, o.shipping_method, o.tax_amount, o.tax_mode, o.total_amount, \
        (SELECT coalesce(sum(p.amount_refunded), 0) FROM payments p \
         WHERE p.order_id = o.id), \
        o.tracking_carrier, o.tracking_number, o.id, o.note \
     FROM orders o \
     WHERE o.created_at >= max(?1 || 'T', ?3) \
       AND o.created_at < date(?2, '+1 day') || 'T' \
       AND (o.created_at, o.id) > (?3, ?4) \
     ORDER BY o.created_at, o.id LIMIT ?5";

pub fn export(db: &Db, query: &str) -> Result<Response, ApiError> {
    let mut from = None;
    let mut to = None;
    let mut after = None;
    let mut rows_asked = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "from" => from = Some(value.into_owned()),
            "to" => to = Some(value.into_owned()),
            "after" => after = Some(value.into_owned()),
            "rows" => rows_asked = Some(value.into_owned()),
            _ => {}
        }
    }
    let export = db.transaction(Mode::Read, |db| {
        let mut errors = Vec::new();
        let from = day(db, "from", from.as_deref(), &mut errors)?;
        let to = day(db, "to", to.as_deref(), &mut errors)?;
        if errors.is_empty() && to < from {
            errors.push(FieldError::new("to", "must not be before from"));
        }
        let cursor = match after.as_deref().map(parse_cursor) {
            None => Some((String::new(), 0)),
            Some(Some(cursor)) => Some(cursor),
            Some(None) => {
                errors.push(FieldError::new(
                    "after",
                    "must be the cursor of an earlier page",
                ));
                None
            }
        };
        let page_rows = match rows_asked.as_deref().map(|r| r.trim().parse::<i64>()) {
            None => DEFAULT_EXPORT_PAGE_ROWS,
            Some(Ok(n)) if (1..=MAX_EXPORT_PAGE_ROWS).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new(
                    "rows",
                    format!("must be a whole number from 1 to {MAX_EXPORT_PAGE_ROWS}"),
                ));
                DEFAULT_EXPORT_PAGE_ROWS
            }
        };
        let (after_created, after_id) = match cursor {
            Some(cursor) if errors.is_empty() => cursor,
            _ => return Err(ApiError::invalid(errors)),
        };
        let mut rows = db.rows(
            EXPORT_SQL,
            &[
                text(&from),
                text(&to),
                text(&after_created),
                int(after_id),
                int(page_rows + 1),
            ],
        )?;
        let more = rows.len() as i64 > page_rows;
        rows.truncate(page_rows as usize);
        let next = match rows.last() {
            Some(last) if more => Some(format!("{},{}", last.text(1)?, last.int(24)?)),
            _ => None,
        };
        let orders = rows
            .iter()
            .map(|row| {
                Ok(ExportOrder {
                    number: row.text(0)?,
                    created_at: row.text(1)?,
                    state: row.text(2)?,
                    email: row.text(3)?,
                    name: row.text(4)?,
                    address_line1: row.text(5)?,
                    address_line2: row.text(6)?,
                    postal_code: row.text(7)?,
                    city: row.text(8)?,
                    country: row.text(9)?,
                    units: row.int(10)?,
                    items: row.opt_text(11)?.unwrap_or_default(),
                    currency: row.text(12)?,
                    subtotal: row.int(13)?,
                    discount: row.int(14)?,
                    discount_code: row.opt_text(15)?,
                    shipping: row.int(16)?,
                    shipping_method: row.opt_text(17)?,
                    tax: row.int(18)?,
                    tax_mode: row.text(19)?,
                    total: row.int(20)?,
                    refunded: row.int(21)?,
                    tracking_carrier: row.opt_text(22)?,
                    tracking_number: row.opt_text(23)?,
                    note: row.text(25)?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(OrderExport { orders, next })
    })?;
    json(200, &export)
}

/// `<created_at>,<id>` as its two parts; `None` when it is not shaped so.
fn parse_cursor(raw: &str) -> Option<(String, i64)> {
    let (created_at, id) = raw.rsplit_once(',')?;
    let id = id.parse::<i64>().ok()?;
    (!created_at.is_empty() && id > 0).then(|| (created_at.to_string(), id))
}

/// A `YYYY-MM-DD` day SQLite's calendar knows, or a field error.
fn day(
    db: &Db,
    field: &str,
    value: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> anyhow::Result<String> {
    let value = value.unwrap_or_default().trim();
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let real = shaped
        && db
            .row("SELECT date(?1) = ?1", &[opt_text(Some(value))])?
            .is_some_and(|r| r.int(0).is_ok_and(|v| v == 1));
    if !real {
        errors.push(FieldError::new(field, "must be a date such as 2026-11-23"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    /// The export reads each page as a range of `orders_by_created` after its cursor, in
    /// order: the page size applies to the rows read, and an empty day reads none.
    #[test]
    fn the_export_reads_its_days_by_index() {
        let plan = query_plan::top_level(&query_plan::schema(), EXPORT_SQL);
        assert!(
            plan[0].starts_with("SEARCH o USING")
                && plan[0].contains("orders_by_created (created_at>? AND created_at<?)"),
            "{plan:#?}"
        );
        assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
    }
}
