//! The frame around every shop page: header (brand, search, cart count, pending order),
//! flashes, footer with the legal links, the page metadata, and the shop's one stylesheet.
//!
//! maud escapes every interpolated value; `PreEscaped` is used only for the constant
//! stylesheet below, never for data.

use crate::i18n::Lang;
use crate::i18n::switch;
use crate::layout::flash::Flash;
use crate::tr;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use storefront_domain::catalog::MAX_QUERY;
use storefront_domain::checkout::{ShopSettings, TaxMode};

/// What every page shows around its content.
#[derive(Clone)]
pub struct Chrome {
    /// The language the page speaks (`<html lang>`, every word, every price).
    pub lang: Lang,
    /// The page's path and query, where the language switch leads back to.
    pub here: String,
    pub cart_count: i64,
    pub flashes: Vec<Flash>,
    /// The brand, tagline and legal pages of the shop.
    pub shop: ShopSettings,
    /// The number of the shopper's order that awaits payment, linked from the header.
    pub pending: Option<String>,
    pub meta: Meta,
}

impl Chrome {
    /// Chrome for a page shown without a shopper's session (e.g. a misconfigured shop).
    pub fn plain(shop: ShopSettings) -> Chrome {
        Chrome {
            lang: shop.language,
            here: String::new(),
            cart_count: 0,
            flashes: Vec::new(),
            shop,
            pending: None,
            meta: Meta::default(),
        }
    }
}

/// What a page says about itself to search engines and link previews.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The page's path: its canonical link.
    pub path: String,
    /// `scheme://host` of the shop, for absolute links; empty when unknown.
    pub origin: String,
    /// The meta and Open Graph description; the shop's tagline when empty.
    pub description: String,
    /// Path of the Open Graph image (a product's first picture).
    pub image: Option<String>,
    /// Open Graph type: `website`, or `product` on a product page.
    pub og_type: Option<&'static str>,
    /// The `<title>` starts with "Error: " (a form shown again with errors).
    pub error: bool,
    /// Schema.org JSON-LD blocks for the head (`shop::seo::json_ld`).
    pub structured_data: Vec<serde_json::Value>,
}

/// `path` made absolute with the shop's origin (when known; else left relative).
fn absolute(meta: &Meta, path: &str) -> String {
    format!("{}{path}", meta.origin)
}

