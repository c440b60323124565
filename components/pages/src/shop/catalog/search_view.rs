//! The search page (`GET /search?q=`): the form, and ranked results with a note when only
//! a shorter form of the query matched. When more products match than the writer ranks
//! ([`MAX_CANDIDATES`]) the count reads "250+" and the pages stop at the ranked ones.

use super::view::cards;
use crate::http::paging::Window;
use crate::i18n::Lang;
use crate::layout::{Chrome, layout, pagination};
use crate::tr;
use maud::{Markup, html};
use storefront_domain::catalog::{MAX_CANDIDATES, MAX_QUERY, SearchResults};

fn form(lang: Lang, q: &str) -> Markup {
    html! {
        form.search.wide role="search" method="get" action="/search" {
            label for="q2" { span.visually-hidden { (tr!(lang, "search-label")) } }
            input #q2 type="search" name="q" value=(q) maxlength=(MAX_QUERY) required;
            button.primary type="submit" { (tr!(lang, "search-button")) }
        }
    }
}

/// No query yet.
pub fn empty(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        h1 { (tr!(lang, "search-title")) }
        p.muted { (tr!(lang, "search-hint")) }
        (form(lang, ""))
    };
    layout(chrome, &tr!(lang, "search-title"), content)
}

/// A query too long to run.
pub fn too_long(chrome: &Chrome) -> Markup {
    let lang = chrome.lang;
    let content = html! {
        h1 { (tr!(lang, "search-title")) }
        p.flash.error { (tr!(lang, "search-too-long", max = MAX_QUERY)) }
        (form(lang, ""))
    };
    layout(chrome, &tr!(lang, "search-title"), content)
}

pub fn results(chrome: &Chrome, results: &SearchResults, window: Window, csrf: &str) -> Markup {
    let total = results.products.total;
    let q = &results.query;
    let lang = chrome.lang;
    let content = html! {
        h1 { (tr!(lang, "search-title")) }
        (form(lang, q))
        @if total == 0 {
            p.muted { (tr!(lang, "search-nothing", query = q.as_str())) }
        } @else {
            @if results.matched != results.query {
                p.flash.info role="status" {
                    (tr!(lang, "search-instead", query = q.as_str(), value = results.matched.as_str()))
                }
            }
            @if results.products.more {
                p.muted {
                    (tr!(lang, "search-many", count = lang.number(u64::from(MAX_CANDIDATES))))
                }
            } @else {
                p.muted { (tr!(lang, "search-found", count = total)) }
            }
            (cards(lang, &results.products.products, csrf))
            (pagination(lang, window.page_number(), window.pages(total), |n| {
                form_urlencoded::Serializer::new(String::from("/search?"))
                    .append_pair("q", q)
                    .append_pair("page", &n.to_string())
                    .finish()
            }))
        }
    };
    // Each page of results is its own canonical address.
    let mut chrome = chrome.clone();
    let mut own = form_urlencoded::Serializer::new(String::new());
    own.append_pair("q", q);
    if window.page_number() > 1 {
        own.append_pair("page", &window.page_number().to_string());
    }
    chrome.meta.path = format!("/search?{}", own.finish());
    layout(&chrome, &tr!(lang, "search-title"), content)
}
