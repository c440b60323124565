//! Splits a migration file into single SQL statements.
//!
//! The `spin:sqlite` `execute` call runs exactly one statement (the host prepares it), so a
//! multi-statement file has to be cut at its `;`s, except those inside quoted strings or
//! identifiers, comments, and the `BEGIN … END` body of a `CREATE TRIGGER`. The trigger rule
//! is the one `sqlite3_complete()` uses: inside a trigger, only `; END ;` ends the statement
//! (a `CASE … END` is never directly preceded by `;`).

/// The statements of `sql`, trimmed and without their terminating `;`. Pieces holding only
/// whitespace and comments are dropped (SQLite would prepare them to no statement at all).
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let mut start = 0;
    let mut stmt = Statement::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = find_from(bytes, i + 2, b"\n").map_or(bytes.len(), |end| end + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = find_from(bytes, i + 2, b"*/").map_or(bytes.len(), |end| end + 2);
                continue;
            }
            // Strings and quoted identifiers; a doubled quote inside is an escaped quote,
            // which this handles as two adjacent quoted pieces.
            b'\'' | b'"' | b'`' | b'[' => {
                let close = if b == b'[' {
                    b"]"
                } else {
                    std::slice::from_ref(&bytes[i])
                };
                i = find_from(bytes, i + 1, close).map_or(bytes.len(), |end| end + 1);
                stmt.other_token();
                continue;
            }
            b';' => {
                if stmt.semicolon_ends_it() {
                    push_statement(&mut statements, &sql[start..i], &stmt);
                    start = i + 1;
                    stmt = Statement::default();
                }
            }
            _ if is_word_byte(b) => {
                let end = (i..bytes.len())
                    .find(|&j| !is_word_byte(bytes[j]))
                    .unwrap_or(bytes.len());
                stmt.word(&sql[i..end]);
                i = end;
                continue;
            }
            _ if b.is_ascii_whitespace() => {}
            _ => stmt.other_token(),
        }
        i += 1;
    }
    push_statement(&mut statements, &sql[start..], &stmt);
    statements
}

/// What the splitter knows about the statement being read.
#[derive(Default)]
struct Statement {
    /// Upper-cased leading keywords, until it is clear whether this is a `CREATE TRIGGER`.
    leading: Vec<String>,
    in_trigger: bool,
    /// Seen anything besides whitespace and comments.
    has_content: bool,
    /// Inside a trigger: the last tokens were `;` (`Semi`) or `; END` (`SemiEnd`).
    tail: Tail,
}

#[derive(Default, PartialEq)]
enum Tail {
    #[default]
    Other,
    Semi,
    SemiEnd,
}

impl Statement {
    fn word(&mut self, word: &str) {
        self.has_content = true;
        if self.leading.len() < 3 && !self.in_trigger {
            self.leading.push(word.to_ascii_uppercase());
            let lead: Vec<&str> = self.leading.iter().map(String::as_str).collect();
            self.in_trigger = matches!(
                lead.as_slice(),
                ["CREATE", "TRIGGER"] | ["CREATE", "TEMP" | "TEMPORARY", "TRIGGER"]
            );
        }
        self.tail = if self.tail == Tail::Semi && word.eq_ignore_ascii_case("END") {
            Tail::SemiEnd
        } else {
            Tail::Other
        };
    }

    fn other_token(&mut self) {
        self.has_content = true;
        self.tail = Tail::Other;
    }

    /// Called at a `;`: whether it terminates the statement.
    fn semicolon_ends_it(&mut self) -> bool {
        if !self.in_trigger || self.tail == Tail::SemiEnd {
            return true;
        }
        self.tail = Tail::Semi;
        false
    }
}

