//! `GET /admin`: the owner's overview. Today's orders and net revenue (UTC day; what
//! today's orders paid less what was refunded, one figure per currency, each with its
//! code; the shop's currency when nothing came in), the paid
//! orders waiting to ship, low-stock variants, the audit's verdict, payment events
//! waiting for review and the last reconciliation. Two writer reads: the dashboard
//! (`GET /admin/dashboard`) and the last audit's stored result and when it ran
//! (`GET /admin/audit/last`): a view never runs the audit (the host runs it routinely,
//! `storefront check` on demand).

use super::Office;
use crate::http::Resp;
use crate::layout::when;
use crate::writer::WriterError;
use maud::{Markup, html};
use storefront_domain::Money;
use storefront_domain::dashboard::{AuditReport, Dashboard};

/// Most audit findings the dashboard lists (the rest are counted).
const AUDIT_FINDINGS_SHOWN: usize = 10;

pub async fn respond(office: &Office<'_>) -> Resp {
    let dashboard = match office.writer.office_dashboard().await {
        Ok(d) => d,
        Err(e) => return office.writer_failed(e),
    };
    // A failed read is shown as such; the rest of the page is still useful.
    let audit = office.writer.office_last_audit().await;
    office.ok("Dashboard", page(&dashboard, &audit))
}

fn page(d: &Dashboard, audit: &Result<Option<AuditReport>, WriterError>) -> Markup {
    html! {
        h1 { "Dashboard" }
        h2 #today { "Today" }
        p.muted { "UTC day " (d.day) "." }
        ul.tiles aria-labelledby="today" {
            li.tile #tile-placed {
                span.figure { (d.placed_today) }
                "orders placed"
            }
            li.tile #tile-paid {
                span.figure { (d.paid_today) }
                "of them paid or shipped"
            }
            li.tile #tile-revenue {
                span.figure {
                    @if d.revenue_today.is_empty() {
                        (Money::new(0, &d.currency)) " " span.currency { (d.currency) }
                    } @else {
                        @for (i, money) in d.revenue_today.iter().enumerate() {
                            @if i > 0 { br; }
                            (money) " " span.currency { (money.currency) }
                        }
                    }
                }
                "net revenue (payments received less refunds)"
            }
            li.tile #tile-review {
                span.figure { (d.events_to_review) }
                a href="/admin/payments" { "payment events to review" }
            }
        }

        section #to-ship aria-labelledby="to-ship-title" {
            h2 #to-ship-title { "Waiting to ship (" (d.to_ship_count) ")" }
            @if d.to_ship.is_empty() {
                p { "No paid order waits to be shipped." }
            } @else {
                div.table-wrap {
                    table.list {
                        thead { tr { th { "Order" } th { "Customer" } th { "Placed" } th.num { "Total" } } }
                        tbody {
                            @for o in &d.to_ship {
                                tr {
                                    td { a href={ "/admin/orders/" (o.number) } { (o.number) } }
                                    td { (o.name) }
                                    td { (when::time(&o.created_at)) }
                                    td.num { (o.total) }
                                }
                            }
                        }
                    }
                }
                @if d.to_ship_count > d.to_ship.len() as i64 {
                    p { a href="/admin/orders?state=paid" { "All " (d.to_ship_count) " paid orders" } }
                }
            }
        }

        section #low-stock aria-labelledby="low-stock-title" {
            h2 #low-stock-title { "Low stock (" (d.low_stock_count) ")" }
            p.muted { "Active variants with " (d.low_stock_threshold) " or fewer in stock." }
            @if d.low_stock.is_empty() {
                p { "Nothing is running low." }
            } @else {
                div.table-wrap {
                    table.list {
                        thead { tr { th { "Product" } th { "Variant" } th { "SKU" } th.num { "Stock" } } }
                        tbody {
                            @for v in &d.low_stock {
                                tr {
                                    td { a href={ "/admin/catalog/products/" (v.product_slug) } { (v.product_name) } }
                                    td { (v.title) }
                                    td { code { (v.sku) } }
                                    td.num { (v.stock) }
                                }
                            }
                        }
                    }
                }
            }
        }

        section #audit aria-labelledby="audit-title" {
            h2 #audit-title { "Audit" }
            @if let Ok(Some(report)) = audit {
                p.audit-when {
                    "Last run "
                    @if let Some(at) = &report.ran_at { (when::time(at)) }
                    @if report.full { " (every order)" } @else { " (orders new or changed since the last clean run)" }
                    ", " (report.orders_checked) " orders verified."
                }
            }
            @match audit {
                Ok(None) => p.audit-none { "No audit has run yet; the shop runs one every few minutes (" code { "storefront check" } " runs one now)." },
                Ok(Some(report)) if report.ok => p.audit-ok { "OK: " (report.summary) },
                Ok(Some(report)) => {
                    p.audit-findings { strong { (report.findings.len()) " findings" } " - the ledger needs attention:" }
                    ul {
                        @for f in report.findings.iter().take(AUDIT_FINDINGS_SHOWN) { li { (f) } }
                    }
                    @if report.findings.len() > AUDIT_FINDINGS_SHOWN {
                        p { "… and " (report.findings.len() - AUDIT_FINDINGS_SHOWN)
                            " more (run " code { "storefront check" } " for all)." }
                    }
                },
                Err(_) => p.audit-failed { "The last audit could not be read just now; reload to try again." },
            }
        }

        section #reconcile aria-labelledby="reconcile-title" {
            h2 #reconcile-title { "Reconciliation" }
            @match &d.last_reconcile {
                None => p { "No reconciliation has run yet (" code { "storefront reconcile" } ")." },
                Some(run) => p {
                    "Last run " (when::time(&run.at)) ", for orders placed "
                    (window_end(run.from)) " to " (window_end(run.to)) ": "
                    @if run.ok {
                        strong { "no differences" }
                    } @else {
                        strong { (run.mismatches) " mismatches" }
                    }
                    " (" (run.checked_intents) " provider intents, " (run.checked_orders) " orders)."
                },
            }
        }
    }
}

/// A window end (unix seconds) as a readable UTC time.
fn window_end(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .map(|t| when::human(&t))
        .unwrap_or_else(|| seconds.to_string())
}
