//! The query strings of the catalog reads (`limit`, `offset`, `after`, `collection`, `q`,
//! `include_archived`, `before`), parsed once with field-level errors for bad numbers.

use crate::catalog::cursor::Cursor;
use crate::http::responses::ApiError;
use storefront_domain::FieldError;
use storefront_domain::catalog::{DEFAULT_PAGE, MAX_PAGE};
use storefront_domain::order::query_params;

/// A catalog read's parameters; unknown names are ignored.
#[derive(Debug, Default)]
pub struct CatalogQuery {
    pub limit: u32,
    pub offset: u32,
    /// `after=`: the page starts after this product ([`Cursor`]); instead of `offset`.
    pub after: Option<Cursor>,
    pub collection: Option<String>,
    pub q: Option<String>,
    /// Owner reads: archived products and variants too.
    pub include_archived: bool,
    pub before: Option<i64>,
    /// Product pages: also every collection (`with_collections=1`), for the navigation.
    pub with_collections: bool,
    /// `fields=card` or `fields=tile`: product lists as catalog cards, read without what
    /// only a product page shows ([`crate::catalog::cards`]).
    pub cards: bool,
    /// `fields=tile`: each card as just what a catalog page shows of it
    /// ([`crate::catalog::cards::tiles`]).
    pub tiles: bool,
    /// `with_settings=1`: the answer is `{"list": …, "settings": …}`, the shop settings
    /// read in the same transaction, so a catalog page needs one writer call, not two.
    pub with_settings: bool,
    /// `lang=de`: product names and descriptions in that language where the owner gave
    /// them ([`crate::catalog::texts`]); an unknown language is ignored.
    pub lang: Option<storefront_domain::locale::Locale>,
}

/// Largest `offset` accepted: far past any real catalog, small enough for SQLite.
pub const MAX_OFFSET: u32 = 1_000_000;

impl CatalogQuery {
    pub fn parse(query: &str) -> Result<CatalogQuery, Vec<FieldError>> {
        let mut parsed = CatalogQuery {
            limit: DEFAULT_PAGE,
            ..CatalogQuery::default()
        };
        let mut errors = Vec::new();
        for (name, value) in query_params(query, &mut errors) {
            match name.as_str() {
                "limit" => match value.parse::<u32>() {
                    Ok(limit) if (1..=MAX_PAGE).contains(&limit) => parsed.limit = limit,
                    _ => errors.push(FieldError::new(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_PAGE}"),
                    )),
                },
                "offset" => match value.parse::<u32>() {
                    Ok(offset) if offset <= MAX_OFFSET => parsed.offset = offset,
                    _ => errors.push(FieldError::new(
                        "offset",
                        format!("must be a whole number from 0 to {MAX_OFFSET}"),
                    )),
                },
                "after" => match Cursor::decode(&value) {
                    Ok(cursor) => parsed.after = Some(cursor),
                    Err(e) => errors.push(e),
                },
                "before" => match value.parse::<i64>() {
                    Ok(before) if before > 0 => parsed.before = Some(before),
                    _ => errors.push(FieldError::new("before", "must be a history entry id")),
                },
                "include_archived" => match value.as_str() {
                    "1" | "true" => parsed.include_archived = true,
                    "0" | "false" | "" => parsed.include_archived = false,
                    _ => errors.push(FieldError::new("include_archived", "must be 1 or 0")),
                },
                "with_collections" => match value.as_str() {
                    "1" | "true" => parsed.with_collections = true,
                    "0" | "false" | "" => parsed.with_collections = false,
                    _ => errors.push(FieldError::new("with_collections", "must be 1 or 0")),
                },
                "with_settings" => match value.as_str() {
                    "1" | "true" => parsed.with_settings = true,
                    "0" | "false" | "" => parsed.with_settings = false,
                    _ => errors.push(FieldError::new("with_settings", "must be 1 or 0")),
                },
                "fields" => match value.as_str() {
                    "card" => (parsed.cards, parsed.tiles) = (true, false),
                    "tile" => (parsed.cards, parsed.tiles) = (true, true),
                    "" => (parsed.cards, parsed.tiles) = (false, false),
                    _ => errors.push(FieldError::new("fields", "must be card, tile or empty")),
                },
                "collection" if !value.is_empty() => parsed.collection = Some(value),
                "q" => parsed.q = Some(value),
                "lang" => parsed.lang = storefront_domain::locale::Locale::from_code(&value),
                _ => {}
            }
        }
        if parsed.after.is_some() && parsed.offset > 0 {
            errors.push(FieldError::new("after", "give after or offset, not both"));
        }
        if errors.is_empty() {
            Ok(parsed)
        } else {
            Err(errors)
        }
    }
}

/// A refused catalog query: 400 when the cursor is bad (a link the shop did not make),
/// else 422 naming each field.
pub fn refused(errors: Vec<FieldError>) -> ApiError {
    let cursor = errors.iter().any(|e| e.field == "after");
    let mut error = ApiError::invalid(errors);
    if cursor {
        error.status = 400;
    }
    error
}
