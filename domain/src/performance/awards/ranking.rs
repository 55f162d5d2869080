//! The ranking itself, a pure function of the entrants' figures and the
//! rules: normalised figures, score, eligibility, rank, tier and bonus.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{Eligibility, Rules};
use crate::platform::text::{Locale, Msg, Reader};

/// One consultant's figures for the quarter, as the ranking reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
    pub visits: i64,
    pub good_visits: i64,
    /// Good visits ÷ visits; none without visits.
    pub satisfaction_rate: Option<f64>,
    pub complaints: i64,
    pub open_customers: i64,
    /// Complaints ÷ open customers; none without open customers.
    pub complaint_rate: Option<f64>,
    /// Days from the account's creation to the end of the quarter.
    pub tenure_days: i64,
}

/// A consultant entering the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Entrant {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub figures: Figures,
}

/// Each figure on the scale the weights apply to.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Normalised {
    pub units_sold: f64,
    pub amount_sold: f64,
    pub satisfaction_rate: f64,
    pub complaint_rate: f64,
    pub new_leads: f64,
}

/// One consultant's place in a run, with everything that put them there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub figures: Figures,
    pub normalised: Normalised,
    /// Σ weight × normalised value, rounded to 6 decimals.
    pub score: f64,
    pub eligible: bool,
    /// Why not eligible (every unmet condition) in words, in the reader's
    /// language when read through the API; none when eligible.
    pub ineligible_reason: Option<String>,
    /// The unmet conditions themselves; empty when eligible (and in runs
    /// published before they were kept).
    #[serde(default)]
    pub unmet: Vec<Unmet>,
    /// 1 = the Sales Star; none when not eligible.
    pub rank: Option<i64>,
    /// Position (from 1) of the tier in the rules' list; none outside every tier.
    pub tier: Option<i64>,
    pub bonus_fen: i64,
}

/// The maxima among eligible consultants that counts are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Maxima {
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
}

/// The outcome of [`rank`]: eligible consultants by rank, then the others by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub maxima: Maxima,
    pub standings: Vec<Standing>,
    /// The part of the pool that no one was paid (shares below 100 %, tiers nobody reached).
    pub unpaid_fen: i64,
}

const SCORE_SCALE: f64 = 1_000_000.0;

fn ratio(value: i64, max: i64) -> f64 {
    if max > 0 { value as f64 / max as f64 } else { 0.0 }
}

/// A condition of eligibility a consultant did not meet, with the figures
/// that decided it; stored with the run, so its reason can be read in each
/// reader's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "condition", rename_all = "snake_case")]
pub enum Unmet {
    MinUnitsSold { sold: i64, min: i64 },
    MaxComplaintRate { rate: f64, max: f64 },
    MinTenureDays { days: i64, min: i64 },
}

impl Unmet {
    pub fn message(&self) -> Msg {
        match *self {
            Self::MinUnitsSold { sold, min } => Msg::IneligibleUnitsSold { sold, min },
            Self::MaxComplaintRate { rate, max } => Msg::IneligibleComplaintRate { rate, max },
            Self::MinTenureDays { days, min } => Msg::IneligibleTenure { days, min },
        }
    }
}

/// Every unmet condition, in `reader`'s words; none when all are met.
pub fn ineligible_reason(unmet: &[Unmet], reader: &Reader) -> Option<String> {
    let sep = match reader.locale {
        Locale::ZhCn => "；",
        Locale::En => "; ",
    };
    (!unmet.is_empty()).then(|| {
        unmet
            .iter()
            .map(|u| u.message().render(reader))
            .collect::<Vec<_>>()
            .join(sep)
    })
}

fn unmet(f: &Figures, e: &Eligibility) -> Vec<Unmet> {
    let mut unmet = Vec::new();
    if let Some(min) = e.min_units_sold
        && f.units_sold < min
    {
        unmet.push(Unmet::MinUnitsSold {
            sold: f.units_sold,
            min,
        });
    }
    if let Some(max) = e.max_complaint_rate
        && let Some(rate) = f.complaint_rate
        && rate > max
    {
        unmet.push(Unmet::MaxComplaintRate { rate, max });
    }
    if let Some(min) = e.min_tenure_days
        && f.tenure_days < min
    {
        unmet.push(Unmet::MinTenureDays {
            days: f.tenure_days,
            min,
        });
    }
    unmet
}

