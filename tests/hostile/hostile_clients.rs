//! One anonymous client must not be able to take the shop down. Each test is one
//! attack seen on loopback against `storefront up`, `pages` or `writer`: slow
//! bodies exhausting the component instances, idle and half-sent connections held
//! forever, stalled uploads growing memory, idle sockets holding up a writer
//! handover, a `Host` header rewriting the path a component sees, and an accept
//! loop spinning on `EMFILE`.

use crate::support;

use crate::support::{TOKEN, TestApp};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `storefront up` with extra flags.
fn up_with(dir: &std::path::Path, flags: &[&str]) -> TestApp {
    let mut cmd = support::up_command(dir);
    cmd.args(flags);
    support::spawn(cmd, dir).ready()
}

/// Opens a connection and sends `head` (and `body`), leaving it open.
fn send_partial(app: &TestApp, head: &str, body: &[u8]) -> TcpStream {
    let mut stream = support::raw_connection(app, Duration::from_secs(30));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    stream.flush().unwrap();
    stream
}

#[test]
fn slow_bodies_hold_connections_but_never_component_instances() {
    let dir = tempfile::tempdir().unwrap();
    // Generous body timeouts: the slow clients stay for the whole test.
    let app = up_with(
        dir.path(),
        &["--body-idle-timeout", "120s", "--body-timeout", "120s"],
    );
    let addr = support::addr(&app);
    let slow: Vec<TcpStream> = (0..300)
        .map(|_| {
            send_partial(
                &app,
                &format!(
                    "POST /api/orders HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
                     idempotency-key: slow\r\ncontent-length: 100\r\n\r\n"
                ),
                b"",
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    let client = support::client();
    for i in 0..10 {
        let page = client.get(app.url("/")).send().unwrap();
        assert_eq!(page.status(), 200, "GET / while 300 slow bodies are held");
        let order = app.post_order(
            Some(&format!("shopper-{i}")),
            &support::order_body("french-press", 1),
        );
        assert_eq!(
            order.status(),
            201,
            "POST /api/orders while 300 slow bodies are held"
        );
    }
    let log = app.stderr().join("\n");
    assert!(!log.contains("component instances"), "{log}");
    drop(slow);
}

#[test]
fn idle_and_half_sent_connections_are_closed_by_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let app = up_with(dir.path(), &["--header-timeout", "1s"]);
    let addr = support::addr(&app);
    let patience = Duration::from_secs(20);

    let mut idle = support::raw_connection(&app, patience);
    let mut half_head = send_partial(&app, &format!("GET / HTTP/1.1\r\nhost: {addr}\r\n"), b"");
    // A kept-alive connection going idle after one answered request.
    let mut kept_alive = send_partial(
        &app,
        &format!("GET /api/products HTTP/1.1\r\nhost: {addr}\r\n\r\n"),
        b"",
    );

    for (what, stream) in [
        ("idle", &mut idle),
        ("half a head", &mut half_head),
        ("kept alive", &mut kept_alive),
    ] {
        let (received, waited) = support::read_until_closed(stream);
        assert!(
            waited < Duration::from_secs(5),
            "{what}: still open after {waited:?}"
        );
        if what == "kept alive" {
            assert!(received.starts_with("HTTP/1.1 200"), "{received}");
        } else {
            assert!(!received.contains(" 200 "), "{what}: {received}");
        }
    }
    // The server itself is fine.
    let r = support::client()
        .get(app.url("/api/products"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// Stalls 20 uploads declared at 16 MiB (15 MiB sent) and 20 declared at 900 KiB
/// (4 KiB sent) against `app`, and returns the growth of its RSS and peak RSS (KiB).
fn stall_uploads(app: &TestApp, path: &str) -> (u64, u64) {
    let warm = support::client()
        .get(app.url(path))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(warm.status().is_success(), "{}", warm.status());
    std::thread::sleep(Duration::from_millis(300));
    let pid = app.child.id();
    let (rss_before, hwm_before) = support::memory_kib(pid);
    let addr = support::addr(app);
    let head = |len: usize| {
        format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {TOKEN}\r\n\
             content-type: application/json\r\ncontent-length: {len}\r\n\r\n"
        )
    };
    let big = vec![b' '; 15 << 20];
    let small = vec![b' '; 4 << 10];
    let senders: Vec<_> = (0..40)
        .map(|i| {
            let (head, body) = if i % 2 == 0 {
                (head(16 << 20), big.clone())
            } else {
                (head(900 << 10), small.clone())
            };
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(head.as_bytes()).unwrap();
                s.write_all(&body).unwrap();
                s.flush().unwrap();
                s
            })
        })
        .collect();
    let held: Vec<TcpStream> = senders.into_iter().map(|t| t.join().unwrap()).collect();
    std::thread::sleep(Duration::from_secs(1));
    let (rss_after, hwm_after) = support::memory_kib(pid);
    // Still serving while they stall.
    let r = support::client()
        .get(app.url(path))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    drop(held);
    (
        rss_after.saturating_sub(rss_before),
        hwm_after.saturating_sub(hwm_before),
    )
}

#[test]
fn stalled_uploads_do_not_grow_memory() {
    let dir = tempfile::tempdir().unwrap();
    let stalled = ["--body-idle-timeout", "120s", "--body-timeout", "120s"];
    let mut cmd = support::writer_command(dir.path(), &stalled);
    let writer = support::spawn(cmd, dir.path()).ready();
    cmd = support::pages_command(&writer.base_url);
    cmd.args(stalled);
    let pages = support::spawn(cmd, dir.path()).ready();

    // Bound: bodies over the cap are discarded as they arrive, never buffered; the
    // 20 small ones hold 4 KiB each; each connection buffers at most 64 KiB
    // (--max-head-bytes): 40 × 64 KiB = 2.5 MiB. 64 MiB leaves room for allocator
    // slack and stays far below the 300 MiB that buffering the big ones would take.
    const BOUND_KIB: u64 = 64 << 10;
    for (name, app, path) in [
        ("pages", &pages, "/api/products"),
        ("writer", &writer, "/health"),
    ] {
        let (rss, hwm) = stall_uploads(app, path);
        println!("{name}: RSS +{rss} KiB, peak +{hwm} KiB with 40 stalled uploads");
        assert!(rss < BOUND_KIB, "{name}: RSS grew {rss} KiB");
        assert!(hwm < BOUND_KIB, "{name}: peak RSS grew {hwm} KiB");
    }
}

#[test]
fn a_writer_handover_with_idle_and_half_sent_sockets_is_quick_and_invisible() {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let port = support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let writer_at = |wait: bool| support::writer_on_port(dir.path(), port, wait);
    let mut writer = support::spawn(writer_at(false), dir.path()).ready();
    let pages = support::spawn(support::pages_command(&writer.base_url), dir.path()).ready();

    // Shoppers order through the pages all along.
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::<(String, u16)>::new()));
    let shoppers: Vec<_> = (0..4)
        .map(|c| {
            let (base, stop, answers) = (pages.base_url.clone(), stop.clone(), answers.clone());
            std::thread::spawn(move || {
                let client = support::client();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let key = format!("handover-{c}-{n}");
                    let status = client
                        .post(format!("{base}/api/orders"))
                        .header("idempotency-key", &key)
                        .json(&support::order_body("french-press", 1))
                        .send()
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    answers.lock().unwrap().push((key, status));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));

    // 50 idle connections and 20 that sent a head and half an order.
    let idle: Vec<TcpStream> = (0..50)
        .map(|_| support::raw_connection(&writer, Duration::from_secs(30)))
        .collect();
    let body = serde_json::to_vec(&support::order_body("french-press", 1)).unwrap();
    let half_sent: Vec<TcpStream> = (0..20)
        .map(|i| {
            send_partial(
                &writer,
                &format!(
                    "POST /orders HTTP/1.1\r\nhost: {listen}\r\nauthorization: Bearer {TOKEN}\r\n\
                     idempotency-key: half-{i}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\n\r\n",
                    body.len()
                ),
                &body[..body.len() / 2],
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    let path = dir.path().to_path_buf();
    let cmd = writer_at(true);
    let successor = std::thread::spawn(move || support::spawn(cmd, &path));
    std::thread::sleep(Duration::from_millis(300));
    let sigterm = Instant::now();
    support::send_signal(writer.child.id(), "TERM");
    let status = writer.wait_for_exit();
    let exited = sigterm.elapsed();
    assert!(status.success(), "the old writer exits 0");
    assert!(
        exited < Duration::from_secs(10),
        "the old writer took {exited:?} to exit"
    );
    let successor = successor.join().unwrap().ready();
    let serving = sigterm.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::SeqCst);
    for s in shoppers {
        s.join().unwrap();
    }
    println!(
        "handover: old writer exited {exited:?} after SIGTERM, successor serving after {serving:?}"
    );

    for mut s in half_sent {
        let (answer, _) = support::read_until_closed(&mut s);
        let head = answer.to_ascii_lowercase();
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(head.contains("retry-after: 1\r\n"), "{answer}");
        assert!(head.contains("connection: close\r\n"), "{answer}");
    }
    for mut s in idle {
        let (answer, _) = support::read_until_closed(&mut s);
        assert_eq!(answer, "", "an idle connection is closed without an answer");
    }
    let answers = answers.lock().unwrap().clone();
    let failed: Vec<_> = answers.iter().filter(|(_, s)| *s != 201).collect();
    assert!(failed.is_empty(), "shoppers saw {failed:?}");
    assert!(answers.len() > 4, "shoppers ordered during the handover");
    drop(pages);
    drop(successor);
    // Every acknowledged order exists once; none of the half-sent ones was applied.
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "orders") as usize, answers.len());
    let half: i64 = conn
        .query_row(
            "SELECT count(*) FROM idempotency_keys WHERE key LIKE 'half-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(half, 0);
}

#[test]
fn the_host_header_cannot_change_the_path_a_component_sees() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = support::up_command(dir.path());
    cmd.env("SPIN_VARIABLE_ADMIN_TOKEN", support::ADMIN_TOKEN)
        .env("STOREFRONT_LOG", "info,storefront::request=debug");
    let app = support::spawn(cmd, dir.path()).ready();
    let placed = app.post_order(Some("first"), &support::order_body("french-press", 1));
    assert_eq!(placed.status(), 201);
    let number = placed.json::<serde_json::Value>().unwrap()["number"]
        .as_str()
        .unwrap()
        .to_string();

    let body = serde_json::to_vec(&support::order_body("french-press", 1)).unwrap();
    let raw = |host: &str, key: &str| {
        let mut s = send_partial(
            &app,
            &format!(
                "POST /api/orders HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {}\r\n\
                 idempotency-key: {key}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n",
                support::ADMIN_TOKEN,
                body.len()
            ),
            &body,
        );
        support::read_until_closed(&mut s).0
    };
    let attack = raw(&format!("x/admin/orders/{number}/cancel?"), "attack");
    assert!(attack.starts_with("HTTP/1.1 400"), "{attack}");
    assert!(attack.contains("bad_host"), "{attack}");
    assert_eq!(app.order(&number)["state"], "pending_payment");
    for host in [
        "x?y",
        "user@shop.example",
        "shop example",
        "shop.example:port",
    ] {
        let refused = raw(host, "attack");
        assert!(refused.starts_with("HTTP/1.1 400"), "{host}: {refused}");
    }

    let normal = raw("shop.example:8080", "normal");
    assert!(normal.starts_with("HTTP/1.1 201"), "{normal}");
    let log = app.log_once(|l| l.contains("http://shop.example:8080/api/orders"));
    assert!(
        log.contains("POST /api/orders as http://shop.example:8080/api/orders"),
        "{log}"
    );
    drop(app);
    // The first order and the normal one; nothing was cancelled.
    let conn = support::open_db(dir.path());
    assert_eq!(support::count(&conn, "orders"), 2);
    let cancelled: i64 = conn
        .query_row(
            "SELECT count(*) FROM orders WHERE state = 'cancelled'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cancelled, 0);
}

#[test]
fn out_of_file_descriptors_the_accept_loop_backs_off_and_logs_little() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = support::with_fd_limit(&support::up_command(dir.path()), 64);
    let app = support::spawn(cmd, dir.path()).ready();
    let lines_before = app.stderr().len();

    // Far more connections than the process has descriptors: the kernel completes
    // them into the listen backlog, and the server's accept() fails with EMFILE.
    let held: Vec<TcpStream> = (0..150)
        .map(|_| TcpStream::connect(support::addr(&app)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let during = app.stderr()[lines_before..].to_vec();
    assert!(
        during.iter().any(|l| l.contains("accept failed")),
        "EMFILE was reached: {during:?}"
    );
    assert!(
        during.len() <= 6,
        "at most about one line a second: {} lines",
        during.len()
    );

    drop(held);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = support::client().get(app.url("/api/products")).send();
        if matches!(&r, Ok(r) if r.status() == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not recover: {r:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_full_server_queues_requests_and_then_answers_503_with_retry_after() {
    // Two component slots, sixteen shoppers at once: they queue, none fails.
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let app = up_with(dir.path(), &["--max-in-flight", "2"]);
    let base = app.base_url.clone();
    let shoppers: Vec<_> = (0..16)
        .map(|c| {
            let base = base.clone();
            std::thread::spawn(move || {
                let client = support::client();
                (0..3)
                    .map(|n| {
                        client
                            .post(format!("{base}/api/orders"))
                            .header("idempotency-key", format!("queued-{c}-{n}"))
                            .json(&support::order_body("french-press", 1))
                            .send()
                            .unwrap()
                            .status()
                            .as_u16()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for s in shoppers {
        assert_eq!(s.join().unwrap(), vec![201; 3]);
    }

    // One slot, held for seconds by a request whose writer does not answer (the
    // pages retry it for 10 s): the next request waits the queue timeout, then 503.
    let nowhere = format!("http://127.0.0.1:{}", support::free_port());
    let mut cmd = support::pages_command(&nowhere);
    cmd.args(["--max-in-flight", "1", "--queue-timeout", "500ms"]);
    let pages = support::spawn(cmd, dir.path()).ready();
    let url = pages.url("/api/products");
    let holder = std::thread::spawn(move || support::client().get(url).send().unwrap().status());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let queued = support::client()
        .get(pages.url("/api/products"))
        .send()
        .unwrap();
    assert_eq!(queued.status(), 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(queued.headers()["retry-after"], "1");
    let error: serde_json::Value = queued.json().unwrap();
    assert_eq!(error["error"]["code"], "busy", "{error}");
    assert_eq!(
        holder.join().unwrap(),
        503,
        "the pages' own answer once the writer stays away"
    );
}

#[test]
fn an_oversized_request_head_is_refused_431() {
    let dir = tempfile::tempdir().unwrap();
    let app = up_with(dir.path(), &["--max-head-bytes", "16384"]);
    let addr = support::addr(&app);
    for size in [20_000, 300_000] {
        let mut s = support::raw_connection(&app, Duration::from_secs(30));
        let head = format!(
            "GET / HTTP/1.1\r\nhost: {addr}\r\nx-padding: {}\r\n\r\n",
            "a".repeat(size)
        );
        // The server may answer and close before it has all of it.
        let _ = s.write_all(head.as_bytes());
        let (answer, _) = support::read_until_closed(&mut s);
        assert!(answer.starts_with("HTTP/1.1 431"), "{size}: {answer}");
    }
    let fits = support::client()
        .get(app.url("/api/products"))
        .header("x-padding", "a".repeat(8_000))
        .send()
        .unwrap();
    assert_eq!(fits.status(), 200);
}

#[test]
fn a_component_instance_is_stopped_after_its_lifetime_and_its_slot_freed() {
    // The pages retry a writer that never answers for 10 s: with one slot and a
    // 1 s lifetime, each request gets its slot back after a second, not ten.
    let dir = tempfile::tempdir().unwrap();
    let nowhere = format!("http://127.0.0.1:{}", support::free_port());
    let mut cmd = support::pages_command(&nowhere);
    cmd.args(["--max-in-flight", "1", "--instance-lifetime", "1s"]);
    let pages = support::spawn(cmd, dir.path()).ready();
    for _ in 0..2 {
        let started = Instant::now();
        let r = support::client()
            .get(pages.url("/api/products"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 500);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    let log = pages.log_once(|l| l.contains("lifetime"));
    assert!(log.contains("stopped after its lifetime of 1s"), "{log}");
}

#[test]
fn on_one_connection_thread_stalled_clients_hold_up_no_one() {
    // Every connection, and the pages that answer them, share the one thread: a client
    // that sent half a head and one that sent half a body wait on it without blocking it,
    // and concurrent shoppers get their pages and their orders placed.
    let dir = tempfile::tempdir().unwrap();
    let app = up_with(dir.path(), &["--connection-threads", "1"]);
    let addr = support::addr(&app);
    let _half_head = send_partial(&app, &format!("GET / HTTP/1.1\r\nhost: {addr}\r\n"), b"");
    let _half_body = send_partial(
        &app,
        &format!(
            "POST /api/orders HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             content-length: 1000\r\n\r\n"
        ),
        b"{\"email\":",
    );
    let numbers: Vec<String> = std::thread::scope(|s| {
        let shoppers: Vec<_> = (0..4)
            .map(|i| {
                let app = &app;
                s.spawn(move || {
                    assert!(app.page("/products/french-press").contains("French Press"));
                    app.place_order(&format!("one-thread-{i}"))
                })
            })
            .collect();
        shoppers.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for number in &numbers {
        assert_eq!(app.order(number)["number"], number.as_str());
    }
}
