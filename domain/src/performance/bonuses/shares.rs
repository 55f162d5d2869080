//! Sharing a pool by rank, a pure function of the pool, the ranks and
//! scores of the eligible consultants, and the bonus rules.
//!
//! - A rank falls in the first band whose `up_to_rank` reaches it; a band's
//!   share is split equally among the ranks it holds.
//! - The ranks after the last band share `rest_permille` in proportion to
//!   their score (scores below zero count as zero; all zero: equally).
//! - A band or rest that nobody holds (a team smaller than the bands) passes
//!   its share to the parts that are held, in proportion to theirs, so the
//!   pool × Σ shares ÷ 1000 is paid whenever anyone is eligible. Only a
//!   version whose shares add up to less than 1000 ‰ keeps a part unpaid
//!   (and the whole pool when nobody is eligible).
//! - Whole fen: each person gets the whole fen of their exact share; the fen
//!   left over (fewer than the people paid) go one each to the largest
//!   fractions, equal fractions to the better rank. So the amounts add up
//!   to exactly what is paid, and paid + unpaid = the pool.

use entities::bonus_lines::ShareBasis;

use super::rules::{BonusRules, WHOLE};

/// An eligible consultant as sharing reads them: rank (1, 2, 3 … in order) and score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    pub rank: i64,
    pub score: f64,
}

/// One consultant's share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub basis: ShareBasis,
    /// Position (from 1) of the band in the rules; none for the rest.
    pub band: Option<i64>,
    /// The share of the pool in ‰, to 3 decimals.
    pub share_permille: f64,
    pub amount_fen: i64,
}

/// The shares, in the order of the input, and what was paid and not.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub shares: Vec<Share>,
    pub paid_fen: i64,
    pub unpaid_fen: i64,
}

/// Scores are kept to 6 decimals; as whole millionths they weigh exactly.
fn weight(score: f64) -> i128 {
    (score * 1_000_000.0).round().max(0.0) as i128
}

