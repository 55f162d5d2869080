//! Approval requests (审批): a sales policy or marketing plan a manager or
//! customer manager submits and the sales director approves or rejects.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: ApprovalKind,
    pub title: String,
    pub period_start: Date,
    pub period_end: Date,
    pub budget_fen: i64,
    pub content: String,
    /// The attachments' https links, a JSON array of strings.
    pub attachments: Json,
    pub status: ApprovalStatus,
    pub submitter_id: Uuid,
    /// The submitter's team when submitted (for team-scoped reading).
    pub team_id: Option<Uuid>,
    /// The rejected request this one resubmits, if any.
    pub resubmission_of: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    /// When the director should have decided, under the policy in force at submission.
    pub due_at: DateTimeUtc,
    /// When the decision deadline passed undecided.
    pub overdue_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_comment: Option<String>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What is submitted for approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ApprovalKind {
    /// A sales policy (销售政策): discounts, payment terms, commissions.
    SalesPolicy,
    /// A marketing plan (市场推广方案).
    MarketingPlan,
}

/// Where an approval request stands (`domain::sales::approvals` has the machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
