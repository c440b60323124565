//! `GET /admin/export` (the form) and `GET /admin/export/orders.csv?from=&to=`: the orders
//! placed on a range of UTC days as CSV, one row per order (columns in the README), written
//! as a [`Sheet`] a spreadsheet cannot run (every field quoted, formulas neutralised, a
//! byte order mark first). Amounts are plain decimals with a currency column.
//!
//! A range of any size is streamed in bounded memory: the writer answers a page of
//! `export_page_rows` orders (Spin variable, [`DEFAULT_EXPORT_PAGE_ROWS`]) and the cursor
//! of the next, and each page is written to the response as it comes ([`CsvStream`]).
//! The first page is read before the head is sent, so a bad range is still the form and a
//! writer that cannot answer still an error page. A page that fails after the file has
//! begun cannot change the `200` already sent: the file then ends with the line
//! [`INCOMPLETE_LINE`] instead of being silently short.

use super::Office;
use super::spreadsheet::{Cell, Sheet};
use crate::http::Resp;
use crate::http::stream::{BodyStream, Chunks, Streamed};
use crate::writer::{WriterClient, WriterError};
use futures::future::LocalBoxFuture;
use maud::{Markup, html};
use std::rc::Rc;
use storefront_domain::FieldError;
use storefront_domain::carriers;
use storefront_domain::order_export::{
    DEFAULT_EXPORT_PAGE_ROWS, ExportOrder, MAX_EXPORT_PAGE_ROWS, OrderExport,
};
use time::Date;
use time::macros::format_description;

/// The CSV's header row; each [`ExportOrder`] becomes one row in this order.
pub const COLUMNS: [&str; 25] = [
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
    "note",
];

/// The last line of a file whose export failed after it began (the reason follows it).
pub const INCOMPLETE_LINE: &str = "# export incomplete: ";

/// The export form, today's orders chosen.
pub fn show(office: &Office<'_>) -> Resp {
    let today = today(office.now);
    form_page(office, 200, &today, &today, &[])
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
        return form_page(office, 422, &from, &to, &errors);
    }
    let page_rows = page_rows();
    let first = match office
        .writer
        .export_orders(&from, &to, None, page_rows)
        .await
    {
        Ok(export) => export,
        Err(WriterError::Rejected { status: 422, body }) => {
            let fields = body.error.fields;
            return form_page(office, 422, &from, &to, &fields);
        }
        Err(e) => return office.writer_failed(e),
    };
    let mut resp = Resp::new(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header(
            "content-disposition",
            format!("attachment; filename=\"orders-{from}-to-{to}.csv\""),
        )
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff");
    resp.stream = Some(Streamed(Rc::new(CsvStream {
        writer: office.writer.clone(),
        from,
        to,
        page_rows,
        first: std::cell::RefCell::new(Some(first)),
    })));
    resp
}

/// Orders per writer page: the `export_page_rows` Spin variable when it is a whole
/// number from 1 to [`MAX_EXPORT_PAGE_ROWS`], else [`DEFAULT_EXPORT_PAGE_ROWS`].
fn page_rows() -> i64 {
    spin_sdk::variables::get("export_page_rows")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| (1..=MAX_EXPORT_PAGE_ROWS).contains(n))
        .unwrap_or(DEFAULT_EXPORT_PAGE_ROWS)
}

/// The export's body: the header row, then the writer's pages in order, each written
/// as it arrives; memory holds one page.
struct CsvStream {
    writer: WriterClient,
    from: String,
    to: String,
    page_rows: i64,
    /// The first page, read before the head was sent.
    first: std::cell::RefCell<Option<OrderExport>>,
}

impl BodyStream for CsvStream {
    fn write_to<'a>(&'a self, out: &'a mut Chunks) -> LocalBoxFuture<'a, ()> {
        Box::pin(async move {
            if let Err(problem) = self.write_all(out).await {
                eprintln!("export: the file ended early: {problem}");
                let line = format!("{INCOMPLETE_LINE}{problem}\n");
                // The client may be gone; nothing more can be said then.
                let _ = out.write(line.as_bytes()).await;
            }
        })
    }
}

impl CsvStream {
    /// Writes every page; the error says in the owner's words why the file stops short.
    async fn write_all(&self, out: &mut Chunks) -> Result<(), String> {
        let csv_failed = |e: csv::Error| {
            eprintln!("export: writing the CSV failed: {e}");
            "the file could not be written; export again".to_string()
        };
        let mut sheet = Sheet::new(&COLUMNS).map_err(csv_failed)?;
        let mut page = self.first.borrow_mut().take();
        while let Some(export) = page {
            for order in &export.orders {
                write_row(&mut sheet, order).map_err(csv_failed)?;
            }
            let bytes = sheet.take().map_err(csv_failed)?;
            out.write(&bytes).await?;
            page = match export.next {
                None => None,
                Some(after) => Some(
                    self.writer
                        .export_orders(&self.from, &self.to, Some(&after), self.page_rows)
                        .await
                        .map_err(|e| {
                            eprintln!("export: reading the page after {after} failed: {e:?}");
                            format!(
                                "the shop could not read the orders after {}; export again",
                                after.rsplit_once(',').map_or(after.as_str(), |(at, _)| at)
                            )
                        })?,
                ),
            };
        }
        Ok(())
    }
}

/// One order as one row of the [`Sheet`].
fn write_row(sheet: &mut Sheet, o: &ExportOrder) -> Result<(), csv::Error> {
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
        Cell::Text(&o.note),
    ])
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
             with one row per order, however many there are." }
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
