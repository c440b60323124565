//! The legal pages (`GET /terms`, `/privacy`, `/returns`, `/imprint`): the owner's texts
//! from the shop settings, plain text split into paragraphs at blank lines, escaped like
//! everything else.

use crate::i18n::Lang;
use crate::layout::{Chrome, layout};
use crate::shop::{Answer, Shop};
use crate::tr;
use maud::{Markup, html};

/// Which legal text a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Terms,
    Privacy,
    Returns,
    Imprint,
}

impl Kind {
    /// The page's title in `lang`.
    pub fn title(self, lang: Lang) -> String {
        let id = match self {
            Kind::Terms => "legal-title-terms",
            Kind::Privacy => "legal-title-privacy",
            Kind::Returns => "legal-title-returns",
            Kind::Imprint => "legal-title-imprint",
        };
        tr!(lang, id)
    }
}

/// Paragraphs of `text`: separated by blank lines, each trimmed; lines inside one keep
/// their breaks (the stylesheet's `pre-line`).
pub fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn page(chrome: &Chrome, kind: Kind) -> Markup {
    let shop = &chrome.shop;
    let legal = &shop.legal;
    let text = match kind {
        Kind::Terms => &legal.terms,
        Kind::Privacy => &legal.privacy,
        Kind::Returns => &legal.returns,
        Kind::Imprint => &legal.imprint,
    };
    let content = html! {
        article.panel.legal {
            h1 { (kind.title(chrome.lang)) }
            @let paragraphs = paragraphs(text);
            @if paragraphs.is_empty() {
                p.muted { (tr!(chrome.lang, "legal-missing", shop = shop.name.as_str())) }
            }
            @for p in &paragraphs {
                p.text { (p) }
            }
            @if kind == Kind::Imprint && (!shop.contact_address.is_empty() || !shop.contact_email.is_empty()) {
                h2 { (tr!(chrome.lang, "legal-contact")) }
                address.address.text {
                    (shop.name) "\n"
                    @if !shop.contact_address.is_empty() { (shop.contact_address) "\n" }
                    @if !shop.contact_email.is_empty() {
                        a href={ "mailto:" (shop.contact_email) } { (shop.contact_email) }
                    }
                }
            }
        }
    };
    layout(chrome, &kind.title(chrome.lang), content)
}

pub fn show(shop: &mut Shop<'_>, kind: Kind) -> Answer {
    Ok(shop.page(200, page(&shop.chrome(), kind)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_domain::checkout::ShopSettings;

    #[test]
    fn paragraphs_are_split_and_escaped() {
        assert_eq!(paragraphs("a\n\n\nb\r\n\r\nc\nd"), ["a", "b", "c\nd"]);
        let mut shop = ShopSettings {
            name: "Kanne".into(),
            ..ShopSettings::default()
        };
        shop.legal.terms = "1. <script>alert(1)</script>\n\n2. Fine.".into();
        let html = page(&Chrome::plain(shop), Kind::Terms).into_string();
        assert!(html.contains("<p class=\"text\">1. &lt;script&gt;alert(1)&lt;/script&gt;</p>"));
        assert!(html.contains("<p class=\"text\">2. Fine.</p>"));
    }
}
