//! `GET /admin/returns?after={cursor}`: the back office's returns, those waiting for the
//! owner first, then newest first, [`RETURNS_PER_PAGE`] a page, by keyset on the
//! `returns_list` index (`open`, `id`): the cursor is the last row's `{open}-{id}`.

use super::record;
use crate::db::{Db, Mode, RowExt as _, int};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::FieldError;
use storefront_domain::order::query_params;
use storefront_domain::returns::{RETURNS_PER_PAGE, ReturnList};

/// The page after the cursor (`?1` open, `?2` id; the first page: 2 and 0), one more row
/// than a page to tell whether another follows.
pub const PAGE_SQL: &str = "SELECT open, id FROM returns WHERE (open, id) < (?1, ?2) \
     ORDER BY open DESC, id DESC LIMIT ?3";

/// `{open}-{id}` as a cursor.
fn parse_cursor(cursor: &str) -> Option<(i64, i64)> {
    let (open, id) = cursor.split_once('-')?;
    let open = open.parse::<i64>().ok().filter(|o| (0..=1).contains(o))?;
    let id = id.parse::<i64>().ok().filter(|i| *i >= 1)?;
    Some((open, id))
}

/// `GET /admin/returns`.
pub fn list(db: &Db, query: &str) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let mut after = (2, 0);
    for (name, value) in query_params(query, &mut errors) {
        match (name.as_str(), parse_cursor(&value)) {
            ("after", Some(cursor)) => after = cursor,
            ("after", None) => errors.push(FieldError::new("after", "is not a page cursor")),
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = db.transaction(Mode::Read, |db| {
        let rows = db.rows(
            PAGE_SQL,
            &[int(after.0), int(after.1), int(RETURNS_PER_PAGE + 1)],
        )?;
        let more = rows.len() as i64 > RETURNS_PER_PAGE;
        let mut returns = Vec::new();
        let mut next = None;
        for row in rows.iter().take(RETURNS_PER_PAGE as usize) {
            let (open, id) = (row.int(0)?, row.int(1)?);
            if let Some(r) = record(db, id)? {
                returns.push(r);
            }
            next = Some(format!("{open}-{id}"));
        }
        Ok::<_, ApiError>(ReturnList {
            returns,
            next: next.filter(|_| more),
        })
    })?;
    json(200, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::query_plan;

    #[test]
    fn cursors_name_a_row() {
        assert_eq!(parse_cursor("1-12"), Some((1, 12)));
        assert_eq!(parse_cursor("2-1"), None);
        assert_eq!(parse_cursor("1-0"), None);
        assert_eq!(parse_cursor("x"), None);
    }

    /// A page reads the list's index, in its order, without a sort.
    #[test]
    fn a_page_reads_the_index_without_sorting() {
        let schema = query_plan::schema();
        let plan = query_plan::lines(&schema, PAGE_SQL);
        assert!(plan.iter().any(|l| l.contains("returns_list")), "{plan:#?}");
        assert!(query_plan::neither_scans_nor_sorts(&plan), "{plan:#?}");
    }
}
