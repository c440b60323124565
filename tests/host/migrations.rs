//! Migrations are applied by the writer exactly once, recorded with their checksums,
//! and an applied migration whose checksum no longer matches stops the start.

use crate::support;

fn migration_files() -> usize {
    std::fs::read_dir(support::repo_root().join("migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count()
}

fn applied(dir: &std::path::Path) -> Vec<(i64, String, String)> {
    let conn = support::open_db(dir);
    let mut stmt = conn
        .prepare("SELECT version, checksum, applied_at FROM schema_migrations ORDER BY version")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn migrations_are_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    assert!(support::start(dir.path()).stop().success());
    let first = applied(dir.path());
    assert_eq!(first.len(), migration_files());
    assert!(first.iter().all(|(_, checksum, _)| checksum.len() == 64));
    let products = support::count(&support::open_db(dir.path()), "products");

    assert!(support::start(dir.path()).stop().success());
    assert_eq!(applied(dir.path()), first, "a restart re-applied nothing");
    assert_eq!(
        support::count(&support::open_db(dir.path()), "products"),
        products
    );
}

#[test]
fn an_edited_applied_migration_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    assert!(support::start(dir.path()).stop().success());
    // What the writer sees when a released migration file was edited: its checksum
    // differs from the one recorded when it was applied.
    support::open_db(dir.path())
        .execute(
            "UPDATE schema_migrations SET checksum = ? WHERE version = 1",
            ["0".repeat(64)],
        )
        .unwrap();
    let (status, stderr) = support::spawn(support::up_command(dir.path()), dir.path())
        .refused("a migration was tampered with");
    assert!(!status.success());
    let text = stderr.join("\n");
    assert!(text.contains("0001_catalog.sql"), "{text}");
    assert!(text.contains("changed after it was applied"), "{text}");
}

/// The digest the requests trust is the recorded list's own: `schema_digest` names exactly
/// the migrations `schema_migrations` holds, and a row that names anything else (another
/// build's, or a stale one) is written again by the next full check, the start's.
#[test]
fn the_recorded_digest_names_exactly_the_recorded_migrations() {
    use sha2::Digest as _;
    let dir = tempfile::tempdir().unwrap();
    assert!(support::start(dir.path()).stop().success());
    let listed = || {
        applied(dir.path())
            .iter()
            .map(|(version, checksum, _)| format!("{version}:{checksum}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let digest = || -> String {
        support::open_db(dir.path())
            .query_row("SELECT digest FROM schema_digest WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(digest(), hex::encode(sha2::Sha256::digest(listed())));

    support::open_db(dir.path())
        .execute("UPDATE schema_digest SET digest = ?", ["0".repeat(64)])
        .unwrap();
    assert!(support::start(dir.path()).stop().success());
    assert_eq!(digest(), hex::encode(sha2::Sha256::digest(listed())));
}

/// A data dir as today's writer left it before the catalog model (migrations 0001–0006,
/// recorded as the writer records them), with orders, lines and stock adjustments.
fn pre_variant_data_dir(dir: &std::path::Path) {
    use sha2::Digest as _;
    let conn = support::open_db(dir);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;")
        .unwrap();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            checksum   TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .unwrap();
    for version in 1..=6 {
        let path = std::fs::read_dir(support::repo_root().join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&format!("{version:04}_"))
            })
            .unwrap();
        let sql = std::fs::read(&path).unwrap();
        conn.execute_batch(std::str::from_utf8(&sql).unwrap())
            .unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
             VALUES (?, ?, ?, '2026-11-01T00:00:00.000Z')",
            rusqlite::params![
                version,
                path.file_name().unwrap().to_str().unwrap(),
                hex::encode(sha2::Sha256::digest(&sql)),
            ],
        )
        .unwrap();
    }
    // Three orders as the old writer wrote them (just now, so that the host does not expire
    // the pending ones during the test): one with two lines, one cancelled, and a stock
    // adjustment.
    let orders = [
        (
            "SF-0000-0000-0001",
            "pending_payment",
            vec![("kenya-nyeri-aa", 1890, 1), ("milk-jug", 1650, 2)],
        ),
        (
            "SF-0000-0000-0002",
            "cancelled",
            vec![("ethiopia-yirgacheffe", 1450, 3)],
        ),
        (
            "SF-0000-0000-0003",
            "pending_payment",
            vec![("house-espresso-blend", 3490, 1)],
        ),
    ];
    for (number, state, lines) in &orders {
        let total: i64 = lines.iter().map(|(_, unit, q)| unit * q).sum();
        conn.execute(
            "INSERT INTO orders (number, state, email, name, address_line1, address_city, \
             address_postal_code, address_country, currency, total_amount, created_at, updated_at) \
             VALUES (?, ?, 'ada@example.com', 'Ada', '12 Row', 'London', 'N1', 'GB', 'EUR', ?, \
             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            rusqlite::params![number, state, total],
        )
        .unwrap();
        let order_id = conn.last_insert_rowid();
        for (slug, unit, quantity) in lines {
            conn.execute(
                "INSERT INTO order_lines (order_id, product_id, slug, name, quantity, unit_amount, \
                 currency, line_amount) \
                 SELECT ?, id, slug, name, ?, ?, 'EUR', ? FROM products WHERE slug = ?",
                rusqlite::params![order_id, quantity, unit, unit * quantity, slug],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO order_events (order_id, from_state, to_state, at) \
             VALUES (?, NULL, 'pending_payment', '2026-11-01T10:00:00.000Z')",
            [order_id],
        )
        .unwrap();
        if *state == "cancelled" {
            conn.execute(
                "INSERT INTO order_events (order_id, from_state, to_state, at) \
                 VALUES (?, 'pending_payment', 'cancelled', '2026-11-01T11:00:00.000Z')",
                [order_id],
            )
            .unwrap();
        }
    }
    conn.execute_batch(
        "INSERT INTO stock_adjustments (product_id, delta, reason, stock_after, idempotency_key, \
         fingerprint, created_at) SELECT id, 5, 'delivery', stock + 5, 'restock-1', 'f', \
         '2026-11-01T09:00:00.000Z' FROM products WHERE slug = 'milk-jug';
         UPDATE products SET stock = stock + 5 WHERE slug = 'milk-jug';",
    )
    .unwrap();
}

type Line = (i64, i64, String, String, i64, i64);

fn lines(conn: &rusqlite::Connection, sql: &str) -> Vec<Line> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[test]
fn orders_from_before_variants_migrate_without_losing_a_row() {
    let dir = tempfile::tempdir().unwrap();
    pre_variant_data_dir(dir.path());
    let conn = support::open_db(dir.path());
    let line_sql =
        "SELECT id, order_id, slug, name, quantity, line_amount FROM order_lines ORDER BY id";
    let before_lines = lines(&conn, line_sql);
    let before_stock: Vec<(String, i64)> = {
        let mut stmt = conn
            .prepare("SELECT slug, stock FROM products ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let sequences = |conn: &rusqlite::Connection| -> Vec<(String, i64)> {
        let mut stmt = conn
            .prepare(
                "SELECT name, seq FROM sqlite_sequence WHERE name IN \
                 ('orders', 'order_lines', 'order_events', 'stock_adjustments') ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let before_sequences = sequences(&conn);
    assert_eq!(before_sequences.len(), 4);
    drop(conn);

    // The migrations run at the first start; orders placed before access tokens existed
    // get one each, distinct, which opens them from then on.
    assert!(support::start(dir.path()).stop().success());
    let conn = support::open_db(dir.path());
    let tokens: Vec<(String, String)> = conn
        .prepare("SELECT number, access_token FROM orders ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    drop(conn);
    let distinct: std::collections::BTreeSet<&String> = tokens.iter().map(|(_, t)| t).collect();
    assert_eq!(distinct.len(), tokens.len(), "{tokens:?}");
    for (number, token) in &tokens {
        assert!(
            token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
            "{number}: {token}"
        );
        support::remember_token(number, token);
    }
    let app = support::start(dir.path());
    for number in ["SF-0000-0000-0001", "SF-0000-0000-0002"] {
        let json = app.order(number);
        assert_eq!(json["number"], number, "{json}");
        let page = support::as_shopper(
            support::client().get(app.url(&format!("/orders/{number}"))),
            number,
        )
        .send()
        .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().unwrap().contains(number));
    }
    let json = app.order("SF-0000-0000-0001");
    assert_eq!(json["totals"]["subtotal"], json["total"], "{json}");
    assert_eq!(json["totals"]["shipping"]["amount"], 0);
    assert!(json["shipping"].is_null() && json["discount"].is_null());
    assert_eq!(json["items"][1]["sku"], "milk-jug");
    assert_eq!(
        json["items"][0]["name"], "Kenya Nyeri AA, 250 g",
        "the name as sold"
    );
    assert!(app.stop().success());

    let conn = support::open_db(dir.path());
    assert_eq!(
        lines(&conn, line_sql),
        before_lines,
        "every line, with its id"
    );
    assert_eq!(sequences(&conn), before_sequences, "ids ever issued");
    let migrated: i64 = conn
        .query_row(
            "SELECT count(*) FROM order_lines l JOIN variants v ON v.id = l.variant_id \
             JOIN products p ON p.id = l.product_id \
             WHERE v.sku = p.slug AND l.sku = p.slug AND v.product_id = p.id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        migrated,
        before_lines.len() as i64,
        "each line points at its migrated variant"
    );
    let adjustment: (i64, String) = conn
        .query_row(
            "SELECT a.id, v.sku FROM stock_adjustments a JOIN variants v ON v.id = a.variant_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(adjustment, (1, "milk-jug".to_string()));
    // 0009: orders from before shipping and tax keep their total as their subtotal.
    let (orders, lines_only): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(subtotal_amount = total_amount AND discount_amount = 0 \
             AND shipping_amount = 0 AND tax_amount = 0 AND shipping_method IS NULL \
             AND discount_code IS NULL) FROM orders",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(lines_only, orders, "all {orders} orders");
    for (slug, stock) in &before_stock {
        let (migrated, position): (i64, i64) = conn
            .query_row(
                "SELECT stock, position FROM variants WHERE sku = ?",
                [slug],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (migrated, position),
            (*stock, 0),
            "{slug}: the default variant keeps its stock"
        );
    }
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('products')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(
        !columns.iter().any(|c| c == "stock" || c == "price_amount"),
        "{columns:?}"
    );
    drop(conn);
    let (ok, lines) = support::check(dir.path());
    assert!(ok, "{lines:?}");
}
