//! Full, styled error pages (400/403/404/405/413/422/500/502/503).

use super::chrome::{Chrome, layout};
use maud::{Markup, html};

pub fn page(chrome: &Chrome, status: u16, title: &str, message: &str) -> Markup {
    let content = html! {
        section.error-page {
            p.code { (status) }
            h1 { (title) }
            p { (message) }
            p { a.button.primary href="/" { (crate::tr!(chrome.lang, "error-back-to-shop")) } }
        }
    };
    layout(chrome, title, content)
}
