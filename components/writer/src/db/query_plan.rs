//! For unit tests: the planner's choices (`EXPLAIN QUERY PLAN`) for the writer's queries
//! against the real schema (every migration applied to an in-memory SQLite, the same
//! SQLite the host bundles), so a test can prove that a query reads by index.

use crate::db::migrations::MIGRATIONS;
use rusqlite::Connection;

/// An empty database with every migration applied.
pub fn schema() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory SQLite");
    for migration in MIGRATIONS {
        conn.execute_batch(migration.sql)
            .unwrap_or_else(|e| panic!("{}: {e}", migration.name));
    }
    conn
}

/// The plan of `sql`, one line per step (`SEARCH o USING INDEX …`, `SCAN …`, `USE TEMP
/// B-TREE …`); every parameter bound to NULL.
pub fn lines(conn: &Connection, sql: &str) -> Vec<String> {
    steps(conn, sql).into_iter().map(|(_, step)| step).collect()
}

/// The plan's steps at the top level (not inside a subquery): the outer query's reads and
/// sorts.
pub fn top_level(conn: &Connection, sql: &str) -> Vec<String> {
    steps(conn, sql)
        .into_iter()
        .filter(|(parent, _)| *parent == 0)
        .map(|(_, step)| step)
        .collect()
}

/// Whether a plan reads only by index and in order: no step scans a table and none sorts
/// in a temporary B-tree.
pub fn neither_scans_nor_sorts(plan: &[String]) -> bool {
    plan.iter()
        .all(|step| !step.starts_with("SCAN") && !step.contains("TEMP B-TREE"))
}

/// Each step of the plan with its parent step's id (0 at the top level).
fn steps(conn: &Connection, sql: &str) -> Vec<(i64, String)> {
    let mut statement = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
    let nulls = vec![rusqlite::types::Null; statement.parameter_count()];
    statement
        .query_map(rusqlite::params_from_iter(nulls), |row| {
            Ok((row.get::<_, i64>(1)?, row.get::<_, String>(3)?))
        })
        .expect("plan")
        .map(|step| step.expect("plan step"))
        .collect()
}
