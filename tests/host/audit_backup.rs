//! `storefront check` proves the ledger is whole and names what is not (`--full` every
//! order from scratch; routinely, the orders since the last clean run);
//! `storefront backup` takes a verified snapshot through the running writer, and a
//! snapshot restores.

use crate::support;

use crate::support::TOKEN;

fn backup(writer_url: &str, to: &std::path::Path) -> std::process::Output {
    support::storefront()
        .env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
        .args(["backup", "--manifest"])
        .arg(support::manifest())
        .args(["--writer-url", writer_url, "--to"])
        .arg(to)
        .output()
        .unwrap()
}

/// Places an order on the writer; the order as placed.
fn place(app: &support::TestApp, key: &str) -> serde_json::Value {
    let placed = app.place_on_writer(key, &support::order_body("french-press", 1));
    assert_eq!(placed.status(), 201);
    placed.json().unwrap()
}

#[test]
fn check_passes_on_a_whole_ledger_and_names_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_writer(dir.path());
    place(&app, "a-1");
    place(&app, "a-2");
    // Online, through the running writer; offline is refused while it owns the files.
    let online = support::storefront()
        .env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
        .args(["check", "--manifest"])
        .arg(support::manifest())
        .args(["--writer-url", &app.base_url])
        .output()
        .unwrap();
    assert!(online.status.success());
    assert!(String::from_utf8_lossy(&online.stdout).starts_with("audit ok"));
    let (offline_ok, _) = support::check(dir.path());
    assert!(
        !offline_ok,
        "offline check must refuse while a writer owns the data dir"
    );
    assert!(app.stop().success());

    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
    assert_eq!(lines.len(), 1, "one summary line");
    assert!(lines[0].contains("2 orders"), "{lines:?}");

    // Inject the failures the audit exists for, bypassing the writer.
    let conn = support::open_db(dir.path());
    conn.execute_batch(
        "UPDATE sqlite_sequence SET seq = seq + 2 WHERE name = 'orders';
         DROP TRIGGER orders_fixed_columns;
         UPDATE orders SET total_amount = total_amount + 1 WHERE id = 1;
         PRAGMA ignore_check_constraints = ON;
         UPDATE variants SET stock = -1 WHERE sku = 'milk-jug';
         DROP TRIGGER orders_access_token_fixed;
         UPDATE orders SET access_token = NULL WHERE id = 2;",
    )
    .unwrap();
    let tokenless: String = conn
        .query_row("SELECT number FROM orders WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let (ok, lines) = support::check_full(dir.path());
    assert!(!ok);
    let text = lines.join("\n");
    assert!(
        text.contains("orders: sqlite_sequence says 4 ids were issued but MAX(id) is 2"),
        "{text}"
    );
    assert!(text.contains("milk-jug: stock is -1"), "{text}");
    assert!(
        text.contains(&format!("order {tokenless}: has no access token")),
        "{text}"
    );
    // total = subtotal − discount + shipping (+ tax when added) no longer holds.
    assert!(text.contains("but subtotal"), "{text}");
    // integrity_check itself reports the row that breaks its CHECK constraint.
    assert!(
        text.contains("integrity_check: CHECK constraint failed in variants"),
        "{text}"
    );
    assert_eq!(lines.len(), 5, "one line per finding: {lines:?}");
}

/// The routine audit verifies the orders placed since the last clean run (and the
/// global invariants): it finds a mismatch injected into a new order, not one in an order
/// it verified before; `--full` finds both.
#[test]
fn the_routine_audit_finds_a_mismatch_in_orders_since_its_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    // No routine audits while the writer runs: only the `check`s below set checkpoints.
    let start = || {
        support::spawn(
            support::writer_command(dir.path(), &["--audit-every", "0"]),
            dir.path(),
        )
        .ready()
    };
    let app = start();
    let old = place(&app, "i-1")["number"].as_str().unwrap().to_string();
    assert!(app.stop().success());
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");

    let app = start();
    let new = place(&app, "i-2")["number"].as_str().unwrap().to_string();
    assert!(app.stop().success());
    let conn = support::open_db(dir.path());
    conn.execute_batch(
        "DROP TRIGGER orders_fixed_columns;
         UPDATE orders SET total_amount = total_amount + 1;",
    )
    .unwrap();
    drop(conn);

    let (ok, lines) = support::check(dir.path());
    assert!(!ok, "{lines:?}");
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("order {new}: total")),
        "the new order's mismatch: {text}"
    );
    assert!(
        !text.contains(&old),
        "the order verified before is not read again: {text}"
    );
    // Until it is fixed, the next routine run still finds it (the checkpoint is the
    // last clean run's).
    let (ok, again) = support::check(dir.path());
    assert!(!ok && again == lines, "{again:?}");
    let (ok, lines) = support::check_full(dir.path());
    assert!(!ok);
    let text = lines.join("\n");
    assert!(text.contains(&format!("order {new}: total")), "{text}");
    assert!(text.contains(&format!("order {old}: total")), "{text}");
}

