//! The database connection: opening it with the pragmas every connection needs, running one
//! statement, reading typed columns, and running a closure inside a transaction.

use crate::db::migrations::EMBEDDED_DIGEST;
use anyhow::{Context as _, anyhow};
use spin_sdk::sqlite::{Connection, QueryResult, RowResult, Value};

/// The writer's one connection for this request.
pub struct Db {
    conn: Connection,
    /// Whether `schema_digest` named exactly this build's migrations when the connection was
    /// opened (false when it could not be read: a fresh database has no such table).
    migrations_current: bool,
}

/// How a transaction starts.
#[derive(Clone, Copy)]
pub enum Mode {
    /// `BEGIN IMMEDIATE`: takes the write lock up front, so two commands never interleave and
    /// nothing fails half way with "database is locked" after reading.
    Write,
    /// `BEGIN`: a consistent snapshot for answers assembled from several queries.
    Read,
}

/// Current time as SQLite computes it, in the RFC 3339 UTC form every stored timestamp uses.
pub const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// A connection setting every request needs: how to read it, the value it must have, and
/// the statement that sets it.
struct Setting {
    read: &'static str,
    wanted: fn(&Value) -> bool,
    set: &'static str,
}

const SETTINGS: [Setting; 4] = [
    // Off by default in SQLite, per connection: the schema's REFERENCES mean nothing without it.
    Setting {
        read: "(SELECT foreign_keys FROM pragma_foreign_keys)",
        wanted: |v| matches!(v, Value::Integer(1)),
        set: "PRAGMA foreign_keys = ON",
    },
    // Wait for another connection's write lock instead of failing at once.
    Setting {
        read: "(SELECT timeout FROM pragma_busy_timeout)",
        wanted: |v| matches!(v, Value::Integer(5000)),
        set: "PRAGMA busy_timeout = 5000",
    },
    // Money: a committed order survives power loss, not just a process crash.
    Setting {
        read: "(SELECT synchronous FROM pragma_synchronous)",
        wanted: |v| matches!(v, Value::Integer(2)),
        set: "PRAGMA synchronous = FULL",
    },
    Setting {
        read: "(SELECT journal_mode FROM pragma_journal_mode)",
        wanted: |v| matches!(v, Value::Text(mode) if mode.eq_ignore_ascii_case("wal")),
        set: "PRAGMA journal_mode = WAL",
    },
];

/// The statement `open` reads every setting with, and whether the recorded migrations are
/// exactly this build's: `schema_digest` against [`EMBEDDED_DIGEST`], its one parameter
/// (one row by its key; concatenating every recorded checksum instead cost 14 µs of
/// SQLite's time on every request).
fn state_query() -> String {
    let mut sql = String::from("SELECT ");
    for setting in &SETTINGS {
        sql.push_str(setting.read);
        sql.push_str(", ");
    }
    sql.push_str("(SELECT digest FROM schema_digest WHERE id = 1) IS ?");
    sql
}

impl Db {
    /// Opens the default database with the connection pragmas set. Real Spin opens a fresh
    /// connection per request, so this runs on every request. One statement reads every
    /// setting and whether the recorded migrations are current (for `migrations::run`); only the settings that
    /// differ are set, each by its own statement because `execute` prepares exactly one.
    /// When that statement fails (a fresh database has no `schema_digest` yet), every
    /// setting is set.
    pub fn open() -> anyhow::Result<Db> {
        let conn = Connection::open_default()
            .map_err(|e| anyhow!("opening the default database: {e:?}"))?;
        let mut db = Db {
            conn,
            migrations_current: false,
        };
        let state = db
            .row(&state_query(), &[text(EMBEDDED_DIGEST)])
            .ok()
            .flatten()
            .filter(|row| row.values.len() == SETTINGS.len() + 1);
        for (i, setting) in SETTINGS.iter().enumerate() {
            let already = state
                .as_ref()
                .is_some_and(|row| (setting.wanted)(&row.values[i]));
            if !already {
                db.execute(setting.set, &[])?;
            }
        }
        if let Some(row) = state {
            db.migrations_current = row.int(SETTINGS.len())? == 1;
        }
        Ok(db)
    }

    /// Whether `schema_digest` named exactly this build's migrations when the connection was
    /// opened.
    pub fn migrations_current(&self) -> bool {
        self.migrations_current
    }

    /// Runs one statement and returns all its rows.
    pub fn execute(&self, sql: &str, params: &[Value]) -> anyhow::Result<QueryResult> {
        self.conn
            .execute(sql, params)
            .map_err(|e| anyhow!("{e:?}"))
            .with_context(|| format!("SQL failed: {}", one_line(sql)))
    }

