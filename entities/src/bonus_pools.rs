//! Bonus pools (绩效奖金): the money of one month or quarter for the
//! department or one team, shared by rank once computed, published once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_pools")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `2026-11` or `2026-Q4`.
    pub period: String,
    pub scope: BonusScope,
    /// The team of a team pool.
    pub team_id: Option<Uuid>,
    /// `department` or the team's id: one pool per period and scope (unique with `period`).
    pub scope_key: String,
    pub pool_fen: i64,
    pub status: BonusPoolStatus,
    /// The bonus rules version of the last computation.
    pub rules_version: Option<i32>,
    /// The Sales Star rules version (weights, eligibility) of the last computation.
    pub award_rules_version: Option<i32>,
    /// What the last computation applied: period bounds, rules, maxima.
    pub basis: Option<Json>,
    pub paid_fen: i64,
    pub unpaid_fen: i64,
    pub computed_at: Option<DateTimeUtc>,
    /// Who computed it last; null for the period-end job.
    pub computed_by: Option<Uuid>,
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Whom a pool is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum BonusScope {
    /// Every consultant of the department.
    Department,
    /// The consultants of one team.
    Team,
}

/// `open` until computed; `computed` (again as often as asked) until `published`, then frozen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum BonusPoolStatus {
    Open,
    Computed,
    Published,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
