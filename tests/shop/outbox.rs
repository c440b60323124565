//! The transactional outbox through the real components: every order event becomes one
//! email (Postmark's API, faked by a separate server) delivered once even through a
//! dispatcher killed mid-delivery; a webhook receiver that fails three times gets the
//! event, validly signed, once it recovers; an order that rolled back has no message;
//! a dead dispatcher's lease is taken over when it runs out; a batch of reports records
//! each outcome as its single report would, and a bad batch records nothing;
//! `storefront check` reports messages given up or overdue; without an email key the mail
//! lands in the owner's local mailbox; message ids start with the time they were made.

use crate::support;

use crate::support::fake_inbox::{Behaviour, FakeInbox, POSTMARK_TOKEN};
use crate::support::{ADMIN_TOKEN, TestApp};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

const HOOK_SECRET: &str = "whsec_outbox_test_0123456789";

/// `storefront up` with the admin token, a dispatch round every second, a 3 s lease,
/// a 1 s first retry, and `env`.
fn start(dir: &Path, env: &[(&str, &str)]) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_OUTBOX_LEASE_SECONDS", "3")
        .env("SPIN_VARIABLE_OUTBOX_FIRST_RETRY_SECONDS", "1")
        .env("SPIN_VARIABLE_WEBHOOK_HOSTS", "http://127.0.0.1:*")
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example")
        .args(["--dispatch-every", "1"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    support::spawn(cmd, dir).ready()
}

fn postmark_env(fake: &FakeInbox) -> Vec<(&'static str, String)> {
    vec![
        ("SPIN_VARIABLE_EMAIL_API_BASE", fake.base_url.clone()),
        ("SPIN_VARIABLE_EMAIL_API_KEY", POSTMARK_TOKEN.to_string()),
        (
            "SPIN_VARIABLE_EMAIL_FROM",
            "orders@shop.example".to_string(),
        ),
    ]
}

fn env_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn outbox(app: &TestApp) -> Vec<Value> {
    app.admin().json("/admin/outbox?limit=200")["messages"]
        .as_array()
        .unwrap()
        .clone()
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    assert!(
        support::eventually(Duration::from_secs(120), &mut done),
        "timed out waiting for {what}"
    );
}

#[test]
fn one_email_per_order_event_through_a_dispatcher_killed_mid_delivery() {
    let dir = tempfile::tempdir().unwrap();
    // Postmark holds its answer to the first email: the app is killed meanwhile.
    let postmark = FakeInbox::start(Behaviour {
        postmark: true,
        hold_first: Some(Duration::from_secs(4)),
        ..Behaviour::default()
    });
    let env = postmark_env(&postmark);
    let mut app = start(dir.path(), &env_refs(&env));
    let number = app.place_order("outbox-order-1");
    wait_for("the first delivery to start", || {
        !postmark.received().is_empty()
    });
    app.child.kill().unwrap();
    app.wait_for_exit();

    // After a restart the lease runs out and the email goes again, with the same id.
    let app = start(dir.path(), &env_refs(&env));
    let r = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/orders/{number}/cancel"),
        Some("outbox-cancel-1"),
        None,
    );
    assert!(r.status().is_success(), "{}", r.text().unwrap());
    wait_for("both emails delivered", || {
        let rows = outbox(&app);
        rows.len() == 2 && rows.iter().all(|m| m["state"] == "delivered")
    });
    let received = postmark.received();
    let ids: BTreeSet<String> = received
        .iter()
        .map(|r| {
            r.json()["Headers"][0]["Value"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 2, "one message id per event: {ids:?}");
    assert!(
        received.len() >= 3,
        "the held email was sent again after the restart"
    );
    let first = received[0].json();
    let retried = received
        .iter()
        .skip(1)
        .find(|r| r.json()["Headers"] == first["Headers"])
        .expect("the retry carries the same Message-ID");
    assert_eq!(retried.json()["Subject"], first["Subject"]);
    let subjects: BTreeSet<String> = received
        .iter()
        .map(|r| r.json()["Subject"].as_str().unwrap().to_string())
        .collect();
    assert!(
        subjects.contains(&format!("We have your order {number} · Kaffee & Kanne")),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&format!("Order {number} was cancelled · Kaffee & Kanne")),
        "{subjects:?}"
    );
    let email = received[0].json();
    assert_eq!(email["To"], "ada@example.com");
    assert_eq!(email["From"], "orders@shop.example");
    let text = email["TextBody"].as_str().unwrap();
    assert!(text.contains("French Press"), "{text}");
    assert!(
        text.contains(&format!(
            "https://shop.example/orders/{number}?key={}",
            support::order_token(&number)
        )),
        "{text}"
    );
    assert!(
        email["HtmlBody"]
            .as_str()
            .unwrap()
            .contains("Kaffee &amp; Kanne")
    );
    for r in &received {
        assert_eq!(r.path, "/email");
        assert_eq!(r.headers["x-postmark-server-token"], POSTMARK_TOKEN);
    }
    app.stop();
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}

fn verify_signature(header: &str, body: &[u8]) -> bool {
    let mut t = "";
    let mut v1 = "";
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value,
            Some(("v1", value)) => v1 = value,
            _ => {}
        }
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()) == v1
}

