//! Sales Star runs: the ranking of one quarter, scheduled (one per quarter) or on demand.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "award_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub period: String,
    pub trigger: RunTrigger,
    pub scheduled_key: Option<String>,
    pub status: RunStatus,
    pub rules_version: Option<i32>,
    pub results: Option<Json>,
    /// A failed run's stable failure code (`domain::awards::RunFailure`);
    /// rows failed before codes were kept may hold raw text, never shown.
    pub error: Option<String>,
    pub requested_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

/// What started a run: the scheduler (one per quarter, at its start) or a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RunTrigger {
    Scheduled,
    Manual,
}

/// A run is `queued` until a worker publishes its ranking or it `failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Published,
    Failed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
