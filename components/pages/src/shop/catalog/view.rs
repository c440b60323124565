//! A page of products (`GET /` and `GET /collections/{slug}`): collection links, cards with
//! the main picture, the price ("from …" when variants differ), stock and, for products
//! without options, an add-to-cart form; then the page links. "Next" follows the writer's
//! keyset cursor (`?after=`), so every product is one click per page away at any depth;
//! numbered pages (`?page=N`) stay for the first ones.

use crate::http::paging::Window;
use crate::i18n::Lang;
use crate::layout::holed::Kept;
use crate::layout::{Chrome, add_to_cart, collection_nav, image, layout, stock_badge, unit_price};
use crate::tr;
use maud::{Markup, html};
use serde::Deserialize;
use std::borrow::Cow;
use storefront_domain::Money;
use storefront_domain::catalog::{Collection, DEFAULT_PAGE, Image, Product};

/// A page of the writer's tiles (`fields=tile`: only what a card shows, the choices its
/// variants imply made by the writer) as a listing page reads it. The pages decode one
/// on a catalog page unless they kept it ([`crate::writer`]'s `kept`); a search
/// result's cards borrow from its products instead.
#[derive(Deserialize)]
pub struct CardList<'a> {
    pub products: Vec<Card<'a>>,
    /// Products matching the request over all pages.
    pub total: u32,
    /// The next page's cursor, if there is a next page.
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub collections: Option<Vec<Collection>>,
    /// The cards rendered in each language a page showed them in, with gaps for the
    /// visitor's token ([`crate::layout::holed::Holed`]): they live and die with this answer, which the
    /// instance may keep for many pages.
    #[serde(skip)]
    pub rendered: Kept<Lang>,
    /// Whole listing pages rendered from this answer for visitors with nothing of their
    /// own to show (an empty cart, no message, no order awaiting payment), with gaps for
    /// their token: at most [`MAX_PAGES_KEPT`], the oldest dropped first.
    #[serde(skip)]
    pub pages: Kept<PageKey>,
}

/// Whole listing pages kept beside one catalog answer.
pub const MAX_PAGES_KEPT: usize = 8;

/// Everything a listing page's markup depends on besides the answer it shows (the
/// cards, the collections, the settings) and the visitor's token.
#[derive(PartialEq)]
pub struct PageKey {
    lang: Lang,
    here: String,
    path: String,
    origin: String,
    structured_data: Vec<serde_json::Value>,
    title: String,
    description: Option<String>,
    current: Option<String>,
    at: Position,
    base: String,
}

impl PageKey {
    /// The key of a page that shows nothing of the visitor's own; `None` for one that
    /// does, which is rendered for that visitor alone.
    fn of(chrome: &Chrome, listing: &Listing<'_>) -> Option<PageKey> {
        let own = chrome.cart_count != 0
            || !chrome.flashes.is_empty()
            || chrome.pending.is_some()
            || chrome.meta.error
            || chrome.meta.image.is_some()
            || chrome.meta.og_type.is_some()
            || !chrome.meta.description.is_empty();
        (!own).then(|| PageKey {
            lang: chrome.lang,
            here: chrome.here.clone(),
            path: chrome.meta.path.clone(),
            origin: chrome.meta.origin.clone(),
            structured_data: chrome.meta.structured_data.clone(),
            title: listing.title.to_string(),
            description: listing.description.map(str::to_string),
            current: listing.current.map(str::to_string),
            at: listing.at.clone(),
            base: listing.base.clone(),
        })
    }
}

impl CardList<'_> {
    /// The cards in `lang` with `csrf` in their forms, rendered the first time only.
    fn grid(&self, lang: Lang, csrf: &str) -> Markup {
        self.rendered
            .get_or_render(lang, Lang::ALL.len(), |hole| {
                card_grid(lang, &self.products, hole)
            })
            .fill(csrf)
    }
}

/// Where a listing page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// `?page=N`.
    Page(Window),
    /// `?after=`: right after the product the cursor names.
    After(String),
}

impl Position {
    /// The writer's query for this page.
    pub fn query(&self) -> String {
        match self {
            Position::Page(window) => window.query(),
            Position::After(after) => format!("limit={DEFAULT_PAGE}&after={after}"),
        }
    }

    /// Whether a numbered page lies past the last one (`total` products).
    pub fn past(&self, total: u32) -> bool {
        match self {
            Position::Page(window) => window.page_number() > window.pages(total),
            Position::After(_) => false,
        }
    }
}

/// `GET /catalog/collections/{slug}?fields=tile`: the collection and a page of its cards.
#[derive(Deserialize)]
pub struct CollectionCards<'a> {
    pub collection: Collection,
    pub products: CardList<'a>,
}

/// What a card shows of a product.
#[derive(Deserialize)]
pub struct Card<'a> {
    pub slug: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub price: Money,
    /// The price of one kilogram at `price`, for coffee sold by weight.
    #[serde(default)]
    pub price_per_kg: Option<Money>,
    pub stock: i64,
    /// A product with options is chosen on its own page.
    pub has_options: bool,
    /// Its active variants cost different amounts: the price is "from".
    pub prices_differ: bool,
    /// What the add-to-cart form of a product without options adds: the default
    /// variant's SKU, if one is active.
    #[serde(default)]
    pub sku: Option<Cow<'a, str>>,
    /// The main picture.
    #[serde(default)]
    pub image: Option<Image>,
}

