//! Reading the data dir's SQLite file directly, which only works while no writer owns
//! it: row counts, the ledger tables, one order number's rows.

use std::path::Path;

/// Opens the app's database file directly (only valid while no writer runs).
pub fn open_db(data_dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data_dir.join("sqlite_db.db")).unwrap()
}

pub fn count(conn: &rusqlite::Connection, table: &str) -> i64 {
    scalar(conn, &format!("SELECT count(*) FROM {table}"))
}

/// The one integer a query such as `SELECT count(*) …` answers.
pub fn scalar(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// How many orders carry `number` (1 for every acknowledged order, whatever happened).
pub fn orders_numbered(conn: &rusqlite::Connection, number: &str) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM orders WHERE number = ?",
        [number],
        |r| r.get(0),
    )
    .unwrap()
}

/// What [`ledger_counts`] says after exactly `n` single-line orders.
pub fn ledger_of(n: i64) -> Vec<(&'static str, i64)> {
    vec![
        ("orders", n),
        ("order_lines", n),
        ("order_events", n),
        ("idempotency_keys", n),
    ]
}

/// Rows in every ledger table (only while no writer runs).
pub fn ledger_counts(data_dir: &Path) -> Vec<(&'static str, i64)> {
    let conn = open_db(data_dir);
    ["orders", "order_lines", "order_events", "idempotency_keys"]
        .into_iter()
        .map(|t| (t, count(&conn, t)))
        .collect()
}
