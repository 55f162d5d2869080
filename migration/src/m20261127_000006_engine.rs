//! The workflow engine: SLA policies (versioned), durable timers written in
//! the same transaction as the change that starts them, SLA breaches,
//! notifications, partner webhooks with their delivery log, award rules and
//! runs, and monthly KPI snapshots.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles for the engine: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "sla_policies:read", "all"),
    ("admin", "sla_policies:write", "all"),
    ("admin", "sla_breaches:read", "all"),
    ("admin", "webhooks:read", "all"),
    ("admin", "webhooks:write", "all"),
    ("admin", "award_rules:read", "all"),
    ("admin", "award_rules:write", "all"),
    ("admin", "awards:read", "all"),
    ("admin", "awards:write", "all"),
    ("director", "sla_policies:read", "all"),
    ("director", "sla_breaches:read", "all"),
    ("director", "award_rules:read", "all"),
    ("director", "awards:read", "all"),
    ("director", "awards:write", "all"),
    ("manager", "sla_policies:read", "all"),
    ("manager", "sla_breaches:read", "team"),
    ("manager", "award_rules:read", "all"),
    ("manager", "awards:read", "all"),
    ("consultant", "sla_policies:read", "all"),
    ("consultant", "sla_breaches:read", "own"),
    ("consultant", "awards:read", "all"),
    ("customer_manager", "sla_policies:read", "all"),
    ("customer_manager", "sla_breaches:read", "all"),
    ("customer_manager", "awards:read", "all"),
    ("support", "awards:read", "all"),
];

/// Permission prefixes this migration introduces (removed again on `down`).
const RESOURCES: &[&str] = &[
    "sla_policies:%",
    "sla_breaches:%",
    "webhooks:%",
    "award_rules:%",
    "awards:%",
];

