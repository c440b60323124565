//! The shop owner restocks a sold-out product and takes broken stock away: every change is
//! one idempotent command with a reason on record, stock never goes below zero, and bad
//! input of every kind changes nothing.

use crate::support;

use crate::support::{ADMIN_TOKEN as ADMIN, TestApp, start_with_admin as start};
use serde_json::{Value, json};
use std::path::Path;

/// Sold out in the demo catalog.
const MUG: &str = "stoneware-mug";

fn adjust(
    app: &TestApp,
    slug: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: &str,
) -> reqwest::blocking::Response {
    let mut r = support::client()
        .post(app.url(&format!("/admin/products/{slug}/stock")))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        r = r.bearer_auth(token);
    }
    if let Some(key) = key {
        r = r.header("idempotency-key", key);
    }
    r.send().unwrap()
}

fn adjustments(dir: &Path) -> i64 {
    support::count(&support::open_db(dir), "stock_adjustments")
}

#[test]
fn a_sold_out_product_is_restocked_once_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    assert_eq!(app.stock()[MUG], 0);
    let sold_out = app.post_order(Some("mug-1"), &support::order_body(MUG, 1));
    assert_eq!(sold_out.status(), 409);

    let delivery = json!({"delta": 5, "reason": " delivery from the potter "}).to_string();
    let restocked = adjust(&app, MUG, Some(ADMIN), Some("restock-1"), &delivery);
    assert_eq!(restocked.status(), 201);
    let restocked: Value = restocked.json().unwrap();
    assert_eq!(restocked["slug"], MUG);
    assert_eq!(restocked["delta"], 5);
    assert_eq!(restocked["reason"], "delivery from the potter");
    assert_eq!(restocked["stock"], 5);
    assert_eq!(app.stock()[MUG], 5);

    // The admin's retry (a lost answer, a double click) is answered, not applied again.
    let retried = adjust(&app, MUG, Some(ADMIN), Some("restock-1"), &delivery);
    assert_eq!(retried.status(), 201);
    assert_eq!(retried.headers()["idempotent-replayed"], "true");
    assert_eq!(retried.json::<Value>().unwrap(), restocked);
    assert_eq!(app.stock()[MUG], 5);
    let reused = adjust(
        &app,
        MUG,
        Some(ADMIN),
        Some("restock-1"),
        &json!({"delta": 50, "reason": "delivery"}).to_string(),
    );
    assert_eq!(reused.status(), 422);
    assert_eq!(
        reused.json::<Value>().unwrap()["error"]["code"],
        "idempotency_key_reused"
    );

    // Shoppers can buy it again; stock taken away never goes below what is left.
    let bought = app.post_order(Some("mug-2"), &support::order_body(MUG, 2));
    assert_eq!(bought.status(), 201);
    let too_many = adjust(
        &app,
        MUG,
        Some(ADMIN),
        Some("broken-1"),
        &json!({"delta": -4, "reason": "four broken"}).to_string(),
    );
    assert_eq!(too_many.status(), 409);
    let too_many: Value = too_many.json().unwrap();
    assert_eq!(too_many["error"]["code"], "insufficient_stock");
    assert!(
        too_many["error"]["message"]
            .as_str()
            .unwrap()
            .contains("only 3"),
        "{too_many}"
    );
    let broken = adjust(
        &app,
        MUG,
        Some(ADMIN),
        Some("broken-2"),
        &json!({"delta": -3, "reason": "three broken in the shop"}).to_string(),
    );
    assert_eq!(broken.status(), 201);
    assert_eq!(broken.json::<Value>().unwrap()["stock"], 0);
    assert_eq!(app.stock()[MUG], 0);
    drop(app);

    assert_eq!(adjustments(dir.path()), 2);
    let (ok, findings) = support::check(dir.path());
    assert!(ok, "{findings:?}");
}

#[test]
fn bad_stock_commands_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path());
    let before = app.stock();
    let refused = |slug: &str, token: Option<&str>, key: Option<&str>, body: &str, status: u16| {
        let r = adjust(&app, slug, token, key, body);
        assert_eq!(r.status(), status, "{slug} {token:?} {key:?} {body:.60}");
        let error: Value = r.json().unwrap();
        assert!(error["error"]["code"].is_string(), "{error}");
    };

    let good = json!({"delta": 5, "reason": "delivery"}).to_string();
    refused(MUG, None, Some("k-a"), &good, 401);
    refused(
        MUG,
        Some("not-the-admin-token-0123"),
        Some("k-b"),
        &good,
        401,
    );
    refused(MUG, Some(ADMIN), None, &good, 400);
    refused(MUG, Some(ADMIN), Some("k c"), &good, 400);
    refused("no-such-product", Some(ADMIN), Some("k-d"), &good, 404);
    refused("Not_A_Slug", Some(ADMIN), Some("k-e"), &good, 404);

    let long_reason = "x".repeat(201);
    let bad_bodies = [
        ("{\"delta\": 5,".to_string(), 400),
        ("[]".to_string(), 422),
        (json!({"delta": "5", "reason": "x"}).to_string(), 422),
        (json!({"delta": 5}).to_string(), 422),
        (json!({"delta": 0, "reason": "x"}).to_string(), 422),
        (json!({"delta": 1_000_001, "reason": "x"}).to_string(), 422),
        (json!({"delta": -1_000_001, "reason": "x"}).to_string(), 422),
        (json!({"delta": 1e30, "reason": "x"}).to_string(), 422),
        (json!({"delta": 5, "reason": "  "}).to_string(), 422),
        (json!({"delta": 5, "reason": long_reason}).to_string(), 422),
        ("x".repeat(70_000), 413),
    ];
    for (i, (body, status)) in bad_bodies.iter().enumerate() {
        refused(MUG, Some(ADMIN), Some(&format!("k-{i}")), body, *status);
    }

    assert_eq!(app.stock(), before);
    drop(app);
    assert_eq!(adjustments(dir.path()), 0);
}
