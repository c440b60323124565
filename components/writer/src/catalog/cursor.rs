//! The keyset cursor of the catalog's product lists (`after=`): the sort key of the last
//! product of a page, so the next page starts right after it by index, whatever its depth
//! (an `OFFSET` reads and throws away every row before the page).
//!
//! The catalog is ordered by (position, name, id) and a collection by (its position, product
//! id): both orders are total, so following `next` from the first page visits every product
//! exactly once, and a product added meanwhile is seen once or not at all, never shifting
//! the others. The cursor is opaque to callers: hex of `p|position|id|name` or
//! `c|position|id`, decoded strictly (anything else is refused at the field `after`).

use storefront_domain::FieldError;

/// Where a page starts: after the product with this sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// In the whole catalog: the product's position, name and id.
    Catalog {
        position: i64,
        name: String,
        id: i64,
    },
    /// In one collection: the membership's position and the product's id.
    Collection { position: i64, id: i64 },
}

/// Longest cursor accepted (a product name is at most 200 characters of up to 4 bytes).
const MAX_CURSOR: usize = 2_000;

impl Cursor {
    pub fn encode(&self) -> String {
        let plain = match self {
            Cursor::Catalog { position, name, id } => format!("p|{position}|{id}|{name}"),
            Cursor::Collection { position, id } => format!("c|{position}|{id}"),
        };
        hex::encode(plain)
    }

    pub fn decode(text: &str) -> Result<Cursor, FieldError> {
        let bad = || {
            FieldError::new(
                "after",
                "is not a page link this shop made: start again from the first page",
            )
        };
        if text.len() > MAX_CURSOR {
            return Err(bad());
        }
        let bytes = hex::decode(text).map_err(|_| bad())?;
        let plain = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = plain.splitn(4, '|');
        let kind = parts.next();
        let position = parts.next().and_then(|p| p.parse::<i64>().ok());
        let id = parts.next().and_then(|p| p.parse::<i64>().ok());
        match (kind, position, id, parts.next()) {
            (Some("p"), Some(position), Some(id), Some(name)) if id > 0 => Ok(Cursor::Catalog {
                position,
                name: name.to_string(),
                id,
            }),
            (Some("c"), Some(position), Some(id), None) if id > 0 => {
                Ok(Cursor::Collection { position, id })
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_anything_else_is_refused() {
        for cursor in [
            Cursor::Catalog {
                position: -5,
                name: "Kettle | 0.9 l ☕".into(),
                id: 7,
            },
            Cursor::Collection {
                position: 30,
                id: 2,
            },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Ok(cursor));
        }
        for bad in [
            "",
            "zz",
            &hex::encode("p|1|2"),
            &hex::encode("c|1|0"),
            &hex::encode("x|1|2"),
        ] {
            assert_eq!(Cursor::decode(bad).unwrap_err().field, "after", "{bad}");
        }
    }
}
