//! Tax at checkout: one rate per order, the destination country's standard rate (EU VAT
//! by destination in the demo), applied to the goods and to the shipping alike; a
//! country without a rate gets no tax line (exports).

use crate::db::{Db, RowExt as _, text};
use crate::owner::settings;
use storefront_domain::checkout::{TaxMode, percent};

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

/// The shop's tax mode and the rate for `country` (empty: the shop's home country), if it
/// has one: one query, as every quote and order needs both.
pub fn rules(db: &Db, country: &str) -> anyhow::Result<(TaxMode, Option<Rate>)> {
    let row = db
        .row(
            "SELECT s.tax_mode, t.name, t.rate_bp FROM shop_settings s \
             LEFT JOIN tax_rates t \
               ON t.country = CASE WHEN ?1 = '' THEN s.home_country ELSE ?1 END \
             WHERE s.id = 1",
            &[text(country)],
        )?
        .ok_or_else(|| anyhow::anyhow!("the shop_settings row is missing"))?;
    let rate = match (row.opt_text(1)?, row.opt_int(2)?) {
        (Some(name), Some(rate_bp)) => Some(Rate {
            name,
            rate_bp: u32::try_from(rate_bp)?,
        }),
        _ => None,
    };
    Ok((settings::tax_mode(&row.text(0)?)?, rate))
}
