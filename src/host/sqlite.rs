//! `fermyon:spin/sqlite@2.0.0` backed by the process's one [`Database`] connection.
//!
//! Permission comes from the component's `sqlite_databases` in `spin.toml`; a
//! component without `"default"` gets `access-denied`. The first `open` of a request
//! starts its [`Lease`], kept until the request's last connection resource is dropped
//! (or its instance is torn down): reads of committed data run on the read
//! connections, and from its first write or transaction on the request holds the one
//! batch connection, so writing requests are serialised and a transaction can never
//! interleave with another request's statements. Which statement runs where, and how
//! inside the host's batch, is [`crate::database::lease`]'s. A `VACUUM INTO` snapshot
//! also gets the process's key-value store ([`super::key_value_file`]).

use super::ComponentState;
use super::sqlite_wit::{Error, Host, HostConnection, QueryResult, RowResult, Value};
use crate::database::batch::OutputGate;
use crate::database::storage_fault::{self, Fault};
use crate::database::{Database, Lease, SqlError};
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
    /// What the host waits for before this request's response may leave.
    gate: OutputGate,
    held: Option<Lease>,
    open_handles: usize,
}

impl SqliteAccess {
    pub fn new(granted: Vec<String>, database: Option<Database>, gate: OutputGate) -> Self {
        SqliteAccess {
            granted,
            database,
            gate,
            held: None,
            open_handles: 0,
        }
    }

    /// Whether the guest closed every connection it opened (no lease is held): then its
    /// instance may serve another request ([`crate::app::instance_reuse`]).
    pub fn is_closed(&self) -> bool {
        self.held.is_none() && self.open_handles == 0
    }

    /// Ready for a kept instance's next request, whose response waits on `gate`.
    pub fn next_request(&mut self, gate: OutputGate) {
        self.gate = gate;
    }
}

fn io_error(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => Error::DatabaseFull,
        _ => Error::Io(e.to_string()),
    }
}

/// Runs one statement with `params` bound positionally and returns every row. A storage
/// error is noted on the request's gate with its meaning (`storage_fault`), so that the
/// host answers the request by it if the component then fails.
async fn run(
    lease: &mut Lease,
    gate: &OutputGate,
    database: &std::path::Path,
    statement: &str,
    params: Vec<Value>,
) -> Result<QueryResult, Error> {
    // Run in place, even a COMMIT that waits for fsync: writes are serialised behind the
    // one batch connection and reads are short, so handing each statement off to a
    // blocking thread (`block_in_place`) measurably costs more than it saves (see
    // docs/benchmarks.md). (A group commit does go to a blocking thread: see
    // `crate::database::batch`.)
    match lease.execute(statement, |stmt| query(stmt, params)).await {
        Ok(Some(result)) => Ok(result),
        Ok(None) => Ok(QueryResult {
            columns: Vec::new(),
            rows: Vec::new(),
        }),
        Err(SqlError::Sqlite(e)) => {
            if let Some(fault) = storage_fault::note(&e, database) {
                gate.note_fault(fault);
            }
            Err(io_error(e))
        }
        Err(SqlError::Refused(message)) => Err(Error::Io(message)),
        Err(SqlError::ShuttingDown) => Err(Error::Io("the writer is shutting down".into())),
        Err(SqlError::Damaged(reason)) => {
            gate.note_fault(Fault::Permanent);
            Err(Error::Io(format!(
                "storage damaged, no more commands: {reason}"
            )))
        }
    }
}

fn query(stmt: &mut rusqlite::Statement<'_>, params: Vec<Value>) -> rusqlite::Result<QueryResult> {
    let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let params = params.into_iter().map(|v| match v {
        Value::Integer(i) => rusqlite::types::Value::Integer(i),
        Value::Real(f) => rusqlite::types::Value::Real(f),
        Value::Text(s) => rusqlite::types::Value::Text(s),
        Value::Blob(b) => rusqlite::types::Value::Blob(b),
        Value::Null => rusqlite::types::Value::Null,
    });
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(match row.get_ref(i)? {
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
            access.held = Some(db.lease(access.gate.clone()));
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
        let access = &mut self.sqlite;
        let (Some(lease), Some(db)) = (access.held.as_mut(), access.database.as_ref()) else {
            return Ok(Err(Error::InvalidConnection));
        };
        tracing::trace!(target: "storefront::sql", "{statement}");
        let snapshot = super::key_value_file::snapshot_target(&statement, &parameters);
        let result = run(lease, &access.gate, db.path(), &statement, parameters).await;
        // A snapshot of the database carries the key-value store (see `key_value_file`).
        if let (Ok(_), Some(to), Some(file)) = (&result, snapshot, self.key_value.file())
            && let Err(e) = file.copy_into_snapshot_async(to).await
        {
            return Ok(Err(Error::Io(format!("{e:#}"))));
        }
        Ok(result)
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
