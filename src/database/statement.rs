//! What a component's SQL statement means for transactions, read from its first words.
//!
//! In group-commit mode the host owns the SQLite transaction (see [`super::batch`]), so
//! it must recognise the statements that begin, end or undo a component's transaction
//! and translate them into savepoints, and the few statements SQLite refuses inside a
//! transaction. Everything else runs as written. The reader skips whitespace and
//! comments, ignores case and understands quoted names; anything it does not
//! recognise in full is [`Kind::Other`] and goes to SQLite unchanged (which then
//! reports the syntax error, if any).

/// The transaction meaning of one statement.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// `BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION [name]]`; `deferred` unless
    /// `IMMEDIATE` or `EXCLUSIVE` (a deferred transaction may stay read-only).
    Begin { deferred: bool },
    /// `COMMIT|END [TRANSACTION [name]]`
    Commit,
    /// `ROLLBACK [TRANSACTION [name]]` (the whole transaction)
    Rollback,
    /// `ROLLBACK [TRANSACTION] TO [SAVEPOINT] name`
    RollbackTo(String),
    /// `SAVEPOINT name`
    Savepoint(String),
    /// `RELEASE [SAVEPOINT] name`
    Release(String),
    /// `PRAGMA [schema.]synchronous|foreign_keys = value` (both upper-cased): settings
    /// the host fixes when it opens the connection.
    SetPragma { name: String, value: String },
    /// Refused inside a transaction: `VACUUM`, `PRAGMA wal_checkpoint`, `ATTACH`, `DETACH`.
    Alone,
    /// Any other `PRAGMA`: runs as written, never starts the host's transaction.
    Pragma,
    /// Everything else.
    Other,
}

/// Whether `sql` is `VACUUM [schema] INTO …`: a snapshot of the database into a file
/// (comments and case as SQLite reads them).
pub fn is_vacuum_into(sql: &str) -> bool {
    let mut t = Tokens { rest: sql };
    if !t.eat("VACUUM") {
        return false;
    }
    if t.eat("INTO") {
        return true;
    }
    t.name().is_some() && t.eat("INTO")
}

/// Reads the transaction meaning of `sql`.
pub fn classify(sql: &str) -> Kind {
    let mut t = Tokens { rest: sql };
    let Some(first) = t.word() else {
        return Kind::Other;
    };
    let kind = match first.as_str() {
        "BEGIN" => {
            let deferred = t.eat("DEFERRED") || !(t.eat("IMMEDIATE") || t.eat("EXCLUSIVE"));
            trans_opt(&mut t);
            Kind::Begin { deferred }
        }
        "COMMIT" | "END" => {
            trans_opt(&mut t);
            Kind::Commit
        }
        "ROLLBACK" => {
            if t.eat("TRANSACTION") && !t.peek_is("TO") {
                t.name();
            }
            if t.eat("TO") {
                t.eat("SAVEPOINT");
                match t.name() {
                    Some(n) => Kind::RollbackTo(n),
                    None => return Kind::Other,
                }
            } else {
                Kind::Rollback
            }
        }
        "SAVEPOINT" => match t.name() {
            Some(n) => Kind::Savepoint(n),
            None => return Kind::Other,
        },
        "RELEASE" => {
            t.eat("SAVEPOINT");
            match t.name() {
                Some(n) => Kind::Release(n),
                None => return Kind::Other,
            }
        }
        "VACUUM" | "ATTACH" | "DETACH" => return Kind::Alone,
        "PRAGMA" => return pragma(&mut t),
        _ => return Kind::Other,
    };
    if t.at_end() { kind } else { Kind::Other }
}

/// Whether SQLite calls `sql` (a [`Kind::Other`]) a writer when prepared on `conn`; one
/// that cannot be prepared writes nothing (it fails when run).
pub fn prepared_writes(conn: &rusqlite::Connection, sql: &str) -> bool {
    conn.prepare_cached(sql).is_ok_and(|s| !s.readonly())
}

