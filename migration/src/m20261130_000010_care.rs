//! Key-account care (客户经理：定期进行客户回访；收集客户意见，反馈至相关部门):
//! the customer manager answering for a key account, the revisit deadline's
//! SLA policy (every 30 days, a reminder 6 days before), revisit deadlines
//! for the key accounts already on file, customer feedback with its
//! routing table (seeded with the departments concerned) and the
//! `feedback:*` grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles: role, permission, scope. Recipients of
/// routed feedback reach it through `own` as well.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "feedback:read", "all"),
    ("admin", "feedback:route", "all"),
    ("director", "feedback:read", "all"),
    ("director", "feedback:write", "all"),
    ("director", "feedback:route", "all"),
    ("manager", "feedback:read", "team"),
    ("manager", "feedback:write", "team"),
    ("consultant", "feedback:read", "own"),
    ("consultant", "feedback:write", "own"),
    ("customer_manager", "feedback:read", "all"),
    ("customer_manager", "feedback:write", "all"),
    ("support", "feedback:read", "own"),
    ("support", "feedback:write", "own"),
];

/// The revisit cadence: 30 days, the reminder at 80 % (6 days before); a
/// missed revisit is told to the team's manager.
const POLICY: (&str, i64, i32) = ("key_account_revisit", 30 * 24 * 3600, 80);

