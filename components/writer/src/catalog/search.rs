//! Search over the catalog (`catalog_search`, an FTS5 table: name, description, option
//! names and values, SKUs; one row per product, rowid = product id), and keeping that
//! table in step with every catalog command.
//!
//! Each query word becomes a quoted prefix term (`"ken"*`) and the words are ANDed. Results
//! are ranked by where the words are found: products whose name holds every word first,
//! then those whose name holds some of them, then the rest (found in the description,
//! options or SKUs); within a rank, the shop's own order (`position`, then id). Not bm25:
//! its IDF counts the phrase's rows over the whole doclist once per query, which is
//! O(matches) (20,000 for `co` in 100,000 products) whatever the candidate cap. The
//! shopper's text never reaches
//! MATCH as syntax: words are split on whitespace, `"` is removed and each word is quoted.
//! When nothing matches, every word longer than 3 characters is cut by one character and
//! the search runs again, until something matches or no word can be cut, so "kenia" finds
//! Kenya through "ken".
//!
//! A search costs at most [`MAX_CANDIDATES`] matches, however many products match: the
//! first that many by product id (FTS5's own order, no sort) are ranked and counted; when
//! more match, the answer says so (`more`, shown as "250+ results") and pages stop there.

use crate::catalog::query::{CatalogQuery, refused};
use crate::catalog::reads;
use crate::db::{Db, Mode, RowExt as _, int, text};
use crate::http::responses::{ApiError, json};
use spin_sdk::http::Response;
use storefront_domain::catalog::{MAX_CANDIDATES, MAX_QUERY, SearchResults};
use storefront_domain::{FieldError, ProductList};

/// Shortest prefix the fallback cuts a word to.
const SHORTEST_PREFIX: usize = 3;

/// `GET /catalog/search?q=&limit=&offset=`.
pub fn search(db: &Db, query: &str) -> Result<Response, ApiError> {
    let query = CatalogQuery::parse(query).map_err(refused)?;
    let asked = query.q.as_deref().unwrap_or_default().trim().to_string();
    if asked.is_empty() {
        return Err(ApiError::invalid(vec![FieldError::new("q", "is required")]));
    }
    if asked.chars().count() > MAX_QUERY {
        return Err(ApiError::invalid(vec![FieldError::new(
            "q",
            format!("must be at most {MAX_QUERY} characters"),
        )]));
    }
    let mut words = words(&asked);
    let results = db.transaction(Mode::Read, |db| {
        loop {
            let (ids, total, more) = matching(db, &words, &query)?;
            if total > 0 || !shorten(&mut words) {
                let matched = if total > 0 {
                    words.join(" ")
                } else {
                    asked.clone()
                };
                return Ok::<_, ApiError>(SearchResults {
                    query: asked.clone(),
                    matched,
                    products: ProductList {
                        products: reads::load(db, &ids, false)?,
                        total,
                        limit: query.limit,
                        offset: query.offset,
                        next: None,
                        more,
                        collections: None,
                    },
                });
            }
        }
    })?;
    json(200, &results)
}

/// The query's words: split on whitespace, `"` removed, words without a letter or digit
/// dropped (they would make an empty phrase).
fn words(q: &str) -> Vec<String> {
    q.split_whitespace()
        .map(|w| w.replace('"', ""))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// Cuts every word longer than [`SHORTEST_PREFIX`] by one character; whether any was cut.
fn shorten(words: &mut [String]) -> bool {
    let mut cut = false;
    for word in words.iter_mut() {
        if word.chars().count() > SHORTEST_PREFIX {
            word.pop();
            cut = true;
        }
    }
    cut
}

/// `"w1"* "w2"*`: every word a quoted prefix term, implicitly ANDed.
fn match_expression(words: &[String]) -> String {
    prefix_terms(words, " ")
}

/// Every word a quoted prefix term, joined by `separator` (`" "` for AND, `" OR "`).
fn prefix_terms(words: &[String], separator: &str) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(separator)
}