    /// Runs one statement and returns its rows (without the column names).
    pub fn rows(&self, sql: &str, params: &[Value]) -> anyhow::Result<Vec<RowResult>> {
        Ok(self.execute(sql, params)?.rows)
    }

    /// Runs one statement expected to return at most one row.
    pub fn row(&self, sql: &str, params: &[Value]) -> anyhow::Result<Option<RowResult>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// The first column of every row as an integer (a page of ids, mostly).
    pub fn ints(&self, sql: &str, params: &[Value]) -> anyhow::Result<Vec<i64>> {
        self.rows(sql, params)?.iter().map(|r| r.int(0)).collect()
    }

    /// The first column of the first row as an integer (a count, a sum, an id); `None`
    /// when there is no row.
    pub fn int_value(&self, sql: &str, params: &[Value]) -> anyhow::Result<Option<i64>> {
        self.row(sql, params)?.map(|r| r.int(0)).transpose()
    }

    /// The current timestamp, read once per command so that every row a command writes
    /// carries the same time.
    pub fn now(&self) -> anyhow::Result<String> {
        let row = self
            .row(&format!("SELECT {NOW}"), &[])?
            .context("SELECT strftime returned no row")?;
        row.text(0)
    }

    /// The current time in unix seconds, for lifetimes counted in seconds.
    pub fn unix_seconds(&self) -> anyhow::Result<i64> {
        self.row("SELECT CAST(strftime('%s', 'now') AS INTEGER)", &[])?
            .context("SELECT strftime returned no row")?
            .int(0)
    }

    /// Runs `f` in a transaction: COMMIT if it returns `Ok`, ROLLBACK if it returns `Err`
    /// (a refused command writes nothing) or if the COMMIT itself fails.
    pub fn transaction<T, E>(&self, mode: Mode, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<anyhow::Error>,
    {
        let begin = match mode {
            Mode::Write => "BEGIN IMMEDIATE",
            Mode::Read => "BEGIN",
        };
        self.execute(begin, &[])?;
        let result = f(self);
        let finished = match &result {
            Ok(_) => self.execute("COMMIT", &[]).map(drop),
            Err(_) => Ok(()),
        };
        if result.is_err() || finished.is_err() {
            self.rollback();
        }
        finished?;
        result
    }

    fn rollback(&self) {
        // Only fails when no transaction is open (SQLite already rolled it back after an I/O
        // error, say); there is nothing more to undo then.
        if let Err(e) = self.execute("ROLLBACK", &[]) {
            eprintln!("writer: {e:#}");
        }
    }
}

/// Typed column access with an error naming the column, instead of `Option`s.
pub trait RowExt {
    fn int(&self, column: usize) -> anyhow::Result<i64>;
    fn text(&self, column: usize) -> anyhow::Result<String>;
    /// A nullable integer column.
    fn opt_int(&self, column: usize) -> anyhow::Result<Option<i64>>;
    /// A nullable text column.
    fn opt_text(&self, column: usize) -> anyhow::Result<Option<String>>;
}

impl RowExt for RowResult {
    fn int(&self, column: usize) -> anyhow::Result<i64> {
        match self.values.get(column) {
            Some(Value::Integer(i)) => Ok(*i),
            other => Err(anyhow!(
                "column {column}: expected an integer, got {other:?}"
            )),
        }
    }

    fn text(&self, column: usize) -> anyhow::Result<String> {
        match self.values.get(column) {
            Some(Value::Text(s)) => Ok(s.clone()),
            other => Err(anyhow!("column {column}: expected text, got {other:?}")),
        }
    }

    fn opt_int(&self, column: usize) -> anyhow::Result<Option<i64>> {
        match self.values.get(column) {
            Some(Value::Null) => Ok(None),
            _ => self.int(column).map(Some),
        }
    }

    fn opt_text(&self, column: usize) -> anyhow::Result<Option<String>> {
        match self.values.get(column) {
            Some(Value::Null) => Ok(None),
            _ => self.text(column).map(Some),
        }
    }
}

/// Parameter shorthands.
pub fn int(v: i64) -> Value {
    Value::Integer(v)
}

pub fn text(v: impl Into<String>) -> Value {
    Value::Text(v.into())
}

/// NULL for `None`.
pub fn opt_text(v: Option<impl Into<String>>) -> Value {
    v.map_or(Value::Null, text)
}

pub fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, int)
}

/// SQL squeezed onto one line for error messages.
fn one_line(sql: &str) -> String {
    let squeezed = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match squeezed.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &squeezed[..cut]),
        None => squeezed,
    }
}
