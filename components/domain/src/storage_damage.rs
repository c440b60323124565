//! Naming what SQLite's `PRAGMA integrity_check` and `quick_check` found damaged.
//!
//! Their lines name pages ("Page 3: btreeInitPage() returns error code 11", "Tree 5
//! page 17 cell 2: …"), which mean nothing to an operator; a page that is an object's
//! root page (`sqlite_schema.rootpage`) names that table or index. Both the host (the
//! `quick_check` before serving) and the writer (the audit behind `storefront check`)
//! describe damage this way, so the operator reads the same words in both.

/// Every table and index with its root page: `(rootpage, type, name, table)`.
pub const OBJECTS_BY_ROOT_PAGE: &str =
    "SELECT rootpage, type, name, tbl_name FROM sqlite_schema WHERE rootpage > 0";

/// Every table's name, for checking them one by one when a check of the whole file stops
/// at the first damaged page with an error instead of listing what it found.
pub const TABLES: &str = "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name";

/// `PRAGMA {check}("table")`: `check` (`quick_check` or `integrity_check`) of one table
/// and its indexes.
pub fn check_of_table(check: &str, table: &str) -> String {
    format!("PRAGMA {check}(\"{}\")", table.replace('"', "\"\""))
}

/// The line for a table whose own check failed with `problem` (SQLite's error or line).
pub fn damaged_table(table: &str, problem: &str) -> String {
    format!("damaged table {table}: {problem}")
}

/// A table or index of the schema (a row of [`OBJECTS_BY_ROOT_PAGE`]).
pub struct SchemaObject {
    /// Its root page.
    pub root_page: i64,
    /// `table` or `index`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// The table an index belongs to (the table itself for a table).
    pub table: String,
}

/// The page numbers a check line names ("Page 3", "Tree 5 page 17", "On tree page 9").
pub fn pages_named(line: &str) -> Vec<i64> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut pages = Vec::new();
    for pair in words.windows(2) {
        let word = pair[0].to_ascii_lowercase();
        if word == "page" || word == "tree" {
            let digits: String = pair[1].chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<i64>()
                && !pages.contains(&n)
            {
                pages.push(n);
            }
        }
    }
    pages
}

/// The objects a check line names by their root pages, as words ("table orders",
/// "index orders_by_state of table orders"); empty when it names none.
pub fn objects_named(line: &str, objects: &[SchemaObject]) -> Vec<String> {
    pages_named(line)
        .into_iter()
        .filter_map(|page| objects.iter().find(|o| o.root_page == page))
        .map(|o| {
            if o.kind == "index" {
                format!("index {} of table {}", o.name, o.table)
            } else {
                format!("{} {}", o.kind, o.name)
            }
        })
        .collect()
}

/// A check line for an operator: the damaged objects first, then SQLite's words.
pub fn described(line: &str, objects: &[SchemaObject]) -> String {
    let named = objects_named(line, objects);
    if named.is_empty() {
        line.to_string()
    } else {
        format!("damaged {}: {line}", named.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_root_page_names_its_table() {
        let objects = vec![
            SchemaObject {
                root_page: 3,
                kind: "table".into(),
                name: "orders".into(),
                table: "orders".into(),
            },
            SchemaObject {
                root_page: 4,
                kind: "index".into(),
                name: "ov".into(),
                table: "orders".into(),
            },
        ];
        assert_eq!(
            described("Page 3: btreeInitPage() returns error code 11", &objects),
            "damaged table orders: Page 3: btreeInitPage() returns error code 11"
        );
        assert_eq!(
            objects_named("Tree 4 page 19 cell 0: invalid page number", &objects),
            vec!["index ov of table orders"]
        );
        assert_eq!(
            described("Page 9 is never used", &objects),
            "Page 9 is never used"
        );
        assert_eq!(
            check_of_table("quick_check", "a\"b"),
            "PRAGMA quick_check(\"a\"\"b\")"
        );
    }
}