/// Ranks the quarter's consultants under `rules`. Pure, and the same input
/// always gives the same output:
///
/// - eligible: every condition of `rules.eligibility` holds;
/// - counts (units, amount, new leads) are divided by the largest among the
///   eligible consultants (0 when that is 0); rates are used as they are,
///   a missing rate as 0;
/// - score = Σ weight × normalised value, rounded to 6 decimals;
/// - ties: higher score, then higher amount, then more units, then the lower
///   user id; so ranks are 1, 2, 3 … with no two alike;
/// - each tier's bonus is `pool × share_percent ÷ 100` (whole fen, rounded
///   down), split equally among the consultants holding its ranks; the fen
///   left over from the split go to the best rank of the tier.
pub fn rank(entrants: &[Entrant], rules: &Rules) -> Ranking {
    let reasons: Vec<Vec<Unmet>> = entrants.iter().map(|e| unmet(&e.figures, &rules.eligibility)).collect();
    let eligible = || {
        entrants
            .iter()
            .zip(&reasons)
            .filter(|(_, r)| r.is_empty())
            .map(|(e, _)| e)
    };
    let maxima = Maxima {
        units_sold: eligible().map(|e| e.figures.units_sold).max().unwrap_or(0),
        amount_sold_fen: eligible().map(|e| e.figures.amount_sold_fen).max().unwrap_or(0),
        new_leads: eligible().map(|e| e.figures.new_leads).max().unwrap_or(0),
    };
    let w = &rules.weights;
    let mut standings: Vec<Standing> = entrants
        .iter()
        .zip(reasons)
        .map(|(e, reason)| {
            let f = &e.figures;
            let n = Normalised {
                units_sold: ratio(f.units_sold, maxima.units_sold),
                amount_sold: ratio(f.amount_sold_fen, maxima.amount_sold_fen),
                satisfaction_rate: f.satisfaction_rate.unwrap_or(0.0),
                complaint_rate: f.complaint_rate.unwrap_or(0.0),
                new_leads: ratio(f.new_leads, maxima.new_leads),
            };
            let raw = w.units_sold * n.units_sold
                + w.amount_sold * n.amount_sold
                + w.satisfaction_rate * n.satisfaction_rate
                + w.complaint_rate * n.complaint_rate
                + w.new_leads * n.new_leads;
            Standing {
                user_id: e.user_id,
                name: e.name.clone(),
                team_id: e.team_id,
                figures: f.clone(),
                normalised: n,
                score: (raw * SCORE_SCALE).round() / SCORE_SCALE,
                eligible: reason.is_empty(),
                ineligible_reason: ineligible_reason(&reason, &Reader::LOG),
                unmet: reason,
                rank: None,
                tier: None,
                bonus_fen: 0,
            }
        })
        .collect();
    standings.sort_by(|a, b| {
        b.eligible.cmp(&a.eligible).then_with(|| {
            if a.eligible {
                better(a, b)
            } else {
                a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id))
            }
        })
    });
    let mut paid: i128 = 0;
    for (rank, s) in (1..).zip(standings.iter_mut().filter(|s| s.eligible)) {
        s.rank = Some(rank);
    }
    let pool = i128::from(rules.bonus_pool_fen.max(0));
    for (i, tier) in rules.tiers.iter().enumerate() {
        let holders: Vec<usize> = standings
            .iter()
            .enumerate()
            .filter(|(_, s)| s.rank.is_some_and(|r| tier.contains(r)))
            .map(|(at, _)| at)
            .collect();
        let Some(&best) = holders.first() else {
            continue;
        };
        let tier_pool = pool * i128::from(tier.share_percent.clamp(0, 100)) / 100;
        let count = holders.len() as i128;
        let each = tier_pool / count;
        for &at in &holders {
            standings[at].tier = Some(i as i64 + 1);
            standings[at].bonus_fen = i64::try_from(each).unwrap_or(0);
        }
        standings[best].bonus_fen += i64::try_from(tier_pool - each * count).unwrap_or(0);
        paid += tier_pool;
    }
    Ranking {
        maxima,
        standings,
        unpaid_fen: i64::try_from(pool - paid).unwrap_or(0),
    }
}