/// The routing table's first version: category, department code, its
/// names, the role told.
const ROUTES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "product",
        "product_development",
        "产品研发部",
        "Product Development",
        "director",
    ),
    (
        "service",
        "customer_service",
        "客户服务部",
        "Customer Service",
        "customer_manager",
    ),
    (
        "property_management",
        "property_management",
        "物业管理部",
        "Property Management",
        "support",
    ),
    (
        "pricing",
        "marketing",
        "营销策划部",
        "Marketing and Pricing",
        "director",
    ),
    (
        "other",
        "customer_service",
        "客户服务部",
        "Customer Service",
        "customer_manager",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Customers::AccountManagerId).uuid().null().to_owned();
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Feedback::Table)
                    .col(pk_uuid(Feedback::Id))
                    .col(uuid(Feedback::CustomerId))
                    .col(string_len(Feedback::Category, 32))
                    .col(string_len(Feedback::Source, 16))
                    .col(text(Feedback::Text))
                    .col(string_len(Feedback::Department, 64))
                    .col(string_len(Feedback::DepartmentZh, 100))
                    .col(string_len(Feedback::DepartmentEn, 100))
                    .col(integer(Feedback::RouteVersion))
                    .col(string_len(Feedback::Status, 16))
                    .col(uuid_null(Feedback::ConsultantId))
                    .col(uuid_null(Feedback::TeamId))
                    .col(uuid_null(Feedback::RecordedBy))
                    .col(uuid_null(Feedback::VisitId))
                    .col(text_null(Feedback::Resolution))
                    .col(uuid_null(Feedback::ResolvedBy))
                    .col(timestamp_with_time_zone_null(Feedback::ResolvedAt))
                    .col(timestamp_with_time_zone(Feedback::CreatedAt))
                    .col(timestamp_with_time_zone(Feedback::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_feedback_customer",
            Feedback::Table,
            &[Feedback::CustomerId, Feedback::CreatedAt],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_feedback_department",
            Feedback::Table,
            &[Feedback::Department, Feedback::Status],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(FeedbackRecipients::Table)
                    .col(uuid(FeedbackRecipients::FeedbackId))
                    .col(uuid(FeedbackRecipients::UserId))
                    .primary_key(
                        Index::create()
                            .col(FeedbackRecipients::FeedbackId)
                            .col(FeedbackRecipients::UserId),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_feedback_recipients_user",
            FeedbackRecipients::Table,
            &[FeedbackRecipients::UserId],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(FeedbackRoutes::Table)
                    .col(string_len(FeedbackRoutes::Category, 32).primary_key())
                    .col(string_len(FeedbackRoutes::Department, 64))
                    .col(string_len(FeedbackRoutes::DepartmentZh, 100))
                    .col(string_len(FeedbackRoutes::DepartmentEn, 100))
                    .col(string_len_null(FeedbackRoutes::RecipientRole, 64))
                    .col(json(FeedbackRoutes::RecipientUserIds))
                    .col(integer(FeedbackRoutes::Version))
                    .col(uuid_null(FeedbackRoutes::UpdatedBy))
                    .col(timestamp_with_time_zone(FeedbackRoutes::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        let now = chrono::Utc::now();
        for (category, department, zh, en, role) in ROUTES {
            let insert = Query::insert()
                .into_table(FeedbackRoutes::Table)
                .columns([
                    FeedbackRoutes::Category,
                    FeedbackRoutes::Department,
                    FeedbackRoutes::DepartmentZh,
                    FeedbackRoutes::DepartmentEn,
                    FeedbackRoutes::RecipientRole,
                    FeedbackRoutes::RecipientUserIds,
                    FeedbackRoutes::Version,
                    FeedbackRoutes::UpdatedAt,
                ])
                .values_panic([
                    (*category).into(),
                    (*department).into(),
                    (*zh).into(),
                    (*en).into(),
                    (*role).into(),
                    serde_json::json!([]).into(),
                    1.into(),
                    now.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        let (kind, duration, warning) = POLICY;
        crate::seed_sla_policy(manager, kind, duration, warning, true).await?;
        arm_key_accounts(manager, now, duration, warning).await?;
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let grants = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).like("feedback:%"))
            .to_owned();
        manager.exec_stmt(grants).await?;
        let timers = Query::delete()
            .from_table(Alias::new("timers"))
            .and_where(Expr::col(Alias::new("kind")).eq(POLICY.0))
            .to_owned();
        manager.exec_stmt(timers).await?;
        let policies = Query::delete()
            .from_table(Alias::new("sla_policies"))
            .and_where(Expr::col(Alias::new("kind")).eq(POLICY.0))
            .to_owned();
        manager.exec_stmt(policies).await?;
        manager
            .drop_table(Table::drop().table(FeedbackRoutes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(FeedbackRecipients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Feedback::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .drop_column(Customers::AccountManagerId)
                    .to_owned(),
            )
            .await
    }
}

/// Starts the revisit deadline (and its reminder) of every key account on
/// file that is neither lost nor merged away, counted from now, under
/// version 1 of the policy: the same rows, with the same keys, that
/// `domain::outbox::sla` writes when a customer is marked.
async fn arm_key_accounts(
    manager: &SchemaManager<'_>,
    now: chrono::DateTime<chrono::Utc>,
    duration_secs: i64,
    warning_percent: i32,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let select = Query::select()
        .column(Customers::Id)
        .from(Customers::Table)
        .and_where(Expr::col(Customers::KeyAccount).eq(true))
        .and_where(Expr::col(Customers::MergedIntoId).is_null())
        .and_where(Expr::col(Customers::Status).ne("lost"))
        .to_owned();
    let rows = db.query_all(&select).await?;
    let warning = chrono::Duration::milliseconds(duration_secs * 10 * i64::from(warning_percent));
    let phases = [
        ("warning", now + warning),
        ("deadline", now + chrono::Duration::seconds(duration_secs)),
    ];
    for row in rows {
        let customer: uuid::Uuid = row.try_get("", "id")?;
        for (phase, due_at) in phases {
            let key = format!("{}:{phase}:{customer}:{}", POLICY.0, now.timestamp_micros());
            let insert = Query::insert()
                .into_table(Alias::new("timers"))
                .columns(
                    [
                        "id",
                        "kind",
                        "phase",
                        "dedupe_key",
                        "subject_id",
                        "customer_id",
                        "due_at",
                        "policy_version",
                        "state",
                        "attempts",
                        "created_at",
                    ]
                    .map(Alias::new),
                )
                .values_panic([
                    uuid::Uuid::now_v7().into(),
                    POLICY.0.into(),
                    phase.into(),
                    key.into(),
                    customer.into(),
                    customer.into(),
                    due_at.into(),
                    1.into(),
                    "pending".into(),
                    0.into(),
                    now.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
    }
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    KeyAccount,
    MergedIntoId,
    Status,
    AccountManagerId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Feedback {
    Table,
    Id,
    CustomerId,
    Category,
    Source,
    Text,
    Department,
    DepartmentZh,
    DepartmentEn,
    RouteVersion,
    Status,
    ConsultantId,
    TeamId,
    RecordedBy,
    VisitId,
    Resolution,
    ResolvedBy,
    ResolvedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FeedbackRecipients {
    Table,
    FeedbackId,
    UserId,
}

#[derive(DeriveIden, Clone, Copy)]
enum FeedbackRoutes {
    Table,
    Category,
    Department,
    DepartmentZh,
    DepartmentEn,
    RecipientRole,
    RecipientUserIds,
    Version,
    UpdatedBy,
    UpdatedAt,
}
