//! Catalog pages that cost one page at any depth (issue 27): the counts the database keeps
//! (a collection's products, the catalog's) stay right through every change, and following
//! `next` visits every product exactly once while products are being added; a broad search
//! ranks a bounded number of matches.

use crate::support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use storefront_domain::catalog::MAX_CANDIDATES;
use storefront_domain::decimal::thousands;

/// An owner's catalog command through the pages (bearer token, idempotency key).
fn command(app: &support::TestApp, path: &str, key: &str, body: &Value) {
    let r = support::client()
        .post(app.url(path))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.text().unwrap());
}

/// An owner's command without a body (archive, restore, remove).
fn action(app: &support::TestApp, path: &str, key: &str) {
    let r = support::client()
        .post(app.url(path))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", key)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.text().unwrap());
}

/// A product without options, in `collections`.
fn new_product(app: &support::TestApp, slug: &str, collections: &[&str]) {
    command(
        app,
        "/admin/catalog/products",
        &format!("create-{slug}"),
        &json!({
            "slug": slug,
            "name": format!("Test product {slug}"),
            "variants": [{"sku": slug, "price": {"amount": 990, "currency": "EUR"}, "stock": 5}],
            "collections": collections,
        }),
    );
}

/// `everything`'s count and the catalog's total as the API shows them.
fn counts(app: &support::TestApp) -> (Value, Value) {
    let collections = app.json("/api/collections");
    let everything = collections["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "everything")
        .map(|c| c["product_count"].clone())
        .unwrap();
    (
        everything,
        app.json("/api/products?limit=1")["total"].clone(),
    )
}

#[test]
fn kept_counts_follow_archive_restore_and_membership_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let live = app.json("/api/products?limit=1")["total"].as_u64().unwrap();
    command(
        &app,
        "/admin/catalog/collections",
        "c-1",
        &json!({"slug": "everything", "name": "Everything"}),
    );
    assert_eq!(counts(&app), (json!(0), json!(live)));
    new_product(&app, "count-a", &["everything"]);
    new_product(&app, "count-b", &["everything"]);
    new_product(&app, "count-c", &[]);
    assert_eq!(counts(&app), (json!(2), json!(live + 3)));
    command(
        &app,
        "/admin/catalog/collections/everything/products",
        "m-1",
        &json!({"product": "count-c"}),
    );
    assert_eq!(counts(&app), (json!(3), json!(live + 3)));

    // Archived: out of both counts ; restored: back.
    action(&app, "/admin/catalog/products/count-a/archive", "a-1");
    assert_eq!(counts(&app), (json!(2), json!(live + 2)));
    action(&app, "/admin/catalog/products/count-a/restore", "r-1");
    assert_eq!(counts(&app), (json!(3), json!(live + 3)));

    // Taken out of the collection, archived while out, put back archived, restored.
    action(
        &app,
        "/admin/catalog/collections/everything/products/count-b/remove",
        "rm-1",
    );
    assert_eq!(counts(&app), (json!(2), json!(live + 3)));
    action(&app, "/admin/catalog/products/count-b/archive", "a-2");
    command(
        &app,
        "/admin/catalog/collections/everything/products",
        "m-2",
        &json!({"product": "count-b"}),
    );
    assert_eq!(counts(&app), (json!(2), json!(live + 2)));
    action(&app, "/admin/catalog/products/count-b/restore", "r-2");
    assert_eq!(counts(&app), (json!(3), json!(live + 3)));

    // What the shop shows agrees with a count of what it lists.
    let page = app.json("/api/collections/everything?limit=100");
    assert_eq!(page["products"]["products"].as_array().unwrap().len(), 3);
    assert_eq!(page["products"]["total"], 3);
}

/// Every slug of the catalog by following `next` from the first page of `limit`, while
/// `during` runs after each page.
fn follow_next(app: &support::TestApp, first: &str, mut during: impl FnMut(usize)) -> Vec<String> {
    let mut seen = Vec::new();
    let mut path = first.to_string();
    for page in 0.. {
        let list = app.json(&path);
        let list = if list.get("collection").is_some() {
            &list["products"]
        } else {
            &list
        };
        for p in list["products"].as_array().unwrap() {
            seen.push(p["slug"].as_str().unwrap().to_string());
        }
        during(page);
        match list["next"].as_str() {
            Some(next) => {
                let base = first.split('?').next().unwrap();
                path = format!("{base}?limit=5&after={next}");
            }
            None => break,
        }
    }
    seen
}

