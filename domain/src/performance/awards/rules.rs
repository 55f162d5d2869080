//! The Sales Star's rules: weights of the figures, eligibility, bonus tiers
//! and pool, versioned — an administrator's change makes a new version.

use chrono::{DateTime, Utc};
use entities::award_rules;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set, TransactionSession, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::{self, AuditContext},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
};

/// Weight of each figure in the score; usually the complaint rate's is negative.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Weights {
    pub units_sold: f64,
    pub amount_sold: f64,
    pub satisfaction_rate: f64,
    pub complaint_rate: f64,
    pub new_leads: f64,
}

/// Who may rank; a condition left out does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Eligibility {
    /// At least this many units sold in the quarter.
    #[serde(default)]
    pub min_units_sold: Option<i64>,
    /// At most this complaint rate (a consultant without open customers has none).
    #[serde(default)]
    pub max_complaint_rate: Option<f64>,
    /// At least this many days between the account's creation and the end of the quarter.
    #[serde(default)]
    pub min_tenure_days: Option<i64>,
}

/// Ranks `ranks[0]` to `ranks[1]` (inclusive) share `share_percent` of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub ranks: Vec<i64>,
    pub share_percent: i64,
}

impl Tier {
    pub(crate) fn contains(&self, rank: i64) -> bool {
        matches!(self.ranks.as_slice(), [first, last] if (*first..=*last).contains(&rank))
    }
}

/// One version of the rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    pub version: i32,
    pub weights: Weights,
    pub eligibility: Eligibility,
    pub tiers: Vec<Tier>,
    pub bonus_pool_fen: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<award_rules::Model> for Rules {
    type Error = DomainError;

    fn try_from(m: award_rules::Model) -> Result<Self, DomainError> {
        let broken = |what: &str, e: serde_json::Error| {
            DomainError::Internal(format!("award rules version {} have unreadable {what}: {e}", m.version))
        };
        Ok(Self {
            version: m.version,
            weights: serde_json::from_value(m.weights.clone()).map_err(|e| broken("weights", e))?,
            eligibility: serde_json::from_value(m.eligibility.clone()).map_err(|e| broken("eligibility", e))?,
            tiers: serde_json::from_value(m.tiers.clone()).map_err(|e| broken("tiers", e))?,
            bonus_pool_fen: m.bonus_pool_fen,
            created_by: m.created_by,
            created_at: m.created_at,
        })
    }
}

/// New rules, as sent; checked by [`set_rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct RulesInput {
    pub weights: Weights,
    pub eligibility: Eligibility,
    pub tiers: Vec<Tier>,
    pub bonus_pool_fen: i64,
}

fn check_rules(input: &RulesInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let w = &input.weights;
    for (name, value) in [
        ("units_sold", w.units_sold),
        ("amount_sold", w.amount_sold),
        ("satisfaction_rate", w.satisfaction_rate),
        ("complaint_rate", w.complaint_rate),
        ("new_leads", w.new_leads),
    ] {
        if !value.is_finite() || !(-1.0..=1.0).contains(&value) {
            errors.push(FieldError::new(format!("/weights/{name}"), Msg::WeightMinusOneToOne));
        }
    }
    let e = &input.eligibility;
    if e.min_units_sold.is_some_and(|n| n < 0) {
        errors.push(FieldError::new("/eligibility/min_units_sold", Msg::WholeAtLeastZero));
    }
    if e.max_complaint_rate
        .is_some_and(|r| !r.is_finite() || !(0.0..=1.0).contains(&r))
    {
        errors.push(FieldError::new("/eligibility/max_complaint_rate", Msg::RateZeroToOne));
    }
    if e.min_tenure_days.is_some_and(|d| d < 0) {
        errors.push(FieldError::new("/eligibility/min_tenure_days", Msg::DaysAtLeastZero));
    }
    let mut ranges: Vec<(i64, i64, usize)> = Vec::new();
    let mut total: i64 = 0;
    for (i, tier) in input.tiers.iter().enumerate() {
        match tier.ranks.as_slice() {
            [first, last] if *first >= 1 && first <= last => ranges.push((*first, *last, i)),
            _ => errors.push(FieldError::new(format!("/tiers/{i}/ranks"), Msg::TierRanks)),
        }
        if !(0..=100).contains(&tier.share_percent) {
            errors.push(FieldError::new(
                format!("/tiers/{i}/share_percent"),
                Msg::PercentZeroToHundred,
            ));
        } else {
            total += tier.share_percent;
        }
    }
    ranges.sort_unstable();
    let mut reached = 0;
    for (first, last, i) in ranges {
        if first <= reached {
            errors.push(FieldError::new(format!("/tiers/{i}/ranks"), Msg::TierRanksOverlap));
        }
        reached = reached.max(last);
    }
    if total > 100 {
        errors.push(FieldError::new("/tiers", Msg::SharesAtMostHundred));
    }
    money::check(input.bonus_pool_fen, Floor::Zero, "/bonus_pool_fen", &mut errors);
    errors
}