/// `storefront check --writer-url` audits through the running writer in calls that each
/// stay inside its request limit: the file's integrity one table per call, and with
/// `--full` the orders a page at a time. Through the writer and offline it reads the same
/// pages and finds the same problem, on whichever page it is.
#[test]
fn check_through_the_writer_pages_and_agrees_with_the_offline_check() {
    let dir = tempfile::tempdir().unwrap();
    let online = |app: &support::TestApp, args: &[&str]| {
        let out = support::storefront()
            .env("SPIN_VARIABLE_WRITER_TOKEN", TOKEN)
            .arg("check")
            .args(args)
            .arg("--manifest")
            .arg(support::manifest())
            .args(["--writer-url", &app.base_url])
            .output()
            .unwrap();
        let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        (out.status.success(), lines)
    };
    let app = support::start_writer(dir.path());
    let numbers: Vec<String> = (1..=5)
        .map(|i| {
            place(&app, &format!("p-{i}"))["number"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let (ok, lines) = online(&app, &["--full", "--page-orders", "2"]);
    assert!(ok, "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("5 orders verified in all, in 3 page(s) of at most 2"),
        "{lines:?}"
    );
    assert!(lines[0].contains("integrity ok ("), "{lines:?}");
    let (ok, routine) = online(&app, &[]);
    assert!(
        ok && routine[0].starts_with("audit ok: integrity ok ("),
        "{routine:?}"
    );
    assert!(app.stop().success());
    let (ok, offline) = support::check_with(dir.path(), &["--full", "--page-orders", "2"]);
    assert!(ok && offline == lines, "{offline:?} and {lines:?}");

    // A problem in an order of the second page only.
    let conn = support::open_db(dir.path());
    conn.execute_batch(
        "DROP TRIGGER orders_fixed_columns;
         UPDATE orders SET total_amount = total_amount + 1 WHERE id = 3;",
    )
    .unwrap();
    drop(conn);
    let app = support::start_writer(dir.path());
    let (ok, found) = online(&app, &["--full", "--page-orders", "2"]);
    assert!(!ok);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!("order {}: total", numbers[2])),
        "{found:?}"
    );
    assert!(app.stop().success());
    let (ok, offline) = support::check_with(dir.path(), &["--full", "--page-orders", "2"]);
    assert!(!ok && offline == found, "{offline:?} and {found:?}");
    // The stored run is the whole run's: not clean.
    let ok: i64 = support::open_db(dir.path())
        .query_row(
            "SELECT ok FROM audit_runs WHERE full = 1 ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ok, 0);
}

#[test]
fn backup_is_consistent_verified_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::start_writer(dir.path());
    let first = place(&app, "b-1");
    place(&app, "b-2");
    let snapshot = dir.path().join("backup-1.db");
    let out = backup(&app.base_url, &snapshot);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("integrity ok, 2 orders"));
    // The target is never overwritten.
    assert!(!backup(&app.base_url, &snapshot).status.success());
    place(&app, "b-3");
    assert!(app.stop().success());
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 3);

    // Restore (README): with no writer running, replace the database file with the
    // snapshot and remove any WAL left beside it, then start the writer.
    let data = dir.path().join("sqlite_db.db");
    std::fs::copy(&snapshot, &data).unwrap();
    let _ = std::fs::remove_file(dir.path().join("sqlite_db.db-wal"));
    let restored = support::start_writer(dir.path());
    let replay = restored.place_on_writer("b-1", &support::order_body("french-press", 1));
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    // The order's access token came back with it: every link sent before still opens it.
    let replayed: serde_json::Value = replay.json().unwrap();
    assert_eq!(replayed["access_token"], first["access_token"]);
    assert_eq!(
        support::client()
            .get(restored.url(&format!("/orders/{}", first["number"].as_str().unwrap())))
            .bearer_auth(TOKEN)
            .send()
            .unwrap()
            .json::<serde_json::Value>()
            .unwrap()["access_token"],
        first["access_token"]
    );
    assert!(restored.stop().success());
    assert_eq!(support::count(&support::open_db(dir.path()), "orders"), 2);
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}
