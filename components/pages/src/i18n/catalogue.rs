//! The message catalogue: one Fluent bundle per language and file, built from the `.ftl`
//! files under `components/pages/locales/{en,de}/` that are embedded at compile time,
//! each parsed once per instance when a message is first looked for in it. A lookup
//! tries the files in [`FILES`] order, so the catalog pages (whose words are all in
//! `shop.ftl`) parse that file only, the checkout `shop.ftl` and `checkout.ftl`, and a
//! page that shows no message parses none (a Spin instance serves one request, so this
//! is paid per request: keep the words a page needs early in the list).
//!
//! A message missing in a language (which the unit test below forbids) is taken from
//! English, and a message missing everywhere shows its id, so a page never fails for
//! a word.

use crate::i18n::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::sync::OnceLock;

/// The catalogue's files: (file name, English text, German text).
const FILES: &[(&str, &str, &str)] = &[
    (
        "shop.ftl",
        include_str!("../../locales/en/shop.ftl"),
        include_str!("../../locales/de/shop.ftl"),
    ),
    (
        "checkout.ftl",
        include_str!("../../locales/en/checkout.ftl"),
        include_str!("../../locales/de/checkout.ftl"),
    ),
    (
        "orders.ftl",
        include_str!("../../locales/en/orders.ftl"),
        include_str!("../../locales/de/orders.ftl"),
    ),
    (
        "account.ftl",
        include_str!("../../locales/en/account.ftl"),
        include_str!("../../locales/de/account.ftl"),
    ),
    (
        "emails.ftl",
        include_str!("../../locales/en/emails.ftl"),
        include_str!("../../locales/de/emails.ftl"),
    ),
    // Last: read only through [`country`], by the pages that show a country.
    (
        "countries.ftl",
        include_str!("../../locales/en/countries.ftl"),
        include_str!("../../locales/de/countries.ftl"),
    ),
];

/// Where [`FILES`] has the country names.
const COUNTRIES: usize = FILES.len() - 1;

type Bundle = FluentBundle<FluentResource>;

#[cfg(test)]
fn sources(lang: Lang) -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().map(move |(name, en, de)| match lang {
        Lang::En => (*name, *en),
        Lang::De => (*name, *de),
    })
}

/// The bundle of file `name`'s `text` in `lang`.
fn build(lang: Lang, name: &str, text: &str) -> Bundle {
    let id = lang
        .code()
        .parse()
        .expect("every Lang code is a language identifier");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // The pages are HTML with `lang` set; Unicode isolation marks would only show up in
    // emails' plain text and in tests.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(text.to_string()).unwrap_or_else(|(r, errors)| {
        eprintln!("locales/{}/{name}: {errors:?}", lang.code());
        r
    });
    if let Err(errors) = bundle.add_resource(resource) {
        eprintln!("locales/{}/{name}: {errors:?}", lang.code());
    }
    bundle
}

/// The bundle of `lang` for file `i` of [`FILES`], parsed when first asked for.
fn bundle_at(lang: Lang, i: usize) -> &'static Bundle {
    static EN: [OnceLock<Bundle>; FILES.len()] = [const { OnceLock::new() }; FILES.len()];
    static DE: [OnceLock<Bundle>; FILES.len()] = [const { OnceLock::new() }; FILES.len()];
    let (name, en, de) = FILES[i];
    match lang {
        Lang::En => EN[i].get_or_init(|| build(lang, name, en)),
        Lang::De => DE[i].get_or_init(|| build(lang, name, de)),
    }
}

/// The bundles of `lang`, one per file, each parsed when first asked for.
fn bundles(lang: Lang) -> impl Iterator<Item = &'static Bundle> {
    (0..FILES.len()).map(move |i| bundle_at(lang, i))
}

/// The bundle of `lang` that holds message `id`.
fn bundle_with(lang: Lang, id: &str) -> Option<&'static Bundle> {
    bundles(lang).find(|b| b.has_message(id))
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    format_in(bundle_with(lang, id)?, lang, id, args)
}

fn format_in(
    bundle: &Bundle,
    lang: Lang,
    id: &str,
    args: Option<&FluentArgs<'_>>,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        eprintln!("message {id} in {}: {errors:?}", lang.code());
    }
    Some(text.into_owned())
}

/// The name of the country with ISO 3166-1 code `code` in `lang` (English if `lang` lacks
/// it), `None` for a code the catalogue does not have. Only the country file is parsed.
pub fn country(lang: Lang, code: &str) -> Option<String> {
    let id = format!("country-{code}");
    format_in(bundle_at(lang, COUNTRIES), lang, &id, None)
        .or_else(|| format_in(bundle_at(Lang::En, COUNTRIES), Lang::En, &id, None))
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
            for id in &theirs {
                let bundle = bundle_with(lang, id).unwrap();
                let pattern = bundle.get_message(id).and_then(|m| m.value());
                let pattern = pattern.unwrap_or_else(|| panic!("{id} has no value"));
                // Every variable a message may use, with a value of each kind.
                let mut args = FluentArgs::new();
                for name in [
                    "count", "name", "number", "amount", "total", "shop", "email", "minutes",
                    "date", "max", "min", "code", "carrier", "tracking", "left", "language",
                    "value", "reason", "field", "page", "pages", "query", "days", "bought",
                ] {
                    if name == "count" || name == "left" || name == "page" || name == "pages" {
                        args.set(name, 2);
                    } else {
                        args.set(name, "x");
                    }
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{id} in {}: {errors:?}", lang.code());
                assert!(!text.trim().is_empty(), "{id} in {} is empty", lang.code());
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
