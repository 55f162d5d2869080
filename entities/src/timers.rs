//! Durable timers: every deadline, reminder, retry and periodic run, written in the same transaction as the change that starts it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub phase: String,
    pub dedupe_key: String,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    pub policy_version: Option<i32>,
    pub state: String,
    pub attempts: i32,
    pub queued_at: Option<DateTimeUtc>,
    pub fired_at: Option<DateTimeUtc>,
    pub fired_by: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
