//! Monthly KPI snapshots one row per consultant and team, so that reading a
//! snapshot filters by the caller's scope in SQL. `kpi_snapshots` stays the
//! record that a month was taken (and its archive as one document).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(KpiSnapshotRows::Table)
                    .col(pk_uuid(KpiSnapshotRows::Id))
                    .col(string_len(KpiSnapshotRows::Month, 7))
                    .col(string_len(KpiSnapshotRows::Subject, 16))
                    .col(uuid(KpiSnapshotRows::SubjectId))
                    .col(uuid_null(KpiSnapshotRows::TeamId))
                    .col(string(KpiSnapshotRows::Name))
                    .col(json(KpiSnapshotRows::Figures))
                    .col(timestamp_with_time_zone(KpiSnapshotRows::TakenAt))
                    .index(
                        Index::create()
                            .unique()
                            .col(KpiSnapshotRows::Month)
                            .col(KpiSnapshotRows::Subject)
                            .col(KpiSnapshotRows::SubjectId),
                    )
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "kpi_snapshot_rows_month_team",
            KpiSnapshotRows::Table,
            &[KpiSnapshotRows::Month, KpiSnapshotRows::TeamId],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KpiSnapshotRows::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum KpiSnapshotRows {
    Table,
    Id,
    Month,
    Subject,
    SubjectId,
    TeamId,
    Name,
    Figures,
    TakenAt,
}
