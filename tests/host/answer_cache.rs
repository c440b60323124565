//! The writer's host keeps the writer's catalog answers until the database next changes
//! (`src/app/answer_cache.rs`): repeated reads are answered without running the writer, and
//! no read made after an acknowledged write ever shows the catalog from before it.

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

    let mut app = Arc::into_inner(app).expect("every shopper is done");
    support::send_signal(app.child.id(), "TERM");
    assert!(app.wait_for_exit().success());
    let log = app.stderr().join("\n");
    let line = log
        .lines()
        .find(|l| l.contains("answer cache: "))
        .unwrap_or_else(|| panic!("no answer cache line in {log}"));
    let hits: u64 = line
        .split("answer cache: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unreadable: {line}"));
    assert!(
        hits >= 2,
        "repeated reads were answered from the cache: {line}"
    );
}