#[test]
fn a_failing_webhook_receiver_gets_the_event_once_it_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = FakeInbox::start(Behaviour {
        fail_first: 3,
        ..Behaviour::default()
    });
    let app = start(dir.path(), &[]);
    let r = app.admin().send(
        reqwest::Method::POST,
        "/admin/webhooks",
        None,
        Some(&json!({
            "url": format!("{}/hooks/storefront", receiver.base_url),
            "events": ["order.placed", "order.cancelled"],
            "secret": HOOK_SECRET,
        })),
    );
    assert_eq!(r.status(), 201, "{}", r.text().unwrap());
    let bad = app.admin().send(
        reqwest::Method::POST,
        "/admin/webhooks",
        None,
        Some(&json!({ "url": "ftp://x", "events": ["order.nope"] })),
    );
    assert_eq!(bad.status(), 422);

    let number = app.place_order("outbox-hook-1");
    wait_for("the webhook delivered", || {
        outbox(&app)
            .iter()
            .any(|m| m["channel"] == "webhook" && m["state"] == "delivered")
    });
    let received = receiver.received();
    assert_eq!(received.len(), 4, "3 failures, then the delivery");
    let ids: BTreeSet<&str> = received
        .iter()
        .map(|r| r.headers["storefront-event-id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1, "the same event id on every attempt");
    let last = received.last().unwrap();
    assert_eq!(last.path, "/hooks/storefront");
    assert_eq!(last.headers["storefront-event-type"], "order.placed");
    assert!(verify_signature(
        &last.headers["storefront-signature"],
        &last.body
    ));
    assert!(!verify_signature(
        &last.headers["storefront-signature"],
        b"{\"tampered\":true}"
    ));
    let event = last.json();
    assert_eq!(event["type"], "order.placed");
    assert_eq!(event["id"], last.headers["storefront-event-id"].as_str());
    assert_eq!(event["data"]["order"]["number"], number.as_str());
    let hook = outbox(&app)
        .into_iter()
        .find(|m| m["channel"] == "webhook")
        .unwrap();
    assert_eq!(hook["attempts"], 4);
    app.stop();
}

#[test]
fn an_order_that_rolled_back_has_no_message() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(
        dir.path(),
        &[("SPIN_VARIABLE_OUTBOX_FIRST_RETRY_SECONDS", "1")],
    );
    app.stop();
    support::open_db(dir.path())
        .execute("UPDATE variants SET stock = 3", [])
        .unwrap();
    let app = start(dir.path(), &[]);
    // 12 shoppers race for 3 units: 9 orders roll back inside the writer.
    let handles: Vec<_> = (0..12)
        .map(|i| {
            let url = app.url("/api/orders");
            std::thread::spawn(move || {
                support::client()
                    .post(url)
                    .header("idempotency-key", format!("race-{i}"))
                    .json(&support::order_body("french-press", 1))
                    .send()
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    app.stop();
    let db = support::open_db(dir.path());
    assert_eq!(support::scalar(&db, "SELECT count(*) FROM orders"), 3);
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM outbox WHERE event = 'order.placed' AND channel = 'email'"
        ),
        3,
        "one message per committed order, none for the 9 that rolled back"
    );
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM order_events e WHERE NOT EXISTS (SELECT 1 FROM outbox m \
             WHERE m.order_id = e.order_id AND m.channel = 'email' AND m.created_at = e.at)"
        ),
        0,
        "every committed change has its message"
    );
}

