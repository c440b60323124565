//! The writer's host keeps the writer's catalog answers until the database next changes
//! (`src/app/answer_cache.rs`): repeated reads are answered without running the writer, and
//! no read made after an acknowledged write ever shows the catalog from before it;
//! statements that change nothing (the outbox dispatcher's claim every 2 s when nothing is
//! due) keep the answers, and concurrent misses for one answer run the component once
//! (shown with the conformance probe's slow answer, a run the test knows to last).

use crate::support;

use serde_json::{Value, json};
use std::sync::Arc;

const SLUG: &str = "paper-filters-02";

fn product(app: &support::TestApp) -> Value {
    let r = support::client()
        .get(app.url(&format!("/api/products/{SLUG}")))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

#[test]
fn catalog_answers_are_reused_until_a_write_and_never_outlive_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(support::start_with_admin(dir.path()));
    let initial = product(&app)["stock"].as_i64().unwrap();
    let list = |app: &support::TestApp| {
        support::client()
            .get(app.url("/api/products?limit=100"))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    assert_eq!(list(&app), list(&app), "nothing changed in between");

    // Four shoppers order one unit at a time; each reads the product right after its
    // order is acknowledged and must see at least its own orders taken off the shelf.
    const SHOPPERS: i64 = 4;
    const ORDERS: i64 = 6;
    let threads: Vec<_> = (0..SHOPPERS)
        .map(|s| {
            let app = app.clone();
            std::thread::spawn(move || {
                for n in 1..=ORDERS {
                    let key = format!("cache-shopper-{s}-order-{n}");
                    let r = app.post_order(Some(&key), &support::order_body(SLUG, 1));
                    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
                    let seen = product(&app)["stock"].as_i64().unwrap();
                    assert!(
                        seen <= initial - n,
                        "shopper {s} read stock {seen} after its order {n} of {initial}"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(product(&app)["stock"], initial - SHOPPERS * ORDERS);

    // An owner's price change shows in the very next read, and again in the one after.
    let before = product(&app);
    let r = support::client()
        .post(app.url(&format!("/admin/catalog/variants/{SLUG}")))
        .bearer_auth(support::ADMIN_TOKEN)
        .header("idempotency-key", "cache-price-change")
        .json(&json!({"price": {"amount": 777, "currency": "EUR"}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    assert_ne!(before["price"]["amount"], 777);
    assert_eq!(product(&app)["price"]["amount"], 777);
    assert_eq!(product(&app)["price"]["amount"], 777);

    let app = Arc::into_inner(app).expect("every shopper is done");
    let numbers = cache_numbers(app);
    assert!(
        numbers[0] >= 2,
        "repeated reads were answered from the cache: {numbers:?}"
    );
}

/// The shutdown line's numbers: hits, kept answers, waits for another's run, runs.
fn cache_numbers(mut app: support::TestApp) -> Vec<u64> {
    support::send_signal(app.child.id(), "TERM");
    assert!(app.wait_for_exit().success());
    let log = app.stderr().join("\n");
    let line = log
        .lines()
        .find(|l| l.contains("answer cache: "))
        .unwrap_or_else(|| panic!("no answer cache line in {log}"))
        .to_string();
    line.split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap())
        .collect()
}

#[test]
fn claims_that_find_nothing_due_keep_the_answers_and_an_order_empties_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let list = |app: &support::TestApp| -> Value {
        support::client()
            .get(app.url("/api/products?limit=100"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let stock = |list: &Value| {
        list["products"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["slug"] == SLUG)
            .map(|p| p["stock"].as_i64().unwrap())
            .unwrap()
    };
    let first = list(&app);
    // The dispatcher claims every 2 s; with nothing due, its claims change no row.
    std::thread::sleep(std::time::Duration::from_millis(4_500));
    assert_eq!(list(&app), first);

    // An order for the product takes its stock off the list at once.
    let r = app.post_order(Some("cache-order-1"), &support::order_body(SLUG, 2));
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    assert_eq!(stock(&list(&app)), stock(&first) - 2);

    let numbers = cache_numbers(app);
    assert!(
        numbers[0] >= 1,
        "the read after the claims was a hit: {numbers:?}"
    );
}

#[test]
fn concurrent_misses_for_one_answer_run_the_component_once() {
    // The conformance probe's `GET /probe/slow?ms=` is a run the test knows to last: the
    // first request of the burst runs it for RUN_MS, the others arrive meanwhile.
    const READERS: usize = 16;
    const RUN_MS: u64 = 1_500;
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(crate::conformance::start_storefront(dir.path()));
    let barrier = Arc::new(std::sync::Barrier::new(READERS));
    let threads: Vec<_> = (0..READERS)
        .map(|i| {
            let (app, barrier) = (app.clone(), barrier.clone());
            std::thread::spawn(move || {
                // A connection each, opened by a read nobody keeps, so the burst below
                // arrives at once.
                let client = support::client();
                let warm = client
                    .get(app.url(&format!("/probe/warm-{i}")))
                    .send()
                    .unwrap();
                assert_eq!(warm.status(), 200);
                barrier.wait();
                let sent = std::time::Instant::now();
                let r = client
                    .get(app.url(&format!("/probe/slow?ms={RUN_MS}")))
                    .send()
                    .unwrap();
                let answered = std::time::Instant::now();
                assert_eq!(r.status(), 200);
                (r.text().unwrap(), sent, answered)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let bodies: Vec<&String> = results.iter().map(|(body, _, _)| body).collect();
    assert!(bodies.iter().all(|b| *b == bodies[0]), "one answer for all");
    // Every request was sent before the first answer came, so while the one run was going.
    let last_sent = results.iter().map(|r| r.1).max().unwrap();
    let first_answered = results.iter().map(|r| r.2).min().unwrap();
    assert!(
        last_sent < first_answered,
        "the burst was sent within the run"
    );
    let app = Arc::into_inner(app).expect("every reader is done");
    let numbers = cache_numbers(app);
    // [hits, kept, waited, runs]: one reader ran the component; every other was answered
    // with the bytes it kept, after waiting for that run (they missed at once).
    assert_eq!(
        numbers[0],
        READERS as u64 - 1,
        "one run for the burst: {numbers:?}"
    );
    assert!(
        numbers[2] >= 1,
        "concurrent misses waited for one run: {numbers:?}"
    );
}

/// A writer's catalog read with `If-None-Match`, as the pages send it.
fn writer_read(
    writer: &support::TestApp,
    token: &str,
    tag: Option<&str>,
) -> reqwest::blocking::Response {
    let mut request = support::client()
        .get(writer.url("/catalog/products?limit=100&fields=tile"))
        .bearer_auth(token);
    if let Some(tag) = tag {
        request = request.header("if-none-match", tag);
    }
    request.send().unwrap()
}

fn etag(r: &reqwest::blocking::Response) -> String {
    r.headers()
        .get("etag")
        .unwrap_or_else(|| panic!("a kept answer carries an ETag: {:?}", r.headers()))
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_kept_answer_is_not_sent_again_to_whoever_names_its_tag_until_the_catalog_changes() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let first = writer_read(&writer, support::TOKEN, None);
    assert_eq!(first.status(), 200);
    let tag = etag(&first);
    let body = first.text().unwrap();

    // Naming the tag: 304, the same tag, no body.
    let again = writer_read(&writer, support::TOKEN, Some(&tag));
    assert_eq!(again.status(), 304);
    assert_eq!(etag(&again), tag);
    assert_eq!(again.text().unwrap(), "");
    // Another tag: the whole answer, unchanged.
    let other = writer_read(&writer, support::TOKEN, Some("\"not-this-one\""));
    assert_eq!(other.status(), 200);
    assert_eq!(other.text().unwrap(), body);
    // The tag opens nothing for a caller without the token.
    let stranger = writer_read(&writer, "not-the-token-0123456789", Some(&tag));
    assert_eq!(stranger.status(), 401);

    // An order takes stock off the list: the old tag now gets the new list.
    let r = support::client()
        .post(writer.url("/orders"))
        .bearer_auth(support::TOKEN)
        .header("idempotency-key", "etag-order-1")
        .json(&support::order_body(SLUG, 2))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    let changed = writer_read(&writer, support::TOKEN, Some(&tag));
    assert_eq!(changed.status(), 200);
    let new_tag = etag(&changed);
    assert_ne!(new_tag, tag);
    assert_ne!(changed.text().unwrap(), body);
    assert_eq!(
        writer_read(&writer, support::TOKEN, Some(&new_tag)).status(),
        304
    );

    // A restarted writer starts its counts again; its tags never match its predecessor's.
    assert!(writer.stop().success());
    let writer = support::start_writer(dir.path());
    let after_restart = writer_read(&writer, support::TOKEN, None);
    assert_eq!(after_restart.status(), 200);
    assert_ne!(etag(&after_restart), new_tag);
    assert_eq!(
        writer_read(&writer, support::TOKEN, Some(&new_tag)).status(),
        200
    );
}

/// Four shop front pages; an owner's price change of `SLUG` to 7.77 through `change`;
/// two more pages, which must show it.
fn price_change_shows_on_the_next_page(shop: &support::TestApp, change: impl FnOnce()) {
    let home = || {
        let r = support::client().get(shop.url("/")).send().unwrap();
        assert_eq!(r.status(), 200);
        r.text().unwrap()
    };
    let first = home();
    assert!(!first.contains("€7.77"), "the price is not 7.77 yet");
    for _ in 0..3 {
        let again = home();
        assert_eq!(again, first.replace(&csrf_of(&first), &csrf_of(&again)));
    }
    change();
    assert!(
        home().contains("€7.77"),
        "the next page shows the new price"
    );
    assert!(home().contains("€7.77"));
}

/// A page's form token (each fresh visitor has their own).
fn csrf_of(page: &str) -> String {
    support::hidden_field(page, "csrf")
}

fn change_price(url: String, token: &str) {
    let r = support::client()
        .post(url)
        .bearer_auth(token)
        .header("idempotency-key", "kept-price-change")
        .json(&json!({"price": {"amount": 777, "currency": "EUR"}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
}

#[test]
fn the_pages_keep_their_catalog_reads_yet_show_a_price_change_on_the_next_page() {
    // Pages kept between requests revalidate their copy with its tag: unchanged, it is
    // answered 304 and not sent again.
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    price_change_shows_on_the_next_page(&app, || {
        change_price(
            app.url(&format!("/admin/catalog/variants/{SLUG}")),
            support::ADMIN_TOKEN,
        )
    });
    let numbers = cache_numbers(app);
    assert!(
        numbers[4] >= 3,
        "the unchanged reads were answered 304: {numbers:?}"
    );
}

#[test]
fn a_pages_process_apart_from_the_writer_revalidates_what_it_kept_with_each_use() {
    // `storefront pages` beside a standalone writer: every use asks again with the tag,
    // an unchanged read is answered 304 without a body, a change shows on the next page.
    let dir = tempfile::tempdir().unwrap();
    let writer = support::start_writer(dir.path());
    let pages = support::spawn(support::pages_command(&writer.base_url), dir.path()).ready();
    price_change_shows_on_the_next_page(&pages, || {
        change_price(
            writer.url(&format!("/admin/catalog/variants/{SLUG}")),
            support::TOKEN,
        )
    });
    drop(pages);
    let numbers = cache_numbers(writer);
    assert!(
        numbers[4] >= 3,
        "the unchanged reads were answered 304: {numbers:?}"
    );
}