/// The regulation's deadlines: kind, duration in seconds, warning point in
/// percent of the duration (0: none), notify the manager on breach.
const POLICIES: &[(&str, i64, i32, bool)] = &[
    ("first_response", 24 * 3600, 80, true),
    ("needs_assessment", 3 * 24 * 3600, 80, true),
    ("follow_up", 7 * 24 * 3600, 85, true),
    // Before the planned handover: the inspection task is created this long ahead.
    ("inspection", 7 * 24 * 3600, 0, false),
    ("visit", 30 * 24 * 3600, 80, true),
    ("complaint_resolution", 3 * 24 * 3600, 75, true),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SlaPolicies::Table)
                    .col(pk_uuid(SlaPolicies::Id))
                    .col(string_len(SlaPolicies::Kind, 32))
                    .col(integer(SlaPolicies::Version))
                    .col(big_integer(SlaPolicies::DurationSecs))
                    .col(integer(SlaPolicies::WarningPercent))
                    .col(boolean(SlaPolicies::NotifyManager))
                    .col(boolean(SlaPolicies::Reassign))
                    .col(uuid_null(SlaPolicies::CreatedBy))
                    .col(timestamp_with_time_zone(SlaPolicies::CreatedAt))
                    .index(
                        Index::create()
                            .unique()
                            .col(SlaPolicies::Kind)
                            .col(SlaPolicies::Version),
                    )
                    .to_owned(),
            )
            .await?;
        for (kind, duration, warning, notify) in POLICIES {
            crate::seed_sla_policy(manager, kind, *duration, *warning, *notify).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Timers::Table)
                    .col(pk_uuid(Timers::Id))
                    .col(string_len(Timers::Kind, 32))
                    .col(string_len(Timers::Phase, 16))
                    .col(string_len(Timers::DedupeKey, 200))
                    .col(uuid_null(Timers::SubjectId))
                    .col(uuid_null(Timers::CustomerId))
                    .col(timestamp_with_time_zone(Timers::DueAt))
                    .col(integer_null(Timers::PolicyVersion))
                    .col(string_len(Timers::State, 16))
                    .col(integer(Timers::Attempts))
                    .col(timestamp_with_time_zone_null(Timers::QueuedAt))
                    .col(timestamp_with_time_zone_null(Timers::FiredAt))
                    .col(string_len_null(Timers::FiredBy, 100))
                    .col(string_len_null(Timers::Outcome, 32))
                    .col(timestamp_with_time_zone(Timers::CreatedAt))
                    .index(Index::create().unique().col(Timers::DedupeKey))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_timers_due",
            Timers::Table,
            &[Timers::State, Timers::DueAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_timers_subject",
            Timers::Table,
            &[Timers::SubjectId, Timers::Kind],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(SlaBreaches::Table)
                    .col(pk_uuid(SlaBreaches::Id))
                    .col(string_len(SlaBreaches::Kind, 32))
                    .col(uuid(SlaBreaches::TimerId))
                    .col(uuid_null(SlaBreaches::CustomerId))
                    .col(uuid_null(SlaBreaches::SubjectId))
                    .col(uuid_null(SlaBreaches::ConsultantId))
                    .col(uuid_null(SlaBreaches::TeamId))
                    .col(timestamp_with_time_zone(SlaBreaches::DueAt))
                    .col(timestamp_with_time_zone(SlaBreaches::BreachedAt))
                    .col(integer_null(SlaBreaches::PolicyVersion))
                    .index(Index::create().unique().col(SlaBreaches::TimerId))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_sla_breaches_kind",
            SlaBreaches::Table,
            &[SlaBreaches::Kind, SlaBreaches::DueAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_sla_breaches_consultant",
            SlaBreaches::Table,
            &[SlaBreaches::ConsultantId, SlaBreaches::DueAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_sla_breaches_team",
            SlaBreaches::Table,
            &[SlaBreaches::TeamId, SlaBreaches::DueAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(uuid(Notifications::UserId))
                    .col(string_len(Notifications::Kind, 48))
                    .col(string_len(Notifications::Title, 300))
                    .col(text_null(Notifications::Body))
                    .col(string_len_null(Notifications::SubjectType, 32))
                    .col(uuid_null(Notifications::SubjectId))
                    .col(string_len(Notifications::DedupeKey, 200))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                    .index(Index::create().unique().col(Notifications::DedupeKey))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_notifications_user",
            Notifications::Table,
            &[Notifications::UserId, Notifications::CreatedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(pk_uuid(Webhooks::Id))
                    .col(uuid(Webhooks::ClientId))
                    .col(string_len(Webhooks::Url, 2000))
                    .col(json(Webhooks::Events))
                    .col(string_len(Webhooks::Secret, 128))
                    .col(boolean(Webhooks::Active))
                    .col(timestamp_with_time_zone(Webhooks::CreatedAt))
                    .col(timestamp_with_time_zone(Webhooks::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(manager, "idx_webhooks_client", Webhooks::Table, &[Webhooks::ClientId]).await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(pk_uuid(WebhookDeliveries::Id))
                    .col(uuid(WebhookDeliveries::WebhookId))
                    .col(uuid(WebhookDeliveries::ClientId))
                    .col(uuid(WebhookDeliveries::EventId))
                    .col(string_len(WebhookDeliveries::Event, 48))
                    .col(json(WebhookDeliveries::Payload))
                    .col(string_len(WebhookDeliveries::Status, 16))
                    .col(integer(WebhookDeliveries::Attempts))
                    .col(integer_null(WebhookDeliveries::LastStatusCode))
                    .col(text_null(WebhookDeliveries::LastError))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(WebhookDeliveries::DeliveredAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookDeliveries::UpdatedAt))
                    .index(
                        Index::create()
                            .unique()
                            .col(WebhookDeliveries::WebhookId)
                            .col(WebhookDeliveries::EventId),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_webhook_deliveries_client",
            WebhookDeliveries::Table,
            &[WebhookDeliveries::ClientId, WebhookDeliveries::CreatedAt],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempts::Table)
                    .col(pk_uuid(WebhookAttempts::Id))
                    .col(uuid(WebhookAttempts::DeliveryId))
                    .col(integer(WebhookAttempts::Attempt))
                    .col(timestamp_with_time_zone(WebhookAttempts::AttemptedAt))
                    .col(integer_null(WebhookAttempts::StatusCode))
                    .col(text_null(WebhookAttempts::Error))
                    .col(text_null(WebhookAttempts::Response))
                    .col(integer(WebhookAttempts::DurationMs))
                    .index(
                        Index::create()
                            .unique()
                            .col(WebhookAttempts::DeliveryId)
                            .col(WebhookAttempts::Attempt),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AwardRules::Table)
                    .col(pk_uuid(AwardRules::Id))
                    .col(integer(AwardRules::Version))
                    .col(json(AwardRules::Weights))
                    .col(json(AwardRules::Eligibility))
                    .col(json(AwardRules::Tiers))
                    .col(big_integer(AwardRules::BonusPoolFen))
                    .col(uuid_null(AwardRules::CreatedBy))
                    .col(timestamp_with_time_zone(AwardRules::CreatedAt))
                    .index(Index::create().unique().col(AwardRules::Version))
                    .to_owned(),
            )
            .await?;
        let rules = Query::insert()
            .into_table(AwardRules::Table)
            .columns([
                AwardRules::Id,
                AwardRules::Version,
                AwardRules::Weights,
                AwardRules::Eligibility,
                AwardRules::Tiers,
                AwardRules::BonusPoolFen,
                AwardRules::CreatedAt,
            ])
            .values_panic([
                uuid::Uuid::now_v7().into(),
                1.into(),
                serde_json::json!({"units_sold": 0.4, "amount_sold": 0.3, "satisfaction_rate": 0.2,
                                   "complaint_rate": -0.1, "new_leads": 0.0})
                .into(),
                serde_json::json!({"min_units_sold": 1, "max_complaint_rate": 0.5}).into(),
                serde_json::json!([{"ranks": [1, 1], "share_percent": 50}, {"ranks": [2, 3], "share_percent": 25}])
                    .into(),
                3_000_000i64.into(),
                chrono::Utc::now().into(),
            ])
            .to_owned();
        manager.exec_stmt(rules).await?;
        manager
            .create_table(
                Table::create()
                    .table(AwardRuns::Table)
                    .col(pk_uuid(AwardRuns::Id))
                    .col(string_len(AwardRuns::Period, 8))
                    .col(string_len(AwardRuns::Trigger, 16))
                    .col(string_len_null(AwardRuns::ScheduledKey, 16))
                    .col(string_len(AwardRuns::Status, 16))
                    .col(integer_null(AwardRuns::RulesVersion))
                    .col(json_null(AwardRuns::Results))
                    .col(text_null(AwardRuns::Error))
                    .col(uuid_null(AwardRuns::RequestedBy))
                    .col(timestamp_with_time_zone(AwardRuns::CreatedAt))
                    .col(timestamp_with_time_zone_null(AwardRuns::PublishedAt))
                    .index(Index::create().unique().col(AwardRuns::ScheduledKey))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(KpiSnapshots::Table)
                    .col(pk_uuid(KpiSnapshots::Id))
                    .col(string_len(KpiSnapshots::Month, 7))
                    .col(json(KpiSnapshots::Consultants))
                    .col(json(KpiSnapshots::Teams))
                    .col(timestamp_with_time_zone(KpiSnapshots::CreatedAt))
                    .index(Index::create().unique().col(KpiSnapshots::Month))
                    .to_owned(),
            )
            .await?;

        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for pattern in RESOURCES {
            let delete = Query::delete()
                .from_table(Alias::new("role_permissions"))
                .and_where(Expr::col(Alias::new("permission")).like(*pattern))
                .to_owned();
            manager.exec_stmt(delete).await?;
        }
        for table in [
            KpiSnapshots::Table.into_iden(),
            AwardRuns::Table.into_iden(),
            AwardRules::Table.into_iden(),
            WebhookAttempts::Table.into_iden(),
            WebhookDeliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
            Notifications::Table.into_iden(),
            SlaBreaches::Table.into_iden(),
            Timers::Table.into_iden(),
            SlaPolicies::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaPolicies {
    Table,
    Id,
    Kind,
    Version,
    DurationSecs,
    WarningPercent,
    NotifyManager,
    Reassign,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Timers {
    Table,
    Id,
    Kind,
    Phase,
    DedupeKey,
    SubjectId,
    CustomerId,
    DueAt,
    PolicyVersion,
    State,
    Attempts,
    QueuedAt,
    FiredAt,
    FiredBy,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SlaBreaches {
    Table,
    Id,
    Kind,
    TimerId,
    CustomerId,
    SubjectId,
    ConsultantId,
    TeamId,
    DueAt,
    BreachedAt,
    PolicyVersion,
}

#[derive(DeriveIden, Clone, Copy)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    Title,
    Body,
    SubjectType,
    SubjectId,
    DedupeKey,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Webhooks {
    Table,
    Id,
    ClientId,
    Url,
    Events,
    Secret,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    ClientId,
    EventId,
    Event,
    Payload,
    Status,
    Attempts,
    LastStatusCode,
    LastError,
    NextAttemptAt,
    DeliveredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookAttempts {
    Table,
    Id,
    DeliveryId,
    Attempt,
    AttemptedAt,
    StatusCode,
    Error,
    Response,
    DurationMs,
}

#[derive(DeriveIden, Clone, Copy)]
enum AwardRules {
    Table,
    Id,
    Version,
    Weights,
    Eligibility,
    Tiers,
    BonusPoolFen,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AwardRuns {
    Table,
    Id,
    Period,
    Trigger,
    ScheduledKey,
    Status,
    RulesVersion,
    Results,
    Error,
    RequestedBy,
    CreatedAt,
    PublishedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum KpiSnapshots {
    Table,
    Id,
    Month,
    Consultants,
    Teams,
    CreatedAt,
}
