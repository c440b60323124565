//! Markup rendered once with holes where each visitor's own form token goes, then filled
//! in for every page that shows it.
//!
//! A catalog page's cards depend only on the catalog answer the instance kept
//! ([`crate::writer`]'s `kept`) and the page's language, except for the add-to-cart
//! forms' CSRF token, which is the visitor's own. Rendered with a placeholder in the
//! token's place, the cards are kept beside the answer and the page pastes each visitor's
//! token into the gaps: the same bytes as rendering them again, without running the
//! template, the money formatting and the message catalogue once per card.
//!
//! The placeholder is random per instance (128 bits of hex): no product text or picture
//! address, which come from the owner, can contain it by chance or by design.

use maud::{Markup, PreEscaped, Render};
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

thread_local! {
    static HOLE: OnceCell<String> = const { OnceCell::new() };
}

/// This instance's placeholder for a token.
fn hole() -> String {
    HOLE.with(|h| {
        h.get_or_init(|| crate::security::signing::random_hex(16))
            .clone()
    })
}

/// Markup with gaps for a token.
pub struct Holed {
    parts: Vec<String>,
}

impl Holed {
    /// `render` called once with the placeholder in the token's place.
    pub fn render(render: impl FnOnce(&str) -> Markup) -> Holed {
        let hole = hole();
        let text = render(&hole).into_string();
        Holed {
            parts: text.split(hole.as_str()).map(str::to_string).collect(),
        }
    }

    /// The markup with `token` (escaped as the template would) in every gap.
    pub fn fill(&self, token: &str) -> Markup {
        let token = token.render().into_string();
        let gaps = self.parts.len().saturating_sub(1);
        let mut out = String::with_capacity(
            self.parts.iter().map(String::len).sum::<usize>() + gaps * token.len(),
        );
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_str(&token);
            }
            out.push_str(part);
        }
        PreEscaped(out)
    }
}

/// Markups with gaps kept by key, each rendered the first time it is asked for; past
/// `most` kept, the oldest is dropped. It lives beside what the markups are made of (a
/// kept catalog answer), so it goes when that does.
pub struct Kept<K> {
    entries: RefCell<Vec<(K, Rc<Holed>)>>,
}

impl<K> Default for Kept<K> {
    fn default() -> Self {
        Kept {
            entries: RefCell::new(Vec::new()),
        }
    }
}

impl<K: PartialEq> Kept<K> {
    /// The markup kept under `key`, else `render` called with the placeholder and kept.
    pub fn get_or_render(
        &self,
        key: K,
        most: usize,
        render: impl FnOnce(&str) -> Markup,
    ) -> Rc<Holed> {
        let found = self
            .entries
            .borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, holed)| holed.clone());
        found.unwrap_or_else(|| {
            let holed = Rc::new(Holed::render(render));
            let mut entries = self.entries.borrow_mut();
            if entries.len() >= most {
                entries.remove(0);
            }
            entries.push((key, holed.clone()));
            holed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use maud::html;

    fn form(token: &str, name: &str) -> Markup {
        html! { form { input type="hidden" name="csrf" value=(token); span { (name) } } }
    }

    #[test]
    fn filled_markup_is_the_markup_rendered_with_the_token() {
        let holed = Holed::render(|t| html! { (form(t, "a & b")) (form(t, "<c>")) });
        for token in ["tok-1_AZ", "x\"<y>&z"] {
            let direct = html! { (form(token, "a & b")) (form(token, "<c>")) };
            assert_eq!(holed.fill(token).into_string(), direct.into_string());
        }
    }

    #[test]
    fn markup_without_a_hole_is_kept_whole() {
        let holed = Holed::render(|_| html! { p { "no form here" } });
        assert_eq!(holed.fill("t").into_string(), "<p>no form here</p>");
    }
}