/// One page of matching live product ids, best first, how many of the ranked matches are
/// live, and whether more matched than were ranked ([`MAX_CANDIDATES`]).
fn matching(
    db: &Db,
    words: &[String],
    query: &CatalogQuery,
) -> anyhow::Result<(Vec<i64>, u32, bool)> {
    if words.is_empty() {
        return Ok((Vec::new(), 0, false));
    }
    // The first MAX_CANDIDATES + 1 matches by rowid (FTS5 reads them in that order and
    // stops), each with whether it is live and its place in the shop's order.
    let rows = db.rows(
        "SELECT c.id, p.archived_at IS NULL, p.position FROM \
           (SELECT rowid AS id FROM catalog_search \
            WHERE catalog_search MATCH ?1 LIMIT ?2) c \
         JOIN products p ON p.id = c.id",
        &[
            text(match_expression(words)),
            int(i64::from(MAX_CANDIDATES) + 1),
        ],
    )?;
    let more = rows.len() > MAX_CANDIDATES as usize;
    let mut candidates = Vec::with_capacity(rows.len());
    for row in rows {
        candidates.push(Candidate {
            id: row.int(0)?,
            live: row.int(1)? != 0,
            position: row.int(2)?,
            rank: Rank::Elsewhere,
        });
    }
    candidates.sort_unstable_by_key(|c| c.id);
    candidates.truncate(MAX_CANDIDATES as usize);
    candidates.retain(|c| c.live);
    rank_by_name(db, words, &mut candidates)?;
    candidates.sort_unstable_by_key(|c| (c.rank, c.position, c.id));
    let total = u32::try_from(candidates.len())?;
    let from = (query.offset as usize).min(candidates.len());
    let to = (from + query.limit as usize).min(candidates.len());
    Ok((
        candidates[from..to].iter().map(|c| c.id).collect(),
        total,
        more,
    ))
}

/// A live match and what ranks it.
struct Candidate {
    id: i64,
    live: bool,
    position: i64,
    rank: Rank,
}

/// Where a match found the query's words, best first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Rank {
    /// The name holds every word.
    NameAll,
    /// The name holds some of the words.
    NameSome,
    /// Only the description, options or SKUs hold them.
    Elsewhere,
}

/// Sets each candidate's [`Rank`] by name-column matches (at most two) over the
/// candidates' rowid range only (FTS5 stops at the last candidate, so this costs O(candidates) however many
/// products match).
fn rank_by_name(db: &Db, words: &[String], candidates: &mut [Candidate]) -> anyhow::Result<()> {
    let Some(last) = candidates.iter().map(|c| c.id).max() else {
        return Ok(());
    };
    // Every word in the name; with more than one word, also any word in it (for one word
    // the two are the same match, so it runs once).
    const EVERY: &str = "SELECT 0, rowid FROM catalog_search \
                         WHERE catalog_search MATCH ?1 AND rowid <= ?2";
    const SOME: &str = " UNION ALL SELECT 1, rowid FROM catalog_search \
                        WHERE catalog_search MATCH ?3 AND rowid <= ?2";
    let mut params = vec![
        text(format!("name : ({})", match_expression(words))),
        int(last),
    ];
    let sql = if words.len() > 1 {
        params.push(text(format!("name : ({})", prefix_terms(words, " OR "))));
        format!("{EVERY}{SOME}")
    } else {
        EVERY.to_string()
    };
    let rows = db.rows(&sql, &params)?;
    for row in rows {
        let rank = if row.int(0)? == 0 {
            Rank::NameAll
        } else {
            Rank::NameSome
        };
        let id = row.int(1)?;
        if let Ok(at) = candidates.binary_search_by_key(&id, |c| c.id) {
            candidates[at].rank = candidates[at].rank.min(rank);
        }
    }
    Ok(())
}

/// Rewrites the product's search row from its current name, description, options and live
/// variants' SKUs. Every command that changes one of them calls this in its transaction.
pub fn reindex(db: &Db, product_id: i64) -> anyhow::Result<()> {
    db.execute(
        "DELETE FROM catalog_search WHERE rowid = ?",
        &[int(product_id)],
    )?;
    db.execute(
        "INSERT INTO catalog_search (rowid, name, description, options, skus) \
         SELECT p.id, p.name, p.description, \
                coalesce((SELECT group_concat(o.name || ' ' || v.value, ' ') \
                          FROM product_options o \
                          JOIN product_option_values v ON v.option_id = o.id \
                          WHERE o.product_id = p.id), ''), \
                coalesce((SELECT group_concat(sku, ' ') FROM variants \
                          WHERE product_id = p.id AND archived_at IS NULL), '') \
         FROM products p WHERE p.id = ?",
        &[int(product_id)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_prefixes_without_quotes() {
        let w = words(r#"  ken "ya" OR * - NEAR(  "#);
        assert_eq!(match_expression(&w), r#""ken"* "ya"* "OR"* "NEAR("*"#);
    }

    #[test]
    fn shortening_stops_at_three_characters() {
        let mut w = vec!["kenia".to_string(), "ab".to_string()];
        assert!(shorten(&mut w));
        assert_eq!(w, ["keni", "ab"]);
        assert!(shorten(&mut w));
        assert_eq!(w, ["ken", "ab"]);
        assert!(!shorten(&mut w));
    }
}
