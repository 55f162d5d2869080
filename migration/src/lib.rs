//! Schema migrations. Every migration is written with sea-query builders
//! (the access epoch's triggers, which it cannot build, are written per
//! engine), so that one code path creates the same schema on SQLite
//! (embedded mode) and PostgreSQL (production mode); CI runs them on both.

pub use sea_orm_migration::{MigrationStatus, prelude::*};

mod m20261127_000001_foundation;
mod m20261127_000002_identity;
mod m20261127_000003_customers;
mod m20261127_000004_idempotency;
mod m20261127_000005_sales;
mod m20261127_000006_engine;
mod m20261127_000007_kpi_snapshot_rows;
mod m20261130_000001_privacy;
mod m20261130_000003_approvals;
mod m20261130_000004_routing;
mod m20261130_000005_target_plans;
mod m20261130_000006_advanced_trainings;
mod m20261130_000007_bonuses;
mod m20261130_000008_reports;
mod m20261130_000009_details;
mod m20261130_000010_care;
mod m20261130_000011_delivery_failures;
mod m20261130_000012_console;
mod m20261130_000013_queue_throughput;
mod m20261130_000014_api_client_last_used;
mod m20261130_000016_list_indexes;
mod m20261201_000001_follow_up_indexes;
mod m20261201_000002_access_epoch;
mod m20261201_000003_next_due;

/// The source of every migration, in order: a fingerprint of the schema, so
/// that test templates built from an older schema are never reused.
pub const SOURCES: &[&str] = &[
    include_str!("m20261127_000001_foundation.rs"),
    include_str!("m20261127_000002_identity.rs"),
    include_str!("m20261127_000003_customers.rs"),
    include_str!("m20261127_000004_idempotency.rs"),
    include_str!("m20261127_000005_sales.rs"),
    include_str!("m20261127_000006_engine.rs"),
    include_str!("m20261127_000007_kpi_snapshot_rows.rs"),
    include_str!("m20261130_000001_privacy.rs"),
    include_str!("../../domain/src/platform/phone.rs"),
    include_str!("m20261130_000003_approvals.rs"),
    include_str!("m20261130_000004_routing.rs"),
    include_str!("m20261130_000005_target_plans.rs"),
    include_str!("m20261130_000006_advanced_trainings.rs"),
    include_str!("m20261130_000007_bonuses.rs"),
    include_str!("m20261130_000008_reports.rs"),
    include_str!("m20261130_000009_details.rs"),
    include_str!("m20261130_000010_care.rs"),
    include_str!("m20261130_000011_delivery_failures.rs"),
    include_str!("m20261130_000012_console.rs"),
    include_str!("m20261130_000013_queue_throughput.rs"),
    include_str!("m20261130_000014_api_client_last_used.rs"),
    include_str!("m20261130_000016_list_indexes.rs"),
    include_str!("m20261201_000001_follow_up_indexes.rs"),
    include_str!("m20261201_000002_access_epoch.rs"),
    include_str!("m20261201_000003_next_due.rs"),
];

/// Grants `(role, permission, scope)` to built-in roles, found by name.
/// Shared by the migrations that introduce permissions.
pub(crate) async fn seed_grants(manager: &SchemaManager<'_>, grants: &[(&str, &str, &str)]) -> Result<(), DbErr> {
    for (role, permission, scope) in grants {
        let insert = Query::insert()
            .into_table(Alias::new("role_permissions"))
            .columns([Alias::new("role_id"), Alias::new("permission"), Alias::new("scope")])
            .select_from(
                Query::select()
                    .column(Alias::new("id"))
                    .expr(Expr::val(*permission))
                    .expr(Expr::val(*scope))
                    .from(Alias::new("roles"))
                    .and_where(Expr::col(Alias::new("name")).eq(*role))
                    .to_owned(),
            )
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(insert).await?;
    }
    Ok(())
}

/// Writes version 1 of the SLA policy of `kind`: its duration in seconds,
/// its warning point in percent (0: none), whether a breach notifies the
/// manager. Shared by the migrations that introduce deadlines.
pub(crate) async fn seed_sla_policy(
    manager: &SchemaManager<'_>,
    kind: &str,
    duration_secs: i64,
    warning_percent: i32,
    notify_manager: bool,
) -> Result<(), DbErr> {
    let column = |name: &str| Alias::new(name);
    let insert = Query::insert()
        .into_table(Alias::new("sla_policies"))
        .columns([
            column("id"),
            column("kind"),
            column("version"),
            column("duration_secs"),
            column("warning_percent"),
            column("notify_manager"),
            column("reassign"),
            column("created_at"),
        ])
        .values_panic([
            uuid::Uuid::now_v7().into(),
            kind.into(),
            1.into(),
            duration_secs.into(),
            warning_percent.into(),
            notify_manager.into(),
            false.into(),
            chrono::Utc::now().into(),
        ])
        .to_owned();
    manager.exec_stmt(insert).await
}

/// Creates the index `name` on `columns` of `table`.
pub(crate) async fn create_index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: &[C],
) -> Result<(), DbErr> {
    create_partial_index(manager, name, table, columns, None).await
}

/// Creates the index `name` on `columns` of `table`, over the rows meeting
/// `condition` only when one is given.
pub(crate) async fn create_partial_index<T: IntoIden + Copy + 'static, C: IntoIden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    columns: &[C],
    condition: Option<Expr>,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(*column);
    }
    if let Some(condition) = condition {
        index.and_where(condition);
    }
    manager.create_index(index.to_owned()).await
}

/// All migrations in the order they apply.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_identity::Migration),
            Box::new(m20261127_000003_customers::Migration),
            Box::new(m20261127_000004_idempotency::Migration),
            Box::new(m20261127_000005_sales::Migration),
            Box::new(m20261127_000006_engine::Migration),
            Box::new(m20261127_000007_kpi_snapshot_rows::Migration),
            Box::new(m20261130_000001_privacy::Migration),
            Box::new(m20261130_000003_approvals::Migration),
            Box::new(m20261130_000004_routing::Migration),
            Box::new(m20261130_000005_target_plans::Migration),
            Box::new(m20261130_000006_advanced_trainings::Migration),
            Box::new(m20261130_000007_bonuses::Migration),
            Box::new(m20261130_000008_reports::Migration),
            Box::new(m20261130_000009_details::Migration),
            Box::new(m20261130_000010_care::Migration),
            Box::new(m20261130_000011_delivery_failures::Migration),
            Box::new(m20261130_000012_console::Migration),
            Box::new(m20261130_000013_queue_throughput::Migration),
            Box::new(m20261130_000014_api_client_last_used::Migration),
            Box::new(m20261130_000016_list_indexes::Migration),
            Box::new(m20261201_000001_follow_up_indexes::Migration),
            Box::new(m20261201_000002_access_epoch::Migration),
            Box::new(m20261201_000003_next_due::Migration),
        ]
    }
}