/// The first paragraph-worth of `text` (at most about 160 characters, cut at a word).
pub fn summary(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 160 {
        return text;
    }
    let cut: String = text.chars().take(157).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

pub fn layout(chrome: &Chrome, title: &str, content: Markup) -> Markup {
    let lang = chrome.lang;
    let shop = &chrome.shop;
    let meta = &chrome.meta;
    let description = if meta.description.is_empty() {
        summary(&shop.tagline)
    } else {
        summary(&meta.description)
    };
    let full_title = format!(
        "{}{title} · {}",
        if meta.error {
            format!("{} ", tr!(lang, "title-error-prefix"))
        } else {
            String::new()
        },
        shop.name
    );
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (full_title) }
                meta name="description" content=(description);
                @if !meta.path.is_empty() {
                    link rel="canonical" href=(absolute(meta, &meta.path));
                }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                link rel="icon" href="/favicon.ico" sizes="32x32";
                meta property="og:site_name" content=(shop.name);
                meta property="og:title" content=(title);
                meta property="og:description" content=(description);
                meta property="og:type" content=(meta.og_type.unwrap_or("website"));
                @if !meta.path.is_empty() {
                    meta property="og:url" content=(absolute(meta, &meta.path));
                }
                @if let Some(image) = &meta.image {
                    meta property="og:image" content=(absolute(meta, image));
                }
                @for data in &meta.structured_data {
                    (crate::shop::seo::json_ld::script(data))
                }
                style { (PreEscaped(STYLE)) }
            }
            body {
                a.skip href="#main" { (tr!(lang, "skip-to-content")) }
                header.site {
                    div.bar {
                        a.brand href="/" {
                            @if let Some(logo) = &shop.logo {
                                @if crate::shop::catalog::images::valid_hash(logo) {
                                    img.logo src={ "/images/" (logo) } alt="" width="28" height="28";
                                }
                            }
                            (shop.name)
                        }
                        form.search role="search" method="get" action="/search" {
                            label for="q" { span.visually-hidden { (tr!(lang, "search-label")) } }
                            input #q type="search" name="q" maxlength=(MAX_QUERY)
                                placeholder=(tr!(lang, "search-placeholder"));
                            button type="submit" { (tr!(lang, "search-button")) }
                        }
                        div.you {
                            a href="/account" { (tr!(lang, "nav-account")) }
                            a.cart-link href="/cart" {
                                (tr!(lang, "nav-cart"))
                                span.count aria-label=(tr!(lang, "cart-count-label")) { (chrome.cart_count) }
                            }
                            (language_switch(chrome))
                        }
                    }
                    @if let Some(number) = &chrome.pending {
                        div.pending-bar {
                            p {
                                (tr!(lang, "pending-before")) " " strong.number { (number) } " "
                                (tr!(lang, "pending-after")) " "
                                a href={ "/orders/" (number) "/pay" } { (tr!(lang, "pending-link")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    @for flash in &chrome.flashes {
                        p class=(flash.tone.class()) role="status" { (flash.text) }
                    }
                    (content)
                }
                footer.site {
                    nav aria-label=(tr!(lang, "legal-nav")) {
                        a href="/terms" { (tr!(lang, "legal-terms")) }
                        a href="/privacy" { (tr!(lang, "legal-privacy")) }
                        a href="/returns" { (tr!(lang, "legal-returns")) }
                        a href="/imprint" { (tr!(lang, "legal-imprint")) }
                    }
                    p {
                        (shop.name)
                        @match shop.tax_mode {
                            TaxMode::Inclusive => { " · " (tr!(lang, "footer-vat-included")) },
                            TaxMode::Exclusive => { " · " (tr!(lang, "footer-vat-added")) },
                        }
                    }
                }
            }
        }
    }
}

/// The header's switch: a link to each other language the shop speaks, back to this page.
fn language_switch(chrome: &Chrome) -> Markup {
    html! {
        nav.languages aria-label=(tr!(chrome.lang, "language-switch-label")) {
            @for other in Lang::ALL.into_iter().filter(|l| *l != chrome.lang) {
                a href=(switch::link(other, &chrome.here)) lang=(other.code()) hreflang=(other.code()) {
                    (other.own_name())
                }
            }
        }
    }
}

pub(crate) const STYLE: &str = r#"
:root{--ink:#1d2330;--muted:#596575;--line:#e3e7ee;--bg:#f6f7fb;--card:#fff;--accent:#2f5bea;--accent-ink:#fff;--ok:#17663f;--warn:#7f4a00;--bad:#a81f15;--focus:#1d3fae;--radius:10px}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
body{margin:0;min-height:100vh;display:flex;flex-direction:column}
a{color:var(--accent)}
header.site{background:var(--card);border-bottom:1px solid var(--line)}
.bar{max-width:1040px;margin:0 auto;padding:.8rem 1rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.6rem 0}
.brand{font-weight:800;font-size:1.3rem;letter-spacing:-.02em;color:var(--ink);text-decoration:none}
.you{display:flex;align-items:center;gap:1.2rem}.you a{font-weight:600}
.languages a{font-weight:600}
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
input:focus-visible,select:focus-visible,button:focus-visible,a:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
input:focus,select:focus,button:focus{outline:3px solid var(--focus);outline-offset:2px}
#main:focus{outline:none}
.skip{position:absolute;left:.5rem;top:-3rem;background:var(--card);color:var(--accent);padding:.5rem 1rem;border-radius:8px;z-index:10}
.skip:focus{top:.5rem}
.brand{display:inline-flex;align-items:center;gap:.4rem}
.logo{border-radius:6px}
.pending-bar{background:#fff6e5;border-top:1px solid #f3d9a4}
.pending-bar p{max-width:1040px;margin:0 auto;padding:.5rem 1rem;overflow-wrap:anywhere}
footer.site nav{display:flex;flex-wrap:wrap;justify-content:center;gap:.4rem 1.2rem;margin-bottom:.4rem}
footer.site p{margin:0}
td,th,h1,h2,p,li,a{overflow-wrap:break-word}
td{overflow-wrap:anywhere}
.totals{margin-top:.8rem}
.totals th{background:none;color:var(--ink);font-size:1rem;font-weight:400}
.totals td{font-weight:400}
.totals tr.grand th,.totals tr.grand td{font-weight:700}
.totals tr.tax th,.totals tr.tax td{color:var(--muted);font-size:.9rem}
form p.error{color:var(--bad);font-size:.88rem;margin:0 0 .9rem}
.totals tr.grand td{border-top:1px solid var(--line)}
.totals .discount{color:var(--ok)}
.totals td.num{white-space:normal}
.stock-warning{color:var(--warn);font-weight:600;margin:.3rem 0 0;font-size:.9rem}
.stock-warning button{margin-left:.4rem;padding:.2rem .6rem;font-size:.85rem}
.error-summary{border:2px solid var(--bad);background:#fdecea;border-radius:var(--radius);padding:1rem 1.2rem;margin-bottom:1rem}
.error-summary h2{margin:0 0 .4rem;font-size:1.05rem;color:var(--bad)}
.error-summary ul{margin:0;padding-left:1.2rem}
.error-summary a{color:var(--bad)}
fieldset{border:1px solid var(--line);border-radius:8px;margin:0 0 .9rem;padding:.6rem .9rem}
legend{font-weight:600;font-size:.92rem;padding:0 .3rem}
.choice{display:flex;gap:.5rem;align-items:baseline;padding:.25rem 0}
.choice input{width:auto}
.choice .price{font-size:1rem;margin-left:auto;white-space:nowrap}
.inline-field{display:flex;gap:.5rem;flex-wrap:wrap}
.inline-field input{flex:1;min-width:8rem;width:auto}
.field select{width:100%}
.field.invalid select{border-color:var(--bad)}
.check{display:flex;gap:.5rem;align-items:flex-start;margin-bottom:.4rem}
.check label{font-weight:400}
.check input{width:auto;margin-top:.3rem}
.legal{max-width:720px}
.banner.paid,.banner.fulfilled{background:#e6f4ec;border-color:#bfe3cf}
.banner.pending{background:#fff6e5;border-color:#f3d9a4}
.banner.cancelled,.banner.refunded{background:#f1f2f5;border-color:#d5d9e0}
.address{font-style:normal}
.text{white-space:pre-line}
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
.checkout{max-width:44rem}
.order-summary{border-top:1px solid var(--line);margin-top:1.2rem;padding-top:.4rem}
fieldset.billing{border:1px solid var(--line);border-radius:var(--radius);margin:0 0 1rem;padding:.8rem 1rem}
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
[hidden]{display:none!important}
.unit-price{color:var(--muted);font-size:.88rem}
form.buy{display:grid;gap:.8rem}
#chosen{display:grid;gap:.3rem;justify-items:start}
#chosen p{margin:0}
form.buy .actions{justify-content:flex-start;margin-top:0}
.thumb{float:left;width:3rem;height:3rem;object-fit:cover;border-radius:6px;margin:0 .6rem .2rem 0;background:#eee}
.cart td .unit-price{display:block}
.breadcrumbs ol{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;padding:0;margin:0 0 1rem;font-size:.92rem}
.breadcrumbs li+li::before{content:"›";margin-right:.3rem;color:var(--muted)}
.returns-form{display:grid;gap:.8rem;max-width:560px}
.returns-form fieldset{display:grid;gap:.5rem}
.returns-form label{display:grid;gap:.2rem}
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
