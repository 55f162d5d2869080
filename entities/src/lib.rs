//! sea-orm entities of EstateFlow: one module per table, plain data only.
//! Behaviour that reads or writes them lives in the `domain` crate.

/// `Display` and `FromStr` of enum columns, in their stored spelling (the
/// one the API also uses), from their `ActiveEnum` derive.
macro_rules! text_forms {
    ($($t:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&sea_orm::ActiveEnum::to_value(self))
            }
        }

        impl std::str::FromStr for $t {
            type Err = sea_orm::DbErr;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as sea_orm::ActiveEnum>::try_from_value(&s.to_owned())
            }
        }
    )+};
}

text_forms!(
    api_clients::ApiClientStatus,
    approvals::ApprovalKind,
    approvals::ApprovalStatus,
    award_runs::RunStatus,
    award_runs::RunTrigger,
    bonus_lines::ShareBasis,
    bonus_pools::BonusPoolStatus,
    bonus_pools::BonusScope,
    complaints::ComplaintStatus,
    complaints::Severity,
    customer_events::CustomerEventKind,
    customers::Channel,
    customers::CustomerStatus,
    deals::DealStage,
    deals::LoanStatus,
    deals::PaymentMethod,
    feedback::FeedbackCategory,
    feedback::FeedbackSource,
    feedback::FeedbackStatus,
    follow_ups::FollowUpKind,
    handover_checklist_items::ChecklistItem,
    inspection_issues::IssueStatus,
    needs_assessments::Purpose,
    needs_assessments::Reaction,
    notifications::NotificationKind,
    sla_policies::SlaKind,
    targets::TargetLevel,
    timeline_entries::TimelineKind,
    timers::TimerState,
    units::UnitStatus,
    webhook_deliveries::DeliveryStatus,
);

pub mod access_epoch;
pub mod api_clients;
pub mod approvals;
pub mod audit_log;
pub mod award_rules;
pub mod award_runs;
pub mod bonus_lines;
pub mod bonus_pools;
pub mod bonus_rules;
pub mod complaints;
pub mod console_sessions;
pub mod customer_events;
pub mod customers;
pub mod deals;
pub mod derived_objects;
pub mod event_invitations;
pub mod feedback;
pub mod feedback_recipients;
pub mod feedback_routes;
pub mod follow_ups;
pub mod handover_checklist_items;
pub mod handovers;
pub mod idempotency_keys;
pub mod inspection_issues;
pub mod kpi_snapshot_rows;
pub mod kpi_snapshots;
pub mod login_failures;
pub mod needs_assessments;
pub mod negotiation_plans;
pub mod notifications;
pub mod prelude;
pub mod project_briefs;
pub mod queue_throughput;
pub mod refresh_tokens;
pub mod regions;
pub mod role_permissions;
pub mod roles;
pub mod routing_rules;
pub mod sla_breaches;
pub mod sla_policies;
pub mod system_settings;
pub mod targets;
pub mod teams;
pub mod timeline_entries;
pub mod timers;
pub mod training_attendees;
pub mod trainings;
pub mod units;
pub mod user_roles;
pub mod users;
pub mod visits;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhooks;

#[cfg(test)]
mod tests {
    use std::{fmt::Display, str::FromStr};

    use sea_orm::Iterable;

    use super::*;

    /// The stored spelling of every variant of `E`, each checked to parse back.
    fn spellings<E: Iterable + Display + FromStr + PartialEq + std::fmt::Debug>() -> Vec<String> {
        E::iter()
            .map(|e| {
                let text = e.to_string();
                assert_eq!(text.parse::<E>().ok(), Some(e), "{text}");
                text
            })
            .collect()
    }

    #[test]
    fn enum_columns_keep_their_stored_spellings_and_parse_back() {
        let cases: [(Vec<String>, &[&str]); 17] = [
            (spellings::<api_clients::ApiClientStatus>(), &["active", "disabled"]),
            (
                spellings::<approvals::ApprovalKind>(),
                &["sales_policy", "marketing_plan"],
            ),
            (
                spellings::<approvals::ApprovalStatus>(),
                &["submitted", "approved", "rejected", "withdrawn"],
            ),
            (
                spellings::<customers::Channel>(),
                &[
                    "website",
                    "social_media",
                    "partner_platform",
                    "store_walk_in",
                    "outdoor_exhibition",
                    "cross_industry",
                ],
            ),
            (spellings::<complaints::Severity>(), &["minor", "major"]),
            (
                spellings::<customer_events::CustomerEventKind>(),
                &["open_day", "themed"],
            ),
            (
                spellings::<deals::PaymentMethod>(),
                &["full", "mortgage", "provident_fund", "instalments"],
            ),
            (
                spellings::<deals::LoanStatus>(),
                &["applied", "approved", "rejected", "disbursed"],
            ),
            (
                spellings::<follow_ups::FollowUpKind>(),
                &[
                    "call",
                    "visit",
                    "wechat",
                    "email",
                    "showing",
                    "material_sent",
                    "revisit",
                ],
            ),
            (
                spellings::<handover_checklist_items::ChecklistItem>(),
                &[
                    "property_certificate",
                    "maintenance_manual",
                    "quality_guarantee",
                    "usage_instructions",
                    "keys",
                    "meter_readings",
                ],
            ),
            (
                spellings::<needs_assessments::Purpose>(),
                &["own_use", "investment", "both"],
            ),
            (
                spellings::<needs_assessments::Reaction>(),
                &["pending", "interested", "neutral", "rejected"],
            ),
            (
                spellings::<notifications::NotificationKind>(),
                &[
                    "sla_reminder",
                    "sla_breach",
                    "inspection_task",
                    "visit_task",
                    "digest_daily",
                    "digest_weekly",
                    "approval_requested",
                    "approval_decided",
                    "approval_reminder",
                    "approval_overdue",
                    "bonus_published",
                    "feedback_routed",
                ],
            ),
            (spellings::<role_permissions::Scope>(), &["own", "team", "all"]),
            (
                spellings::<timeline_entries::TimelineKind>(),
                &[
                    "created",
                    "assigned",
                    "reassigned",
                    "status_changed",
                    "follow_up",
                    "needs_assessed",
                    "deal_created",
                    "deal_stage_changed",
                    "inspection_issue",
                    "handover_completed",
                    "visit",
                    "complaint_received",
                    "complaint_routed",
                    "complaint_resolved",
                    "complaint_reopened",
                    "merged",
                    "event_invited",
                    "event_attended",
                    "sla_breached",
                    "negotiation_plan_updated",
                    "loan_updated",
                    "title_transferred",
                    "feedback",
                    "feedback_resolved",
                ],
            ),
            (
                spellings::<targets::TargetLevel>(),
                &["department", "region", "team", "consultant"],
            ),
            (
                spellings::<units::UnitStatus>(),
                &["available", "reserved", "subscribed", "sold"],
            ),
        ];
        for (names, stored) in cases {
            assert_eq!(names, stored);
        }
    }
}
