//! Small HTML fragments that several shop pages share: the stock badge, the unit price,
//! the add-to-cart form, a line's name, a product image, the collection links and the page
//! links, and a typed text with its line breaks (an order's notes).

use crate::i18n::Lang;
use crate::tr;
use maud::{Markup, html};
use storefront_domain::catalog::{Collection, Image};
use storefront_domain::{Money, PricedLine, Quantity};

/// Stock wording shared by the catalog and product pages.
pub fn stock_badge(lang: Lang, stock: i64) -> Markup {
    let (class, words) = stock_state(lang, stock);
    html! { span class={ "badge " (class) } { (words) } }
}

/// The stock badge's class and words for `stock` units (also sent to the product page's
/// script, so the badge it shows for another choice reads the same).
pub fn stock_state(lang: Lang, stock: i64) -> (&'static str, String) {
    if stock <= 0 {
        ("sold-out", tr!(lang, "stock-sold-out"))
    } else if stock <= 5 {
        ("low", tr!(lang, "stock-low", count = stock))
    } else {
        ("in-stock", tr!(lang, "stock-in"))
    }
}

/// The price of one kilogram, as EU price rules ask beside the price of goods sold by
/// weight: "€19.96 / kg".
pub fn unit_price(lang: Lang, per_kg: &Money) -> Markup {
    html! { span.unit-price { (tr!(lang, "per-kg", amount = lang.money(per_kg))) } }
}

/// The add-to-cart form for one variant (callers leave it out when it cannot be bought).
/// `name` names the product in the controls' accessible names, so a list of cards is not
/// a row of identical "Quantity" fields and "Add to cart" buttons.
pub fn add_to_cart(lang: Lang, csrf: &str, slug: &str, sku: &str, name: &str) -> Markup {
    html! {
        form.add method="post" action="/cart/add" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="slug" value=(slug);
            input type="hidden" name="sku" value=(sku);
            label.qty {
                span.visually-hidden { (tr!(lang, "quantity-of", name = name)) }
                input type="number" name="quantity" value="1"
                    min=(Quantity::MIN) max=(Quantity::MAX) required;
            }
            button.primary type="submit" aria-label=(tr!(lang, "add-to-cart-named", name = name)) {
                (tr!(lang, "add-to-cart"))
            }
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

/// A line's product and variant in words, for the accessible names of its controls, so
/// two lines of one product differ: "Ethiopia Yirgacheffe, 1 kg / Filter".
pub fn line_label(line: &PricedLine) -> String {
    match line.variant.is_empty() {
        true => line.name.clone(),
        false => format!("{}, {}", line.name, line.variant),
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
pub fn collection_nav(lang: Lang, collections: &[Collection], current: Option<&str>) -> Markup {
    html! {
        nav.collections aria-label=(tr!(lang, "collections-nav")) {
            a href="/" aria-current=[current.is_none().then_some("page")] { (tr!(lang, "all-products")) }
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
pub fn pagination(lang: Lang, page: u32, pages: u32, href: impl Fn(u32) -> String) -> Markup {
    html! {
        @if pages > 1 {
            nav.pagination aria-label=(tr!(lang, "pages-nav")) {
                @if page > 1 {
                    a rel="prev" href=(href(page - 1)) { (tr!(lang, "page-previous")) }
                }
                span { (tr!(lang, "page-of", page = page, pages = pages)) }
                @if page < pages {
                    a rel="next" href=(href(page + 1)) { (tr!(lang, "page-next")) }
                }
            }
        }
    }
}
/// Text the shopper or owner typed over several lines, each line escaped, the breaks kept.
pub fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}
