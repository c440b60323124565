//! The header's language switch: `GET /lang/{en|de}?back=/path` sets the `sf_lang`
//! cookie for a year and sends the shopper back to the page they were on. A plain link,
//! so it works without JavaScript. `back` is followed only when it is a path of this
//! shop (never another site: no open redirect); anything else leads home.

use crate::http::{self, Req, Resp};
use crate::i18n::Lang;
use crate::i18n::negotiate::{COOKIE, COOKIE_MAX_AGE};

/// Longest `back` followed; a longer one leads home.
pub const MAX_BACK: usize = 2048;

/// The switch's answer for language `code` (404 for a language the shop does not speak).
pub fn serve(req: &Req, code: &str) -> Option<Resp> {
    let lang = Lang::from_code(code)?;
    let back = req.query_param("back").unwrap_or_default();
    Some(
        Resp::redirect(same_site_path(&back))
            .header(
                "set-cookie",
                http::set_cookie(COOKIE, lang.code(), COOKIE_MAX_AGE, req.is_https()),
            )
            .header("cache-control", "no-store"),
    )
}

/// `back` when it is a path on this site (`/`, `/products/x?y=1`), else `/`: no scheme,
/// no `//host` or `/\host` (browsers read both as another host), no control characters.
pub fn same_site_path(back: &str) -> &str {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && back.len() <= MAX_BACK
        && !back.chars().any(|c| c.is_control() || c.is_whitespace());
    if ok { back } else { "/" }
}

/// The switch's link to `lang` from the page at `path_and_query`.
pub fn link(lang: Lang, path_and_query: &str) -> String {
    let back: String = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect();
    format!("/lang/{}?back={back}", lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_is_followed_only_to_a_path_of_this_shop() {
        assert_eq!(same_site_path("/products/espresso"), "/products/espresso");
        assert_eq!(same_site_path("/search?q=kaffee"), "/search?q=kaffee");
        assert_eq!(same_site_path("/"), "/");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/\t/evil.example",
            "/a\r\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(same_site_path(bad), "/", "{bad:?}");
        }
        assert_eq!(same_site_path(&format!("/{}", "a".repeat(MAX_BACK))), "/");
    }

    #[test]
    fn the_link_carries_the_page_back() {
        assert_eq!(
            link(Lang::De, "/search?q=a b&x=1"),
            "/lang/de?back=%2Fsearch%3Fq%3Da+b%26x%3D1"
        );
    }
}
