//! The deploy storm that lost real orders, replayed: clients place orders continuously
//! through the pages while the writer is restarted again and again with overlapping
//! starts (the new one started with `--wait` before the old one gets SIGTERM), and
//! killed with SIGKILL a few times. Afterwards every acknowledged order exists exactly
//! once and the audit passes.
//!
//! Run alone with the figures: `cargo test --release --test deploy deploy_storm -- --nocapture`.

use crate::support;

use crate::support::{Started, TestApp};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RESTARTS: usize = 12;
const CLIENTS: usize = 4;

fn start_writer_on(dir: &std::path::Path, port: u16, wait: bool) -> Started {
    support::spawn(support::writer_on_port(dir, port, wait), dir)
}

#[test]
fn overlapping_restarts_and_kills_lose_no_acknowledged_order() {
    let dir = tempfile::tempdir().unwrap();
    support::raise_stock(dir.path());
    let port = support::free_port();
    let mut writer = start_writer_on(dir.path(), port, false).ready();
    let pages = support::spawn(
        support::pages_command(&format!("http://127.0.0.1:{port}")),
        dir.path(),
    )
    .ready();

    // key → order number, for every order a client saw acknowledged (201).
    let acknowledged = Arc::new(Mutex::new(BTreeMap::<String, String>::new()));
    let retries = Arc::new(Mutex::new(0u64));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (base, acknowledged, retries, stop) = (
                pages.base_url.clone(),
                acknowledged.clone(),
                retries.clone(),
                stop.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .build()
                    .unwrap();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let key = format!("storm-{c}-{n}");
                    let body = support::order_body("french-press", 1);
                    // A client retries its own command with the same key until it is
                    // acknowledged, as a shopper's browser or an API client would.
                    let deadline = Instant::now() + Duration::from_secs(90);
                    loop {
                        let r = client
                            .post(format!("{base}/api/orders"))
                            .header("idempotency-key", &key)
                            .json(&body)
                            .send();
                        if let Ok(r) = r
                            && r.status() == 201
                        {
                            let v: serde_json::Value = r.json().unwrap();
                            let number = v["number"].as_str().unwrap().to_string();
                            acknowledged.lock().unwrap().insert(key.clone(), number);
                            break;
                        }
                        *retries.lock().unwrap() += 1;
                        assert!(Instant::now() < deadline, "{key} never acknowledged");
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })
        })
        .collect();

    let mut killed = 0;
    for round in 0..RESTARTS {
        std::thread::sleep(Duration::from_millis(400));
        // Overlap: the successor is already waiting for the lock when the old one stops.
        let path = dir.path().to_path_buf();
        let successor = std::thread::spawn(move || start_writer_on(&path, port, true));
        std::thread::sleep(Duration::from_millis(300));
        if round % 4 == 3 {
            support::send_signal(writer.child.id(), "KILL");
            killed += 1;
            let _ = writer.child.wait();
        } else {
            let old = std::mem::replace(&mut writer, dummy());
            assert!(old.stop().success(), "a writer exits 0 on SIGTERM");
        }
        writer = successor.join().unwrap().ready();
    }
    std::thread::sleep(Duration::from_millis(400));
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    drop(pages);
    assert!(writer.stop().success());

    let acknowledged = acknowledged.lock().unwrap().clone();
    let conn = support::open_db(dir.path());
    let orders = support::count(&conn, "orders");
    let keys = support::count(&conn, "idempotency_keys");
    let mut missing = Vec::new();
    for (key, number) in &acknowledged {
        let n = support::orders_numbered(&conn, number);
        if n != 1 {
            missing.push(format!("{key} → {number} exists {n} times"));
        }
    }
    drop(conn);
    let (audit_ok, audit) = support::check(dir.path());
    println!(
        "deploy storm: {RESTARTS} overlapping restarts ({killed} by SIGKILL), {} acknowledged orders, {} orders in the ledger, {} idempotency records, {} client retries; audit: {}",
        acknowledged.len(),
        orders,
        keys,
        retries.lock().unwrap(),
        audit.join(" | ")
    );
    assert!(missing.is_empty(), "{missing:?}");
    assert!(!acknowledged.is_empty());
    assert_eq!(
        orders as usize,
        acknowledged.len(),
        "orders == distinct acknowledged keys"
    );
    assert_eq!(keys, orders);
    assert!(audit_ok, "storefront check failed: {audit:?}");
}

/// A placeholder while the real writer is being replaced.
fn dummy() -> TestApp {
    TestApp {
        child: std::process::Command::new("true").spawn().unwrap(),
        base_url: String::new(),
        data_dir: Default::default(),
        stderr: Default::default(),
    }
}