/// How the host can tell whether a writing statement changed anything.
#[derive(Debug, PartialEq, Eq)]
pub enum Changes {
    /// `INSERT`, `UPDATE`, `DELETE`, `REPLACE`, `WITH …`: SQLite's change counter.
    Rows,
    /// `CREATE`, `DROP`, `ALTER`: the schema cookie too (the counter ignores them).
    Schema,
    /// Anything else: assume it did.
    Unknown,
}

pub fn changes(sql: &str) -> Changes {
    match (Tokens { rest: sql }).word().as_deref() {
        Some("INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "WITH") => Changes::Rows,
        Some("CREATE" | "DROP" | "ALTER") => Changes::Schema,
        _ => Changes::Unknown,
    }
}

/// `[TRANSACTION [name]]`
fn trans_opt(t: &mut Tokens<'_>) {
    if t.eat("TRANSACTION") {
        t.name();
    }
}

fn pragma(t: &mut Tokens<'_>) -> Kind {
    let Some(mut name) = t.name() else {
        return Kind::Pragma;
    };
    if t.punct('.') {
        match t.name() {
            Some(n) => name = n,
            None => return Kind::Pragma,
        }
    }
    match name.to_ascii_uppercase().as_str() {
        "WAL_CHECKPOINT" => Kind::Alone,
        pragma @ ("SYNCHRONOUS" | "FOREIGN_KEYS") if t.punct('=') => match t.name() {
            Some(value) if t.at_end() => Kind::SetPragma {
                name: pragma.to_string(),
                value: value.to_ascii_uppercase(),
            },
            _ => Kind::Pragma,
        },
        _ => Kind::Pragma,
    }
}

/// A minimal SQL tokenizer: words, quoted names and single punctuation characters.
struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    /// Skips whitespace, `-- …` and `/* … */` comments.
    fn skip(&mut self) {
        loop {
            let s = self.rest.trim_start();
            if let Some(after) = s.strip_prefix("--") {
                self.rest = after.find('\n').map_or("", |i| &after[i + 1..]);
            } else if let Some(after) = s.strip_prefix("/*") {
                self.rest = after.find("*/").map_or("", |i| &after[i + 2..]);
            } else {
                self.rest = s;
                return;
            }
        }
    }

    /// The next bare word (letters, digits, `_`, `$`), upper-cased; `None` if the next
    /// token is not a bare word (nothing is consumed then).
    fn word(&mut self) -> Option<String> {
        self.skip();
        self.bare().map(|w| w.to_ascii_uppercase())
    }

    /// The bare word (letters, digits, `_`, `$`) right at the cursor, as written; `None`
    /// (nothing consumed) if there is none.
    fn bare(&mut self) -> Option<&'a str> {
        let end = self
            .rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(self.rest.len());
        if end == 0 {
            return None;
        }
        let (w, rest) = self.rest.split_at(end);
        self.rest = rest;
        Some(w)
    }

    /// The next name, bare or quoted (`"x"`, `[x]`, `` `x` ``, `'x'`), as written (unquoted).
    fn name(&mut self) -> Option<String> {
        self.skip();
        let mut chars = self.rest.chars();
        let close = match chars.next()? {
            '"' => '"',
            '`' => '`',
            '\'' => '\'',
            '[' => ']',
            _ => return self.bare().map(str::to_string),
        };
        let body = &self.rest[1..];
        let mut out = String::new();
        let mut iter = body.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if c == close {
                // A doubled quote is a quote inside the name (not for `[…]`).
                if close != ']' && iter.peek().map(|&(_, n)| n) == Some(close) {
                    iter.next();
                    out.push(c);
                    continue;
                }
                self.rest = &body[i + c.len_utf8()..];
                return Some(out);
            }
            out.push(c);
        }
        None
    }

    fn peek_is(&mut self, keyword: &str) -> bool {
        let saved = self.rest;
        let found = self.word().as_deref() == Some(keyword);
        self.rest = saved;
        found
    }

    fn eat(&mut self, keyword: &str) -> bool {
        let saved = self.rest;
        if self.word().as_deref() == Some(keyword) {
            return true;
        }
        self.rest = saved;
        false
    }

    fn punct(&mut self, c: char) -> bool {
        self.skip();
        match self.rest.strip_prefix(c) {
            Some(after) => {
                self.rest = after;
                true
            }
            None => false,
        }
    }

    /// Only `;`, whitespace and comments are left.
    fn at_end(&mut self) -> bool {
        self.skip();
        while self.punct(';') {}
        self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, classify, is_vacuum_into};

    #[test]
    fn transaction_control_in_any_spelling() {
        for sql in [
            "BEGIN",
            "begin immediate",
            "  -- note\n BEGIN IMMEDIATE TRANSACTION;",
            "/* x */Begin Exclusive Transaction t1",
            "BEGIN DEFERRED",
        ] {
            assert!(matches!(classify(sql), Kind::Begin { .. }), "{sql}");
        }
        for (sql, deferred) in [
            ("BEGIN", true),
            ("begin deferred transaction", true),
            ("BEGIN TRANSACTION immediate_reads", true),
            ("BEGIN IMMEDIATE", false),
            ("/* x */Begin Exclusive Transaction t1", false),
        ] {
            assert_eq!(classify(sql), Kind::Begin { deferred }, "{sql}");
        }
        for sql in [
            "COMMIT",
            "commit transaction",
            "END",
            "END TRANSACTION;",
            "end;",
        ] {
            assert_eq!(classify(sql), Kind::Commit, "{sql}");
        }
        for sql in [
            "ROLLBACK",
            "rollback transaction",
            "ROLLBACK TRANSACTION t1 ;",
        ] {
            assert_eq!(classify(sql), Kind::Rollback, "{sql}");
        }
        assert_eq!(classify("ROLLBACK TO a"), Kind::RollbackTo("a".into()));
        assert_eq!(
            classify("rollback transaction to savepoint \"My Sp\""),
            Kind::RollbackTo("My Sp".into())
        );
        assert_eq!(classify("SAVEPOINT [s 1];"), Kind::Savepoint("s 1".into()));
        assert_eq!(classify("release savepoint s1"), Kind::Release("s1".into()));
        assert_eq!(classify("RELEASE s1"), Kind::Release("s1".into()));
    }

    #[test]
    fn how_changes_are_told() {
        use super::{Changes, changes};
        assert_eq!(
            changes(" create table if not exists t (x)"),
            Changes::Schema
        );
        assert_eq!(changes("/* x */ DROP INDEX i"), Changes::Schema);
        assert_eq!(changes("insert into t values (1)"), Changes::Rows);
        assert_eq!(changes("ANALYZE"), Changes::Unknown);
    }

    #[test]
    fn statements_refused_inside_a_transaction() {
        assert_eq!(classify("VACUUM INTO ?"), Kind::Alone);
        assert!(is_vacuum_into("VACUUM INTO ?"));
        assert!(is_vacuum_into("/* backup */ vacuum main INTO 'x.db'"));
        assert!(!is_vacuum_into("VACUUM"));
        assert!(!is_vacuum_into("SELECT 'VACUUM INTO x'"));
        assert_eq!(classify("pragma wal_checkpoint(TRUNCATE)"), Kind::Alone);
        assert_eq!(classify("PRAGMA main.wal_checkpoint"), Kind::Alone);
        assert_eq!(classify("ATTACH 'x.db' AS x"), Kind::Alone);
    }

    #[test]
    fn pragmas_and_everything_else() {
        assert_eq!(
            classify("PRAGMA synchronous = FULL"),
            Kind::SetPragma {
                name: "SYNCHRONOUS".into(),
                value: "FULL".into()
            }
        );
        assert_eq!(
            classify("pragma main.foreign_keys=on;"),
            Kind::SetPragma {
                name: "FOREIGN_KEYS".into(),
                value: "ON".into()
            }
        );
        assert_eq!(classify("PRAGMA journal_mode = WAL"), Kind::Pragma);
        assert_eq!(classify("PRAGMA synchronous"), Kind::Pragma);
        for sql in [
            "SELECT 1",
            "INSERT INTO t VALUES (1)",
            "BEGIN garbage here",
            "COMMIT; DROP TABLE t",
            "",
            "-- only a comment",
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
            "WITH x AS (SELECT 1) SELECT * FROM x",
        ] {
            assert_eq!(classify(sql), Kind::Other, "{sql}");
        }
    }
}
