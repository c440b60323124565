//! Orders never oversell, move only through legal states with every transition
//! recorded, and unpaid reservations are released.

use crate::support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[test]
fn concurrent_orders_for_the_last_items_never_oversell() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start(dir.path());
    let slug = "kenya-nyeri-aa";
    let available = app.stock()[slug];
    assert!(
        available > 0 && available < 10,
        "demo stock of {slug} is low: {available}"
    );
    let clients = 24;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(clients));
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let barrier = barrier.clone();
                let app = &app;
                s.spawn(move || {
                    barrier.wait();
                    app.post_order(Some(&format!("race-{i}")), &support::order_body(slug, 1))
                        .status()
                        .as_u16()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won = statuses.iter().filter(|s| **s == 201).count();
    let refused = statuses.iter().filter(|s| **s == 409).count();
    assert_eq!(
        won as i64, available,
        "exactly the available number succeed: {statuses:?}"
    );
    assert_eq!(
        won + refused,
        clients,
        "the rest are refused as out of stock: {statuses:?}"
    );
    assert_eq!(app.stock()[slug], 0);
    drop(app);
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "orders"), available);
    let min: i64 = conn
        .query_row("SELECT min(stock) FROM variants", [], |r| r.get(0))
        .unwrap();
    assert!(min >= 0);
}

fn transition(app: &support::TestApp, number: &str, to: &str) -> reqwest::blocking::Response {
    support::client()
        .post(app.url(&format!("/orders/{number}/transitions")))
        .bearer_auth(support::TOKEN)
        .json(&json!({ "to": to }))
        .send()
        .unwrap()
}