#[test]
fn following_next_sees_every_product_once_while_products_are_added() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    command(
        &app,
        "/admin/catalog/collections",
        "c-1",
        &json!({"slug": "everything", "name": "Everything"}),
    );
    let before: Vec<String> = app.json("/api/products?limit=100")["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_string())
        .collect();
    for (i, slug) in before.iter().enumerate() {
        command(
            &app,
            "/admin/catalog/collections/everything/products",
            &format!("m-{i}"),
            &json!({"product": slug}),
        );
    }

    for first in [
        "/api/products?limit=5",
        "/api/collections/everything?limit=5",
    ] {
        // Between pages, a product is added (to the catalog, and to the collection).
        let tag = first.len();
        let seen = follow_next(&app, first, |page| {
            new_product(&app, &format!("added-{tag}-{page}"), &["everything"]);
        });
        let mut times: BTreeMap<&str, usize> = BTreeMap::new();
        for slug in &seen {
            *times.entry(slug).or_default() += 1;
        }
        for slug in &before {
            assert_eq!(
                times.get(slug.as_str()),
                Some(&1),
                "{first}: {slug} in {seen:?}"
            );
        }
        assert!(
            times.values().all(|&n| n == 1),
            "{first}: repeated in {seen:?}"
        );
    }

    // A cursor the shop did not make is refused at the field, in the API and the pages.
    for bad in [
        "/api/products?after=zz",
        "/api/products?after=00",
        "/?after=nothex",
    ] {
        let r = support::client().get(app.url(bad)).send().unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        if bad.starts_with("/api") {
            let body: Value = r.json().unwrap();
            assert_eq!(body["error"]["fields"][0]["field"], "after", "{body}");
        }
    }
    // The shop's pages link "Next" by cursor, and the pages it leads to list the rest.
    let shopper = app.shopper();
    let mut html = shopper.page("/collections/everything");
    let mut listed = 0;
    loop {
        listed += html.matches("<li class=\"card\"").count();
        let Some(at) = html.find("rel=\"next\" href=\"") else {
            break;
        };
        let rest = &html[at + "rel=\"next\" href=\"".len()..];
        let href = &rest[..rest.find('"').unwrap()];
        assert!(href.starts_with("/collections/everything?after="), "{href}");
        html = shopper.page(&href.replace("&amp;", "&"));
    }
    let total = app.json("/api/collections/everything?limit=1")["products"]["total"].clone();
    assert_eq!(json!(listed), total);
}

#[test]
fn a_broad_search_ranks_a_bounded_number_of_matches_and_says_there_are_more() {
    // One product more than a search ranks, all matching one word.
    let dir = tempfile::tempdir().unwrap();
    let app = std::sync::Arc::new(support::start_with_admin(dir.path()));
    let candidates = MAX_CANDIDATES as usize;
    const THREADS: usize = 4;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let app = app.clone();
            std::thread::spawn(move || {
                for i in (t..=candidates).step_by(THREADS) {
                    new_product(&app, &format!("zebra-{i}"), &[]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let found = app.json("/api/search?q=zebra&limit=100");
    assert_eq!(found["products"]["total"], json!(candidates), "{found}");
    assert_eq!(found["products"]["more"], json!(true));
    assert_eq!(found["products"]["products"].as_array().unwrap().len(), 100);
    let html = app.shopper().page("/search?q=zebra");
    assert!(
        html.contains(&format!(
            "{}+ products found",
            thousands(u64::from(MAX_CANDIDATES))
        )),
        "{html}"
    );
    // Fewer matches than that: every one is counted and nothing more is claimed.
    let few = app.json("/api/search?q=zebra-7");
    assert!(few["products"]["total"].as_u64().unwrap() < u64::from(MAX_CANDIDATES));
    assert_ne!(few["products"]["more"], json!(true), "{few}");
}

#[test]
fn a_search_ranks_names_with_every_word_then_some_then_the_rest_in_the_shops_order() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    // Created in this order, so the shop's own order (position) is the reverse of the
    // ranking the search must give.
    for (slug, name, description) in [
        (
            "only-described",
            "Plain mug",
            "Zephyr orchid zephyr orchid zephyr orchid.",
        ),
        ("one-word-named", "Zephyr tea", "With a hint of orchid."),
        ("both-words-named", "Zephyr orchid blend", "A tea."),
    ] {
        command(
            &app,
            "/admin/catalog/products",
            &format!("create-{slug}"),
            &json!({
                "slug": slug,
                "name": name,
                "description": description,
                "variants": [{"sku": slug, "price": {"amount": 990, "currency": "EUR"}, "stock": 5}],
            }),
        );
    }
    let slugs = |q: &str| -> Vec<String> {
        app.json(&format!("/api/search?q={q}"))["products"]["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        slugs("zeph%20orch"),
        ["both-words-named", "one-word-named", "only-described"]
    );
    // One word: every name holding it ranks above the description, then the shop's order.
    assert_eq!(
        slugs("zephyr"),
        ["one-word-named", "both-words-named", "only-described"]
    );
}
