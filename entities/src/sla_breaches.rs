//! Deadlines missed, one per timer that found the work undone.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_breaches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: super::sla_policies::SlaKind,
    pub timer_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    pub breached_at: DateTimeUtc,
    pub policy_version: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
