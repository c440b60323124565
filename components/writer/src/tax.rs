//! Tax at checkout: one rate per order, the destination country's standard rate (EU VAT
//! by destination in the demo), applied to the goods and to the shipping alike; a
//! country without a rate gets no tax line (exports).

use crate::db::{Db, RowExt as _, text};
use storefront_domain::checkout::percent;

/// A destination's rate: its name ("VAT") and basis points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub name: String,
    pub rate_bp: u32,
}

impl Rate {
    /// "VAT 19 %": the tax line's name on quotes and orders.
    pub fn label(&self) -> String {
        format!("{} {}", self.name, percent(self.rate_bp))
    }
}

/// The rate for `country`, if it has one.
pub fn rate(db: &Db, country: &str) -> anyhow::Result<Option<Rate>> {
    db.row(
        "SELECT name, rate_bp FROM tax_rates WHERE country = ?",
        &[text(country)],
    )?
    .map(|row| {
        Ok(Rate {
            name: row.text(0)?,
            rate_bp: u32::try_from(row.int(1)?)?,
        })
    })
    .transpose()
}
