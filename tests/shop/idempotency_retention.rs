//! Idempotency records have a retention: the full answer to placing an order is kept for
//! a while (`idempotency_response_seconds`), then only its fingerprint, which still stops
//! a retry from placing the order twice and answers it with the order's number.

use crate::support;

use serde_json::Value;

#[test]
fn a_retry_after_the_answer_was_compacted_never_places_a_second_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::writer_command(dir.path(), &["--dispatch-every", "0"]);
    cmd.env("SPIN_VARIABLE_IDEMPOTENCY_RESPONSE_SECONDS", "1")
        .env("SPIN_VARIABLE_IDEMPOTENCY_FINGERPRINT_SECONDS", "3600");
    let writer = support::spawn(cmd, dir.path()).ready();
    let body = support::order_body("french-press", 1);
    let placed = writer.place_on_writer("keep-1", &body);
    assert_eq!(placed.status(), 201);
    let number = placed.json::<Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();
    // Within the retention the answer is replayed as it was.
    let replayed = writer.place_on_writer("keep-1", &body);
    assert_eq!(replayed.status(), 201);

    std::thread::sleep(std::time::Duration::from_millis(1_500));
    let swept = support::client()
        .post(writer.url("/admin/idempotency/sweep"))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap();
    assert_eq!(swept.status(), 200);
    let swept: Value = swept.json().unwrap();
    assert_eq!(swept["compacted"], 1, "{swept}");
    assert_eq!(swept["forgotten"], 0, "{swept}");

    let retried = writer.place_on_writer("keep-1", &body);
    assert_eq!(retried.status(), 409, "{:?}", retried.text());
    let answer: Value = retried.json().unwrap();
    assert_eq!(answer["error"]["code"], "order_already_placed", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&number),
        "{answer}"
    );
    // Another body under the key is still refused as another command.
    let other = writer.place_on_writer("keep-1", &support::order_body("french-press", 2));
    assert_eq!(other.status(), 422);

    let orders = writer.writer_json("/admin/orders");
    assert_eq!(orders["orders"].as_array().unwrap().len(), 1, "{orders}");
    writer.stop();
}
