//! SLA policies: for each kind of deadline a duration, a warning point and what a breach does; every change is a new version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: SlaKind,
    pub version: i32,
    pub duration_secs: i64,
    pub warning_percent: i32,
    pub notify_manager: bool,
    pub reassign: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

/// A kind of deadline a policy governs (also the kind of its timers and breaches).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    FirstResponse,
    NeedsAssessment,
    FollowUp,
    Inspection,
    Visit,
    ComplaintResolution,
    /// The director's decision on an approval request (审批).
    ApprovalDecision,
    /// The customer manager's regular revisit of a key account (定期进行客户回访).
    KeyAccountRevisit,
}

impl SlaKind {
    /// The stored spelling, for the timers of this kind (whose kind column
    /// also holds other, non-SLA kinds).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NeedsAssessment => "needs_assessment",
            Self::FollowUp => "follow_up",
            Self::Inspection => "inspection",
            Self::Visit => "visit",
            Self::ComplaintResolution => "complaint_resolution",
            Self::ApprovalDecision => "approval_decision",
            Self::KeyAccountRevisit => "key_account_revisit",
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