/// Whether `a` ranks before `b`: higher score, higher amount, more units, lower user id.
fn better(a: &Standing, b: &Standing) -> Ordering {
    let score = |s: &Standing| (s.score * SCORE_SCALE).round() as i64;
    score(b)
        .cmp(&score(a))
        .then(b.figures.amount_sold_fen.cmp(&a.figures.amount_sold_fen))
        .then(b.figures.units_sold.cmp(&a.figures.units_sold))
        .then(a.user_id.cmp(&b.user_id))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::performance::awards::rules::{Tier, Weights};

    fn rules(weights: Weights, eligibility: Eligibility, tiers: &[(i64, i64, i64)], pool: i64) -> Rules {
        Rules {
            version: 1,
            weights,
            eligibility,
            tiers: tiers
                .iter()
                .map(|&(a, b, share)| Tier {
                    ranks: vec![a, b],
                    share_percent: share,
                })
                .collect(),
            bonus_pool_fen: pool,
            created_by: None,
            created_at: Utc::now(),
        }
    }

    fn person(id: u128, units: i64, amount: i64) -> Entrant {
        Entrant {
            user_id: Uuid::from_u128(id),
            name: format!("p{id}"),
            team_id: None,
            figures: Figures {
                units_sold: units,
                amount_sold_fen: amount,
                new_leads: 0,
                visits: 0,
                good_visits: 0,
                satisfaction_rate: None,
                complaints: 0,
                open_customers: 0,
                complaint_rate: None,
                tenure_days: 365,
            },
        }
    }

    const UNITS_ONLY: Weights = Weights {
        units_sold: 1.0,
        amount_sold: 0.0,
        satisfaction_rate: 0.0,
        complaint_rate: 0.0,
        new_leads: 0.0,
    };

    fn order(r: &Ranking) -> Vec<(u128, Option<i64>)> {
        r.standings.iter().map(|s| (s.user_id.as_u128(), s.rank)).collect()
    }

    #[test]
    fn ties_are_broken_by_amount_then_units_then_the_lower_user_id() {
        let amount_only = Weights {
            units_sold: 0.0,
            amount_sold: 0.0,
            satisfaction_rate: 0.0,
            complaint_rate: 0.0,
            new_leads: 0.0,
        };
        for (case, entrants, expected) in [
            (
                "higher score first",
                vec![person(1, 1, 100), person(2, 3, 100), person(3, 2, 100)],
                vec![2, 3, 1],
            ),
            (
                "equal scores: higher amount",
                vec![person(1, 2, 100), person(2, 2, 300), person(3, 2, 200)],
                vec![2, 3, 1],
            ),
            (
                "equal scores and amounts: more units",
                vec![person(1, 1, 100), person(2, 3, 100), person(3, 2, 100)],
                vec![2, 3, 1],
            ),
            (
                "all equal: lower user id",
                vec![person(3, 2, 100), person(1, 2, 100), person(2, 2, 100)],
                vec![1, 2, 3],
            ),
        ] {
            let weights = if case == "equal scores and amounts: more units" {
                amount_only
            } else {
                UNITS_ONLY
            };
            let r = rank(&entrants, &rules(weights, Eligibility::default(), &[], 0));
            let got: Vec<u128> = r.standings.iter().map(|s| s.user_id.as_u128()).collect();
            assert_eq!(got, expected, "{case}");
            let ranks: Vec<Option<i64>> = r.standings.iter().map(|s| s.rank).collect();
            assert_eq!(ranks, [Some(1), Some(2), Some(3)], "{case}");
        }
    }

    #[test]
    fn scores_weigh_counts_against_the_eligible_maximum_and_rates_as_they_are() {
        let weights = Weights {
            units_sold: 0.4,
            amount_sold: 0.3,
            satisfaction_rate: 0.2,
            complaint_rate: -0.1,
            new_leads: 0.1,
        };
        let mut a = person(1, 4, 800);
        a.figures.satisfaction_rate = Some(0.5);
        a.figures.complaint_rate = Some(0.25);
        a.figures.new_leads = 10;
        let mut b = person(2, 2, 1000);
        b.figures.new_leads = 5;
        // Not eligible: the 9 units must not become the maximum.
        let c = Entrant {
            figures: Figures {
                tenure_days: 10,
                ..person(3, 9, 9000).figures
            },
            ..person(3, 0, 0)
        };
        let eligibility = Eligibility {
            min_tenure_days: Some(90),
            ..Eligibility::default()
        };
        let r = rank(&[a, b, c], &rules(weights, eligibility, &[], 0));
        assert_eq!(
            r.maxima,
            Maxima {
                units_sold: 4,
                amount_sold_fen: 1000,
                new_leads: 10
            }
        );
        // a: 0.4×1 + 0.3×0.8 + 0.2×0.5 − 0.1×0.25 + 0.1×1 = 0.815
        // b: 0.4×0.5 + 0.3×1 + 0 − 0 + 0.1×0.5 = 0.55
        let scores: Vec<(u128, f64)> = r.standings.iter().map(|s| (s.user_id.as_u128(), s.score)).collect();
        assert_eq!(scores, [(1, 0.815), (2, 0.55), (3, 3.6)]);
        assert_eq!(r.standings[0].normalised.amount_sold, 0.8);
        assert_eq!(order(&r), [(1, Some(1)), (2, Some(2)), (3, None)]);
    }

    #[test]
    fn ineligible_consultants_are_listed_with_every_reason_and_no_rank() {
        let eligibility = Eligibility {
            min_units_sold: Some(2),
            max_complaint_rate: Some(0.3),
            min_tenure_days: Some(30),
        };
        let mut bad = person(1, 1, 100);
        bad.figures.complaint_rate = Some(0.5);
        bad.figures.tenure_days = 20;
        let mut no_base = person(2, 2, 100);
        no_base.figures.complaint_rate = None;
        let mut edge = person(3, 2, 100);
        edge.figures.complaint_rate = Some(0.3);
        edge.figures.tenure_days = 30;
        let r = rank(
            &[bad, no_base, edge],
            &rules(UNITS_ONLY, eligibility, &[(1, 1, 100)], 1000),
        );
        assert_eq!(order(&r), [(2, Some(1)), (3, Some(2)), (1, None)]);
        let bad = &r.standings[2];
        assert!(!bad.eligible);
        assert_eq!(
            bad.ineligible_reason.as_deref(),
            Some("sold 1 units, fewer than 2; complaint rate 0.5 above 0.3; 20 days of tenure, fewer than 30")
        );
        assert_eq!((bad.tier, bad.bonus_fen), (None, 0));
        let zh = Reader::default();
        assert_eq!(
            ineligible_reason(&bad.unmet, &zh).as_deref(),
            Some("售出 1 套，少于 2 套；投诉率 0.5 高于 0.3；入职 20 天，少于 30 天")
        );
        assert_eq!(ineligible_reason(&r.standings[0].unmet, &zh), None);
    }

    #[test]
    fn tiers_split_their_share_equally_and_give_the_odd_fen_to_the_best_rank() {
        let people: Vec<Entrant> = (1..=5).map(|i| person(i, 10 - i as i64, 100)).collect();
        for (case, tiers, pool, bonuses, unpaid) in [
            (
                "seeded tiers",
                vec![(1, 1, 50), (2, 3, 25)],
                3_000_000,
                vec![1_500_000, 375_000, 375_000, 0, 0],
                750_000,
            ),
            (
                "odd fen to the best rank",
                vec![(1, 3, 100)],
                100,
                vec![34, 33, 33, 0, 0],
                0,
            ),
            (
                "share rounds down",
                vec![(1, 1, 33), (2, 2, 33)],
                10,
                vec![3, 3, 0, 0, 0],
                4,
            ),
            (
                "tier beyond the field pays nothing",
                vec![(1, 1, 60), (6, 9, 40)],
                1000,
                vec![600, 0, 0, 0, 0],
                400,
            ),
            (
                "a tier partly filled splits among its holders",
                vec![(4, 7, 30)],
                1004,
                vec![0, 0, 0, 151, 150],
                703,
            ),
        ] {
            let r = rank(&people, &rules(UNITS_ONLY, Eligibility::default(), &tiers, pool));
            let got: Vec<i64> = r.standings.iter().map(|s| s.bonus_fen).collect();
            assert_eq!(got, bonuses, "{case}");
            assert_eq!(r.unpaid_fen, unpaid, "{case}");
            assert_eq!(got.iter().sum::<i64>() + r.unpaid_fen, pool, "{case}");
        }
        let r = rank(
            &people,
            &rules(UNITS_ONLY, Eligibility::default(), &[(1, 1, 50), (2, 3, 25)], 10),
        );
        let tiers: Vec<Option<i64>> = r.standings.iter().map(|s| s.tier).collect();
        assert_eq!(tiers, [Some(1), Some(2), Some(2), None, None]);
    }

    #[test]
    fn ranking_nobody_gives_an_empty_ranking() {
        let r = rank(&[], &rules(UNITS_ONLY, Eligibility::default(), &[(1, 1, 50)], 100));
        assert!(r.standings.is_empty());
        assert_eq!((r.maxima, r.unpaid_fen), (Maxima::default(), 100));
    }
}
