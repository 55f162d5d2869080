//! The API's closed vocabularies (statuses, kinds, channels, scopes…) as
//! OpenAPI schemas, so that the document lists the values a field takes.
//! Each one's values come from the list the service itself checks against
//! (`domain`, `entities`, `worker`), never retyped here: the document cannot
//! drift from the rule. Fields point at them with
//! `#[schema(value_type = vocab::Name)]` or `#[param(value_type = Option<vocab::Name>)]`;
//! they appear as named schemas under `components/schemas`.

use domain::{
    access::permissions::Scope, outbox::sla, outbox::timers, outbox::webhooks, sales::customer_events,
    sales::customers, sales::follow_ups, sales::units,
};
use sea_orm::{ActiveEnum, Iterable};
use utoipa::openapi::{
    RefOr,
    schema::{ObjectBuilder, Schema, Type},
};

/// A string schema with exactly `values`.
fn string_enum<V: Into<serde_json::Value>>(description: &str, values: impl IntoIterator<Item = V>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

macro_rules! vocabulary {
    ($($(#[doc = $doc:literal])+ $name:ident = $values:expr;)+) => {$(
        $(#[doc = $doc])+
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                string_enum(concat!($($doc),+).trim(), $values)
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

vocabulary! {
    /// Whether a staff account may sign in.
    UserStatus = entities::users::UserStatus::iter().map(|s| s.to_value());
    /// Whether an API client may get tokens.
    ApiClientStatus = entities::api_clients::ApiClientStatus::iter().map(|s| s.to_value());
    /// The language of a staff account's notifications and digests.
    Locale = domain::platform::text::Locale::TAGS.iter().copied();
    /// Which records a grant reaches: the caller's own, its team's, or all.
    GrantScope = Scope::iter().map(|s| s.to_value());
    /// Where a lead came from.
    Channel = customers::Channel::iter().map(|c| c.to_value());
    /// A customer's place in the sales workflow (docs/workflows.md).
    CustomerStatus = entities::customers::CustomerStatus::iter().map(|s| s.to_value());
    /// How serious a complaint is: a major one goes to the team's manager.
    ComplaintSeverity = entities::complaints::Severity::iter().map(|s| s.to_value());
    /// Whether a complaint is still open.
    ComplaintStatus = entities::complaints::ComplaintStatus::iter().map(|s| s.to_value());
    /// The kind of a customer event.
    CustomerEventKind = customer_events::Kind::iter().map(|k| k.to_value());
    /// A deal's stage (docs/workflows.md, the deal stage machine).
    DealStage = entities::deals::DealStage::iter().map(|s| s.to_value());
    /// How the buyer pays.
    PaymentMethod = entities::deals::PaymentMethod::iter().map(|p| p.to_value());
    /// An item of the handover checklist.
    ChecklistItem = entities::handover_checklist_items::ChecklistItem::iter().map(|i| i.to_value());
    /// The kind of a follow-up.
    FollowUpKind = follow_ups::Kind::iter().map(|k| k.to_value());
    /// What the customer buys for.
    Purpose = entities::needs_assessments::Purpose::iter().map(|p| p.to_value());
    /// The customer's reaction to a recommended unit.
    Reaction = entities::needs_assessments::Reaction::iter().map(|r| r.to_value());
    /// Whose target: the department's, a region's, a team's or a consultant's.
    TargetLevel = entities::targets::TargetLevel::iter().map(|l| l.to_value());
    /// How a target splits: into the subjects of the level below, or into its shorter periods.
    TargetBreakdown = domain::performance::targets::Breakdown::ALL.iter().filter_map(|b| serde_json::to_value(b).ok());
    /// Parts against their target: over (refused on every write), under (some still to split) or exact.
    AllocationStatus =
        domain::performance::targets::AllocationStatus::ALL.iter().filter_map(|s| serde_json::to_value(s).ok());
    /// The state of an inspection issue.
    IssueStatus = entities::inspection_issues::IssueStatus::iter().map(|s| s.to_value());
    /// What an agenda item asks for (a customer's `next_due_kind`).
    AgendaKind = domain::outbox::agenda::AgendaKind::ALL.map(domain::outbox::agenda::AgendaKind::as_str);
    /// The kind of an SLA deadline.
    SlaKind = sla::SlaKind::iter().map(|s| s.to_value());
    /// A unit's sales state.
    UnitStatus = units::Status::iter().map(|s| s.to_value());
    /// The sales states a unit may be set to by hand; the others follow its deals.
    ManualUnitStatus = units::manual_statuses().map(|s| s.to_value());
    /// An event a webhook subscription may receive (docs/api/webhooks.md).
    WebhookEvent = webhooks::subscriptions::EVENTS.iter().copied();
    /// Where a webhook delivery stands.
    DeliveryStatus = entities::webhook_deliveries::DeliveryStatus::iter().map(|s| s.to_value());
    /// Why a webhook delivery attempt failed (docs/api/webhooks.md).
    DeliveryFailure = webhooks::deliveries::Failure::ALL.map(webhooks::deliveries::Failure::code);
    /// What is submitted for approval: a sales policy or a marketing plan.
    ApprovalKind = entities::approvals::ApprovalKind::iter().map(|k| k.to_value());
    /// Where an approval request stands (docs/workflows.md, approvals).
    ApprovalStatus = entities::approvals::ApprovalStatus::iter().map(|s| s.to_value());
    /// The director's decision on an approval request.
    ApprovalDecision = domain::sales::approvals::DECISIONS.map(|d| d.to_value());
    /// The span of a team's report: a day, or the week (Monday to Sunday) holding it.
    ReportPeriod = domain::performance::reports::ReportPeriod::ALL.map(domain::performance::reports::ReportPeriod::as_str);
    /// Where a deal's loan application stands (docs/workflows.md, loan and title transfer).
    LoanStatus = domain::sales::loan_states::all().map(|s| s.to_value());
    /// What customer feedback is about; each category is routed to one department (docs/workflows.md).
    FeedbackCategory = entities::feedback::FeedbackCategory::iter().map(|c| c.to_value());
    /// Where customer feedback was heard.
    FeedbackSource = entities::feedback::FeedbackSource::iter().map(|s| s.to_value());
    /// Whether customer feedback has been answered.
    FeedbackStatus = entities::feedback::FeedbackStatus::iter().map(|s| s.to_value());
    /// A job's state in its queue.
    JobState = queue::inspect::JobState::ALL.map(queue::inspect::JobState::as_str);
    /// How a Sales Star run came about.
    AwardRunTrigger = entities::award_runs::RunTrigger::iter().map(|s| s.to_value());
    /// Where a Sales Star run is: `queued` until computed, then `published` or `failed`.
    AwardRunStatus = entities::award_runs::RunStatus::iter().map(|s| s.to_value());
    /// Where a timer is.
    TimerState = timers::TimerState::iter().map(|s| s.to_value());
    /// An OAuth2 grant the token endpoint accepts.
    GrantType = crate::auth::GRANT_TYPES.iter().copied();
    /// Whom a bonus pool is for: the whole department or one team.
    BonusScope = entities::bonus_pools::BonusScope::iter().map(|s| s.to_value());
    /// Where a bonus pool is: `open` until computed, `computed` until `published` (then frozen).
    BonusPoolStatus = entities::bonus_pools::BonusPoolStatus::iter().map(|s| s.to_value());
    /// What a bonus line's share comes from: a band of ranks, the rest by score, or nothing (not eligible).
    ShareBasis = entities::bonus_lines::ShareBasis::iter().map(|s| s.to_value());
}