/// Shares `pool_fen` among `ranked` under `rules` (see the module).
pub fn allocate(pool_fen: i64, ranked: &[Ranked], rules: &BonusRules) -> Allocation {
    let pool = i128::from(pool_fen.max(0));
    let bands = rules.shares.len();
    // The group of each consultant: a band's index, or `bands` for the rest.
    let group: Vec<usize> = ranked
        .iter()
        .map(|r| {
            rules
                .shares
                .iter()
                .position(|s| r.rank <= s.up_to_rank)
                .unwrap_or(bands)
        })
        .collect();
    let permille = |g: usize| -> i128 {
        i128::from(
            rules
                .shares
                .get(g)
                .map_or(rules.rest_permille, |s| s.share_permille)
                .clamp(0, WHOLE),
        )
    };
    let mut holders = vec![0i128; bands + 1];
    for &g in &group {
        holders[g] += 1;
    }
    let rules_total: i128 = (0..=bands).map(permille).sum();
    let held_total: i128 = (0..=bands).filter(|&g| holders[g] > 0).map(permille).sum();
    let nothing = Share {
        basis: ShareBasis::None,
        band: None,
        share_permille: 0.0,
        amount_fen: 0,
    };
    if held_total == 0 {
        return Allocation {
            shares: vec![nothing; ranked.len()],
            paid_fen: 0,
            unpaid_fen: pool_fen.max(0),
        };
    }
    let rest_weights: i128 = ranked
        .iter()
        .zip(&group)
        .filter(|(_, g)| **g == bands)
        .map(|(r, _)| weight(r.score))
        .sum();
    // Each exact share as a fraction num / den of fen.
    let whole = i128::from(WHOLE);
    let exact: Vec<(i128, i128)> = ranked
        .iter()
        .zip(&group)
        .map(|(r, &g)| {
            let (part, of) = if g == bands && rest_weights > 0 {
                (weight(r.score), rest_weights)
            } else {
                (1, holders[g])
            };
            (pool * rules_total * permille(g) * part, whole * held_total * of)
        })
        .collect();
    let paid = pool * rules_total / whole;
    let mut amounts: Vec<i128> = exact.iter().map(|(num, den)| num / den).collect();
    let mut left = paid - amounts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..ranked.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, da) = (exact[a].0 % exact[a].1, exact[a].1);
        let (rb, db) = (exact[b].0 % exact[b].1, exact[b].1);
        (rb * da).cmp(&(ra * db)).then(ranked[a].rank.cmp(&ranked[b].rank))
    });
    for &i in &order {
        if left <= 0 {
            break;
        }
        amounts[i] += 1;
        left -= 1;
    }
    let shares = ranked
        .iter()
        .zip(&group)
        .zip(&amounts)
        .map(|((r, &g), &amount)| {
            let fraction = if g == bands && rest_weights > 0 {
                weight(r.score) as f64 / rest_weights as f64
            } else {
                1.0 / holders[g] as f64
            };
            let share = rules_total as f64 * permille(g) as f64 / held_total as f64 * fraction;
            Share {
                basis: if g == bands { ShareBasis::Rest } else { ShareBasis::Band },
                band: (g < bands).then_some(g as i64 + 1),
                share_permille: (share * 1000.0).round() / 1000.0,
                amount_fen: i64::try_from(amount).unwrap_or(0),
            }
        })
        .collect();
    let paid = i64::try_from(paid).unwrap_or(0);
    Allocation {
        shares,
        paid_fen: paid,
        unpaid_fen: pool_fen.max(0) - paid,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::performance::bonuses::rules::RankShare;

    fn rules(shares: &[(i64, i64)], rest: i64) -> BonusRules {
        BonusRules {
            version: 1,
            shares: shares
                .iter()
                .map(|&(up_to_rank, share_permille)| RankShare {
                    up_to_rank,
                    share_permille,
                })
                .collect(),
            rest_permille: rest,
            created_by: None,
            created_at: Utc::now(),
        }
    }

    fn field(scores: &[f64]) -> Vec<Ranked> {
        (1..).zip(scores).map(|(rank, &score)| Ranked { rank, score }).collect()
    }

    fn amounts(a: &Allocation) -> Vec<i64> {
        a.shares.iter().map(|s| s.amount_fen).collect()
    }

    #[test]
    fn the_pool_is_shared_by_rank_and_the_amounts_add_up_exactly() {
        for (case, shares, rest, scores, pool, expected, unpaid) in [
            (
                "bands split equally, the odd fen to the largest fraction",
                vec![(1, 500), (3, 500)],
                0,
                vec![0.9, 0.5, 0.4],
                1_000_001,
                vec![500_001, 250_000, 250_000],
                0,
            ),
            (
                "equal fractions: the better rank first",
                vec![(3, 1000)],
                0,
                vec![0.9, 0.5, 0.4],
                100,
                vec![34, 33, 33],
                0,
            ),
            (
                "the rest in proportion to score",
                vec![(1, 400)],
                600,
                vec![0.9, 0.6, 0.3, 0.0],
                10_000,
                vec![4000, 4000, 2000, 0],
                0,
            ),
            (
                "a rest of zero scores is shared equally",
                vec![(1, 500)],
                500,
                vec![0.0, -0.2, -0.3],
                1000,
                vec![500, 250, 250],
                0,
            ),
            (
                "bands nobody holds pass their share on",
                vec![(1, 400), (3, 300)],
                300,
                vec![0.8, 0.7],
                7000,
                vec![4000, 3000],
                0,
            ),
            (
                "shares under the whole keep the rest unpaid",
                vec![(1, 300), (2, 200)],
                0,
                vec![0.8, 0.7],
                1001,
                vec![300, 200],
                501,
            ),
            (
                "nobody eligible: nothing paid",
                vec![(1, 1000)],
                0,
                vec![],
                5000,
                vec![],
                5000,
            ),
        ] {
            let a = allocate(pool, &field(&scores), &rules(&shares, rest));
            assert_eq!(amounts(&a), expected, "{case}");
            assert_eq!(a.unpaid_fen, unpaid, "{case}");
            assert_eq!(a.paid_fen, expected.iter().sum::<i64>(), "{case}");
            assert_eq!(a.paid_fen + a.unpaid_fen, pool, "{case}");
        }
    }

    #[test]
    fn each_share_names_its_band_or_the_rest_and_its_permille() {
        let a = allocate(
            1000,
            &field(&[0.9, 0.5, 0.4, 0.3, 0.1]),
            &rules(&[(1, 400), (3, 300)], 300),
        );
        let got: Vec<(ShareBasis, Option<i64>, f64)> =
            a.shares.iter().map(|s| (s.basis, s.band, s.share_permille)).collect();
        assert_eq!(
            got,
            [
                (ShareBasis::Band, Some(1), 400.0),
                (ShareBasis::Band, Some(2), 150.0),
                (ShareBasis::Band, Some(2), 150.0),
                (ShareBasis::Rest, None, 225.0),
                (ShareBasis::Rest, None, 75.0),
            ]
        );
        assert_eq!(amounts(&a), [400, 150, 150, 225, 75]);
    }

    #[test]
    fn a_large_pool_shared_by_many_stays_exact() {
        let scores: Vec<f64> = (0..997).map(|i| f64::from(i % 97) / 97.0 + 0.123_457).collect();
        let pool = crate::platform::money::MAX_FEN;
        let a = allocate(pool, &field(&scores), &rules(&[(1, 100), (10, 200)], 700));
        assert_eq!(amounts(&a).iter().sum::<i64>(), pool);
        assert_eq!(a.unpaid_fen, 0);
    }
}
