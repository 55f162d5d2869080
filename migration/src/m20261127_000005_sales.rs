//! The sales record: what happens to a customer from lead to after-sales,
//! each state change stamped with its time so that deadlines and figures
//! can rely on it. Units and deals (认购 → 交房), pre-handover inspection,
//! handover, visits, complaints, targets, trainings and customer events;
//! a timeline entry for every event on a customer.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles for the sales record: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("director", "customers:assign", "all"),
    ("director", "units:read", "all"),
    ("director", "units:write", "all"),
    ("director", "deals:read", "all"),
    ("director", "complaints:read", "all"),
    ("director", "targets:read", "all"),
    ("director", "targets:write", "all"),
    ("director", "trainings:read", "all"),
    ("director", "trainings:write", "all"),
    ("director", "customer_events:read", "all"),
    ("director", "kpis:read", "all"),
    ("manager", "customers:assign", "team"),
    ("manager", "units:read", "all"),
    ("manager", "units:write", "all"),
    ("manager", "deals:read", "team"),
    ("manager", "deals:write", "team"),
    ("manager", "complaints:read", "team"),
    ("manager", "complaints:write", "team"),
    ("manager", "targets:read", "team"),
    ("manager", "trainings:read", "team"),
    ("manager", "trainings:write", "team"),
    ("manager", "customer_events:read", "all"),
    ("manager", "kpis:read", "team"),
    ("consultant", "units:read", "all"),
    ("consultant", "deals:read", "own"),
    ("consultant", "deals:write", "own"),
    ("consultant", "complaints:read", "own"),
    ("consultant", "complaints:write", "own"),
    ("consultant", "trainings:read", "own"),
    ("consultant", "customer_events:read", "all"),
    ("consultant", "kpis:read", "own"),
    ("customer_manager", "customers:write", "all"),
    ("customer_manager", "units:read", "all"),
    ("customer_manager", "deals:read", "all"),
    ("customer_manager", "complaints:read", "all"),
    ("customer_manager", "complaints:write", "all"),
    ("customer_manager", "customer_events:read", "all"),
    ("customer_manager", "customer_events:write", "all"),
    ("customer_manager", "kpis:read", "all"),
    ("support", "units:read", "all"),
    ("support", "deals:read", "own"),
    ("support", "deals:write", "own"),
];