impl<'a> Card<'a> {
    /// A full product (a search result) as a card, borrowing from it.
    pub fn of(p: &'a Product) -> Card<'a> {
        Card {
            slug: Cow::Borrowed(&p.slug),
            name: Cow::Borrowed(&p.name),
            price: p.price.clone(),
            price_per_kg: p.price_per_kg.clone(),
            stock: p.stock,
            has_options: !p.options.is_empty(),
            prices_differ: p.prices_differ(),
            sku: p.card_sku().map(Cow::Borrowed),
            image: p.images.first().cloned(),
        }
    }
}

/// What a listing page shows.
pub struct Listing<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub collections: &'a [Collection],
    /// The collection shown, if any.
    pub current: Option<&'a str>,
    pub products: &'a CardList<'a>,
    pub at: Position,
    /// The page's address without `?page=`.
    pub base: String,
}

/// A listing page: kept whole beside its answer ([`CardList::pages`]) when it shows
/// nothing of the visitor's own, so the next visitor's page is the kept one with their
/// token filled in; rendered for this visitor alone otherwise.
pub fn page(chrome: &Chrome, listing: Listing<'_>, csrf: &str) -> Markup {
    let products = listing.products;
    let Some(key) = PageKey::of(chrome, &listing) else {
        return render(chrome, listing, csrf);
    };
    products
        .pages
        .get_or_render(key, MAX_PAGES_KEPT, |hole| render(chrome, listing, hole))
        .fill(csrf)
}

fn render(chrome: &Chrome, listing: Listing<'_>, csrf: &str) -> Markup {
    let Listing {
        title,
        description,
        collections,
        current,
        products,
        at,
        base,
    } = listing;
    let content = html! {
        (collection_nav(chrome.lang, collections, current))
        h1 { (title) }
        @if let Some(description) = description {
            p.muted { (description) }
        }
        (products.grid(chrome.lang, csrf))
        (page_links(chrome.lang, &at, products, &base))
    };
    let mut chrome = chrome.clone();
    if let Some(description) = description {
        chrome.meta.description = description.to_string();
    }
    chrome.meta.path = own_address(&at, &base);
    layout(&chrome, title, content)
}

/// The listing page's own address, its canonical link: the first page is the bare `base`,
/// a numbered page `?page=N`, a page after a cursor `?after=…` (each page of a list is a
/// page of its own to a search engine, not a copy of the first).
pub fn own_address(at: &Position, base: &str) -> String {
    match at {
        Position::Page(window) if window.page_number() == 1 => base.to_string(),
        Position::Page(window) => format!("{base}?page={}", window.page_number()),
        Position::After(after) => format!("{base}?after={after}"),
    }
}

/// "← Previous" (numbered pages) or "← First page" (after a cursor), where the page is,
/// and "Next →" by the cursor of the page's last product.
fn page_links(lang: Lang, at: &Position, products: &CardList<'_>, base: &str) -> Markup {
    let next = products
        .next
        .as_deref()
        .map(|after| format!("{base}?after={after}"));
    let first = match at {
        Position::Page(window) => window.page_number() == 1,
        Position::After(_) => false,
    };
    html! {
        @if !first || next.is_some() {
            nav.pagination aria-label=(tr!(lang, "pages-nav")) {
                @match at {
                    Position::Page(window) => {
                        @let n = window.page_number();
                        @if n > 1 {
                            a rel="prev" href=(if n == 2 { base.to_string() } else { format!("{base}?page={}", n - 1) }) { (tr!(lang, "page-previous")) }
                        }
                        span { (tr!(lang, "page-of", page = n, pages = window.pages(products.total))) }
                    }
                    Position::After(_) => {
                        a href=(base) { (tr!(lang, "page-first")) }
                        span { (tr!(lang, "product-count", count = products.total)) }
                    }
                }
                @if let Some(next) = &next {
                    a rel="next" href=(next) { (tr!(lang, "page-next")) }
                }
            }
        }
    }
}

/// Product cards; the first card's picture loads at once, the others lazily.
/// Full products (search results) as cards.
pub fn cards(lang: Lang, products: &[Product], csrf: &str) -> Markup {
    let cards: Vec<Card<'_>> = products.iter().map(Card::of).collect();
    card_grid(lang, &cards, csrf)
}

fn card_grid(lang: Lang, products: &[Card<'_>], csrf: &str) -> Markup {
    html! {
        @if products.is_empty() {
            p.muted { (tr!(lang, "catalog-empty")) }
        } @else {
            ul.grid {
                @for (i, p) in products.iter().enumerate() {
                    li.card {
                        @if let Some(main) = &p.image {
                            a href={ "/products/" (p.slug) } tabindex="-1" { (image(main, i == 0)) }
                        }
                        h2 { a href={ "/products/" (p.slug) } { (p.name) } }
                        span.price {
                            @if p.prices_differ { (tr!(lang, "price-from")) " " }
                            (lang.money(&p.price))
                        }
                        @if let Some(per_kg) = &p.price_per_kg {
                            (unit_price(lang, per_kg))
                        }
                        (stock_badge(lang, p.stock))
                        @if p.stock > 0 {
                            @if !p.has_options {
                                @if let Some(sku) = &p.sku {
                                    (add_to_cart(lang, csrf, &p.slug, sku, &p.name))
                                }
                            } @else {
                                a.button href={ "/products/" (p.slug) } { (tr!(lang, "choose-options")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
