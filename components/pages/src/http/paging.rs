//! Which slice of a list a request asks for: `?page=N` (12 a page) on the shop's pages and
//! the JSON API, or `?limit=&offset=` on the API, turned into the writer's `limit` and
//! `offset`. Bad numbers and unknown parameters are refused, never guessed at. Numbered
//! pages and offsets reach only the first [`MAX_OFFSET`] products (an offset costs every
//! row before it); later ones are reached with the writer's `after` cursor ([`after`]).

use storefront_domain::FieldError;
use storefront_domain::catalog::{DEFAULT_PAGE, MAX_OFFSET, MAX_PAGE};

/// Highest page number accepted by the owner's lists (12 000 products at 12 a page).
pub const MAX_PAGE_NUMBER: u32 = 1_000;

/// Highest `?page=` of the shop's catalog pages and the catalog API: pages that start
/// within the first [`MAX_OFFSET`] products.
pub const MAX_SHOP_PAGE: u32 = MAX_OFFSET / DEFAULT_PAGE + 1;

/// Longest `after` cursor passed on (the writer's cursors are far shorter).
const MAX_CURSOR: usize = 2_000;

/// An `after=` cursor as the writer makes them (hex digits), or the field error to answer.
/// The writer checks what it says.
pub fn after(value: &str) -> Result<&str, FieldError> {
    if !value.is_empty()
        && value.len() <= MAX_CURSOR
        && value.bytes().all(|b| b.is_ascii_hexdigit())
    {
        Ok(value)
    } else {
        Err(FieldError::new(
            "after",
            "is not a page link this shop made: start again from the first page",
        ))
    }
}

/// `limit` items from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub offset: u32,
}

impl Window {
    /// Page `n` (from 1) of [`DEFAULT_PAGE`] items.
    pub fn page(n: u32) -> Window {
        Window {
            limit: DEFAULT_PAGE,
            offset: (n.max(1) - 1) * DEFAULT_PAGE,
        }
    }

    /// The page number this window starts (1 for an offset inside the first page).
    pub fn page_number(&self) -> u32 {
        self.offset / self.limit.max(1) + 1
    }

    /// How many pages of this size `total` items fill (at least 1).
    pub fn pages(&self, total: u32) -> u32 {
        total.div_ceil(self.limit.max(1)).max(1)
    }

    /// `limit=…&offset=…` for the writer.
    pub fn query(&self) -> String {
        format!("limit={}&offset={}", self.limit, self.offset)
    }

    /// Reads `page` or `limit`/`offset` from a query string, with the other parameters
    /// named in `extra` (returned in that order, `None` when absent). Anything else is an
    /// error, so a misspelt filter never silently lists everything.
    pub fn parse(
        query: &str,
        extra: &[&str],
    ) -> Result<(Window, Vec<Option<String>>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut values = vec![None; extra.len()];
        let (mut page, mut limit, mut offset) = (None, None, None);
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let number = |max: u32, min: u32| {
                value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        FieldError::new(
                            name.to_string(),
                            format!("must be a whole number from {min} to {max}"),
                        )
                    })
            };
            let slot = match name.as_ref() {
                "page" => &mut page,
                "limit" => &mut limit,
                "offset" => &mut offset,
                other => {
                    match extra.iter().position(|e| *e == other) {
                        Some(i) => values[i] = Some(value.to_string()),
                        None => errors.push(FieldError::new(other, "is not a known parameter")),
                    }
                    continue;
                }
            };
            let (max, min) = match name.as_ref() {
                "page" => (MAX_SHOP_PAGE, 1),
                "limit" => (MAX_PAGE, 1),
                _ => (MAX_OFFSET, 0),
            };
            match number(max, min) {
                Ok(n) => *slot = Some(n),
                Err(e) => errors.push(e),
            }
        }
        if page.is_some() && (limit.is_some() || offset.is_some()) {
            errors.push(FieldError::new(
                "page",
                "give page, or limit and offset, not both",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let window = match page {
            Some(n) => Window::page(n),
            None => Window {
                limit: limit.unwrap_or(DEFAULT_PAGE),
                offset: offset.unwrap_or(0),
            },
        };
        Ok((window, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_offsets() {
        assert_eq!(
            Window::page(1),
            Window {
                limit: 12,
                offset: 0
            }
        );
        assert_eq!(Window::page(3).offset, 24);
        assert_eq!(Window::page(3).page_number(), 3);
        assert_eq!(Window::page(1).pages(0), 1);
        assert_eq!(Window::page(1).pages(12), 1);
        assert_eq!(Window::page(1).pages(13), 2);
        assert_eq!(Window::page(2).query(), "limit=12&offset=12");
    }

    #[test]
    fn parsing() {
        let (w, extra) = Window::parse("collection=coffee&page=2", &["collection"]).unwrap();
        assert_eq!(w, Window::page(2));
        assert_eq!(extra, vec![Some("coffee".to_string())]);
        let (w, extra) = Window::parse("limit=5&offset=10", &["collection"]).unwrap();
        assert_eq!(
            w,
            Window {
                limit: 5,
                offset: 10
            }
        );
        assert_eq!(extra, vec![None]);
        assert_eq!(Window::parse("", &[]).unwrap().0, Window::page(1));
        for bad in [
            "page=0",
            "page=x",
            "page=1001",
            "limit=0",
            "limit=101",
            "offset=-1",
            "page=2&limit=5",
            "colection=coffee",
        ] {
            assert!(Window::parse(bad, &["collection"]).is_err(), "{bad}");
        }
    }
}