/// Sends the writer a verified provider event, as the pages do after checking the
/// webhook signature; returns the writer's outcome.
fn provider_event(app: &support::TestApp, event_type: &str, order: &Value) -> Value {
    let number = order["number"].as_str().unwrap();
    let r = support::client()
        .post(app.url("/payments/events"))
        .bearer_auth(support::TOKEN)
        .json(&json!({
            "provider": "stripe",
            "event_id": format!("evt_{event_type}_{number}"),
            "event_type": event_type,
            "created": 1_800_000_000,
            "livemode": false,
            "intent_id": format!("pi_{}", number.replace('-', "")),
            "order_number": number,
            "amount": order["total"]["amount"],
            "currency": order["total"]["currency"],
            "payload": "{}",
        }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().unwrap()
}

fn stock_of(app: &support::TestApp, slug: &str) -> i64 {
    let p: Value = support::client()
        .get(app.url(&format!("/catalog/products/{slug}")))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    p["stock"].as_i64().unwrap()
}

#[test]
fn the_order_state_machine_records_every_transition() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_writer(dir.path());
    let slug = "french-press";
    let initial = stock_of(&app, slug);
    let place = |key: &str| -> Value {
        let r = app.place_on_writer(key, &support::order_body(slug, 2));
        assert_eq!(r.status(), 201);
        r.json().unwrap()
    };

    let shipped = place("sm-1");
    let number = shipped["number"].as_str().unwrap();
    // Money states come from the provider only, never from an admin command.
    let by_hand = transition(&app, number, "paid");
    assert_eq!(by_hand.status(), 409);
    assert_eq!(
        by_hand.json::<Value>().unwrap()["error"]["code"],
        "set_by_payment_events"
    );
    assert_eq!(
        transition(&app, number, "fulfilled").status(),
        409,
        "unpaid orders do not ship"
    );
    assert_eq!(
        provider_event(&app, "payment_intent.succeeded", &shipped)["order_state"],
        "paid"
    );
    let fulfilled: Value = transition(&app, number, "fulfilled").json().unwrap();
    assert_eq!(fulfilled["state"], "fulfilled");
    // A shipped order's goods are with the shopper: it is refunded, never cancelled.
    let conflict = transition(&app, number, "cancelled");
    assert_eq!(conflict.status(), 409, "shipped orders cannot be cancelled");
    assert_eq!(
        conflict.json::<Value>().unwrap()["error"]["code"],
        "illegal_transition"
    );
    assert_eq!(
        transition(&app, number, "fulfilled").status(),
        200,
        "a repeat is harmless"
    );
    let states: Vec<&str> = fulfilled["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["pending_payment", "paid", "fulfilled"]);
    assert!(
        fulfilled["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["at"].as_str().unwrap().ends_with('Z'))
    );
    // A refund of a shipped order (a return, a lost parcel) refunds the order.
    assert_eq!(
        provider_event(&app, "charge.refunded", &shipped)["order_state"],
        "refunded"
    );

    let refunded = place("sm-2");
    provider_event(&app, "payment_intent.succeeded", &refunded);
    assert_eq!(
        provider_event(&app, "charge.refunded", &refunded)["order_state"],
        "refunded"
    );

    let cancelled = place("sm-3");
    let number = cancelled["number"].as_str().unwrap();
    assert_eq!(stock_of(&app, slug), initial - 6);
    assert_eq!(transition(&app, number, "cancelled").status(), 200);
    assert_eq!(
        stock_of(&app, slug),
        initial - 4,
        "cancelling returns the reservation"
    );
    assert_eq!(
        provider_event(&app, "payment_intent.succeeded", &cancelled)["outcome"],
        "order_not_payable"
    );
    assert_eq!(
        transition(&app, "SF-0000-0000-0000", "cancelled").status(),
        404
    );

    drop(app);
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "order_events"), 4 + 3 + 2);
    let deleted = conn.execute("DELETE FROM orders", []);
    assert!(deleted.is_err(), "orders are never deleted");
    let rewritten = conn.execute("UPDATE order_events SET to_state = 'paid'", []);
    assert!(rewritten.is_err(), "events are append-only");
    drop(conn);
    // Money arrived for the cancelled order: the audit says so.
    let (ok, findings) = support::check(dir.path());
    assert!(!ok);
    assert!(findings.join("\n").contains(number), "{findings:?}");
}

#[test]
fn the_host_releases_reservations_of_unpaid_orders() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::up_command(dir.path());
    cmd.args(["--reservation-ttl", "1"]);
    let app = support::spawn(cmd, dir.path()).ready();
    let slug = "milk-jug";
    let before = app.stock()[slug];
    let placed: Value = app
        .post_order(Some("expire-1"), &support::order_body(slug, 2))
        .json()
        .unwrap();
    let number = placed["number"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let order = app.order(number);
        if order["state"] == "cancelled" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "reservation never released: {order}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(app.stock()[slug], before);
}

#[test]
fn the_shop_owner_lists_orders_newest_first_a_page_at_a_time() {
    const ADMIN: &str = support::ADMIN_TOKEN;
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_with_admin(dir.path());
    let numbers: Vec<String> = (0..3)
        .map(|i| {
            let r = app.post_order(
                Some(&format!("list-{i}")),
                &support::order_body("french-press", i + 1),
            );
            assert_eq!(r.status(), 201);
            r.json::<Value>().unwrap()["number"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let cancelled = app.admin().cancel(&numbers[1]);
    assert_eq!(cancelled.status(), 200);
    let list = |query: &str, token: Option<&str>| {
        let mut r = support::client().get(app.url(&format!("/admin/orders{query}")));
        if let Some(token) = token {
            r = r.bearer_auth(token);
        }
        let r = r.send().unwrap();
        (r.status().as_u16(), r.json::<Value>().unwrap())
    };
    let listed = |v: &Value| -> Vec<String> {
        v["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["number"].as_str().unwrap().to_string())
            .collect()
    };

    let (status, all) = list("", Some(ADMIN));
    assert_eq!(status, 200, "{all}");
    let newest_first: Vec<String> = numbers.iter().rev().cloned().collect();
    assert_eq!(listed(&all), newest_first);
    assert_eq!(all["next_before"], Value::Null);
    let newest = &all["orders"][0];
    assert_eq!(newest["state"], "pending_payment");
    assert_eq!(newest["units"], 3);
    assert_eq!(newest["email"], "ada@example.com");
    assert!(newest["total"]["amount"].as_i64().unwrap() > 0);

    let (_, cancelled) = list("?state=cancelled", Some(ADMIN));
    assert_eq!(listed(&cancelled), [numbers[1].clone()]);
    let (_, first_page) = list("?limit=2", Some(ADMIN));
    assert_eq!(listed(&first_page), newest_first[..2]);
    let next = first_page["next_before"].as_str().unwrap();
    assert_eq!(next, numbers[1]);
    let (_, second_page) = list(&format!("?limit=2&before={next}"), Some(ADMIN));
    assert_eq!(listed(&second_page), [numbers[0].clone()]);
    assert_eq!(second_page["next_before"], Value::Null);

    for (query, token, status) in [
        ("", None, 401),
        ("", Some("not-the-admin-token-0123"), 401),
        ("?state=shipped", Some(ADMIN), 422),
        ("?limit=0", Some(ADMIN), 422),
        ("?limit=1000", Some(ADMIN), 422),
        ("?stat=paid", Some(ADMIN), 422),
        ("?before=SF-ZZZZ-ZZZZ-ZZZZ", Some(ADMIN), 422),
    ] {
        let (got, body) = list(query, token);
        assert_eq!(got, status, "{query} {token:?}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
}