#[test]
fn a_dead_dispatchers_lease_is_taken_over_when_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let writer = support::spawn(
        support::writer_command(dir.path(), &["--dispatch-every", "0"]),
        dir.path(),
    )
    .ready();
    let r = writer.place_on_writer("lease-1", &support::order_body("french-press", 1));
    assert_eq!(r.status(), 201);
    let claim = |who: &str, lease: i64| -> Vec<Value> {
        let r = support::client()
            .post(writer.url("/outbox/claim"))
            .bearer_auth(support::TOKEN)
            .json(&json!({ "dispatcher": who, "limit": 10, "lease_seconds": lease }))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<Value>().unwrap()["messages"]
            .as_array()
            .unwrap()
            .clone()
    };
    let report = |who: &str, id: &str| {
        support::client()
            .post(writer.url(&format!("/outbox/{id}/result")))
            .bearer_auth(support::TOKEN)
            .json(&json!({ "dispatcher": who, "outcome": "delivered" }))
            .send()
            .unwrap()
    };
    let first = claim("dead", 2);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["attempt"], 1);
    let id = first[0]["message_id"].as_str().unwrap().to_string();
    assert!(claim("live", 2).is_empty(), "leased to the dead one");
    std::thread::sleep(Duration::from_millis(2_500));
    let second = claim("live", 30);
    assert_eq!(second.len(), 1, "the lease ran out");
    assert_eq!(second[0]["message_id"], id.as_str());
    assert_eq!(second[0]["attempt"], 2);
    let late = report("dead", &id);
    assert_eq!(
        late.status(),
        409,
        "the dead one's late report counts for nothing"
    );
    let ok = report("live", &id);
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>().unwrap()["state"], "delivered");
    assert!(claim("live", 30).is_empty());
    let bad = support::client()
        .post(writer.url("/outbox/claim"))
        .bearer_auth(support::TOKEN)
        .json(&json!({ "dispatcher": "x y", "limit": 0, "lease_seconds": 9999 }))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 422);
    writer.stop();
}

/// A standalone writer with `orders` orders placed on it (each with its `order.placed`
/// email in the outbox), no dispatch timer, and a 1 s first retry.
fn writer_with_orders(dir: &Path, orders: usize) -> TestApp {
    let mut cmd = support::writer_command(dir, &["--dispatch-every", "0"]);
    cmd.env("SPIN_VARIABLE_OUTBOX_FIRST_RETRY_SECONDS", "1");
    let writer = support::spawn(cmd, dir).ready();
    for i in 0..orders {
        let r = writer.place_on_writer(
            &format!("batch-{i}"),
            &support::order_body("french-press", 1),
        );
        assert_eq!(r.status(), 201);
    }
    writer
}

/// `POST path` on the writer with its token and `body`.
fn writer_post(writer: &TestApp, path: &str, body: &Value) -> reqwest::blocking::Response {
    support::client()
        .post(writer.url(path))
        .bearer_auth(support::TOKEN)
        .json(body)
        .send()
        .unwrap()
}

/// The ids of the messages `who` claims, at most `limit`.
fn claim_ids(writer: &TestApp, who: &str, limit: i64) -> Vec<String> {
    let r = writer_post(
        writer,
        "/outbox/claim",
        &json!({ "dispatcher": who, "limit": limit, "lease_seconds": 600 }),
    );
    assert_eq!(r.status(), 200);
    r.json::<Value>().unwrap()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message_id"].as_str().unwrap().to_string())
        .collect()
}

