//! Advanced trainings (高端培训): a training may be marked advanced, to be
//! offered first to the consultants on the talent list (表现优异者优先晋升或参与高端培训).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Trainings::Table)
                    .add_column(ColumnDef::new(Trainings::Advanced).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Trainings::Table)
                    .drop_column(Trainings::Advanced)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Trainings {
    Table,
    Advanced,
}
