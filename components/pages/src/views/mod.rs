//! HTML rendering: the page layout and stylesheet shared by every page, small shared
//! fragments, and one module per page.
//!
//! maud escapes every interpolated value; `PreEscaped` is used only for the constant
//! stylesheet below, never for data.

pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod error;
pub mod order;
pub mod pay;
pub mod product;
pub mod search;

use crate::notice::Flash;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use storefront_domain::catalog::{Collection, Image, MAX_QUERY};
use storefront_domain::{PricedLine, Quantity};

/// What every page shows around its content.
pub struct Chrome {
    pub cart_count: i64,
    pub flashes: Vec<Flash>,
}

pub fn layout(chrome: &Chrome, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · storefront" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.site {
                    div.bar {
                        a.brand href="/" { "storefront" }
                        form.search role="search" method="get" action="/search" {
                            label for="q" { span.visually-hidden { "Search the shop" } }
                            input #q type="search" name="q" maxlength=(MAX_QUERY)
                                placeholder="Search coffee, gear, SKU…";
                            button type="submit" { "Search" }
                        }
                        a.cart-link href="/cart" {
                            "Cart"
                            span.count aria-label="items in cart" { (chrome.cart_count) }
                        }
                    }
                }
                main {
                    @for flash in &chrome.flashes {
                        p class=(flash.tone.class()) role="status" { (flash.text) }
                    }
                    (content)
                }
                footer.site { "storefront · prices are confirmed at checkout" }
            }
        }
    }
}

/// Stock wording shared by the catalog and product pages.
pub fn stock_badge(stock: i64) -> Markup {
    html! {
        @if stock <= 0 {
            span.badge.sold-out { "Sold out" }
        } @else if stock <= 5 {
            span.badge.low { "Only " (stock) " left" }
        } @else {
            span.badge.in-stock { "In stock" }
        }
    }
}

/// The add-to-cart form for one variant (callers leave it out when it cannot be bought).
pub fn add_to_cart(csrf: &str, slug: &str, sku: &str) -> Markup {
    html! {
        form.add method="post" action="/cart/add" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="slug" value=(slug);
            input type="hidden" name="sku" value=(sku);
            label.qty {
                span.visually-hidden { "Quantity" }
                input type="number" name="quantity" value="1"
                    min=(Quantity::MIN) max=(Quantity::MAX) required;
            }
            button.primary type="submit" { "Add to cart" }
        }
    }
}

/// An order or cart line's product name and, for a variant, its title.
pub fn line_name(line: &PricedLine) -> Markup {
    html! {
        (line.name)
        @if !line.variant.is_empty() {
            " " span.muted.variant { "(" (line.variant) ")" }
        }
    }
}

/// A product image at its content-hash URL, with its size so the page does not jump.
/// Only the first picture on a page is loaded at once; the rest when scrolled to.
pub fn image(image: &Image, eager: bool) -> Markup {
    html! {
        img src={ "/images/" (image.hash) } width=(image.width) height=(image.height)
            alt=(image.alt) loading=[(!eager).then_some("lazy")];
    }
}

/// Links to every collection, the current one marked.
pub fn collection_nav(collections: &[Collection], current: Option<&str>) -> Markup {
    html! {
        nav.collections aria-label="Collections" {
            a href="/" aria-current=[current.is_none().then_some("page")] { "All products" }
            @for c in collections {
                a href={ "/collections/" (c.slug) }
                    aria-current=[(current == Some(c.slug.as_str())).then_some("page")] {
                    (c.name)
                }
            }
        }
    }
}

/// Previous/next links for page `page` of `pages`; `href(n)` is page n's address.
pub fn pagination(page: u32, pages: u32, href: impl Fn(u32) -> String) -> Markup {
    html! {
        @if pages > 1 {
            nav.pagination aria-label="Pages" {
                @if page > 1 {
                    a rel="prev" href=(href(page - 1)) { "← Previous" }
                }
                span { "Page " (page) " of " (pages) }
                @if page < pages {
                    a rel="next" href=(href(page + 1)) { "Next →" }
                }
            }
        }
    }
}

