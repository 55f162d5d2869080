//! Approvals (审批重大销售政策及市场推广方案): the requests managers and
//! customer managers submit and the sales director decides, the decision
//! deadline's SLA policy (3 days, a reminder a day before), and the
//! `approvals:*` grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "approvals:read", "all"),
    ("director", "approvals:read", "all"),
    ("director", "approvals:decide", "all"),
    ("manager", "approvals:read", "team"),
    ("manager", "approvals:write", "own"),
    ("customer_manager", "approvals:read", "own"),
    ("customer_manager", "approvals:write", "own"),
];

/// The decision deadline: 3 days, the reminder at two thirds (a day before).
const POLICY: (&str, i64, i32) = ("approval_decision", 3 * 24 * 3600, 67);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Approvals::Table)
                    .col(pk_uuid(Approvals::Id))
                    .col(string_len(Approvals::Kind, 32))
                    .col(string_len(Approvals::Title, 200))
                    .col(date(Approvals::PeriodStart))
                    .col(date(Approvals::PeriodEnd))
                    .col(big_integer(Approvals::BudgetFen))
                    .col(text(Approvals::Content))
                    .col(json(Approvals::Attachments))
                    .col(string_len(Approvals::Status, 16))
                    .col(uuid(Approvals::SubmitterId))
                    .col(uuid_null(Approvals::TeamId))
                    .col(uuid_null(Approvals::ResubmissionOf))
                    .col(timestamp_with_time_zone(Approvals::SubmittedAt))
                    .col(timestamp_with_time_zone(Approvals::DueAt))
                    .col(timestamp_with_time_zone_null(Approvals::OverdueAt))
                    .col(uuid_null(Approvals::DecidedBy))
                    .col(timestamp_with_time_zone_null(Approvals::DecidedAt))
                    .col(text_null(Approvals::DecisionComment))
                    .col(timestamp_with_time_zone_null(Approvals::WithdrawnAt))
                    .col(timestamp_with_time_zone(Approvals::CreatedAt))
                    .col(timestamp_with_time_zone(Approvals::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_approvals_submitter",
            Approvals::Table,
            &[Approvals::SubmitterId, Approvals::SubmittedAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_approvals_status",
            Approvals::Table,
            &[Approvals::Status, Approvals::DueAt],
        )
        .await?;
        let (kind, duration, warning) = POLICY;
        crate::seed_sla_policy(manager, kind, duration, warning, false).await?;
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let grants = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).like("approvals:%"))
            .to_owned();
        manager.exec_stmt(grants).await?;
        let policies = Query::delete()
            .from_table(SlaPolicies::Table)
            .and_where(Expr::col(SlaPolicies::Kind).eq(POLICY.0))
            .to_owned();
        manager.exec_stmt(policies).await?;
        manager
            .drop_table(Table::drop().table(Approvals::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Approvals {
    Table,
    Id,
    Kind,
    Title,
    PeriodStart,
    PeriodEnd,
    BudgetFen,
    Content,
    Attachments,
    Status,
    SubmitterId,
    TeamId,
    ResubmissionOf,
    SubmittedAt,
    DueAt,
    OverdueAt,
    DecidedBy,
    DecidedAt,
    DecisionComment,
    WithdrawnAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaPolicies {
    Table,
    Kind,
}
