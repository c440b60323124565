//! Helpers for the lease's unit tests: a database in a temporary directory, statements run
//! from test code, and two requests placed in one batch.

use super::{Lease, SqlError};
use crate::database::Database;
use crate::database::batch::{CommitMode, CommitPolicy, OutputGate};
use rusqlite::types::Value;
use std::time::Duration;

pub(super) type Rows = Vec<Vec<Value>>;

/// Runs one statement from synchronous test code (on a multi-thread runtime).
pub(super) fn exec(lease: &mut Lease, sql: &str) -> Result<Rows, SqlError> {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(exec_async(lease, sql))
    })
}

pub(super) async fn exec_async(lease: &mut Lease, sql: &str) -> Result<Rows, SqlError> {
    lease
        .execute(sql, |stmt| {
            let n = stmt.column_count();
            let mut out = Vec::new();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                out.push((0..n).map(|i| row.get(i)).collect::<Result<_, _>>()?);
            }
            Ok(out)
        })
        .await
        .map(Option::unwrap_or_default)
}

pub(super) fn ok(lease: &mut Lease, sql: &str) -> Rows {
    exec(lease, sql).unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

/// What the writer runs on every open.
pub(super) fn writer_pragmas(lease: &mut Lease) {
    for p in [
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 5000",
        "PRAGMA synchronous = FULL",
        "PRAGMA journal_mode = WAL",
    ] {
        ok(lease, p);
    }
}

pub(super) fn open(dir: &std::path::Path, mode: CommitMode) -> Database {
    Database::open_exclusive(
        dir,
        CommitPolicy {
            mode,
            ..CommitPolicy::default()
        },
        2,
    )
    .unwrap()
}

/// A fresh database in a temporary directory, in `mode`, with the table `t`.
pub(super) async fn with_table(mode: CommitMode) -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), mode);
    setup(&db).await;
    (dir, db)
}

pub(super) async fn setup(db: &Database) {
    let gate = OutputGate::default();
    let mut l = db.acquire(gate.clone()).await;
    ok(&mut l, "CREATE TABLE t (x TEXT NOT NULL UNIQUE)");
    drop(l);
    gate.durable().await.unwrap();
}

/// Runs `a` then `b` in one batch: `b` waits for the connection while `a` holds it,
/// so `a`'s release leaves the batch open for it. Returns both gates.
pub(super) async fn in_one_batch(
    db: &Database,
    a: impl FnOnce(&mut Lease),
    b: impl FnOnce(&mut Lease),
) -> (OutputGate, OutputGate) {
    let (ga, gb) = (OutputGate::default(), OutputGate::default());
    let mut la = db.acquire(ga.clone()).await;
    let waiter = {
        let (db, gb) = (db.clone(), gb.clone());
        tokio::spawn(async move { db.acquire(gb).await })
    };
    while db.waiting() == 0 {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    writer_pragmas(&mut la);
    a(&mut la);
    drop(la);
    let mut lb = waiter.await.unwrap();
    writer_pragmas(&mut lb);
    b(&mut lb);
    drop(lb);
    (ga, gb)
}

pub(super) async fn contents(db: &Database) -> Vec<String> {
    let mut l = db.acquire(OutputGate::default()).await;
    texts(ok(&mut l, "SELECT x FROM t ORDER BY x"))
}

pub(super) fn texts(rows: Rows) -> Vec<String> {
    rows.into_iter()
        .map(|r| match &r[0] {
            Value::Text(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect()
}