async fn latest_rules(db: &impl ConnectionTrait) -> Result<award_rules::Model, DomainError> {
    award_rules::Entity::find()
        .order_by_desc(award_rules::Column::Version)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounAwardRules))
}

/// The rules in force: the latest version.
pub async fn current_rules(db: &impl ConnectionTrait) -> Result<Rules, DomainError> {
    latest_rules(db).await?.try_into()
}

/// Every version of the rules, newest first (the console's history; a
/// version is made by an administrator's change, so there are few).
pub async fn history(db: &impl ConnectionTrait) -> Result<Vec<Rules>, DomainError> {
    award_rules::Entity::find()
        .order_by_desc(award_rules::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(Rules::try_from)
        .collect()
}

fn rules_json(r: &Rules) -> serde_json::Value {
    json!({"version": r.version, "weights": r.weights, "eligibility": r.eligibility, "tiers": r.tiers,
           "bonus_pool_fen": r.bonus_pool_fen})
}

/// Sets new rules as the next version (earlier versions stay, for the runs
/// that used them). With `if_match`, only if the current version still has
/// that ETag. The caller holds `award_rules:write` on all records.
pub async fn set_rules(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: RulesInput,
    if_match: Option<&str>,
) -> Result<Rules, DomainError> {
    let errors = check_rules(&input);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let before = Rules::try_from(latest_rules(&txn).await?)?;
    crate::platform::version::check(if_match, &before)?;
    let to_json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| DomainError::Internal(e.to_string()));
    let inserted = award_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(before.version + 1),
        weights: Set(to_json(serde_json::to_value(input.weights))?),
        eligibility: Set(to_json(serde_json::to_value(input.eligibility))?),
        tiers: Set(to_json(serde_json::to_value(&input.tiers))?),
        bonus_pool_fen: Set(input.bonus_pool_fen),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let id = inserted.id;
    let after = Rules::try_from(inserted)?;
    audit::record(
        &txn,
        ctx,
        "create",
        "award_rules",
        id,
        Some(&rules_json(&before)),
        Some(&rules_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(tiers: &[(Vec<i64>, i64)]) -> RulesInput {
        RulesInput {
            weights: Weights {
                units_sold: 1.0,
                ..Weights::default()
            },
            eligibility: Eligibility::default(),
            tiers: tiers
                .iter()
                .map(|(ranks, share)| Tier {
                    ranks: ranks.clone(),
                    share_percent: *share,
                })
                .collect(),
            bonus_pool_fen: 0,
        }
    }

    fn pointers(input: &RulesInput) -> Vec<String> {
        check_rules(input).into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn rules_are_checked_field_by_field() {
        assert!(pointers(&input(&[(vec![1, 1], 50), (vec![2, 3], 25)])).is_empty());
        assert!(pointers(&input(&[(vec![2, 3], 50), (vec![1, 1], 50)])).is_empty());
        for (case, tiers, expected) in [
            (
                "overlap",
                vec![(vec![1, 2], 50), (vec![2, 3], 25)],
                vec!["/tiers/1/ranks"],
            ),
            (
                "inside a wide tier",
                vec![(vec![1, 10], 50), (vec![2, 3], 5), (vec![5, 6], 5)],
                vec!["/tiers/1/ranks", "/tiers/2/ranks"],
            ),
            ("reversed", vec![(vec![3, 2], 50)], vec!["/tiers/0/ranks"]),
            ("rank zero", vec![(vec![0, 2], 50)], vec!["/tiers/0/ranks"]),
            ("one rank", vec![(vec![1], 50)], vec!["/tiers/0/ranks"]),
            ("over 100", vec![(vec![1, 1], 60), (vec![2, 2], 41)], vec!["/tiers"]),
            ("negative share", vec![(vec![1, 1], -1)], vec!["/tiers/0/share_percent"]),
        ] {
            assert_eq!(pointers(&input(&tiers)), expected, "{case}");
        }
        let mut bad = input(&[]);
        bad.weights.units_sold = 1.5;
        bad.weights.complaint_rate = f64::NAN;
        bad.eligibility = Eligibility {
            min_units_sold: Some(-1),
            max_complaint_rate: Some(1.2),
            min_tenure_days: Some(-3),
        };
        bad.bonus_pool_fen = -1;
        assert_eq!(
            pointers(&bad),
            [
                "/weights/units_sold",
                "/weights/complaint_rate",
                "/eligibility/min_units_sold",
                "/eligibility/max_complaint_rate",
                "/eligibility/min_tenure_days",
                "/bonus_pool_fen"
            ]
        );
    }
}
