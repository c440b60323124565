//! Notes on an order: the shopper's note typed at checkout (stored with the order, shown
//! to the owner) and the owner's internal notes (a history with who wrote each and when,
//! never shown to the shopper). Both are plain text over several lines: checked here once
//! for both sides, so the checkout and the back office give the same message the writer
//! would.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// Longest note a shopper may leave at checkout, in characters.
pub const MAX_ORDER_NOTE: usize = 500;

/// Longest internal note the owner may add to an order, in characters.
pub const MAX_OWNER_NOTE: usize = 2000;

/// `text` as a note: line ends made `\n`, surrounding blanks trimmed; an error in plain
/// words when it is longer than `max` characters or holds characters that are not text
/// (controls other than line ends and tabs, direction overrides).
pub fn note_text(field: &str, text: &str, max: usize) -> Result<String, FieldError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    let count = text.chars().count();
    if count > max {
        return Err(FieldError::new(
            field,
            format!("is too long: at most {max} characters, this one has {count}"),
        ));
    }
    let odd = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if text.chars().any(odd) {
        return Err(FieldError::new(
            field,
            "contains characters that are not text; please type it again",
        ));
    }
    Ok(text.to_string())
}

/// `POST /admin/orders/{number}/notes` body: one internal note. Its author is the
/// command's actor (`storefront-actor`), as for every owner command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOwnerNote {
    /// The note (at most [`MAX_OWNER_NOTE`] characters, not empty).
    pub body: String,
}

/// One internal note on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerNote {
    /// Who wrote it.
    pub author: String,
    /// What was written.
    pub body: String,
    /// When (RFC 3339 UTC).
    pub created_at: String,
}

/// `GET /admin/orders/{number}/notes`: an order's internal notes, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OwnerNotes {
    /// Oldest first.
    pub notes: Vec<OwnerNote>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_keeps_its_lines_and_refuses_what_is_too_long_or_not_text() {
        assert_eq!(
            note_text("note", "  Ring twice.\r\nLeave at door ", 500).unwrap(),
            "Ring twice.\nLeave at door"
        );
        assert_eq!(note_text("note", "", 500).unwrap(), "");
        let long = "x".repeat(501);
        let e = note_text("note", &long, 500).unwrap_err();
        assert_eq!(e.field, "note");
        assert!(e.message.contains("at most 500"), "{}", e.message);
        assert!(note_text("note", "a\u{0}b", 500).is_err());
        assert!(note_text("note", "a\u{202e}b", 500).is_err());
        // Counted in characters, not bytes.
        assert!(note_text("note", &"ü".repeat(500), 500).is_ok());
    }
}
