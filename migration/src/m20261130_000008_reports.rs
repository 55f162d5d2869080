//! The reports the roles need (每日/周汇报业绩情况, 分析客户流失原因): the
//! status a customer had before it was lost (`customers.lost_from_status`,
//! for churn by stage), and the `reports:read` (a team's daily and weekly
//! report) and `churn:read` (the churn analysis) grants.
//!
//! The status before `lost` was not stored until now; the timeline has it
//! (each `status_changed` entry names `from` and `to`), so the customers
//! lost before this migration get it from their latest move to `lost`. A
//! lost customer without such an entry (written straight to the database)
//! keeps none and counts as of an unknown stage.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "reports:read", "all"),
    ("director", "reports:read", "all"),
    ("manager", "reports:read", "team"),
    ("director", "churn:read", "all"),
    ("customer_manager", "churn:read", "all"),
    ("manager", "churn:read", "team"),
];

/// The statuses a customer may be lost from (docs/workflows.md): what a
/// backfilled `from` must be to be kept.
const LOST_FROM: &[&str] = &["new", "contacted", "needs_assessed", "active", "negotiating"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(ColumnDef::new(Customers::LostFromStatus).string_len(32).null())
                    .to_owned(),
            )
            .await?;
        // Each lost customer's moves to `lost`, latest first: the first one seen wins.
        let select = Query::select()
            .column((TimelineEntries::Table, TimelineEntries::CustomerId))
            .column((TimelineEntries::Table, TimelineEntries::Data))
            .from(TimelineEntries::Table)
            .inner_join(
                Customers::Table,
                Expr::col((Customers::Table, Customers::Id))
                    .equals((TimelineEntries::Table, TimelineEntries::CustomerId)),
            )
            .and_where(Expr::col((Customers::Table, Customers::Status)).eq("lost"))
            .and_where(Expr::col((TimelineEntries::Table, TimelineEntries::Kind)).eq("status_changed"))
            .order_by((TimelineEntries::Table, TimelineEntries::OccurredAt), Order::Desc)
            .to_owned();
        let db = manager.get_connection();
        let mut done = std::collections::HashSet::new();
        for row in db.query_all(&select).await? {
            let customer: uuid::Uuid = row.try_get("", "customer_id")?;
            let data: serde_json::Value = row.try_get("", "data")?;
            if data["to"] != "lost" || done.contains(&customer) {
                continue;
            }
            done.insert(customer);
            let Some(from) = data["from"].as_str().filter(|f| LOST_FROM.contains(f)) else {
                continue;
            };
            let update = Query::update()
                .table(Customers::Table)
                .value(Customers::LostFromStatus, from)
                .and_where(Expr::col(Customers::Id).eq(customer))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for pattern in ["reports:%", "churn:%"] {
            let grants = Query::delete()
                .from_table(Alias::new("role_permissions"))
                .and_where(Expr::col(Alias::new("permission")).like(pattern))
                .to_owned();
            manager.exec_stmt(grants).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .drop_column(Customers::LostFromStatus)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    Status,
    LostFromStatus,
}

#[derive(DeriveIden, Clone, Copy)]
enum TimelineEntries {
    Table,
    CustomerId,
    Kind,
    Data,
    OccurredAt,
}
