//! Exactly one process owns a data dir: a second writer is refused (or waits for a
//! clean handover with --wait), and not even a plain SQLite client can open the files
//! while the owner runs.

use crate::support;

use crate::support::TOKEN;

#[test]
fn a_second_writer_is_refused_and_names_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let first = support::start_writer(dir.path());
    for second in [
        support::writer_command(dir.path(), &[]),
        support::up_command(dir.path()),
    ] {
        let (status, stderr) =
            support::spawn(second, dir.path()).refused("another writer owns the data dir");
        assert!(!status.success());
        let text = stderr.join("\n");
        assert!(
            text.contains(&format!("owned by pid {}", first.child.id())),
            "{text}"
        );
        assert!(text.contains("--wait"), "{text}");
    }
    // The first writer is unaffected.
    let r = support::client()
        .get(first.url("/health"))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn with_wait_the_second_writer_takes_over_when_the_first_exits() {
    let dir = tempfile::tempdir().unwrap();
    let first = support::start_writer(dir.path());
    let placed = first.place_on_writer("handover-1", &support::order_body("french-press", 1));
    assert_eq!(placed.status(), 201);
    let placed: serde_json::Value = placed.json().unwrap();

    let (tx, rx) = std::sync::mpsc::channel();
    let waiting = support::writer_command(dir.path(), &["--wait", "120"]);
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(support::spawn(waiting, &path));
    });
    // While the first runs, the second does not start.
    assert!(rx.recv_timeout(std::time::Duration::from_secs(2)).is_err());
    assert!(first.stop().success(), "first writer exits 0 on SIGTERM");
    let second = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .unwrap()
        .ready();
    // The new owner has the order, and replaying its command returns it, not a new one.
    let replay = second.place_on_writer("handover-1", &support::order_body("french-press", 1));
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: serde_json::Value = replay.json().unwrap();
    assert_eq!(replay["number"], placed["number"]);
    drop(second);
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 1);
}

#[test]
fn sqlite_cannot_open_the_files_while_a_writer_runs() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_writer(dir.path());
    let conn = support::open_db(dir.path());
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
    let conn = support::open_db(dir.path());
    assert!(support::count(&conn, "products") >= 12);
}

#[test]
fn the_standalone_writer_requires_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let mut no_token = support::writer_command(dir.path(), &[]);
    no_token.env_remove("SPIN_VARIABLE_WRITER_TOKEN");
    let (_, stderr) = support::spawn(no_token, dir.path()).refused("it has no token");
    assert!(
        stderr.join("\n").contains("SPIN_VARIABLE_WRITER_TOKEN"),
        "{stderr:?}"
    );
    let app = support::start_writer(dir.path());
    let client = support::client();
    let anonymous = client.get(app.url("/catalog/products")).send().unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = client
        .get(app.url("/catalog/products"))
        .bearer_auth("nope")
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let forged = support::client()
        .post(app.url("/orders"))
        .bearer_auth("wrong-token-wrong-token")
        .header("idempotency-key", "forged")
        .json(&support::order_body("french-press", 1))
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
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 0);
}

/// SIGTERM during a stream of commands: commands running in the writer finish and
/// are acknowledged; a command whose body is still arriving is not waited for (a
/// stalled client must not hold up the handover) but answered `503` + `Retry-After`
/// at once, applied nowhere, and its retry with the same key lands on the successor.
#[test]
fn on_sigterm_the_writer_finishes_running_commands_and_refuses_unfinished_ones_503() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut writer = support::spawn(
        support::writer_command(dir.path(), &["--listen", &listen]),
        dir.path(),
    )
    .ready();

    // An order command whose body is still arriving: headers and half of the body.
    let body = serde_json::to_vec(&support::order_body("french-press", 1)).unwrap();
    let mut unfinished = std::net::TcpStream::connect(&listen).unwrap();
    write!(
        unfinished,
        "POST /orders HTTP/1.1\r\nhost: {listen}\r\nauthorization: Bearer {TOKEN}\r\n\
         idempotency-key: drain-1\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    unfinished.write_all(&body[..body.len() / 2]).unwrap();
    unfinished.flush().unwrap();
    unfinished
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();

    // Commands keep coming, each retried with its key until acknowledged, like the
    // pages do: some are running in the writer when SIGTERM arrives.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
    let refusals = Arc::new(Mutex::new(Vec::<Option<String>>::new()));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (listen, stop, acknowledged, refusals) = (
                listen.clone(),
                stop.clone(),
                acknowledged.clone(),
                refusals.clone(),
            );
            std::thread::spawn(move || {
                let client = support::client();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let key = format!("drain-load-{c}-{n}");
                    let deadline = Instant::now() + Duration::from_secs(60);
                    loop {
                        let r = client
                            .post(format!("http://{listen}/orders"))
                            .bearer_auth(TOKEN)
                            .header("idempotency-key", &key)
                            .json(&support::order_body("french-press", 1))
                            .send();
                        match r {
                            Ok(r) if r.status() == 201 => {
                                let v: serde_json::Value = r.json().unwrap();
                                let number = v["number"].as_str().unwrap().to_string();
                                acknowledged.lock().unwrap().push((key.clone(), number));
                                break;
                            }
                            Ok(r) => {
                                assert_eq!(r.status(), 503, "{key}");
                                let retry = r.headers().get("retry-after");
                                let retry = retry.map(|v| v.to_str().unwrap().to_string());
                                refusals.lock().unwrap().push(retry);
                            }
                            Err(_) => {} // refused while no writer listens
                        }
                        assert!(Instant::now() < deadline, "{key} never acknowledged");
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let (tx, rx) = std::sync::mpsc::channel();
    let waiting = support::writer_command(dir.path(), &["--listen", &listen, "--wait", "120"]);
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(support::spawn(waiting, &path));
    });
    std::thread::sleep(Duration::from_millis(300));
    support::send_signal(writer.child.id(), "TERM");

    // The unfinished command is answered at once: 503, retry in a second, closed.
    let (answer, waited) = support::read_until_closed(&mut unfinished);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let head = answer.to_ascii_lowercase();
    assert!(head.contains("retry-after: 1\r\n"), "{answer}");
    assert!(head.contains("connection: close\r\n"), "{answer}");
    assert!(waited < Duration::from_secs(5), "answered after {waited:?}");
    assert!(writer.wait_for_exit().success(), "exit 0 after the drain");
    let successor = rx.recv_timeout(Duration::from_secs(60)).unwrap().ready();

    // Its retry, same key, is applied once by the successor.
    let retried = successor.place_on_writer("drain-1", &support::order_body("french-press", 1));
    assert_eq!(retried.status(), 201);
    assert!(
        retried.headers().get("idempotent-replayed").is_none(),
        "applied by the successor, not replayed: the first writer never applied it"
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    let refusals = refusals.lock().unwrap().clone();
    assert!(
        refusals.iter().all(|r| r.as_deref() == Some("1")),
        "every 503 says Retry-After: 1: {refusals:?}"
    );
    drop(successor);

    // Every acknowledged command exists exactly once, and nothing else does.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    let conn = support::open_db(dir.path());
    for (key, number) in &acknowledged {
        assert_eq!(
            support::orders_numbered(&conn, number),
            1,
            "{key} → {number}"
        );
    }
    assert_eq!(
        support::count(&conn, "orders") as usize,
        acknowledged.len() + 1
    );
}
