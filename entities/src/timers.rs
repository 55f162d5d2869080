//! Durable timers: every deadline, reminder, retry and periodic run, written in the same transaction as the change that starts it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Strings, not an enum, on purpose: the timer engine is generic over
    /// the kinds and phases its users (SLA deadlines, periodic runs, …) register.
    pub kind: String,
    pub phase: String,
    pub dedupe_key: String,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    pub policy_version: Option<i32>,
    pub state: TimerState,
    pub attempts: i32,
    pub queued_at: Option<DateTimeUtc>,
    pub fired_at: Option<DateTimeUtc>,
    pub fired_by: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTimeUtc,
}

/// Where a timer is: `pending` until due, `queued` once the pump handed it
/// to the queue, then `fired` (its handler ran), `completed` (the work it
/// watched was done in time) or `cancelled` (no longer relevant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    /// Waits for its due time.
    Pending,
    /// Claimed by the pump and handed to the queue.
    Queued,
    /// Its handler ran (`outcome` says what it did).
    Fired,
    /// The work it watched was done in time.
    Completed,
    /// No longer relevant (a lost customer, a cancelled deal, a new anchor).
    Cancelled,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
