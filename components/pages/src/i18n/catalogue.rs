//! The message catalogue: the `.ftl` files under `components/pages/locales/{en,de}/`,
//! compiled by `build.rs` into one table per language, sorted by id. A message that is
//! plain text is that text, with nothing to parse; any other (a variable, a plural) keeps
//! its own Fluent source, parsed into a bundle of its own the first time the instance
//! formats it. A Spin instance serves one request, so this is what a page pays per
//! request: a lookup per word, and a small parse per message with arguments. (Parsing
//! whole files per request was a tenth of a catalog page's CPU.)
//!
//! A message missing in a language (which the unit test below forbids) is taken from
//! English, and a message missing everywhere shows its id, so a page never fails for
//! a word.

use crate::i18n::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

/// One compiled message.
enum Entry {
    /// The message's text, as Fluent formats it.
    Text(&'static str),
    /// The message's bundle slot (numbered among its language's messages with arguments)
    /// and its own Fluent source (its entry in the file).
    Fluent(usize, &'static str),
}

mod compiled {
    use super::Entry;
    include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
}

type Bundle = FluentBundle<FluentResource>;

/// The language's table.
fn table(lang: Lang) -> &'static [(&'static str, Entry)] {
    match lang {
        Lang::En => compiled::EN,
        Lang::De => compiled::DE,
    }
}

/// Message `id` of `lang`'s table.
fn find(lang: Lang, id: &str) -> Option<&'static Entry> {
    let table = table(lang);
    let at = table.binary_search_by(|(k, _)| (*k).cmp(id)).ok()?;
    Some(&table[at].1)
}

/// A bundle holding only `source` (one message), for `lang`.
fn build(lang: Lang, source: &str) -> Bundle {
    let id = lang
        .code()
        .parse()
        .expect("every Lang code is a language identifier");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // The pages are HTML with `lang` set; Unicode isolation marks would only show up in
    // emails' plain text and in tests.
    bundle.set_use_isolating(false);
    // build.rs has parsed this source already: it cannot fail here.
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, errors)| {
        eprintln!("catalogue in {}: {errors:?}", lang.code());
        r
    });
    if let Err(errors) = bundle.add_resource(resource) {
        eprintln!("catalogue in {}: {errors:?}", lang.code());
    }
    bundle
}

/// The bundle of `lang`'s message in bundle slot `slot`, parsed when first asked for.
fn bundle_at(lang: Lang, slot: usize, source: &str) -> &'static Bundle {
    static EN: [OnceLock<Bundle>; compiled::EN_BUNDLES] =
        [const { OnceLock::new() }; compiled::EN_BUNDLES];
    static DE: [OnceLock<Bundle>; compiled::DE_BUNDLES] =
        [const { OnceLock::new() }; compiled::DE_BUNDLES];
    let cells: &[OnceLock<Bundle>] = match lang {
        Lang::En => &EN,
        Lang::De => &DE,
    };
    cells[slot].get_or_init(|| build(lang, source))
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    match *find(lang, id)? {
        Entry::Text(text) => Some(text.to_string()),
        Entry::Fluent(slot, source) => {
            let bundle = bundle_at(lang, slot, source);
            let pattern = bundle.get_message(id)?.value()?;
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                eprintln!("message {id} in {}: {errors:?}", lang.code());
            }
            Some(text.into_owned())
        }
    }
}

/// The name of the country with ISO 3166-1 code `code` in `lang` (English if `lang` lacks
/// it), `None` for a code the catalogue does not have.
pub fn country(lang: Lang, code: &str) -> Option<String> {
    let id = format!("country-{code}");
    format(lang, &id, None).or_else(|| format(Lang::En, &id, None))
}

