//! Money: amounts are whole fen (分, 1/100 yuan) in a signed 64-bit
//! integer. Every amount a caller sends is checked here, once, against the
//! field's floor and the one ceiling [`MAX_FEN`] (¥10,000,000,000), so
//! that no single absurd figure can reach the record; and the figures that
//! add amounts up do so through [`SUM_PARTS`] and [`join_sum`], which can
//! neither overflow nor fail, so that a bad row written before the ceiling
//! existed cannot take the reports down either.

use crate::platform::{error::FieldError, text::Msg};

/// The largest amount any money field accepts: ¥10,000,000,000, far above
/// any price, target or bonus the department deals in, and small enough
/// that millions of such amounts still add up within 64 bits.
pub const MAX_FEN: i64 = 1_000_000_000_000;

/// The smallest amount a money field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// Nothing is allowed (a target, a bonus pool, a budget).
    Zero,
    /// At least one fen (a price).
    OneFen,
}

/// Checks an amount sent for the field at `pointer`: from `floor` to
/// [`MAX_FEN`], inclusive; else one error at `pointer`.
pub fn check(amount: i64, floor: Floor, pointer: &str, errors: &mut Vec<FieldError>) {
    let below = match floor {
        Floor::Zero if amount < 0 => Some(Msg::FenAtLeastZero),
        Floor::OneFen if amount < 1 => Some(Msg::FenPositive),
        _ => None,
    };
    if let Some(detail) = below {
        errors.push(FieldError::new(pointer, detail));
    } else if amount > MAX_FEN {
        errors.push(FieldError::new(pointer, Msg::FenTooLarge));
    }
}

/// [`check`] for an amount that may be absent (a patch, an optional field).
pub fn check_optional(amount: Option<i64>, floor: Floor, pointer: &str, errors: &mut Vec<FieldError>) {
    if let Some(amount) = amount {
        check(amount, floor, pointer, errors);
    }
}

/// The amounts are split at this many fen before they are summed.
const SPLIT: i64 = 1_000_000;

/// SQL selecting the sum of the column `amount` of the rows a query groups,
/// in two parts that cannot overflow on either backend (SQLite's `SUM`
/// fails on overflow, PostgreSQL's cast back to BIGINT does): `hi`, the sum
/// of the whole millions of fen, and `lo`, the sum of the rest. Each part of
/// a row is at most 1/10⁶ of the largest 64-bit value, so a group would
/// need a million rows at that value to overflow a part. [`join_sum`] puts
/// them back together. `{amount}` is replaced with the column.
pub const SUM_PARTS: &str = "CAST(COALESCE(SUM({amount} / 1000000), 0) AS BIGINT) AS hi, \
     CAST(COALESCE(SUM({amount} % 1000000), 0) AS BIGINT) AS lo";

/// The exact sum of the parts [`SUM_PARTS`] selected, or the nearest 64-bit
/// value when it does not fit: that takes more than 9 million amounts at
/// [`MAX_FEN`], so only rows written before the ceiling existed can get
/// there, and then the figure saturates instead of failing.
pub fn join_sum(hi: i64, lo: i64) -> i64 {
    let exact = i128::from(hi) * i128::from(SPLIT) + i128::from(lo);
    i64::try_from(exact).unwrap_or(if exact > 0 { i64::MAX } else { i64::MIN })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_checked_against_the_floor_and_the_ceiling() {
        for (amount, floor, refused) in [
            (0, Floor::Zero, None),
            (-1, Floor::Zero, Some(Msg::FenAtLeastZero)),
            (0, Floor::OneFen, Some(Msg::FenPositive)),
            (1, Floor::OneFen, None),
            (MAX_FEN, Floor::OneFen, None),
            (MAX_FEN, Floor::Zero, None),
            (MAX_FEN + 1, Floor::Zero, Some(Msg::FenTooLarge)),
            (i64::MAX, Floor::OneFen, Some(Msg::FenTooLarge)),
            (i64::MIN, Floor::OneFen, Some(Msg::FenPositive)),
        ] {
            let mut errors = Vec::new();
            check(amount, floor, "/price_fen", &mut errors);
            let expected: Vec<FieldError> = refused.into_iter().map(|d| FieldError::new("/price_fen", d)).collect();
            assert_eq!(errors, expected, "{amount} with {floor:?}");
        }
        let mut errors = Vec::new();
        check_optional(None, Floor::OneFen, "/price_fen", &mut errors);
        assert!(errors.is_empty());
    }

    /// The parts each backend computes for `amounts`: truncating division
    /// and a remainder with the sign of the amount, as in both SQL dialects.
    fn parts(amounts: &[i64]) -> (i64, i64) {
        let hi = amounts.iter().map(|a| a / SPLIT).sum();
        let lo = amounts.iter().map(|a| a % SPLIT).sum();
        (hi, lo)
    }

    #[test]
    fn sums_are_exact_when_they_fit_and_saturate_when_they_do_not() {
        for (case, amounts, expected) in [
            ("nothing", vec![], 0),
            ("small amounts", vec![350_000_000, 1, 999_999], 351_000_000),
            ("negative rows", vec![-1_500_001, 500_000], -1_000_001),
            ("the ceiling, twice", vec![MAX_FEN, MAX_FEN], 2 * MAX_FEN),
            ("the largest value alone", vec![i64::MAX], i64::MAX),
            ("the largest value and one fen", vec![i64::MAX, 1], i64::MAX),
            ("the largest value twice", vec![i64::MAX, i64::MAX], i64::MAX),
            ("the smallest value and a fen below", vec![i64::MIN, -1], i64::MIN),
            ("the extremes", vec![i64::MAX, i64::MIN], -1),
        ] {
            let (hi, lo) = parts(&amounts);
            assert_eq!(join_sum(hi, lo), expected, "{case}");
        }
    }
}
