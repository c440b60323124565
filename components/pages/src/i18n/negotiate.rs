//! Which language a shop page speaks: the `sf_lang` cookie the header's switch sets,
//! else the best language of the browser's `Accept-Language` that the shop speaks
//! (q-values honoured, `q=0` meaning "not this one"), else the shop's default (a setting).

use crate::i18n::Lang;

/// The cookie the language switch sets: `en` or `de`.
pub const COOKIE: &str = "sf_lang";
/// The cookie lives a year.
pub const COOKIE_MAX_AGE: u64 = 365 * 24 * 60 * 60;
/// Most `Accept-Language` entries looked at (a longer header is read up to there).
pub const MAX_RANGES: usize = 32;

/// The language the shopper asked for: the cookie's, else the browser's; `None` means the
/// shop's default.
pub fn chosen(cookie: Option<&str>, accept_language: Option<&str>) -> Option<Lang> {
    cookie
        .and_then(Lang::from_code)
        .or_else(|| accept_language.and_then(from_accept_language))
}

/// The shop's language the browser prefers most (`de-DE,de;q=0.9,en;q=0.8` → German);
/// `None` when it names none of them (or only `*`).
pub fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(u16, usize, Lang)> = None;
    for (position, range) in header.split(',').take(MAX_RANGES).enumerate() {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let mut q = 1000;
        for param in parts {
            if let Some((k, v)) = param.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = quality(v.trim()).unwrap_or(0);
            }
        }
        let Some(lang) = Lang::from_tag(tag) else {
            continue;
        };
        if q == 0 {
            continue;
        }
        // Highest q wins; among equals the one named first.
        if best.is_none_or(|(bq, bp, _)| q > bq || (q == bq && position < bp)) {
            best = Some((q, position, lang));
        }
    }
    best.map(|(_, _, lang)| lang)
}

/// An RFC 9110 qvalue in thousandths (`0.8` → 800, `1` → 1000); `None` if malformed.
fn quality(v: &str) -> Option<u16> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_value: u16 = format!("{frac:0<3}").parse().ok()?;
    match whole {
        "0" => Some(frac_value),
        "1" if frac_value == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_quality_language_the_shop_speaks_wins() {
        assert_eq!(
            from_accept_language("de-DE,de;q=0.9,en;q=0.8"),
            Some(Lang::De)
        );
        assert_eq!(
            from_accept_language("fr-FR, en;q=0.5, de;q=0.7"),
            Some(Lang::De)
        );
        assert_eq!(
            from_accept_language("en-GB,en;q=0.9,de;q=0.9"),
            Some(Lang::En)
        );
        assert_eq!(from_accept_language("de;q=0.5, en"), Some(Lang::En));
        assert_eq!(from_accept_language("fr, it;q=0.8"), None);
        assert_eq!(from_accept_language("*"), None);
        assert_eq!(from_accept_language(""), None);
    }

    #[test]
    fn q_zero_and_malformed_qualities_refuse_a_language() {
        assert_eq!(from_accept_language("de;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(from_accept_language("de;q=0.000"), None);
        assert_eq!(from_accept_language("de;q=2, en;q=0.3"), Some(Lang::En));
        assert_eq!(from_accept_language("de;q=abc"), None);
        assert_eq!(from_accept_language("DE ; Q=0.9"), Some(Lang::De));
    }

    #[test]
    fn the_cookie_beats_the_browser() {
        assert_eq!(chosen(Some("de"), Some("en")), Some(Lang::De));
        assert_eq!(chosen(Some("xx"), Some("de")), Some(Lang::De));
        assert_eq!(chosen(None, None), None);
    }
}