/// Permission prefixes this migration introduces (removed again on `down`).
const RESOURCES: &[&str] = &[
    "units:%",
    "deals:%",
    "complaints:%",
    "targets:%",
    "trainings:%",
    "customer_events:%",
    "kpis:%",
    "customers:assign",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            ColumnDef::new(Customers::PhoneKey).string_len(32).null().to_owned(),
            ColumnDef::new(Customers::AssignedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Customers::FirstResponseAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Customers::NeedsAssessedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Customers::LastFollowUpAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Customers::LostAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Customers::MergedIntoId).uuid().null().to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        for (name, column) in [
            ("idx_customers_phone_key", Customers::PhoneKey),
            ("idx_customers_created_at", Customers::CreatedAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Customers::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [
            ColumnDef::new(Users::LeadIntakePaused)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Users::LastLeadAssignedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(Table::alter().table(Users::Table).add_column(&mut column).to_owned())
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(TimelineEntries::Table)
                    .col(pk_uuid(TimelineEntries::Id))
                    .col(uuid(TimelineEntries::CustomerId))
                    .col(string_len(TimelineEntries::Kind, 48))
                    .col(timestamp_with_time_zone(TimelineEntries::OccurredAt))
                    .col(uuid_null(TimelineEntries::ActorUserId))
                    .col(uuid_null(TimelineEntries::ActorClientId))
                    .col(uuid_null(TimelineEntries::SubjectId))
                    .col(json(TimelineEntries::Data))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_timeline_customer",
            TimelineEntries::Table,
            &[TimelineEntries::CustomerId, TimelineEntries::OccurredAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FollowUps::Table)
                    .col(pk_uuid(FollowUps::Id))
                    .col(uuid(FollowUps::CustomerId))
                    .col(uuid_null(FollowUps::AuthorId))
                    .col(string_len(FollowUps::Kind, 32))
                    .col(timestamp_with_time_zone(FollowUps::OccurredAt))
                    .col(boolean(FollowUps::Reached))
                    .col(text_null(FollowUps::Notes))
                    .col(text_null(FollowUps::NextStep))
                    .col(timestamp_with_time_zone_null(FollowUps::NextFollowUpAt))
                    .col(timestamp_with_time_zone(FollowUps::CreatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_follow_ups_customer",
            FollowUps::Table,
            &[FollowUps::CustomerId, FollowUps::OccurredAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(NeedsAssessments::Table)
                    .col(pk_uuid(NeedsAssessments::Id))
                    .col(uuid(NeedsAssessments::CustomerId))
                    .col(uuid_null(NeedsAssessments::AuthorId))
                    .col(big_integer_null(NeedsAssessments::BudgetMinFen))
                    .col(big_integer_null(NeedsAssessments::BudgetMaxFen))
                    .col(json(NeedsAssessments::Districts))
                    .col(string_len_null(NeedsAssessments::Layout, 40))
                    .col(integer_null(NeedsAssessments::AreaMinSqm))
                    .col(integer_null(NeedsAssessments::AreaMaxSqm))
                    .col(string_len_null(NeedsAssessments::Purpose, 16))
                    .col(text_null(NeedsAssessments::Notes))
                    .col(json(NeedsAssessments::Recommendations))
                    .col(timestamp_with_time_zone(NeedsAssessments::AssessedAt))
                    .col(timestamp_with_time_zone(NeedsAssessments::CreatedAt))
                    .col(timestamp_with_time_zone(NeedsAssessments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_needs_customer",
            NeedsAssessments::Table,
            &[NeedsAssessments::CustomerId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Units::Table)
                    .col(pk_uuid(Units::Id))
                    .col(string_len(Units::Project, 120))
                    .col(string_len(Units::Building, 40))
                    .col(string_len(Units::Number, 40))
                    .col(string_len(Units::Layout, 40))
                    .col(integer(Units::AreaSqmCenti))
                    .col(big_integer(Units::ListPriceFen))
                    .col(string_len(Units::Status, 16))
                    .col(timestamp_with_time_zone(Units::CreatedAt))
                    .col(timestamp_with_time_zone(Units::UpdatedAt))
                    .index(
                        Index::create()
                            .unique()
                            .col(Units::Project)
                            .col(Units::Building)
                            .col(Units::Number),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(manager, "idx_units_status", Units::Table, &[Units::Status]).await?;

        manager
            .create_table(
                Table::create()
                    .table(Deals::Table)
                    .col(pk_uuid(Deals::Id))
                    .col(uuid(Deals::CustomerId))
                    .col(uuid(Deals::UnitId))
                    .col(uuid(Deals::ConsultantId))
                    .col(uuid_null(Deals::TeamId))
                    .col(uuid_null(Deals::SupportId))
                    .col(big_integer(Deals::AgreedPriceFen))
                    .col(string_len(Deals::PaymentMethod, 16))
                    .col(date_null(Deals::PlannedHandoverOn))
                    .col(string_len(Deals::Stage, 24))
                    .col(timestamp_with_time_zone_null(Deals::SubscribedAt))
                    .col(timestamp_with_time_zone_null(Deals::ContractedAt))
                    .col(timestamp_with_time_zone_null(Deals::HandedOverAt))
                    .col(timestamp_with_time_zone_null(Deals::ClosedAt))
                    .col(timestamp_with_time_zone_null(Deals::CancelledAt))
                    .col(text_null(Deals::CancelReason))
                    .col(timestamp_with_time_zone(Deals::CreatedAt))
                    .col(timestamp_with_time_zone(Deals::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(manager, "idx_deals_customer", Deals::Table, &[Deals::CustomerId]).await?;
        crate::create_index(manager, "idx_deals_unit", Deals::Table, &[Deals::UnitId]).await?;
        crate::create_index(
            manager,
            "idx_deals_consultant",
            Deals::Table,
            &[Deals::ConsultantId, Deals::SubscribedAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_deals_team",
            Deals::Table,
            &[Deals::TeamId, Deals::SubscribedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(InspectionIssues::Table)
                    .col(pk_uuid(InspectionIssues::Id))
                    .col(uuid(InspectionIssues::DealId))
                    .col(text(InspectionIssues::Description))
                    .col(string_len_null(InspectionIssues::Location, 120))
                    .col(string_len(InspectionIssues::Status, 16))
                    .col(text_null(InspectionIssues::Resolution))
                    .col(uuid_null(InspectionIssues::ReportedBy))
                    .col(timestamp_with_time_zone(InspectionIssues::ReportedAt))
                    .col(timestamp_with_time_zone_null(InspectionIssues::ResolvedAt))
                    .col(timestamp_with_time_zone(InspectionIssues::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_inspection_issues_deal",
            InspectionIssues::Table,
            &[InspectionIssues::DealId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(HandoverChecklistItems::Table)
                    .col(uuid(HandoverChecklistItems::DealId))
                    .col(string_len(HandoverChecklistItems::Item, 48))
                    .col(boolean(HandoverChecklistItems::Done))
                    .col(text_null(HandoverChecklistItems::Note))
                    .col(uuid_null(HandoverChecklistItems::UpdatedBy))
                    .col(timestamp_with_time_zone(HandoverChecklistItems::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(HandoverChecklistItems::DealId)
                            .col(HandoverChecklistItems::Item),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Handovers::Table)
                    .col(pk_uuid(Handovers::DealId))
                    .col(timestamp_with_time_zone(Handovers::HandedOverAt))
                    .col(string_len(Handovers::Recipient, 200))
                    .col(text_null(Handovers::Notes))
                    .col(uuid_null(Handovers::RecordedBy))
                    .col(timestamp_with_time_zone(Handovers::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Visits::Table)
                    .col(pk_uuid(Visits::Id))
                    .col(uuid(Visits::DealId))
                    .col(uuid(Visits::CustomerId))
                    .col(uuid(Visits::ConsultantId))
                    .col(uuid_null(Visits::TeamId))
                    .col(timestamp_with_time_zone(Visits::VisitedAt))
                    .col(small_integer(Visits::Satisfaction))
                    .col(text_null(Visits::Feedback))
                    .col(uuid_null(Visits::RecordedBy))
                    .col(timestamp_with_time_zone(Visits::CreatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(manager, "idx_visits_deal", Visits::Table, &[Visits::DealId]).await?;
        crate::create_index(
            manager,
            "idx_visits_consultant",
            Visits::Table,
            &[Visits::ConsultantId, Visits::VisitedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Complaints::Table)
                    .col(pk_uuid(Complaints::Id))
                    .col(uuid(Complaints::CustomerId))
                    .col(uuid_null(Complaints::DealId))
                    .col(uuid_null(Complaints::ConsultantId))
                    .col(uuid_null(Complaints::TeamId))
                    .col(uuid_null(Complaints::HandlerId))
                    .col(string_len(Complaints::Severity, 16))
                    .col(text(Complaints::Summary))
                    .col(string_len(Complaints::Status, 16))
                    .col(timestamp_with_time_zone(Complaints::ReceivedAt))
                    .col(timestamp_with_time_zone_null(Complaints::ResolvedAt))
                    .col(text_null(Complaints::Resolution))
                    .col(uuid_null(Complaints::CreatedBy))
                    .col(timestamp_with_time_zone(Complaints::CreatedAt))
                    .col(timestamp_with_time_zone(Complaints::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_complaints_customer",
            Complaints::Table,
            &[Complaints::CustomerId],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_complaints_consultant",
            Complaints::Table,
            &[Complaints::ConsultantId, Complaints::ReceivedAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_complaints_team",
            Complaints::Table,
            &[Complaints::TeamId, Complaints::ReceivedAt],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Targets::Table)
                    .col(pk_uuid(Targets::Id))
                    .col(string_len(Targets::Period, 8))
                    .col(uuid_null(Targets::RegionId))
                    .col(uuid_null(Targets::TeamId))
                    .col(string_len(Targets::Subject, 48))
                    .col(integer(Targets::Units))
                    .col(big_integer(Targets::AmountFen))
                    .col(uuid_null(Targets::SetBy))
                    .col(timestamp_with_time_zone(Targets::CreatedAt))
                    .col(timestamp_with_time_zone(Targets::UpdatedAt))
                    .index(Index::create().unique().col(Targets::Period).col(Targets::Subject))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Trainings::Table)
                    .col(pk_uuid(Trainings::Id))
                    .col(string_len(Trainings::Title, 200))
                    .col(text_null(Trainings::Topic))
                    .col(uuid_null(Trainings::TeamId))
                    .col(timestamp_with_time_zone(Trainings::HeldAt))
                    .col(string_len_null(Trainings::Trainer, 200))
                    .col(uuid_null(Trainings::CreatedBy))
                    .col(timestamp_with_time_zone(Trainings::CreatedAt))
                    .col(timestamp_with_time_zone(Trainings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(manager, "idx_trainings_held_at", Trainings::Table, &[Trainings::HeldAt]).await?;
        manager
            .create_table(
                Table::create()
                    .table(TrainingAttendees::Table)
                    .col(uuid(TrainingAttendees::TrainingId))
                    .col(uuid(TrainingAttendees::UserId))
                    .col(boolean(TrainingAttendees::Attended))
                    .col(boolean_null(TrainingAttendees::ExamPassed))
                    .col(timestamp_with_time_zone(TrainingAttendees::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(TrainingAttendees::TrainingId)
                            .col(TrainingAttendees::UserId),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_training_attendees_user",
            TrainingAttendees::Table,
            &[TrainingAttendees::UserId],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(CustomerEvents::Table)
                    .col(pk_uuid(CustomerEvents::Id))
                    .col(string_len(CustomerEvents::Title, 200))
                    .col(string_len(CustomerEvents::Kind, 16))
                    .col(timestamp_with_time_zone(CustomerEvents::StartsAt))
                    .col(string_len_null(CustomerEvents::Location, 200))
                    .col(uuid_null(CustomerEvents::CreatedBy))
                    .col(timestamp_with_time_zone(CustomerEvents::CreatedAt))
                    .col(timestamp_with_time_zone(CustomerEvents::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EventInvitations::Table)
                    .col(uuid(EventInvitations::EventId))
                    .col(uuid(EventInvitations::CustomerId))
                    .col(boolean(EventInvitations::Attended))
                    .col(uuid_null(EventInvitations::InvitedBy))
                    .col(timestamp_with_time_zone(EventInvitations::InvitedAt))
                    .col(timestamp_with_time_zone(EventInvitations::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(EventInvitations::EventId)
                            .col(EventInvitations::CustomerId),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_event_invitations_customer",
            EventInvitations::Table,
            &[EventInvitations::CustomerId],
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
        let delete = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).eq("customers:write"))
            .and_where(
                Expr::col(Alias::new("role_id")).in_subquery(
                    Query::select()
                        .column(Alias::new("id"))
                        .from(Alias::new("roles"))
                        .and_where(Expr::col(Alias::new("name")).eq("customer_manager"))
                        .to_owned(),
                ),
            )
            .to_owned();
        manager.exec_stmt(delete).await?;
        for table in [
            EventInvitations::Table.into_iden(),
            CustomerEvents::Table.into_iden(),
            TrainingAttendees::Table.into_iden(),
            Trainings::Table.into_iden(),
            Targets::Table.into_iden(),
            Complaints::Table.into_iden(),
            Visits::Table.into_iden(),
            Handovers::Table.into_iden(),
            HandoverChecklistItems::Table.into_iden(),
            InspectionIssues::Table.into_iden(),
            Deals::Table.into_iden(),
            Units::Table.into_iden(),
            NeedsAssessments::Table.into_iden(),
            FollowUps::Table.into_iden(),
            TimelineEntries::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for column in [Users::LeadIntakePaused, Users::LastLeadAssignedAt] {
            manager
                .alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_customers_phone_key")
                    .table(Customers::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_customers_created_at")
                    .table(Customers::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Customers::PhoneKey,
            Customers::AssignedAt,
            Customers::FirstResponseAt,
            Customers::NeedsAssessedAt,
            Customers::LastFollowUpAt,
            Customers::LostAt,
            Customers::MergedIntoId,
        ] {
            manager
                .alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    PhoneKey,
    AssignedAt,
    FirstResponseAt,
    NeedsAssessedAt,
    LastFollowUpAt,
    LostAt,
    MergedIntoId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    LeadIntakePaused,
    LastLeadAssignedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TimelineEntries {
    Table,
    Id,
    CustomerId,
    Kind,
    OccurredAt,
    ActorUserId,
    ActorClientId,
    SubjectId,
    Data,
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUps {
    Table,
    Id,
    CustomerId,
    AuthorId,
    Kind,
    OccurredAt,
    Reached,
    Notes,
    NextStep,
    NextFollowUpAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum NeedsAssessments {
    Table,
    Id,
    CustomerId,
    AuthorId,
    BudgetMinFen,
    BudgetMaxFen,
    Districts,
    Layout,
    AreaMinSqm,
    AreaMaxSqm,
    Purpose,
    Notes,
    Recommendations,
    AssessedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Units {
    Table,
    Id,
    Project,
    Building,
    Number,
    Layout,
    AreaSqmCenti,
    ListPriceFen,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deals {
    Table,
    Id,
    CustomerId,
    UnitId,
    ConsultantId,
    TeamId,
    SupportId,
    AgreedPriceFen,
    PaymentMethod,
    PlannedHandoverOn,
    Stage,
    SubscribedAt,
    ContractedAt,
    HandedOverAt,
    ClosedAt,
    CancelledAt,
    CancelReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum InspectionIssues {
    Table,
    Id,
    DealId,
    Description,
    Location,
    Status,
    Resolution,
    ReportedBy,
    ReportedAt,
    ResolvedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum HandoverChecklistItems {
    Table,
    DealId,
    Item,
    Done,
    Note,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Handovers {
    Table,
    DealId,
    HandedOverAt,
    Recipient,
    Notes,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Visits {
    Table,
    Id,
    DealId,
    CustomerId,
    ConsultantId,
    TeamId,
    VisitedAt,
    Satisfaction,
    Feedback,
    RecordedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Complaints {
    Table,
    Id,
    CustomerId,
    DealId,
    ConsultantId,
    TeamId,
    HandlerId,
    Severity,
    Summary,
    Status,
    ReceivedAt,
    ResolvedAt,
    Resolution,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Targets {
    Table,
    Id,
    Period,
    RegionId,
    TeamId,
    Subject,
    Units,
    AmountFen,
    SetBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Trainings {
    Table,
    Id,
    Title,
    Topic,
    TeamId,
    HeldAt,
    Trainer,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TrainingAttendees {
    Table,
    TrainingId,
    UserId,
    Attended,
    ExamPassed,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CustomerEvents {
    Table,
    Id,
    Title,
    Kind,
    StartsAt,
    Location,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventInvitations {
    Table,
    EventId,
    CustomerId,
    Attended,
    InvitedBy,
    InvitedAt,
    UpdatedAt,
}
