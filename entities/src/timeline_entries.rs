//! Customer timeline entries: every event on a customer, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "timeline_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub kind: TimelineKind,
    pub occurred_at: DateTimeUtc,
    pub actor_user_id: Option<Uuid>,
    pub actor_client_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub data: Json,
}

/// What happened to the customer. Many modules write entries; every kind
/// any of them writes is listed here, so that a misspelt kind does not
/// compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(48))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The customer was recorded (by staff, a partner or an import).
    Created,
    /// A consultant was given the customer.
    Assigned,
    /// The customer was moved to another consultant.
    Reassigned,
    StatusChanged,
    FollowUp,
    NeedsAssessed,
    DealCreated,
    DealStageChanged,
    InspectionIssue,
    HandoverCompleted,
    /// An after-sales visit.
    Visit,
    ComplaintReceived,
    /// A major complaint went to the team's manager.
    ComplaintRouted,
    ComplaintResolved,
    ComplaintReopened,
    /// Another record of the customer was merged into this one.
    Merged,
    EventInvited,
    EventAttended,
    SlaBreached,
    /// The deal's negotiation plan was written or changed.
    NegotiationPlanUpdated,
    /// The deal's loan was recorded or changed.
    LoanUpdated,
    /// The deal's title transfer was recorded or corrected.
    TitleTransferred,
    /// Feedback (意见) recorded and routed to a department.
    Feedback,
    FeedbackResolved,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
