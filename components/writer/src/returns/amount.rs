//! What an accepted return refunds, in integer minor units, by the checkout's own rules
//! (`checkout::totals`): each returned unit gives back its line's amount after the line's
//! share of the discount (allocated over the lines as at checkout), in proportion to the
//! units returned (rounded half up), plus its tax when tax was added on top. Shipping is
//! not refunded, unless the return completes the return of every unit of the order: then
//! the refund is whatever of the order's total earlier returns did not give back, so the
//! returns of an order add up to its total exactly (shipping and its tax included).

use crate::checkout::totals::{allocate, div_half_up, share};
use storefront_domain::checkout::TaxMode;

/// The order's amounts as placed.
pub struct Placed {
    pub total: i64,
    pub discount: i64,
    pub tax_mode: TaxMode,
    /// 0 when the order carried no tax.
    pub rate_bp: i64,
}

/// One order line.
pub struct Line {
    pub id: i64,
    pub quantity: i64,
    pub amount: i64,
}

/// The refund for returning `chosen` (line id, units), after earlier accepted returns took
/// back `earlier` (line id, units) for `earlier_refunded` in all.
pub fn refund(
    placed: &Placed,
    lines: &[Line],
    chosen: &[(i64, i64)],
    earlier: &[(i64, i64)],
    earlier_refunded: i64,
) -> i64 {
    let units = |of: &[(i64, i64)], id: i64| -> i64 {
        of.iter().filter(|(l, _)| *l == id).map(|(_, q)| q).sum()
    };
    let everything = lines
        .iter()
        .all(|l| units(chosen, l.id) + units(earlier, l.id) >= l.quantity);
    if everything {
        return (placed.total - earlier_refunded).max(0);
    }
    let amounts: Vec<i64> = lines.iter().map(|l| l.amount).collect();
    let discounts = allocate(placed.discount, &amounts);
    lines
        .iter()
        .zip(&discounts)
        .map(|(line, off)| {
            let back = units(chosen, line.id);
            if back == 0 || line.quantity == 0 {
                return 0;
            }
            let net = div_half_up(
                i128::from(line.amount - off) * i128::from(back),
                i128::from(line.quantity),
            );
            match placed.tax_mode {
                TaxMode::Inclusive => net,
                TaxMode::Exclusive => net + share(net, placed.rate_bp),
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines() -> Vec<Line> {
        vec![
            Line {
                id: 1,
                quantity: 2,
                amount: 5000,
            },
            Line {
                id: 2,
                quantity: 1,
                amount: 1000,
            },
        ]
    }

    #[test]
    fn a_line_gives_back_its_units_share_after_the_discount() {
        // 6000 with 600 off (10 %): line 1 carries 500 of it; one of two units: 2250.
        let placed = Placed {
            total: 6000 - 600 + 490,
            discount: 600,
            tax_mode: TaxMode::Inclusive,
            rate_bp: 1900,
        };
        assert_eq!(refund(&placed, &lines(), &[(1, 1)], &[], 0), 2250);
        // Line 2 alone: 1000 − 100.
        assert_eq!(refund(&placed, &lines(), &[(2, 1)], &[], 0), 900);
    }

    #[test]
    fn tax_added_on_top_goes_back_with_the_goods() {
        let placed = Placed {
            total: 6000 + 1140 + 490 + 93,
            discount: 0,
            tax_mode: TaxMode::Exclusive,
            rate_bp: 1900,
        };
        // 1000 + 19 %.
        assert_eq!(refund(&placed, &lines(), &[(2, 1)], &[], 0), 1190);
    }

    #[test]
    fn the_last_units_back_take_the_rest_of_the_total_with_shipping() {
        let placed = Placed {
            total: 6490,
            discount: 0,
            tax_mode: TaxMode::Inclusive,
            rate_bp: 0,
        };
        assert_eq!(refund(&placed, &lines(), &[(1, 2)], &[], 0), 5000);
        // The rest: line 2 and the shipping.
        assert_eq!(refund(&placed, &lines(), &[(2, 1)], &[(1, 2)], 5000), 1490);
        // All at once: the whole total.
        assert_eq!(refund(&placed, &lines(), &[(1, 2), (2, 1)], &[], 0), 6490);
    }
}
