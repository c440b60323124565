//! Orders never oversell, move only through legal states with every transition
//! recorded, and unpaid reservations are released.

mod common;

use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[test]
fn concurrent_orders_for_the_last_items_never_oversell() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start(dir.path());
    let slug = "kenya-nyeri-aa";
    let available = common::stock(&app)[slug];
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
                    common::api_order(
                        app,
                        Some(&format!("race-{i}")),
                        &common::order_body(slug, 1),
                    )
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
    assert_eq!(common::stock(&app)[slug], 0);
    drop(app);
    let conn = common::open_db(dir.path());
    assert_eq!(common::count(&conn, "orders"), available);
    let min: i64 = conn
        .query_row("SELECT min(stock) FROM products", [], |r| r.get(0))
        .unwrap();
    assert!(min >= 0);
}

fn transition(app: &common::TestApp, number: &str, to: &str) -> reqwest::blocking::Response {
    common::client()
        .post(app.url(&format!("/orders/{number}/transitions")))
        .bearer_auth(common::TOKEN)
        .json(&json!({ "to": to }))
        .send()
        .unwrap()
}

/// Sends the writer a verified provider event, as the pages do after checking the
/// webhook signature; returns the writer's outcome.
fn provider_event(app: &common::TestApp, event_type: &str, order: &Value) -> Value {
    let number = order["number"].as_str().unwrap();
    let r = common::client()
        .post(app.url("/payments/events"))
        .bearer_auth(common::TOKEN)
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

fn stock_of(app: &common::TestApp, slug: &str) -> i64 {
    let p: Value = common::client()
        .get(app.url(&format!("/catalog/products/{slug}")))
        .bearer_auth(common::TOKEN)
        .send()
        .unwrap()
        .json()
        .unwrap();
    p["stock"].as_i64().unwrap()
}

#[test]
fn the_order_state_machine_records_every_transition() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start_writer(dir.path());
    let slug = "french-press";
    let initial = stock_of(&app, slug);
    let place = |key: &str| -> Value {
        let r = common::writer_order(&app, key, &common::order_body(slug, 2));
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
    let conflict = transition(&app, number, "cancelled");
    assert_eq!(conflict.status(), 409, "paid orders cannot be cancelled");
    assert_eq!(
        conflict.json::<Value>().unwrap()["error"]["code"],
        "illegal_transition"
    );
    let fulfilled: Value = transition(&app, number, "fulfilled").json().unwrap();
    assert_eq!(fulfilled["state"], "fulfilled");
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
    // A refund of a shipped order returns the money; the order stays fulfilled (final).
    assert_eq!(
        provider_event(&app, "charge.refunded", &shipped)["order_state"],
        "fulfilled"
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
    let conn = common::open_db(dir.path());
    assert_eq!(common::count(&conn, "order_events"), 3 + 3 + 2);
    let deleted = conn.execute("DELETE FROM orders", []);
    assert!(deleted.is_err(), "orders are never deleted");
    let rewritten = conn.execute("UPDATE order_events SET to_state = 'paid'", []);
    assert!(rewritten.is_err(), "events are append-only");
    drop(conn);
    // Money arrived for the cancelled order: the audit says so.
    let (ok, findings) = common::check(dir.path());
    assert!(!ok);
    assert!(findings.join("\n").contains(number), "{findings:?}");
}

#[test]
fn the_host_releases_reservations_of_unpaid_orders() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::up_command(dir.path());
    cmd.args(["--reservation-ttl", "1"]);
    let app = match common::spawn(cmd, dir.path()) {
        common::Started::Ready(app) => app,
        common::Started::Exited { stderr, .. } => panic!("{stderr:?}"),
    };
    let slug = "milk-jug";
    let before = common::stock(&app)[slug];
    let placed: Value = common::api_order(&app, Some("expire-1"), &common::order_body(slug, 2))
        .json()
        .unwrap();
    let number = placed["number"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let order = common::order_json(&app, number);
        if order["state"] == "cancelled" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "reservation never released: {order}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(common::stock(&app)[slug], before);
}
