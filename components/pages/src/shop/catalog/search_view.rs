//! The search page (`GET /search?q=`): the form, and ranked results with a note when only
//! a shorter form of the query matched. When more products match than the writer ranks
//! ([`MAX_CANDIDATES`]) the count reads "250+" and the pages stop at the ranked ones.

use super::view::cards;
use crate::http::paging::Window;
use crate::layout::{Chrome, layout, pagination};
use maud::{Markup, html};
use storefront_domain::catalog::{MAX_CANDIDATES, MAX_QUERY, SearchResults};
use storefront_domain::decimal::thousands;

fn form(q: &str) -> Markup {
    html! {
        form.search.wide role="search" method="get" action="/search" {
            label for="q2" { span.visually-hidden { "Search the shop" } }
            input #q2 type="search" name="q" value=(q) maxlength=(MAX_QUERY) required;
            button.primary type="submit" { "Search" }
        }
    }
}

/// No query yet.
pub fn empty(chrome: &Chrome) -> Markup {
    let content = html! {
        h1 { "Search" }
        p.muted { "Type a product name, a kind of coffee or a SKU." }
        (form(""))
    };
    layout(chrome, "Search", content)
}

/// A query too long to run.
pub fn too_long(chrome: &Chrome) -> Markup {
    let content = html! {
        h1 { "Search" }
        p.flash.error { "That search is too long: please use at most " (MAX_QUERY) " characters." }
        (form(""))
    };
    layout(chrome, "Search", content)
}

pub fn results(chrome: &Chrome, results: &SearchResults, window: Window, csrf: &str) -> Markup {
    let total = results.products.total;
    let q = &results.query;
    let content = html! {
        h1 { "Search" }
        (form(q))
        @if total == 0 {
            p.muted { "Nothing matches “" (q) "”. Try fewer or shorter words." }
        } @else {
            @if results.matched != results.query {
                p.flash.info role="status" {
                    "Nothing matches “" (q) "”; showing results for “" (results.matched) "”."
                }
            }
            @if results.products.more {
                p.muted {
                    (thousands(u64::from(MAX_CANDIDATES))) "+ products found: add a word to narrow them down."
                }
            } @else {
                p.muted { (total) @if total == 1 { " product" } @else { " products" } " found." }
            }
            (cards(&results.products.products, csrf))
            (pagination(window.page_number(), window.pages(total), |n| {
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
    layout(&chrome, "Search", content)
}
