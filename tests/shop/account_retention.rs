//! The customer accounts' short-lived rows go by the idempotency sweep the host runs every
//! minute: expired sign-in emails and wrong codes a day after they expired, sessions once
//! expired, the customers' idempotency records after their retention, at most a batch of
//! each per sweep (the answer says when more is due, and the host sweeps again at once);
//! what is still live stays.

use crate::support;

use serde_json::Value;

/// A fresh 64-hex-digit value numbered `n`.
fn hash(n: usize) -> String {
    format!("{n:064x}")
}

fn sweep(writer: &support::TestApp) -> Value {
    let swept = support::client()
        .post(writer.url("/admin/idempotency/sweep"))
        .bearer_auth(support::TOKEN)
        .send()
        .unwrap();
    assert_eq!(swept.status(), 200);
    swept.json().unwrap()
}

#[test]
fn expired_sign_ins_sessions_and_old_customer_commands_are_swept_in_batches() {
    let dir = tempfile::tempdir().unwrap();
    support::start_writer(dir.path()).stop();
    let db = support::open_db(dir.path());
    let now: i64 = support::scalar(&db, "SELECT unixepoch()");
    let day = 24 * 60 * 60;
    db.execute(
        "INSERT INTO customer_accounts (id, email, verified_at) VALUES (1, 'ada@example.com', ?1)",
        [now - 40 * day],
    )
    .unwrap();
    // Expired two days ago (gone) and live (kept), of each kind.
    for (n, expires) in [(1, now - 2 * day), (2, now + 600)] {
        db.execute(
            "INSERT INTO customer_sign_ins (email, client, token_hash, code_hash, created_at, \
             expires_at) VALUES ('ada@example.com', 'c', ?1, ?1, ?2, ?2)",
            rusqlite::params![hash(n), expires],
        )
        .unwrap();
        db.execute(
            "INSERT INTO customer_sessions (id, customer_id, client, created_at, expires_at) \
             VALUES (?1, 1, 'c', ?2, ?2)",
            rusqlite::params![hash(n), expires],
        )
        .unwrap();
        db.execute(
            "INSERT INTO customer_wrong_codes (email, at) VALUES ('ada@example.com', ?1)",
            [expires - 600],
        )
        .unwrap();
    }
    // 250 commands older than 7 days (three batches), and one of today.
    for n in 0..250 {
        db.execute(
            "INSERT INTO customer_commands (idempotency_key, fingerprint, status, response, \
             created_at) VALUES (?1, 'f', 200, '{}', ?2)",
            rusqlite::params![format!("old-{n}"), now - 8 * day],
        )
        .unwrap();
    }
    db.execute(
        "INSERT INTO customer_commands (idempotency_key, fingerprint, status, response, \
         created_at) VALUES ('today', 'f', 200, '{}', ?1)",
        [now],
    )
    .unwrap();
    drop(db);

    // The host sweeps as it starts and every minute, again at once while a batch came
    // back full; sweeps asked for meanwhile take turns with it. Each deletes at most a
    // batch, until nothing is due.
    let writer = support::start_writer(dir.path());
    let mut rounds = 0;
    loop {
        let swept = sweep(&writer);
        let accounts = &swept["accounts"];
        for kind in ["sign_ins", "sessions", "wrong_codes", "commands"] {
            assert!(
                accounts[kind].as_i64().unwrap() <= 100,
                "one batch: {swept}"
            );
        }
        if accounts["commands"] == 0 && swept["more"] == false {
            break;
        }
        rounds += 1;
        assert!(rounds < 10, "{swept}");
    }
    writer.stop();

    let db = support::open_db(dir.path());
    for table in [
        "customer_sign_ins",
        "customer_sessions",
        "customer_wrong_codes",
    ] {
        assert_eq!(
            support::count(&db, table),
            1,
            "the live row of {table} stays"
        );
    }
    assert_eq!(
        support::scalar(
            &db,
            "SELECT count(*) FROM customer_commands WHERE idempotency_key = 'today'"
        ),
        1
    );
    assert_eq!(support::count(&db, "customer_commands"), 1);
}
