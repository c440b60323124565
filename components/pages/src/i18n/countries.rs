//! Country names in the shopper's language: an address's country and the checkout's
//! country list, from the catalogue's `countries.ftl` (one message per ISO 3166-1 code of
//! [`storefront_domain::countries::ALL`]), the list sorted by the names as read in that
//! language.

use super::Lang;
use super::catalogue;
use storefront_domain::countries;

/// The country with ISO code `code` by name in `lang`; the code itself when it is none
/// the shop knows.
pub fn name(lang: Lang, code: &str) -> String {
    catalogue::country(lang, code).unwrap_or_else(|| code.to_string())
}

/// How a name sorts: letters with their accents folded (`Ä` with `A`, `ß` as `ss`), case
/// ignored, as a reader looks a country up in a list.
fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'á' | 'à' | 'â' | 'å' | 'ã' => key.push('a'),
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ø' => key.push('o'),
            'ü' | 'ú' | 'ù' | 'û' => key.push('u'),
            'é' | 'è' | 'ê' | 'ë' => key.push('e'),
            'í' | 'ì' | 'î' | 'ï' => key.push('i'),
            'ç' => key.push('c'),
            'ñ' => key.push('n'),
            'ß' => key.push_str("ss"),
            c => key.push(c),
        }
    }
    key
}

/// Every country, as (code, name in `lang`), sorted by name for a `<select>`.
pub fn all(lang: Lang) -> Vec<(&'static str, String)> {
    let mut list: Vec<(String, &'static str, String)> = countries::ALL
        .iter()
        .map(|(code, _)| {
            let name = name(lang, code);
            (sort_key(&name), *code, name)
        })
        .collect();
    list.sort();
    list.into_iter()
        .map(|(_, code, name)| (code, name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_country_has_a_name_in_every_language() {
        for lang in Lang::ALL {
            for (code, english) in countries::ALL {
                let named = catalogue::country(lang, code);
                assert!(named.is_some(), "{code} in {}", lang.code());
                if lang == Lang::En {
                    assert_eq!(named.as_deref(), Some(*english), "{code}");
                }
            }
        }
        assert_eq!(name(Lang::De, "DE"), "Deutschland");
        assert_eq!(name(Lang::De, "GB"), "Vereinigtes Königreich");
        assert_eq!(name(Lang::En, "GB"), "United Kingdom");
        assert_eq!(name(Lang::De, "ZZ"), "ZZ");
    }

    #[test]
    fn the_list_sorts_as_read_in_its_language() {
        let de = all(Lang::De);
        assert_eq!(de.len(), countries::ALL.len());
        let at = |code| de.iter().position(|(c, _)| *c == code).unwrap();
        // Ägypten among the A's, Österreich among the O's, Deutschland before Frankreich.
        assert!(at("EG") < at("AL") && at("AT") > at("NO") && at("AT") < at("PK"));
        assert!(at("DE") < at("FR"));
        let en = all(Lang::En);
        assert_eq!(en.first().map(|(c, _)| *c), Some("AF"));
    }
}