/// The writer's outbox row of message `id`.
fn outbox_row(writer: &TestApp, id: &str) -> Value {
    writer.writer_json("/admin/outbox?limit=200")["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["message_id"] == id)
        .unwrap_or_else(|| panic!("no message {id}"))
        .clone()
}

/// A message id is `msg_` and 32 hex digits: the milliseconds since 1970 in the first 12,
/// 80 random bits in the rest, so messages made one after another have ids in the same
/// order, and ids made together land on one page of the outbox's index.
#[test]
fn message_ids_start_with_the_time_they_were_made() {
    let dir = tempfile::tempdir().unwrap();
    let millis = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64
    };
    let before = millis();
    let writer = writer_with_orders(dir.path(), 0);
    let mut ids = Vec::new();
    for i in 0..4 {
        let r =
            writer.place_on_writer(&format!("ids-{i}"), &support::order_body("french-press", 1));
        assert_eq!(r.status(), 201);
        let number = r.json::<Value>().unwrap()["number"]
            .as_str()
            .unwrap()
            .to_string();
        let made = writer.writer_json("/admin/outbox?limit=200")["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["order_number"] == number.as_str())
            .map(|m| m["message_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>();
        assert_eq!(made.len(), 1, "one order.placed email for order {number}");
        ids.push(made[0].clone());
        std::thread::sleep(Duration::from_millis(5));
    }
    let after = millis();
    for id in &ids {
        let hex = id.strip_prefix("msg_").expect("msg_ prefix");
        assert_eq!(hex.len(), 32, "{id}");
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
        let made = u64::from_str_radix(&hex[..12], 16).unwrap();
        assert!(
            (before..=after).contains(&made),
            "{id}: made at {made}, not in {before}..={after}"
        );
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "ids in the order the messages were made");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
}

/// One batch (`POST /outbox/results`) answers each message in the request's order and
/// records each as its single report (`POST /outbox/{id}/result`) would: delivered (with
/// its local mail), failed and due again on the retry schedule, failed for good and given
/// up; a message another dispatcher holds now is `lease_lost` and an unknown one
/// `not_found`, for themselves only; the single report then answers the recorded states.
#[test]
fn a_batch_of_reports_records_each_outcome_as_its_single_report_would() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer_with_orders(dir.path(), 4);
    let theirs = claim_ids(&writer, "other", 1);
    assert_eq!(theirs.len(), 1);
    let mine = claim_ids(&writer, "mine", 10);
    assert!(mine.len() >= 3, "{mine:?}");
    let (delivered, retried, given_up, held) = (&mine[0], &mine[1], &mine[2], &theirs[0]);
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let r = writer_post(
        &writer,
        "/outbox/results",
        &json!({ "dispatcher": "mine", "results": [
            { "message_id": delivered, "outcome": "delivered",
              "local": { "subject": "Batch subject", "text": "batch text", "html": "<p>batch</p>" } },
            { "message_id": retried, "outcome": "failed", "error": "the endpoint answered 500",
              "permanent": false },
            { "message_id": held, "outcome": "delivered" },
            { "message_id": "msg_nobody", "outcome": "delivered" },
            { "message_id": given_up, "outcome": "failed", "error": "address refused",
              "permanent": true },
        ]}),
    );
    assert_eq!(r.status(), 200);
    let answers = r.json::<Value>().unwrap()["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(answers.len(), 5, "{answers:?}");
    assert_eq!(answers[0]["result"], "recorded");
    assert_eq!(answers[0]["message_id"], delivered.as_str());
    assert_eq!(answers[0]["state"], "delivered");
    assert_eq!(answers[0]["attempts"], 1);
    assert_eq!(answers[1]["result"], "recorded");
    assert_eq!(answers[1]["state"], "pending");
    let next = answers[1]["next_attempt_at"].as_i64().unwrap();
    assert!(
        next >= before,
        "due again on the schedule: {next} < {before}"
    );
    assert_eq!(
        answers[2],
        json!({ "result": "lease_lost", "message_id": held })
    );
    assert_eq!(
        answers[3],
        json!({ "result": "not_found", "message_id": "msg_nobody" })
    );
    assert_eq!(answers[4]["result"], "recorded");
    assert_eq!(answers[4]["state"], "given_up");

    // What is recorded is what the single reports would have recorded.
    let row = outbox_row(&writer, delivered);
    assert_eq!(row["state"], "delivered");
    assert!(
        row["finished_at"].is_string() && row["last_error"].is_null(),
        "{row}"
    );
    let mails = writer.writer_json("/admin/mail")["mails"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["message_id"], delivered.as_str());
    assert_eq!(mails[0]["subject"], "Batch subject");
    let row = outbox_row(&writer, retried);
    assert_eq!(row["state"], "pending");
    assert_eq!(row["attempts"], 1);
    assert_eq!(row["next_attempt_at"], next);
    assert_eq!(row["last_error"], "the endpoint answered 500");
    let row = outbox_row(&writer, given_up);
    assert_eq!(row["state"], "given_up");
    assert_eq!(row["last_error"], "address refused");
    let row = outbox_row(&writer, held);
    assert_eq!(
        row["state"], "pending",
        "the other dispatcher's message is untouched"
    );
    assert!(row["last_error"].is_null(), "{row}");

    let single = |who: &str, id: &str| {
        writer_post(
            &writer,
            &format!("/outbox/{id}/result"),
            &json!({ "dispatcher": who, "outcome": "delivered" }),
        )
    };
    for (id, state) in [(delivered, "delivered"), (given_up, "given_up")] {
        let r = single("mine", id);
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().unwrap();
        assert_eq!(
            answer["state"], state,
            "a finished message answers its state"
        );
        assert_eq!(answer["attempts"], 1);
    }
    assert_eq!(single("mine", held).status(), 409);
    assert_eq!(
        single("mine", retried).status(),
        409,
        "its lease was released"
    );
    let r = writer_post(
        &writer,
        "/outbox/results",
        &json!({ "dispatcher": "other", "results": [{ "message_id": held, "outcome": "delivered" }] }),
    );
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().unwrap()["results"][0]["state"],
        "delivered"
    );
    assert_eq!(outbox_row(&writer, held)["state"], "delivered");
    writer.stop();
}

/// A bad batch (more outcomes than a claim holds, none, a message named twice, a bad
/// dispatcher id) is refused whole, naming the field, and records nothing, not even its
/// good entries.
#[test]
fn a_bad_batch_of_reports_is_refused_whole_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer_with_orders(dir.path(), 2);
    let mine = claim_ids(&writer, "mine", 10);
    assert!(mine.len() >= 2, "{mine:?}");
    let delivered = |id: &str| json!({ "message_id": id, "outcome": "delivered" });
    let mut too_many: Vec<Value> = mine.iter().map(|id| delivered(id)).collect();
    too_many.extend((too_many.len()..51).map(|i| delivered(&format!("msg_none_{i}"))));
    for (body, field) in [
        (
            json!({ "dispatcher": "mine", "results": too_many }),
            "results",
        ),
        (json!({ "dispatcher": "mine", "results": [] }), "results"),
        (
            json!({ "dispatcher": "mine", "results": [delivered(&mine[0]), delivered(&mine[1]), delivered(&mine[0])] }),
            "results[2].message_id",
        ),
        (
            json!({ "dispatcher": "mine too", "results": [delivered(&mine[0])] }),
            "dispatcher",
        ),
    ] {
        let r = writer_post(&writer, "/outbox/results", &body);
        assert_eq!(r.status(), 422, "{field}");
        let error: Value = r.json().unwrap();
        assert_eq!(error["error"]["code"], "invalid_request");
        assert_eq!(error["error"]["fields"][0]["field"], field, "{error}");
    }
    for id in &mine {
        assert_eq!(
            outbox_row(&writer, id)["state"],
            "pending",
            "nothing recorded"
        );
    }
    // The lease is still the reporter's: the good batch goes through.
    let r = writer_post(
        &writer,
        "/outbox/results",
        &json!({ "dispatcher": "mine", "results": [delivered(&mine[0]), delivered(&mine[1])] }),
    );
    assert_eq!(r.status(), 200);
    for id in &mine[..2] {
        assert_eq!(outbox_row(&writer, id)["state"], "delivered");
    }
    writer.stop();
}

#[test]
fn check_reports_messages_given_up_or_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let postmark = FakeInbox::start(Behaviour {
        postmark: true,
        refuse_recipients: true,
        ..Behaviour::default()
    });
    let env = postmark_env(&postmark);
    let app = start(dir.path(), &env_refs(&env));
    app.place_order("given-up-1");
    wait_for("the email given up", || {
        outbox(&app).iter().any(|m| m["state"] == "given_up")
    });
    app.stop();
    let (ok, lines) = support::check(dir.path());
    assert!(!ok);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("was given up after 1 attempts")
                && l.contains("Invalid 'To' address")),
        "{lines:?}"
    );
    // The same message still pending and two hours past due: overdue.
    support::open_db(dir.path())
        .execute(
            "UPDATE outbox SET state = 'pending', finished_at = NULL, \
             next_attempt_at = CAST(strftime('%s', 'now') AS INTEGER) - 7200",
            [],
        )
        .unwrap();
    let (ok, lines) = support::check(dir.path());
    assert!(!ok);
    assert!(lines.iter().any(|l| l.contains("is overdue")), "{lines:?}");
    // A change whose message is missing (the row deleted behind the writer's back).
    support::open_db(dir.path())
        .execute("DELETE FROM outbox", [])
        .unwrap();
    let (ok, lines) = support::check(dir.path());
    assert!(!ok);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("became pending_payment") && l.contains("no email was written")),
        "{lines:?}"
    );
}

