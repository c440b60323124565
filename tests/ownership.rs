//! Exactly one process owns a data dir: a second writer is refused (or waits for a
//! clean handover with --wait), and not even a plain SQLite client can open the files
//! while the owner runs.

mod common;

use common::{Started, TOKEN};

#[test]
fn a_second_writer_is_refused_and_names_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::start_writer(dir.path());
    for second in [
        common::writer_command(dir.path(), &[]),
        common::up_command(dir.path()),
    ] {
        match common::spawn(second, dir.path()) {
            Started::Ready(_) => panic!("two writers on one data dir"),
            Started::Exited { status, stderr } => {
                assert!(!status.success());
                let text = stderr.join("\n");
                assert!(
                    text.contains(&format!("owned by pid {}", first.child.id())),
                    "{text}"
                );
                assert!(text.contains("--wait"), "{text}");
            }
        }
    }
    // The first writer is unaffected.
    let r = common::client()
        .get(first.url("/health"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn with_wait_the_second_writer_takes_over_when_the_first_exits() {
    let dir = tempfile::tempdir().unwrap();
    let first = common::start_writer(dir.path());
    let placed = common::writer_order(&first, "handover-1", &common::order_body("french-press", 1));
    assert_eq!(placed.status(), 201);
    let placed: serde_json::Value = placed.json().unwrap();

    let (tx, rx) = std::sync::mpsc::channel();
    let waiting = common::writer_command(dir.path(), &["--wait", "120"]);
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(common::spawn(waiting, &path));
    });
    // While the first runs, the second does not start.
    assert!(rx.recv_timeout(std::time::Duration::from_secs(2)).is_err());
    assert!(first.stop().success(), "first writer exits 0 on SIGTERM");
    let second = match rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap() {
        Started::Ready(app) => app,
        Started::Exited { stderr, .. } => panic!("second writer failed: {stderr:?}"),
    };
    // The new owner has the order, and replaying its command returns it, not a new one.
    let replay = common::writer_order(
        &second,
        "handover-1",
        &common::order_body("french-press", 1),
    );
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: serde_json::Value = replay.json().unwrap();
    assert_eq!(replay["number"], placed["number"]);
    drop(second);
    assert_eq!(common::count(&common::open_db(dir.path()), "orders"), 1);
}

#[test]
fn sqlite_cannot_open_the_files_while_a_writer_runs() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::start_writer(dir.path());
    let conn = common::open_db(dir.path());
    let read = conn.query_row("SELECT count(*) FROM products", [], |r| r.get::<_, i64>(0));
    let err = read
        .expect_err("a second connection read the database")
        .to_string();
    assert!(err.contains("locked"), "{err}");
    assert!(
        !dir.path().join("sqlite_db.db-shm").exists(),
        "exclusive mode keeps the WAL index in memory"
    );
    drop(conn);
    assert!(app.stop().success());
    // Once released, the files are complete and readable by anyone.
    let conn = common::open_db(dir.path());
    assert!(common::count(&conn, "products") >= 12);
}

#[test]
fn the_standalone_writer_requires_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_token = common::writer_command(dir.path(), &[]);
    no_token.env_remove("SPIN_VARIABLE_WRITER_TOKEN");
    match common::spawn(no_token, dir.path()) {
        Started::Ready(_) => panic!("writer started without a token"),
        Started::Exited { stderr, .. } => {
            assert!(
                stderr.join("\n").contains("SPIN_VARIABLE_WRITER_TOKEN"),
                "{stderr:?}"
            )
        }
    }
    let app = common::start_writer(dir.path());
    let client = common::client();
    let anonymous = client.get(app.url("/catalog/products")).send().unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = client
        .get(app.url("/catalog/products"))
        .bearer_auth("nope")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let forged = common::client()
        .post(app.url("/orders"))
        .bearer_auth("wrong-token-wrong-token")
        .header("idempotency-key", "forged")
        .json(&common::order_body("french-press", 1))
        .send()
        .unwrap();
    assert_eq!(forged.status(), 401);
    let ok = client
        .get(app.url("/catalog/products"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    drop(app);
    assert_eq!(common::count(&common::open_db(dir.path()), "orders"), 0);
}

#[test]
fn on_sigterm_the_writer_finishes_in_flight_commands_and_answers_new_ones_503() {
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let mut writer = common::start_writer(dir.path());
    let addr = writer.base_url.trim_start_matches("http://").to_string();

    // An order command in flight: headers and half of the body are sent.
    let body = serde_json::to_vec(&common::order_body("french-press", 1)).unwrap();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let mut in_flight = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        in_flight,
        "POST /orders HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
         idempotency-key: drain-1\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    in_flight.write_all(first_half).unwrap();
    in_flight.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));

    common::send_signal(writer.child.id(), "TERM");
    // New commands are refused with 503 + Retry-After while the old one finishes.
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let r = common::client()
            .get(writer.url("/health"))
            .bearer_auth(TOKEN)
            .send()
            .unwrap();
        if r.status() == 503 {
            break r;
        }
        assert_eq!(r.status(), 200);
        assert!(Instant::now() < deadline, "never started draining");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(writer.child.try_wait().unwrap().is_none(), "still draining");

    // The in-flight command completes and is acknowledged.
    in_flight.write_all(second_half).unwrap();
    let mut response = String::new();
    in_flight.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");

    assert!(writer.wait_for_exit().success(), "exit 0 after the drain");
    let conn = common::open_db(dir.path());
    assert_eq!(common::count(&conn, "orders"), 1);
    assert_eq!(common::count(&conn, "idempotency_keys"), 1);
}
