//! The back office's page frame: the shop's name, the navigation between the areas, the
//! sign-out button, the flash message, and the shop's stylesheet plus a few rules of
//! its own (tables, which reflow into cards on a phone, see [`table_cards`]; forms side
//! by side). Like every page, no script runs.

use super::{Office, owner_session, table_cards};
use crate::layout::chrome::STYLE;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The areas in the navigation: label and path.
const AREAS: &[(&str, &str)] = &[
    ("Dashboard", "/admin"),
    ("Orders", "/admin/orders"),
    ("Returns", "/admin/returns"),
    ("Customers", "/admin/customers"),
    ("Catalog", "/admin/catalog"),
    ("Payments", "/admin/payments"),
    ("Export", "/admin/export"),
    ("Settings", "/admin/settings"),
    ("Webhooks", "/admin/webhooks"),
    ("Mail", "/admin/mail"),
];

/// The hidden CSRF field every back-office form carries.
pub fn csrf_field(office: &Office<'_>) -> Markup {
    html! { input type="hidden" name=(owner_session::CSRF_FIELD) value=(office.csrf()); }
}

pub fn page(office: &Office<'_>, title: &str, content: Markup) -> Markup {
    let path = office.req.path.as_str();
    let current = AREAS
        .iter()
        .rev()
        .find(|(_, href)| path == *href || (*href != "/admin" && path.starts_with(href)))
        .map(|(_, href)| *href);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · " (office.shop.name) " back office" }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                style { (PreEscaped(STYLE)) (PreEscaped(OFFICE_STYLE)) }
            }
            body.office {
                a.skip href="#main" { "Skip to main content" }
                header.site {
                    div.bar {
                        a.brand href="/admin" { (office.shop.name) span.muted { " · back office" } }
                        @if office.session.is_some() {
                            form.inline method="post" action="/admin/sign-out" {
                                (csrf_field(office))
                                a href="/" { "View shop" }
                                " "
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                    @if office.session.is_some() {
                        nav.office-nav aria-label="Back office" {
                            @for (label, href) in AREAS {
                                @if current == Some(*href) {
                                    a href=(href) aria-current="page" { (label) }
                                } @else {
                                    a href=(href) { (label) }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    @if let Some(flash) = &office.flash {
                        p class=(flash.tone.class()) role="status" { (flash.text) }
                    }
                    (PreEscaped(table_cards::label_cells(&content.into_string())))
                }
            }
        }
    }
}

/// The body of an error page.
pub fn error(status: u16, title: &str, message: &str) -> Markup {
    html! {
        section.error-page {
            p.code { (status) }
            h1 { (title) }
            p { (message) }
            p { a.button href="/admin" { "Back to the dashboard" } }
        }
    }
}

const OFFICE_STYLE: &str = r#"
.office .bar{max-width:1200px}
.office main{max-width:1200px}
.office-nav{max-width:1200px;margin:0 auto;padding:0 1rem .6rem;display:flex;flex-wrap:wrap;gap:.3rem 1rem}
.office-nav a{text-decoration:none;font-weight:600;padding:.2rem 0}
.office-nav a[aria-current=page]{color:var(--ink);border-bottom:3px solid var(--accent)}
form.inline{display:inline-flex;gap:.6rem;align-items:center;margin:0}
table.list{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:var(--radius)}
table.list th,table.list td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
table.list td.num,table.list th.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem;margin:0 0 1.5rem;padding:0;list-style:none}
.tile{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem}
.tile .figure{font-size:1.6rem;font-weight:700;display:block}
.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end;margin:0 0 1rem}
.filters label{display:flex;flex-direction:column;font-size:.9rem}
.field-error{color:var(--bad);font-size:.9rem;margin:.2rem 0 0}
.stack{display:flex;flex-direction:column;gap:.8rem;max-width:36rem}
.stack label{display:flex;flex-direction:column;gap:.2rem;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:.8rem;align-items:flex-end;margin:1rem 0}
.field{display:flex;flex-direction:column;gap:.2rem}
.field label{font-weight:600}
.field .hint{margin:0;font-size:.9rem}
.office fieldset{border:1px solid var(--line);border-radius:var(--radius);padding:.6rem 1rem}
.office fieldset label{display:flex;gap:.4rem;align-items:center;font-weight:400}
.forms{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem;align-items:start}
.forms form{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem}
.thumb{max-width:120px;height:auto;display:block}
.badge.archived{background:var(--line);color:var(--ink)}
.shipped{background:#e7eefc;color:#1d4ed8}
dl.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:0 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
section.review{margin:0 0 1.2rem}
pre.payload{max-height:20rem;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem;background:#f6f7f9;padding:.6rem;border-radius:6px}
.settings-nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:0 0 1rem}
.settings-nav a[aria-current=page]{color:var(--ink);font-weight:700;text-decoration:none}
.stack fieldset{border:1px solid var(--line);border-radius:var(--radius);padding:.6rem .8rem}
.stack fieldset label{flex-direction:row;font-weight:400;align-items:center}
.audit-findings,.audit-failed{color:var(--bad)}
table.sessions td.agent{overflow-wrap:anywhere;min-width:10rem}
table.sessions th,table.sessions td{position:relative}
.image-card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem}
.image-card form.stack{background:none;border:0;padding:0}
.thumb-frame{position:relative;display:inline-block;margin:0 0 .6rem}
.image-card .thumb{max-width:220px}
.thumb-frame form.remove-on-thumb{position:absolute;top:.3rem;right:.3rem;margin:0;padding:0;background:none;border:0}
.thumb-frame form.remove-on-thumb button{font-size:.8rem;padding:.2rem .4rem}
.status-active{color:var(--ok,#166534);font-weight:600}
.status-inactive,.status-expired,.status-used-up{color:var(--bad)}
.status-upcoming{color:#1d4ed8}
section.shipping-zone{border-top:1px solid var(--line);padding:1rem 0}
section.shipping-zone form.stack{margin:0 0 1rem}
@media (max-width:720px){
 .office .table-wrap{overflow-x:visible}
 .office table.list,.office table.list tbody,.office table.list tfoot,.office table.list tr{display:block;width:100%}
 .office table.list{border:none;background:none}
 .office table.list thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
 .office table.list tr{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);margin:0 0 .7rem;padding:.3rem 0}
 .office table.list td,.office table.list tbody th{display:grid;grid-template-columns:minmax(6rem,38%) minmax(0,1fr);gap:.6rem;border:none;padding:.3rem .7rem;text-align:left;overflow-wrap:break-word;min-width:0}
 .office table.list td::before,.office table.list tbody th::before{content:attr(data-label);font-weight:600;color:var(--muted);overflow-wrap:normal}
 .office table.list td[data-label=""],.office table.list td:not([data-label]){display:block}
 .office table.list td[data-label=""]::before,.office table.list td:not([data-label])::before{content:none}
 .office table.list td.num{text-align:left}
 table.sessions td.agent{min-width:0}
}
"#;