#[test]
fn without_an_email_key_the_owner_reads_the_mail_locally() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(dir.path(), &[]);
    let number = app.place_order("local-mail-1");
    let mails = || -> Vec<Value> {
        app.admin().json("/admin/mail")["mails"]
            .as_array()
            .unwrap()
            .clone()
    };
    wait_for("the local mail", || !mails().is_empty());
    let mail = &mails()[0];
    assert_eq!(mail["recipient"], "ada@example.com");
    assert_eq!(mail["event"], "order.placed");
    assert!(mail["subject"].as_str().unwrap().contains(&number));
    assert!(mail["text"].as_str().unwrap().contains("French Press"));
    app.stop();
}

#[test]
fn the_owner_reads_the_mailbox_and_adds_a_webhook_in_the_back_office() {
    let dir = tempfile::tempdir().unwrap();
    support::build_components();
    support::set_owner_password(dir.path(), support::OWNER_PASSWORD);
    let app = start(dir.path(), &[]);
    let number = app.place_order("office-mail-1");
    let owner = support::owner_client(&app);
    let mut html = String::new();
    wait_for("the mail in the back office", || {
        html = owner
            .get(app.url("/admin/mail"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        html.contains(&number)
    });
    assert!(html.contains(&format!("We have your order {number} · Kaffee &amp; Kanne")));
    assert!(html.contains("To ada@example.com"));

    let page = owner
        .get(app.url("/admin/webhooks"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csrf = support::office_csrf(&page);
    let bad = owner
        .post(app.url("/admin/webhooks"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", "not a url"),
            ("events", "*"),
        ])
        .send()
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().unwrap().contains("The URL must be an https URL"));
    for _ in 0..2 {
        let added = owner
            .post(app.url("/admin/webhooks"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("url", "https://hooks.example/in"),
                ("events", "order.paid"),
                ("events", "order.shipped"),
            ])
            .send()
            .unwrap();
        assert_eq!(added.status(), 303);
    }
    let forged = owner
        .post(app.url("/admin/webhooks"))
        .form(&[("url", "https://evil.example/in"), ("events", "*")])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    let list = app.admin().json("/admin/webhooks");
    let endpoints = list["endpoints"].as_array().unwrap();
    assert_eq!(endpoints.len(), 1, "the repeated form added one: {list}");
    assert_eq!(
        endpoints[0]["events"],
        json!(["order.paid", "order.shipped"])
    );
    assert!(
        endpoints[0]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    app.stop();
}

/// Delivery keeps up with a busy shop: with an email API that takes 50 ms per email, one
/// dispatch round delivers a backlog of 150 order emails, several at once (one after
/// another it could not pass 20 per second) and claiming again while claims come back
/// full (a round used to deliver 20).
#[test]
fn one_round_delivers_a_backlog_several_at_once() {
    const ORDERS: usize = 150;
    let dir = tempfile::tempdir().unwrap();
    let postmark = FakeInbox::start(Behaviour {
        postmark: true,
        latency: Some(Duration::from_millis(50)),
        ..Behaviour::default()
    });
    let mut env = postmark_env(&postmark);
    env.push(("SPIN_VARIABLE_OUTBOX_LEASE_SECONDS", "120".to_string()));
    let mut cmd = support::up_command(dir.path());
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("SPIN_VARIABLE_SHOP_URL", "https://shop.example")
        .args(["--dispatch-every", "0"]);
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let app = support::spawn(cmd, dir.path()).ready();
    let product = app.admin().json("/admin/catalog/products/french-press");
    let sku = product["variants"][0]["sku"].as_str().unwrap().to_string();
    let stocked = app.admin().send(
        reqwest::Method::POST,
        &format!("/admin/catalog/variants/{sku}/stock"),
        Some("outbox-backlog-stock"),
        Some(&json!({"delta": 1000, "reason": "a backlog test"})),
    );
    assert_eq!(stocked.status(), 201);
    for i in 0..ORDERS {
        app.place_order(&format!("outbox-backlog-{i}"));
    }
    let started = std::time::Instant::now();
    let round = app
        .admin()
        .send(reqwest::Method::POST, "/admin/outbox/dispatch", None, None);
    let elapsed = started.elapsed();
    assert!(round.status().is_success());
    let round: Value = round.json().unwrap();
    let per_second = ORDERS as f64 / elapsed.as_secs_f64();
    eprintln!(
        "outbox: {ORDERS} emails in {:.2} s = {per_second:.0} messages/s ({} claims)",
        elapsed.as_secs_f64(),
        round["claims"]
    );
    assert_eq!(round["delivered"], ORDERS, "{round}");
    assert_eq!(round["more"], false, "{round}");
    assert_eq!(postmark.received().len(), ORDERS);
    assert!(
        per_second > 40.0,
        "{per_second:.0} messages/s: the deliveries did not overlap"
    );
    app.stop();
}

/// A delivered message is kept for its retention (`outbox_delivered_seconds`, shortened
/// to 1 s here), then the host's sweep deletes it with its local mailbox copy; the audit
/// expects no message for events older than that, so it still passes.
#[test]
fn delivered_messages_go_after_their_retention_and_the_audit_still_passes() {
    let dir = tempfile::tempdir().unwrap();
    let app = start(
        dir.path(),
        &[("SPIN_VARIABLE_OUTBOX_DELIVERED_SECONDS", "1")],
    );
    let number = app.place_order("swept-1");
    let mails = || -> usize {
        app.admin().json("/admin/mail")["mails"]
            .as_array()
            .unwrap()
            .len()
    };
    wait_for("the local mail", || mails() == 1);
    let delivered = outbox(&app);
    assert!(
        !delivered.is_empty() && delivered.iter().all(|m| m["state"] == "delivered"),
        "{delivered:?}"
    );
    // The host sweeps every minute.
    wait_for("the sweep", || outbox(&app).is_empty() && mails() == 0);
    assert_eq!(app.order_state(&number), "pending_payment");
    assert!(app.stop().success());
    let (ok, audit) = support::check(dir.path());
    assert!(ok, "{audit:?}");
}
