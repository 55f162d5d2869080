//! Sales Star runs: the ranking of one quarter, scheduled (one per quarter) or on demand.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "award_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub period: String,
    pub trigger: String,
    pub scheduled_key: Option<String>,
    pub status: String,
    pub rules_version: Option<i32>,
    pub results: Option<Json>,
    /// A failed run's stable failure code (`domain::awards::RunFailure`);
    /// rows failed before codes were kept may hold raw text, never shown.
    pub error: Option<String>,
    pub requested_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
