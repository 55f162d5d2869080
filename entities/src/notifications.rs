//! Each user's notifications: reminders, breaches, digests.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub body: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    /// The deadline a reminder, task or breach is about.
    pub due_at: Option<DateTimeUtc>,
    pub dedupe_key: String,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
}

/// What a notification is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(48))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A deadline is near (the consultant).
    SlaReminder,
    /// A deadline was missed (the team's manager).
    SlaBreach,
    /// The pre-handover inspection is due (the consultant).
    InspectionTask,
    /// The after-sales visit is due (the consultant).
    VisitTask,
    /// Yesterday's figures of the team (its manager).
    DigestDaily,
    /// Last week's figures of the team (its manager).
    DigestWeekly,
    /// A sales policy or marketing plan awaits a decision (the director).
    ApprovalRequested,
    /// The director decided a request (its submitter).
    ApprovalDecided,
    /// A request's decision deadline is near (the director).
    ApprovalReminder,
    /// A request's decision deadline passed undecided (the director).
    ApprovalOverdue,
    /// A bonus pool was published: the consultant's rank and amount.
    BonusPublished,
    /// Customer feedback routed to the department its recipient answers for.
    FeedbackRouted,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