/// Message `id` in `lang` (English if `lang` lacks it, the id if both do).
pub fn message(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    format(lang, id, args)
        .or_else(|| format(Lang::En, id, args))
        .unwrap_or_else(|| {
            eprintln!("message {id} is not in the catalogue");
            id.to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;
    use fluent_syntax::ast::Entry;
    use std::collections::BTreeSet;

    /// The catalogue's files as written, (file name, text) in `lang`.
    fn sources(lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> {
        compiled::SOURCES
            .iter()
            .map(move |(name, en, de)| match lang {
                Lang::En => (*name, *en),
                Lang::De => (*name, *de),
            })
    }

    /// The message ids of `lang`'s files, refusing any file Fluent cannot parse.
    fn ids(lang: Lang) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for (name, text) in sources(lang) {
            let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(_, e)| {
                panic!("locales/{}/{name} does not parse: {e:?}", lang.code())
            });
            for entry in resource.entries() {
                if let Entry::Message(m) = entry {
                    assert!(
                        ids.insert(m.id.name.to_string()),
                        "{} is twice in locales/{}",
                        m.id.name,
                        lang.code()
                    );
                }
            }
        }
        ids
    }

    /// Every variable a message may use, with a value of each kind.
    fn every_argument() -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        for name in [
            "count", "name", "number", "amount", "total", "shop", "email", "minutes", "date",
            "max", "min", "code", "carrier", "tracking", "left", "language", "value", "reason",
            "field", "page", "pages", "query", "days", "bought",
        ] {
            if name == "count" || name == "left" || name == "page" || name == "pages" {
                args.set(name, 2);
            } else {
                args.set(name, "x");
            }
        }
        args
    }

    #[test]
    fn every_message_is_in_every_language_and_formats() {
        let en = ids(Lang::En);
        for lang in Lang::ALL {
            let theirs = ids(lang);
            assert_eq!(
                en.symmetric_difference(&theirs).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "messages in one language and not in {}",
                lang.code()
            );
            let compiled: BTreeSet<String> =
                table(lang).iter().map(|(id, _)| id.to_string()).collect();
            assert_eq!(compiled, theirs, "the compiled table of {}", lang.code());
            for id in &theirs {
                let text = format(lang, id, Some(&every_argument()));
                let text = text.unwrap_or_else(|| panic!("{id} is not in {}", lang.code()));
                assert!(!text.trim().is_empty(), "{id} in {} is empty", lang.code());
            }
        }
    }

    /// The compiled table formats every message, with and without arguments, exactly as
    /// Fluent formats it from the whole file: compiling changes no word.
    #[test]
    fn compiled_messages_format_as_the_whole_files_do() {
        for lang in Lang::ALL {
            for (name, text) in sources(lang) {
                let whole = build(lang, text);
                let resource = FluentResource::try_new(text.to_string()).unwrap();
                for entry in resource.entries() {
                    let Entry::Message(m) = entry else { continue };
                    let id = m.id.name;
                    let pattern = whole.get_message(id).and_then(|m| m.value()).unwrap();
                    for args in [None, Some(every_argument())] {
                        let mut errors = Vec::new();
                        let expected = whole.format_pattern(pattern, args.as_ref(), &mut errors);
                        if args.is_some() {
                            assert!(errors.is_empty(), "{name} {id}: {errors:?}");
                        }
                        assert_eq!(
                            format(lang, id, args.as_ref()).as_deref(),
                            Some(expected.as_ref()),
                            "locales/{}/{name}: {id}",
                            lang.code()
                        );
                    }
                }
            }
        }
    }

    /// Every literal id the code asks for (`tr!(lang, "id"`, and the error pages' ids) is
    /// in the catalogue, so no page shows an id instead of words.
    #[test]
    fn every_id_the_code_uses_is_in_the_catalogue() {
        let known = ids(Lang::En);
        let mut missing = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.ends_with("i18n/catalogue.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (i, _) in source.match_indices("tr!(") {
                let call = &source[i..];
                let Some(comma) = call.find(',') else {
                    continue;
                };
                let rest = call[comma + 1..].trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    let id = &literal[..literal.find('"').unwrap()];
                    if !known.contains(id) {
                        missing.push(format!("{}: {id}", path.display()));
                    }
                }
            }
            for word in source.split('"').skip(1).step_by(2) {
                if word.starts_with("error-")
                    && word.len() > 6
                    && word.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                    && (source.contains(".error(") || source.contains("not_found("))
                    && !known.contains(word)
                    && !["error-summary", "error-summary-title", "error-page"].contains(&word)
                {
                    missing.push(format!("{}: {word}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "ids not in the catalogue: {missing:#?}");
    }

    #[test]
    fn plural_messages_follow_the_count() {
        assert_eq!(
            crate::tr!(Lang::En, "only-left", count = 1),
            "Only 1 left; we put 1 in your cart."
        );
        assert_eq!(
            crate::tr!(Lang::De, "only-left", count = 3),
            "Nur noch 3 vorrätig; wir haben 3 in Ihren Warenkorb gelegt."
        );
    }
}
