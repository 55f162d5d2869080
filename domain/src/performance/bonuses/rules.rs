//! The bonus rules: how a pool is shared by rank — bands of ranks, each
//! with a share of the pool in ‰ split equally among its ranks, and a rest
//! shared by the eligible consultants ranked after the last band in
//! proportion to their score. Versioned: every change is a new version,
//! audited; a computed pool names the version it used.

use chrono::{DateTime, Utc};
use entities::bonus_rules;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set, TransactionSession, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::audit::{self, AuditContext},
    platform::error::{DomainError, FieldError},
    platform::text::Msg,
};

/// The whole pool, in ‰.
pub const WHOLE: i64 = 1000;
/// The most bands a version may have.
pub const MAX_BANDS: usize = 50;

/// The ranks after the previous band up to `up_to_rank` (inclusive) share
/// `share_permille` of the pool equally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankShare {
    pub up_to_rank: i64,
    pub share_permille: i64,
}

/// One version of the bonus rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BonusRules {
    pub version: i32,
    pub shares: Vec<RankShare>,
    /// Shared by the eligible consultants ranked after the last band, in proportion to their score.
    pub rest_permille: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<bonus_rules::Model> for BonusRules {
    type Error = DomainError;

    fn try_from(m: bonus_rules::Model) -> Result<Self, DomainError> {
        Ok(Self {
            version: m.version,
            shares: serde_json::from_value(m.shares).map_err(|e| {
                DomainError::Internal(format!("bonus rules version {} have unreadable shares: {e}", m.version))
            })?,
            rest_permille: i64::from(m.rest_permille),
            created_by: m.created_by,
            created_at: m.created_at,
        })
    }
}

/// New rules, as sent; checked by [`set_rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct RulesInput {
    pub shares: Vec<RankShare>,
    pub rest_permille: i64,
}

fn check_rules(input: &RulesInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.shares.len() > MAX_BANDS {
        errors.push(FieldError::new("/shares", Msg::BonusAtMostBands { max: MAX_BANDS }));
    }
    let mut total: i64 = 0;
    let mut reached: i64 = 0;
    for (i, share) in input.shares.iter().enumerate() {
        if share.up_to_rank <= reached {
            errors.push(FieldError::new(
                format!("/shares/{i}/up_to_rank"),
                Msg::BonusRanksIncrease { after: reached },
            ));
        }
        reached = reached.max(share.up_to_rank);
        if (0..=WHOLE).contains(&share.share_permille) {
            total += share.share_permille;
        } else {
            errors.push(FieldError::new(
                format!("/shares/{i}/share_permille"),
                Msg::BonusPermille,
            ));
        }
    }
    if (0..=WHOLE).contains(&input.rest_permille) {
        total += input.rest_permille;
    } else {
        errors.push(FieldError::new("/rest_permille", Msg::BonusPermille));
    }
    if total > WHOLE {
        errors.push(FieldError::new("/shares", Msg::BonusSharesAtMostWhole { total }));
    }
    errors
}

async fn latest(db: &impl ConnectionTrait) -> Result<bonus_rules::Model, DomainError> {
    bonus_rules::Entity::find()
        .order_by_desc(bonus_rules::Column::Version)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounBonusRules))
}

/// The rules in force: the latest version.
pub async fn current_rules(db: &impl ConnectionTrait) -> Result<BonusRules, DomainError> {
    latest(db).await?.try_into()
}

fn rules_json(r: &BonusRules) -> serde_json::Value {
    json!({"version": r.version, "shares": r.shares, "rest_permille": r.rest_permille})
}

/// Sets new rules as the next version (pools computed before keep the
/// version they used). With `if_match`, only if the current version still
/// has that ETag. The caller holds `bonuses:manage` on all records.
pub async fn set_rules(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: RulesInput,
    if_match: Option<&str>,
) -> Result<BonusRules, DomainError> {
    let errors = check_rules(&input);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let before = BonusRules::try_from(latest(&txn).await?)?;
    crate::platform::version::check(if_match, &before)?;
    let shares = serde_json::to_value(&input.shares).map_err(|e| DomainError::Internal(e.to_string()))?;
    let rest = i32::try_from(input.rest_permille).map_err(|e| DomainError::Internal(e.to_string()))?;
    let inserted = bonus_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(before.version + 1),
        shares: Set(shares),
        rest_permille: Set(rest),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let id = inserted.id;
    let after = BonusRules::try_from(inserted)?;
    audit::record(
        &txn,
        ctx,
        "create",
        "bonus_rules",
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

    fn pointers(shares: &[(i64, i64)], rest: i64) -> Vec<String> {
        let input = RulesInput {
            shares: shares
                .iter()
                .map(|&(up_to_rank, share_permille)| RankShare {
                    up_to_rank,
                    share_permille,
                })
                .collect(),
            rest_permille: rest,
        };
        check_rules(&input).into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn rules_are_checked_field_by_field() {
        assert!(pointers(&[(1, 400), (3, 300)], 300).is_empty());
        assert!(pointers(&[], 1000).is_empty());
        assert!(pointers(&[(2, 100)], 0).is_empty());
        for (case, shares, rest, expected) in [
            ("rank zero", vec![(0, 100)], 0, vec!["/shares/0/up_to_rank"]),
            (
                "not increasing",
                vec![(3, 100), (3, 100)],
                0,
                vec!["/shares/1/up_to_rank"],
            ),
            ("decreasing", vec![(3, 100), (2, 100)], 0, vec!["/shares/1/up_to_rank"]),
            ("negative share", vec![(1, -1)], 0, vec!["/shares/0/share_permille"]),
            (
                "share over the whole",
                vec![(1, 1001)],
                0,
                vec!["/shares/0/share_permille"],
            ),
            ("rest out of range", vec![], -5, vec!["/rest_permille"]),
            ("over the whole", vec![(1, 600), (2, 300)], 101, vec!["/shares"]),
        ] {
            assert_eq!(pointers(&shares, rest), expected, "{case}");
        }
        let many: Vec<(i64, i64)> = (1..=51).map(|r| (r, 1)).collect();
        assert_eq!(pointers(&many, 0), ["/shares"]);
    }
}
