//! Returns: a shopper asks to send back units of a shipped order within the shop's return
//! window; the owner accepts (the writer refunds the chosen lines' share of what was paid,
//! through the refund path, and may put them back on the shelf) or refuses with a reason
//! the shopper reads. The shapes both sides exchange, and the limits, live here once.

use crate::Money;
use crate::payments::RefundAnswer;
use serde::{Deserialize, Serialize};

/// Days after shipping a return may be asked for, unless the owner sets another window.
pub const DEFAULT_RETURN_WINDOW_DAYS: i64 = 30;
/// Longest window the owner may set, in days (0: the shop takes no returns).
pub const MAX_RETURN_WINDOW_DAYS: i64 = 365;
/// Longest reason a shopper may give, and longest refusal the owner may write, in
/// characters.
pub const MAX_RETURN_REASON: usize = 500;
/// Returns per page of the back office's list.
pub const RETURNS_PER_PAGE: i64 = 50;

/// A return waiting for the owner.
pub const RETURN_REQUESTED: &str = "requested";
/// A return the owner accepted (its refund is recorded).
pub const RETURN_ACCEPTED: &str = "accepted";
/// A return the owner refused, with a reason.
pub const RETURN_REFUSED: &str = "refused";

/// One line of a return as asked: the line's SKU and how many units go back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineAsk {
    /// The order line's SKU.
    pub sku: String,
    /// Units, 1 to what is still returnable.
    pub quantity: i64,
}

/// `POST /orders/{number}/returns`: the shopper's request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RequestReturn {
    /// The lines to send back (lines asking 0 units are left out).
    pub lines: Vec<ReturnLineAsk>,
    /// Why, at most [`MAX_RETURN_REASON`] characters.
    pub reason: String,
}

/// `POST /returns/{id}/accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AcceptReturn {
    /// Put the returned units back on the shelf.
    #[serde(default)]
    pub restock: bool,
}

/// `POST /returns/{id}/refuse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RefuseReturn {
    /// Shown to the shopper, at most [`MAX_RETURN_REASON`] characters.
    pub reason: String,
}

/// One line of a recorded return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    /// The line's SKU.
    pub sku: String,
    /// The product's name on the line.
    pub name: String,
    /// The variant's label on the line ("" for none).
    pub variant: String,
    /// Units asked back.
    pub quantity: i64,
}

/// A return as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRecord {
    /// The return's id (the back office's links).
    pub id: i64,
    /// The order's number.
    pub order_number: String,
    /// [`RETURN_REQUESTED`], [`RETURN_ACCEPTED`] or [`RETURN_REFUSED`].
    pub state: String,
    /// The shopper's reason.
    pub reason: String,
    /// The lines asked back.
    pub lines: Vec<ReturnLine>,
    /// When it was asked for (RFC 3339 UTC).
    pub created_at: String,
    /// When the owner decided, if they did.
    #[serde(default)]
    pub decided_at: Option<String>,
    /// The refund recorded when accepted.
    #[serde(default)]
    pub refund: Option<Money>,
    /// That refund's number among the order's refunds.
    #[serde(default)]
    pub refund_seq: Option<i64>,
    /// Whether the units went back on the shelf.
    #[serde(default)]
    pub restocked: bool,
    /// The owner's reason for refusing, shown to the shopper.
    #[serde(default)]
    pub refusal: Option<String>,
}

/// One line of an order and how many of its units may still be asked back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnableLine {
    /// The line's SKU.
    pub sku: String,
    /// The product's name on the line.
    pub name: String,
    /// The variant's label ("" for none).
    pub variant: String,
    /// Units bought.
    pub bought: i64,
    /// Units not in a requested or accepted return yet.
    pub returnable: i64,
}

/// `GET /orders/{number}/returns`: the order's returns and whether another may be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReturns {
    /// The order's number.
    pub order_number: String,
    /// The shop's window, in days (0: no returns).
    pub window_days: i64,
    /// When the window closes (RFC 3339 UTC), once the order shipped.
    #[serde(default)]
    pub window_ends_at: Option<String>,
    /// Why no return may be asked for now, in the shopper's words; `None`: one may.
    #[serde(default)]
    pub closed: Option<String>,
    /// The order's lines.
    pub lines: Vec<ReturnableLine>,
    /// The order's returns, oldest first.
    pub returns: Vec<ReturnRecord>,
}

/// The answer to accepting or refusing a return: the return, and when accepted the refund
/// recorded for it (which pages then ask of the provider, as every refund).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnDecision {
    /// The return as it now stands.
    pub record: ReturnRecord,
    /// The refund, when the return was accepted with money to give back.
    #[serde(default)]
    pub refund: Option<RefundAnswer>,
}

/// `GET /admin/returns`: a page of returns, requested ones first, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnList {
    /// The page.
    pub returns: Vec<ReturnRecord>,
    /// The cursor of the next page, if there is one.
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET`/`PUT /admin/settings/returns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnSettings {
    /// Days after shipping a return may be asked for (0: none).
    pub return_window_days: i64,
}

/// `text` as a one-line reason: trimmed; an error in plain words when empty, longer than
/// [`MAX_RETURN_REASON`] characters, or holding characters that are not text.
pub fn reason_text(text: &str) -> Result<String, String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    let count = text.chars().count();
    if count == 0 {
        return Err("Please say why.".into());
    }
    if count > MAX_RETURN_REASON {
        return Err(format!(
            "Please keep it to {MAX_RETURN_REASON} characters; this one has {count}."
        ));
    }
    if text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    }) {
        return Err("Please use plain text only.".into());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(reason_text("  too small ").unwrap(), "too small");
        assert!(reason_text("   ").is_err());
        assert!(reason_text(&"x".repeat(MAX_RETURN_REASON + 1)).is_err());
        assert!(reason_text("bell\u{7}").is_err());
        assert_eq!(reason_text("two\nlines").unwrap(), "two\nlines");
    }
}
