//! Sales targets (销售目标): a period (`2026`, `2026-Q3` or `2026-11`) and a
//! subject at one level: the department, a region, a team or a consultant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub period: String,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// `department`, `region:<id>`, `team:<id>` or `consultant:<id>`: with the period, unique.
    pub subject: String,
    pub level: TargetLevel,
    /// The consultant of a consultant's target (its `team_id` is the consultant's team).
    pub user_id: Option<Uuid>,
    pub units: i32,
    pub amount_fen: i64,
    pub set_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Whose target it is: the department's (the director's), a region's, a
/// team's or a consultant's. Each level splits into the one below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TargetLevel {
    Department,
    Region,
    Team,
    Consultant,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