fn push_statement<'a>(statements: &mut Vec<&'a str>, piece: &'a str, stmt: &Statement) {
    if stmt.has_content {
        statements.push(piece.trim());
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Index of the first `needle` in `bytes` at or after `from`.
fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn splits_plain_statements_and_drops_empty_pieces() {
        let sql = "CREATE TABLE a (x INTEGER);\n\n  INSERT INTO a VALUES (1) ;;\n-- done\n";
        assert_eq!(
            split_statements(sql),
            ["CREATE TABLE a (x INTEGER)", "INSERT INTO a VALUES (1)"]
        );
    }

    #[test]
    fn keeps_a_last_statement_without_semicolon() {
        assert_eq!(
            split_statements("SELECT 1; SELECT 2"),
            ["SELECT 1", "SELECT 2"]
        );
    }

    #[test]
    fn semicolons_in_strings_identifiers_and_comments_do_not_split() {
        let sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine', \"c;d\", [e;f], `g;h`); -- x; y\n\
                   /* a; block; comment */ SELECT 2;";
        let stmts = split_statements(sql);
        assert_eq!(stmts.len(), 2, "{stmts:?}");
        assert_eq!(
            stmts[0],
            "INSERT INTO t VALUES ('a;b', 'it''s; fine', \"c;d\", [e;f], `g;h`)"
        );
        assert!(stmts[1].ends_with("SELECT 2"));
    }

    #[test]
    fn comment_only_file_has_no_statements() {
        assert!(split_statements("-- nothing here;\n/* nor; here */\n").is_empty());
        assert!(split_statements("").is_empty());
    }

    #[test]
    fn trigger_body_stays_in_one_statement() {
        let sql = "CREATE TABLE t (x);\n\
            CREATE TRIGGER t_guard BEFORE UPDATE ON t\n\
            BEGIN\n\
                SELECT CASE WHEN NEW.x < 0 THEN RAISE(ABORT, 'no; negatives') END;\n\
                INSERT INTO log VALUES ('end;');\n\
            END;\n\
            create temp trigger t2 after delete on t begin select 1; end;\n\
            SELECT 3;";
        let stmts = split_statements(sql);
        assert_eq!(stmts.len(), 4, "{stmts:?}");
        assert!(stmts[1].starts_with("CREATE TRIGGER t_guard"));
        assert!(stmts[1].ends_with("END"));
        assert!(stmts[1].contains("INSERT INTO log"));
        assert_eq!(
            stmts[2],
            "create temp trigger t2 after delete on t begin select 1; end"
        );
        assert_eq!(stmts[3], "SELECT 3");
    }

    #[test]
    fn a_column_named_like_a_keyword_is_not_a_trigger() {
        let sql = "CREATE TABLE trigger_log (end_at TEXT); SELECT 1;";
        assert_eq!(
            split_statements(sql),
            ["CREATE TABLE trigger_log (end_at TEXT)", "SELECT 1"]
        );
    }

    #[test]
    fn the_real_migrations_split_cleanly() {
        for m in crate::db::migrations::MIGRATIONS {
            let stmts = split_statements(m.sql);
            assert!(!stmts.is_empty(), "{} has no statements", m.name);
            for s in &stmts {
                assert!(!s.ends_with(';'), "{}: {s}", m.name);
            }
        }
        let orders = crate::db::migrations::MIGRATIONS
            .iter()
            .find(|m| m.name == "0002_orders.sql")
            .expect("0002_orders.sql is embedded");
        let triggers = split_statements(orders.sql)
            .into_iter()
            .filter(|s| s.contains("CREATE TRIGGER"))
            .count();
        assert_eq!(triggers, 6);
        // A comment inside a trigger's WHEN clause stays inside the trigger.
        let payments = crate::db::migrations::MIGRATIONS
            .iter()
            .find(|m| m.name == "0003_payments.sql")
            .expect("0003_payments.sql is embedded");
        let statements = split_statements(payments.sql);
        let triggers: Vec<_> = statements
            .iter()
            .filter(|s| s.contains("CREATE TRIGGER"))
            .collect();
        assert_eq!(triggers.len(), 4);
        assert!(triggers.iter().all(|t| t.ends_with("END")), "{triggers:#?}");
        assert_eq!(statements.len(), 8, "2 tables, 2 indexes, 4 triggers");
    }
}
