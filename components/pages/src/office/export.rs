//! `GET /admin/export` (the form) and `GET /admin/export/orders.csv?from=&to=`: the orders
//! placed on a range of UTC days as CSV, one row per order (columns in the README), written
//! as a [`Sheet`] a spreadsheet cannot run (every field quoted, formulas neutralised, a
//! byte order mark first). Amounts are plain decimals with a currency column. A range
//! holding more than [`MAX_EXPORT_ROWS`] orders is refused with a message, never cut
//! short.

use super::Office;
use super::spreadsheet::{Cell, Sheet};
use crate::http::Resp;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::FieldError;
use storefront_domain::carriers;
use storefront_domain::order_export::{ExportOrder, MAX_EXPORT_ROWS};
use time::Date;
use time::macros::format_description;

/// The CSV's header row; each [`ExportOrder`] becomes one row in this order.
pub const COLUMNS: [&str; 24] = [
    "number",
    "placed_at",
    "state",
    "email",
    "name",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "units",
    "items",
    "currency",
    "subtotal",
    "discount",
    "discount_code",
    "shipping",
    "shipping_method",
    "tax",
    "tax_mode",
    "total",
    "refunded",
    "tracking_carrier",
    "tracking_number",
];

/// The export form, today's orders chosen.
pub fn show(office: &Office<'_>) -> Resp {
    let today = today(office.now);
    form_page(office, 200, &today, &today, &[], None)
}

/// The orders of the chosen days as a spreadsheet.
pub async fn orders_csv(office: &Office<'_>) -> Resp {
    let from = office.req.query_param("from").unwrap_or_default();
    let to = office.req.query_param("to").unwrap_or_default();
    let mut errors = Vec::new();
    let from_day = day(&from, "from", &mut errors);
    let to_day = day(&to, "to", &mut errors);
    if let (Some(f), Some(t)) = (from_day, to_day)
        && t < f
    {
        errors.push(FieldError::new(
            "to",
            "The last day must not be before the first.",
        ));
    }
    if !errors.is_empty() {
        return form_page(office, 422, &from, &to, &errors, None);
    }
    let export = match office.writer.export_orders(&from, &to).await {
        Ok(export) => export,
        Err(WriterError::Rejected { status: 422, body }) => {
            let fields = body.error.fields;
            return form_page(office, 422, &from, &to, &fields, None);
        }
        Err(e) => return office.writer_failed(e),
    };
    if export.more {
        let message = format!(
            "These days hold more than {MAX_EXPORT_ROWS} orders, more than one export may; \
             choose a shorter range and export it in parts."
        );
        return form_page(office, 422, &from, &to, &[], Some(&message));
    }
    let csv = match write_csv(&export.orders) {
        Ok(csv) => csv,
        Err(e) => {
            eprintln!("export: writing the CSV failed: {e}");
            return office.error(
                500,
                "Something went wrong",
                "The export could not be written.",
            );
        }
    };
    let mut resp = Resp::new(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"orders-{from}-to-{to}.csv\""),
        )
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff");
    resp.body = csv;
    resp
}

/// The orders as a CSV file ([`Sheet`]): the header row, then one row per order.
fn write_csv(orders: &[ExportOrder]) -> Result<Vec<u8>, csv::Error> {
    let mut sheet = Sheet::new(&COLUMNS)?;
    for o in orders {
        let money = |minor: i64| Cell::Amount {
            minor,
            currency: &o.currency,
        };
        sheet.row(&[
            Cell::Text(&o.number),
            Cell::Text(&o.created_at),
            Cell::Text(&o.state),
            Cell::Text(&o.email),
            Cell::Text(&o.name),
            Cell::Text(&o.address_line1),
            Cell::Text(&o.address_line2),
            Cell::Text(&o.postal_code),
            Cell::Text(&o.city),
            Cell::Text(&o.country),
            Cell::Integer(o.units),
            Cell::Text(&o.items),
            Cell::Text(&o.currency),
            money(o.subtotal),
            money(o.discount),
            Cell::Text(o.discount_code.as_deref().unwrap_or_default()),
            money(o.shipping),
            Cell::Text(o.shipping_method.as_deref().unwrap_or_default()),
            money(o.tax),
            Cell::Text(&o.tax_mode),
            money(o.total),
            money(o.refunded),
            Cell::Text(
                o.tracking_carrier
                    .as_deref()
                    .map(|c| carriers::known(c).map_or(c, |k| k.name))
                    .unwrap_or_default(),
            ),
            Cell::Text(o.tracking_number.as_deref().unwrap_or_default()),
        ])?;
    }
    sheet.finish()
}

/// `raw` as a `YYYY-MM-DD` day, or a field error.
fn day(raw: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let parsed = Date::parse(raw.trim(), format_description!("[year]-[month]-[day]")).ok();
    if parsed.is_none() {
        errors.push(FieldError::new(field, "Enter a date such as 2026-11-23."));
    }
    parsed
}

/// Today's UTC date as `YYYY-MM-DD`.
fn today(now: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(i64::try_from(now).unwrap_or(0))
        .ok()
        .and_then(|t| {
            t.date()
                .format(format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_default()
}

fn form_page(
    office: &Office<'_>,
    status: u16,
    from: &str,
    to: &str,
    errors: &[FieldError],
    problem: Option<&str>,
) -> Resp {
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    let body = html! {
        h1 { "Export orders" }
        p { "Orders placed on the days you choose (UTC, both days included), as a CSV file \
             with one row per order. At most " (MAX_EXPORT_ROWS) " orders per file." }
        @if let Some(problem) = problem {
            p.flash.warning #export-problem role="alert" { (problem) }
        }
        form.filters method="get" action="/admin/export/orders.csv" novalidate {
            (date_field("from", "First day", from, error_of("from")))
            (date_field("to", "Last day", to, error_of("to")))
            div { button.primary type="submit" { "Download CSV" } }
        }
    };
    office.page(status, "Export orders", body)
}

fn date_field(name: &str, label: &str, value: &str, error: Option<String>) -> Markup {
    let error_id = format!("{name}-error");
    html! {
        label for=(name) {
            (label)
            input #(name) type="date" name=(name) value=(value) required
                aria-invalid=[error.as_ref().map(|_| "true")]
                aria-describedby=[error.as_ref().map(|_| error_id.as_str())];
            @if let Some(error) = &error {
                span.field-error #(error_id) { (error) }
            }
        }
    }
}