const STYLE: &str = r#"
:root{--ink:#1d2330;--muted:#5f6b7a;--line:#e3e7ee;--bg:#f6f7fb;--card:#fff;--accent:#2f5bea;--accent-ink:#fff;--ok:#1e7f4f;--warn:#9a5b00;--bad:#b42318;--radius:10px}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
body{margin:0;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--accent)}
header.site{background:var(--card);border-bottom:1px solid var(--line)}
.bar{max-width:1040px;margin:0 auto;padding:.8rem 1rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.6rem 0}
.brand{font-weight:800;font-size:1.3rem;letter-spacing:-.02em;color:var(--ink);text-decoration:none}
.cart-link{text-decoration:none;font-weight:600;display:inline-flex;align-items:center;gap:.4rem}
.count{background:var(--accent);color:var(--accent-ink);border-radius:999px;padding:0 .55rem;font-size:.85rem;min-width:1.6rem;text-align:center}
main{flex:1;width:100%;max-width:1040px;margin:0 auto;padding:1.5rem 1rem 3rem}
footer.site{text-align:center;color:var(--muted);font-size:.85rem;padding:1.5rem}
h1{font-size:1.8rem;margin:.2rem 0 1rem;letter-spacing:-.02em}
h2{font-size:1.2rem;margin:1.5rem 0 .6rem}
.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:1rem;padding:0;margin:0;list-style:none}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem;display:flex;flex-direction:column;gap:.5rem}
.card h2{margin:0;font-size:1.1rem}
.card h2 a{color:var(--ink);text-decoration:none}
.card h2 a:hover{text-decoration:underline}
.card .add{margin-top:auto}
.price{font-size:1.15rem;font-weight:700}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;width:fit-content}
.in-stock{background:#e6f4ec;color:var(--ok)}
.low{background:#fff3df;color:var(--warn)}
.sold-out{background:#fde8e7;color:var(--bad)}
form{margin:0}
form.add,form.inline{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
input,select{font:inherit;padding:.45rem .6rem;border:1px solid #c9d0db;border-radius:8px;background:#fff;color:var(--ink)}
input[type=number]{width:5rem}
input:focus,button:focus,a:focus{outline:3px solid #b8c8fb;outline-offset:1px}
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:8px;border:1px solid #c9d0db;background:#fff;color:var(--ink);cursor:pointer;text-decoration:none;display:inline-block}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-ink)}
button.link{border:none;background:none;color:var(--bad);padding:.5rem .2rem}
.product{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.5rem;display:grid;gap:.8rem;max-width:680px}
.product h1{margin:0}
.product .description{white-space:pre-line;margin:0}
.flash{padding:.7rem 1rem;border-radius:8px;margin:0 0 1rem;border:1px solid}
.flash.info{background:#eef3ff;border-color:#cdd9fb}
.flash.warning{background:#fff6e5;border-color:#f3d9a4}
.flash.error{background:#fdecea;border-color:#f5c2bd}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);overflow:hidden}
th,td{padding:.7rem .8rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:.85rem;color:var(--muted);font-weight:600;background:#fafbfd}
td.num,th.num{text-align:right;white-space:nowrap}
tfoot td{font-weight:700;border-bottom:none}
.actions{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin-top:1rem;flex-wrap:wrap}
.two-col{display:grid;grid-template-columns:3fr 2fr;gap:1.5rem;align-items:start}
.panel{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.2rem}
.panel>:first-child{margin-top:0}
ul.flash{padding-left:2rem}
.each{display:none}
.field{display:grid;gap:.25rem;margin-bottom:.9rem}
.field label{font-weight:600;font-size:.92rem}
.field input{width:100%}
.field .hint{font-weight:400;color:var(--muted)}
.field.invalid input{border-color:var(--bad);background:#fffafa}
.field .error{color:var(--bad);font-size:.88rem;margin:0}
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 .8rem}
.banner{background:#e6f4ec;border:1px solid #bfe3cf;border-radius:var(--radius);padding:1rem 1.2rem;margin-bottom:1.2rem}
.banner h1{margin:0 0 .3rem}
.state{font-weight:700}
.timeline{list-style:none;padding:0;margin:0}
.timeline li{padding:.3rem 0;border-bottom:1px dashed var(--line)}
.error-page{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:2rem;max-width:560px;margin:2rem auto;text-align:center}
.error-page .code{font-size:3rem;font-weight:800;color:var(--muted);margin:0}
.pay{max-width:560px}
.pay form{display:grid;gap:1rem;margin:1rem 0}
.pay .error{color:var(--bad);margin:0}
.search{display:flex;gap:.4rem;flex:1;max-width:420px;margin:0 1rem}
.search input{flex:1;min-width:0}
.collections{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:0 0 1.2rem}
.collections a{text-decoration:none;font-weight:600}
.collections a[aria-current]{color:var(--ink);border-bottom:2px solid var(--accent)}
.pagination{display:flex;gap:1rem;justify-content:center;align-items:center;margin:1.5rem 0}
.card img,.gallery img{width:100%;height:auto;border-radius:8px;background:#eee}
.gallery{display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(120px,1fr))}
.gallery img:first-child{grid-column:1/-1}
.picker{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end}
.picker label{display:grid;gap:.2rem;font-weight:600;font-size:.9rem}
.sku{font-size:.85rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:720px){
 .search{order:3;flex-basis:100%;max-width:none;margin:0}
 .two-col{grid-template-columns:1fr}
 .row{grid-template-columns:1fr}
 table.cart thead{display:none}
 table.cart tr{display:grid;grid-template-columns:1fr auto;padding:.5rem 0;border-bottom:1px solid var(--line)}
 table.cart td{border:none;padding:.3rem .8rem}
 table.cart td.num{text-align:left}
 table.cart .each{display:inline}
 table.cart tfoot tr{display:flex;justify-content:space-between}
 table.cart tfoot td:last-child{display:none}
}
"#;
