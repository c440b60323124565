//! `GET /admin/export` (the form) and `GET /admin/export/orders.csv?from=&to=`: the orders
//! placed on a range of UTC days as CSV, one row per order (columns in the README), written
//! with the `csv` crate. Amounts are plain decimals with a currency column. A cell that a
//! spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a
//! carriage return) gets a leading apostrophe. A range holding more than
//! [`MAX_EXPORT_ROWS`] orders is refused with a message, never cut short.

use super::Office;
use crate::web::Resp;
use crate::writer_client::{WriterClient, WriterError};
use maud::{Markup, html};
use spin_sdk::http::Method;
use storefront_domain::FieldError;
use storefront_domain::decimal::format_amount;
use storefront_domain::order_export::{ExportOrder, MAX_EXPORT_ROWS, OrderExport};
use time::Date;
use time::macros::format_description;

/// The CSV's header row; each [`ExportOrder`] becomes one row in this order.
pub const COLUMNS: [&str; 21] = [
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
];

pub async fn respond(office: &Office<'_>, rest: &[&str]) -> Resp {
    match rest {
        [] | ["orders.csv"] if office.method() != "GET" => office.method_not_allowed("GET"),
        [] => {
            let today = today(office.now);
            form_page(office, 200, &today, &today, &[], None)
        }
        ["orders.csv"] => orders_csv(office).await,
        _ => office.not_found(),
    }
}

async fn orders_csv(office: &Office<'_>) -> Resp {
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

/// The orders as CSV text: the header row, then one row per order.
pub fn write_csv(orders: &[ExportOrder]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    for o in orders {
        let money = |amount: i64| format_amount(amount, &o.currency);
        let row = [
            o.number.clone(),
            o.created_at.clone(),
            o.state.clone(),
            o.email.clone(),
            o.name.clone(),
            o.address_line1.clone(),
            o.address_line2.clone(),
            o.postal_code.clone(),
            o.city.clone(),
            o.country.clone(),
            o.units.to_string(),
            o.items.clone(),
            o.currency.clone(),
            money(o.subtotal),
            money(o.discount),
            o.discount_code.clone().unwrap_or_default(),
            money(o.shipping),
            o.shipping_method.clone().unwrap_or_default(),
            money(o.tax),
            o.tax_mode.clone(),
            money(o.total),
        ];
        out.write_record(row.iter().map(|cell| neutralised(cell)))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// `cell`, with a leading apostrophe if a spreadsheet would read it as a formula.
pub fn neutralised(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
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

impl WriterClient {
    /// The orders placed on the UTC days `from`..=`to` (checked `YYYY-MM-DD` by the caller).
    async fn export_orders(&self, from: &str, to: &str) -> Result<OrderExport, WriterError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("from", from)
            .append_pair("to", to)
            .finish();
        Ok(self
            .call(
                Method::Get,
                &format!("/admin/export/orders?{query}"),
                None,
                &[],
            )
            .await?
            .value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralised("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralised("+1"), "'+1");
        assert_eq!(neutralised("-2"), "'-2");
        assert_eq!(neutralised("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralised("Ada"), "Ada");
        assert_eq!(neutralised(""), "");
    }
}
