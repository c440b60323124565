//! `fermyon:spin/sqlite@2.0.0` backed by the process's one [`Database`] connection.
//!
//! Permission comes from the component's `sqlite_databases` in `spin.toml`; a
//! component without `"default"` gets `access-denied`. The first `open` of a request
//! waits for the shared connection and keeps it until the request's last connection
//! resource is dropped (or its instance is torn down), so requests are serialised
//! and a transaction can never interleave with another request's statements. A
//! transaction left open by a component is rolled back when it lets go.

use super::ComponentState;
use super::sqlite_wit::{Error, Host, HostConnection, QueryResult, RowResult, Value};
use crate::database::{Database, HeldConnection as Guard};
use rusqlite::types::ValueRef;
use wasmtime::component::Resource;

/// The `connection` resource. The real connection lives in [`SqliteAccess`].
pub struct Connection;

/// What one component instance may do with SQLite during one request.
pub struct SqliteAccess {
    /// Names listed in the component's `sqlite_databases`.
    granted: Vec<String>,
    /// The process's database, absent in processes that do not own the files.
    database: Option<Database>,
    held: Option<HeldConnection>,
    open_handles: usize,
}

/// The shared connection while one request holds it.
struct HeldConnection(Guard);

impl Drop for HeldConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_ref()
            && !conn.is_autocommit()
        {
            tracing::warn!("component left a transaction open; rolling it back");
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::error!("rollback of abandoned transaction failed: {e}");
            }
        }
    }
}

impl SqliteAccess {
    pub fn new(granted: Vec<String>, database: Option<Database>) -> Self {
        SqliteAccess {
            granted,
            database,
            held: None,
            open_handles: 0,
        }
    }
}

fn io_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => Error::DatabaseFull,
        _ => Error::Io(e.to_string()),
    }
}

/// Prepares one statement, binds `params` positionally and returns every row.
fn run(
    conn: &rusqlite::Connection,
    statement: &str,
    params: Vec<Value>,
) -> Result<QueryResult, Error> {
    let mut stmt = conn.prepare(statement).map_err(io_error)?;
    // Run in place, even a COMMIT that waits for fsync: all SQLite work is serialised
    // behind the one connection, so at most one async worker is ever inside SQLite while
    // the others keep serving, and handing each statement off to a blocking thread
    // (`block_in_place`) measurably costs more than it saves (see README, Benchmarks).
    query(&mut stmt, params)
}

fn query(stmt: &mut rusqlite::Statement<'_>, params: Vec<Value>) -> Result<QueryResult, Error> {
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let params = params.into_iter().map(|v| match v {
        Value::Integer(i) => rusqlite::types::Value::Integer(i),
        Value::Real(f) => rusqlite::types::Value::Real(f),
        Value::Text(s) => rusqlite::types::Value::Text(s),
        Value::Blob(b) => rusqlite::types::Value::Blob(b),
        Value::Null => rusqlite::types::Value::Null,
    });
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params))
        .map_err(io_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(io_error)? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i).map_err(io_error)? {
                ValueRef::Integer(i) => Value::Integer(i),
                ValueRef::Real(f) => Value::Real(f),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                ValueRef::Null => Value::Null,
            });
        }
        out.push(RowResult { values });
    }
    Ok(QueryResult { columns, rows: out })
}

impl Host for ComponentState {}

impl HostConnection for ComponentState {
    async fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<Connection>, Error>> {
        let access = &mut self.sqlite;
        if !access.granted.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        let Some(db) = (database == "default")
            .then_some(access.database.as_ref())
            .flatten()
        else {
            return Ok(Err(Error::NoSuchDatabase));
        };
        if access.held.is_none() {
            access.held = Some(HeldConnection(db.acquire().await));
        }
        access.open_handles += 1;
        Ok(Ok(self.table.push(Connection)?))
    }

    async fn execute(
        &mut self,
        conn: Resource<Connection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        if self.table.get(&conn).is_err() {
            return Ok(Err(Error::InvalidConnection));
        }
        let Some(held) = self.sqlite.held.as_ref() else {
            return Ok(Err(Error::InvalidConnection));
        };
        let Some(conn) = held.0.as_ref() else {
            return Ok(Err(Error::Io("the writer is shutting down".into())));
        };
        Ok(run(conn, &statement, parameters))
    }

    async fn drop(&mut self, conn: Resource<Connection>) -> wasmtime::Result<()> {
        self.table.delete(conn)?;
        let access = &mut self.sqlite;
        access.open_handles = access.open_handles.saturating_sub(1);
        if access.open_handles == 0 {
            access.held = None;
        }
        Ok(())
    }
}
